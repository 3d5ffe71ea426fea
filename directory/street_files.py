"""Reading the street files a county or program can download and keep: Census TIGER/Line
EDGES shapefiles (with FEATNAMES alternate names) and OpenStreetMap extracts.

Both come out as the same `Edge` records — a stretch of named street between two nodes,
with TIGER's address ranges where the file has them — and OSM's house numbers as
`Address` points. Nothing is written here; `streets.import_streets` stores them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directory.types import Problem

# TIGER's MTFCC road classes (S1100 primary … S1780 parking lot road); others are rivers,
# rail lines and boundaries.
_TIGER_ROADS = re.compile(r"^S1[1-7]\d\d$")
# OSM highway values a person could stand on or name as a cross street.
_OSM_ROADS = {
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "pedestrian",
    "service",
    "road",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "busway",
}
_OSM_ALT_NAMES = ("alt_name", "old_name", "official_name", "short_name", "loc_name")
_TIGER_FILE = re.compile(r"^tl_\d{4}_(\d{5})_(edges|featnames)$", re.I)
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,7})")


class StreetFileError(ValueError):
    """A street file that cannot be read; `problems` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) found. Nothing was imported.")


def _broken(path: Path, why: str, row: int | str = "-") -> StreetFileError:
    """The error for one file that cannot be read (nothing is imported)."""
    return StreetFileError([Problem(str(path), row, "-", why)])


@dataclass
class Edge:
    """A stretch of one street between two nodes (street ends or junctions)."""

    names: list[str]  # the primary name first, then alternates
    points: list[tuple[float, float]]  # (lon, lat) from the from-node to the to-node
    from_node: int
    to_node: int
    road: str  # MTFCC or the OSM highway value
    left: tuple[int, int] | None = None  # address range on the left (from, to)
    right: tuple[int, int] | None = None
    zip_left: str | None = None
    zip_right: str | None = None


@dataclass
class Address:
    """One house number on one street, at a point (OSM `addr:*`)."""

    number: int
    street: str
    lon: float
    lat: float
    zip: str | None = None


@dataclass
class StreetData:
    """What one area's files hold."""

    area: str
    source: str  # "tiger" or "osm"
    files: list[str]
    edges: list[Edge] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)


def area_of(paths: Iterable[str | Path]) -> list[tuple[str, str, list[Path]]]:
    """Group the paths given into areas: (area key, source, files).

    A TIGER county's EDGES and FEATNAMES files ("tl_2024_08031_edges.zip",
    "tl_2024_08031_featnames.zip") form one area, "tiger:08031"; each OSM extract is
    its own area, named for its file ("osm:denver"), so importing a newer copy of the
    same file replaces the old one.

    Raises:
        StreetFileError: a path is missing or of a kind that is not a street file.
    """
    groups: dict[str, list[Path]] = defaultdict(list)
    sources: dict[str, str] = {}
    problems = []
    for raw in paths:
        path = Path(raw)
        stem, suffix = _stem(path)
        if not path.exists():
            problems.append(Problem(str(path), "-", "-", "no such file"))
        elif suffix in (".osm", ".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz"):
            key = f"osm:{stem}"
            groups[key].append(path)
            sources[key] = "osm"
        elif suffix in (".zip", ".shp", ".dbf"):
            m = _TIGER_FILE.match(stem)
            key = f"tiger:{m.group(1)}" if m else f"tiger:{stem}"
            if m is None and suffix == ".dbf":
                problems.append(
                    Problem(
                        str(path),
                        "-",
                        "-",
                        "a .dbf alone is read only as a TIGER "
                        "FEATNAMES file named tl_YYYY_SSCCC_featnames.dbf",
                    )
                )
                continue
            groups[key].append(path)
            sources[key] = "tiger"
        else:
            problems.append(
                Problem(
                    str(path),
                    "-",
                    "-",
                    "not a street file: give TIGER/Line EDGES "
                    "(.zip or .shp, FEATNAMES optional) or OpenStreetMap (.osm, .osm.pbf)",
                )
            )
    for key, files in groups.items():
        if sources[key] == "tiger" and not any(_is_edges(f) for f in files):
            problems.append(
                Problem(str(files[0]), "-", "-", "FEATNAMES without the county's EDGES file")
            )
    if problems:
        raise StreetFileError(problems)
    return [(key, sources[key], files) for key, files in groups.items()]


