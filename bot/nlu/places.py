"""Finding the place in a message: ZIP, city, local place, street address or
intersection, coordinates, or "near me".

Officers write "csu near 1600 Pearl St", "main & 49th", "sobering ctr aurora co"; people
write "near me" or "en denver". A ZIP is only a ZIP when it is one (never a phone number,
a bed count or a street number), a city only when the gazetteer knows it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.nlu import street_spans
from bot.nlu.normalize import strip_accents
from bot.nlu.street_spans import StreetNames
from bot.nlu.types import Location
from directory import geo, street_names
from directory.engine import Database

_STATE_CODES = set(geo.STATES)
# Two-letter codes that are everyday words in lower case ("detox or shelter", "help me").
_AMBIGUOUS_CODES = {"in", "or", "me", "ok", "hi", "oh", "id", "al", "ma", "pa", "de", "la", "as",
                    "ne", "wa", "mi", "mo", "va", "ga", "sc", "nd", "md", "ct"}  # fmt: skip
_STATE_NAMES = {name.lower(): code for code, name in geo.STATES.items()}
_DIRECTION = street_spans.DIRECTION
_SUFFIX = street_spans.SUFFIX
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?![\d-])")
_COORDS = re.compile(r"(?<![\d.])(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)(?![\d.])")
_NEAR_ME = re.compile(
    r"\b(?:near me|nearby|near by|closest|nearest|around here|close by|close to me|near here|"
    r"in my area|cerca de (?:mi|mí|aqui|aquí)|mas cercano|más cercano|cercano)\b",
    re.I,
)
# Common US street names people use without a suffix ("colfax and broadway").
_STREETS = {
    "main", "broadway", "market", "colfax", "federal", "speer", "champa", "larimer",
    "lawrence", "arapahoe", "curtis", "stout", "california", "welton", "blake", "wazee",
    "wynkoop", "pearl", "grant", "logan", "sherman", "lincoln", "evans", "alameda",
    "mississippi", "hampden", "havana", "peoria", "colorado", "kipling", "wadsworth",
    "sheridan", "stone", "speedway", "oracle", "campbell", "prince", "congress", "ajo",
    "washington", "park", "central", "university", "downing", "york", "josephine", "zuni",
    "santa fe", "mlk", "martin luther king", "quebec", "monaco", "holly", "krameria",
    "tejon", "nevada", "academy", "platte", "union", "walnut", "canyon", "baseline",
    "folsom", "8th", "6th", "1st", "5th", "juan", "grand",
}  # fmt: skip
# Words that are city names somewhere but mean something else in our messages.
_NOT_CITIES = {
    "help",
    "need",
    "beds",
    "bed",
    "shelter",
    "food",
    "detox",
    "crisis",
    "more",
    "home",
    "mobile",
    "hope",
    "independence",
    "eagle",
    "liberty",
    "friendship",
    "unity",
    "center",
    "clinic",
    "medical",
    "mental",
    "health",
    "safe",
    "peer",
    "housing",
    "sober",
    "sobering",
    "harm",
    "city",
    "park",
    "union",
    "ok",
    "hi",
    "yes",
    "no",
    "why",
    "how",
    "what",
    "where",
    "hospital",
    "superior",
    "paradise",
    "ambulance",
    "jail",
    "police",
    "station",
    "welcome",
    "success",
    "comfort",
    "hazard",
    "cut",
    "deal",
    "money",
    "ranch",
    "bee",
    "rifle",
    "canon",
    "commerce",
}


PREPOSITIONS = {"in", "near", "en", "around", "at", "by", "to", "from", "outside", "cerca"}


class City(NamedTuple):
    """A city of the gazetteer: its centre, and how many ZIPs it has (a bare name that
    few ZIPs share is less likely meant as a place)."""

    name: str
    state: str
    lat: float
    lon: float
    zips: int


@dataclass
class Gazetteer:
    """What the parser needs from the directory: ZIPs, cities, local places, streets."""

    zips: dict[str, tuple[str, str, float | None, float | None]] = field(default_factory=dict)
    cities: dict[str, list[City]] = field(default_factory=lambda: defaultdict(list))
    places: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    streets: StreetNames = field(default_factory=lambda: StreetNames(set(_STREETS)))
    default_state: str | None = None
    # The default state's city names, for correcting misspellings ("denvr").
    state_city_names: list[str] = field(default_factory=list)

    @classmethod
    def from_db(cls, db: Database, default_state: str | None = None) -> Gazetteer:
        import json

        gaz = cls(default_state=default_state)
        for code, city, state, lat, lon in db.execute("SELECT zip, city, state, lat, lon FROM zip"):
            gaz.zips[code] = (city, state, lat, lon)
        for name, state, lat, lon, count in db.execute(
            "SELECT name, state, lat, lon, zips FROM city ORDER BY zips DESC"
        ):
            gaz.cities[strip_accents(name.lower())].append(City(name, state, lat, lon, count))
        for name, lat, lon, aliases in db.execute("SELECT name, lat, lon, aliases FROM place"):
            for label in [name, *json.loads(aliases)]:
                gaz.places[label.lower()] = (name, lat, lon)
        for (line,) in db.execute("SELECT address_1 FROM address WHERE address_1 IS NOT NULL"):
            words = re.sub(rf"^\W*\d+\w*\s+(?:{_DIRECTION}\s+)?", "", line.lower())
            street = re.sub(rf"\s+{_SUFFIX}\.?$", "", words).strip()
            if street and len(street) > 2:
                gaz.streets.add(street_names.key(street))
        if "street_key" in db.table_names():
            for (key,) in db.execute("SELECT DISTINCT key FROM street_key"):
                gaz.streets.add(key)
        gaz.state_city_names = [
            name for name, rows in gaz.cities.items() if any(r.state == default_state for r in rows)
        ]
        return gaz

    def city(self, name: str, state: str | None) -> City | None:
        """The city of that name in that state; without a state, the deployment's, else the
        largest (bare names only for real towns: at least 3 ZIPs or in the default state)."""
        rows = self.cities.get(strip_accents(name.lower()), [])
        if state:
            return next((r for r in rows if r.state == state), None)
        if name.lower() in _NOT_CITIES:
            return None
        for row in rows:
            if row.state == self.default_state:
                return row
        return rows[0] if rows and rows[0].zips >= 3 else None


def find_location(text: str, gaz: Gazetteer) -> Location | None:
    """The most specific place the message names, or None.

    A street place keeps a ZIP or city named beside it ("colfax and broadway 80203",
    "main & 1st in aurora"): it tells apart two corners with the same street names.
    """
    for finder in (_coordinates, _numbered, _place, _corner, _zip, _city, _near_me):
        found = finder(text, gaz)
        if found and found.kind == "place":
            # "santa fe dr & evans ave": a corner that holds a landmark's name is the corner.
            street = _corner(text, gaz)
            if street and street.start <= found.start and found.end <= street.end:
                found = street
        if found:
            if found.kind == "address":
                return _with_area(text, found, gaz)
            return found
    return None


def _with_area(text: str, found: Location, gaz: Gazetteer) -> Location:
    rest = text[: found.start] + " " * (found.end - found.start) + text[found.end :]
    area = _zip(rest, gaz) or _city(rest, gaz)
    if area is None:
        return found
    return Location(kind="address", text=found.text, start=found.start, end=found.end,
                    zip=area.zip, city=area.city, state=area.state)  # fmt: skip


def _coordinates(text: str, gaz: Gazetteer) -> Location | None:
    m = _COORDS.search(text)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Location(kind="coordinates", text=m.group(0), start=m.start(), end=m.end(),
                            lat=lat, lon=lon)  # fmt: skip
    return None


def _numbered(text: str, gaz: Gazetteer) -> Location | None:
    return street_spans.numbered_place(text, gaz.streets, gaz.zips)


def _corner(text: str, gaz: Gazetteer) -> Location | None:
    return street_spans.corner(text, gaz.streets)


def _place(text: str, gaz: Gazetteer) -> Location | None:
    lowered = text.lower()
    best: tuple[int, int, str] | None = None
    for label in gaz.places:
        for m in re.finditer(rf"(?<!\w){re.escape(label)}(?!\w)", lowered):
            if best is None or (m.end() - m.start()) > (best[1] - best[0]):
                best = (m.start(), m.end(), label)
    if best is None:
        best = _fuzzy_place(text, gaz)
    if best is None:
        return None
    start, end, label = best
    _, lat, lon = gaz.places[label]
    return Location(kind="place", text=text[start:end], start=start, end=end, lat=lat, lon=lon)


def _fuzzy_place(text: str, gaz: Gazetteer) -> tuple[int, int, str] | None:
    """A misspelt landmark ("civc center park"): windows of the message's words."""
    if not gaz.places:
        return None
    tokens = list(re.finditer(r"[\w']+", text.lower()))
    for size in (4, 3, 2):
        for i in range(len(tokens) - size + 1):
            start, end = tokens[i].start(), tokens[i + size - 1].end()
            window = text.lower()[start:end]
            best = process.extractOne(window, list(gaz.places), scorer=fuzz.ratio, score_cutoff=88)
            if best:
                return start, end, best[0]
    return None


