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
    r"\b(\d{1,2})\s*(?:-?\s*(?:yo|y/o|y\.o\.|yrs?(?:\s+old)?|years?(?:\s+old)?|year-old|"
    r"años|anos))\b|\bage(?:d)?\s+(\d{1,2})\b|\bedad\s+(\d{1,2})\b|\btiene\s+(\d{1,2})\s+años|"
    r"\b(?:son|daughter|he|she|kid|child|brother|sister|grandson|granddaughter|hijo|hija)"
    r"\s+(?:is|es|tiene|who is|that is|'s)\s+(?:only\s+)?(\d{1,2})\b",
    re.I,
)
# Officers' shorthand: "55M", "F 60", "22M", "male 40s".
_AGE_SEX = re.compile(r"\b(\d{1,2})\s?([mf])\b|\b([mf])\s?(\d{2})\b", re.I)
_DECADE = re.compile(r"\b(male|female|man|woman|guy|lady)\s+(?:in\s+(?:his|her)\s+)?(\d)0s\b", re.I)

_WORDS: list[tuple[str, dict[str, Any]]] = [
    (r"\btrans(?:gender)?\s+(?:woman|women|female|mujer)\b|\bmujer trans\b", {"gender": "woman"}),
    (r"\btrans(?:gender)?\s+(?:man|men|male|hombre)\b|\bhombre trans\b", {"gender": "man"}),
    (r"\bnon-?binary\b|\bnb\b|\benby\b", {"gender": "other"}),
    (r"\b(?:guy|man|male|dude|gentleman|men|hombre|señor|senor|muchacho|chico|boy|son|"
     r"brother|father|dad|husband|boyfriend|he|him|his|mi hijo|mi esposo|mi hermano)\b",
     {"gender": "man"}),
    (r"\b(?:woman|women|female|lady|girl|mom|mother|daughter|sister|wife|girlfriend|she|"
     r"her|mujer|señora|senora|muchacha|chica|mi hija|mi esposa|mi hermana|embarazada|"
     r"pregnant)\b", {"gender": "woman"}),
    (r"\b(?:teen|teenager|teenage|minor|juvenile|juv|adolescent|adolescente|menor(?: de edad)?"
     r"|high school(?:er)?|runaway)\b", {"age": 16}),
    (r"\b(?:kid|child)\b(?!ren)(?! care)", {"age": 12}),
    (r"\b(?:elderly|senior|older (?:man|woman|adult|person)|anciano|anciana|viejito|"
     r"viejita|tercera edad)\b", {"age": 70}),
    (r"\b(?:with|and)\s+(?:my|her|his|their|our|the)?\s*(?:\d+|two|three|four|five|"
     r"a|an)?\s*(?:little\s+)?(?:kids|children|baby|babies|toddler|son|daughter|infant|kid)"
     r"\b|\bfamil(?:y|ies)\b|\bcon\s+(?:mis|sus|su|mi|\d+)?\s*(?:hijos|hijas|niños|bebé|bebe|"
     r"hijo|hija)\b|\bsingle (?:mom|mother|dad|father|parent)\b", {"children": True}),
    (r"\b(?:has|have|with|and)\s+(?:a|my|her|his|their)?\s*(?:dog|dogs|cat|cats|pet|pets|"
     r"puppy|service animal)\b|\bcon\s+(?:mi|su)?\s*(?:perro|perrito|gato|mascota)\b",
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
]  # fmt: skip
_RULES = [(re.compile(pattern, re.I), facts) for pattern, facts in _WORDS]


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
    if m := _AGE.search(text):
        found["age"] = int(next(g for g in m.groups() if g))
    elif m := _AGE_SEX.search(text):
        age = m.group(1) or m.group(4)
        sex = (m.group(2) or m.group(3)).lower()
        found["age"] = int(age)
        found["gender"] = "man" if sex == "m" else "woman"
    elif m := _DECADE.search(text):
        found["age"] = int(m.group(2)) * 10 + 5
    return found
