from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import sqlite_utils

import directory
from directory import InvalidData, import_dataset, read, search, set_capacity
from directory.engine import Database, set_schema_version
from tests.conftest import TUCSON, TUCSON_NOW, dump

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL


def copy_fixture(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TUCSON, tmp_path / "hsds"))


def edit_csv(path: Path, row_id: str, **changes: str) -> None:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row in rows:
        if row["id"] == row_id:
            row.update(changes)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


def test_import_writes_services_needs_and_the_search_index(
    tucson_db: sqlite_utils.Database,
) -> None:
    assert services(tucson_db) == 9
    needs = dict(tucson_db.execute("SELECT service_id, need FROM service_need").fetchall())
    assert needs["svc-detox"] == "detox"
    assert needs["svc-text-detox"] == "detox"  # from "medically supervised detoxification"
    sources = dict(tucson_db.execute("SELECT service_id, source FROM service_need").fetchall())
    assert (sources["svc-detox"], sources["svc-text-detox"]) == ("taxonomy", "text")


def test_import_logs_each_created_service(tucson_db: sqlite_utils.Database) -> None:
    created = tucson_db.execute(
        "SELECT count(*) FROM change_log WHERE last_action_type = 'create' AND updated_by = 'test'"
    ).fetchone()[0]
    assert created == 9


def test_reimporting_the_same_data_changes_nothing(tucson_db: sqlite_utils.Database) -> None:
    before = dump(tucson_db)
    summary = import_dataset(tucson_db, read(TUCSON), who="test")
    assert (summary.created, summary.updated) == (0, 0)
    before.pop("change_log")
    after = dump(tucson_db)
    after.pop("change_log")
    assert after == before


def test_reimport_updates_in_place_and_logs_old_to_new(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    folder = copy_fixture(tmp_path)
    edit_csv(folder / "services.csv", "svc-clinic", name="Desert Family Clinic")
    summary = import_dataset(tucson_db, read(folder), who="admin")
    assert (summary.created, summary.updated) == (0, 1)
    assert services(tucson_db) == 9
    assert (
        tucson_db.execute("SELECT name FROM service WHERE id = ?", ["svc-clinic"]).fetchone()[0]
        == "Desert Family Clinic"
    )
    assert tucson_db.execute(
        "SELECT previous_value, replacement_value, updated_by FROM change_log "
        "WHERE resource_id = 'svc-clinic' AND field_name = 'name'"
    ).fetchall() == [("Desert Clinic", "Desert Family Clinic", "admin")]


def test_reimport_replaces_a_services_phones_and_hours(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    folder = copy_fixture(tmp_path)
    edit_csv(folder / "phones.csv", "ph-3", id="ph-3b", number="520-555-0199")
    import_dataset(tucson_db, read(folder), who="admin")
    numbers = [r[0] for r in tucson_db.execute(
        "SELECT number FROM phone WHERE service_id = 'svc-clinic'")]  # fmt: skip
    assert numbers == ["520-555-0199"]


@pytest.mark.parametrize(
    ("file", "row_id", "change", "service"),
    [
        ("phones.csv", "ph-3", {"number": "520-555-0199"}, "svc-clinic"),
        ("addresses.csv", "addr-4", {"address_1": "410 W Prince Rd"}, "svc-text-detox"),
        ("schedules.csv", "sch-3", {"closes_at": "20:00"}, "svc-clinic"),
    ],
    ids=["its phone", "its address", "its hours"],
)
def test_a_change_only_in_a_services_nested_data_is_counted_and_logged(
    tucson_db: sqlite_utils.Database, tmp_path: Path, file: str, row_id: str,
    change: dict[str, str], service: str,
) -> None:  # fmt: skip
    folder = copy_fixture(tmp_path)
    edit_csv(folder / file, row_id, **change)
    summary = import_dataset(tucson_db, read(folder), who="admin")
    assert (summary.created, summary.updated) == (0, 1)
    assert tucson_db.execute(
        "SELECT resource_id, field_name, updated_by FROM change_log "
        "WHERE last_action_type = 'update' AND resource_type = 'service'"
    ).fetchall() == [(service, "details", "admin")]


def test_an_older_count_in_a_bulk_file_does_not_undo_a_newer_text_update(
    tucson_db: sqlite_utils.Database,
) -> None:
    set_capacity(tucson_db, "svc-detox", 1, who="staff", at=TUCSON_NOW)
    import_dataset(tucson_db, read(TUCSON), who="nightly")
    assert search(tucson_db, ["detox"], "85705", at=TUCSON_NOW)[0].available == 1


def test_one_invalid_row_aborts_the_whole_import_and_changes_nothing(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    folder = copy_fixture(tmp_path)
    edit_csv(folder / "services.csv", "svc-clinic", name="Renamed")
    edit_csv(folder / "locations.csv", "loc-4", latitude="100")
    before = dump(tucson_db)
    with pytest.raises(InvalidData) as caught:
        import_dataset(tucson_db, read(folder), who="admin")
    assert [str(p) for p in caught.value.problems] == [
        "locations.csv:5: latitude: 100 is out of range (-90 to 90)"
    ]
    assert dump(tucson_db) == before


def test_a_failed_first_import_leaves_an_empty_directory(
    db: sqlite_utils.Database, official_hsds: Path
) -> None:
    before = dump(db)
    with pytest.raises(InvalidData):
        import_dataset(db, read(official_hsds / "csv"), who="admin")
    assert dump(db) == before


def test_references_may_point_to_rows_already_imported(
    tucson_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "services.csv").write_text(
        "id,organization_id,name,status,description\n"
        "svc-new,org-1,Santa Cruz Sobering Center,active,A place to sober up safely.\n"
    )
    (extra / "service_at_location.csv").write_text(
        "id,service_id,location_id\nsal-new,svc-new,loc-2\n"
    )
    import_dataset(tucson_db, read(extra), who="admin")
    assert search(tucson_db, ["sobering"], "85701", at=TUCSON_NOW)[0].name == (
        "Santa Cruz Sobering Center"
    )


def test_a_newer_schema_version_is_refused(db_path: Path) -> None:
    db = directory.open_db(db_path)
    set_schema_version(db, 999)
    db.close()
    with pytest.raises(RuntimeError, match="newer than this Wayfinder"):
        directory.open_db(db_path)


@pytest.mark.sqlite_only
def test_database_uses_wal_and_a_busy_timeout(db: sqlite_utils.Database) -> None:
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def services(database: Database) -> int:
    return int(database.execute("SELECT count(*) FROM service").fetchone()[0])
