"""Service areas given in words: "Pima County, AZ", "serves Denver and Aurora",
"statewide", "ZIP codes 80203, 80204".

Many HSDS files describe a confidential shelter's or a mobile team's area only in its
`name` or `description`, with no GeoJSON. Those words are resolved here through the
gazetteer's counties, cities, ZIPs and states, so that the service is offered — with
its phone number, never an address — to a person whose place falls inside the area.
A place is in a county or city when its nearest ZIP centroid is (a close guess without
boundary files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from directory.engine import Database
from directory.geo import STATES
from directory.types import Point

_STATE_NAMES = {name.casefold(): code for code, name in STATES.items()}
_COUNTY = re.compile(
    r"\b((?:[A-Z][a-zA-Z.'-]+(?:\s*,\s*|\s+and\s+|\s+&\s+|\s+))+?)"
    r"(County|Counties|Parish|Parishes|Borough)\b(?:\s*,\s*([A-Z]{2})\b)?"
)
_ZIP = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_STATEWIDE = re.compile(
    r"\b(?:statewide|state-wide|anywhere in|all of|throughout|entire state of)\s+"
    r"(?:the state of\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)",
)
_CITY_LIST = re.compile(
    r"\b(?i:serves?|serving|in|covers?|covering|for residents of|residents of|anywhere in|"
    r"city of|cities of|areas? of)\s+((?:the\s+)?[A-Z][\w.'-]*(?:[\s,]+(?:and\s+|or\s+|&\s+)?"
    r"[A-Z][\w.'-]*)*)"
)


@dataclass(frozen=True)
class AreaWord:
    """One piece of a service area: a county, a city, a ZIP or a whole state."""

    kind: str  # county | city | zip | state
    name: str  # "Pima County", "Aurora", "80203", "AZ"
    state: str | None


def parse(db: Database, text: str, default_state: str | None = None) -> list[AreaWord]:
    """Every county, city, ZIP and state the words name that the gazetteer knows."""
    found: list[AreaWord] = []
    for m in _COUNTY.finditer(text):
        kind = {"Counties": "County", "Parishes": "Parish"}.get(m.group(2), m.group(2))
        explicit = m.group(3) or _state_after(text, m.end())
        # "Jefferson and Adams Counties", "Pima County": each name before the word.
        for piece in re.split(r"\s*,\s*|\s+and\s+|\s+&\s+", m.group(1).strip()):
            words = piece.split()
            for size in range(len(words), 0, -1):  # "Serves Pima County": try "Pima" last
                name = f"{' '.join(words[-size:])} {kind}"
                row = _county(db, name, explicit or default_state)
                if row is None and not explicit:
                    row = _county(db, name, None, only=True)
                if row:
                    found.append(AreaWord("county", row[0], row[1]))
                    break
    if m2 := re.search(r"City and County of ([A-Z][a-z]+)", text):
        name = f"{m2.group(1)} County"
        state = default_state
        row = db.execute(
            "SELECT county, state FROM zip WHERE county = ? AND state = coalesce(?, state) LIMIT 1",
            [name, state],
        ).fetchone()
        if row:
            found.append(AreaWord("county", row[0], row[1]))
    for m in _ZIP.finditer(text):
        if db.execute("SELECT 1 FROM zip WHERE zip = ?", [m.group(1)]).fetchone():
            found.append(AreaWord("zip", m.group(1), None))
    for m in _STATEWIDE.finditer(text):
        code = _STATE_NAMES.get(m.group(1).casefold())
        if code:
            found.append(AreaWord("state", code, code))
    if re.search(r"\bstatewide\b", text, re.I) and default_state:
        found.append(AreaWord("state", default_state, default_state))
    for m in _CITY_LIST.finditer(text):
        if re.search(r"\b(?:County|Counties|Parish|Parishes|Borough)\W*$", m.group(1)):
            continue  # "in Jefferson and Adams Counties" names counties, not towns
        for piece in re.split(r"\s*(?:,|\band\b|\bor\b|&)\s*", m.group(1)):
            name = piece.removeprefix("the ").strip(" .")
            if not name or name.endswith(("County", "Parish", "Borough")):
                continue
            state = _state_after(text, m.end()) or default_state
            row = db.execute(
                "SELECT name, state FROM city WHERE name = ? COLLATE NOCASE "
                "AND state = coalesce(?, state) ORDER BY zips DESC LIMIT 1",
                [name, state],
            ).fetchone()
            if row:
                found.append(AreaWord("city", row[0], row[1]))
    return list(dict.fromkeys(found))


def _county(
    db: Database, name: str, state: str | None, only: bool = False
) -> tuple[str, str] | None:
    """The county of that name (in `state`); with `only`, when one state has it."""
    rows = db.execute(
        "SELECT DISTINCT county, state FROM zip WHERE county = ? COLLATE NOCASE "
        "AND state = coalesce(?, state)",
        [name, state],
    ).fetchall()
    if not rows or (only and len(rows) > 1):
        return None
    return rows[0][0], rows[0][1]


def _state_after(text: str, position: int) -> str | None:
    m = re.match(r"\s*,?\s*([A-Z]{2}|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b", text[position:])
    if not m:
        return None
    word = m.group(1)
    return word if word in STATES else _STATE_NAMES.get(word.casefold())


def keys_of(db: Database, point: Point) -> list[tuple[str, str, str | None]]:
    """The (kind, name, state) area keys a point falls in, by its nearest ZIP."""
    from directory.street_places import nearest_zip

    code = nearest_zip(db, point)
    if code is None:
        return []
    row = db.execute("SELECT city, state, county FROM zip WHERE zip = ?", [code]).fetchone()
    if row is None:
        return [("zip", code, None)]
    city, state, county = row
    keys = [("zip", code, None), ("city", city, state), ("state", state, state)]
    if county:
        keys.append(("county", county, state))
    return keys
