"""Who a service will take, read from the ways real directories write it.

HSDS has `minimum_age` and `maximum_age`; everything else — "Single adult men 18 and
older", "Women and their children", "Private pay only; we do not accept Medicaid",
"Low-barrier: no sobriety requirement" — is in `eligibility_description`, in the
service's description, or in attributes pointing at taxonomy terms ("Veterans", "Pets
Allowed"). Each fact keeps where it came from, so an admin can see why a shelter is
shown as "women only", and a phrase nothing here understood is reported rather than
silently ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

# Each rule: a pattern, and the facts it sets. Applied to every sentence of the
# eligibility description, the description, the name and the attribute terms.
_AGE_RANGE = re.compile(
    r"\b(?:ages?|aged|edades?)?\s*(\d{1,2})\s*(?:-|–|—|to|through|thru|a|hasta)\s*(\d{1,2})"
    r"(?:\s*(?:years|yrs|años))?\b"
    # "3 to 7 day stays", "9-5", "2 to 4 PM": times and lengths, not ages
    r"(?![\s-]*(?:days?|weeks?|months?|hours?|hrs?|nights?|minutes?|mins?|[ap]\.?m\.?|day|:))",
    re.I,
)
_AGE_MIN = re.compile(
    r"\b(\d{1,2})\s*(?:\+|(?:years\s+(?:old\s+)?)?(?:and|&)\s+(?:older|over|up)|or older|y mayores|"
    r"años o más)",
    re.I,
)
_AGE_MAX = re.compile(r"\b(?:under|younger than|below|menores de)\s+(\d{1,2})\b", re.I)

_RULE_TEXTS: list[tuple[str, dict[str, Any]]] = [
        (r"\b(?:single\s+)?(?:adult\s+)?(?:men|males?|man)(?:\s+only)?\b(?!\s+and\s+women)"
         r"(?<!women)|\bhombres\b", {"genders": ["man"]}),
        (r"\b(?:single\s+)?(?:adult\s+)?(?:women|females?|woman|ladies)\b|\bmujeres\b",
         {"genders": ["woman"]}),
        (r"\bmen and women\b|\bwomen and men\b|\ball genders\b|\bany gender\b|\bco-?ed\b",
         {"genders": None}),
        (r"\b(?:with|and) (?:their )?(?:children|kids) (?:are|will be|get) (?:referred|sent)\b|"
         r"\bno (?:children|kids|minors)\b|\bwithout (?:children|kids)\b", {"children": False}),
        (r"\b(?:women|mothers|moms|mujeres|madres) (?:and|with) (?:their )?(?:children|kids|"
         r"hijos)\b(?!\s+(?:are|will be|get)\s+(?:referred|sent))",
         {"families_only": True, "children": True}),
        (r"\bwith (?:their |minor )?(?:children|kids)\b|\band (?:their )?children\b|"
         r"\bfamil(?:y|ies)\b|\bparents?\b|\bcon (?:sus )?hijos\b", {"children": True}),
        (r"\bfamilies (?:only|with (?:minor )?children)\b|\bfamilies with\b|"
         r"\bonly families\b", {"families_only": True}),
        (r"\bsingle (?:adults?|men|women|males?|females?)\b|\bno children\b|"
         r"\badults only\b|\bno minors\b", {"children": False}),
        (r"\b(?:adults?|adultos)\b(?!\s+and\s+(?:youth|children|families))",
         {"min_age": 18}),
        (r"\b(?:youth|teens?|teenagers?|adolescents?|adolescentes|minors|jóvenes)\b",
         {"youth": True}),
        (r"\byoung adults?\b", {"min_age": 18, "max_age": 24}),
        (r"\b(?:seniors?|older adults|elderly)\b", {"min_age": 55}),
        (r"\bpets? (?:welcome|allowed|friendly|ok)\b|\bpet[- ]friendly\b|\bdogs? (?:welcome|"
         r"allowed)\b|\bmascotas\b", {"pets": True}),
        (r"\bno pets\b|\bpets (?:are )?not allowed\b|\bno animals\b|\bservice animals only\b",
         {"pets": False}),
        (r"\b(?:no|not|don't|do not|does not|doesn't|cannot|can't)\s+(?:\w+\s+){0,2}"
         r"(?:accept|take|bill)\s+(?:\w+\s+){0,1}medicaid\b|\bno medicaid\b|"
         r"\bprivate[- ]pay only\b|\bself[- ]pay only\b|\bcash only\b|\bprivate pay\b",
         {"medicaid": False}),
        (r"\b(?:accepts?|accepted|take|takes|bill|bills|we accept)\s+(?:\w+\s+){0,3}"
         r"(?:medicaid|centennial care|ahcccs|health first colorado|medi-cal)\b|"
         r"\bmedicaid (?:accepted|welcome|ok)\b|\bmedicaid\b(?!\s+not)",
         {"medicaid": True}),
        (r"\buninsured (?:welcome|ok|accepted)\b|\bno insurance (?:needed|required)\b|"
         r"\bsliding[- ]scale\b|\bfree of charge\b|\bno cost\b|\bfree\b|\bsin seguro\b",
         {"uninsured": True}),
        (r"\bveterans?(?: only)?\b|\bdd-?214\b|\bveteranos\b", {"veterans_only": True}),
        (r"\blow[- ]barrier\b|\bno sobriety requirement\b|\bintoxicated (?:ok|welcome|"
         r"accepted)\b|\bunder the influence (?:ok|welcome|accepted)\b|\bwet shelter\b",
         {"intoxicated": True}),
        (r"\bmust be sober\b|\bsobriety (?:is )?required\b|\bno (?:alcohol|drugs|drinking)\b|"
         r"\bbreathaly[sz]\w*\b|\bsober to enter\b|\bclean and sober\b",
         {"intoxicated": False}),
        (r"\b(?:by )?referral only\b|\breferral required\b|\brequires? a referral\b|"
         r"\bby referral\b|\bsolo con referencia\b", {"referral_only": True}),
        (r"\bwalk[- ]ins? (?:welcome|accepted|ok)\b|\bno referral (?:needed|required)\b|"
         r"\bwalk[- ]in\b", {"walk_in": True}),
        (r"\bnot (?:wheelchair[- ])?accessible\b|\bstairs only\b|\bno elevator\b|"
         r"\bno wheelchair access\b|\bupstairs\b", {"wheelchair": False}),
        (r"\bwheelchair[- ]accessible\b|\bada[- ]accessible\b|\bwheelchair access\b|"
         r"\baccessible to wheelchairs\b", {"wheelchair": True}),
        (r"\blgbtq\+?\b|\blgbt\b|\bqueer\b|\btrans(?:gender)?[- ]inclusive\b|"
         r"\btransgender\b", {"lgbtq": True}),
]  # fmt: skip
_RULES = [(re.compile(pattern, re.I), facts) for pattern, facts in _RULE_TEXTS]
# Every way a rule can match spells out one of its words: a rule runs only on a sentence
# holding the first three letters of one of them (a fifth of the time, at import).
_COMMON = {
    "and",
    "the",
    "not",
    "are",
    "for",
    "wit",
    "our",
    "thr",
    "can",
    "don",
    "doe",
    "wil",
    "get",
    "tha",
    "onl",
    "sin",
    "con",
    "sus",
    "por",
    "los",
    "las",
    "del",
}


def _hints(pattern: str) -> tuple[str, ...]:
    words = re.findall(r"[A-Za-zÀ-ÿ]{3,}", re.sub(r"\\[a-zA-Z]", " ", pattern))
    return tuple({w[:3].lower() for w in words} - _COMMON)


_HINTS = [frozenset(_hints(pattern)) for pattern, _ in _RULE_TEXTS]
_ALL_HINTS = frozenset(h for hs in _HINTS for h in hs)
_ALWAYS = [pattern for (pattern, _), hints in zip(_RULES, _HINTS, strict=True) if not hints]
_AGE_WORDS = {"age", "ages", "aged", "under", "older", "over", "up", "years", "yrs", "años",
              "to", "through", "thru", "and", "or", "a", "edad", "edades", "menores", "below",
              "younger", "hasta"}  # fmt: skip
_WORD = re.compile(r"[a-zà-ÿ]+|\d+")


@dataclass(frozen=True)
class Eligibility:
    """What a service says about who it takes; None means it does not say."""

    min_age: int | None = None
    max_age: int | None = None
    genders: tuple[str, ...] | None = None  # ("man",), ("woman",): who only
    children: bool | None = None  # takes parents with their children
    families_only: bool = False
    pets: bool | None = None
    medicaid: bool | None = None
    uninsured: bool | None = None
    veterans_only: bool = False
    intoxicated: bool | None = None  # True: low-barrier; False: must be sober
    referral_only: bool = False
    walk_in: bool | None = None
    wheelchair: bool | None = None
    lgbtq: bool | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def as_json(self) -> str:
        # Field by field: dataclasses.asdict deep-copies, a third of an import's eligibility
        # time at 100,000 services.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["sources"] = dict(self.sources)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Eligibility:
        if not text:
            return cls()
        data = json.loads(text)
        if data.get("genders") is not None:
            data["genders"] = tuple(data["genders"])
        return cls(**data)

    def restriction(self) -> str | None:
        """The short words a result line carries: "ages 12–17", "women only", "no Medicaid"."""
        parts = []
        if self.min_age is not None and self.max_age is not None:
            parts.append(f"ages {self.min_age}–{self.max_age}")
        elif self.min_age is not None:
            parts.append(f"{self.min_age}+")
        elif self.max_age is not None:
            parts.append(f"under {self.max_age + 1}")
        if self.genders == ("man",):
            parts.append("men only")
        elif self.genders == ("woman",):
            parts.append("women with children" if self.families_only else
                         "women" + (" & children" if self.children else " only"))  # fmt: skip
        if self.families_only and self.genders != ("woman",):
            parts.append("families only")
        if self.veterans_only:
            parts.append("veterans only")
        if self.medicaid is False:
            parts.append("no Medicaid")
        if self.intoxicated is False:
            parts.append("must be sober")
        if self.referral_only:
            parts.append("referral only")
        return ", ".join(parts) or None


def read(texts: list[tuple[str, str]], minimum_age: Any = None, maximum_age: Any = None
         ) -> tuple[Eligibility, list[str]]:  # fmt: skip
    """The eligibility that `texts` — (where, text) pairs — and the age fields give, and
    the sentences of an eligibility description that said nothing this module reads."""
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    unread: list[str] = []

    def found(key: str, value: Any, where: str, text: str) -> None:
        if key in facts and key != "genders":
            return  # the first source wins: fields, then the eligibility text, then the rest
        if key == "genders" and key in facts:
            if facts[key] is None or value is None or set(facts[key]) != set(value):
                facts[key] = None  # "men and women": nobody is left out
            return
        facts[key] = value
        sources[key] = f"{where}: {text.strip()[:80]}"

    if (low := _int(minimum_age)) is not None:
        found("min_age", low, "minimum_age", str(minimum_age))
    if (high := _int(maximum_age)) is not None:
        found("max_age", high, "maximum_age", str(maximum_age))
    youth = False

    def about_children(sentence: str, m: re.Match[str], groups: str = "") -> bool:
        # "Families with children under 18": the age is the children's, not the person's;
        # "anyone; youth under 18 with a parent": a condition for some, not a limit.
        words = "children|kids|child|hijos|niños" + groups
        return bool(re.search(rf"\b(?:{words})\b[\w\s]{{0,12}}$", sentence[: m.start()], re.I))

    for where, text in texts:
        for sentence in _sentences(text):
            words = _WORD.findall(sentence.lower())
            present = {w[:3] for w in words}
            digits = any(w.isdigit() for w in words) and (
                not _AGE_WORDS.isdisjoint(words) or "+" in sentence or "-" in sentence
                or "–" in sentence
            )  # fmt: skip
            if not digits and present.isdisjoint(_ALL_HINTS) and not _ALWAYS:
                if where == "eligibility_description":
                    unread.append(sentence)
                continue  # most sentences of a description say nothing about who
            understood = False
            if digits and (m := _AGE_RANGE.search(sentence)) and not about_children(sentence, m):
                low, high = int(m.group(1)), int(m.group(2))
                if low < high <= 99:
                    found("min_age", low, where, sentence)
                    found("max_age", high, where, sentence)
                    understood = True
            if digits and (m := _AGE_MIN.search(sentence)):
                found("min_age", int(m.group(1)), where, sentence)
                understood = True
            if digits and (m := _AGE_MAX.search(sentence)):
                if not about_children(sentence, m, "|youth|minors|teens"):
                    found("max_age", int(m.group(1)) - 1, where, sentence)
                understood = True
            for (pattern, values), hints in zip(_RULES, _HINTS, strict=True):
                if (not hints or not present.isdisjoint(hints)) and pattern.search(sentence):
                    understood = True
                    for key, value in values.items():
                        if key == "families_only" and _ALSO_SINGLES.search(sentence):
                            continue  # "Adults 18 and older and families with children"
                        if key == "youth":
                            youth = True
                        else:
                            found(key, tuple(value) if isinstance(value, list) else value,
                                  where, sentence)  # fmt: skip
            if not understood and where == "eligibility_description":
                unread.append(sentence)
    if (
        youth
        and "max_age" not in facts
        and facts.get("min_age", 0) < 18
        and not (facts.get("children") or facts.get("families_only"))
    ):
        facts["max_age"] = 17
        sources["max_age"] = "youth"
    if facts.get("genders") is None:
        facts.pop("genders", None)
    names = {f.name for f in fields(Eligibility)}
    return Eligibility(**{k: v for k, v in facts.items() if k in names}, sources=sources), unread


_ALSO_SINGLES = re.compile(
    r"\b(?:adults?|singles?|individuals?|anyone|everyone)\b"
    r"(?![- ](?:father|mother|parent|mom|dad))",
    re.I,
)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;!?])\s+|\n+|;\s*", text or "") if s.strip()]


def _int(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def with_override(base: Eligibility, override: dict[str, Any]) -> Eligibility:
    """An admin's corrections (`directory set-eligibility`) on top of what the data says."""
    clean: dict[str, Any] = {
        k: (tuple(v) if k == "genders" and v is not None else v) for k, v in override.items()
    }
    clean["sources"] = {**base.sources, **{k: "set by an admin" for k in override}}
    return replace(base, **clean)


