"""The demo area's street file: the main Denver streets officers name, in OSM format.

`demo/denver-streets.osm` is written by this module (`python -m directory.demo_streets`) from
the approximate courses below, so that it can be read, checked and regenerated rather
than edited by hand. Surface streets share a node where they cross, as in OpenStreetMap;
I-25 shares none (it passes over or under them), so "colfax and i-25" is found by the
near-crossing rule. House numbers follow Denver's grid — Broadway is 0 east-west,
Ellsworth Avenue 0 north-south, 100 numbers a block — at the start of every block on
both sides, tagged `addr:*` as mappers do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

ELLSWORTH = 39.7165  # latitude of Denver's north/south address line
BROADWAY = -104.9875  # longitude of its east/west address line
NORTH_PER_100 = (39.7401 - ELLSWORTH) / 15  # Colfax is 1500 north
SOUTH_PER_100 = (ELLSWORTH - 39.6784) / 21  # Evans is 2100 south
EAST_PER_100 = (-104.9409 - BROADWAY) / 40  # Colorado Blvd is 4000 east
WEST_PER_100 = (BROADWAY - -105.0250) / 30  # Federal is 3000 west
SIDE = 0.00012  # how far a house number sits from the centre line (about 10-13 m)

Course = list[tuple[float, float]]  # (lat, lon) points


@dataclass
class Street:
    course: Course
    highway: str
    # name for a point: streets change name where they cross the address lines
    name: Callable[[float, float], str]
    ref: str | None = None
    numbered: str | None = None  # "ns" (numbered by latitude), "ew" (by longitude)


def _ns(north: str, south: str) -> Callable[[float, float], str]:
    return lambda lat, lon: north if lat >= ELLSWORTH else south


def _ew(east: str, west: str) -> Callable[[float, float], str]:
    return lambda lat, lon: east if lon >= BROADWAY else west


def _line_ns(lon: float, south: float = 39.6650, north: float = 39.7700) -> Course:
    return [(south, lon), (ELLSWORTH, lon), (north, lon)]


def _line_ew(lat: float, west: float = -105.0400, east: float = -104.9250) -> Course:
    return [(lat, west), (lat, BROADWAY), (lat, east)]


STREETS = [
    Street(_line_ns(BROADWAY), "primary", _ns("Broadway", "South Broadway"), numbered="ns"),
    Street(
        _line_ns(-104.9858),
        "secondary",
        _ns("Lincoln Street", "South Lincoln Street"),
        numbered="ns",
    ),
    Street(
        _line_ns(-105.0250, north=39.7900),
        "primary",
        _ns("North Federal Boulevard", "South Federal Boulevard"),
        numbered="ns",
    ),
    Street(
        _line_ns(-104.9409),
        "primary",
        _ns("North Colorado Boulevard", "South Colorado Boulevard"),
        numbered="ns",
    ),
    Street(
        _line_ew(39.7401), "primary", _ew("East Colfax Avenue", "West Colfax Avenue"), numbered="ew"
    ),
    Street(
        _line_ew(39.7113),
        "primary",
        _ew("East Alameda Avenue", "West Alameda Avenue"),
        numbered="ew",
    ),
    Street(
        _line_ew(39.6784), "secondary", _ew("East Evans Avenue", "West Evans Avenue"), numbered="ew"
    ),
    Street(
        [
            (39.7365, -104.9985),
            (39.7255, -104.9985),
            (ELLSWORTH, -104.9986),
            (39.7113, -104.9987),
            (39.6950, -104.9990),
            (39.6784, -104.9985),
            (39.6650, -105.0000),
        ],
        "primary",
        _ns("Santa Fe Drive", "South Santa Fe Drive"),
        numbered="ns",
    ),
    Street(
        [
            (39.7175, -104.9730),
            (39.7234, -104.9875),
            (39.7260, -104.9920),
            (39.7330, -104.9985),
            (39.7405, -105.0040),
            (39.7590, -105.0250),
        ],
        "primary",
        lambda lat, lon: "Speer Boulevard",
    ),
    Street(
        [(39.7424, BROADWAY), (39.7530, -105.0003)], "pedestrian", lambda lat, lon: "16th Street"
    ),
    Street(
        [
            (39.6650, -104.9200),
            (39.6784, -104.9360),
            (39.6800, -104.9409),
            (39.6835, -104.9590),
            (39.6930, -104.9730),
            (39.6985, -104.9875),
            (39.7020, -104.9990),
            (39.7113, -105.0050),
            (39.7255, -105.0110),
            (39.7401, -105.0160),
            (39.7530, -105.0135),
            (39.7650, -105.0180),
            (39.7770, -105.0250),
            (39.7850, -105.0300),
        ],
        "motorway",
        lambda lat, lon: "Valley Highway",
        ref="I 25",
    ),
]


def crossing(
    a1: tuple[float, float],
    a2: tuple[float, float],
    b1: tuple[float, float],
    b2: tuple[float, float],
) -> tuple[float, float, float] | None:
    """Where segment a crosses segment b: (t along a, lat, lon), or None."""
    (y1, x1), (y2, x2), (y3, x3), (y4, x4) = a1, a2, b1, b2
    d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if d == 0:
        return None
    t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d
    u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d
    if 0 <= t <= 1 and 0 <= u <= 1:
        return t, y1 + t * (y2 - y1), x1 + t * (x2 - x1)
    return None


def build() -> tuple[
    dict[int, tuple[float, float, dict[str, str]]], list[tuple[list[int], dict[str, str]]]
]:
    """Nodes (id → lat, lon, tags) and ways (node ids, tags) of the demo streets."""
    nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
    next_id = iter(range(1, 10**6))

    def node(lat: float, lon: float, tags: dict[str, str] | None = None) -> int:
        if not tags:
            for key, (nlat, nlon, _) in nodes.items():
                if abs(nlat - lat) < 1e-7 and abs(nlon - lon) < 1e-7:
                    return key
        key = next(next_id)
        nodes[key] = (round(lat, 7), round(lon, 7), tags or {})
        return key

    # Points along each street: its own vertices plus where it crosses another surface
    # street (shared), ordered along the course.
    points: list[list[tuple[int, float, float, float]]] = []  # (segment, t, lat, lon)
    for street in STREETS:
        course = street.course
        found = [(i, 0.0, lat, lon) for i, (lat, lon) in enumerate(course)]
        for other in STREETS:
            if other is street or "motorway" in (street.highway, other.highway):
                continue
            for i in range(len(course) - 1):
                for j in range(len(other.course) - 1):
                    hit = crossing(course[i], course[i + 1], other.course[j], other.course[j + 1])
                    if hit:
                        found.append((i, hit[0], hit[1], hit[2]))
        points.append(sorted(found))
    ways: list[tuple[list[int], dict[str, str]]] = []
    way_nodes: list[list[tuple[int, float, float]]] = []
    for street, along in zip(STREETS, points, strict=True):
        ids: list[int] = []
        for _, _, lat, lon in along:
            key = node(lat, lon)
            if not ids or ids[-1] != key:
                ids.append(key)
        way_nodes.append([(k, nodes[k][0], nodes[k][1]) for k in ids])
        # One way per name: split where the name changes (at the address lines).
        current: list[int] = []
        current_name = None
        for k in ids:
            lat, lon, _ = nodes[k]
            name = street.name(lat, lon)
            if current_name is not None and name != current_name:
                ways.append(([*current, k], _tags(street, current_name)))
                current = []
            current.append(k)
            current_name = name
        if len(current) > 1:
            ways.append((current, _tags(street, str(current_name))))
    for street in STREETS:
        if street.numbered:
            _house_numbers(street, node)
    return nodes, ways


def _tags(street: Street, name: str) -> dict[str, str]:
    tags = {"highway": street.highway, "name": name}
    if street.ref:
        tags["ref"] = street.ref
    return tags


def _house_numbers(street: Street, node: Callable[..., int]) -> None:
    """Block-start house numbers on both sides: even on the east or north side."""
    course = street.course
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(course):
        for hundred in range(0, 6000, 100):
            for number in (hundred, hundred + 1):
                where = position(street.numbered or "", number, lat1, lon1, lat2, lon2)
                if where is None:
                    continue
                lat, lon = where
                side = SIDE if number % 2 == 0 else -SIDE
                if street.numbered == "ns":
                    lon += side
                else:
                    lat += side
                name = street.name(lat, lon)
                node(lat, lon, {"addr:housenumber": str(number), "addr:street": name})


def position(
    numbered: str, number: int, lat1: float, lon1: float, lat2: float, lon2: float
) -> tuple[float, float] | None:
    """Where `number` falls on this segment of a street numbered by the Denver grid."""
    if numbered == "ns":
        north = min(lat1, lat2) >= ELLSWORTH  # courses have a vertex on the address line
        target = ELLSWORTH + number / 100 * (NORTH_PER_100 if north else -SOUTH_PER_100)
        low, high = sorted((lat1, lat2))
        if low <= target <= high and lat1 != lat2:
            t = (target - lat1) / (lat2 - lat1)
            return target, lon1 + t * (lon2 - lon1)
        return None
    east = min(lon1, lon2) >= BROADWAY
    target = BROADWAY + number / 100 * (EAST_PER_100 if east else -WEST_PER_100)
    low, high = sorted((lon1, lon2))
    if low <= target <= high and lon1 != lon2:
        t = (target - lon1) / (lon2 - lon1)
        return lat1 + t * (lat2 - lat1), target
    return None


def write(path: Path) -> None:
    """Write the demo streets as an OSM XML file with pyosmium."""
    import osmium

    nodes, ways = build()
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        for key in sorted(nodes):
            lat, lon, tags = nodes[key]
            writer.add_node(osmium.osm.mutable.Node(id=key, location=(lon, lat), tags=tags))
        for number, (ids, tags) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=number, nodes=ids, tags=tags))
    finally:
        writer.close()


def demo_file() -> Path:
    return Path(str(files("directory").joinpath("demo/denver-streets.osm")))


if __name__ == "__main__":
    write(demo_file())
    print(f"wrote {demo_file()}")
