"""bot/domain.yml and the NLU data are valid Rasa 3 files and agree with our actions,
hand-off numbers and stable names.

Rasa itself does not install on Python 3.11, so its file formats are checked here, after
Rasa 3's documentation (https://rasa.com/docs/rasa/domain, .../responses and
.../training-data-format): `domain_problems` and `nlu_problems` list every departure, one
readable line each, and the negative tests prove they catch what they claim to.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml

from bot.actions import ACTIONS, Context
from bot.config import Lines
from directory import DirectorySettings

ROOT = Path(__file__).parent.parent
DOMAIN_FILE = ROOT / "bot" / "domain.yml"
NLU_FILES = [ROOT / "bot" / "nlu" / "data" / name for name in ("nlu.yml", "test.yml")]

# Stable names from DESIGN.md.
INTENTS = ("find_resource", "check_availability", "update_availability", "select_result",
           "more_results", "provide_location", "crisis", "emergency", "greet", "goodbye",
           "thanks", "help", "affirm", "deny", "out_of_scope")  # fmt: skip
ACTION_NAMES = ("action_search_resources", "action_show_details", "action_more_results",
                "action_check_availability", "action_update_availability",
                "action_crisis_handoff", "action_emergency_handoff", "action_help")  # fmt: skip
# Responses filled with the hand-off numbers: the two hand-offs and the fallback when the
# directory cannot be searched.
HANDOFF_RESPONSES = ("utter_crisis_handoff", "utter_emergency_handoff", "utter_directory_down")

# Rasa 3's domain format.
TOP_LEVEL = {"version", "intents", "entities", "slots", "responses", "actions", "forms",
             "session_config", "config", "e2e_actions"}  # fmt: skip
INTENT_KEYS = {"use_entities", "ignore_entities", "triggers"}
ENTITY_KEYS = {"roles", "groups", "influence_conversation"}
SLOT_TYPES = {"text", "bool", "categorical", "float", "list", "any"}
SLOT_KEYS = {"type", "influence_conversation", "mappings", "initial_value", "values",
             "min_value", "max_value"}  # fmt: skip
CONDITIONAL = {"intent", "not_intent", "conditions"}
MAPPINGS: dict[str, tuple[set[str], set[str]]] = {  # type: (required keys, optional keys)
    "from_entity": ({"entity"}, {"role", "group"} | CONDITIONAL),
    "from_text": (set(), CONDITIONAL),
    "from_intent": ({"value"}, CONDITIONAL),
    "from_trigger_intent": ({"value"}, CONDITIONAL),
    "custom": (set(), {"action", "conditions"}),
}
FORM_KEYS = {"required_slots", "ignored_intents"}
PAYLOAD_KEYS = {"text", "image", "buttons", "quick_replies", "custom", "attachment", "elements"}
VARIANT_KEYS = PAYLOAD_KEYS | {"channel", "condition", "id", "metadata"}
SESSION_KEYS = {"session_expiration_time", "carry_over_slots_to_new_session"}
PLACEHOLDER = re.compile(r"\{([^{}\n]+)\}")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


# ---- the domain ------------------------------------------------------------------------


def domain_problems(domain: Any) -> list[str]:
    """Every way `domain` departs from Rasa 3's domain format."""
    if not isinstance(domain, dict):
        return ["the domain is not a mapping"]
    problems = [f"unknown top-level key {key!r}" for key in domain if key not in TOP_LEVEL]
    if domain.get("version") != "3.1":
        problems.append(f'version must be the string "3.1", not {domain.get("version")!r}')
    intents = _declared(domain, "intents", INTENT_KEYS, problems)
    entities = _declared(domain, "entities", ENTITY_KEYS, problems)
    for name, options in entities.items():
        for key in ("roles", "groups"):
            if not _names_list(options.get(key, [])):
                problems.append(f"entities.{name}: {key} must be a list of names")
    slots = _section(domain, "slots", problems)
    for name, slot in slots.items():
        problems += _slot_problems(f"slots.{name}", slot, intents, entities)
    for name, form in _section(domain, "forms", problems).items():
        problems += _form_problems(f"forms.{name}", form, slots)
    for name, variants in _section(domain, "responses", problems).items():
        problems += _response_problems(f"responses.{name}", variants, slots)
    for key in ("actions", "e2e_actions"):
        if not _names_list(domain.get(key, [])):
            problems.append(f"{key} must be a list of names")
    for key, value in _section(domain, "session_config", problems).items():
        if key not in SESSION_KEYS:
            problems.append(f"session_config: unknown key {key!r}")
        elif key == "session_expiration_time" and not _number(value):
            problems.append("session_config.session_expiration_time must be a number of minutes")
        elif key == "carry_over_slots_to_new_session" and not isinstance(value, bool):
            problems.append("session_config.carry_over_slots_to_new_session must be true or false")
    for key, value in _section(domain, "config", problems).items():
        if key != "store_entities_as_slots" or not isinstance(value, bool):
            problems.append(f"config: {key}: {value!r} is not store_entities_as_slots: true|false")
    return problems


