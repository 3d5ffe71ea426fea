"""`wayfinder directory …`: import, validate, export, search and correct the directory."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from directory import capacity, geo, sync
from directory.config import DirectorySettings
from directory.db import open_db
from directory.demo import load_demo
from directory.eligibility import warnings as eligibility_warnings
from directory.eligibility_changes import set_eligibility
from directory.engine import Database
from directory.errors import DirectoryError, InvalidData
from directory.export import export_directory
from directory.hours import zone
from directory.importer import import_dataset
from directory.needs import load_needs
from directory.reader import read
from directory.search import search
from directory.street_files import StreetFileError
from directory.streets import import_streets
from directory.types import ImportSummary, Problem, SearchResult
from directory.validate import validate
from wayfinder.cli.options import (
    close_with_command,
    database_exists,
    db_option,
    json_option,
    open_directory,
    settings,
    who,
)


def _print_problems(problems: list[Problem], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([p.__dict__ for p in problems], indent=2))
        return
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group("directory")
def directory_group() -> None:
    """The resource directory: HSDS import and export, search, bed counts."""


_STRICT_HELP = (
    "In JSON, refuse references to objects outside the file (by default they are warnings)."
)


@directory_group.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--by", help="Who is importing, for the change log (default: your user name).")
@click.option("--strict", is_flag=True, help=_STRICT_HELP)
@db_option
@json_option
def import_command(path: str, by: str | None, strict: bool, db_path: str, as_json: bool) -> None:
    """Import HSDS 3.x data: a folder of CSV files, a .zip of one, JSON or NDJSON.

    All or nothing: one invalid row aborts the import, lists every problem and
    leaves the database exactly as it was. Re-importing updates rows in place.
    A JSON object that refers to one outside the file (an API page's services
    naming an organization it does not carry) is imported with a warning.

    Example:

        wayfinder directory import ./hsds-export/
    """
    db = open_directory(db_path)
    try:
        dataset = read(path)
        if sys.stderr.isatty() and dataset.size > 2000 and not as_json:
            with click.progressbar(length=dataset.size, label="Importing", file=sys.stderr) as bar:
                summary = import_dataset(
                    db, dataset, who=who(by), progress=bar.update, strict=strict
                )
        else:
            summary = import_dataset(db, dataset, who=who(by), strict=strict)
    except InvalidData as error:
        _print_problems(error.problems, as_json)
        raise click.ClickException(str(error)) from error
    _report_import(summary, as_json)


def _report_import(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        fields = {**summary.__dict__, "warnings": [p.__dict__ for p in summary.warnings]}
        click.echo(json.dumps(fields, indent=2))
        return
    for warning in summary.warnings:
        click.echo(str(warning), err=True)
    click.echo(
        f"Imported {summary.counts['service']} services "
        f"({summary.created} new, {summary.updated} changed), "
        f"{summary.counts['location']} locations, "
        f"{summary.counts['service_capacity']} bed counts."
    )
    if summary.converted:
        click.echo(f"Converted from an older HSDS: {'; '.join(summary.converted)}", err=True)
    if summary.skipped:
        click.echo(f"Not used by Wayfinder, skipped: {', '.join(summary.skipped)}", err=True)


@directory_group.command("import-streets")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@json_option
def import_streets_command(paths: tuple[str, ...], db_path: str, as_json: bool) -> None:
    """Import street data for intersections, addresses and blocks.

    Census TIGER/Line EDGES (the .zip as published, or its .shp) with the county's
    FEATNAMES file for alternate names, and OpenStreetMap extracts (.osm, .osm.pbf).
    All or nothing: every file is read before anything is written. Importing a county
    or an extract again replaces its streets.

    Example:

        wayfinder directory import-streets tl_2024_08031_edges.zip tl_2024_08031_featnames.zip
    """
    db = open_directory(db_path)
    try:
        if sys.stderr.isatty() and not as_json:
            with click.progressbar(length=0, label="Importing streets", file=sys.stderr,
                                   show_pos=True) as bar:  # fmt: skip
                summaries = import_streets(db, paths, progress=bar.update)
        else:
            summaries = import_streets(db, paths)
    except StreetFileError as error:
        _print_problems(error.problems, as_json)
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps([s.__dict__ for s in summaries], indent=2))
        return
    for s in summaries:
        again = " (replacing the earlier import)" if s.replaced else ""
        ranges = f", {s.address_ranges} address ranges" if s.address_ranges else ""
        numbers = f", {s.addresses} house numbers" if s.addresses else ""
        click.echo(
            f"{s.area}{again}: {s.streets} streets, {s.edges} street segments, "
            f"{s.intersections} intersections{ranges}{numbers}."
        )


@directory_group.command("sync")
@click.argument("url")
@click.option("--by", help="Who is syncing, for the change log (default: your user name).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30, show_default=True,
              help="Seconds to wait for one page.")  # fmt: skip
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Tries again after a network error or a 5xx answer.")  # fmt: skip
@db_option
@json_option
def sync_command(
    url: str, by: str | None, timeout: float, retries: int, db_path: str, as_json: bool
) -> None:
    """Pull another HSDS 3.x API into the directory, page by page.

    URL is the API's base (the address that answers /services). Later runs ask
    only for what changed since the last one (modified_after) and remove the
    services the other side no longer has. A failed sync changes nothing.

    Example:

        wayfinder directory sync https://211.example.org/hsds
    """
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("give the API's http:// or https:// address", param_hint="URL")
    db = open_directory(db_path)
    client = sync.Client(url.rstrip("/"), timeout=timeout, retries=retries)
    try:
        if sys.stderr.isatty() and not as_json:
            with click.progressbar(length=0, label="Reading services", file=sys.stderr) as bar:

                def moved(done: int, total: int) -> None:
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)

                summary = sync.sync(db, url, who=who(by), client=client, progress=moved)
        else:
            summary = sync.sync(db, url, who=who(by), client=client)
    except InvalidData as error:
        _print_problems(error.problems, as_json)
        raise click.ClickException(f"{error} Nothing was changed.") from error
    except sync.SyncError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(summary.__dict__, indent=2))
        return
    since = f"changes since {summary.asked_from}" if summary.asked_from else "everything"
    click.echo(
        f"Synced from {url.rstrip('/')} ({since}): {summary.added} added, "
        f"{summary.changed} changed, {summary.removed} removed, "
        f"{summary.unchanged} unchanged."
    )


@directory_group.command("validate")
@click.argument("path", type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help=_STRICT_HELP)
@db_option
@json_option
def validate_command(path: str, strict: bool, db_path: str, as_json: bool) -> None:
    """Report every problem in HSDS data as FILE:ROW: FIELD: WHY, writing nothing.

    References may point to rows already in the database. Exits with 1 when
    there is any problem.

    Example:

        wayfinder directory validate services.zip
    """
    try:
        dataset = read(path)
        db = open_db(db_path, migrate=False) if database_exists(db_path) else None
        if db is not None:
            close_with_command(db)
        known = db if db is not None and _has_schema(db) else None
        problems = validate(dataset, known, strict=strict)
    except InvalidData as error:
        problems = error.problems
    _print_problems(problems, as_json)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s) found.")
    if not as_json:
        for warning in eligibility_warnings(dataset):
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"No problems in {dataset.size} rows.")


def _has_schema(db: Database) -> bool:
    return "service" in db.table_names()


@directory_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@db_option
def export_command(folder: str, db_path: str) -> None:
    """Write the directory as HSDS 3.1 CSV files plus datapackage.json.

    Example:

        wayfinder directory export ./hsds-out/
    """
    written = export_directory(open_directory(db_path), folder)
    click.echo(f"Wrote {sum(written.values())} rows in {len(written)} files to {folder}.")


@directory_group.command("search")
@click.option("--need", "need_keys", multiple=True, help="A need key; repeat for any of several.")
@click.option("--near", help='A ZIP, "City, ST", "lat,lon" or a local place.')
@click.option(
    "--radius-km", type=float, help="How far to look (default 40, env WAYFINDER_RADIUS_KM)."
)
@click.option("--at", "at_text", help="ISO 8601 moment for opening hours (default now).")
@click.option("--query", help='Words to find in names and descriptions ("pets allowed").')
@click.option("--limit", type=click.IntRange(1, 500), default=10, show_default=True)
@db_option
@json_option
def search_command(
    need_keys: tuple[str, ...],
    near: str | None,
    radius_km: float | None,
    at_text: str | None,
    query: str | None,
    limit: int,
    db_path: str,
    as_json: bool,
) -> None:
    """Ranked services near a place: open, with room, close.

    Need keys: detox, shelter, crisis_stabilization, mental_health,
    substance_use_treatment, sobering, harm_reduction, food, medical,
    domestic_violence, housing, mobile_crisis, peer_support.

    Example:

        wayfinder directory search --need detox --near 80204
    """
    db = open_directory(db_path)
    found = settings().directory.for_directory(db)
    try:
        place = geo.resolve(db, near, found.default_state, home=found.home(db)) if near else None
        at = _parse_at(at_text, place.timezone if place else None, found)
        results = search(
            db, need_keys, place, radius_km=radius_km, at=at, query=query, limit=limit,
            settings=found,
        )  # fmt: skip
    except DirectoryError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], indent=2))
        return
    where = f" near {place.label}" if place else ""
    wanted = ", ".join(load_needs()[k].label for k in need_keys) or "Services"
    if not results:
        click.echo(f"{wanted}{where}: nothing found. Try a larger --radius-km.")
        return
    click.echo(f"{wanted}{where}:")
    for number, result in enumerate(results, start=1):
        click.echo(format_result(number, result, at))


def _parse_at(text: str | None, place_zone: str | None, settings: DirectorySettings) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-11-24T03:00-07:00)", param_hint="--at"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(place_zone, settings.default_timezone))
    return moment


def _ago(hours: float) -> str:
    if hours < 1:
        return f"{max(round(hours * 60), 1)} min ago"
    if hours < 48:
        return f"{round(hours)} h ago"
    return f"{round(hours / 24)} days ago"


def format_result(number: int, result: SearchResult, at: datetime) -> str:
    """Two lines a person can act on: what, how far, open, beds, phone; then where."""
    parts = [f"{number:>2}. {result.name}"]
    if result.distance_km is not None:
        parts.append(f"{result.distance_km:.1f} km")
    elif result.address is None:
        parts.append("serves this area")
    if result.open_now is True:
        parts.append("open now")
    elif result.open_now is False:
        nxt = result.next_open
        parts.append(f"closed, opens {nxt:%a %H:%M}" if nxt else "closed")
    else:
        parts.append("hours unknown")
    age = result.capacity_age_hours
    if result.available is not None and age is not None:
        of = f" of {result.maximum}" if result.maximum is not None else ""
        if result.stale:
            parts.append(f"last reported {result.available}{of} beds {_ago(age)}, call to confirm")
        elif result.available == 0:
            parts.append(f"full ({_ago(age)})")
        else:
            parts.append(f"{result.available}{of} beds open, updated {_ago(age)}")
    if result.phone:
        parts.append(result.phone)
    lines = [" | ".join(parts)]
    lines.append(f"    {result.address or 'address given by phone'}")
    return "\n".join(lines)


@directory_group.command("set-capacity")
@click.argument("service_id")
@click.option("--available", type=int, required=True, help="Beds open now.")
@click.option("--maximum", type=int, help="Total beds (kept as it was when not given).")
@click.option("--by", help="Who reports the count (default: your user name).")
@db_option
@json_option
def set_capacity_command(
    service_id: str, available: int, maximum: int | None, by: str | None, db_path: str,
    as_json: bool,
) -> None:  # fmt: skip
    """Record a bed count for a service, with its change-log row.

    Example:

        wayfinder directory set-capacity 3f2a… --available 4 --maximum 16
    """
    try:
        change = capacity.set_capacity(
            open_directory(db_path), service_id, available, maximum, who=who(by)
        )
    except DirectoryError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(change.__dict__, indent=2))
        return
    of = f" of {change.maximum}" if change.maximum is not None else ""
    was = "none reported" if change.old_available is None else str(change.old_available)
    click.echo(f"{change.service_name}: {change.available}{of} beds open (was {was}).")


_YES_NO = click.Choice(["yes", "no", "unknown"])


@directory_group.command("set-eligibility")
@click.argument("service_id")
@click.option("--min-age", type=click.IntRange(0, 120), help="Youngest age taken.")
@click.option("--max-age", type=click.IntRange(0, 120), help="Oldest age taken.")
@click.option("--gender", type=click.Choice(["men", "women", "any"]), help="Who only, if anyone.")
@click.option("--children", type=_YES_NO, help="Takes parents with their children.")
@click.option("--families-only", type=_YES_NO, help="Only families with children.")
@click.option("--pets", type=_YES_NO, help="Pets allowed.")
@click.option("--medicaid", type=_YES_NO, help="Accepts Medicaid.")
@click.option("--uninsured", type=_YES_NO, help="Takes people without insurance.")
@click.option("--veterans-only", type=_YES_NO, help="Veterans only.")
@click.option("--intoxicated", type=_YES_NO, help="Takes people who are intoxicated.")
@click.option("--referral-only", type=_YES_NO, help="By referral only.")
@click.option("--walk-in", type=_YES_NO, help="Walk-ins welcome.")
@click.option("--wheelchair", type=_YES_NO, help="Wheelchair accessible.")
@click.option("--by", help="Who makes the correction (default: your user name).")
@db_option
@json_option
def set_eligibility_command(
    service_id: str, by: str | None, db_path: str, as_json: bool, **options: Any
) -> None:
    """Set or correct who a service takes, on top of what its data says (logged in the
    change log; a re-import keeps it).

    Example:

        wayfinder directory set-eligibility 3f2a… --min-age 12 --max-age 17 --medicaid yes
    """
    changes: dict[str, Any] = {}
    for key, value in options.items():
        if value is None:
            continue
        if key == "gender":
            changes["genders"] = {"men": ["man"], "women": ["woman"], "any": None}[value]
        elif key in ("min_age", "max_age"):
            changes[key] = value
        else:
            flag = {"yes": True, "no": False, "unknown": None}[value]
            changes[key] = bool(flag) if key in _FLAGS else flag
    if not changes:
        raise click.UsageError("Say what to set, e.g. --min-age 18 or --medicaid no.")
    try:
        after = set_eligibility(open_directory(db_path), service_id, changes, who=who(by))
    except DirectoryError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps({k: v for k, v in after.__dict__.items() if k != "sources"}))
        return
    click.echo(f"Now: {after.restriction() or 'no restriction'} (changed: {', '.join(changes)}).")


_FLAGS = {"families_only", "veterans_only", "referral_only"}


@directory_group.command("stats")
@db_option
@json_option
def stats_command(db_path: str, as_json: bool) -> None:
    """Services by need, and how many bed counts are fresh, stale or missing.

    Example:

        wayfinder directory stats
    """
    db = open_directory(db_path)
    now = datetime.now(UTC)
    stats = []
    for key, need in load_needs().items():
        rows = db.execute(
            """SELECT s.id, (SELECT updated FROM service_capacity c WHERE c.service_id = s.id
                ORDER BY updated DESC LIMIT 1)
            FROM service s JOIN service_need n ON n.service_id = s.id AND n.need = ?
            WHERE coalesce(lower(s.status), 'active') NOT IN ('inactive', 'defunct')""",
            [key],
        ).fetchall()
        ages = [capacity.age_hours(updated, now) for _, updated in rows]
        fresh = sum(1 for a in ages if a is not None and a <= need.freshness_hours)
        stale = sum(1 for a in ages if a is not None and a > need.freshness_hours)
        stats.append(
            {"need": key, "services": len(rows), "fresh_counts": fresh, "stale_counts": stale,
             "no_count": len(rows) - fresh - stale}
        )  # fmt: skip
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"{'need':<26}{'services':>9}{'fresh':>7}{'stale':>7}{'no count':>10}")
    for s in stats:
        click.echo(
            f"{s['need']:<26}{s['services']:>9}{s['fresh_counts']:>7}"
            f"{s['stale_counts']:>7}{s['no_count']:>10}"
        )


@directory_group.command("add-place")
@click.argument("name")
@click.option("--lat", type=float, required=True)
@click.option("--lon", type=float, required=True)
@click.option("--alias", "aliases", multiple=True, help="Another name people use; repeatable.")
@db_option
def add_place_command(
    name: str, lat: float, lon: float, aliases: tuple[str, ...], db_path: str
) -> None:
    """Add a local landmark or neighbourhood that searches can be near.

    Example:

        wayfinder directory add-place "Civic Center Park" --lat 39.7372
        --lon -104.9890 --alias "civic center"
    """
    try:
        geo.add_place(open_directory(db_path), name, lat, lon, aliases)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Added {name} ({lat}, {lon}).")


@directory_group.command("demo")
@click.option("--at", "at_text", help="Make the demo's bed counts current as of this ISO time.")
@db_option
def demo_command(at_text: str | None, db_path: str) -> None:
    """Load the fictional Denver-metro demo directory (re-running refreshes it).

    Example:

        wayfinder directory demo --db demo.db
    """
    at = _parse_at(at_text, None, settings().directory) if at_text else None
    summary = load_demo(open_directory(db_path), at)
    click.echo(
        f"Demo directory (fictional, Denver metro) loaded into {db_path}: "
        f"{summary.counts['service']} services."
    )
