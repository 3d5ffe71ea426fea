"""Where an intersection, a street address or a block is, from the imported street data.

An officer at "colfax and broadway" is at one corner, not at the centre of a ZIP code;
distances are measured from that corner. The answer is a `Place` of kind `address`, or
`UnknownPlace` when the streets are not known (the bot then asks for a cross street or a
ZIP instead of guessing), or `AmbiguousPlace` when two places fit equally well (the same
two street names meet in two towns) and nothing in the message or the conversation
settles it.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from directory import engine, street_names
from directory.engine import Database
from directory.errors import AmbiguousPlace, UnknownPlace
from directory.types import Place, Point

NEAR_CROSSING_M = 150.0  # streets that cross without a shared node: an overpass, a ramp
SAME_CORNER_M = 300.0  # junction nodes closer than this are one intersection (divided roads)
SIDE_OFFSET_M = 8.0  # a house is beside the street's centre line, not on it
CLEAR_WINNER = 3.0  # the nearest candidate wins when the next is this many times as far
HOME_RADIUS_M = 30_000.0  # the program's home area: this far around its centre

# Tried in this order: "n" (as in "alameda n santa fe") only when nothing clearer joins
# the two names, since "n" is also a direction ("n broadway & colfax").
_CONNECTORS = [
    re.compile(rf"\s*{c}\s*", re.I)
    for c in (
        r"&",
        r"\+",
        r"\band\b",
        r"/",
        r"@",
        r"\bat\b",
        r"\by\b",
        r"\bx\b",
        r"\bcon\b",
        r"\bn\b",
    )
]
_CORNER = re.compile(
    r"^(?:the\s+)?(?:corner|cnr|esquina|crossing|intersection)\s+(?:of|de)\s+", re.I
)
_BLOCK = re.compile(r"^(?:the\s+)?(\d{1,6})\s+(hundreds?\s+)?(?:block|blk)\s+(?:of\s+)?(.+)$", re.I)
# Spanish puts the number after the noun: "bloque 2400 de S Federal", "cuadra 2000 de …".
_BLOQUE = re.compile(
    r"^(?:el\s+|la\s+)?(?:bloque|cuadra)\s+(\d{1,6})\s+(?:de\s+(?:la\s+)?)?(.+)$", re.I
)
_ADDRESS = re.compile(r"^(?:#\s*(\w{1,6})\s*-\s*)?(\d{1,6})[a-z]?\s+(.+)$", re.I)
_UNIT = re.compile(
    r"\s*(?:,\s*)?(?:\b(?:apt|apartment|unit|ste|suite|rm|room|lot|space|spc|bldg|building|fl|floor)"
    r"\b\.?|#)\s*\w+\s*$",
    re.I,
)
_UNIT_FIRST = re.compile(
    r"^(?:apt|apartment|unit|ste|suite|rm|room|#)\.?\s*\w{1,6}\b(?!\s*-\s*\d)"
    r"\s*(?:,|@|\bat\b|-)?\s*",
    re.I,
)


@dataclass(frozen=True)
class StreetQuery:
    """What a place written as streets asks for."""

    kind: str  # "intersection" | "address" | "block"
    streets: tuple[str, ...]
    number: int | None = None


@dataclass
class _Candidate:
    lat: float
    lon: float
    label: str
    zips: Counter[str] = field(default_factory=Counter)


def parse(text: str) -> StreetQuery | None:
    """Split "colfax & broadway", "1600 E Colfax Ave", "#12-300 E Aurora" or "1500 block
    of N Stone" into streets and a number; None when the text is none of these."""
    raw = " ".join(text.replace(",", " , ").split()).strip(" ,.")
    raw = re.sub(r"\s+,", ",", raw)
    raw = _CORNER.sub("", raw)
    if m := _BLOCK.match(raw):
        hundreds = 100 if m.group(2) else 1  # "15 hundred block" is the 1500 block
        return StreetQuery("block", (_clean(m.group(3)),), int(m.group(1)) * hundreds)
    if m := _BLOQUE.match(raw):
        return StreetQuery("block", (_clean(m.group(2)),), int(m.group(1)))
    raw = _UNIT_FIRST.sub("", raw)
    if m := _ADDRESS.match(raw):
        street = _clean(_UNIT.sub("", m.group(3)))
        if (street and not street[0].isdigit()) or re.match(r"^\d+(?:st|nd|rd|th)\b", street):
            return StreetQuery("address", (street,), int(m.group(2)))
    for connector in _CONNECTORS:
        parts = [_clean(p) for p in connector.split(raw, maxsplit=1)]
        if len(parts) == 2 and all(parts):
            return StreetQuery("intersection", (parts[0], parts[1]))
    return None


