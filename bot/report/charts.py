"""The report's charts: matplotlib figures rendered to inline SVG with text kept as text
(matplotlib is imported only when a chart is drawn; its font cache folder is chosen by
the entry point, wayfinder.settings.use_chart_cache)."""

from __future__ import annotations

import html
import io
import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from bot.report.tables import Table

# Okabe–Ito colours: told apart by people with colour-blindness, and in grey print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
GREY, RED, GREEN = "#999999", "#D55E00", "#009E73"

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def chart(table: Table) -> str | None:
    """The table's chart as inline SVG, or None for a table without one."""
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
