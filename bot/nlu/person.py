"""Facts about the person help is for, as people write them, in English and Spanish:
age ("16 yo", "a teen", "55M", "elderly"), gender ("guy", "woman", "trans woman"), children
with them, pets, insurance, veteran, intoxicated, wheelchair.

Only what the message says is returned; the conversation keeps the facts (a restated
fact replaces the old one) and forgets them with the conversation.
"""

from __future__ import annotations

import re
from typing import Any

_AGE = re.compile(
    r"(?<!con mi )(?<!con su )(?<!con )\b(?:hij[oa]|niet[oa]|herman[oa]|sobrin[oa])\s+de\s+"
    r"(\d{1,2})\b(?!\s*(?:de|del)\b)|"  # "para mi hijo de 15"; "con mi hija de 6" is her child
    r"\b(\d{1,2})\s*(?:-?\s*(?:yo|y/o|y\.o\.|yrs?(?:\s+old)?|years?(?:\s+old)?|year-old|"
    r"años|anos))\b|\bage(?:d)?\s+(\d{1,2})\b|\bedad\s+(\d{1,2})\b|\btiene\s+(\d{1,2})\s+años|"
    r"\b(?:son|daughter|he|she|kid|child|brother|sister|grandson|granddaughter|hijo|hija|mom|"
    r"dad|mother|father|grandma|grandpa|grandmother|grandfather|abuelo|abuela|mamá|mama|papá|"
    r"papa|wife|husband|friend)(?:\s+(?:is|es|tiene|who is|that is)|'s|’s)\s+(?:only\s+)?"
    r"(\d{1,2})\b|\b(?:i'?m|i am|im)\s+(\d{1,2})\b(?!\s*(?:am|pm|min|minutes|miles|mi|blocks|"
    r"%|hours|days))|\b(?:guy|man|male|woman|female|lady|dude|gentleman|hombre|mujer)\s*,?\s*"
    r"(\d{2})\b(?!\s*(?:am|pm|min|minutes|miles|mi|blocks|%|hours|days|yrs?|years))",
    re.I,
)
# Officers' shorthand: "55M", "F 60", "22M", "male 40s".
_AGE_SEX = re.compile(r"\b(\d{1,2})\s?([mf])\b|\b([mf])\s?(\d{2})\b", re.I)
_DECADE = re.compile(r"\b(male|female|man|woman|guy|lady)\s+(?:in\s+(?:his|her)\s+)?(\d)0s\b", re.I)

