"""Questions about one service: its name asked about ("is X open", "number for X"), and the
topic of a question about the service just shown ("are they open now", "address?").

Read once per message by the parser (`Parse.asked_name`, `Parse.follow_up`); the engine's
policy and the actions read the parse.
"""

from __future__ import annotations

import re

# "is X open", "number for X", "where is X", "tell me about X": X is a service's name.
_NAME_QUESTION = re.compile(
    r"^\W*(?:is|are|r)\s+(?P<a>.+?)\s+(?:still\s+)?open\b"
    r"|^\W*(?:what(?:'s|s| is) the\s+)?(?:phone\s+)?(?:number|phone|#|address|hours|location)"
    r"\s+(?:for|of|to)\s+(?:the\s+)?(?P<b>.+?)\W*$"
    r"|^\W*where(?:'s|s| is)\s+(?:the\s+)?(?P<c>.+?)\W*$"
    r"|^\W*tell me (?:more )?about\s+(?:the\s+)?(?P<d>.+?)\W*$",
    re.IGNORECASE,
)
_NOT_NAMES = {"it", "that", "this", "they", "them", "there", "that place", "this place",
              "the place", "you", "he", "she", "one", "anything", "anywhere",
              "everything"}  # fmt: skip


def asked_name(text: str) -> str | None:
    """The name in a question about one service ("is X open"), or None."""
    m = _NAME_QUESTION.search(text)
    name = next((g for g in m.groups() if g), None) if m else None
    if not name or name.lower().strip() in _NOT_NAMES or len(name) > 60:
        return None
    return name.strip()


# The topic of a question about one service, by its words (folded text).
TOPICS: list[tuple[str, re.Pattern[str]]] = [
    (
        "walk_in",
        re.compile(
            r"\bwalk[- ]?ins?\b|\bwalk in\b|\bwithout (?:an? )?appointment\b|"
            r"\bsin cita\b|\bjust show up\b|\bdrop[- ]?in\b",
            re.I,
        ),
    ),
    ("referral", re.compile(r"\breferr?al\b|\breferido\b|\breferencia\b", re.I)),
    (
        "payment",
        re.compile(
            r"\b(?:medicaid|medicare|insurance|seguro|cost|costs|pay|fee|fees|"
            r"free|price|how much|cuanto cuesta|cuánto cuesta|gratis)\b",
            re.I,
        ),
    ),
    ("beds", re.compile(r"\b(?:beds?|camas?|room|space|spots?|openings?|vacanc(?:y|ies))\b", re.I)),
    (
        "hours",
        re.compile(
            r"\b(?:hours|horario|what time|when do they|when does it|a qu[eé] "
            r"hora|tomorrow|mañana|manana|close|closes|closing)\b",
            re.I,
        ),
    ),
    ("open", re.compile(r"\b(?:open|abiert[oa]s?|abren?)\b", re.I)),
    ("phone", re.compile(r"\b(?:number|phone|call them|call|#|tel[eé]fono|n[uú]mero)\b", re.I)),
    (
        "address",
        re.compile(
            r"\b(?:address|directions?|where is it|where are they|how do i get|"
            r"get there|located|location|map|direcci[oó]n|d[oó]nde est[aá])\b",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            r"\b(?:who can|do they take (?:kids|women|men|minors|teens)|age|ages|"
            r"eligib\w*|qualify|requirements?)\b",
            re.I,
        ),
    ),
    ("pets", re.compile(r"\b(?:dogs?|cats?|pets?|perros?|mascotas?)\b", re.I)),
]
# A question about "it", "they", "them": not a new search.
_ABOUT_IT = re.compile(
    r"\b(?:they|them|their|it|its|there|that place|this place|ellos|"
    r"ahí|ahi|alli|allí)\b|\?\s*$",
    re.I,
)
SHORT = 5  # words: "whats the number", "address?", "directions" ask about the one shown


def topic_of(text: str) -> str | None:
    """The topic of a question about the service shown, or None."""
    for topic, pattern in TOPICS:
        if pattern.search(text):
            return topic
    return None


def asks_about_it(text: str) -> bool:
    return bool(_ABOUT_IT.search(text)) or len(text.split()) <= SHORT
