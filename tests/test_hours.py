from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from directory.hours import is_open, next_opening, parse_time, spans

DENVER = ZoneInfo("America/Denver")


def rows(*blocks: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"byday": d, "opens_at": o, "closes_at": c} for d, o, c in blocks]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DENVER)


OVERNIGHT = spans(rows(("MO,TU,WE,TH,FR,SA,SU", "18:00", "07:00")))
WEEKDAYS = spans(rows(("MO,TU,WE,TH,FR", "08:00", "17:00")))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-24T03:00", True),  # Tuesday 03:00: Monday night's shelter is still open
        ("2026-11-24T06:59", True),
        ("2026-11-24T07:00", False),
        ("2026-11-24T12:00", False),
        ("2026-11-24T18:00", True),
        ("2026-11-24T23:30", True),
    ],
)
def test_overnight_shelter_is_open_across_midnight(moment: str, expected: bool) -> None:
    assert is_open(OVERNIGHT, local(moment), DENVER) is expected


def test_overnight_span_listed_only_for_friday_is_open_early_saturday_not_sunday() -> None:
    friday_night = spans(rows(("FR", "20:00", "06:00")))
    assert is_open(friday_night, local("2026-11-28T05:00"), DENVER) is True  # Saturday
    assert is_open(friday_night, local("2026-11-29T05:00"), DENVER) is False  # Sunday


@pytest.mark.parametrize("closes", ["23:59", "00:00", "24:00", "23:59:59"])
def test_whole_day_spellings_mean_open_around_the_clock(closes: str) -> None:
    always = spans(rows(("", "00:00", closes)))
    for moment in ("2026-11-24T00:00", "2026-11-24T23:59:30", "2026-11-29T12:00"):
        assert is_open(always, local(moment), DENVER) is True


def test_weekday_clinic_is_closed_on_saturday_and_says_when_it_opens() -> None:
    saturday = local("2026-11-28T10:00")
    assert is_open(WEEKDAYS, saturday, DENVER) is False
    assert next_opening(WEEKDAYS, saturday, DENVER) == local("2026-11-30T08:00")


def test_no_schedule_means_unknown_not_closed() -> None:
    assert is_open([], local("2026-11-24T12:00"), DENVER) is None
    assert (
        is_open(spans([{"description": "Call for hours"}]), local("2026-11-24T12:00"), DENVER)
        is None
    )


def test_the_schedules_utc_offset_wins_over_the_location_zone() -> None:
    utc_hour = spans([{"opens_at": "15:00", "closes_at": "16:00", "timezone": "0"}])
    assert is_open(utc_hour, local("2026-11-24T08:30"), DENVER) is True  # 15:30 UTC
    assert is_open(utc_hour, local("2026-11-24T15:30"), DENVER) is False


def test_the_same_clock_time_is_open_in_one_zone_and_closed_in_another() -> None:
    moment = datetime.fromisoformat("2026-11-24T15:30:00+00:00")  # 08:30 Denver, 10:30 New York
    assert is_open(WEEKDAYS, moment, DENVER) is True
    assert is_open(WEEKDAYS, datetime.fromisoformat("2026-11-24T14:30:00+00:00"), DENVER) is False
    assert is_open(WEEKDAYS, datetime.fromisoformat("2026-11-24T14:30:00+00:00"),
                   ZoneInfo("America/New_York")) is True  # fmt: skip


def test_validity_dates_limit_a_schedule() -> None:
    winter = spans(
        [{"opens_at": "19:00", "closes_at": "06:00", "valid_from": "2026-11-01",
          "valid_to": "2027-03-31"}]
    )  # fmt: skip
    assert is_open(winter, local("2026-11-24T22:00"), DENVER) is True
    assert is_open(winter, local("2027-06-01T22:00"), DENVER) is False


@pytest.mark.parametrize("text", ["8am", "25:00", "12:60", "noon", ""])
def test_unparsable_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time of day"):
        parse_time(text)
