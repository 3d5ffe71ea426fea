"""The report's tables, read from the anonymous event log and the directory's bed counts
and change log. Every event query aggregates in SQL (GROUP BY day and a few columns), so a
year at 5,000 turns a day reads as a few thousand rows; Python only spreads need lists and
sums."""

from __future__ import annotations

import bisect
import json
import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from bot.events import hour_of
from bot.report.tables import DAILY_UP_TO_DAYS, MS_EDGES, SEARCHES, Cell, Report, Table
from directory import load_needs
from directory.engine import Database, truncated


def _ms_step(db: Database) -> str:
    """SQL for a response time's bin: two significant digits, cut down (0.47, 4.7, 47,
    470, 4700 ms), so that a month of turns is a few hundred rows, not one per turn."""

    def cut(expression: str) -> str:
        return truncated(db, f"{expression} + 1e-9")

    return f"""CASE WHEN ms < 1 THEN {cut("ms * 100")} / 100.0
    WHEN ms < 10 THEN {cut("ms * 10")} / 10.0
    WHEN ms < 100 THEN {cut("ms")}
    WHEN ms < 1000 THEN {cut("ms / 10")} * 10
    ELSE {cut("ms / 100")} * 100 END"""


_IN = "hour BETWEEN :start AND :end"  # event hours are 'YYYY-MM-DDTHH:00' UTC: text sorts