@dataclass(frozen=True)
class Person:
    """What is known of the person a search is for; None means not said."""

    age: int | None = None
    gender: str | None = None  # "man" | "woman" (a trans woman is a woman) | "other"
    children: bool | None = None  # has children with them
    pets: bool | None = None
    insurance: str | None = None  # "medicaid" | "none" | "private" | "medicare"
    veteran: bool | None = None
    intoxicated: bool | None = None
    wheelchair: bool | None = None
    walk_in: bool | None = None  # wants to walk in today, without a referral
    lgbtq: bool | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def excluded_by(self, rules: Eligibility) -> str | None:
        """Why `rules` leave this person out ("ages 12–17"), or None when they do not."""
        if self.age is not None:
            if rules.min_age is not None and self.age < rules.min_age:
                return rules.restriction() or f"{rules.min_age}+"
            if rules.max_age is not None and self.age > rules.max_age:
                return rules.restriction() or f"under {rules.max_age + 1}"
        if self.gender in ("man", "woman") and rules.genders and self.gender not in rules.genders:
            return "men only" if rules.genders == ("man",) else "women only"
        if self.children and rules.children is False:
            return "no children"
        if self.children and rules.children is None and (rules.min_age or 0) >= 18:
            return rules.restriction() or "adults only"  # "18 and older": not the children
        if self.wheelchair and rules.wheelchair is False:
            return "not wheelchair accessible"
        if self.walk_in and rules.referral_only:
            return "referral only"
        if self.children is False and rules.families_only:
            return "families only"
        if self.pets and rules.pets is False:
            return "no pets"
        if self.insurance == "medicaid" and rules.medicaid is False:
            return "no Medicaid"
        if self.insurance == "none" and rules.medicaid is False and not rules.uninsured:
            return "private pay only"
        if self.veteran is False and rules.veterans_only:
            return "veterans only"
        if self.intoxicated and rules.intoxicated is False:
            return "must be sober"
        return None

    def known_fit(self, rules: Eligibility) -> int:
        """How many things the service says outright that fit this person (more: first)."""
        return sum(
            [
                self.age is not None and (rules.min_age is not None or rules.max_age is not None),
                bool(self.gender and rules.genders),
                bool(self.children and rules.children),
                bool(self.pets and rules.pets),
                bool(self.insurance == "medicaid" and rules.medicaid),
                bool(self.insurance == "none" and rules.uninsured),
                bool(self.veteran and rules.veterans_only),
                bool(self.intoxicated and rules.intoxicated),
                bool(self.wheelchair and rules.wheelchair),
                bool(self.walk_in and rules.walk_in),
                bool(self.lgbtq and rules.lgbtq),
            ]
        )

    def unlikely(self, rules: Eligibility) -> bool:
        """A place for a group this person was not said to belong to — youth, seniors,
        veterans, families — when the message did not say: shown after the others."""
        return (
            (self.age is None and (rules.max_age or 99) < 18)
            or (self.age is None and (rules.min_age or 0) >= 55)
            or (self.veteran is None and rules.veterans_only)
            or (self.children is None and rules.families_only)
        )

    def fits_in_words(self, rules: Eligibility) -> str | None:
        """What makes the place right for this person, when they asked about it."""
        said = []
        if self.insurance == "medicaid" and rules.medicaid:
            said.append("takes Medicaid")
        if self.insurance == "none" and rules.uninsured:
            said.append("uninsured welcome")
        if self.pets and rules.pets:
            said.append("pets OK")
        if self.wheelchair and rules.wheelchair:
            said.append("wheelchair accessible")
        if self.walk_in and rules.walk_in:
            said.append("walk-ins")
        return ", ".join(said) or None


def warnings(dataset: Any) -> list[str]:
    """Eligibility sentences of a dataset that nothing here understood, as
    `services.csv:ROW: eligibility_description: …` lines (they do not stop an import)."""
    found = []
    for number, row in enumerate(dataset.tables.get("service", []), start=2):
        text = row.get("eligibility_description")
        if not text:
            continue
        _, unread = read([("eligibility_description", str(text))])
        found += [f"services.csv:{number}: eligibility_description: {sentence!r} was not "
                  "understood; set it with wayfinder directory set-eligibility"
                  for sentence in unread]  # fmt: skip
    return found
