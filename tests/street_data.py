"""Small street files in the real formats, written with the libraries that read them:
a TIGER/Line county (EDGES shapefile zipped as the Census publishes it, and FEATNAMES)
with pyshp, and OpenStreetMap extracts with pyosmium.

The TIGER county is a corner of Tucson around the Tucson fixture's services: Speedway
and Grant crossing Oracle and Stone, I-10 passing over Speedway without a shared node,
N Stone Ave with address ranges, and a "Main St & Elm St" that exists in Tucson and in
Flagstaff too.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import shapefile

SPEEDWAY = 32.2365
GRANT = 32.2505
ORACLE = -110.9780
STONE = -110.9700
STONE_1500 = 32.2435  # the node where N Stone Ave's 1000 block range ends
FLAGSTAFF_MAIN_ELM = (35.1983, -111.6513)
TUCSON_MAIN_ELM = (32.2700, -110.9500)


@dataclass
class TigerEdge:
    tlid: int
    name: str
    points: list[tuple[float, float]]  # (lat, lon)
    from_node: int
    to_node: int
    mtfcc: str = "S1400"
    left: tuple[str, str] = ("", "")
    right: tuple[str, str] = ("", "")
    zip_left: str = ""
    zip_right: str = ""


def tucson_edges() -> list[TigerEdge]:
    """Street segments of the fixture county; node ids are TIGER's TNIDs."""
    w, e, s, n = -110.9900, -110.9600, 32.2300, 32.2600
    z = "85705"
    sw, so, ss = (SPEEDWAY, w), (SPEEDWAY, ORACLE), (SPEEDWAY, STONE)
    # fmt: off
    return [
        TigerEdge(1, "W Speedway Blvd", [sw, so], 106, 101, zip_left=z),
        TigerEdge(2, "W Speedway Blvd", [so, ss], 101, 102, zip_left=z),
        TigerEdge(3, "E Speedway Blvd", [ss, (SPEEDWAY, e)], 102, 107, zip_left="85719"),
        TigerEdge(4, "N Oracle Rd", [(s, ORACLE), (SPEEDWAY, ORACLE)], 108, 101),
        TigerEdge(5, "N Oracle Rd", [(SPEEDWAY, ORACLE), (GRANT, ORACLE)], 101, 103),
        TigerEdge(6, "N Oracle Rd", [(GRANT, ORACLE), (n, ORACLE)], 103, 112),
        TigerEdge(7, "N Stone Ave", [(s, STONE), (SPEEDWAY, STONE)], 109, 102,
                  left=("801", "999"), right=("800", "998"), zip_left=z, zip_right=z),
        # Going north, odd numbers on the left (west), even on the right (east).
        TigerEdge(8, "N Stone Ave", [(SPEEDWAY, STONE), (STONE_1500, STONE)], 102, 105,
                  left=("1001", "1499"), right=("1000", "1498"), zip_left=z, zip_right=z),
        TigerEdge(9, "N Stone Ave", [(STONE_1500, STONE), (GRANT, STONE)], 105, 104,
                  left=("1501", "1999"), right=("1500", "1998"), zip_left=z, zip_right=z),
        TigerEdge(10, "N Stone Ave", [(GRANT, STONE), (n, STONE)], 104, 113),
        TigerEdge(11, "W Grant Rd", [(GRANT, w), (GRANT, ORACLE)], 110, 103),
        TigerEdge(12, "W Grant Rd", [(GRANT, ORACLE), (GRANT, STONE)], 103, 104),
        TigerEdge(13, "E Grant Rd", [(GRANT, STONE), (GRANT, e)], 104, 111),
        # I-10 passes over Speedway: no shared node.
        TigerEdge(14, "I- 10", [(32.2300, -110.9880), (32.2450, -110.9860)], 120, 121, "S1100"),
        TigerEdge(15, "Rillito River", [(32.2400, -110.9900), (32.2400, -110.9600)], 150, 151,
                  "H3010"),
        # Main St & Elm St in two towns.
        TigerEdge(20, "Main St", [(TUCSON_MAIN_ELM[0], -110.9550), TUCSON_MAIN_ELM], 130, 131,
                  zip_left="85716", zip_right="85716"),
        TigerEdge(21, "Elm St", [(32.2650, -110.9500), TUCSON_MAIN_ELM], 132, 131,
                  zip_left="85716", zip_right="85716"),
        TigerEdge(22, "Main St", [(FLAGSTAFF_MAIN_ELM[0], -111.6560), FLAGSTAFF_MAIN_ELM],
                  140, 141, zip_left="86001", zip_right="86001"),
        TigerEdge(23, "Elm St", [(35.1950, -111.6513), FLAGSTAFF_MAIN_ELM], 142, 141,
                  zip_left="86001", zip_right="86001"),
    ]
    # fmt: on


