from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils

import directory
from directory import export_directory, import_dataset, read, search
from directory.hsds import TABLES
from tests.conftest import TUCSON, TUCSON_NOW

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL


def test_export_writes_hsds_csv_with_a_datapackage(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_directory(tucson_db, out)
    package = json.loads((out / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    assert {r["name"] for r in package["resources"]} == set(TABLES)
    with open(out / "services.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    assert list(rows[0]) == list(TABLES["service"][1])


def test_export_then_import_gives_the_same_search_results(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    export_directory(tucson_db, tmp_path / "out")
    copy = directory.open_db(tmp_path / "copy.db")
    import_dataset(copy, read(tmp_path / "out"), who="test")
    for needs, near in [
        (["detox"], "85705"),
        (["shelter", "mobile_crisis", "domestic_violence"], "Tucson, AZ"),
        (["shelter"], "80204"),
        ([], "85719"),
    ]:
        expected = [r.as_json() for r in search(tucson_db, needs, near, at=TUCSON_NOW, limit=50)]
        got = [r.as_json() for r in search(copy, needs, near, at=TUCSON_NOW, limit=50)]
        assert got == expected, (needs, near)


def test_export_import_export_changes_no_byte(tmp_path: Path) -> None:
    blind = Path(__file__).parent / "data" / "eligibility_blind" / "directory"
    first = directory.open_db(tmp_path / "first.db")
    import_dataset(first, read(blind), who="test")
    export_directory(first, tmp_path / "one")
    second = directory.open_db(tmp_path / "second.db")
    import_dataset(second, read(tmp_path / "one"), who="test")
    export_directory(second, tmp_path / "two")
    for file_name, _ in TABLES.values():
        assert (tmp_path / "one" / file_name).read_bytes() == (
            tmp_path / "two" / file_name
        ).read_bytes(), file_name
    with open(tmp_path / "one" / "schedules.csv", newline="") as handle:
        zones = {row["timezone"] for row in csv.DictReader(handle)}
    assert zones == {"-7"}  # as the file had it, not -7.0


def test_an_export_never_points_at_rows_it_does_not_contain(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    tucson_db.execute("UPDATE service SET program_id = 'prog-1' WHERE id = 'svc-detox'")
    tucson_db.execute("UPDATE phone SET contact_id = 'contact-1' WHERE id = 'ph-1'")
    tucson_db.execute(
        "INSERT INTO attribute (id, link_id, link_entity, value) "
        "VALUES ('a-prog', 'prog-1', 'program', 'x')"
    )
    export_directory(tucson_db, tmp_path / "out")
    with open(tmp_path / "out" / "services.csv", newline="") as handle:
        assert {row["program_id"] for row in csv.DictReader(handle)} == {""}
    with open(tmp_path / "out" / "phones.csv", newline="") as handle:
        assert {row["contact_id"] for row in csv.DictReader(handle)} == {""}
    assert "a-prog" not in (tmp_path / "out" / "attributes.csv").read_text()


def test_a_bed_counts_time_keeps_its_moment_to_the_fraction_of_a_second(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    folder = Path(shutil.copytree(TUCSON, tmp_path / "in"))
    text = (folder / "service_capacity.csv").read_text()
    first = text.splitlines()[1].split(",")
    stamp = "2026-11-23T18:30:06.5+01:00"  # later than the fixture's count
    first[-1] = stamp
    (folder / "service_capacity.csv").write_text(
        "\n".join([text.splitlines()[0], ",".join(first), *text.splitlines()[2:]]) + "\n"
    )
    import_dataset(tucson_db, read(folder), who="test")
    export_directory(tucson_db, tmp_path / "out")
    with open(tmp_path / "out" / "service_capacity.csv", newline="") as handle:
        exported = {row["id"]: row["updated"] for row in csv.DictReader(handle)}
    assert datetime.fromisoformat(exported[first[0]]) == datetime.fromisoformat(stamp)