def _stem(path: Path) -> tuple[str, str]:
    name = path.name
    for suffix in (".osm.pbf", ".osm.bz2", ".osm.gz", ".osm", ".pbf", ".zip", ".shp", ".dbf"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)], suffix
    return path.stem, path.suffix.lower()


def _is_edges(path: Path) -> bool:
    stem, suffix = _stem(path)
    return suffix == ".shp" or (suffix == ".zip" and "featnames" not in stem.lower())


def read(area: str, source: str, files: list[Path]) -> StreetData:
    """Everything one area's files hold.

    Raises:
        StreetFileError: a file is damaged or lacks the fields it must have.
    """
    if source == "osm":
        data = StreetData(area, source, [str(f) for f in files])
        for path in files:
            _read_osm(path, data)
        return data
    return _read_tiger(area, files)


# TIGER/Line ------------------------------------------------------------------------------

_TIGER_FIELDS = ("TLID", "MTFCC", "FULLNAME", "TNIDF", "TNIDT")
_RANGE_FIELDS = ("LFROMADD", "LTOADD", "RFROMADD", "RTOADD", "ZIPL", "ZIPR")


def _read_tiger(area: str, files: list[Path]) -> StreetData:
    import shapefile

    data = StreetData(area, "tiger", [str(f) for f in files])
    alternates = _featnames([f for f in files if not _is_edges(f)])
    for path in (f for f in files if _is_edges(f)):
        try:
            reader = shapefile.Reader(str(path))
        except (shapefile.ShapefileException, OSError, ValueError, zipfile.BadZipFile) as error:
            raise _broken(path, f"not a readable shapefile ({error})") from error
        with reader:
            names = [f[0] for f in reader.fields[1:]]
            missing = [f for f in _TIGER_FIELDS if f not in names]
            if missing:
                raise _broken(path, f"not a TIGER/Line EDGES file: no {', '.join(missing)} field")
            wanted = [f for f in (*_TIGER_FIELDS, *_RANGE_FIELDS) if f in names]
            number = 0
            try:
                for item in reader.iterShapeRecords(fields=wanted):
                    number += 1
                    row = item.record.as_dict()
                    edge = _tiger_edge(row, item.shape.points, alternates)
                    if edge is not None:
                        data.edges.append(edge)
            except (shapefile.ShapefileException, ValueError, KeyError, IndexError) as error:
                raise _broken(path, f"damaged record ({error})", number + 1) from error
    return data


def _tiger_edge(
    row: dict[str, Any], points: list[Any], alternates: dict[int, list[str]]
) -> Edge | None:
    name = str(row.get("FULLNAME") or "").strip()
    if not _TIGER_ROADS.match(str(row.get("MTFCC") or "")) or len(points) < 2:
        return None
    tlid = int(row["TLID"])
    names = [n for n in dict.fromkeys([name, *alternates.get(tlid, [])]) if n]
    if not names:
        return None
    return Edge(
        names=names,
        points=[(float(x), float(y)) for x, y, *_ in points],
        # TIGER node ids are negative here so they never meet an OSM node id.
        from_node=-int(row["TNIDF"]),
        to_node=-int(row["TNIDT"]),
        road=str(row["MTFCC"]),
        left=_range(row.get("LFROMADD"), row.get("LTOADD")),
        right=_range(row.get("RFROMADD"), row.get("RTOADD")),
        zip_left=_zip(row.get("ZIPL")),
        zip_right=_zip(row.get("ZIPR")),
    )


