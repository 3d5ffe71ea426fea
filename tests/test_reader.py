from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from directory import (
    InvalidData,
    export_directory,
    hsds_api,
    import_dataset,
    open_db,
    read,
    search,
    validate,
)
from directory.demo import REFERENCE, load_demo
from tests.conftest import TUCSON, TUCSON_NOW, dump


def service_json(service_id: str = "js-1") -> dict[str, object]:
    """One HSDS 3.1 'full service' object, nested the way the API returns it."""
    return {
        "id": service_id,
        "name": "Rillito Detox",
        "status": "active",
        "organization": {"id": "js-org", "name": "Rillito Health", "description": "Test."},
        "phones": [{"id": f"{service_id}-ph", "number": "520-555-0150"}],
        "schedules": [{"id": f"{service_id}-sch", "byday": "MO,TU,WE,TH,FR,SA,SU",
                       "opens_at": "00:00", "closes_at": "23:59"}],
        "service_at_locations": [{
            "id": f"{service_id}-sal",
            "location": {"id": f"{service_id}-loc", "name": "Rillito", "latitude": 32.28,
                         "longitude": -110.97, "location_type": "physical",
                         "addresses": [{"id": f"{service_id}-ad", "address_1": "1 River Rd",
                                        "city": "Tucson", "state_province": "AZ",
                                        "postal_code": "85705", "country": "US"}]},
        }],
        "capacities": [{"id": f"{service_id}-cap", "available": 3, "maximum": 10,
                        "updated": "2026-11-23T09:30:00-07:00",
                        "unit": {"id": "js-bed", "name": "Bed"}}],
        "attributes": [{"id": f"{service_id}-att", "taxonomy_term": {
            "id": "js-term", "name": "Detox", "taxonomy_detail": {"id": "js-tax", "name": "OE"}}}],
    }  # fmt: skip


def test_csv_folder_rows_remember_their_file_and_line() -> None:
    data = read(TUCSON)
    first = data.tables["service"][0]
    assert (first["_file"], first["_row"], first["id"]) == ("services.csv", 2, "svc-detox")


def test_a_zip_of_the_folder_reads_the_same(tmp_path: Path) -> None:
    archive = tmp_path / "hsds.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in TUCSON.iterdir():
            zf.write(path, f"export/{path.name}")
    assert read(archive).tables == read(TUCSON).tables


@pytest.mark.parametrize("shape", ["list", "page", "ndjson", "single"])
def test_hsds_json_in_every_shape_imports_a_searchable_service(
    db: sqlite_utils.Database, tmp_path: Path, shape: str
) -> None:
    services = [service_json("js-1"), service_json("js-2")]
    path = tmp_path / "services.json"
    if shape == "list":
        path.write_text(json.dumps(services))
    elif shape == "page":
        path.write_text(json.dumps({"total_items": 2, "contents": services}))
    elif shape == "ndjson":
        path.write_text("\n".join(json.dumps(s) for s in services) + "\n")
    else:
        path.write_text(json.dumps(services[0]))
    import_dataset(db, read(path), who="test")
    results = search(db, ["detox"], "85705", at=TUCSON_NOW)
    assert results[0].name == "Rillito Detox"
    assert (results[0].available, results[0].maximum, results[0].open_now) == (3, 10, True)
    assert results[0].address == "1 River Rd, Tucson, AZ 85705"


def test_broken_ndjson_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "services.ndjson"
    path.write_text(json.dumps(service_json()) + "\n{not json\n")
    with pytest.raises(InvalidData) as caught:
        read(path)
    assert str(caught.value.problems[0]).startswith("services.ndjson:2: -: is not valid JSON")


def test_non_utf8_csv_is_reported_not_crashed_on(tmp_path: Path) -> None:
    folder = tmp_path / "latin1"
    folder.mkdir()
    (folder / "services.csv").write_bytes("id,name\ns1,Caf\xe9\n".encode("latin-1"))
    (folder / "locations.csv").write_text("id,latitude,longitude\nl1,91,0\n")
    report = [str(p) for p in validate(read(folder))]
    assert any("services.csv" in line and "is not UTF-8" in line for line in report)
    assert "locations.csv:2: latitude: 91 is out of range (-90 to 90)" in report