def _clean(street: str) -> str:
    return street.strip(" ,.").removeprefix("the ").strip()


def has_streets(db: Database) -> bool:
    """Whether any street data was imported (otherwise addresses cannot be placed)."""
    try:
        return bool(db.execute("SELECT 1 FROM street_area LIMIT 1").fetchone())
    except sqlite3.OperationalError:  # a file from before street data existed
        return False


def locate(
    db: Database,
    text: str,
    *,
    zip_code: str | None = None,
    city: str | None = None,
    near: Point | None = None,
    home: Point | None = None,
) -> Place:
    """The point of a place written as streets.

    Ties are settled by, in order: a ZIP or city named in the message (`zip_code`,
    `city`), the sender's last place (`near`), the program's home area (`home`).

    Raises:
        UnknownPlace: not streets, or streets this directory does not know.
        AmbiguousPlace: more than one place fits and nothing settles it.
    """
    query = parse(text)
    if query is None or not has_streets(db):
        raise UnknownPlace(text)
    if query.kind == "intersection":
        candidates = _intersection(db, *query.streets)
    else:
        number = query.number or 0
        candidates = _address(db, query.streets[0], number + (50 if query.kind == "block" else 0))
        if query.kind == "block":
            for c in candidates:
                c.label = f"{number} block of {c.label.split(' ', 1)[1]}"
    if not candidates:
        raise UnknownPlace(text)
    chosen = _choose(db, candidates, zip_code, city, near, home)
    if chosen is None:
        raise AmbiguousPlace(text, [_place(db, text, c) for c in candidates])
    return _place(db, text, chosen)


def _place(db: Database, text: str, c: _Candidate) -> Place:
    zip_code = c.zips.most_common(1)[0][0] if c.zips else nearest_zip(db, Point(c.lat, c.lon))
    row = (
        db.execute("SELECT city, state, timezone FROM zip WHERE zip = ?", [zip_code]).fetchone()
        if zip_code
        else None
    )
    city, state, timezone = row if row else (None, None, None)
    return Place("address", text, c.lat, c.lon, c.label, zip_code, city, state, timezone)


def nearest_zip(db: Database, point: Point) -> str | None:
    """The ZIP whose centroid is nearest the point (a good guess of the ZIP it is in)."""
    for box in (0.05, 0.25, 1.0):
        # A ZIP's box is its centroid: overlapping the square is lying within it.
        square = (point.lat - box, point.lat + box, point.lon - box, point.lon + box)
        within, values = engine.overlapping(db, "zip_rtree", square)
        rows = db.execute(f"SELECT id, lat0, lon0 FROM zip_rtree WHERE {within}", values).fetchall()
        if rows:
            best = min(rows, key=lambda r: _metres(point, Point(r[1], r[2])))
            return f"{int(best[0]):05d}"
    return None


# Streets by name --------------------------------------------------------------------------


class _EdgeRow(NamedTuple):
    """One edge of a street as the query returns it; the rest is worked out on demand
    (a long avenue has hundreds of edges and only one or two are at the corner)."""

    id: int
    name: str
    from_node: int
    from_lat: float
    from_lon: float
    to_node: int
    to_lat: float
    to_lon: float
    zip_l: str | None
    zip_r: str | None
    ramp: int
    key: str
    direction: str | None
    kind: str | None

    @property
    def zips(self) -> tuple[str, ...]:
        return tuple(z for z in (self.zip_l, self.zip_r) if z)

    @property
    def label(self) -> str:
        """The name as it matched: "I-25" for the Valley Highway's ref."""
        return _display(self.direction, self.key, self.kind)


def _edges(db: Database, street: str, for_address: bool = False) -> list[_EdgeRow]:
    """The edges of the street named, by exact key first, then the closest known key.

    A direction or type in the text ("N Stone Ave") narrows the choice only when some
    edges have it, so "stone" still finds "N Stone Ave"; a typo is matched on the core
    name alone, so a shared "Rd" never makes two different streets look alike.
    """
    wanted = street_names.split(street)
    if not wanted.key:
        return []
    rows = _edges_by_key(db, wanted.key)
    if not rows:
        key = _closest_key(db, wanted.key)
        rows = _edges_by_key(db, key) if key else []
    if wanted.kind and any(r.kind == wanted.kind for r in rows):
        rows = [r for r in rows if r.kind == wanted.kind]
    if wanted.direction and any(r.direction == wanted.direction for r in rows):
        rows = [r for r in rows if r.direction == wanted.direction]
    return [r for r in rows if not (for_address and r.ramp)]


