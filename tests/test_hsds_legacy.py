"""Older HSDS (1.x/2.x) CSV: converted on import, and the import says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import directory
from directory.hsds_legacy import conversion
from wayfinder.cli import cli

LEGACY = Path(__file__).parent / "data" / "legacy"

FILES = {
    "organizations.csv": "id,name\norg-1,Old Format Services\n",
    "services.csv": "id,organization_id,name,status\nsvc-1,org-1,Old Format Shelter,active\n",
    "locations.csv": "id,organization_id,name,latitude,longitude\n"
                     "loc-1,org-1,Main site,32.2210,-110.9700\n",
    "services_at_location.csv": "id,service_id,location_id\nsal-1,svc-1,loc-1\n",
    "physical_addresses.csv": "id,location_id,address_1,address_2,address_3,city,"
                              "state_province,postal_code,country\n"
                              "pa-1,loc-1,1 Old Rd,Bldg B,Suite 2,Tucson,AZ,85705,US\n",
    "regular_schedules.csv": "id,service_id,weekday,opens_at,closes_at\n"
                             "rs-1,svc-1,1,09:00,17:00\nrs-2,svc-1,Tuesday,09:00,17:00\n",
}  # fmt: skip


def write(folder: Path) -> Path:
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder


def test_an_hsds_1_folder_is_converted_and_the_import_says_so(tmp_path: Path) -> None:
    folder = write(tmp_path / "old")
    result = CliRunner().invoke(
        cli, ["directory", "import", "--db", str(tmp_path / "w.db"), str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "Converted from an older HSDS: " in result.stderr
    assert "regular_schedules.csv (HSDS 1.x/Ohana) → schedules.csv" in result.stderr
    db = directory.open_db(tmp_path / "w.db")
    assert db.execute("SELECT address_1, address_2, address_type FROM address").fetchone() == (
        "1 Old Rd",
        "Bldg B, Suite 2",
        "physical",
    )
    days = {row[0] for row in db.execute("SELECT byday FROM schedule")}
    assert days == {"MO", "TU"}
    found = directory.search(db, [], "85705")
    assert found and found[0].name == "Old Format Shelter"
    assert found[0].address == "1 Old Rd Bldg B, Suite 2, Tucson, AZ 85705"


def imported(folder: Path, db_path: Path) -> tuple[str, directory.sqlite_utils.Database]:
    result = CliRunner().invoke(cli, ["directory", "import", "--db", str(db_path), str(folder)])
    assert result.exit_code == 0, result.output
    return result.output, directory.open_db(db_path)


@pytest.mark.parametrize(
    ("folder", "says"),
    [("hsds-1.1", "(HSDS 1.x)"), ("hsds-2.0", "(HSDS 2.0)"), ("ohana", "(Ohana)")],
)
def test_an_older_directory_imports_whole_and_says_what_it_converted(
    folder: str, says: str, db_path: Path
) -> None:
    """Fixtures written from the published formats (tests/data/legacy/*/SOURCE.md)."""
    output, db = imported(LEGACY / folder, db_path)
    assert "Imported 9 services" in output and says in output
    # Every service is reachable: a phone, a place or an area, and a need.
    for sid, name in db.execute("SELECT id, name FROM service"):
        phones = db.execute("SELECT count(*) FROM service_phone_link WHERE service_id = ?",
                            [sid]).fetchone()[0]  # fmt: skip
        assert phones, f"{name} has no phone"
        assert db.execute("SELECT count(*) FROM service_need WHERE service_id = ?",
                          [sid]).fetchone()[0], f"{name} has no need"  # fmt: skip
    # Hours given only on a location reach the service there (a temporarily closed
    # service may have none).
    without_hours = [
        name for (name,) in db.execute(
            "SELECT name FROM service s WHERE status = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM service_schedule_link l WHERE l.service_id = s.id)")
    ]  # fmt: skip
    assert without_hours == []
    # Weekday hours fall on weekdays (HSDS 1.1.1 and Ohana: 1 is Monday).
    days = {
        d.lstrip("+-0123456789")  # "1SA": the first Saturday of a month (HSDS 2.0 and 3.x)
        for (byday,) in db.execute("SELECT byday FROM schedule")
        for d in byday.split(",")
    }
    assert days <= {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
    weekday_only = db.execute(
        "SELECT count(*) FROM schedule WHERE opens_at = '08:00' OR opens_at = '09:00'"
    ).fetchone()[0]
    assert weekday_only


@pytest.mark.parametrize("folder", ["hsds-1.1", "hsds-2.0", "ohana"])
def test_the_confidential_shelter_of_an_older_directory_has_no_public_address(
    folder: str, db_path: Path
) -> None:
    _, db = imported(LEGACY / folder, db_path)
    (shelter,) = [sid for sid, name in db.execute("SELECT id, name FROM service")
                  if "domestic" in name.lower()]  # fmt: skip
    details = directory.service_details(db, shelter)
    assert details is not None and details.address is None and details.phones
    assert db.execute("SELECT count(*) FROM confidential_service WHERE service_id = ?",
                      [shelter]).fetchone()[0] == 1  # fmt: skip


@pytest.mark.parametrize("folder", ["hsds-1.1", "ohana"])
def test_programs_are_kept_and_exported(folder: str, db_path: Path, tmp_path: Path) -> None:
    _, db = imported(LEGACY / folder, db_path)
    grouped = db.execute(
        "SELECT p.name, count(*) FROM service s JOIN program p ON p.id = s.program_id GROUP BY p.id"
    ).fetchall()
    assert any(count >= 2 for _, count in grouped)
    directory.export_directory(db, tmp_path / "out")
    exported = (tmp_path / "out" / "programs.csv").read_text()
    assert all(name in exported for name, _ in grouped)
    assert directory.validate(directory.read(tmp_path / "out")) == []


def test_ohana_services_belong_to_their_locations_organization(db_path: Path) -> None:
    _, db = imported(LEGACY / "ohana", db_path)
    mismatched = db.execute(
        "SELECT count(*) FROM service s JOIN service_at_location sal ON sal.service_id = s.id "
        "JOIN location l ON l.id = sal.location_id WHERE l.organization_id != s.organization_id"
    ).fetchone()[0]
    assert mismatched == 0
    assert db.execute("SELECT count(*) FROM service_area").fetchone()[0] >= 9


@pytest.mark.parametrize(
    ("name", "header", "table"),
    [
        ("regular_schedules.csv", ["id", "service_id", "weekday", "opens_at"], "schedule"),
        ("taxonomy.csv", ["taxonomy_id", "name", "parent_id", "parent_name"], "taxonomy_term"),
        ("taxonomy_terms.csv", ["id", "term", "parent_id", "taxonomy"], "taxonomy_term"),
        ("services.csv", ["id", "location_id", "name", "website"], "service"),
        ("mail_addresses.csv", ["id", "location_id", "address_1"], "address"),
    ],
)
def test_older_files_are_known_by_name_and_header(name: str, header: list[str], table: str) -> None:
    found = conversion(name, header)
    assert found is not None and found.table == table


def test_3_1_files_are_not_mistaken_for_older_ones() -> None:
    assert conversion("services.csv", ["id", "organization_id", "name", "status"]) is None
    assert conversion("taxonomy_terms.csv", ["id", "name", "taxonomy_id"]) is None


def test_every_header_problem_is_listed_with_the_other_files_problems(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name\norg-1,Org\n")
    (folder / "services.csv").write_text("id,organization_id,status,status\ns1,org-1,active,\n")
    (folder / "phones.csv").write_text("number,service_id\n303-555-0100,s1\n")
    (folder / "locations.csv").write_text("id,latitude,longitude\nl1,95,0\n")
    report = [str(p) for p in directory.validate(directory.read(folder))]
    assert "services.csv:1: name: the header has no name column" in report
    assert "services.csv:1: status: the header names this column twice" in report
    assert "phones.csv:1: id: the header has no id column" in report
    assert "locations.csv:2: latitude: 95 is out of range (-90 to 90)" in report
    assert not any("services.csv:2: name" in line for line in report)


def test_the_ohana_projects_own_sample_export_imports_as_ohana_meant_it(db_path: Path) -> None:
    """Upstream data nobody here wrote (tests/data/ohana_sample/SOURCE.md)."""
    output, db = imported(Path(__file__).parent / "data" / "ohana_sample", db_path)
    assert "Imported 23 services" in output and "(Ohana)" in output
    located = db.execute(
        "SELECT count(DISTINCT s.id) FROM service s JOIN service_at_location sal "
        "ON sal.service_id = s.id JOIN location l ON l.id = sal.location_id "
        "WHERE l.organization_id = s.organization_id"
    ).fetchone()[0]
    assert located == 23
    hours = db.execute(
        "SELECT DISTINCT byday, opens_at, closes_at FROM schedule ORDER BY byday"
    ).fetchall()
    assert ("MO", "08:00", "17:00") in hours
    assert db.execute("SELECT count(*) FROM service_phone_link").fetchone()[0] >= 22
    ids = [sid for (sid,) in db.execute("SELECT id FROM service")]
    details = [directory.service_details(db, sid) for sid in ids]
    spoken = {lang for found in details if found for lang in found.languages}
    assert {"Spanish", "Tagalog"} <= spoken
