"""`wayfinder report` (the evaluation report) and `wayfinder browse` (Datasette, read-only)."""

from __future__ import annotations

import importlib
import json
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from bot import report
from directory import open_db
from directory.engine import is_postgres
from wayfinder.cli.options import database_exists, db_option, json_option, settings
from wayfinder.settings import use_chart_cache

INSTALL_BROWSE = "pip install 'wayfinder[browse]'"


def _existing(db_path: str) -> str:
    """The database to open, refused when there is none: opening a missing file would
    create an empty database and report on nothing."""
    if not database_exists(db_path):
        raise click.ClickException(
            f"No database at {db_path}. Give its path with --db or WAYFINDER_DB."
        )
    return db_path


def _at(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date-time.") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command("report")
@click.option(
    "--since", default="30d", show_default=True,
    help="Start of the period: days, weeks or years back (30d, 12w, 1y) or an ISO date.",
)  # fmt: skip
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, writable=True),
    help="The HTML file to write (one self-contained file).",
)  # fmt: skip
@click.option(
    "--csv", "csv_dir", type=click.Path(file_okay=False),
    help="Also write each table as a CSV file into this folder.",
)  # fmt: skip
@click.option("--at", "at_text", help="Report as at this moment (ISO 8601), e.g. for tests.")
@db_option
@json_option
def report_command(
    since: str, out: str, csv_dir: str | None, at_text: str | None, db_path: str, as_json: bool
) -> None:
    """The program evaluation report: requests by need, unmet needs by need and place,
    988/911 hand-offs, who keeps bed counts fresh, response times. One HTML file with
    its charts inline (it loads nothing from the network); --csv writes each table too.
    Built from the anonymous event log: no senders, no message text.

    Example:

        wayfinder report --since 12w --out report.html --csv report-csv
    """
    end = _at(at_text)
    try:
        start = report.parse_since(since, end)
    except report.InvalidPeriod as error:
        raise click.BadParameter(str(error), param_hint="'--since'") from error
    freshness = settings().directory.freshness_hours
    use_chart_cache(settings())
    db = open_db(_existing(db_path))
    try:
        built = report.build(db, start, end, freshness)
    finally:
        db.close()
    try:
        written = report.write(
            built, Path(out), Path(csv_dir) if csv_dir else None, datetime.now(UTC)
        )
    except OSError as error:
        raise click.ClickException(
            f"Cannot write {error.filename or out}: {error.strerror}. Check the folder exists "
            "and is writable."
        ) from error
    if as_json:
        click.echo(json.dumps({
            "html": out, "csv": [str(p) for p in written], "events": built.events,
            "start": built.start.isoformat(), "end": built.end.isoformat(),
        }))  # fmt: skip
        return
    count = f"{built.events:,} event{'s' * (built.events != 1)}" if built.events else "no events"
    period = f"{start:%Y-%m-%d %H:%M} to {end.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    click.echo(f"Wrote {out}: {count} from {period}.")
    if csv_dir:
        click.echo(f"Wrote {len(written)} CSV files to {csv_dir}.")


@click.command("browse")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default lets only this machine in.")  # fmt: skip
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@db_option
def browse_command(host: str, port: int, db_path: str) -> None:
    """Explore the database read-only in Datasette (tables, facets, SQL queries).

    Needs the optional extra: pip install 'wayfinder[browse]'. Nothing can be written
    through it: SQLite opens the file read-only (mode=ro), and even the connection
    Datasette keeps for writes is query-only. No browser window is opened.

    Example:

        wayfinder browse --db wayfinder-demo.db --port 8001
    """
    if is_postgres(db_path):
        raise click.ClickException(
            "browse opens SQLite files only (Datasette reads SQLite). For a PostgreSQL "
            "database use its own tools, e.g. psql with a read-only role."
        )
    path = Path(_existing(db_path))
    try:
        datasette: Any = importlib.import_module("datasette")
        datasette_cli: Any = importlib.import_module("datasette.cli")
        plugins: Any = importlib.import_module("datasette.plugins")
    except ImportError as error:
        raise click.ClickException(
            f"Datasette is not installed. Install it with: {INSTALL_BROWSE}"
        ) from error

    # Every connection Datasette opens to this file refuses writes, even the one it keeps
    # for writes (opened without mode=ro), whatever a plugin or a canned query may try.
    def prepare_connection(conn: Any, database: str) -> None:
        if database == path.stem:
            conn.execute("PRAGMA query_only = 1")

    plugin = types.ModuleType("wayfinder_query_only")
    plugin.prepare_connection = datasette.hookimpl(prepare_connection)  # type: ignore[attr-defined]
    plugins.pm.register(plugin)
    click.echo(f"Browsing {path} read-only at http://{host}:{port}/ (Ctrl-C stops).", err=True)
    # Datasette's default for a plain file opens it with ?mode=ro and sees every committed
    # change; immutable mode (-i) would skip the -wal file and miss a live server's writes.
    datasette_cli.cli.main(
        ["serve", str(path), "--host", host, "--port", str(port)], prog_name="datasette"
    )
