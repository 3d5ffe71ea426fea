"""What a report is: its tables and cells, the period it covers, and the words shared by
its parts (the privacy line, the intents that count as searches)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

Cell = str | int | float | None
SEARCHES = ("find_resource", "check_availability")
DAILY_UP_TO_DAYS = 92  # longer periods count requests per week, so the chart stays legible
MS_EDGES = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
# Response times are grouped in SQL to two significant figures, rounded down: each range
# boundary of MS_EDGES is a multiple of its step, so the distribution is exact and a
# percentile is at most one step (≤ 10 %) below the true value.
_SPAN = re.compile(r"(\d{1,5})([dwy])", re.IGNORECASE)
_DAYS = {"d": 1, "w": 7, "y": 365}
PRIVACY = "Anonymous events: no senders, no message text."


class InvalidPeriod(ValueError):
    """The start of the period cannot be read, or lies after its end."""


@dataclass(frozen=True)
class Table:
    """One table of the report: a CSV file named `name`.csv and an HTML table."""

    name: str
    title: str
    about: str
    columns: tuple[str, ...]  # the CSV header: stable
    headings: tuple[str, ...]  # the same columns, for people
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Report:
    """The tables of one period; `events` counts its turns (0: the report says no data)."""

    start: datetime
    end: datetime
    events: int
    tables: dict[str, Table]  # by name, in the order of the report


def parse_since(text: str, now: datetime) -> datetime:
    """The start of the period `text` names, as UTC.

    `30d`, `12w`, `1y` count whole UTC days back including today (`1w` is today and the
    six days before it); an ISO date or date-time starts there.

    Raises:
        InvalidPeriod: naming the forms that are understood.
    """
    now = now.astimezone(UTC)
    unreadable = InvalidPeriod(
        f"{text!r} is not a period: use a number of days, weeks or years (30d, 12w, 1y; "
        "at most 100 years) or an ISO date (2026-11-01)."
    )
    span = _SPAN.fullmatch(text.strip())
    if span:
        days = int(span[1]) * _DAYS[span[2].lower()]
        if not 0 < days <= 36_500:
            raise unreadable
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight - timedelta(days=days - 1)
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise unreadable from error
    start = (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(UTC)
    if start > now:
        raise InvalidPeriod(
            f"{text!r} is after the end of the report ({now:%Y-%m-%d %H:%M} UTC): "
            "give an earlier date."
        )
    return start