def _section(domain: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    section = domain.get(key) or {}
    if not isinstance(section, dict):
        problems.append(f"{key} must be a mapping")
        return {}
    return section


def _names_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _declared(
    domain: dict[str, Any], key: str, options_allowed: set[str], problems: list[str]
) -> dict[str, dict[str, Any]]:
    """Intents or entities: each a name, or a single-key mapping of a name to its options."""
    items = domain.get(key) or []
    if not isinstance(items, list):
        problems.append(f"{key} must be a list")
        return {}
    declared: dict[str, dict[str, Any]] = {}
    for item in items:
        options: Any
        if isinstance(item, str):
            name, options = item, {}
        elif isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item)), str):
            name, options = next(iter(item.items()))
            options = options or {}
            if not isinstance(options, dict) or not set(options) <= options_allowed:
                problems.append(f"{key}.{name}: options must be among {sorted(options_allowed)}")
                options = {}
        else:
            problems.append(f"{key}: {item!r} is neither a name nor a single-key mapping")
            continue
        if name in declared:
            problems.append(f"{key}: {name!r} is declared twice")
        declared[name] = options
    return declared


def _fits(kind: Any, value: Any, slot: dict[str, Any]) -> bool:
    """Whether `value` is a valid value of a slot of type `kind`."""
    if value is None or kind == "any":
        return True
    if kind == "float":
        low, high = slot.get("min_value", 0.0), slot.get("max_value", 1.0)
        return _number(value) and low <= value <= high
    checks: dict[str, Callable[[Any], bool]] = {
        "text": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "list": lambda v: isinstance(v, list),
        "categorical": lambda v: v in (slot.get("values") or []),
    }
    return kind in checks and checks[kind](value)


def _slot_problems(
    where: str, slot: Any, intents: dict[str, Any], entities: dict[str, dict[str, Any]]
) -> Iterator[str]:
    if not isinstance(slot, dict):
        yield f"{where} must be a mapping"
        return
    yield from (f"{where}: unknown key {key!r}" for key in slot if key not in SLOT_KEYS)
    kind = slot.get("type")
    if kind not in SLOT_TYPES:
        yield f"{where}: type {kind!r} is not one of {', '.join(sorted(SLOT_TYPES))}"
    values = slot.get("values")
    if kind == "categorical" and not (isinstance(values, list) and values):
        yield f"{where}: a categorical slot needs a list of values"
    if kind == "float" and not slot.get("min_value", 0.0) < slot.get("max_value", 1.0):
        yield f"{where}: min_value must be below max_value"
    if not _fits(kind, slot.get("initial_value"), slot):
        yield f"{where}: initial_value {slot['initial_value']!r} is not a valid {kind} value"
    mappings = slot.get("mappings")
    if not isinstance(mappings, list) or not mappings:
        yield f"{where}: needs a list of mappings"
        return
    for number, mapping in enumerate(mappings):
        yield from _mapping_problems(f"{where}.mappings[{number}]", mapping, intents, entities)


def _mapping_problems(
    where: str, mapping: Any, intents: dict[str, Any], entities: dict[str, dict[str, Any]]
) -> Iterator[str]:
    if not isinstance(mapping, dict) or mapping.get("type") not in MAPPINGS:
        kind = mapping.get("type") if isinstance(mapping, dict) else mapping
        yield f"{where}: mapping type {kind!r} is not one of {', '.join(MAPPINGS)}"
        return
    kind = mapping["type"]
    required, optional = MAPPINGS[kind]
    yield from (f"{where}: a {kind} mapping needs {key!r}" for key in sorted(required - {*mapping}))
    unknown = sorted({*mapping} - required - optional - {"type"})
    yield from (f"{where}: unknown key {key!r} for a {kind} mapping" for key in unknown)
    entity = mapping.get("entity")
    if kind == "from_entity" and entity is not None:
        if entity not in entities:
            yield f"{where}: entity {entity!r} is not declared under entities"
        elif "role" in mapping and mapping["role"] not in entities[entity].get("roles", []):
            yield f"{where}: role {mapping['role']!r} is not declared for entity {entity!r}"
    for key in ("intent", "not_intent"):
        names = mapping.get(key, [])
        for intent in [names] if isinstance(names, str) else names:
            if intent not in intents:
                yield f"{where}: {key} {intent!r} is not a declared intent"
    for condition in mapping.get("conditions", []):
        if not isinstance(condition, dict) or not {*condition} <= {"active_loop", "requested_slot"}:
            yield f"{where}: a condition has only active_loop and requested_slot, not {condition!r}"


