"""Scoring needs and places on labelled messages written apart from the code
(`wayfinder nlu test --places FILE`; the sets are in data/places/).

A message's needs are right when the parser finds exactly the labelled ones. A street
place (intersection, address or block) is found when the parser's place is a street
place holding every word of the labelled span — a unit prefix or a suffix more is fine.
Where the demo street map covers the message, the point the bot would measure from is
compared with the true one, worked out from the street courses the map was drawn from
(`directory.demo_streets`), not from the resolver being judged: right within 150 m.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.parser import Parser
from directory import demo_streets, geo
from directory.engine import Database
from directory.errors import AmbiguousPlace, UnknownPlace
from directory.types import Point

DATA = Path(__file__).parent / "data" / "places"
RIGHT_M = 150.0
STREET_KINDS = {"intersection", "address", "block"}
# The peer set's place types, in our words.
PEER_KINDS = {"ADDRESS": "address", "INTERSECTION": "intersection", "LANDMARK": "place",
              "NEIGHBORHOOD": "place"}  # fmt: skip
_NOISE = {"corner", "of", "the", "cnr", "block", "blk", "and", "y", "at", "n"}
# The demo map's streets by the names the labels use.
_COURSES = {
    "broadway": 0, "lincoln st": 1, "federal blvd": 2, "colorado blvd": 3, "colfax ave": 4,
    "alameda ave": 5, "evans ave": 6, "santa fe dr": 7, "speer blvd": 8, "16th st": 9,
    "i-25": 10,
}  # fmt: skip


@dataclass
class PlaceReport:
    """What `score` counts; `misses` are readable lines."""

    messages: int = 0
    needs_labels: int = 0  # messages whose needs are labelled (the peer's water cases are not)
    needs_right: int = 0
    needs_labelled: int = 0  # messages with at least one labelled need
    needs_found: int = 0  # of those, every labelled need found
    street_spans: int = 0
    street_found: int = 0
    mapped: int = 0  # street places the demo map covers
    right_point: int = 0
    no_place: int = 0  # messages that name no place
    no_place_right: int = 0  # of those, no place found
    asked_which: int = 0
    unresolved: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    kinds_right: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def share(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "messages": self.messages,
            "needs_exact": share(self.needs_right, self.needs_labels),
            "no_place_right": share(self.no_place_right, self.no_place),
            "no_place": self.no_place,
            "needs_found": share(self.needs_found, self.needs_labelled),
            "street_spans_found": share(self.street_found, self.street_spans),
            "street_spans": self.street_spans,
            "right_point": share(self.right_point, self.mapped),
            "mapped": self.mapped,
            "asked_which": self.asked_which,
            "unresolved": self.unresolved,
            "place_kind_right": {k: share(self.kinds_right[k], n) for k, n in self.kinds.items()},
        }


def load(path: str | Path) -> list[dict[str, Any]]:
    """The labelled messages of one JSON Lines file."""
    rows = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from error
    return rows


def score(
    parser: Parser, db: Database, rows: list[dict[str, Any]], home: Point | None
) -> PlaceReport:
    report = PlaceReport()
    for row in rows:
        text = row["text"]
        parse = parser.parse(text)
        report.messages += 1
        wanted_needs = row.get("needs")
        if wanted_needs is not None:
            report.needs_labels += 1
            if set(parse.needs) == set(wanted_needs):
                report.needs_right += 1
            else:
                report.misses.append(
                    f"needs {sorted(wanted_needs)} → {sorted(parse.needs)}: {text}"
                )
            if wanted_needs:
                report.needs_labelled += 1
                report.needs_found += set(wanted_needs) <= set(parse.needs)
        kind = row.get("place_kind") or PEER_KINDS.get(str(row.get("place_type")))
        if kind is None and row.get("place_text") and "place_type" not in row:
            kind = "address"
        location = parse.location
        if not kind and not row.get("place_text"):
            report.no_place += 1
            if location is None:
                report.no_place_right += 1
            else:
                report.misses.append(f"a place where none is meant {location.text!r}: {text}")
        if kind:
            report.kinds[kind] += 1
            got = location.kind if location else None
            if got == ("address" if kind in STREET_KINDS else kind):
                report.kinds_right[kind] += 1
        if kind not in STREET_KINDS or not row.get("place_text"):
            continue
        report.street_spans += 1
        span = location.text if location and location.kind == "address" else None
        if span is None or not _covers(span, row["place_text"]):
            report.misses.append(f"span {row['place_text']!r} → {span!r}: {text}")
            continue
        report.street_found += 1
        truth = _truth(row)
        if truth is None:
            continue
        report.mapped += 1
        try:
            place = geo.resolve(db, span, "CO", zip_code=location.zip if location else None,
                                city=location.city if location else None, home=home)  # fmt: skip
        except AmbiguousPlace:
            report.asked_which += 1
            report.misses.append(f"asked which: {text}")
            continue
        except UnknownPlace:
            report.unresolved += 1
            report.misses.append(f"not placed {span!r}: {text}")
            continue
        distance = min(geo.haversine_km(place.point, t) * 1000 for t in truth)
        if distance <= RIGHT_M:
            report.right_point += 1
        else:
            report.misses.append(f"{distance:.0f} m off ({place.label}): {text}")
    return report


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _NOISE}


def _covers(found: str, labelled: str) -> bool:
    wanted, got = _words(labelled), _words(found)
    return bool(wanted) and wanted <= got and len(got - wanted) <= 2


def _truth(row: dict[str, Any]) -> list[Point] | None:
    """The true point(s) of a labelled street place on the demo map, if it covers it."""
    kind = row.get("place_kind")
    if kind == "intersection":
        names = [str(s).casefold() for s in row.get("streets") or []]
        if len(names) != 2 or not all(n in _COURSES for n in names):
            return None
        first, second = (demo_streets.STREETS[_COURSES[n]].course for n in names)
        points = [
            Point(hit[1], hit[2])
            for a1, a2 in itertools.pairwise(first)
            for b1, b2 in itertools.pairwise(second)
            if (hit := demo_streets.crossing(a1, a2, b1, b2))
        ]
        return points or None
    if kind in ("address", "block"):
        street = str(row.get("street") or "").casefold()
        if street not in _COURSES or row.get("number") is None:
            return None
        course_street = demo_streets.STREETS[_COURSES[street]]
        if not course_street.numbered:
            return None
        number = int(row["number"]) + (50 if kind == "block" else 0)
        direction = re.search(r"\b(n|s|e|w|north|south|east|west)\b\.?\s+\S",
                              str(row.get("place_text", "")), re.I)  # fmt: skip
        points = []
        course = course_street.course
        for a, b in itertools.pairwise(course):
            where = demo_streets.position(course_street.numbered, number, *a, *b)
            if where is None:
                continue
            side = "N" if where[0] >= demo_streets.ELLSWORTH else "S"
            if course_street.numbered == "ew":
                side = "E" if where[1] >= demo_streets.BROADWAY else "W"
            if direction and direction.group(1)[0].upper() != side:
                continue
            points.append(Point(*where))
        return points or None
    return None
