"""Phones and hours reach a service whichever HSDS link carries them — its own row, its
service_at_location, its location, or (phones) its organization — as Ohana-style and many
211 exports link them."""

from __future__ import annotations

import sqlite_utils

import directory
from directory.importer import rebuild_search_index
from directory.transaction import write_transaction
from tests.conftest import TUCSON_NOW


def shelter(db: sqlite_utils.Database) -> directory.SearchResult:
    found = directory.search(db, ["shelter"], "85705", at=TUCSON_NOW.replace(hour=20))
    return next(r for r in found if r.name == "Night Owl Shelter")


def relink(db: sqlite_utils.Database, *statements: str) -> None:
    with write_transaction(db):
        for sql in statements:
            db.execute(sql)
        rebuild_search_index(db)


def test_a_phone_and_hours_on_the_service_at_location_reach_the_service(
    tucson_db: sqlite_utils.Database,
) -> None:
    relink(
        tucson_db,
        "UPDATE phone SET service_id = NULL, service_at_location_id = 'sal-2' WHERE id = 'ph-2'",
        "UPDATE schedule SET service_id = NULL, service_at_location_id = 'sal-2' "
        "WHERE id = 'sch-2'",
    )
    result = shelter(tucson_db)
    assert result.phone == "520-555-0102"
    assert result.open_now is True  # the overnight hours, 18:00–07:00, at 8 PM


def test_a_phone_and_hours_on_the_location_reach_every_service_there(
    tucson_db: sqlite_utils.Database,
) -> None:
    relink(
        tucson_db,
        "UPDATE phone SET service_id = NULL, location_id = 'loc-2' WHERE id = 'ph-2'",
        "UPDATE schedule SET service_id = NULL, location_id = 'loc-2' WHERE id = 'sch-2'",
    )
    result = shelter(tucson_db)
    assert result.phone == "520-555-0102" and result.open_now is True


def test_the_organizations_phone_is_the_last_resort(tucson_db: sqlite_utils.Database) -> None:
    relink(
        tucson_db,
        "UPDATE phone SET service_id = NULL, organization_id = 'org-1', number = '520-555-0999' "
        "WHERE id = 'ph-2'",
    )
    assert shelter(tucson_db).phone == "520-555-0999"


def test_a_services_own_hours_win_over_its_buildings(tucson_db: sqlite_utils.Database) -> None:
    relink(
        tucson_db,
        "INSERT INTO schedule (id, location_id, freq, byday, opens_at, closes_at) "
        "VALUES ('sch-building', 'loc-2', 'WEEKLY', 'MO,TU,WE,TH,FR', '09:00', '17:00')",
    )
    assert shelter(tucson_db).open_now is True  # its own overnight hours, not 9 to 5