def _form_problems(where: str, form: Any, slots: dict[str, Any]) -> Iterator[str]:
    if not isinstance(form, dict):
        yield f"{where} must be a mapping"
        return
    yield from (f"{where}: unknown key {key!r}" for key in form if key not in FORM_KEYS)
    required = form.get("required_slots")
    if not _names_list(required) or not required:
        yield f"{where}: required_slots must be a list of slot names"
        return
    for slot in required:
        if slot not in slots:
            yield f"{where}.required_slots: {slot!r} is not a declared slot"


def _response_problems(where: str, variants: Any, slots: dict[str, Any]) -> Iterator[str]:
    if not where.startswith("responses.utter_"):
        yield f"{where}: a response name must start with utter_"
    if not isinstance(variants, list) or not variants:
        yield f"{where} must be a non-empty list of variants"
        return
    for number, variant in enumerate(variants):
        at = f"{where}[{number}]"
        if not isinstance(variant, dict):
            yield f"{at} must be a mapping"
            continue
        yield from (f"{at}: unknown key {key!r}" for key in variant if key not in VARIANT_KEYS)
        if not PAYLOAD_KEYS & {*variant}:
            yield f"{at}: has nothing to send ({', '.join(sorted(PAYLOAD_KEYS))})"
        if "text" in variant and not (isinstance(variant["text"], str) and variant["text"]):
            yield f"{at}: text must be a non-empty string"
        if "channel" in variant and not isinstance(variant["channel"], str):
            yield f"{at}: channel must be a string"
        for button in variant.get("buttons", []):
            if not isinstance(button, dict) or not {"title", "payload"} <= {*button}:
                yield f"{at}: a button needs a title and a payload"
        conditions = variant.get("condition", [])
        if not isinstance(conditions, list):
            yield f"{at}: condition must be a list"
            continue
        for condition in conditions:
            yield from _condition_problems(at, condition, slots)


def _condition_problems(at: str, condition: Any, slots: dict[str, Any]) -> Iterator[str]:
    if not isinstance(condition, dict) or condition.get("type") != "slot":
        yield f"{at}: a condition must be of type slot, not {condition!r}"
        return
    if {*condition} != {"type", "name", "value"}:
        yield f"{at}: a condition has exactly type, name and value, not {sorted(condition)}"
    name = condition.get("name")
    if name not in slots:
        yield f"{at}: condition on {name!r}, which is not a declared slot"
    elif not _fits(slots[name].get("type"), condition.get("value"), slots[name]):
        yield f"{at}: {condition.get('value')!r} is not a value of slot {name!r}"


# ---- the NLU training data -------------------------------------------------------------

NLU_KINDS = ("intent", "synonym", "lookup", "regex")
MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]+\}))")


def nlu_problems(data: Any, domain: dict[str, Any]) -> list[str]:
    """Every way `data` departs from Rasa 3's NLU training-data format, and every intent,
    entity or role it uses that the domain does not declare."""
    if not isinstance(data, dict):
        return ["the file is not a mapping"]
    problems = [f"unknown top-level key {key!r}" for key in data if key not in ("version", "nlu")]
    if data.get("version") != "3.1":
        problems.append(f'version must be the string "3.1", not {data.get("version")!r}')
    items = data.get("nlu")
    if not isinstance(items, list) or not items:
        return [*problems, "nlu must be a non-empty list"]
    intents = _declared(domain, "intents", INTENT_KEYS, [])
    entities = _declared(domain, "entities", ENTITY_KEYS, [])
    for number, item in enumerate(items):
        kinds = [kind for kind in NLU_KINDS if isinstance(item, dict) and kind in item]
        if len(kinds) != 1 or not {*item} <= {kinds[0], "examples", "metadata"}:
            problems.append(f"nlu[{number}]: must be one of {', '.join(NLU_KINDS)} with examples")
            continue
        kind, where = kinds[0], f"nlu[{number}] ({kinds[0]} {item[kinds[0]]})"
        examples = item.get("examples")
        lines = examples.splitlines() if isinstance(examples, str) else []
        if not lines or not all(line.startswith("- ") for line in lines):
            problems.append(f"{where}: examples must be a block of '- ' lines")
            continue
        if kind == "intent" and item["intent"] not in intents:
            problems.append(f"{where}: intent {item['intent']!r} is not declared in the domain")
        if kind == "intent":
            for line in lines:
                problems += _markup_problems(where, line, entities)
    return problems


