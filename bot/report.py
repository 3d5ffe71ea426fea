"""The program evaluation report: one self-contained HTML file, and its tables as CSV.

Read only from the anonymous `event` log (no sender, no text) and the directory's bed
counts and change log. Every event query aggregates in SQL (GROUP BY day and a few
columns), so a year at 5,000 turns a day reads as a few thousand rows; Python only
spreads need lists and sums. Charts are matplotlib figures rendered to inline SVG with
text kept as text: the file loads nothing from anywhere (a Content-Security-Policy says
so to the browser too), so it can be mailed to a board or opened offline.
"""

from __future__ import annotations

import bisect
import csv
import html
import io
import json
import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from bot.events import hour_of
from directory import load_needs

if TYPE_CHECKING:  # matplotlib is imported only when a chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Cell = str | int | float | None
SEARCHES = ("find_resource", "check_availability")
DAILY_UP_TO_DAYS = 92  # longer periods count requests per week, so the chart stays legible
MS_EDGES = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
# Response times are grouped in SQL to two significant figures, rounded down: each range
# boundary of MS_EDGES is a multiple of its step, so the distribution is exact and a
# percentile is at most one step (≤ 10 %) below the true value.
_MS_STEP = """CASE WHEN ms < 1 THEN CAST(ms * 100 + 1e-9 AS INTEGER) / 100.0
    WHEN ms < 10 THEN CAST(ms * 10 + 1e-9 AS INTEGER) / 10.0
    WHEN ms < 100 THEN CAST(ms + 1e-9 AS INTEGER)
    WHEN ms < 1000 THEN CAST(ms / 10 + 1e-9 AS INTEGER) * 10
    ELSE CAST(ms / 100 + 1e-9 AS INTEGER) * 100 END"""
_IN = "hour BETWEEN :start AND :end"  # event hours are 'YYYY-MM-DDTHH:00' UTC: text sorts
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


