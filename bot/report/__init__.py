"""The program evaluation report: one self-contained HTML file, and its tables as CSV.

Read only from the anonymous `event` log (no sender, no text) and the directory's bed
counts and change log. The file loads nothing from anywhere (a Content-Security-Policy
says so to the browser too), so it can be mailed to a board or opened offline.

    tables.py   what a report is (tables, cells, the period)
    queries.py  its tables, from the event log and the directory
    charts.py   its charts (matplotlib to inline SVG)
    html.py     the page
    csv.py      writing the page and the tables' CSV files
"""

from __future__ import annotations

from bot.report.csv import write
from bot.report.html import render_html
from bot.report.queries import build
from bot.report.tables import PRIVACY, SEARCHES, InvalidPeriod, Report, Table, parse_since

__all__ = ["PRIVACY", "SEARCHES", "InvalidPeriod", "Report", "Table", "build", "parse_since",
           "render_html", "write"]  # fmt: skip