def test_a_row_with_more_values_than_the_header_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "ragged"
    folder.mkdir()
    (folder / "services.csv").write_text("id,name\ns1,One,extra\n")
    report = [str(p) for p in validate(read(folder))]
    assert "services.csv:2: -: has more values than the header" in report


def test_a_folder_without_hsds_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InvalidData, match="1 problem"):
        read(tmp_path)


def test_unused_hsds_files_are_listed_as_skipped(official_hsds: Path) -> None:
    assert "contacts.csv" in read(official_hsds / "csv").skipped


def test_a_broken_json_document_is_reported_where_it_breaks(tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    whole = json.dumps([service_json(), service_json()], indent=2)
    path.write_text(whole[: len(whole) * 2 // 3])  # cut off, as a failed download is
    with pytest.raises(InvalidData) as caught:
        read(path)
    problem = str(caught.value.problems[0])
    line = int(re.search(r"at line (\d+), column \d+", problem).group(1))  # type: ignore[union-attr]
    assert line > 1 and problem.startswith(f"services.json:{line}: -: is not valid JSON")


def test_organization_location_and_link_documents_are_read_as_what_they_are(
    tmp_path: Path,
) -> None:
    service = service_json("js-2")
    organization = {
        "id": "org-doc",
        "name": "Rillito Health",
        "website": "https://r.example",
        "services": [{k: v for k, v in service.items() if k != "organization"}],
    }
    location = {
        "id": "loc-doc",
        "name": "Annex",
        "latitude": 32.3,
        "longitude": -110.9,
        "location_type": "physical",
    }
    link = {"id": "sal-doc", "service": {"id": "js-3", "name": "Annex Detox",
                                         "status": "active", "organization_id": "org-doc"},
            "location": {"id": "loc-doc"}}  # fmt: skip
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(json.dumps(d) for d in (organization, location, link)) + "\n")
    data = read(path)
    assert {r["id"] for r in data.tables["organization"]} == {"org-doc"}
    assert {r["id"] for r in data.tables["service"]} == {"js-2", "js-3"}
    assert [r["organization_id"] for r in data.tables["service"] if r["id"] == "js-2"] == [
        "org-doc"
    ]
    assert "loc-doc" in {r["id"] for r in data.tables["location"]}
    links = {(r["id"], r.get("service_id"), r.get("location_id"))
             for r in data.tables["service_at_location"]}  # fmt: skip
    assert ("sal-doc", "js-3", "loc-doc") in links


def test_every_copy_of_a_nested_object_is_read(tmp_path: Path) -> None:
    first, second = service_json("js-4"), service_json("js-5")
    # The same organization twice: the second copy adds an email the first leaves out.
    second["organization"] = {"id": "js-org", "name": "Rillito Health",
                              "email": "info@rillito.example"}  # fmt: skip
    path = tmp_path / "two.json"
    path.write_text(json.dumps([first, second]))
    organization = read(path).tables["organization"]
    assert [(o["id"], o.get("email")) for o in organization] == [("js-org", "info@rillito.example")]
    # Two copies that disagree are reported, not settled by whichever came last.
    second["organization"] = {"id": "js-org", "name": "Someone Else"}
    path.write_text(json.dumps([first, second]))
    with pytest.raises(InvalidData) as caught:
        read(path)
    assert "organization 'js-org' appears twice with different values" in str(
        caught.value.problems[0]
    )


@pytest.mark.parametrize("source", ["tucson", "demo"])
def test_the_same_directory_as_json_and_as_csv_gives_the_same_database(
    source: str, tmp_path: Path, empty_db_template: Path
) -> None:
    """CSV files in, fully nested JSON (as the HSDS API serves it) out, and that JSON in
    again: the two databases hold the same rows — every nested copy of an organization or
    a location read, linked and kept once."""
    folder = TUCSON if source == "tucson" else tmp_path / "demo-csv"
    if source == "demo":
        demo = open_db(tmp_path / "demo.db")
        load_demo(demo, REFERENCE)
        export_directory(demo, folder)
        demo.close()
    from_csv, from_json = (tmp_path / "csv.db", tmp_path / "json.db")
    shutil.copyfile(empty_db_template, from_csv)
    shutil.copyfile(empty_db_template, from_json)
    first = open_db(from_csv)
    import_dataset(first, read(folder), who="test")
    ids = [row[0] for row in first.execute("SELECT id FROM service ORDER BY id")]
    documents = tmp_path / "services.ndjson"
    documents.write_text(
        "".join(json.dumps(s) + "\n" for s in hsds_api.nested_services(first, ids))
    )
    second = open_db(from_json)
    import_dataset(second, read(documents), who="test")
    csv_rows, json_rows = dump(first), dump(second)
    for name in ("change_log", "street_edge", "demo_marker"):
        csv_rows.pop(name, None), json_rows.pop(name, None)
    # The API's last_modified is the later of the data's and the directory's last change.
    modified = [row[1] for row in first.execute("PRAGMA table_info(service)")].index(
        "last_modified"
    )
    for rows in (csv_rows, json_rows):
        rows["service"] = [row[:modified] + row[modified + 1 :] for row in rows["service"]]
    for name in ("search_point", "search_area"):  # numbered in the order rows were written
        csv_rows[name] = sorted(row[1:] for row in csv_rows[name])
        json_rows[name] = sorted(row[1:] for row in json_rows[name])
    # What hangs from no service (an unused taxonomy term, an empty organization) is not
    # in a service's JSON: compare what the services reach.
    for table, sql in REACHED_FROM_SERVICES.items():
        reached = {row[0] for row in first.execute(sql)}
        csv_rows[table] = [row for row in csv_rows[table] if row[0] in reached]
    assert csv_rows == json_rows


REACHED_FROM_SERVICES = {
    "organization": "SELECT organization_id FROM service",
    "location": "SELECT location_id FROM service_at_location",
    "address": "SELECT a.id FROM address a JOIN service_at_location s USING (location_id)",
    "taxonomy_term": "SELECT taxonomy_term_id FROM attribute",
    "taxonomy": "SELECT t.taxonomy_id FROM taxonomy_term t JOIN attribute a "
    "ON a.taxonomy_term_id = t.id",
    "unit": "SELECT unit_id FROM service_capacity",
    "phone": "SELECT id FROM phone WHERE service_id IS NOT NULL OR location_id IN "
    "(SELECT location_id FROM service_at_location) OR service_at_location_id IS NOT NULL "
    "OR organization_id IN (SELECT organization_id FROM service)",
    "language": "SELECT id FROM language WHERE service_id IS NOT NULL OR location_id IN "
    "(SELECT location_id FROM service_at_location) OR phone_id IS NOT NULL",
    "schedule": "SELECT id FROM schedule WHERE service_id IS NOT NULL OR location_id IN "
    "(SELECT location_id FROM service_at_location) OR service_at_location_id IS NOT NULL",
}


def test_what_a_json_document_holds_that_is_not_kept_is_named(
    official_hsds: Path, db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """The spec's own service_full.json, its known faults mended, imports; its contacts,
    languages, funding… are listed as not kept rather than dropped in silence."""
    document = json.loads((official_hsds / "json" / "service_full.json").read_text())

    def mend(value: object) -> None:
        if isinstance(value, dict):
            if value.get("latitude") == 100:
                value.update(latitude=51.5, longitude=-0.1)
            if value.get("available") == 12:
                value["available"] = 8
            if value.get("name") == "Kilogram":
                value.update(name="Bed", scheme=None)
            if isinstance(value.get("number"), str):
                value["number"] = value["number"].strip('"')
            if value.get("extent_type") == "geojson":
                value["extent"] = json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [[[-0.2, 51.4], [0, 51.4], [0, 51.6], [-0.2, 51.4]]],
                    }
                )
            for inner in value.values():
                mend(inner)
        elif isinstance(value, list):
            for inner in value:
                mend(inner)

    mend(document)
    path = tmp_path / "service_full.json"
    path.write_text(json.dumps(document))
    summary = import_dataset(db, read(path), who="test")
    assert summary.counts["service"] == 1 and summary.counts["service_capacity"] == 1
    assert {"contacts (in service)", "funding (in organization)"} <= set(summary.skipped)
    assert summary.counts["language"] >= 1  # kept, wherever they hang
    assert all(w.warning for w in summary.warnings)
