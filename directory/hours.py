"""Opening hours from HSDS weekly schedules: open now, and when it opens next.

Rules we follow, because people act on them at 3 a.m.:
- a span whose closing time is not after its opening time runs past midnight (an
  overnight shelter 18:00–07:00 listed for Monday is open at 03:00 on Tuesday);
- 00:00–00:00 and 00:00–23:59 mean the whole day;
- a schedule row without `byday` applies every day;
- the time zone is the schedule's UTC offset when given, else the location's;
- when no row has usable hours the answer is None ("unknown"), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_BYDAY = re.compile(r"^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$")
DAY = timedelta(days=1)


@cache
def parse_time(text: str) -> time | None:
    """ "08:00", "8:00:00", "18:00:00Z" → a time; "24:00" → None means end of day.

    Raises:
        ValueError: the text is not a time of day.
    """
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a time of day (expected HH:MM or HH:MM:SS)")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour == 24:
        if minute or second:
            raise ValueError(f"{text!r} is not a time of day")
        return None
    return time(hour, minute, second)


@cache
def parse_byday(text: str) -> frozenset[int]:
    """ "MO,TU,FR" → {0, 1, 4}; "" → every day.

    Raises:
        ValueError: a token is not a weekday code.
    """
    tokens = [t.strip().upper() for t in (text or "").split(",") if t.strip()]
    if not tokens:
        return frozenset(range(7))
    days = set()
    for token in tokens:
        m = _BYDAY.match(token)
        if not m:
            raise ValueError(f"{token!r} is not a weekday (MO, TU, WE, TH, FR, SA, SU)")
        days.add(DAYS.index(m.group(1)))
    return frozenset(days)


@dataclass(frozen=True)
class Span:
    """One weekly opening: on `days`, from `opens` for `length`."""

    days: frozenset[int]
    opens: time
    length: timedelta
    valid_from: date | None
    valid_to: date | None
    tz: tzinfo | None


def spans(rows: Iterable[Mapping[str, Any]]) -> list[Span]:
    """The usable weekly spans of a service's schedule rows (rows without times are skipped)."""
    result = []
    for row in rows:
        if not row.get("opens_at") or not row.get("closes_at"):
            continue
        freq = (row.get("freq") or "WEEKLY").upper()
        if freq not in ("WEEKLY", "DAILY"):
            continue
        try:
            opens, closes = parse_time(row["opens_at"]), parse_time(row["closes_at"])
            days = parse_byday(row.get("byday") or "")
        except ValueError:
            continue
        opens = opens or time(0)
        start = timedelta(hours=opens.hour, minutes=opens.minute, seconds=opens.second)
        if closes is None or (closes.hour, closes.minute) == (23, 59):
            end = DAY
        else:
            end = timedelta(hours=closes.hour, minutes=closes.minute, seconds=closes.second)
        if end <= start:
            end += DAY  # runs past midnight; 00:00–00:00 is the whole day
        offset = row.get("timezone")
        tz = (
            timezone(timedelta(hours=float(offset)))
            if offset not in (None, "") and -14 <= float(offset) <= 14
            else None
        )
        result.append(
            Span(
                frozenset(days),
                opens,
                end - start,
                _date(row.get("valid_from")),
                _date(row.get("valid_to")),
                tz,
            )
        )
    return result


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def zone(name: str | None, default: str | None) -> tzinfo:
    """The IANA zone by name, falling back to the deployment's default."""
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _occurrences(span: Span, at: datetime, tz: tzinfo, days_ahead: int) -> Iterable[datetime]:
    local = at.astimezone(span.tz or tz)
    for offset in range(-1, days_ahead + 1):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in span.days:
            continue
        if (span.valid_from and day < span.valid_from) or (span.valid_to and day > span.valid_to):
            continue
        yield datetime.combine(day, span.opens, tzinfo=span.tz or tz)


def is_open(service_spans: list[Span], at: datetime, tz: tzinfo) -> bool | None:
    """True or False at `at`, or None when the hours are unknown."""
    if not service_spans:
        return None
    for span in service_spans:
        for start in _occurrences(span, at, tz, 0):
            if start <= at < start + span.length:
                return True
    return False


def next_opening(service_spans: list[Span], at: datetime, tz: tzinfo) -> datetime | None:
    """When a closed service opens next (within a week), in its own time zone."""
    starts = [
        start for span in service_spans for start in _occurrences(span, at, tz, 7) if start > at
    ]
    return min(starts, default=None)
