"""`wayfinder directory import-streets`: TIGER/Line and OpenStreetMap street files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

import directory
from directory.street_files import StreetFileError
from directory.streets import import_streets
from tests.conftest import dump
from tests.street_data import write_osm, write_tiger
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL


def opened(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the database, read through a connection closed straight after."""
    db = directory.open_db(db_path)
    try:
        return dump(db)
    finally:
        db.close()


def run(db_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["directory", "import-streets", "--db", str(db_path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_tiger_county_imports_with_a_summary(db_path: Path, tmp_path: Path) -> None:
    files = write_tiger(tmp_path / "tiger")
    code, out, _ = run(db_path, *map(str, files))
    assert code == 0
    # 7 streets (the river is not one; "State Rte 77" is another name of Oracle), 18 road
    # segments, corners where two streets meet: Speedway and Grant at Oracle and at Stone,
    # and Main & Elm in two towns (I-10 passes over Speedway: no shared corner).
    assert out.strip() == (
        "tiger:04019: 7 streets, 18 street segments, 6 intersections, 6 address ranges."
    )


def test_importing_a_county_again_replaces_its_streets(db_path: Path, tmp_path: Path) -> None:
    files = [str(f) for f in write_tiger(tmp_path / "tiger")]
    run(db_path, *files)
    code, out, _ = run(db_path, *files)
    assert code == 0 and "replacing the earlier import" in out
    db = directory.open_db(db_path)
    assert db.execute("SELECT count(*) FROM street_edge").fetchone()[0] == 18
    db.close()


def test_feature_names_give_a_street_its_other_names(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    import_streets(db, write_tiger(tmp_path / "tiger"))
    rows = db.execute(
        "SELECT key FROM street_key k JOIN street_edge e ON e.id = k.edge_id "
        "WHERE e.name = 'N Oracle Rd'"
    )
    keys = {key for (key,) in rows}
    assert keys == {"oracle", "hwy 77"}


def test_osm_xml_and_pbf_give_the_same_streets(db: sqlite_utils.Database, tmp_path: Path) -> None:
    xml = import_streets(db, [write_osm(tmp_path / "denver.osm")])[0]
    pbf = import_streets(db, [write_osm(tmp_path / "denver.osm.pbf")])[0]
    assert (xml.streets, xml.edges, xml.intersections, xml.addresses) == (2, 4, 1, 11)
    assert (pbf.streets, pbf.edges, pbf.intersections, pbf.addresses) == (2, 4, 1, 11)
    assert {xml.area, pbf.area} == {"osm:denver"}


def test_a_damaged_file_imports_nothing_and_says_which(db_path: Path, tmp_path: Path) -> None:
    good = write_osm(tmp_path / "good.osm")
    bad = tmp_path / "tl_2024_08031_edges.zip"
    bad.write_bytes(b"this is not a zip file")
    before = opened(db_path)
    code, _, err = run(db_path, str(good), str(bad))
    assert code == 1
    assert "tl_2024_08031_edges.zip" in err and "not a readable shapefile" in err
    assert "Nothing was imported." in err
    assert opened(db_path) == before


def test_a_shapefile_that_is_not_tiger_edges_is_refused(db_path: Path, tmp_path: Path) -> None:
    import shapefile

    with shapefile.Writer(str(tmp_path / "parcels"), shapeType=shapefile.POLYLINE) as w:
        w.field("OWNER", "C", 20)
        w.line([[(-110.9, 32.2), (-110.8, 32.2)]])
        w.record("someone")
    code, _, err = run(db_path, str(tmp_path / "parcels.shp"))
    assert code == 1
    assert "not a TIGER/Line EDGES file: no TLID, MTFCC, FULLNAME, TNIDF, TNIDT field" in err


def test_a_file_of_another_kind_is_refused_with_what_to_give(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "streets.geojson"
    path.write_text("{}")
    code, _, err = run(db_path, str(path))
    assert code == 1
    assert "not a street file: give TIGER/Line EDGES (.zip or .shp, FEATNAMES optional) or " \
           "OpenStreetMap (.osm, .osm.pbf)" in err  # fmt: skip


def test_featnames_without_the_edges_file_is_refused(db_path: Path, tmp_path: Path) -> None:
    files = write_tiger(tmp_path / "tiger")
    code, _, err = run(db_path, str(files[1]))
    assert code == 1 and "FEATNAMES without the county's EDGES file" in err


def test_json_output_is_only_json(db_path: Path, tmp_path: Path) -> None:
    code, out, _ = run(db_path, "--json", str(write_osm(tmp_path / "denver.osm")))
    assert code == 0
    assert json.loads(out)[0]["area"] == "osm:denver"


@pytest.mark.parametrize("broken", ["truncated.osm.pbf", "truncated.osm"])
def test_a_truncated_osm_file_imports_nothing(db: sqlite_utils.Database, tmp_path: Path,
                                               broken: str) -> None:  # fmt: skip
    source = write_osm(tmp_path / f"whole.{broken.split('.', 1)[1]}")
    path = tmp_path / broken
    path.write_bytes(source.read_bytes()[: len(source.read_bytes()) // 2])
    with pytest.raises(StreetFileError, match="Nothing was imported"):
        import_streets(db, [path])
    assert db.execute("SELECT count(*) FROM street_edge").fetchone()[0] == 0


def test_the_demo_directory_comes_with_its_streets(demo_db: sqlite_utils.Database) -> None:
    area = demo_db.execute("SELECT area, edges, intersections FROM street_area").fetchone()
    assert area[0] == "osm:denver-streets" and area[1] > 40 and area[2] > 15