_COLUMNS = (
    "e.id, e.name, e.from_node, e.from_lat, e.from_lon, e.to_node, e.to_lat, e.to_lon, "
    "e.zip_l, e.zip_r, e.ramp, k.key, k.direction, k.kind"
)


def _edges_by_key(db: Database, key: str) -> list[_EdgeRow]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM street_key k JOIN street_edge e ON e.id = k.edge_id "
        "WHERE k.key = ?",
        [key],
    ).fetchall()
    return [_EdgeRow._make(row) for row in rows]


_KEYS: dict[str, tuple[str, list[str], dict[str, list[str]]]] = {}


def known_keys(db: Database) -> tuple[list[str], dict[str, list[str]]]:
    """Every street key in the directory and its prefix index (cached until the next
    street import)."""
    stamp = str(db.execute("SELECT max(imported), count(*) FROM street_area").fetchone())
    cached = _KEYS.get(str(db.conn))
    if cached is None or cached[0] != stamp:
        keys = [row[0] for row in db.execute("SELECT DISTINCT key FROM street_key")]
        cached = _KEYS[str(db.conn)] = (stamp, keys, street_names.prefix_index(keys))
    return cached[1], cached[2]


def _closest_key(db: Database, key: str) -> str | None:
    keys, prefixes = known_keys(db)
    return street_names.closest(key, keys, prefixes)


# Intersections ----------------------------------------------------------------------------


def _intersection(db: Database, first: str, second: str) -> list[_Candidate]:
    a, b = street_names.split(first), street_names.split(second)
    a_key, b_key = _known_key(db, a.key), _known_key(db, b.key)
    if not a_key or not b_key:
        return []
    # Junctions the two streets share, through the (key, node) index: a long avenue has
    # hundreds of segments, and only the few at the corner are read.
    rows = db.execute(
        f"WITH shared AS (SELECT node FROM street_node WHERE key = :a "
        "INTERSECT SELECT node FROM street_node WHERE key = :b) "
        f"SELECT {_COLUMNS}, o.edge_id, n.lat, n.lon FROM shared "
        "JOIN street_node n ON n.key = :a AND n.node = shared.node "
        "JOIN street_node o ON o.key = :b AND o.node = shared.node "
        "JOIN street_edge e ON e.id = n.edge_id "
        "JOIN street_key k ON k.edge_id = e.id AND k.key = :a",
        {"a": a_key, "b": b_key},
    ).fetchall()
    pairs = []
    for row in rows:
        edge = _EdgeRow._make(row[:14])
        other = db.execute(
            f"SELECT {_COLUMNS} FROM street_edge e JOIN street_key k ON k.edge_id = e.id "
            "AND k.key = ? WHERE e.id = ?",
            [b_key, row[14]],
        ).fetchone()
        pairs.append((edge, _EdgeRow._make(other), row[15], row[16]))
    pairs = _narrowed(pairs, a, 0)
    pairs = _narrowed(pairs, b, 1)
    found = [
        _Candidate(lat, lon, _corner_label(pairs, lat, lon), Counter([*x.zips, *y.zips]))
        for x, y, lat, lon in pairs
    ]
    if not found:
        found = _near_crossings(db, _edges(db, first), _edges(db, second))
    return _cluster(found)


def _narrowed(
    pairs: list[tuple[_EdgeRow, _EdgeRow, float, float]], wanted: street_names.StreetName, side: int
) -> list[tuple[_EdgeRow, _EdgeRow, float, float]]:
    """Keep the corners of the street with the type and direction written, when any."""
    for attribute in ("kind", "direction"):
        value = getattr(wanted, attribute)
        if value and any(getattr(p[side], attribute) == value for p in pairs):
            pairs = [p for p in pairs if getattr(p[side], attribute) == value]
    return pairs


def _known_key(db: Database, key: str) -> str | None:
    if not key:
        return None
    if db.execute("SELECT 1 FROM street_key WHERE key = ? LIMIT 1", [key]).fetchone():
        return key
    return _closest_key(db, key)


