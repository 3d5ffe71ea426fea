"""The public taxonomies' terms (directory/data/taxonomies/) map to need keys: 211 LA /
AIRS codes and names, Open Eligibility names, SAMHSA FindTreatment service codes."""

from __future__ import annotations

import tomllib
from importlib.resources import files

import pytest
import sqlite_utils

import directory
from directory.needs import needs_for_terms
from directory.transaction import write_transaction

FOLDER = files("directory").joinpath("data/taxonomies")
MAPPINGS = sorted(e.name for e in FOLDER.iterdir() if e.name.endswith(".toml"))


def entries(file_name: str, kind: str) -> list[tuple[str, list[str]]]:
    data = tomllib.loads(FOLDER.joinpath(file_name).read_text("utf-8"))
    return list(data.get(kind, {}).items())


def test_there_is_a_mapping_for_each_public_taxonomy() -> None:
    assert MAPPINGS == ["airs_211.toml", "open_eligibility.toml", "samhsa.toml"]


@pytest.mark.parametrize("file_name", MAPPINGS)
def test_every_term_name_of_a_mapping_gives_its_needs(file_name: str) -> None:
    for name, keys in entries(file_name, "names"):
        if keys:
            assert needs_for_terms([name]) == set(keys), name


@pytest.mark.parametrize(("file_name", "kind"), [("airs_211.toml", "codes"),
                                                ("samhsa.toml", "exact_codes")])  # fmt: skip
def test_every_code_of_a_mapping_gives_its_needs_whatever_the_name(
    file_name: str, kind: str
) -> None:
    for code, keys in entries(file_name, kind):
        assert needs_for_terms(["(a name nobody wrote)"], [code]) == set(keys), code


@pytest.mark.parametrize(
    ("name", "code", "needs"),
    [
        ("Food Pantries", "BD-1800.2000", {"food"}),
        ("Mobile Food Pantry", "BD-1800.2000-650", {"food"}),  # a deeper code, its branch
        ("Homeless Shelter", None, {"shelter"}),
        ("Psychiatric Emergency", None, {"crisis_stabilization"}),
        ("Home Delivered Meals", None, {"food"}),
        ("Domestic Violence Shelters", "BH-1800.1500", {"domestic_violence", "shelter"}),
        ("Detoxification", "DT", {"detox"}),
        ("Residential", "RES", {"substance_use_treatment"}),
        ("Methadone Detox", "MD", {"detox"}),
        ("Tax Preparation", "DT-8750", set()),  # not under any branch we map
    ],
)
def test_common_211_and_samhsa_terms(name: str, code: str | None, needs: set[str]) -> None:
    assert needs_for_terms([name], [code]) == needs


def test_an_imported_service_with_a_211_code_serves_its_need(
    tucson_db: sqlite_utils.Database,
) -> None:
    with write_transaction(tucson_db):
        tucson_db.execute(
            "INSERT INTO taxonomy_term (id, code, name) VALUES ('t-211', 'BD-1800.2000-650', "
            "'Mobile Pantry Program')"
        )
        tucson_db.execute(
            "INSERT INTO attribute (id, link_id, taxonomy_term_id, link_entity) "
            "VALUES ('a-211', 'svc-clinic', 't-211', 'service')"
        )
        directory.needs.assign_needs(tucson_db, ["svc-clinic"])
    needs = {n for (n,) in tucson_db.execute(
        "SELECT need FROM service_need WHERE service_id = 'svc-clinic'")}  # fmt: skip
    assert "food" in needs
