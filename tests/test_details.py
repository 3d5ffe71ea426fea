from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

import directory
from directory import DirectorySettings, ServiceDetails, search, service_details
from directory.demo import REFERENCE
from directory.importer import rebuild_search_index
from directory.rows import Rows
from directory.transaction import write_transaction
from tests.conftest import TUCSON, TUCSON_NOW

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

DENVER = ZoneInfo("America/Denver")
# Stable HSDS ids from directory/demo/services.csv (see directory/demo/README.md).
BLUEBIRD_CONFIDENTIAL_SHELTER = "32203154-8c27-5483-b7aa-edb575ffd78c"
SILVER_SAGE_WEST_COLFAX_INACTIVE = "16db7d0e-ceee-5659-928c-9d7289dff860"


def service_id(db: sqlite_utils.Database, name: str) -> str:
    (found,) = db.execute("SELECT id FROM service WHERE name = ?", [name]).fetchall()
    return str(found[0])


def details(db: sqlite_utils.Database, name: str, at: datetime = REFERENCE) -> ServiceDetails:
    found = service_details(db, service_id(db, name), at)
    assert found is not None
    return found


def test_a_detox_open_around_the_clock_gives_everything_to_go_there(
    demo_db: sqlite_utils.Database,
) -> None:
    welton = details(demo_db, "Welton Street Withdrawal Management")
    assert welton.hours == ["Open 24 hours, every day"]
    assert (welton.open_now, welton.next_open) == (True, None)
    assert welton.organization == "Tumbleweed Recovery Alliance"
    assert welton.address == "2727 Welton St, Denver, CO 80205"
    assert welton.lat == pytest.approx(39.75535) and welton.lon == pytest.approx(-104.97968)
    assert welton.phones == [("720-555-0158", "24-hour line")]
    assert welton.url == "https://tumbleweed.example.org/services/tw-detox"
    assert welton.fees == "No one is turned away for inability to pay; Medicaid accepted."
    assert welton.needs == ["detox"]
    assert (welton.available, welton.maximum, welton.stale) == (3, 16, False)
    assert welton.capacity_age_hours == pytest.approx(25 / 60)


def test_weekday_hours_are_grouped_and_a_weekend_visit_learns_when_it_opens(
    demo_db: sqlite_utils.Database,
) -> None:
    assert details(demo_db, "Aspen Hollow Residential Treatment").hours == ["Mon–Fri 8:00–17:00"]
    assert details(demo_db, "Blue Spruce Outpatient Behavioral Health").hours == [
        "Mon–Fri 8:00–17:00",
        "Sat 9:00–12:00",
    ]
    # A late Thursday is its own line; the days around it still share one.
    assert details(demo_db, "Cheesman Commons Outpatient Clinic – Colfax").hours == [
        "Mon–Wed, Fri 8:00–17:00",
        "Thu 8:00–19:00",
    ]
    assert details(demo_db, "Confluence Outreach Van").hours == ["Mon, Wed, Fri 13:00–19:00"]
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=DENVER)
    clinic = details(demo_db, "Aspen Hollow Residential Treatment", saturday)
    assert clinic.open_now is False
    assert clinic.next_open == datetime(2026, 11, 30, 8, 0, tzinfo=DENVER)


def test_an_overnight_shelter_shows_its_hours_run_past_midnight(
    demo_db: sqlite_utils.Database,
) -> None:
    shelter = details(demo_db, "Lodestar Lawrence Street Men's Shelter")
    assert shelter.hours == ["Every day 18:00–7:00 (overnight)"]
    assert shelter.open_now is False  # at noon
    assert shelter.next_open == datetime(2026, 11, 23, 18, 0, tzinfo=DENVER)
    three_am = datetime(2026, 11, 24, 3, 0, tzinfo=DENVER)
    assert details(demo_db, "Lodestar Lawrence Street Men's Shelter", three_am).open_now is True


@pytest.mark.parametrize(
    ("fixture", "sid"),
    [("demo_db", BLUEBIRD_CONFIDENTIAL_SHELTER), ("tucson_db", "svc-dv")],
    ids=["Bluebird House", "Hidden Harbor"],
)
def test_a_confidential_shelter_gives_a_phone_but_no_address_and_no_map(
    request: pytest.FixtureRequest, fixture: str, sid: str
) -> None:
    shelter = service_details(request.getfixturevalue(fixture), sid, REFERENCE)
    assert shelter is not None
    assert (shelter.address, shelter.lat, shelter.lon, shelter.maps_url) == (None, None, None, None)
    assert shelter.phones
    assert shelter.needs == ["domestic_violence"]


