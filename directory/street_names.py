"""Street names as people write them and as street files spell them, reduced to one key.

"E Colfax Ave", "East Colfax Avenue" and "colfax" share the key `colfax`; the direction
and the type ("Ave") are kept beside it, so a message that gives them can prefer the
right one of two streets with the same core name ("Stone Ave" and "Stone Rd"), and a
message that leaves them out still finds the street. Interstates take one spelling:
"I- 25" (TIGER), "Interstate 25" (OSM) and "i25" (a text) are all `i-25`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIRECTIONS = {
    "n": "N",
    "north": "N",
    "s": "S",
    "south": "S",
    "e": "E",
    "east": "E",
    "w": "W",
    "west": "W",
    "ne": "NE",
    "northeast": "NE",
    "nw": "NW",
    "northwest": "NW",
    "se": "SE",
    "southeast": "SE",
    "sw": "SW",
    "southwest": "SW",
}
TYPES = {
    "st": "st",
    "street": "st",
    "str": "st",
    "ave": "ave",
    "av": "ave",
    "avenue": "ave",
    "blvd": "blvd",
    "boulevard": "blvd",
    "blv": "blvd",
    "bl": "blvd",
    "rd": "rd",
    "road": "rd",
    "dr": "dr",
    "drive": "dr",
    "way": "way",
    "pl": "pl",
    "place": "pl",
    "ct": "ct",
    "court": "ct",
    "ln": "ln",
    "lane": "ln",
    "pkwy": "pkwy",
    "parkway": "pkwy",
    "hwy": "hwy",
    "highway": "hwy",
    "cir": "cir",
    "circle": "cir",
    "ter": "ter",
    "terrace": "ter",
    "trl": "trl",
    "trail": "trl",
    "sq": "sq",
    "square": "sq",
    "loop": "loop",
    "plz": "plz",
    "plaza": "plz",
    "mall": "mall",
    "row": "row",
    "aly": "aly",
    "alley": "aly",
    "expy": "expy",
    "expressway": "expy",
    "fwy": "fwy",
    "freeway": "fwy",
}
_WORD_ORDINALS = {
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
    "eleventh": "11th",
    "twelfth": "12th",
    "thirteenth": "13th",
    "fourteenth": "14th",
    "fifteenth": "15th",
    "sixteenth": "16th",
    "seventeenth": "17th",
    "eighteenth": "18th",
    "nineteenth": "19th",
    "twentieth": "20th",
}
_INTERSTATE = re.compile(r"^(?:i|interstate|ih)\s*-?\s*(\d{1,3})$")
_HIGHWAY = re.compile(
    r"^(?:us|u\.s\.|state|co|az|sr|sh|hwy|highway|route|rte)\s*(?:hwy|highway|route|rte)?\s*-?\s*(\d{1,4})$"
)
_RAMP = re.compile(r"\b(?:ramp|exit|on-ramp|off-ramp|onramp|offramp)\b")


@dataclass(frozen=True)
class StreetName:
    """A street's name split into what tells streets apart and what people leave out."""

    key: str  # the core name, lower case: "colfax", "16th", "i-25", "santa fe"
    direction: str | None = None  # "E" in "E Colfax Ave"
    kind: str | None = None  # "ave" in "E Colfax Ave"


def ordinal(number: str) -> str:
    """'5' → '5th', '21' → '21st', '13' → '13th'."""
    n = int(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def split(name: str) -> StreetName:
    """The key, direction and type of a street name as written anywhere.

    A type or direction that is the whole name stays the name ("Broadway", "The Mall" are
    names; so is "Court" alone), and a leading direction on a one-word street is kept
    when nothing else is left ("N" alone is nobody's street).
    """
    text = re.sub(r"[.,]", " ", name.lower())
    text = re.sub(r"\s+", " ", text).strip()
    if m := _INTERSTATE.match(text):
        return StreetName(f"i-{int(m.group(1))}")
    words = text.split()
    direction = None
    kind = None
    if len(words) > 1 and words[0] in DIRECTIONS:
        direction = DIRECTIONS[words.pop(0)]
    if len(words) > 1 and words[-1] in DIRECTIONS:
        direction = direction or DIRECTIONS[words[-1]]
        words.pop()
    if len(words) > 1 and words[-1] in TYPES:
        kind = TYPES[words.pop()]
    if words and words[0] in ("saint", "st") and len(words) > 1:
        words[0] = "st"  # "St Paul" and "Saint Paul" are the same street
    words = [_WORD_ORDINALS.get(w, w) for w in words]
    if len(words) == 1 and words[0].isdigit() and kind in ("st", "ave", "pl", "dr"):
        words[0] = ordinal(words[0])  # "16 St" is how some write 16th Street
    core = " ".join(words)
    if m := _INTERSTATE.match(core.replace(" ", "")):
        core = f"i-{int(m.group(1))}"
    elif m := _HIGHWAY.match(core):
        core = f"hwy {int(m.group(1))}"
    return StreetName(core, direction, kind)


def key(name: str) -> str:
    """The core name of a street, the part everyone writes."""
    return split(name).key


def is_ramp(name: str) -> bool:
    """Whether the name is a ramp's ("I- 25 Ramp", "Colfax Ave Exit"): ramps belong to the
    road they serve for crossings, never to an address."""
    return bool(_RAMP.search(name.lower()))