_WORDS: list[tuple[str, dict[str, Any]]] = [
    (r"\btrans(?:gender)?\s+(?:woman|women|female|mujer)\b|\bmujer trans\b", {"gender": "woman"}),
    (r"\btrans(?:gender)?\s+(?:man|men|male|hombre)\b|\bhombre trans\b", {"gender": "man"}),
    (r"\bnon-?binary\b|\bnb\b|\benby\b", {"gender": "other"}),
    # A parent or partner named in passing ("my mom kicked me out") is not the person.
    (r"\b(?:guy|man|male|dude|gentleman|men|hombre|señor|senor|muchacho|chico|boy|son|"
     r"brother|he|him|his|mi hijo|mi hermano|papá soltero|papa soltero|padre soltero|"
     r"single (?:dad|father)|veterano)\b", {"gender": "man"}),
    (r"\b(?:woman|women|female|lady|girl|daughter|sister|she|her|mujer|señora|senora|"
     r"muchacha|chica|mi hija|mi hermana|embarazada|pregnant|single (?:mom|mother)|"
     r"mamá soltera|mama soltera|madre soltera)\b", {"gender": "woman"}),
    (r"\b(?:teens?|teenagers?|teenage|minors?|juveniles?|juv|adolescents?|adolescentes?|"
     r"menor(?:es)?(?: de edad)?|high school(?:er)?|runaway)\b", {"age": 16}),
    (r"\b(?:kid|child)\b(?!ren)(?! care)", {"age": 12}),
    (r"\b(?:elderly|senior|older (?:man|woman|adult|person)|anciano|anciana|viejito|"
     r"viejita|tercera edad)\b", {"age": 70}),
    (r"\b(?:with|and)\s+(?:my|her|his|their|our|the)?\s*(?:\d+|two|three|four|five|"
     r"a|an)?\s*(?:little\s+)?(?:kids|children|baby|babies|toddler|son|daughter|infant|kid)"
     r"\b|\bfamil(?:y|ies)\b|\bcon\s+(?:(?:mis|sus|su|mi)\s+)?"
     r"(?:\d+\s+|dos\s+|tres\s+|un\s+|una\s+)?(?:hijos|hijas|niños|bebé|bebe|hijo|hija)\b|"
     r"\bsingle (?:mom|mother|dad|father|parent)\b|\b(?:mamá|mama|papá|papa) solter[oa]\b|"
     r"\btengo (?:\w+ )?hijos\b|\bour (?:\w+ )?kids\b", {"children": True}),
    (r"\bsingle (?:guy|man|male|woman|female|lady|adult|person)\b|\bno kids\b|"
     r"\bno children\b|\bsin hijos\b|\bjust me\b|\bby myself\b|\bsolo yo\b",
     {"children": False}),
    (r"\b(?:has|have|with|and)\s+(?:a|my|her|his|their)?\s*(?:dog|dogs|cat|cats|pet|pets|"
     r"puppy|service animal)\b|\b(?:con|tengo)\s+(?:mi|su|un|una)?\s*(?:perro|perrito|"
     r"perra|gato|gata|mascota)\b|\bmy (?:dog|cat)\b",
     {"pets": True}),
    (r"\bmedicaid\b|\bcentennial care\b|\bahcccs\b|\bhealth first colorado\b|\bmedi-cal\b",
     {"insurance": "medicaid"}),
    (r"\b(?:no|without|w/o|doesn'?t have|don'?t have|sin)\s+(?:health\s+)?(?:insurance|"
     r"seguro(?: médico| medico)?)\b|\buninsured\b|\bcan'?t pay\b|\bno money\b|\bself[- ]pay\b",
     {"insurance": "none"}),
    (r"\bmedicare\b", {"insurance": "medicare"}),
    (r"\bveteran\b|\bvet\b(?!erinar)|\bveterano\b|\bex-?military\b|\bserved in the\b|"
     r"\barmy vet\b|\bmarine vet\b", {"veteran": True}),
    (r"\b(?:drunk|intoxicated|intox|wasted|buzzed|high|tweaking|borracho|borracha|"
     r"drogado|drogada|under the influence|been drinking|ETOH)\b", {"intoxicated": True}),
    (r"\bwheelchair\b|\bsilla de ruedas\b|\bwalker\b|\bmobility\b", {"wheelchair": True}),
    (r"\b(?:gay|lesbian|bi|bisexual|queer|lgbtq?\+?|trans|transgender|non-?binary|gai|lesbiana)\b",
     {"lgbtq": True}),
    (r"\bwalk[- ]?in\b|\bwithout (?:a |an )?(?:referral|appointment)\b|\bsin cita\b|"
     r"\btoday\b.*\bcounsel", {"walk_in": True}),
]  # fmt: skip
_RULES = [(re.compile(pattern, re.I), facts) for pattern, facts in _WORDS]
_CHILD_BEFORE = re.compile(
    r"\b(?:hij[oa]s?|kids?|sons?|daughters?|niñ[oa]s?|child(?:ren)?|bab(?:y|ies)|toddlers?)"
    r"\W+(?:\w+\W+){0,2}$",
    re.I,
)


def facts(text: str) -> dict[str, Any]:
    """The facts this message states about the person (missing keys: not said)."""
    found: dict[str, Any] = {}
    gender_at = len(text) + 1
    for pattern, values in _RULES:
        if not (m := pattern.search(text)):
            continue
        for key, value in values.items():
            if key == "gender":
                # "a woman and her son": the person is whoever is named first.
                if m.start() < gender_at:
                    gender_at, found["gender"] = m.start(), value
            else:
                found.setdefault(key, value)
    m = _AGE.search(text)
    if m and found.get("children") and _CHILD_BEFORE.search(text[: m.start()]):
        m = None  # "con mi hija de 6 años": the child's age, not the person's
    if m:
        found["age"] = int(next(g for g in m.groups() if g))
    elif m := _AGE_SEX.search(text):
        age = m.group(1) or m.group(4)
        sex = (m.group(2) or m.group(3)).lower()
        found["age"] = int(age)
        found["gender"] = "man" if sex == "m" else "woman"
    elif m := _DECADE.search(text):
        found["age"] = int(m.group(2)) * 10 + 5
    return found
