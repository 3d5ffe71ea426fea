"""The directory served as an Open Referral HSDS 3.1 API by a real `wayfinder serve`,
checked against the standard's own JSON schemas."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import directory
from tests.conftest import OFFICIAL
from tests.live_server import running_server

BLUEBIRD_SHELTER = "32203154-8c27-5483-b7aa-edb575ffd78c"
HIDDEN_ADDRESS = "17 Quiet Lane"
SAFE_HARBOR = {
    "id": "svc-safe-harbor",
    "name": "Safe Harbor Shelter",
    "status": "active",
    "description": "Emergency shelter for survivors of domestic violence. The address is "
    "given by phone after a short screening.",
    "organization": {"id": "org-safe-harbor", "name": "Safe Harbor", "description": "DV"},
    "phones": [{"id": "ph-safe-harbor", "number": "303-555-0188"}],
    "service_at_locations": [
        {
            "id": "sal-safe-harbor",
            "location": {
                "id": "loc-safe-harbor",
                "location_type": "physical",
                "name": "Safe Harbor House",
                "latitude": 39.751234,
                "longitude": -104.99,
                "transportation": "Two blocks from the 15 bus",
                "addresses": [
                    {
                        "id": "adr-safe-harbor",
                        "address_1": HIDDEN_ADDRESS,
                        "city": "Denver",
                        "state_province": "CO",
                        "postal_code": "80205",
                        "country": "US",
                        "address_type": "physical",
                    }
                ],
            },
        }
    ],
}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, demo_db_path: Path, nlu_model: Path
) -> Iterator[tuple[str, Path]]:
    path = tmp_path_factory.mktemp("hsds") / "served.db"
    shutil.copyfile(demo_db_path, path)
    source = path.with_name("safe-harbor.json")
    source.write_text(json.dumps(SAFE_HARBOR))
    database = directory.open_db(path)
    directory.import_dataset(database, directory.read(source), who="test")
    database.close()
    with running_server(path, {"WAYFINDER_NLU_MODEL": str(nlu_model)}) as base:
        yield base + "/hsds", path


@pytest.fixture(scope="module")
def api(served: tuple[str, Path]) -> str:
    return served[0]


def get(url: str, **params: Any) -> Any:
    reply = httpx.get(url, params=params, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()


def every_page(url: str, **params: Any) -> list[dict[str, Any]]:
    contents, page = [], 1
    while True:
        answer = get(url, page=page, **params)
        contents += answer["contents"]
        if answer["last_page"]:
            return contents
        page += 1


@pytest.fixture(scope="module")
def schemas() -> Any:
    """A validator factory for the standard's object schemas (they refer to each other by
    file name: "phone.json")."""
    if not OFFICIAL.exists():
        pytest.skip("the HSDS 3.1 schemas (../shared/hsds-3.1) are not beside this checkout")
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = OFFICIAL / "schema"
    documents = {
        p.name: json.loads(p.read_text()) for p in folder.glob("*.json") if p.name != "openapi.json"
    }
    registry: Registry = Registry().with_resources(
        (name, Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in documents.items()
    )
    page = json.loads((folder / "openapi.json").read_text())["components"]["schemas"]["Page"]

    def validate(name: str, instance: Any) -> None:
        schema = {"$ref": name} if name.endswith(".json") else page
        Draft202012Validator(schema, registry=registry).validate(instance)

    return validate


def test_the_api_says_what_it_is(api: str) -> None:
    about = get(api + "/")
    assert about["version"] == "3.1"
    assert about["openapi_url"].endswith("openapi.json")
    assert about["profile"].startswith("https://")


def test_pages_walk_through_every_service_once(api: str, served: tuple[str, Path]) -> None:
    database = directory.open_db(served[1])
    stored = {row[0] for row in database.execute("SELECT id FROM service")}
    database.close()
    first = get(api + "/services", per_page=7)
    assert (first["total_items"], first["size"], first["page_number"]) == (len(stored), 7, 1)
    assert first["total_pages"] == -(-len(stored) // 7)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    listed = [s["id"] for s in every_page(api + "/services", per_page=7)]
    assert sorted(listed) == sorted(stored)
    last = get(api + "/services", per_page=7, page=first["total_pages"])
    assert last["last_page"] and not last["first_page"]
    beyond = get(api + "/services", per_page=7, page=first["total_pages"] + 1)
    assert beyond["empty"] and beyond["contents"] == []


def test_every_service_page_and_nested_service_is_valid_hsds(api: str, schemas: Any) -> None:
    for service in every_page(api + "/services", per_page=50):
        schemas("service.json", service)
    page = get(api + "/services", per_page=3)
    schemas("Page", page)
    for listed in every_page(api + "/services", per_page=25, full="true"):
        schemas("service.json", listed)
        assert listed == get(f"{api}/services/{listed['id']}")


def test_a_nested_service_carries_its_bed_count_phones_hours_and_place(api: str) -> None:
    shelter = get(f"{api}/services/{BLUEBIRD_SHELTER}")
    (count,) = shelter["capacities"]
    assert (count["available"], count["maximum"], count["unit"]["name"]) == (3, 28, "Bed")
    assert [p["number"] for p in shelter["phones"]] == ["303-555-0119"]
    assert shelter["schedules"] and shelter["service_areas"]
    assert shelter["organization"]["name"] == "Bluebird House"
    served_with_place = [
        s for s in every_page(api + "/services", per_page=100, full="true")
        if s.get("service_at_locations")
    ]  # fmt: skip
    assert served_with_place
    located = served_with_place[0]["service_at_locations"][0]["location"]
    assert located["addresses"][0]["city"]


def test_organizations_and_taxonomies_are_served_and_valid(api: str, schemas: Any) -> None:
    organizations = every_page(api + "/organizations", per_page=20)
    assert organizations
    for organization in organizations:
        schemas("organization.json", organization)
    one = get(f"{api}/organizations/{organizations[0]['id']}", full_service="true")
    schemas("organization.json", one)
    assert {s["organization_id"] for s in one["services"]} == {organizations[0]["id"]}
    for taxonomy in every_page(api + "/taxonomies"):
        schemas("taxonomy.json", taxonomy)
        assert get(f"{api}/taxonomies/{taxonomy['id']}") == taxonomy
    terms = every_page(api + "/taxonomy_terms")
    assert terms
    for term in terms:
        schemas("taxonomy_term.json", term)
    assert get(f"{api}/taxonomy_terms/{terms[0]['id']}")["name"] == terms[0]["name"]


def test_an_unknown_id_is_404(api: str) -> None:
    for kind in ("services", "organizations", "taxonomies", "taxonomy_terms"):
        reply = httpx.get(f"{api}/{kind}/no-such-id", timeout=30)
        assert reply.status_code == 404, kind


def test_a_confidential_address_is_never_served(api: str) -> None:
    shelter = get(f"{api}/services/{SAFE_HARBOR['id']}")
    assert shelter["phones"][0]["number"] == "303-555-0188"
    (link,) = shelter["service_at_locations"]
    assert link["location"]["name"] == "Safe Harbor House"
    everywhere = [
        httpx.get(f"{api}/services/{SAFE_HARBOR['id']}", timeout=30).text,
        httpx.get(f"{api}/organizations/org-safe-harbor", timeout=30).text,
        httpx.get(f"{api}/organizations/org-safe-harbor?full_service=true", timeout=30).text,
        httpx.get(f"{api}/services?full=true&per_page=1000", timeout=30).text,
    ]
    for text in everywhere:
        assert HIDDEN_ADDRESS not in text
        assert "39.751234" not in text and "15 bus" not in text


def test_filters_by_organization_taxonomy_term_and_words(api: str) -> None:
    shelter = get(f"{api}/services/{BLUEBIRD_SHELTER}")
    mine = every_page(api + "/services", organization_id=shelter["organization_id"])
    assert BLUEBIRD_SHELTER in {s["id"] for s in mine}
    assert {s["organization_id"] for s in mine} == {shelter["organization_id"]}
    term = shelter["attributes"][0]["taxonomy_term"]["id"]
    tagged = every_page(api + "/services", taxonomy_term_id=term, full="true")
    assert BLUEBIRD_SHELTER in {s["id"] for s in tagged}
    assert all(term in {a["taxonomy_term_id"] for a in s["attributes"]} for s in tagged)
    found = every_page(api + "/services", search="domestic violence")
    assert BLUEBIRD_SHELTER in {s["id"] for s in found}
    assert len(found) < get(api + "/services")["total_items"]


def test_modified_after_gives_what_changed_since_even_right_after_a_bed_update(
    api: str, served: tuple[str, Path]
) -> None:
    before = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    assert get(api + "/services", modified_after=before)["total_items"] == 0
    database = directory.open_db(served[1])
    directory.set_capacity(database, BLUEBIRD_SHELTER, 5, who="test")
    database.close()
    changed = get(api + "/services", modified_after=before)
    assert [s["id"] for s in changed["contents"]] == [BLUEBIRD_SHELTER]
    assert changed["contents"][0]["last_modified"] >= before
    (count,) = get(f"{api}/services/{BLUEBIRD_SHELTER}")["capacities"]
    assert count["available"] == 5
    minimal = get(api + "/services", minimal="true", per_page=1000)
    assert set(minimal["contents"][0]) == {"id", "last_modified"}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("page=0", "page"),
        ("per_page=100000", "per_page"),
        ("per_page=ten", "page"),
        ("modified_after=last%20week", "modified_after"),
        ("full=perhaps", "full"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(api: str, query: str, says: str) -> None:
    reply = httpx.get(f"{api}/services?{query}", timeout=30)
    assert reply.status_code == 400
    assert says in reply.json()["error"]


def test_the_api_is_read_only(api: str) -> None:
    for method in ("POST", "PUT", "DELETE"):
        reply = httpx.request(method, f"{api}/services/{BLUEBIRD_SHELTER}", timeout=30)
        assert reply.status_code == 405, method
