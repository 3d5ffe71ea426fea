"""Service areas given only in words are offered to people inside them."""

from __future__ import annotations

import pytest
import sqlite_utils

import directory
from directory import area_words
from directory.importer import rebuild_search_index
from directory.transaction import write_transaction


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Pima County, AZ", [("county", "Pima County", "AZ")]),
        ("Serves Pima County", [("county", "Pima County", "AZ")]),
        (
            "Responds in Jefferson and Adams Counties",
            [("county", "Jefferson County", "CO"), ("county", "Adams County", "CO")],
        ),
        ("City and County of Denver", [("county", "Denver County", "CO")]),
        ("serves Denver and Aurora", [("city", "Denver", "CO"), ("city", "Aurora", "CO")]),
        ("Statewide", [("state", "CO", "CO")]),
        ("anywhere in Arizona", [("state", "AZ", "AZ")]),
        ("ZIP codes 80203 and 80204", [("zip", "80203", None), ("zip", "80204", None)]),
        ("Walk-ins welcome", []),
    ],
)
def test_area_words_are_read_through_the_gazetteer(
    db: sqlite_utils.Database, words: str, expected: list[tuple[str, str, str | None]]
) -> None:
    found = [(w.kind, w.name, w.state) for w in area_words.parse(db, words, "CO")]
    assert found == expected


def test_a_mobile_team_described_in_words_is_offered_inside_its_county_only(
    tucson_db: sqlite_utils.Database,
) -> None:
    with write_transaction(tucson_db):
        tucson_db.execute(
            "UPDATE service_area SET extent = NULL, extent_type = NULL, "
            "description = 'Responds anywhere in Pima County, AZ.' WHERE service_id = 'svc-mobile'"
        )
        rebuild_search_index(tucson_db)
    inside = directory.search(tucson_db, ["mobile_crisis"], "85705", radius_km=5)
    assert [r.name for r in inside] == ["Pima Mobile Crisis"]
    assert inside[0].address is None and inside[0].phone
    # Maricopa County (Phoenix) is outside it.
    assert directory.search(tucson_db, ["mobile_crisis"], "85004", radius_km=5) == []