def _zip(text: str, gaz: Gazetteer) -> Location | None:
    for m in _ZIP.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()].lower()
        # "(303) 555-0142", "beds 12345"? A ZIP is a known one and not part of a phone.
        if re.search(r"\(\d{3}\)\s*$|\d{3}[-. ]$", before):
            continue
        code = m.group(1)
        if code in gaz.zips:
            city, state, lat, lon = gaz.zips[code]
            return Location(kind="zip", text=m.group(0), start=m.start(), end=m.end(),
                            zip=code, city=city, state=state, lat=lat, lon=lon)  # fmt: skip
    return None


def _city(text: str, gaz: Gazetteer) -> Location | None:
    words = list(re.finditer(r"[A-Za-zÀ-ÿ][\w'.À-ÿ]*", text))
    # "City, ST" / "City ST" / "City, State name"
    for j, word in enumerate(words):
        raw = word.group(0).rstrip(".")
        code = None
        span_end = word.end()
        if raw.upper() in _STATE_CODES and (raw.isupper() or raw.lower() not in _AMBIGUOUS_CODES):
            code = raw.upper()
        elif raw.lower() in _STATE_NAMES:
            code = _STATE_NAMES[raw.lower()]
        elif j + 1 < len(words) and f"{raw} {words[j + 1].group(0)}".lower() in _STATE_NAMES:
            code = _STATE_NAMES[f"{raw} {words[j + 1].group(0)}".lower()]
            span_end = words[j + 1].end()
        if not code:
            continue
        for size in (3, 2, 1):
            if j - size < 0:
                continue
            first = words[j - size]
            name = text[first.start() : words[j - 1].end()].rstrip(",. ")
            row = gaz.city(name, code)
            if row:
                return _city_location(text, first.start(), span_end, row)
    # A bare city name: after "in", "near"… first, then the longest, then the biggest.
    found = []
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            start, end = words[i].start(), words[i + size - 1].end()
            row = gaz.city(text[start:end].rstrip(".,"), None)
            if row is None:
                continue
            after_preposition = i > 0 and words[i - 1].group(0).lower() in PREPOSITIONS
            if row.zips < 2 and not after_preposition:
                continue  # a one-ZIP town named bare is more likely a word ("model")
            found.append((not after_preposition, -size, -row.zips, start, end, row))
    if found:
        *_, start, end, row = min(found)
        return _city_location(text, start, end, row)
    return _fuzzy_city(text, words, gaz)


def _fuzzy_city(text: str, words: list[re.Match[str]], gaz: Gazetteer) -> Location | None:
    """A misspelt city after "in", "near" or "en" ("shelter in denvr")."""
    names = gaz.state_city_names
    if not names:
        return None
    for i, word in enumerate(words[:-1]):
        if word.group(0).lower() in PREPOSITIONS:
            target = words[i + 1]
            if len(target.group(0)) < 5:
                continue
            best = process.extractOne(
                target.group(0).lower(), names, scorer=fuzz.ratio, score_cutoff=85
            )
            if best:
                row = gaz.city(best[0], gaz.default_state)
                if row:
                    return _city_location(text, target.start(), target.end(), row)
    return None


def _city_location(text: str, start: int, end: int, row: City) -> Location:
    return Location(kind="city", text=text[start:end], start=start, end=end, city=row.name,
                    state=row.state, lat=row.lat, lon=row.lon)  # fmt: skip


def _near_me(text: str, gaz: Gazetteer) -> Location | None:
    m = _NEAR_ME.search(text)
    return Location(kind="near_me", text=m.group(0), start=m.start(), end=m.end()) if m else None