def _markup_problems(where: str, line: str, entities: dict[str, dict[str, Any]]) -> Iterator[str]:
    for match in MARKUP.finditer(line):
        if match["json"]:
            try:
                spec = json.loads(match["json"])
            except json.JSONDecodeError:
                yield f"{where}: bad entity markup {match[0]!r}"
                continue
        else:
            spec = {"entity": match["short"].partition(":")[0]}
        entity, role = spec.get("entity"), spec.get("role")
        if entity not in entities:
            yield f"{where}: entity {entity!r} in {match[0]!r} is not declared in the domain"
        elif role is not None and role not in entities[entity].get("roles", []):
            yield f"{where}: role {role!r} of {entity!r} is not declared in the domain"


def example_styles(path: Path) -> dict[str, str | None]:
    """The YAML style of each item's `examples` (| for a literal block), by item."""
    root = yaml.compose(path.read_text("utf-8"))
    nlu = next(value for key, value in root.value if key.value == "nlu")
    styles = {}
    for number, item in enumerate(nlu.value):
        fields = {key.value: value for key, value in item.value}
        name = next(f"{kind} {fields[kind].value}" for kind in NLU_KINDS if kind in fields)
        styles[f"nlu[{number}] ({name})"] = fields["examples"].style
    return styles


# ---- tests -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return dict(load(DOMAIN_FILE))


@pytest.fixture(scope="module")
def line_values() -> Iterator[dict[str, str]]:
    """The values our actions pass for the hand-off responses, from the shipped numbers."""
    db = sqlite_utils.Database(memory=True)
    yield Context(db, DirectorySettings(), Lines.load()).line_values()
    db.close()


def variants(domain: dict[str, Any], response: str) -> list[dict[str, Any]]:
    return list(domain["responses"][response])


def is_spanish(variant: dict[str, Any]) -> bool:
    return {"type": "slot", "name": "language", "value": "es"} in variant.get("condition", [])


def test_the_domain_follows_rasa_3s_format(domain: dict[str, Any]) -> None:
    assert domain_problems(domain) == []


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "form requires an undeclared slot": (
        lambda d: d["forms"]["search_form"]["required_slots"].append("insurance"),
        "forms.search_form.required_slots: 'insurance' is not a declared slot",
    ),
    "slot of an unknown type": (
        lambda d: d["slots"]["location"].update(type="string"),
        "slots.location: type 'string' is not one of any, bool, categorical, float, list, text",
    ),
    "slot without mappings": (
        lambda d: d["slots"]["results"].pop("mappings"),
        "slots.results: needs a list of mappings",
    ),
    "mapping from an undeclared entity": (
        lambda d: d["slots"]["needs"]["mappings"][0].update(entity="service"),
        "slots.needs.mappings[0]: entity 'service' is not declared under entities",
    ),
    "mapping from an undeclared role": (
        lambda d: d["slots"]["location"]["mappings"][0].update(role="county"),
        "slots.location.mappings[0]: role 'county' is not declared for entity 'location'",
    ),
    "categorical slot without values": (
        lambda d: d["slots"]["role"].pop("values"),
        "slots.role: a categorical slot needs a list of values",
    ),
    "initial value outside the categories": (
        lambda d: d["slots"]["language"].update(initial_value="fr"),
        "slots.language: initial_value 'fr' is not a valid categorical value",
    ),
    "version as a number": (
        lambda d: d.update(version=3.1),
        'version must be the string "3.1", not 3.1',
    ),
    "response not named utter_": (
        lambda d: d["responses"].update(greet=[{"text": "Hi"}]),
        "responses.greet: a response name must start with utter_",
    ),
    "response condition on an undeclared slot": (
        lambda d: d["responses"]["utter_greet"][1]["condition"][0].update(name="lang"),
        "responses.utter_greet[1]: condition on 'lang', which is not a declared slot",
    ),
    "response with nothing to send": (
        lambda d: d["responses"]["utter_thanks"].append({"channel": "sms"}),
        "responses.utter_thanks[2]: has nothing to send "
        "(attachment, buttons, custom, elements, image, quick_replies, text)",
    ),
    "unknown top-level key": (
        lambda d: d.update(templates={}),
        "unknown top-level key 'templates'",
    ),
}