def build(
    db: sqlite_utils.Database,
    start: datetime,
    end: datetime,
    freshness_hours: Mapping[str, float] | None = None,
) -> Report:
    """Every table of the report for events from `start` to `end` (UTC hours, inclusive).

    `freshness_hours` overrides the per-need limits of a fresh bed count, as
    WAYFINDER_FRESHNESS_HOURS does for search.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    has_events = db["event"].exists()
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
        "SELECT needs, place, count(*), sum(results = 0 OR room IS NOT 1) FROM event "
        f"WHERE {_IN} AND intent IN {SEARCHES} AND results IS NOT NULL GROUP BY 1, 2"
    )
    handoffs = grouped(
        f"SELECT substr(hour, 1, 10), handoff, count(*) FROM event WHERE {_IN} "
        "AND handoff IN ('988', '911') GROUP BY 1, 2"
    )
    times = grouped(
        f"SELECT substr(hour, 1, 10), {_MS_STEP}, count(*) FROM event WHERE {_IN} "
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


def write(report: Report, out: Path, csv_dir: Path | None, generated: datetime) -> list[Path]:
    """Write the HTML file, and each table as `csv_dir/<name>.csv` when asked; return
    the CSV paths."""
    out.write_text(render_html(report, generated), encoding="utf-8")
    if csv_dir is None:
        return []
    csv_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in report.tables.values():
        path = csv_dir / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(table.columns)
            writer.writerows(["" if v is None else v for v in row] for row in table.rows)
        paths.append(path)
    return paths


# ---- the tables ------------------------------------------------------------------------


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
    db: sqlite_utils.Database, days: list[date], end: datetime, overrides: Mapping[str, float]
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
    if not (db["service_capacity"].exists() and db["service"].exists()):
        return Table("capacity_freshness", title, about, columns, headings, ())
    latest: dict[str, tuple[str, int | None, int | None, str]] = {}
    for sid, name, available, maximum, updated in db.execute(
        "SELECT c.service_id, s.name, c.available, c.maximum, c.updated FROM service_capacity c "
        "JOIN service s ON s.id = c.service_id WHERE c.updated IS NOT NULL ORDER BY c.updated"
    ):
        latest[sid] = (name, available, maximum, updated)
    service_needs: defaultdict[str, list[str]] = defaultdict(list)
    if db["service_need"].exists():
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
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
GREY, RED, GREEN = "#999999", "#D55E00", "#009E73"
_CSS = """body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
max-width:72rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin-top:2.5rem;
border-top:1px solid #ccc;padding-top:1rem}header p{margin:.2rem 0}
.nodata{padding:.75rem;border-left:4px solid #b35900;background:#fff4e5}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
figure svg *{stroke-linejoin:round;stroke-linecap:butt}
.scroll{overflow:auto;max-height:40rem}table{border-collapse:collapse;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}th,td{border:1px solid #ccc;
padding:.2rem .5rem;text-align:left;vertical-align:top}td.n{text-align:right;
font-variant-numeric:tabular-nums}thead th{background:#f0f0f0;position:sticky;top:0}
@media print{.scroll{max-height:none;overflow:visible}}"""


def render_html(report: Report, generated: datetime) -> str:
    """The report as one HTML page that loads nothing: styles inline, charts inline SVG."""
    period = f"{report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC"
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Nothing may be fetched: no scripts, fonts, images or styles from anywhere.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>Wayfinder report, {html.escape(period)}</title>\n<style>{_CSS}</style>\n"
        "</head>\n<body>\n<header>\n<h1>Wayfinder program report</h1>\n"
        f"<p>Period: {html.escape(period)}. Generated {generated.astimezone(UTC):%Y-%m-%d %H:%M}"
        f" UTC.</p>\n<p>{PRIVACY} Days and weeks are UTC; places are a ZIP code or a city "
        "as asked, never an address.</p>\n</header>\n<main>\n"
    ]
    if not report.events:
        parts.append(
            '<p class="nodata" role="status">No data: no conversations were recorded in '
            "this period.</p>\n"
        )
    parts += [_section(table) for table in report.tables.values()]
    parts.append("</main>\n</body>\n</html>\n")
    return "".join(parts)


def _section(table: Table) -> str:
    out = [
        f'<section aria-labelledby="{table.name}">\n<h2 id="{table.name}">'
        f"{html.escape(table.title)}</h2>\n<p>{html.escape(table.about)}</p>\n"
    ]
    if not table.rows:
        out.append('<p class="nodata">No data in this period.</p>\n</section>\n')
        return "".join(out)
    svg = _chart(table)
    if svg:
        out.append(
            f"<figure>\n{svg}\n<figcaption>Chart: {html.escape(table.title)}. The table "
            "below holds the same numbers.</figcaption>\n</figure>\n"
        )
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in table.headings)
    body = "".join(
        f'<tr><th scope="row">{_cell(row[0])}</th>'
        + "".join(_td(v) for v in row[1:])
        + "</tr>\n"
        for row in table.rows
    )  # fmt: skip
    out.append(
        f'<div class="scroll" role="region" tabindex="0" aria-labelledby="{table.name}-t">'
        f'<table>\n<caption id="{table.name}-t">{html.escape(table.title)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table></div>\n</section>\n"
    )
    return "".join(out)


def _td(value: Cell) -> str:
    numeric = isinstance(value, int | float)
    return f'<td class="n">{_cell(value)}</td>' if numeric else f"<td>{_cell(value)}</td>"


def _cell(value: Cell) -> str:
    if value is None:
        return "—"
    if value == "":
        return "(none given)"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else f"{value:,g}"
    return html.escape(str(value))


def _chart(table: Table) -> str | None:
    draw = _CHARTS.get(table.name)
    if draw is None:
        return None
    # matplotlib's font cache folder is chosen by the entry point before this import
    # (wayfinder.settings.use_chart_cache).
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with rc_context(
        {
            "svg.fonttype": "none",  # text stays text: searchable, and no glyphs to embed
            "svg.hashsalt": "wayfinder",  # the same report twice is the same file
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        figure = Figure(figsize=(8, 3.6), layout="constrained")
        FigureCanvasSVG(figure)  # the SVG backend, explicitly: no GUI, no global pyplot state
        draw(figure, table)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE (it names a URL)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", "", svg, flags=re.S)
    # Several charts share one page: their ids (clip paths, markers) must not collide.
    svg = re.sub(r'(\bid="|url\(#|href="#)', lambda m: f"{m[1]}{table.name}-", svg)
    # Inline in HTML the SVG namespace is implied: the opening tag keeps only its size.
    opening = svg.index(">") + 1
    size = " ".join(re.findall(r'\b(?:width|height|viewBox)="[^"]*"', svg[:opening]))
    return (
        f'<svg role="img" aria-labelledby="{table.name}-chart" {size}>'
        f'<title id="{table.name}-chart">Chart: {html.escape(table.title)}</title>' + svg[opening:]
    )


def _column(table: Table, name: str) -> list[float]:
    index = table.columns.index(name)
    return [float(str(row[index] or 0)) for row in table.rows]


def _dates(table: Table, axes: Axes) -> list[int]:
    """Positions 0, 1, 2… for the table's dates (first column), about eight of them labelled."""
    dates = [date.fromisoformat(str(row[0])) for row in table.rows]
    step = max(1, math.ceil(len(dates) / 8))
    axes.set_xticks(
        range(0, len(dates), step),
        [f"{d:%d %b}" + (f"\n{d:%Y}" if n == 0 or d.year != dates[n - step].year else "")
         for n, d in zip(range(0, len(dates), step), dates[::step], strict=True)],
    )  # fmt: skip
    axes.margins(x=0.01)
    return list(range(len(dates)))


def _legend(axes: Axes) -> None:
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def _draw_requests(figure: Figure, table: Table) -> None:
    axes = figure.add_subplot()
    periods = _dates(table, axes)
    series = sorted(
        ((sum(_column(table, c)), h, _column(table, c))
         for c, h in zip(table.columns[1:], table.headings[1:], strict=True)),
        key=lambda s: -s[0],
    )  # fmt: skip
    shown = [s for s in series if s[0]][: len(PALETTE)]
    rest = [s for s in series[len(shown) :] if s[0]]
    if rest:
        shown.append((0, "Other needs", [sum(v) for v in zip(*(s[2] for s in rest), strict=True)]))
    bottom = [0.0] * len(periods)
    for (_, label, values), colour in zip(shown, [*PALETTE, GREY], strict=False):
        axes.bar(periods, values, 0.8, bottom=bottom, label=label, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylabel("Requests")
    _legend(axes)


def _draw_bars(figure: Figure, labels: list[str], series: list[tuple[str, list[float], str]],
               xlabel: str) -> Axes:  # fmt: skip
    """Horizontal bars, one row per label, top to bottom; series stacked left to right."""
    figure.set_size_inches(8, 1 + 0.28 * len(labels))
    axes = figure.add_subplot()
    left = [0.0] * len(labels)
    for name, values, colour in series:
        axes.barh(range(len(labels)), values, left=left, label=name, color=colour)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(range(len(labels)), [t if len(t) <= 45 else t[:44] + "…" for t in labels])
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    return axes


def _draw_unmet_by_need(figure: Figure, table: Table) -> None:
    unmet = _column(table, "unmet")
    met = [s - u for s, u in zip(_column(table, "searches"), unmet, strict=True)]
    labels = [str(row[1]) for row in table.rows]
    _legend(_draw_bars(figure, labels, [("Unmet", unmet, RED), ("Met", met, PALETTE[0])],
                       "Searches"))  # fmt: skip


def _draw_unmet_by_place(figure: Figure, table: Table) -> None:
    totals = Counter[str]()
    for place, _, _, unmet in table.rows:
        totals[str(place) or "(none given)"] += int(str(unmet))
    top = totals.most_common(15)
    axes = _draw_bars(figure, [p for p, _ in top], [("Unmet", [float(n) for _, n in top], RED)],
                      "Unmet searches (all needs)")  # fmt: skip
    axes.set_title("The 15 places with the most unmet searches", loc="left")


def _draw_handoffs(figure: Figure, table: Table) -> None:
    from matplotlib.ticker import MaxNLocator

    axes = figure.add_subplot()
    weeks = _dates(table, axes)
    crisis = _column(table, "handoffs_988")
    axes.bar(weeks, crisis, 0.8, label="988 (crisis)", color=PALETTE[0])
    axes.bar(weeks, _column(table, "handoffs_911"), 0.8, bottom=crisis, label="911", color=RED)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("Hand-offs per week")
    _legend(axes)


def _draw_capacity(figure: Figure, table: Table) -> None:
    rows = table.rows[:40]  # the least fresh first
    shares = [float(str(r[-1] or 0)) for r in rows]
    colours = [GREEN if s >= 90 else PALETTE[1] if s >= 50 else RED for s in shares]
    figure.set_size_inches(8, 1 + 0.28 * len(rows))
    axes = figure.add_subplot()
    axes.barh(range(len(rows)), shares, color=colours)
    axes.set_yticks(range(len(rows)), [str(r[0])[:45] for r in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("Days that ended with a fresh bed count (%)")
    if len(table.rows) > len(rows):
        axes.set_title(f"The {len(rows)} least fresh of {len(table.rows)} services", loc="left")


def _draw_response_by_day(figure: Figure, table: Table) -> None:
    axes = figure.add_subplot()
    days = _dates(table, axes)
    axes.plot(days, _column(table, "p50_ms"), label="p50", color=PALETTE[0], marker=".")
    axes.plot(days, _column(table, "p95_ms"), label="p95", color=PALETTE[1], marker=".")
    axes.set_ylim(bottom=0)
    axes.set_ylabel("Milliseconds")
    _legend(axes)


def _draw_distribution(figure: Figure, table: Table) -> None:
    axes = figure.add_subplot()
    turns = _column(table, "turns")
    shown = max(i for i, n in enumerate(turns) if n) + 1  # up to the slowest range used
    labels = [f"{row[0]:g}–{row[1]:g}" if row[1] is not None else f"≥ {row[0]:g}"
              for row in table.rows[:shown]]  # fmt: skip
    axes.bar(range(shown), turns[:shown], color=PALETTE[0])
    crowded = shown > 8
    axes.set_xticks(range(shown), labels, rotation=40 if crowded else 0,
                    ha="right" if crowded else "center")  # fmt: skip
    axes.set_xlabel("Response time (ms)")
    axes.set_ylabel("Turns")


_CHARTS: dict[str, Callable[[Figure, Table], None]] = {
    "requests_by_need": _draw_requests,
    "unmet_by_need": _draw_unmet_by_need,
    "unmet_by_place": _draw_unmet_by_place,
    "handoffs_by_week": _draw_handoffs,
    "capacity_freshness": _draw_capacity,
    "response_times_by_day": _draw_response_by_day,
    "response_time_distribution": _draw_distribution,
}
