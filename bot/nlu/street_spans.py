"""Street places in a message: corners, street addresses (with their units) and blocks.

Officers write "colfax and broadway", "speer blv & lincoln", "fed/colfax", "I-25 ramp at
Broadway", "#4 - 1620 Federal Blvd", "300 S Broadway apt 4", "1500 blk N Federal".
A span is a street place when its names are streets: a known one (exactly, misspelt by a
letter or two, or an unmistakable short form such as "fed"), a name with a street type
("Pine St"), an ordinal ("5th") or an interstate. A name nobody here knows still counts
when the shape leaves no doubt — a unit before the number, a direction after it, a
capitalised name, or "near"/"at" before a corner — so that the bot can ask for a cross
street instead of missing the place altogether.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from bot.nlu.types import Location
from directory import street_names

SUFFIX = "(?:" + "|".join(sorted(street_names.TYPES, key=len, reverse=True)) + ")"
DIRECTION = r"(?:[nsew]|north|south|east|west|ne|nw|se|sw)\.?"
ORDINAL = r"\d+(?:st|nd|rd|th)"
_INTERSTATE = r"(?:i|interstate)\s?-?\s?\d{1,3}"
_CONNECTORS = r"and|at|y|n|con|x|to|for|near|in|on|by|off"
_WORD = rf"(?!(?:{_CONNECTORS})\b)[a-z][a-z'.-]*"
_RAMP = r"(?:\s+(?:ramp|exit|off-?ramp|on-?ramp|offramp|onramp))?"
# A street name: "colfax", "speer blv", "santa fe dr", "16th st mall", "N Federal", "I-25".
NAME = rf"(?:{_INTERSTATE}|(?:{DIRECTION}\s+)?(?:{ORDINAL}|{_WORD})(?:\s+{_WORD}){{0,2}})"
_CORNER = re.compile(
    rf"(?<![\w-])({NAME}){_RAMP}\s*"
    rf"(?:\band\b|&|\+|/|@|\bat\b|\by\b|\bcon\b|\bn\b|\bx\b|\boff(?:\s+of)?\b)\s*"
    rf"({NAME}){_RAMP}(?![\w-])",
    re.I,
)
_BLOCK = re.compile(
    rf"(?<![\w-])(?:(?:the\s+)?\d{{1,6}}\s+(?:hundreds?\s+)?(?:block|blk)\s+(?:of\s+)?|"
    rf"(?:bloque|cuadra)\s+\d{{1,6}}\s+(?:de\s+(?:la\s+)?)?)"
    rf"((?:{DIRECTION}\s+)?(?:{ORDINAL}|[a-z][a-z'.-]*)(?:\s+[a-z][a-z'.-]*){{0,3}})",
    re.I,
)
_UNIT = (
    r"(?:apt|apartment|unit|ste|suite|rm|room|lot|space|spc|bldg|building|fl|floor|#)"
    r"\.?\s*\w{1,6}\b"
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:({_UNIT})\s*(?:,|-|\bat\b|@)?\s*)?(\d{{1,6}})[a-z]?\s+((?:{DIRECTION}\s+)?)"
    rf"((?:{ORDINAL}|{_INTERSTATE}|[a-z][a-z'.-]*)(?:\s+[a-z][a-z'.-]*){{0,3}})",
    re.I,
)
_TRAILING_UNIT = re.compile(rf"\s*,?\s*{_UNIT}\b", re.I)
# Numbers that name a unit or a call sign, never a house; and counts, unless a street with
# its type follows ("beds 875 Terminal Ave").
_CALL_SIGN = re.compile(
    r"(?:unit|medic|engine|fire|ems|car|truck|squad|rescue|ambulance|badge|case|officer|"
    r"ofc|deputy|dep|sgt|station)\s*#?\s*$",
    re.I,
)
_COUNT = re.compile(r"(?:rm|room|bed|beds|x|age|aged)\s*#?\s*$", re.I)
_THEN_CORNER = re.compile(r"\s*(?:&|\+|/|@|\band\b|\by\b)\s*\w", re.I)
# Words before a corner that say a place follows.
_CUE = re.compile(
    r"(?:\bnear|\bat|\bby|\baround|\bon|\bof|\bcerca de|\ben|\besquina de|\bcorner of|@)\s*$",
    re.I,
)
# Before a house number, "to" says a place follows as well ("the nearest bathroom to 500
# granville"); before two plain words it is too weak ("worked to death and cant …").
_NUMBER_CUE = re.compile(rf"(?:{_CUE.pattern[:-4]}|\bto)\s*$", re.I)
# Words that follow "and" or "&" in messages without being streets.
NOT_STREETS = {
    "the", "then", "than", "are", "is", "was", "were", "be", "been", "am", "capacity",
    "full", "now", "today", "tonight", "tomorrow", "food", "meals", "water",
    "stuff", "things", "someone", "somebody", "me", "him", "her", "them", "they", "you",
    "can", "will", "would", "could", "should", "need", "needs", "want", "wants", "get",
    "got", "have", "has", "had", "his", "its", "our", "your", "their", "this", "that",
    "there", "here", "where", "when", "who", "whom", "which", "what", "not", "also", "just",
    "only", "still", "all", "any", "some", "one", "two", "three", "kids", "children",
    "family", "wife", "husband", "son", "daughter", "dog", "dogs", "cat", "pets", "friend",
    "friends", "stay", "sleep", "eat", "shower", "showers", "laundry", "clothes", "sober",
    "safe", "night", "day", "morning", "evening", "afternoon", "weekend", "week", "month",
    "tired", "cold", "hungry", "sick", "scared", "lost", "drunk", "high", "beds", "bed",
    "detox", "rehab", "treatment", "counseling", "therapy", "meds", "medication", "psych",
    "sobering", "naloxone", "narcan", "needles", "housing", "help", "info", "information",
    "phone", "number", "address", "hours", "open", "closed", "free", "women", "men",
    "youth", "veterans", "vets", "adults", "seniors", "more", "other", "else", "yes", "no",
    "ok", "okay", "thanks", "please", "pls", "bring", "take", "call", "text", "send",
    "find", "looking", "look", "see", "go", "come", "walk", "drive", "ride", "bus", "car",
    "cops", "police", "officer", "medic", "ems", "fire", "unit", "pt", "subject", "male",
    "female", "adult", "juvenile", "comida", "cama", "ayuda", "shelter", "crisis", "csu",
    "people", "ppl", "person", "guy", "lady", "man", "woman", "kid", "teen",
    "client", "patient", "camp", "tent", "van", "down", "up", "out", "over", "back",
    "home", "work", "school", "jail", "hospital", "er", "clinic", "center", "ctr", "room",
    "bathroom", "restroom", "toilet", "wifi", "internet", "coffee", "lunch", "dinner",
    "breakfast", "supper", "hour", "min", "mins", "minutes", "pm", "years",
    "yrs", "yo", "old", "dollars", "bucks", "times", "days", "nights", "weeks", "blocks",
    "miles", "mi", "km", "feet", "ft", "mom", "dad", "mum", "mother", "father", "grandma",
    "de", "del", "la", "el", "los", "las", "cerca", "por", "para", "cant", "dont", "wont",
    "death", "life", "hell", "god", "jesus", "love", "peace", "rest", "sale", "rent",
    "grandpa", "brother", "sister", "aunt", "uncle", "boyfriend", "girlfriend", "partner",
    "males", "females",
}  # fmt: skip


@dataclass
class StreetNames:
    """The street names the parser knows: a built-in list of common ones, the streets of
    the directory's own addresses, and every imported street."""

    keys: set[str] = field(default_factory=set)
    _sorted: list[str] = field(default_factory=list)
    _prefixes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str) -> None:
        if key:
            self.keys.add(key)
            self._sorted = []

    def known(self, words: str) -> bool:
        """Whether the words name a street: exactly, with a type, an ordinal, an interstate,
        or a known street misspelt or shortened."""
        text = words.strip().rstrip(".").lower()
        if not text:
            return False
        if re.fullmatch(_INTERSTATE, text) or re.fullmatch(ORDINAL, text):
            return True
        parts = street_names.split(text)
        if not parts.key or parts.key in NOT_STREETS:
            return False
        if parts.kind and (
            parts.key in self.keys or (" " not in parts.key and could_be_street(parts.key))
        ):
            return True  # "pine st", "speer blv": a one-word name with a type is a street
        if re.fullmatch(ORDINAL, parts.key) or parts.key in self.keys:
            return True
        if not self._sorted:
            self._sorted = sorted(self.keys)
            self._prefixes = street_names.prefix_index(self._sorted)
        return street_names.closest(parts.key, self._sorted, self._prefixes) is not None