@pytest.mark.parametrize(("breakage", "problem"), BROKEN.values(), ids=BROKEN.keys())
def test_the_checker_catches_a_broken_domain(
    domain: dict[str, Any], breakage: Callable[[dict[str, Any]], None], problem: str
) -> None:
    broken = copy.deepcopy(domain)
    breakage(broken)
    assert problem in domain_problems(broken)


def test_every_form_slot_has_its_question(domain: dict[str, Any]) -> None:
    for form in domain["forms"].values():
        for slot in form["required_slots"]:
            assert f"utter_ask_{slot}" in domain["responses"]


def test_every_stable_action_is_listed_and_served_by_our_actions(domain: dict[str, Any]) -> None:
    served = {action().name() for action in ACTIONS}
    for name in ACTION_NAMES:
        assert name in domain["actions"]
        assert name in served
    assert served <= set(domain["actions"])


def test_every_stable_intent_is_declared(domain: dict[str, Any]) -> None:
    declared = _declared(domain, "intents", INTENT_KEYS, [])
    assert [intent for intent in INTENTS if intent not in declared] == []


@pytest.mark.parametrize("response", HANDOFF_RESPONSES)
def test_every_handoff_placeholder_is_filled_from_the_handoff_file(
    domain: dict[str, Any], line_values: dict[str, str], response: str
) -> None:
    for variant in variants(domain, response):
        placeholders = set(PLACEHOLDER.findall(variant["text"]))
        assert placeholders, f"{response} should take its numbers from the hand-off file"
        assert placeholders <= line_values.keys(), variant["text"]


@pytest.mark.parametrize("response", HANDOFF_RESPONSES)
def test_handoff_texts_never_offer_press_3(
    domain: dict[str, Any], line_values: dict[str, str], response: str
) -> None:
    # The 988 "Press 3" (LGBTQI+ youth) option ended in July 2025 (bot/data/handoff.toml).
    for variant in variants(domain, response):
        for text in (variant["text"], variant["text"].format(**line_values)):
            assert not re.search(r"\b(press|marque|oprima|pulse)\s+3\b", text, re.IGNORECASE)


@pytest.mark.parametrize("response", ["utter_crisis_handoff", "utter_emergency_handoff"])
def test_crisis_and_emergency_handoffs_have_a_spanish_variant_with_the_same_numbers(
    domain: dict[str, Any], response: str
) -> None:
    default = next(v for v in variants(domain, response) if "condition" not in v)
    spanish = [v for v in variants(domain, response) if is_spanish(v)]
    assert len(spanish) == 1
    assert set(PLACEHOLDER.findall(spanish[0]["text"])) == set(PLACEHOLDER.findall(default["text"]))


def test_every_response_has_a_default_variant(domain: dict[str, Any]) -> None:
    # Rasa falls back to a variant without condition or channel when none matches.
    for name in domain["responses"]:
        assert any(not {"condition", "channel"} & {*v} for v in variants(domain, name)), name


@pytest.mark.parametrize("path", NLU_FILES, ids=lambda path: path.name)
def test_the_training_data_follows_rasa_3s_format_and_the_domain(
    domain: dict[str, Any], path: Path
) -> None:
    assert nlu_problems(load(path), domain) == []


@pytest.mark.parametrize("path", NLU_FILES, ids=lambda path: path.name)
def test_training_examples_are_literal_blocks(path: Path) -> None:
    styles = example_styles(path)
    assert styles
    assert {item: style for item, style in styles.items() if style != "|"} == {}


def test_the_nlu_checker_catches_an_undeclared_intent_and_role(domain: dict[str, Any]) -> None:
    data = {
        "version": "3.1",
        "nlu": [
            {"intent": "book_ride", "examples": "- ride to [80204](location)\n"},
            {"intent": "find_resource",
             "examples": '- detox in [Denver]{"entity": "location", "role": "county"}\n'},
            {"synonym": "detox", "examples": "withdrawal\n"},
        ],
    }  # fmt: skip
    assert nlu_problems(data, domain) == [
        "nlu[0] (intent book_ride): intent 'book_ride' is not declared in the domain",
        "nlu[1] (intent find_resource): role 'county' of 'location' is not declared in the domain",
        "nlu[2] (synonym detox): examples must be a block of '- ' lines",
    ]