def build(
    db: Database,
    start: datetime,
    end: datetime,
    freshness_hours: Mapping[str, float] | None = None,
) -> Report:
    """Every table of the report for events from `start` to `end` (UTC hours, inclusive).

    `freshness_hours` overrides the per-need limits of a fresh bed count, as
    WAYFINDER_FRESHNESS_HOURS does for search.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    has_events = "event" in db.table_names()
    if has_events:
        # The report's one write, once per file: with it a month out of a year of events
        # reads only that month. A read-only file is reported on without it.
        try:
            db.execute("CREATE INDEX IF NOT EXISTS event_hour ON event (hour)")
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error):
                raise
    period = {"start": hour_of(start), "end": hour_of(end)}

    def grouped(sql: str) -> list[tuple[object, ...]]:
        return list(db.execute(sql, period)) if has_events else []

    days = _days(start.date(), end.date())
    channels = grouped(f"SELECT channel, count(*) FROM event WHERE {_IN} GROUP BY channel")
    events = sum(int(str(n)) for _, n in channels)
    requests = grouped(
        f"SELECT substr(hour, 1, 10), needs, count(*) FROM event WHERE {_IN} AND needs "
        "NOT IN ('[]', '') AND intent != 'update_availability' GROUP BY 1, 2"
    )
    searches = grouped(
        "SELECT needs, place, count(*), "
        "sum(CASE WHEN results = 0 OR coalesce(room, 0) != 1 THEN 1 ELSE 0 END) FROM event "
        f"WHERE {_IN} AND intent IN {SEARCHES} AND results IS NOT NULL GROUP BY 1, 2"
    )
    handoffs = grouped(
        f"SELECT substr(hour, 1, 10), handoff, count(*) FROM event WHERE {_IN} "
        "AND handoff IN ('988', '911') GROUP BY 1, 2"
    )
    times = grouped(
        f"SELECT substr(hour, 1, 10), {_ms_step(db)}, count(*) FROM event WHERE {_IN} "
        "AND ms IS NOT NULL GROUP BY 1, 2"
    )
    capacity = _capacity_freshness(db, days, end, freshness_hours or {})
    tables = [
        _summary(channels, searches, handoffs, times, capacity),
        _requests_by_need(requests, days),
        *_unmet(searches),
        _handoffs_by_week(handoffs, days),
        capacity,
        *_response_times(times),
    ]
    return Report(start, end, events, {t.name: t for t in tables})


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _needs(cache: dict[str, list[str]], text: object) -> list[str]:
    key = str(text or "[]")
    if key not in cache:
        try:
            value = json.loads(key)
        except ValueError:
            value = []
        cache[key] = [str(v) for v in value] if isinstance(value, list) else []
    return cache[key]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _label(key: str) -> str:
    need = load_needs().get(key)
    return need.label if need else key or "(no need named)"


def _summary(
    channels: list[tuple[object, ...]],
    searches: list[tuple[object, ...]],
    handoffs: list[tuple[object, ...]],
    times: list[tuple[object, ...]],
    capacity: Table,
) -> Table:
    turns = sum(int(str(n)) for _, n in channels)
    searched = sum(int(str(row[2])) for row in searches)
    unmet = sum(int(str(row[3])) for row in searches)
    by_kind = Counter[str]()
    for _, kind, n in handoffs:
        by_kind[str(kind)] += int(str(n))
    histogram = Counter[float]()
    for _, step, n in times:
        histogram[float(str(step))] += int(str(n))
    age, limit = (
        capacity.columns.index("age_hours"),
        capacity.columns.index("freshness_limit_hours"),
    )
    fresh = sum(
        1
        for row in capacity.rows
        if row[age] is not None and float(str(row[age])) <= float(str(row[limit]))
    )
    rows: list[tuple[Cell, ...]] = [("Turns (messages answered)", turns)]
    rows += [(f"Turns on {c}", int(str(n))) for c, n in sorted(channels, key=str)]
    rows += [
        ("Searches", searched),
        ("Searches without an open service with room", unmet),
        ("Share of searches unmet (%)", _percent(unmet, searched)),
        ("Hand-offs to 988", by_kind["988"]),
        ("Hand-offs to 911", by_kind["911"]),
        ("Response time p50 (ms)", _quantile(histogram, 0.5)),
        ("Response time p95 (ms)", _quantile(histogram, 0.95)),
        ("Services reporting bed counts", len(capacity.rows)),
        ("Of them with a fresh count now", fresh),
    ]  # fmt: skip
    return Table(
        "summary", "The period at a glance", "Every turn is one message answered.",
        ("measure", "value"), ("Measure", "Value"), tuple(rows),
    )  # fmt: skip


def _requests_by_need(rows: list[tuple[object, ...]], days: list[date]) -> Table:
    weekly = len(days) > DAILY_UP_TO_DAYS
    periods = sorted({_monday(d) if weekly else d for d in days})
    counts: defaultdict[tuple[date, str], int] = defaultdict(int)
    cache: dict[str, list[str]] = {}
    for day, needs, n in rows:
        period = date.fromisoformat(str(day))
        period = _monday(period) if weekly else period
        for key in _needs(cache, needs):
            counts[period, key] += int(str(n))
    keys = list(load_needs())
    keys += sorted({k for _, k in counts} - set(keys))
    unit = "week (from Monday)" if weekly else "day"
    return Table(
        "requests_by_need", f"Requests by need, per {unit}",
        "Turns that named a need (a turn naming two needs counts for each; staff bed "
        "updates are not requests).",
        ("period_start", *keys), ("Period starting", *(_label(k) for k in keys)),
        tuple((p.isoformat(), *(counts[p, k] for k in keys)) for p in periods) if counts else (),
    )  # fmt: skip


def _unmet(rows: list[tuple[object, ...]]) -> tuple[Table, Table]:
    by_need: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_place: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    cache: dict[str, list[str]] = {}
    for needs, place, n, unmet in rows:
        for key in _needs(cache, needs) or [""]:
            for totals in (by_need[key], by_place[str(place or ""), key]):
                totals[0] += int(str(n))
                totals[1] += int(str(unmet))
    need_rows = sorted(by_need.items(), key=lambda kv: (-kv[1][1], kv[0]))
    place_rows = sorted(
        ((k, v) for k, v in by_place.items() if v[1]), key=lambda kv: (-kv[1][1], kv[0])
    )
    about = (
        "Searches (find or check availability, with a search run) where no open service "
        "with room was found: no result, or the first result had no fresh count with room."
    )
    return (
        Table(
            "unmet_by_need", "Unmet needs by need", about,
            ("need", "label", "searches", "unmet", "unmet_percent"),
            ("Need key", "Need", "Searches", "Unmet", "Unmet (%)"),
            tuple((k, _label(k), s, u, _percent(u, s)) for k, (s, u) in need_rows),
        ),
        Table(
            "unmet_by_place", "Unmet needs by place and need",
            "The same searches by the ZIP code or city asked about (empty: none given), "
            "where at least one went unmet.",
            ("place", "need", "searches", "unmet"),
            ("Place", "Need", "Searches", "Unmet"),
            tuple((p, k, s, u) for (p, k), (s, u) in place_rows),
        ),
    )  # fmt: skip


def _handoffs_by_week(rows: list[tuple[object, ...]], days: list[date]) -> Table:
    counts: defaultdict[tuple[date, str], int] = defaultdict(int)
    for day, kind, n in rows:
        counts[_monday(date.fromisoformat(str(day))), str(kind)] += int(str(n))
    weeks = sorted({_monday(d) for d in days})
    return Table(
        "handoffs_by_week", "Hand-offs to 988 and 911, per week (from Monday)",
        "Turns answered with the 988 Suicide & Crisis Lifeline (crisis) or 911 (danger "
        "to life now).",
        ("week_start", "handoffs_988", "handoffs_911", "total"),
        ("Week starting", "988", "911", "Total"),
        tuple(
            (w.isoformat(), counts[w, "988"], counts[w, "911"], counts[w, "988"] + counts[w, "911"])
            for w in weeks
        ) if counts else (),
    )  # fmt: skip


def _capacity_freshness(
    db: Database, days: list[date], end: datetime, overrides: Mapping[str, float]
) -> Table:
    columns = ("facility", "service_id", "needs", "available", "maximum", "last_update",
               "age_hours", "freshness_limit_hours", "updates", "update_channels",
               "fresh_days_percent")  # fmt: skip
    headings = ("Facility", "Service id", "Needs", "Beds open", "Beds", "Last update (UTC)",
                "Age (h)", "Fresh for (h)", "Updates", "Updated by", "Days fresh (%)")  # fmt: skip
    title = "Who keeps bed counts fresh"
    about = (
        "Each service with a bed count: its last update, the updates staff sent in the "
        "period (imports not counted) and the share of days that ended with a fresh count."
    )
    if not ("service_capacity" in db.table_names() and "service" in db.table_names()):
        return Table("capacity_freshness", title, about, columns, headings, ())
    latest: dict[str, tuple[str, int | None, int | None, str]] = {}
    for sid, name, available, maximum, updated in db.execute(
        "SELECT c.service_id, s.name, c.available, c.maximum, c.updated FROM service_capacity c "
        "JOIN service s ON s.id = c.service_id WHERE c.updated IS NOT NULL ORDER BY c.updated"
    ):
        latest[sid] = (name, available, maximum, updated)
    service_needs: defaultdict[str, list[str]] = defaultdict(list)
    if "service_need" in db.table_names():
        for sid, need in db.execute("SELECT service_id, need FROM service_need ORDER BY need"):
            service_needs[sid].append(need)
    moments: defaultdict[str, list[datetime]] = defaultdict(list)
    channels: defaultdict[str, Counter[str]] = defaultdict(Counter)
    first = datetime.combine(days[0], datetime.min.time(), UTC)
    for sid, stamp, channel in db.execute(
        "SELECT resource_id, last_action_date, channel FROM change_log WHERE resource_type = "
        "'service_capacity' AND field_name = 'available' AND result = 'applied' AND channel "
        "!= 'import'"
    ):
        moment = _utc(stamp)
        if moment <= end:
            moments[sid].append(moment)
            if moment >= first:
                channels[sid][channel] += 1
    table = load_needs()
    rows: list[tuple[Cell, ...]] = []
    for sid, (name, available, maximum, updated) in latest.items():
        limit = min(
            [overrides.get(k, table[k].freshness_hours) for k in service_needs[sid] if k in table]
            or [24.0 * 7]
        )
        seen = sorted([*moments[sid], *([_utc(updated)] if _utc(updated) <= end else [])])
        fresh = 0
        for day in days:
            moment = min(datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC), end)
            at = bisect.bisect_right(seen, moment)
            fresh += bool(at and (moment - seen[at - 1]).total_seconds() <= limit * 3600)
        last = seen[-1] if seen else None
        rows.append((
            name, sid, ", ".join(_label(k) for k in service_needs[sid]), available, maximum,
            last.strftime("%Y-%m-%d %H:%M") if last else None,
            round((end - last).total_seconds() / 3600, 1) if last else None,
            limit, sum(channels[sid].values()),
            ", ".join(f"{c} {n}" for c, n in sorted(channels[sid].items())) or None,
            _percent(fresh, len(days)),
        ))  # fmt: skip
    rows.sort(key=lambda r: (float(str(r[-1] or 0)), str(r[1])))
    return Table("capacity_freshness", title, about, columns, headings, tuple(rows))


def _utc(stamp: object) -> datetime:
    moment = datetime.fromisoformat(str(stamp))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _quantile(histogram: Mapping[float, int], share: float) -> float | None:
    """The nearest-rank quantile of a histogram of values."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(math.ceil(share * total), 1), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def _response_times(rows: Iterable[tuple[object, ...]]) -> tuple[Table, Table]:
    per_day: defaultdict[str, Counter[float]] = defaultdict(Counter)
    for day, step, n in rows:
        per_day[str(day)][float(str(step))] += int(str(n))
    overall = Counter[float]()
    for histogram in per_day.values():
        overall.update(histogram)
    bins = [0] * len(MS_EDGES)
    for value, n in overall.items():
        bins[bisect.bisect_right(MS_EDGES, value) - 1] += n
    total = sum(bins)
    edges = [*MS_EDGES, None]
    return (
        Table(
            "response_times_by_day", "Response times per day",
            "Time from a message arriving to its reply being ready, in milliseconds (p50 "
            "and p95 to two significant figures, rounded down).",
            ("day", "turns", "p50_ms", "p95_ms"), ("Day", "Turns", "p50 (ms)", "p95 (ms)"),
            tuple((d, sum(h.values()), _quantile(h, 0.5), _quantile(h, 0.95))
                  for d, h in sorted(per_day.items())),
        ),
        Table(
            "response_time_distribution", "Distribution of response times",
            "Turns by how long the reply took (from, up to but not including).",
            ("from_ms", "to_ms", "turns", "percent"),
            ("From (ms)", "Up to (ms)", "Turns", "Share (%)"),
            tuple((edges[i], edges[i + 1], n, _percent(n, total)) for i, n in enumerate(bins))
            if total else (),
        ),
    )  # fmt: skip


# ---- the page and its charts -------------------------------------------------------------

# Okabe–Ito colours: told apart by colour-blind readers, and in greyscale print by order.
