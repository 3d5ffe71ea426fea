from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlite_utils

from directory import UnknownNeed, UnknownPlace, add_place, search, set_capacity
from directory.config import DirectorySettings
from tests.conftest import TUCSON_NOW

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL


def names(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.name for r in results]


def test_detox_near_a_zip_returns_the_open_unit_with_room_first(
    tucson_db: sqlite_utils.Database,
) -> None:
    results = search(tucson_db, ["detox"], "85705", at=TUCSON_NOW)
    assert names(results) == ["Sonoran Withdrawal Center", "Saguaro Recovery House"]
    first = results[0].as_json()
    assert first["open_now"] is True
    assert (first["available"], first["maximum"], first["stale"]) == (4, 16, False)
    assert first["phone"] == "520-555-0101"
    assert first["address"] == "100 W Fort Lowell Rd, Tucson, AZ 85705"
    assert 0 < first["distance_km"] < 2


def test_inactive_services_are_never_returned(tucson_db: sqlite_utils.Database) -> None:
    everything = search(tucson_db, [], "85705", at=TUCSON_NOW, limit=100)
    assert "Old Pueblo Detox" not in names(everything)


def test_a_count_from_three_days_ago_is_stale(tucson_db: sqlite_utils.Database) -> None:
    saguaro = search(tucson_db, ["detox"], "85705", at=TUCSON_NOW)[1]
    assert saguaro.stale is True
    assert saguaro.capacity_age_hours == pytest.approx(73, abs=0.1)


def test_room_ranks_above_unknown_and_unknown_above_full(tucson_db: sqlite_utils.Database) -> None:
    evening = TUCSON_NOW + timedelta(hours=9)  # 19:00: the shelter, the detox and the team are open
    wanted = ["detox", "shelter", "mobile_crisis"]
    set_capacity(tucson_db, "svc-detox", 0, who="t", at=TUCSON_NOW)
    assert names(search(tucson_db, wanted, "85705", at=evening)) == [
        "Pima Mobile Crisis",  # open, no count: unknown
        "Sonoran Withdrawal Center",  # open, full, 0.8 km
        "Night Owl Shelter",  # open, full, 2.4 km
        "Saguaro Recovery House",  # hours unknown
    ]
    set_capacity(tucson_db, "svc-shelter", 5, who="t", at=TUCSON_NOW)
    results = search(tucson_db, wanted, "85705", at=evening)
    assert names(results)[:2] == ["Night Owl Shelter", "Pima Mobile Crisis"]
    assert results[0].available == 5


def test_open_ranks_above_closed_even_when_closer(tucson_db: sqlite_utils.Database) -> None:
    noon = TUCSON_NOW + timedelta(hours=2)
    results = search(tucson_db, ["shelter", "medical"], "85705", at=noon)
    assert names(results) == ["Desert Clinic", "Night Owl Shelter"]
    assert results[1].open_now is False
    assert results[1].next_open is not None and results[1].next_open.hour == 18


def test_mobile_team_and_confidential_shelter_are_found_by_the_area_they_serve(
    tucson_db: sqlite_utils.Database,
) -> None:
    results = search(tucson_db, ["mobile_crisis", "domestic_violence"], "85705", at=TUCSON_NOW)
    assert set(names(results)) == {"Pima Mobile Crisis", "Hidden Harbor"}
    for result in results:
        assert result.address is None and result.distance_km is None
        assert result.phone
    # Outside their areas (Phoenix) they are not offered.
    assert search(tucson_db, ["mobile_crisis"], "Phoenix, AZ", at=TUCSON_NOW) == []


def test_radius_limits_the_search(tucson_db: sqlite_utils.Database) -> None:
    assert names(search(tucson_db, ["detox"], "85705", radius_km=1, at=TUCSON_NOW)) == [
        "Sonoran Withdrawal Center"
    ]
    assert search(tucson_db, ["shelter"], "Denver, CO", radius_km=5, at=TUCSON_NOW)[0].name == (
        "Mile High Night Shelter"
    )