def test_the_confidential_shelters_phone_says_the_address_is_given_by_phone(
    demo_db: sqlite_utils.Database,
) -> None:
    shelter = service_details(demo_db, BLUEBIRD_CONFIDENTIAL_SHELTER, REFERENCE)
    assert shelter is not None
    ((number, label),) = shelter.phones
    assert number == "303-555-0119"
    assert "address is given by phone" in label


def test_an_unknown_id_has_no_details(demo_db: sqlite_utils.Database) -> None:
    assert service_details(demo_db, "no-such-service", REFERENCE) is None


@pytest.mark.parametrize(
    ("fixture", "sid"),
    [("demo_db", SILVER_SAGE_WEST_COLFAX_INACTIVE), ("tucson_db", "svc-inactive")],
    ids=["Silver Sage West Colfax", "Old Pueblo Detox"],
)
def test_an_inactive_service_has_no_details(
    request: pytest.FixtureRequest, fixture: str, sid: str
) -> None:
    db = request.getfixturevalue(fixture)
    assert db.execute("SELECT status FROM service WHERE id = ?", [sid]).fetchone() == ("inactive",)
    assert service_details(db, sid, REFERENCE) is None


def test_a_defunct_service_has_no_details(tucson_db: sqlite_utils.Database) -> None:
    tucson_db.execute("UPDATE service SET status = 'defunct' WHERE id = 'svc-clinic'")
    assert service_details(tucson_db, "svc-clinic", TUCSON_NOW) is None


def test_a_temporarily_closed_service_is_shown_as_closed_whatever_its_hours(
    tucson_db: sqlite_utils.Database,
) -> None:
    tucson_db.execute("UPDATE service SET status = 'temporarily closed' WHERE id = 'svc-detox'")
    detox = service_details(tucson_db, "svc-detox", TUCSON_NOW)
    assert detox is not None
    assert detox.hours == ["Open 24 hours, every day"]
    assert detox.open_now is False


def test_eligibility_gives_the_ages_once(
    tucson_db: sqlite_utils.Database, demo_db: sqlite_utils.Database
) -> None:
    # The publisher's words already give the ages: they are not repeated.
    assert details(demo_db, "Redrock Youth Emergency Shelter").eligibility == (
        "Youth aged 12 to 17."
    )
    detox = service_details(tucson_db, "svc-detox", TUCSON_NOW)
    assert detox is not None and detox.eligibility == "Adults 18+"
    # Ages alone, and ages the words do not mention.
    tucson_db.execute("UPDATE service SET eligibility_description = NULL WHERE id = 'svc-detox'")
    tucson_db.execute(
        "UPDATE service SET minimum_age = 12, maximum_age = 17, "
        "eligibility_description = 'Young people with nowhere safe to stay.' "
        "WHERE id = 'svc-shelter'"
    )
    tucson_db.execute("UPDATE service SET maximum_age = 17 WHERE id = 'svc-clinic'")
    eligibility = {
        sid: getattr(service_details(tucson_db, sid, TUCSON_NOW), "eligibility", None)
        for sid in ("svc-detox", "svc-shelter", "svc-clinic", "svc-mobile")
    }
    assert eligibility == {
        "svc-detox": "Adults 18+",
        "svc-shelter": "Ages 12–17. Young people with nowhere safe to stay.",
        "svc-clinic": "Ages 17 and under",
        "svc-mobile": None,
    }


def test_the_maps_link_searches_for_the_url_encoded_address(
    demo_db: sqlite_utils.Database,
) -> None:
    welton = details(demo_db, "Welton Street Withdrawal Management")
    assert welton.maps_url == (
        "https://www.google.com/maps/search/?api=1&query=2727+Welton+St%2C+Denver%2C+CO+80205"
    )
    assert parse_qs(urlsplit(welton.maps_url).query)["query"] == [welton.address]