def _corner_label(
    pairs: list[tuple[_EdgeRow, _EdgeRow, float, float]], lat: float, lon: float
) -> str:
    """ "E Colfax Ave & Broadway", or "Colfax Ave & Broadway" where E and W Colfax meet."""
    here = [p for p in pairs if p[2] == lat and p[3] == lon]
    names = []
    for edges in ([p[0] for p in here], [p[1] for p in here]):
        directions = {e.direction for e in edges}
        kinds = {e.kind for e in edges}
        names.append(
            _display(
                directions.pop() if len(directions) == 1 else None,
                edges[0].key,
                kinds.pop() if len(kinds) == 1 else None,
            )
        )
    return _pair(*names)


def _pair(first: str, second: str) -> str:
    return f"{first} & {second}"


def _near_crossings(db: Database, a: list[_EdgeRow], b: list[_EdgeRow]) -> list[_Candidate]:
    """Streets that pass within NEAR_CROSSING_M of each other without sharing a node."""
    a_ids = {e.id: e for e in a}
    geometry: dict[int, list[Point]] = {}

    def points(edge_id: int) -> list[Point]:
        if edge_id not in geometry:
            raw = db.execute("SELECT points FROM street_edge WHERE id = ?", [edge_id]).fetchone()
            geometry[edge_id] = [Point(lat, lon) for lon, lat in json.loads(raw[0])]
        return geometry[edge_id]

    found = []
    pad = NEAR_CROSSING_M / 111_000
    for e in b:
        lat0, lat1, lon0, lon1 = db.execute(
            "SELECT lat0, lat1, lon0, lon1 FROM street_edge_rtree WHERE id = ?", [e.id]
        ).fetchone()
        cos = max(math.cos(math.radians(lat0)), 0.01)
        padded = (lat0 - pad, lat1 + pad, lon0 - pad / cos, lon1 + pad / cos)
        close, values = engine.overlapping(db, "street_edge_rtree", padded)
        near = db.execute(f"SELECT id FROM street_edge_rtree WHERE {close}", values).fetchall()
        for (other_id,) in near:
            if other_id in a_ids:
                distance, where = _closest(points(other_id), points(e.id))
                if distance <= NEAR_CROSSING_M:
                    name = _pair(a_ids[other_id].label, e.label)
                    found.append(
                        (
                            distance,
                            _Candidate(
                                where.lat,
                                where.lon,
                                name,
                                Counter([*a_ids[other_id].zips, *e.zips]),
                            ),
                        )
                    )
    found.sort(key=lambda item: item[0])
    return [c for _, c in found]


def _closest(first: Sequence[Point], second: Sequence[Point]) -> tuple[float, Point]:
    """The least distance between two polylines (metres) and the midpoint where it is."""
    best = (math.inf, first[0])
    origin = first[0]
    xy1 = [_xy(origin, p) for p in first]
    xy2 = [_xy(origin, p) for p in second]
    for p1, p2 in itertools.pairwise(xy1):
        for q1, q2 in itertools.pairwise(xy2):
            d, m = _segment_distance(p1, p2, q1, q2)
            if d < best[0]:
                best = (d, _from_xy(origin, m))
    return best


def _segment_distance(
    p1: tuple[float, float],
    p2: tuple[float, float],
    q1: tuple[float, float],
    q2: tuple[float, float],
) -> tuple[float, tuple[float, float]]:
    if _crosses(p1, p2, q1, q2):
        return 0.0, _crossing_point(p1, p2, q1, q2)
    options = [
        (_point_segment(p1, q1, q2), p1),
        (_point_segment(p2, q1, q2), p2),
        (_point_segment(q1, p1, p2), q1),
        (_point_segment(q2, p1, p2), q2),
    ]
    (d, near), at = min(options, key=lambda o: o[0][0])
    return d, ((at[0] + near[0]) / 2, (at[1] + near[1]) / 2)


def _point_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> tuple[float, tuple[float, float]]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    near = (a[0] + t * dx, a[1] + t * dy)
    return math.hypot(p[0] - near[0], p[1] - near[1]), near


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _crosses(p1, p2, q1, q2) -> bool:  # type: ignore[no-untyped-def]
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0) and 0 not in (d1, d2, d3, d4)


def _crossing_point(p1, p2, q1, q2) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    t = d1 / (d1 - d2)
    return p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])