def _range(first: Any, last: Any) -> tuple[int, int] | None:
    a, b = _number(first), _number(last)
    return (a, b) if a is not None and b is not None else None


def _number(value: Any) -> int | None:
    m = _LEADING_NUMBER.match(str(value or ""))
    return int(m.group(1)) if m and str(value).strip().isdigit() else None


def _zip(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if re.fullmatch(r"\d{5}", text) else None


def _featnames(files: list[Path]) -> dict[int, list[str]]:
    """TLID → every name FEATNAMES gives it (the primary one included)."""
    import shapefile

    names: dict[int, list[str]] = defaultdict(list)
    for path in files:
        try:
            reader = (
                shapefile.Reader(str(path))
                if path.suffix.lower() == ".zip"
                else shapefile.Reader(dbf=io.BytesIO(path.read_bytes()))
            )
        except (shapefile.ShapefileException, OSError, ValueError, zipfile.BadZipFile) as error:
            raise _broken(path, f"not a readable FEATNAMES table ({error})") from error
        with reader:
            fields = [f[0] for f in reader.fields[1:]]
            if "TLID" not in fields or "FULLNAME" not in fields:
                raise _broken(path, "not a FEATNAMES table: no TLID or FULLNAME")
            for record in reader.iterRecords(fields=["TLID", "FULLNAME"]):
                if record["FULLNAME"]:
                    names[int(record["TLID"])].append(str(record["FULLNAME"]).strip())
    return names


# OpenStreetMap ---------------------------------------------------------------------------


@dataclass
class _Way:
    names: list[str]
    road: str
    nodes: list[tuple[int, float, float]]


def _read_osm(path: Path, data: StreetData) -> None:
    import osmium

    ways: list[_Way] = []
    try:
        for obj in osmium.FileProcessor(
            str(path), osmium.osm.NODE | osmium.osm.WAY
        ).with_locations():
            tags = obj.tags
            if "addr:housenumber" in tags and "addr:street" in tags:
                _osm_address(obj, data)
            if not isinstance(obj, osmium.osm.Way) or tags.get("highway") not in _OSM_ROADS:
                continue
            names = [str(tags[k]) for k in ("name", *_OSM_ALT_NAMES) if k in tags]
            names += [r.strip() for r in str(tags.get("ref", "")).split(";") if r.strip()]
            if not names:
                continue
            nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(nodes) >= 2:
                ways.append(_Way(list(dict.fromkeys(names)), str(tags["highway"]), nodes))
    except RuntimeError as error:  # osmium reports damaged files as RuntimeError
        raise _broken(path, f"not a readable OSM file ({error})") from error
    data.edges.extend(_split_at_junctions(ways))


def _osm_address(obj: Any, data: StreetData) -> None:
    number = _LEADING_NUMBER.match(obj.tags["addr:housenumber"])
    if number is None:
        return
    if obj.is_node():
        lon, lat = obj.location.lon, obj.location.lat
    elif obj.is_way():
        points = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        if not points:
            return
        lon = sum(p[0] for p in points) / len(points)
        lat = sum(p[1] for p in points) / len(points)
    else:
        return
    data.addresses.append(
        Address(
            int(number.group(1)),
            obj.tags["addr:street"],
            lon,
            lat,
            _zip(obj.tags.get("addr:postcode", "")[:5]),
        )
    )


def _split_at_junctions(ways: list[_Way]) -> Iterator[Edge]:
    """OSM ways run through junctions; cut them where another way shares a node, so that
    every edge ends at its junctions as TIGER's do."""
    used = Counter(node for way in ways for node, _, _ in way.nodes)
    for way in ways:
        start = 0
        for i in range(1, len(way.nodes)):
            if i == len(way.nodes) - 1 or used[way.nodes[i][0]] > 1:
                piece = way.nodes[start : i + 1]
                yield Edge(
                    names=way.names,
                    points=[(lon, lat) for _, lon, lat in piece],
                    from_node=piece[0][0],
                    to_node=piece[-1][0],
                    road=way.road,
                )
                start = i
