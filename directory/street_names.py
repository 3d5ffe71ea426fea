"""Street names as people write them and as street files spell them, reduced to one key.

"E Colfax Ave", "East Colfax Avenue" and "colfax" share the key `colfax`; the direction
and the type ("Ave") are kept beside it, so a message that gives them can prefer the
right one of two streets with the same core name ("Stone Ave" and "Stone Rd"), and a
message that leaves them out still finds the street. Interstates take one spelling:
"I- 25" (TIGER), "Interstate 25" (OSM) and "i25" (a text) are all `i-25`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

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
_RAMP = re.compile(r"\b(?:ramp|exit|on-ramp|off-ramp|onramp|offramp|ramps)\b")


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
    text = re.sub(r"\s+", " ", _RAMP.sub(" ", text)).strip() or text.strip()
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
        if len(words) > 1 and words[-1] in TYPES and kind == "mall":
            kind = TYPES[words.pop()]  # "16th St Mall" is 16th Street
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


def closest(
    key: str, keys: Sequence[str], prefixes: Mapping[str, list[str]] | None = None
) -> str | None:
    """The one known street a misspelt or shortened name means, or None.

    One letter wrong, missing or extra in a name of up to 7 letters ("evens", "colfx"),
    two in a longer one ("colorodo"), or an unmistakable short form — a prefix of a single
    street ("fed" for Federal). Names under four letters are never corrected ("elm" is not
    "elk"), and a tie means no answer: guessing a street is worse than asking.
    """
    if len(key) < 3:
        return None
    if len(key) >= 4:
        allowed = 1 if len(key) <= 7 else 2
        best = process.extract(key, keys, scorer=Levenshtein.distance, score_cutoff=allowed,
                               limit=2)  # fmt: skip
        if best and (len(best) == 1 or best[0][1] < best[1][1]):
            return str(best[0][0])
    if key.isalpha():
        pool = prefixes.get(key[:3], []) if prefixes is not None else keys
        starting = [k for k in pool if k.startswith(key) and " " not in k]
        if len(starting) == 1:
            return starting[0]
        if 4 <= len(key) <= 5:
            # A short form that keeps the first letter and drops others: "bway", "bdwy".
            pool = [k for k in keys if k[:1] == key[:1] and " " not in k and len(k) > len(key)]
            fitting = [k for k in pool if _in_order(key, k)]
            if len(fitting) == 1:
                return fitting[0]
    return None


def _in_order(letters: str, word: str) -> bool:
    """Whether the letters appear in the word in that order."""
    rest = iter(word)
    return all(letter in rest for letter in letters)


def prefix_index(keys: Iterable[str]) -> dict[str, list[str]]:
    """Keys by their first three letters, for `closest`'s short forms."""
    index: dict[str, list[str]] = {}
    for k in keys:
        index.setdefault(k[:3], []).append(k)
    return index