def _cluster(found: list[_Candidate]) -> list[_Candidate]:
    """One candidate per corner: junction nodes within SAME_CORNER_M are the same place."""
    groups: list[list[_Candidate]] = []
    for c in found:
        for group in groups:
            if _metres(Point(c.lat, c.lon), Point(group[0].lat, group[0].lon)) <= SAME_CORNER_M:
                group.append(c)
                break
        else:
            groups.append([c])
    merged = []
    for group in groups:
        zips: Counter[str] = Counter()
        for c in group:
            zips.update(c.zips)
        label = Counter(c.label for c in group).most_common(1)[0][0]
        merged.append(
            _Candidate(
                sum(c.lat for c in group) / len(group),
                sum(c.lon for c in group) / len(group),
                label,
                zips,
            )
        )
    return merged


# Addresses --------------------------------------------------------------------------------


def _address(db: Database, street: str, number: int) -> list[_Candidate]:
    wanted = street_names.split(street)
    found = _address_points(db, wanted, number)
    key = _known_key(db, wanted.key)
    if key is None:
        return _cluster(found)
    rows = db.execute(
        f"SELECT {_COLUMNS}, e.l_from, e.l_to, e.r_from, e.r_to, e.points FROM street_key k "
        "JOIN street_edge e ON e.id = k.edge_id WHERE k.key = :key AND e.ramp = 0 AND ("
        ":n BETWEEN e.l_from AND e.l_to OR :n BETWEEN e.l_to AND e.l_from OR "
        ":n BETWEEN e.r_from AND e.r_to OR :n BETWEEN e.r_to AND e.r_from)",
        {"key": key, "n": number},
    ).fetchall()
    edges = [(_EdgeRow._make(row[:14]), row[14:]) for row in rows]
    for attribute in ("kind", "direction"):
        value = getattr(wanted, attribute)
        if value and any(getattr(e, attribute) == value for e, _ in edges):
            edges = [(e, r) for e, r in edges if getattr(e, attribute) == value]
    if not wanted.direction and any(not e.direction for e, _ in edges):
        edges = [(e, r) for e, r in edges if not e.direction]
    for e, (l_from, l_to, r_from, r_to, points) in edges:
        for side, first, last, zip_code in (
            ("left", l_from, l_to, e.zip_l),
            ("right", r_from, r_to, e.zip_r),
        ):
            fraction = _in_range(number, first, last)
            if fraction is None:
                continue
            line = [Point(lat, lon) for lon, lat in json.loads(points)]
            point = _along(line, fraction, side)
            zips = Counter([zip_code] if zip_code else [])
            found.append(_Candidate(point.lat, point.lon, f"{number} {e.label}", zips))
    return _cluster(found)


def _in_range(number: int, first: int | None, last: int | None) -> float | None:
    """Where `number` falls on a side's range (0 at the from-node, 1 at the to-node)."""
    if first is None or last is None:
        return None
    low, high = min(first, last), max(first, last)
    if not low <= number <= high:
        return None
    if first % 2 == last % 2 and number % 2 != first % 2:
        return None  # odd numbers on one side, even on the other
    if first == last:
        return 0.5
    return (number - first) / (last - first)


def _along(line: list[Point], fraction: float, side: str) -> Point:
    """The point at `fraction` of the line's length, set back SIDE_OFFSET_M to `side`."""
    origin = line[0]
    xy = [_xy(origin, p) for p in line]
    lengths = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(xy)]
    target = fraction * sum(lengths)
    for (a, b), length in zip(itertools.pairwise(xy), lengths, strict=True):
        if target <= length or length == lengths[-1]:
            t = 0.0 if length == 0 else min(target / length, 1.0)
            x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            if length:
                # Left of the direction of travel is (-dy, dx); right is (dy, -dx).
                nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
                sign = 1 if side == "left" else -1
                x, y = x + sign * nx * SIDE_OFFSET_M, y + sign * ny * SIDE_OFFSET_M
            return _from_xy(origin, (x, y))
        target -= length
    return line[-1]