def could_be_street(word: str) -> bool:
    """A single word that may name a street the directory does not know yet."""
    w = word.lower().strip(".")
    return len(w) >= 3 and w.replace("'", "").isalpha() and w not in NOT_STREETS


def numbered_place(text: str, names: StreetNames, zips: Container[str]) -> Location | None:
    """A block or a street address, with a unit before or after it."""
    for m in _BLOCK.finditer(text):
        street = _longest_street(m.group(1), names)
        if street is None and could_be_street(m.group(1).split()[0]):
            street = m.group(1).split()[0]
        if street:
            return _span(text, m.start(), m.start(1) + len(street))
    for m in _ADDRESS.finditer(text):
        unit, number, direction, words = m.group(1), m.group(2), m.group(3), m.group(4)
        typed = re.match(rf"(?:\S+\s+){{0,2}}?{SUFFIX}\b", words, re.I)
        before = text[: m.start(2)]
        if not unit and (_CALL_SIGN.search(before) or (not typed and _COUNT.search(before))):
            continue  # "unit 314 fedral and alameda" is a car at a corner
        if not unit and not direction and len(number) == 5 and number in zips:
            continue  # "80204 colfax" is a ZIP, then a street
        street = _longest_street(words, names)
        first = words.split()[0]
        if (
            street is None
            and could_be_street(first)
            and (unit or direction or (len(number) >= 3 and (first[0].isupper() or _cued(text, m))))
        ):
            street = first
        if street is None:
            continue
        end = m.start(4) + len(street)
        if not unit and not direction and _THEN_CORNER.match(text, end) and corner(text, names):
            continue  # "22 federal blvd & evans ave": a number before a corner is a call sign
        if trailing := _TRAILING_UNIT.match(text, end):
            end = trailing.end()
        return _span(text, m.start(), end)
    return None