FEATNAMES = {4: ["State Rte 77"], 5: ["State Rte 77"], 6: ["State Rte 77"]}


def write_tiger(
    folder: Path,
    edges: list[TigerEdge] | None = None,
    county: str = "04019",
    featnames: dict[int, list[str]] | None = None,
) -> list[Path]:
    """The county's EDGES and FEATNAMES files, zipped as the Census publishes them."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"tl_2024_{county}_edges"
    with shapefile.Writer(str(folder / stem), shapeType=shapefile.POLYLINE) as w:
        w.field("TLID", "N", 10)
        w.field("MTFCC", "C", 5)
        w.field("FULLNAME", "C", 100)
        for name in ("LFROMADD", "LTOADD", "RFROMADD", "RTOADD"):
            w.field(name, "C", 12)
        w.field("ZIPL", "C", 5)
        w.field("ZIPR", "C", 5)
        w.field("TNIDF", "N", 10)
        w.field("TNIDT", "N", 10)
        for edge in tucson_edges() if edges is None else edges:
            w.line([[(lon, lat) for lat, lon in edge.points]])
            w.record(edge.tlid, edge.mtfcc, edge.name, *edge.left, *edge.right,
                     edge.zip_left, edge.zip_right, edge.from_node, edge.to_node)  # fmt: skip
    (folder / f"{stem}.prj").write_text('GEOGCS["GCS_North_American_1983"]')
    (folder / f"{stem}.cpg").write_text("UTF-8")
    edges_zip = folder / f"{stem}.zip"
    with zipfile.ZipFile(edges_zip, "w") as archive:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            archive.write(folder / f"{stem}{suffix}", f"{stem}{suffix}")
            (folder / f"{stem}{suffix}").unlink()
    names_stem = f"tl_2024_{county}_featnames"
    with (folder / f"{names_stem}.dbf").open("wb") as stream, shapefile.Writer(dbf=stream) as w:
        w.field("TLID", "N", 10)
        w.field("FULLNAME", "C", 100)
        for tlid, names in (FEATNAMES if featnames is None else featnames).items():
            for name in names:
                w.record(tlid, name)
    names_zip = folder / f"{names_stem}.zip"
    with zipfile.ZipFile(names_zip, "w") as archive:
        archive.write(folder / f"{names_stem}.dbf", f"{names_stem}.dbf")
    (folder / f"{names_stem}.dbf").unlink()
    return [edges_zip, names_zip]


def write_osm(path: Path) -> Path:
    """A small OSM extract: Broadway and Colfax crossing at a shared node, an unnamed
    footway, and house numbers along Colfax (`addr:*`). `.osm` or `.osm.pbf` by name."""
    import osmium

    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        nodes = {
            1: (39.7300, -104.9875), 2: (39.7401, -104.9875), 3: (39.7500, -104.9875),
            4: (39.7401, -105.0000), 5: (39.7401, -104.9700), 6: (39.7350, -104.9800),
        }  # fmt: skip
        for key, (lat, lon) in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=key, location=(lon, lat)))
        # House numbers on E Colfax: 100 every ~116 m east of Broadway, even on the north.
        for i, number in enumerate(range(0, 1100, 100)):
            lon = -104.9875 + number / 100 * 0.001165
            writer.add_node(osmium.osm.mutable.Node(
                id=100 + i, location=(lon, 39.7402),
                tags={"addr:housenumber": str(number), "addr:street": "East Colfax Avenue",
                      "addr:postcode": "80203"}))  # fmt: skip
        ways = [
            ([1, 2, 3], {"highway": "primary", "name": "Broadway"}),
            ([4, 2], {"highway": "primary", "name": "West Colfax Avenue"}),
            ([2, 5], {"highway": "primary", "name": "East Colfax Avenue", "alt_name": "US 40"}),
            ([6, 2], {"highway": "footway"}),
        ]
        for number, (ids, tags) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=number, nodes=ids, tags=tags))
    finally:
        writer.close()
    return path