def _address_points(db: Database, wanted: street_names.StreetName, number: int) -> list[_Candidate]:
    """OpenStreetMap house numbers: the number itself, else between its neighbours on the
    same street (N and S Federal are two streets with the same numbers)."""
    key = wanted.key
    if not db.execute("SELECT 1 FROM street_address WHERE key = ? LIMIT 1", [key]).fetchone():
        key = _closest_key(db, key) or key
    rows = db.execute(
        "SELECT number, lat, lon, zip, coalesce(direction, ''), coalesce(kind, '') "
        "FROM street_address WHERE key = ? AND number BETWEEN ? AND ?",
        [key, number - 200, number + 200],
    ).fetchall()
    streets: dict[tuple[str, str], list[tuple[int, float, float, str | None]]] = {}
    for n, lat, lon, zip_code, direction, kind in rows:
        streets.setdefault((direction, kind), []).append((n, lat, lon, zip_code))
    for attribute, index in ((wanted.direction, 0), (wanted.kind, 1)):
        if attribute and any(k[index] == attribute for k in streets):
            streets = {k: v for k, v in streets.items() if k[index] == attribute}
    if not wanted.direction and any(not k[0] for k in streets):
        # "1600 Broadway" is Broadway, not South Broadway: a number written without a
        # direction is on the street whose name has none.
        streets = {k: v for k, v in streets.items() if not k[0]}
    found = []
    for (direction, kind), points in streets.items():
        label = f"{number} {_display(direction, key, kind)}"
        exact = [p for p in points if p[0] == number]
        if exact:
            found += [
                _Candidate(lat, lon, label, Counter([z] if z else [])) for _, lat, lon, z in exact
            ]
            continue
        same_side = [p for p in points if p[0] % 2 == number % 2] or points
        below = max((p for p in same_side if p[0] < number), default=None)
        above = min((p for p in same_side if p[0] > number), default=None)
        if below and above:
            a, b = Point(below[1], below[2]), Point(above[1], above[2])
            if _metres(a, b) <= 1000:
                t = (number - below[0]) / (above[0] - below[0])
                zips = Counter(z for z in (below[3], above[3]) if z)
                found.append(
                    _Candidate(
                        a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon), label, zips
                    )
                )
        elif (near := below or above) and abs(near[0] - number) < 100:
            # The last block of a street: its nearest house number, within the block.
            zips = Counter([near[3]] if near[3] else [])
            found.append(_Candidate(near[1], near[2], label, zips))
    return found


def _display(direction: str | None, key: str, kind: str | None) -> str:
    """ "N Federal Blvd" from its parts (OSM names are long: "North Federal Boulevard")."""
    name = key.upper() if key.startswith(("i-", "hwy")) else key.title()
    name = re.sub(r"(\d)(St|Nd|Rd|Th)\b", lambda m: m.group(1) + m.group(2).lower(), name)
    return " ".join(w for w in (direction, name, (kind or "").title()) if w)


# Choosing ---------------------------------------------------------------------------------


def _choose(
    db: Database,
    candidates: list[_Candidate],
    zip_code: str | None,
    city: str | None,
    near: Point | None,
    home: Point | None,
) -> _Candidate | None:
    if len(candidates) == 1:
        return candidates[0]
    if zip_code or city:
        fitting = [c for c in candidates if _in(db, c, zip_code, city)]
        if len(fitting) == 1:
            return fitting[0]
        if fitting:
            candidates = fitting
    if near is not None:
        ranked = sorted(candidates, key=lambda c: _metres(near, Point(c.lat, c.lon)))
        first = _metres(near, Point(ranked[0].lat, ranked[0].lon))
        second = _metres(near, Point(ranked[1].lat, ranked[1].lon))
        if second >= CLEAR_WINNER * max(first, 200.0):
            return ranked[0]
    if home is not None:
        inside = [c for c in candidates if _metres(home, Point(c.lat, c.lon)) <= HOME_RADIUS_M]
        if len(inside) == 1:
            return inside[0]
    return None


def _in(db: Database, c: _Candidate, zip_code: str | None, city: str | None) -> bool:
    zips = set(c.zips) or {nearest_zip(db, Point(c.lat, c.lon)) or ""}
    if zip_code:
        return zip_code in zips
    marks = ",".join("?" * len(zips))
    row = db.execute(
        f"SELECT 1 FROM zip WHERE zip IN ({marks}) AND city = ? COLLATE NOCASE",
        [*zips, city],
    ).fetchone()
    return row is not None


# Flat-earth geometry for distances under a few kilometres --------------------------------


def _xy(origin: Point, p: Point) -> tuple[float, float]:
    return (
        math.radians(p.lon - origin.lon) * 6_371_008.8 * math.cos(math.radians(origin.lat)),
        math.radians(p.lat - origin.lat) * 6_371_008.8,
    )


def _from_xy(origin: Point, xy: tuple[float, float]) -> Point:
    lat = origin.lat + math.degrees(xy[1] / 6_371_008.8)
    lon = origin.lon + math.degrees(xy[0] / (6_371_008.8 * math.cos(math.radians(origin.lat))))
    return Point(lat, lon)


def _metres(a: Point, b: Point) -> float:
    return math.hypot(*_xy(a, b))