def corner(text: str, names: StreetNames) -> Location | None:
    """Two streets that meet: "colfax and broadway", "5th & pine", "fed/colfax"."""
    position = 0
    while m := _CORNER.search(text, position):
        first = _last_street(m.group(1), names)
        second = _longest_street(m.group(2), names)
        start = m.start(1) + (len(m.group(1)) - len(first) if first else 0)
        if first and second:
            return _span(text, start, _end_with_ramp(text, m.start(2) + len(second)))
        plain_first = m.group(1).split()[-1]
        plain_second = m.group(2).split()[0]
        joiner = text[m.end(1) : m.start(2)].strip().lower()
        if first and could_be_street(plain_second):
            return _span(text, start, m.start(2) + len(plain_second))
        if second and joiner not in ("at", "n") and could_be_street(plain_first):
            first_start = m.end(1) - len(plain_first)
            return _span(text, first_start, _end_with_ramp(text, m.start(2) + len(second)))
        if (
            could_be_street(plain_first)
            and could_be_street(plain_second)
            and joiner not in ("at", "n", "x")
            and (
                _CUE.search(text[: m.end(1) - len(plain_first)])
                or (plain_first[0].isupper() and plain_second[0].isupper())
            )
        ):
            return _span(text, m.end(1) - len(plain_first), m.start(2) + len(plain_second))
        position = m.start() + 1  # overlapping: "down at 14th and market"
    return None


def _span(text: str, start: int, end: int) -> Location:
    while end > start and text[end - 1] in ",.;:":
        end -= 1
    return Location(kind="address", text=text[start:end], start=start, end=end)


def _end_with_ramp(text: str, end: int) -> int:
    m = re.match(r"\s+(?:ramp|exit|off-?ramp|on-?ramp|offramp|onramp)\b", text[end:], re.I)
    return end + m.end() if m else end


def _cued(text: str, m: re.Match[str]) -> bool:
    return bool(_NUMBER_CUE.search(text[: m.start()]))


def _longest_street(words: str, names: StreetNames) -> str | None:
    """The longest leading part of `words` that is a street ("colfax ave bed" → "colfax
    ave")."""
    parts = words.split()
    for size in range(len(parts), 0, -1):
        candidate = " ".join(parts[:size])
        if names.known(candidate):
            return candidate
    return None


def _last_street(words: str, names: StreetNames) -> str | None:
    """The longest trailing part of `words` that is a street ("near speer blv" → "speer
    blv")."""
    parts = words.split()
    for size in range(len(parts), 0, -1):
        candidate = " ".join(parts[-size:])
        if names.known(candidate):
            return candidate
    return None
