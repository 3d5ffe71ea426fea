"""The report as one self-contained HTML page: tables, charts inline, a
Content-Security-Policy that lets the browser load nothing."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from bot.report.charts import chart
from bot.report.tables import PRIVACY, Cell, Report, Table

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
    svg = chart(table)
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
