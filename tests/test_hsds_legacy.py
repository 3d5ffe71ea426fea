"""Older HSDS (1.x/2.x) CSV: converted on import, and the import says so."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import directory
from wayfinder.cli import cli

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
                             "rs-1,svc-1,2,09:00,17:00\nrs-2,svc-1,Tuesday,09:00,17:00\n",
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
    assert "regular_schedules.csv (HSDS 1.x/2.x) → schedules.csv" in result.stderr
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
