"""Writing a report: the HTML file, and each table as a CSV file when asked."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from bot.report.html import render_html
from bot.report.tables import Report


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
