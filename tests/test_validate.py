from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from directory import InvalidData, export_directory, import_dataset, read, validate


def problems_in(tmp_path: Path, files: dict[str, str]) -> list[str]:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return [str(p) for p in validate(read(folder))]


ORG = "id,name\norg-1,Org\n"
SERVICE = "id,organization_id,name,status\nsvc-1,org-1,Detox,active\n"


def test_the_official_examples_known_defects_are_all_reported(official_hsds: Path) -> None:
    report = "\n".join(str(p) for p in validate(read(official_hsds / "csv")))
    for expected in [
        "locations.csv:2: latitude: 100 is out of range (-90 to 90)",
        "locations.csv:2: organization_id: refers to organization '985e4a42-bd9f-4edc-911d-"
        "0243a4640aca', which does not exist",
        "phones.csv:2: number: '\"+44 1234 234567\"' is not a phone number",
        "service_capacity.csv:2: available: 12 is more than the maximum 10",
        "units.csv:2: name: 'Kilogram' measures a quantity; a capacity unit must count places",
    ]:
        assert expected in report


def test_the_official_json_example_reports_the_same_defects(official_hsds: Path) -> None:
    report = "\n".join(str(p) for p in validate(read(official_hsds / "json" / "service_full.json")))
    assert "service_full.json:1: location.latitude: 100 is out of range" in report
    assert (
        "service_full.json:1: service_capacity.available: 12 is more than the maximum 10" in report
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"locations.csv": "id,latitude,longitude\nl1,39.7,-200\n"},
         "locations.csv:2: longitude: -200 is out of range (-180 to 180)"),
        ({"services.csv": "id,organization_id,name,status\nsvc-1,org-9,Detox,active\n"},
         "services.csv:2: organization_id: refers to organization 'org-9', which does not exist"),
        ({"organizations.csv": ORG, "services.csv": SERVICE,
          "service_capacity.csv": "id,service_id,unit_id,available,maximum,updated\n"
                                  "c1,svc-1,u1,-3,10,2026-01-01T00:00:00Z\n",
          "units.csv": "id,name\nu1,Bed\n"},
         "service_capacity.csv:2: available: -3 is negative"),
        ({"organizations.csv": ORG, "services.csv": SERVICE,
          "service_capacity.csv": "id,service_id,unit_id,available,maximum,updated\n"
                                  "c1,svc-1,u1,3,10,last tuesday\n",
          "units.csv": "id,name\nu1,Bed\n"},
         "service_capacity.csv:2: updated: 'last tuesday' is not a date and time (ISO 8601)"),
        ({"organizations.csv": ORG, "services.csv": SERVICE,
          "schedules.csv": "id,service_id,opens_at,closes_at\ns1,svc-1,8am,17:00\n"},
         "schedules.csv:2: opens_at: '8am' is not a time of day (expected HH:MM or HH:MM:SS)"),
        ({"organizations.csv": ORG, "services.csv": SERVICE,
          "schedules.csv": "id,service_id,byday,opens_at,closes_at\ns1,svc-1,MON,08:00,17:00\n"},
         "schedules.csv:2: byday: 'MON' is not a weekday (MO, TU, WE, TH, FR, SA, SU)"),
        ({"organizations.csv": ORG,
          "services.csv": "id,organization_id,name,status\nsvc-1,org-1,Detox,open\n"},
         "services.csv:2: status: 'open' is not a known status "
         "(active, inactive, defunct, temporarily closed)"),
        ({"organizations.csv": ORG + "org-1,Again\n"},
         "organizations.csv:3: id: 'org-1' appears twice in the organization rows"),
        ({"organizations.csv": "id,name\norg-1,\n"}, "organizations.csv:2: name: is required"),
        ({"units.csv": "id,name,scheme\nu1,Bed,SI\n"},
         "units.csv:2: scheme: 'SI' is a system of measures; a capacity unit counts places "
         "(leave the scheme empty, or name the scheme your beds are counted in)"),
    ],
    ids=["longitude", "missing-reference", "negative-capacity", "bad-datetime", "bad-time",
         "bad-weekday", "unknown-status", "duplicate-id", "required", "unit-scheme"],
)  # fmt: skip
def test_each_kind_of_bad_row_is_reported_as_file_row_field_why(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    assert expected in problems_in(tmp_path, files)


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    problems = problems_in(
        tmp_path,
        {"locations.csv": "id,latitude,longitude\nl1,91,0\nl2,0,181\nl3,-91,-181\n"},
    )
    assert len(problems) == 4


def test_an_api_page_naming_an_organization_outside_it_imports_with_a_warning(
    official_hsds: Path, db: Any
) -> None:
    page = read(official_hsds / "json" / "service_list.json")
    (warning,) = validate(page)
    assert warning.warning
    assert str(warning).startswith("warning: service_list.json:1: organization.parent_organization")
    assert "which is not in the file" in str(warning)
    summary = import_dataset(db, page, who="test")
    assert summary.counts["service"] == 1 and summary.warnings == [warning]


def test_strict_makes_a_reference_outside_the_file_an_error(official_hsds: Path, db: Any) -> None:
    page = read(official_hsds / "json" / "service_list.json")
    (problem,) = validate(page, strict=True)
    assert not problem.warning
    with pytest.raises(InvalidData):
        import_dataset(db, page, who="test", strict=True)
    assert db["service"].count == 0


def test_an_export_never_refers_to_an_object_it_does_not_hold(
    official_hsds: Path, db: Any, tmp_path: Path
) -> None:
    import_dataset(db, read(official_hsds / "json" / "service_list.json"), who="test")
    export_directory(db, tmp_path / "out")
    assert validate(read(tmp_path / "out")) == []
