"""Who a place will take, and when: eligibility read from the data, facts about the
person from the conversation, "tonight", and the bed board — end to end through
`wayfinder ask` at 2 PM on the demo directory, in English and Spanish."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import directory
from bot.nlu import person, when
from directory.eligibility import Eligibility, Person, read
from directory.eligibility_changes import InvalidEligibility, set_eligibility
from directory.importer import rebuild_search_index
from directory.transaction import write_transaction
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

TWO_PM = "2026-11-23T14:00:00-07:00"


@pytest.mark.parametrize(
    ("where", "text", "expected"),
    [
        ("eligibility_description", "Youth aged 12 to 17.", {"min_age": 12, "max_age": 17}),
        ("eligibility_description", "Single adult men 18 and older",
         {"min_age": 18, "genders": ("man",), "children": False}),
        ("eligibility_description", "Women and their children.",
         {"genders": ("woman",), "children": True, "families_only": True}),
        ("eligibility_description", "Families with children under 18.",
         {"children": True, "families_only": True, "max_age": None}),
        ("eligibility_description", "Private pay only; we do not accept Medicaid.",
         {"medicaid": False}),
        ("eligibility_description", "We accept Medicaid (Centennial Care) and Medicare.",
         {"medicaid": True}),
        ("description", "Low-barrier: no sobriety requirement.", {"intoxicated": True}),
        ("description", "Guests must be sober to enter; no pets.",
         {"intoxicated": False, "pets": False}),
        ("eligibility_description", "Veterans only — DD214 required.", {"veterans_only": True}),
        ("eligibility_description", "By referral only.", {"referral_only": True}),
        ("attribute", "Pets Allowed", {"pets": True}),
        ("attribute", "Wheelchair Accessible", {"wheelchair": True}),
        ("description", "Dorms are upstairs; there is no elevator.", {"wheelchair": False}),
        ("eligibility_description", "Anyone in crisis; youth under 18 with a parent.",
         {"max_age": None, "min_age": None}),
        ("eligibility_description", "Adults 18 and older and families with children.",
         {"min_age": 18, "families_only": False, "children": True}),
    ],
)  # fmt: skip
def test_eligibility_is_read_the_ways_data_writes_it(
    where: str, text: str, expected: dict[str, object]
) -> None:
    rules, _ = read([(where, text)])
    assert {key: getattr(rules, key) for key in expected} == expected
    assert all(where in rules.sources[key] for key in expected if expected[key])


def test_the_age_fields_come_first_and_unread_sentences_are_reported() -> None:
    rules, unread = read(
        [("eligibility_description", "Ages 10 to 15. Must complete an intake interview.")],
        minimum_age="12", maximum_age="17",
    )  # fmt: skip
    assert (rules.min_age, rules.max_age) == (12, 17)
    assert unread == ["Must complete an intake interview."]


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("shelter for a 16 year old", {"age": 16}),
        ("a woman and her 2 kids need shelter", {"gender": "woman", "children": True}),
        ("55M intox needs sobering", {"age": 55, "gender": "man", "intoxicated": True}),
        ("single guy, 45, need a bed", {"gender": "man", "children": False, "age": 45}),
        ("I'm a trans woman and need a bed", {"gender": "woman", "lgbtq": True}),
        ("veteran with a dog", {"veteran": True, "pets": True}),
        ("detox that takes medicaid", {"insurance": "medicaid"}),
        ("no insurance, need detox", {"insurance": "none"}),
        ("mi hija de 14 años necesita una cama de crisis", {"age": 14, "gender": "woman"}),
        ("mujer con sus hijos necesita refugio", {"gender": "woman", "children": True}),
        ("soy papá soltero con mi hija de 6 años", {"gender": "man", "children": True}),
        ("tengo un perro", {"pets": True}),
        ("I'm 16 and my mom kicked me out", {"age": 16}),
    ],
)
def test_facts_about_the_person_are_read_in_both_languages(
    text: str, facts: dict[str, object]
) -> None:
    assert person.facts(text) == facts


def test_time_words_open_a_window() -> None:
    at = datetime.fromisoformat(TWO_PM)
    start, end = when.window(when.of("where can i sleep tonight"), at)  # type: ignore[misc]
    assert (start.hour, end.day, end.hour) == (17, 24, 7)
    assert when.window(when.of("comida mañana en la mañana"), at)[0].day == 24  # type: ignore[index]
    assert when.of("detox 80204") is None


def test_a_person_is_left_out_only_by_what_a_place_says() -> None:
    youth = Eligibility(min_age=12, max_age=17)
    assert Person(age=30).excluded_by(youth) == "ages 12–17"
    assert Person(age=16).excluded_by(youth) is None
    assert Person().excluded_by(youth) is None  # no facts: nobody is filtered out
    assert Person(gender="woman").excluded_by(Eligibility(genders=("man",))) == "men only"
    assert Person(insurance="medicaid").excluded_by(Eligibility(medicaid=False)) == "no Medicaid"
    assert Person(children=True).excluded_by(Eligibility(min_age=18)) == "18+"


# End to end -------------------------------------------------------------------------------


@pytest.fixture
def env(nlu_model: Path, assistant_db_path: Path, engine: str) -> dict[str, str]:
    # The demo's key file serves a SQLite file only: a shared server needs the key set.
    key = "" if engine == "sqlite" else "k" * 32
    return {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_DB": str(assistant_db_path),
            "WAYFINDER_HMAC_KEY": key}  # fmt: skip


def ask(env: dict[str, str], text: str, sender: str, channel: str = "web") -> str:
    result = CliRunner().invoke(
        cli, ["ask", "--sender", sender, "--channel", channel, "--at", TWO_PM, text], env=env
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def names(reply: str) -> list[str]:
    return re.findall(r"^\d+\. (.+?) - ", reply, re.M)


@pytest.mark.parametrize(
    "text",
    ["shelter for a 16 year old near 80204", "refugio para un chico de 16 años en el 80204"],
)
def test_a_teenager_is_offered_the_youth_shelter_and_no_adult_one(
    env: dict[str, str], text: str
) -> None:
    reply = ask(env, text, "teen")
    assert names(reply)[0] == "Redrock Youth Emergency Shelter"
    assert "ages 12–17" in reply
    assert not {"Lodestar Lawrence Street Men's Shelter", "Cottonwood Women's Overnight Shelter",
                "Flatirons Overnight Shelter"} & set(names(reply))  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["a woman and her 2 kids need a place to sleep 80204",
     "una mujer con sus 2 hijos necesita refugio en el 80204"],
)  # fmt: skip
def test_a_mother_with_children_is_not_sent_to_a_mens_or_adults_only_shelter(
    env: dict[str, str], text: str
) -> None:
    reply = ask(env, text, "mother")
    shown = names(reply)
    assert shown[0] in (
        "Lodestar Federal Boulevard Family Shelter",
        "Aurora Hearth Overnight Shelter",
    )
    assert "Lodestar Lawrence Street Men's Shelter" not in shown
    assert "Foothills Hope Lakewood Beds" not in shown  # adults 18 and older only


@pytest.mark.parametrize(
    "text", ["crisis bed for a 15 year old 80203", "cama de crisis para una chica de 15 años 80203"]
)
def test_a_crisis_bed_for_a_teenager_leaves_out_the_adults_only_units(
    env: dict[str, str], text: str
) -> None:
    shown = names(ask(env, text, "crisis-teen"))
    assert shown and "Tallgrass Crisis Stabilization Unit" not in shown
    assert set(shown) <= {"Tallgrass Walk-In Crisis Center", "Compass Rose Walk-In Crisis Center",
                          "Flatirons Walk-In Crisis Center"}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["detox that takes medicaid near 80204", "desintoxicación que acepte medicaid en el 80204"],
)
def test_detox_that_takes_medicaid_leaves_out_the_private_pay_one(
    env: dict[str, str], assistant_db_path: Path, text: str
) -> None:
    db = directory.open_db(assistant_db_path)
    with write_transaction(db):
        db.execute(
            "UPDATE service SET eligibility_description = 'Adults 18 and older. Private pay "
            "only; we do not accept Medicaid.' WHERE name = 'Welton Street Withdrawal Management'"
        )
        rebuild_search_index(db)
    db.close()
    reply = ask(env, text, "medicaid")
    assert "Welton Street Withdrawal Management" not in names(reply)
    assert names(reply)


@pytest.mark.parametrize(
    "text", ["where can i sleep tonight 80204", "¿dónde puedo dormir esta noche? 80204"]
)
def test_tonight_at_2_pm_includes_the_night_shelters_that_open_at_6(
    env: dict[str, str], text: str
) -> None:
    reply = ask(env, text, "tonight")
    assert "Cottonwood Women's Overnight Shelter" in names(reply)
    assert re.search(r"opens 6 PM|abre 18:00", reply)


@pytest.mark.parametrize(
    "text", ["i need a bed tonight im in aurora", "necesito una cama esta noche, estoy en aurora"]
)
def test_an_adult_is_not_offered_the_youth_shelter_first(env: dict[str, str], text: str) -> None:
    shown = names(ask(env, text, "adult"))
    assert shown and shown[0] != "Redrock Youth Emergency Shelter"


def test_a_fact_given_after_the_results_changes_them(env: dict[str, str]) -> None:
    first = names(ask(env, "need a crisis bed 80203", "later"))
    assert first[0] == "Tallgrass Crisis Stabilization Unit"
    again = names(ask(env, "it's for my daughter, she's 15", "later"))
    assert "Tallgrass Crisis Stabilization Unit" not in again and again


@pytest.mark.parametrize(
    "text",
    ["any crisis beds open near 80204?", "¿hay camas de crisis disponibles cerca del 80204?"],
)
def test_the_bed_board_lists_every_unit_with_its_count_and_totals(
    env: dict[str, str], text: str
) -> None:
    reply = ask(env, text, "clinician")
    header = reply.splitlines()[0]
    assert re.search(r"(\d+) (report beds|reportan camas), (\d+) (open|libres)", header)
    assert re.search(r"\d+ (counts too old to be current|conteos demasiado viejos)", header)
    assert len(names(reply)) >= 6  # every crisis unit in the area that reports beds
    stale_lines = [line for line in reply.splitlines() if "(4" in line and " h ago)" in line]
    assert all("call to confirm" in line for line in stale_lines)


def test_an_admin_correction_is_applied_logged_and_exported(
    assistant_db_path: Path, tmp_path: Path
) -> None:
    demo_db = directory.open_db(assistant_db_path)
    sid = demo_db.execute(
        "SELECT id FROM service WHERE name = 'Ponderosa Medical Detox'"
    ).fetchone()[0]
    after = set_eligibility(demo_db, sid, {"medicaid": False, "max_age": 64}, who="admin")
    assert after.restriction() == "ages 18–64, no Medicaid"
    log = demo_db.execute(
        "SELECT field_name, previous_value, replacement_value, updated_by FROM change_log "
        "WHERE resource_id = ? AND field_name LIKE 'eligibility.%' ORDER BY field_name",
        [sid],
    ).fetchall()
    assert log == [("eligibility.max_age", "null", "64", "admin"),
                   ("eligibility.medicaid", "null", "false", "admin")]  # fmt: skip
    with pytest.raises(InvalidEligibility, match="Nothing was changed"):
        set_eligibility(demo_db, sid, {"min_age": 70}, who="admin")
    directory.export_directory(demo_db, tmp_path / "out")
    exported = (tmp_path / "out" / "services.csv").read_text()
    assert 'Ages 18–64, no Medicaid.",18,64,' in exported
    rebuild_search_index(demo_db)  # a rebuild (as after an import) keeps the correction
    facts = demo_db.execute(
        "SELECT facts FROM service_eligibility WHERE service_id = ?", [sid]
    ).fetchone()[0]
    assert json.loads(facts)["medicaid"] is False
    demo_db.close()