def test_a_location_without_an_address_is_mapped_by_its_coordinates(
    db: sqlite_utils.Database,
) -> None:
    dataset = directory.read(TUCSON)
    dataset.tables["address"] = Rows(
        [row for row in dataset.tables["address"] if row["location_id"] != "loc-2"]
    )
    directory.import_dataset(db, dataset, who="test")
    shelter = service_details(db, "svc-shelter", TUCSON_NOW)
    assert shelter is not None
    assert shelter.address is None
    assert (shelter.lat, shelter.lon) == (32.221, -110.97)
    assert shelter.maps_url == ("https://www.google.com/maps/search/?api=1&query=32.221%2C-110.97")


def test_schedule_times_in_utc_are_labelled_so(tucson_db: sqlite_utils.Database) -> None:
    clinic = service_details(tucson_db, "svc-utc", TUCSON_NOW)
    assert clinic is not None
    assert clinic.hours == ["Every day 15:00–16:00 (UTC)"]


def test_a_schedule_without_times_is_shown_by_its_description(
    tucson_db: sqlite_utils.Database,
) -> None:
    tucson_db.execute(
        "INSERT INTO schedule (id, service_id, description) VALUES (?, ?, ?)",
        ["sch-text", "svc-text-detox", "By appointment"],
    )
    with write_transaction(tucson_db):
        rebuild_search_index(tucson_db)  # as every import does
    house = service_details(tucson_db, "svc-text-detox", TUCSON_NOW)
    assert house is not None
    assert (house.hours, house.open_now) == (["By appointment"], None)


def test_hours_unknown_is_an_empty_list(demo_db: sqlite_utils.Database) -> None:
    sessions = details(demo_db, "Kestrel Counseling Community Sessions")
    assert (sessions.hours, sessions.open_now, sessions.next_open) == ([], None, None)


def test_a_seasonal_schedule_says_when_it_runs_and_is_dropped_once_over(
    tucson_db: sqlite_utils.Database,
) -> None:
    with write_transaction(tucson_db):
        tucson_db.execute(
            "UPDATE schedule SET valid_from = '2026-11-01', valid_to = '2027-03-31' "
            "WHERE service_id = 'svc-shelter'"
        )
        rebuild_search_index(tucson_db)  # as every import does
    shelter = service_details(tucson_db, "svc-shelter", TUCSON_NOW)
    assert shelter is not None
    assert shelter.hours == ["Every day 18:00–7:00 (overnight) (Nov 1, 2026 to Mar 31, 2027)"]
    summer = service_details(tucson_db, "svc-shelter", datetime(2027, 7, 1, tzinfo=DENVER))
    assert summer is not None and summer.hours == []


@pytest.mark.parametrize("hours_later", [0, 20, 60], ids=lambda h: f"{h}h after the reference")
def test_details_agree_with_search_about_the_same_service_at_the_same_moment(
    demo_db: sqlite_utils.Database, hours_later: int
) -> None:
    at = REFERENCE + timedelta(hours=hours_later)
    settings = DirectorySettings(default_timezone="America/Denver")
    results = search(demo_db, [], "Denver, CO", radius_km=100, at=at, limit=200, settings=settings)
    assert len(results) > 80 and any(r.stale for r in results)
    for result in results:
        card = service_details(demo_db, result.id, at, settings)
        assert card is not None, result.name
        assert (
            card.name, card.needs, card.available, card.maximum, card.capacity_updated,
            card.capacity_age_hours, card.stale, card.open_now, card.next_open, card.address,
        ) == (
            result.name, result.needs, result.available, result.maximum, result.capacity_updated,
            result.capacity_age_hours, result.stale, result.open_now, result.next_open,
            result.address,
        ), result.name  # fmt: skip
        assert card.phones[0][0] == result.phone


def test_languages_reach_a_service_through_its_location_and_its_phone(
    tucson_db: sqlite_utils.Database,
) -> None:
    """Tucson: Spanish is spoken at the shelter's building, Vietnamese on the clinic's
    phone line, Spanish at the detox's own intake."""
    languages = {
        sid: service_details(tucson_db, sid, TUCSON_NOW).languages  # type: ignore[union-attr]
        for sid in ("svc-shelter", "svc-clinic", "svc-detox")
    }
    assert languages == {
        "svc-shelter": ["Spanish"], "svc-clinic": ["Vietnamese"], "svc-detox": ["Spanish"],
    }  # fmt: skip
