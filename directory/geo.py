"""Offline geography: every US ZIP and city (from the `zipcodes` package, GeoNames data,
CC BY 4.0), local places added by admins, distances, and service areas.

Nothing here touches the network: the gazetteer is copied into the database when the
file is created, so a search resolves "80204" or "Aurora, CO" with one indexed lookup.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import fuzz, process, utils

from directory import street_places
from directory.engine import Database
from directory.errors import AmbiguousPlace, UnknownPlace
from directory.transaction import write_transaction
from directory.types import Place, Point

EARTH_RADIUS_KM = 6371.0088

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
    "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
_STATE_BY_NAME = {name.casefold(): code for code, name in STATES.items()}

_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
_COORDS = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def create_gazetteer(db: Database) -> None:
    """Copy every US ZIP code and city into the database (part of the first migration)."""
    import zipcodes  # imported here: loading its data takes a moment, needed once per file

    db.execute(
        """CREATE TABLE zip (zip TEXT PRIMARY KEY, city TEXT NOT NULL, state TEXT NOT NULL,
        county TEXT, timezone TEXT, lat REAL, lon REAL) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL,
        lat REAL NOT NULL, lon REAL NOT NULL, timezone TEXT, zips INTEGER NOT NULL)"""
    )
    db.execute("CREATE INDEX city_name ON city (name COLLATE NOCASE, state)")
    zip_rows = []
    by_city: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        lat, lon = float(z["lat"]), float(z["long"])
        has_point = not (lat == 0 and lon == 0)
        city = z["city"].title() if z["city"].isupper() else z["city"]
        zip_rows.append(
            (
                z["zip_code"],
                city,
                z["state"],
                z["county"],
                z["timezone"] or None,
                lat if has_point else None,
                lon if has_point else None,
            )
        )
        if has_point:
            by_city[(city, z["state"])].append((lat, lon, z["timezone"]))
    db.conn.executemany("INSERT INTO zip VALUES (?, ?, ?, ?, ?, ?, ?)", zip_rows)
    city_rows = []
    for (name, state), points in by_city.items():
        zones = Counter(tz for _, _, tz in points if tz)
        city_rows.append(
            (
                name,
                state,
                sum(p[0] for p in points) / len(points),
                sum(p[1] for p in points) / len(points),
                zones.most_common(1)[0][0] if zones else None,
                len(points),
            )
        )
    db.conn.executemany(
        "INSERT INTO city (name, state, lat, lon, timezone, zips) VALUES (?, ?, ?, ?, ?, ?)",
        city_rows,
    )
    # The package keeps every ZIP it loaded (about 140 MB) for the life of the process; the
    # gazetteer holds them now, and an import that follows needs the memory.
    if getattr(zipcodes, "_zips_cache", None) is not None:
        zipcodes._zips_cache = None


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bounding_box(center: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(lat0, lat1, lon0, lon1) of a box that contains the circle around `center`."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(center.lat)), 0.01)
    dlon = min(math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)), 180.0)
    return center.lat - dlat, center.lat + dlat, center.lon - dlon, center.lon + dlon


def zip_timezone(db: Database, postal_code: str | None) -> str | None:
    """The IANA time zone of a US ZIP (ZIP+4 accepted), or None."""
    match = _ZIP.match((postal_code or "").strip())
    if not match:
        return None
    row = db.execute("SELECT timezone FROM zip WHERE zip = ?", [match.group(1)]).fetchone()
    return row[0] if row else None


def home_state(db: Database) -> str | None:
    """The state that at least two thirds of the directory's addresses are in, if any.

    A directory of one metro area should resolve "Aurora" to its own state without anyone
    having to configure it; a multi-state directory gets no guess.
    """
    rows = db.execute(
        "SELECT upper(state_province), count(*) FROM address "
        "WHERE state_province IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    total = sum(count for _, count in rows)
    if rows and rows[0][0] in STATES and rows[0][1] * 3 >= total * 2:
        return str(rows[0][0])
    return None


def resolve(
    db: Database,
    text: str,
    default_state: str | None = None,
    *,
    zip_code: str | None = None,
    city: str | None = None,
    near: Point | None = None,
    home: Point | None = None,
) -> Place:
    """Turn what someone typed into a point: a ZIP, "lat,lon", a local place, a city, or,
    where street data was imported, an intersection, a street address or a block.

    A ZIP or city named beside the streets (`zip_code`, `city`), then `near` (the
    sender's last place), then `home` (the program's home area) settle which of two
    places with the same street names is meant.

    Args:
        db: the directory, with its gazetteer and any street data.
        text: the place as typed.
        default_state: the state a bare city name is looked for in first.
        zip_code: a ZIP named beside it in the same message.
        city: a city named beside it in the same message.
        near: the sender's last place.
        home: the program's home area.

    Returns:
        A located Place, with the label replies show and its time zone when known.

    Raises:
        AmbiguousPlace: streets that meet in more than one place, nothing to choose by.
        UnknownPlace: with close matches as suggestions when there are any.
    """
    raw = " ".join(text.split())
    if not raw:
        raise UnknownPlace(text)
    if m := _COORDS.match(raw):
        lat, lon = float(m.group(1)), float(m.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UnknownPlace(text)
        return Place("coordinates", text, lat, lon, f"{lat:.4f},{lon:.4f}")
    if m := _ZIP.match(raw):
        row = db.execute(
            "SELECT zip, city, state, timezone, lat, lon FROM zip WHERE zip = ?", [m.group(1)]
        ).fetchone()
        if row is None or row[4] is None:
            raise UnknownPlace(text)
        return Place("zip", text, row[4], row[5], f"{row[0]} ({row[1]}, {row[2]})", *row[:4])
    if place := _local_place(db, raw):
        return place
    if street_places.parse(raw) is not None and street_places.has_streets(db):
        try:
            return street_places.locate(db, raw, zip_code=zip_code, city=city, near=near, home=home)
        except AmbiguousPlace:
            raise
        except UnknownPlace:
            pass  # "Denver at night" is not two streets; try it as a city
    city_name, state = _split_state(raw)
    if found := _city(db, city_name, state, default_state):
        return found
    return _fuzzy(db, text, city_name, state, default_state)


def _local_place(db: Database, raw: str) -> Place | None:
    key = raw.casefold()
    for name, lat, lon, aliases in db.execute("SELECT name, lat, lon, aliases FROM place"):
        if key == name.casefold() or key in (a.casefold() for a in json.loads(aliases)):
            return Place("place", raw, lat, lon, name)
    return None


def _split_state(raw: str) -> tuple[str, str | None]:
    """("Aurora", "CO") from "Aurora, CO", "Aurora CO" or "aurora, colorado"."""
    if "," in raw:
        city, _, tail = raw.rpartition(",")
        tail = tail.strip()
        code = tail.upper() if tail.upper() in STATES else _STATE_BY_NAME.get(tail.casefold())
        return (city.strip(), code) if code else (raw, None)
    words = raw.split()
    for size in (3, 2, 1):
        if len(words) > size:
            tail = " ".join(words[-size:])
            if size == 1 and tail.upper() in STATES:
                return " ".join(words[:-size]), tail.upper()
            if code := _STATE_BY_NAME.get(tail.casefold()):
                return " ".join(words[:-size]), code
    return raw, None


def _city_place(text: str, row: Sequence[Any]) -> Place:
    name, state, lat, lon, tz = row
    return Place("city", text, lat, lon, f"{name}, {state}", None, name, state, tz)


def _city(db: Database, name: str, state: str | None, default_state: str | None) -> Place | None:
    rows = db.execute(
        "SELECT name, state, lat, lon, timezone FROM city WHERE name = ? COLLATE NOCASE "
        "ORDER BY zips DESC",
        [name],
    ).fetchall()
    if not rows:
        return None
    for wanted in (state, None if state else default_state):
        if wanted:
            for row in rows:
                if row[1] == wanted:
                    return _city_place(name if not state else f"{name}, {state}", row)
    if state:
        return None
    return _city_place(name, rows[0])


def _fuzzy(
    db: Database,
    text: str,
    city_name: str,
    state: str | None,
    default_state: str | None,
) -> Place:
    """A misspelt city or local place ("Denvr, CO", "Auroa"): the closest, when clear."""
    choices: dict[str, tuple[str, Any]] = {}
    for name, lat, lon, aliases in db.execute("SELECT name, lat, lon, aliases FROM place"):
        for label in [name, *json.loads(aliases)]:
            choices[label] = ("place", (name, lat, lon))
    scope = state or default_state
    sql = "SELECT name, state, lat, lon, timezone FROM city"
    rows = db.execute(sql + " WHERE state = ?", [scope]) if scope else db.execute(sql)
    for row in rows:
        choices.setdefault(f"{row[0]}, {row[1]}", ("city", row))
    best = process.extract(
        city_name if scope else text,
        {k: k.split(",")[0] if scope else k for k in choices},
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=80,
        limit=3,
    )
    if best and (len(best) == 1 or best[0][1] - best[1][1] >= 5):
        kind, data = choices[best[0][2]]
        if kind == "place":
            return Place("place", text, data[1], data[2], data[0])
        return _city_place(text, data)
    raise UnknownPlace(text, [match[2] for match in best])


def directory_timezone(db: Database) -> str | None:
    """The time zone most of the directory's locations are in, if any is known."""
    row = db.execute(
        "SELECT timezone FROM search_point WHERE timezone IS NOT NULL "
        "GROUP BY timezone ORDER BY count(*) DESC, timezone LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def directory_centre(db: Database) -> Point | None:
    """The middle of the directory's services (the median point), if it has any."""
    count = db.execute("SELECT count(*) FROM search_point").fetchone()[0]
    if not count:
        return None
    middle = [count // 2]
    lat = db.execute("SELECT lat FROM search_point ORDER BY lat LIMIT 1 OFFSET ?", middle)
    lon = db.execute("SELECT lon FROM search_point ORDER BY lon LIMIT 1 OFFSET ?", middle)
    return Point(lat.fetchone()[0], lon.fetchone()[0])


def add_place(db: Database, name: str, lat: float, lon: float, aliases: Iterable[str] = ()) -> None:
    """Add (or replace) a local landmark or neighbourhood people refer to by name."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(
            f"{lat},{lon} is not a valid position (latitude -90…90, longitude -180…180)."
        )
    with write_transaction(db):
        db.execute(
            "INSERT INTO place (name, lat, lon, aliases, created) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, "
            "aliases = excluded.aliases",
            [name, lat, lon, json.dumps(sorted(set(aliases))), datetime.now(UTC).isoformat()],
        )


def geometry_contains(geometry: dict[str, Any], point: Point) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon contains the point (holes excluded)."""
    kind = geometry.get("type")
    polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry.get("coordinates", [])
    if kind not in ("Polygon", "MultiPolygon"):
        return False
    for rings in polygons:
        if rings and _in_ring(rings[0], point) and not any(_in_ring(h, point) for h in rings[1:]):
            return True
    return False


def _in_ring(ring: Sequence[Sequence[float]], point: Point) -> bool:
    inside = False
    x, y = point.lon, point.lat
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def geometry_bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(lat0, lat1, lon0, lon1) of a GeoJSON Polygon or MultiPolygon."""
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [r for poly in geometry["coordinates"] for r in poly]
    )
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    return min(lats), max(lats), min(lons), max(lons)


def parse_geojson(text: str) -> dict[str, Any]:
    """The Polygon/MultiPolygon in a service area's extent (a bare geometry, a Feature or
    a FeatureCollection with one feature).

    Raises:
        ValueError: the text is not GeoJSON of a polygon.
    """
    data = json.loads(text)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise ValueError("a FeatureCollection must hold exactly one feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError("the extent must be a GeoJSON Polygon or MultiPolygon")
    try:
        geometry_bbox(data)
    except (KeyError, TypeError, IndexError, ValueError) as error:
        raise ValueError("the polygon's coordinates are malformed") from error
    return data