def test_hours_are_read_in_the_services_own_time_zone(tucson_db: sqlite_utils.Database) -> None:
    # Arizona keeps standard time all year; in July Denver is an hour ahead of Tucson, so at
    # 17:30 in Tucson the Denver shelter (opens 18:00 Denver time) is already open.
    july = datetime.fromisoformat("2026-07-15T17:30:00-07:00")
    denver = search(tucson_db, ["shelter"], "80204", at=july)[0]
    tucson = search(tucson_db, ["shelter"], "85701", at=july)[0]
    assert (denver.name, denver.open_now) == ("Mile High Night Shelter", True)
    assert (tucson.name, tucson.open_now) == ("Night Owl Shelter", False)


def test_full_text_query_finds_words_in_descriptions(tucson_db: sqlite_utils.Database) -> None:
    assert names(search(tucson_db, [], "85705", query="pets allowed", at=TUCSON_NOW)) == [
        "Sonoran Withdrawal Center"
    ]
    assert search(tucson_db, [], "85705", query="joe's \"pizza", at=TUCSON_NOW) == []


def test_search_near_a_local_place(tucson_db: sqlite_utils.Database) -> None:
    add_place(tucson_db, "Fourth Avenue", 32.2290, -110.9620, ["4th ave"])
    assert search(tucson_db, ["shelter"], "4th ave", radius_km=3, at=TUCSON_NOW)[0].name == (
        "Night Owl Shelter"
    )


def test_configured_freshness_limit_applies(tucson_db: sqlite_utils.Database) -> None:
    strict = DirectorySettings(freshness_hours={"detox": 0.5})
    first = search(tucson_db, ["detox"], "85705", at=TUCSON_NOW, settings=strict)[0]
    assert first.stale is True


def test_unknown_need_and_unknown_place_are_errors(tucson_db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownNeed):
        search(tucson_db, ["beds"], "85705")
    with pytest.raises(UnknownPlace):
        search(tucson_db, ["detox"], "Atlantis")


def test_every_need_key_returns_results_on_the_demo_directory(
    demo_db: sqlite_utils.Database,
) -> None:
    from directory import need_keys
    from directory.demo import REFERENCE

    for key in need_keys():
        results = search(demo_db, [key], "Denver, CO", at=REFERENCE)
        assert results, key
        assert all(key in r.needs for r in results)


def test_demo_directory_shows_fresh_stale_and_full_counts(demo_db: sqlite_utils.Database) -> None:
    from directory.demo import REFERENCE

    results = search(demo_db, ["detox", "shelter", "crisis_stabilization", "sobering"],
                     "Denver, CO", at=REFERENCE, limit=200)  # fmt: skip
    assert any(r.available and not r.stale for r in results)
    assert any(r.stale for r in results)
    assert any(r.available == 0 and not r.stale for r in results)
    assert any(r.available is None for r in results)


NIGHT = datetime.fromisoformat("2026-11-23T23:30:00-07:00")


def test_at_night_a_far_place_of_unknown_hours_comes_after_those_that_open_tomorrow(
    demo_db: sqlite_utils.Database,
) -> None:
    results = search(demo_db, ["mental_health"], "80203", at=NIGHT, limit=40)
    kestrel = names(results).index("Kestrel Counseling Community Sessions")  # 23 mi, unknown
    assert results[0].open_now is False and results[0].next_open is not None
    assert all(r.next_open is not None for r in results[:kestrel])
    assert results[kestrel].open_now is None and results[kestrel].distance_km > 30


def test_a_near_place_of_unknown_hours_comes_before_one_surely_closed(
    tucson_db: sqlite_utils.Database,
) -> None:
    noon = TUCSON_NOW + timedelta(hours=2)  # the shelter opens at 6 PM
    found = search(tucson_db, ["detox", "shelter"], "85705", at=noon)
    assert names(found)[1:] == ["Saguaro Recovery House", "Night Owl Shelter"]  # 3.5 km, 5.5 km


def test_closed_places_come_in_the_order_they_open_then_nearest(
    demo_db: sqlite_utils.Database,
) -> None:
    results = search(demo_db, ["harm_reduction"], "80203", at=NIGHT, limit=40)
    known = [r for r in results if r.next_open is not None]
    opening = [(r.next_open.astimezone(NIGHT.tzinfo).replace(minute=0), r.distance_km)
               for r in known]  # fmt: skip
    assert opening == sorted(opening)
    van = names(results).index("Confluence Outreach Van")  # 0.3 mi, opens Friday
    assert names(results).index("High Plains Naloxone Pickup – Federal") < van  # 3.9 mi, noon
