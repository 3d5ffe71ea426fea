"""The evaluation report, from a month of generated events on the demo directory: what a
program manager reads in the HTML, the CSV files beside it, and the page in a real
headless Chromium (no network). `wayfinder browse` serves the file read-only in Datasette."""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

import directory
from bot import events, report
from directory.demo import REFERENCE
from tests.live_server import running_wayfinder
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

NOW = REFERENCE.astimezone(UTC)  # the demo's bed counts are fresh as at this moment
AT = ["--at", NOW.isoformat()]
CSV_FILES = {
    "summary.csv": ["measure", "value"],
    "requests_by_need.csv": ["period_start", *directory.need_keys()],
    "unmet_by_need.csv": ["need", "label", "searches", "unmet", "unmet_percent"],
    "unmet_by_place.csv": ["place", "need", "searches", "unmet"],
    "handoffs_by_week.csv": ["week_start", "handoffs_988", "handoffs_911", "total"],
    "capacity_freshness.csv": [
        "facility", "service_id", "needs", "available", "maximum", "last_update", "age_hours",
        "freshness_limit_hours", "updates", "update_channels", "fresh_days_percent",
    ],
    "response_times_by_day.csv": ["day", "turns", "p50_ms", "p95_ms"],
    "response_time_distribution.csv": ["from_ms", "to_ms", "turns", "percent"],
}  # fmt: skip
# The searches made to go unmet: (place, need) → how many. Every other search finds room.
UNMET = {("80012", "detox"): 17, ("Aurora", "sobering"): 9, ("80204", "shelter"): 5}
NEEDS = ["detox", "shelter", "crisis_stabilization", "mental_health", "sobering"]
PLACES = ["80204", "80203", "80012", "80220", "Aurora", None]
WELTON = "f418ec06-d41d-5c67-bc33-514c2639b2b6"  # Welton Street Withdrawal Management


@dataclass
class Month:
    """A copy of the demo directory with a month of events, and what was put in it."""

    path: Path
    rows: list[events.Event]

    def handoffs(self) -> Counter[str]:
        return Counter(e.handoff for e in self.rows if e.handoff)

    def searches(self, place: str | None, need: str) -> int:
        return sum(
            1 for e in self.rows
            if e.intent in report.SEARCHES and e.results is not None
            and e.place == place and need in e.needs
        )  # fmt: skip


def a_month(seed: int = 7, turns: int = 3000) -> list[events.Event]:
    """Turns spread over the 30 days before NOW: searches that find room, the UNMET ones,
    bed updates, greetings, and hand-offs to 988 and 911."""
    rng = random.Random(seed)
    start = NOW - timedelta(days=29, hours=NOW.hour)

    def turn(intent: str, **fields: object) -> events.Event:
        at = start + timedelta(minutes=rng.randrange(int((NOW - start).total_seconds() // 60)))
        return events.Event(
            hour=events.hour_of(at), channel=rng.choice(["sms", "telegram", "web"]),
            role="community", intent=intent, ms=round(rng.lognormvariate(0.3, 0.6), 2),
            **fields,  # type: ignore[arg-type]
        )  # fmt: skip

    rows = [
        turn("find_resource", needs=[need], place=place, results=rng.choice([0, 3]), room=False)
        for (place, need), count in UNMET.items()
        for _ in range(count)
    ]
    rows += [turn("crisis", needs=["crisis_stabilization"], handoff="988") for _ in range(41)]
    rows += [turn("emergency", handoff="911") for _ in range(13)]
    while len(rows) < turns:
        kind = rng.random()
        if kind < 0.6:
            need, place = rng.choice(NEEDS), rng.choice(PLACES)
            if (place, need) in UNMET:
                continue
            rows.append(turn(rng.choice(report.SEARCHES), needs=[need], place=place,
                             results=rng.randint(1, 5), first_km=2.5, room=True))  # fmt: skip
        elif kind < 0.75:
            rows.append(turn("provide_location", place=rng.choice(PLACES)))
        elif kind < 0.85:
            rows.append(turn("update_availability", needs=["detox"]))
        else:
            rows.append(turn(rng.choice(["greet", "thanks", "help"])))
    return rows


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, demo_db_path: Path) -> Month:
    path = tmp_path_factory.mktemp("report") / "month.db"
    shutil.copyfile(demo_db_path, path)
    rows = a_month()
    db = directory.open_db(path)
    events.ensure(db)
    for row in rows:
        events.record(db, row)
    # Welton Street reports by SMS at 17:00 UTC every day of the last twenty, today too.
    for days in reversed(range(20)):
        directory.set_capacity(db, WELTON, 3, who="test", channel="sms",
                               at=NOW - timedelta(days=days, hours=2))  # fmt: skip
    db.close()
    return Month(path, rows)


def run(*args: str | Path, code: int = 0) -> click.testing.Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output + result.stderr
    return result


@pytest.fixture(scope="module")
def written(month: Month, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the month and its CSV files, in one folder."""
    out = tmp_path_factory.mktemp("out")
    result = run("report", "--db", month.path, "--out", out / "report.html", "--csv",
                 out / "csv", *AT)  # fmt: skip
    assert result.stdout == (
        f"Wrote {out / 'report.html'}: 3,000 events from 2026-10-25 00:00 to "
        f"2026-11-23 19:00 UTC.\nWrote 8 CSV files to {out / 'csv'}.\n"
    )
    return out


def read_csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "csv" / name).open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def html_table(page: str, name: str) -> list[list[str]]:
    """The body rows of one HTML table, as the cell texts."""
    section = re.search(rf'<section aria-labelledby="{name}">(.*?)</section>', page, re.S)
    assert section, name
    body = re.search(r"<tbody>(.*?)</tbody>", section[1], re.S)
    assert body, name
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in body[1].split("</tr>")[:-1]]


# ---- what the report says ---------------------------------------------------------------


def test_the_report_has_a_title_its_period_and_the_privacy_line(written: Path) -> None:
    page = (written / "report.html").read_text()
    assert "<h1>Wayfinder program report</h1>" in page
    assert "Period: 2026-10-25 00:00 to 2026-11-23 19:00 UTC. Generated " in page
    assert "Anonymous events: no senders, no message text." in page


def test_every_chart_is_inline_svg_followed_by_its_accessible_table(written: Path) -> None:
    page = (written / "report.html").read_text()
    for name in CSV_FILES:
        table = name.removesuffix(".csv")
        section = re.search(rf'<section aria-labelledby="{table}">(.*?)</section>', page, re.S)
        assert section, table
        if table != "summary":
            figure, _, rest = section[1].partition("</figure>")
            assert f'<svg role="img" aria-labelledby="{table}-chart"' in figure, table
            assert "<caption" in rest and '<th scope="col">' in rest and '<th scope="row">' in rest
    assert page.count("<svg") == 7


def test_the_page_loads_nothing_from_outside(written: Path) -> None:
    page = (written / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import|<script|<link|<img", page, re.I)
    assert "default-src 'none'" in page  # and the browser is told so


def test_the_unmet_table_lists_exactly_the_place_and_need_pairs_left_unmet(
    written: Path, month: Month
) -> None:
    expected = [
        [place, need, str(month.searches(place, need)), str(count)]
        for (place, need), count in UNMET.items()
    ]
    page = (written / "report.html").read_text()
    assert html_table(page, "unmet_by_place") == [
        [p, n, f"{int(s):,}", u] for p, n, s, u in expected
    ]
    assert [list(row.values()) for row in read_csv(written, "unmet_by_place.csv")] == expected


def test_unmet_by_need_counts_the_searches_of_each_need(written: Path, month: Month) -> None:
    rows = {row["need"]: row for row in read_csv(written, "unmet_by_need.csv")}
    assert int(rows["detox"]["unmet"]) == 17 and int(rows["mental_health"]["unmet"]) == 0
    searches = sum(month.searches(place, "sobering") for place in PLACES)
    assert rows["sobering"] == {
        "need": "sobering", "label": "Sobering center", "searches": str(searches),
        "unmet": "9", "unmet_percent": str(round(900 / searches, 1)),
    }  # fmt: skip


def test_handoffs_by_week_add_up_to_those_made(written: Path, month: Month) -> None:
    rows = read_csv(written, "handoffs_by_week.csv")
    assert rows[0]["week_start"] == "2026-10-19" and rows[-1]["week_start"] == "2026-11-23"
    assert sum(int(r["handoffs_988"]) for r in rows) == month.handoffs()["988"] == 41
    assert sum(int(r["handoffs_911"]) for r in rows) == month.handoffs()["911"] == 13
    assert all(int(r["total"]) == int(r["handoffs_988"]) + int(r["handoffs_911"]) for r in rows)


def test_requests_by_need_count_every_day_of_the_period(written: Path, month: Month) -> None:
    rows = read_csv(written, "requests_by_need.csv")
    assert len(rows) == 30 and rows[0]["period_start"] == "2026-10-25"
    named = Counter(n for e in month.rows if e.intent != "update_availability" for n in e.needs)
    assert {k: sum(int(r[k]) for r in rows) for k in NEEDS} == {k: named[k] for k in NEEDS}


def test_the_summary_and_the_csv_files_hold_the_same_numbers(written: Path) -> None:
    summary = {row["measure"]: row["value"] for row in read_csv(written, "summary.csv")}
    assert summary["Turns (messages answered)"] == "3000"
    assert summary["Searches without an open service with room"] == "31"
    assert summary["Hand-offs to 988"] == "41" and summary["Hand-offs to 911"] == "13"
    page = (written / "report.html").read_text()
    assert ["Searches without an open service with room", "31"] in html_table(page, "summary")


def test_csv_files_have_stable_names_and_headers(written: Path) -> None:
    assert sorted(p.name for p in (written / "csv").iterdir()) == sorted(CSV_FILES)
    for name, header in CSV_FILES.items():
        with (written / "csv" / name).open(newline="", encoding="utf-8") as file:
            assert next(csv.reader(file)) == header, name


def test_who_keeps_counts_fresh_shows_the_daily_sms_reports(written: Path) -> None:
    rows = {row["service_id"]: row for row in read_csv(written, "capacity_freshness.csv")}
    welton = rows[WELTON]
    assert welton["facility"] == "Welton Street Withdrawal Management"
    assert (welton["updates"], welton["update_channels"]) == ("20", "sms 20")
    assert (welton["last_update"], welton["age_hours"]) == ("2026-11-23 17:00", "2.0")
    assert welton["freshness_limit_hours"] == "24.0"
    # The last twenty days ended with a count under 24 hours old; the first ten did not.
    assert welton["fresh_days_percent"] == str(round(100 * 20 / 30, 1))


def test_response_times_give_p50_and_p95_per_day(written: Path, month: Month) -> None:
    rows = read_csv(written, "response_times_by_day.csv")
    assert sum(int(r["turns"]) for r in rows) == len(month.rows)
    overall = sorted(e.ms or 0 for e in month.rows)
    p50 = overall[len(overall) // 2]
    median = sorted(float(r["p50_ms"]) for r in rows)[len(rows) // 2]
    assert 0.8 * p50 <= median <= 1.1 * p50
    assert all(float(r["p95_ms"]) >= float(r["p50_ms"]) for r in rows)
    distribution = read_csv(written, "response_time_distribution.csv")
    assert sum(int(r["turns"]) for r in distribution) == len(month.rows)
    assert sum(
        int(r["turns"]) for r in distribution if r["to_ms"] and float(r["to_ms"]) <= 1
    ) == sum(1 for e in month.rows if (e.ms or 0) < 1)


def test_an_empty_database_gives_a_report_that_says_there_is_no_data(
    db_path: Path, tmp_path: Path
) -> None:
    result = run("report", "--db", db_path, "--out", tmp_path / "r.html", "--csv",
                 tmp_path / "csv", *AT)  # fmt: skip
    assert "no events from 2026-10-25 00:00 to 2026-11-23 19:00 UTC" in result.stdout
    page = (tmp_path / "r.html").read_text()
    assert "No data: no conversations were recorded in this period." in page
    assert "<svg" not in page
    assert len(list((tmp_path / "csv").iterdir())) == 8


def test_a_period_without_events_says_so_too(month: Month, tmp_path: Path) -> None:
    run("report", "--db", month.path, "--out", tmp_path / "r.html", "--since", "2027-01-01",
        "--at", "2027-01-05T00:00:00+00:00")  # fmt: skip
    assert "No data: no conversations" in (tmp_path / "r.html").read_text()


def test_a_missing_database_is_named_and_not_created(tmp_path: Path) -> None:
    result = run("report", "--db", tmp_path / "nope.db", "--out", tmp_path / "r.html", code=1)
    assert f"Error: No database at {tmp_path / 'nope.db'}." in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_an_output_folder_that_does_not_exist_is_named(month: Month, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "r.html"
    result = run("report", "--db", month.path, "--out", out, *AT, code=1)
    assert result.stderr == (
        f"Error: Cannot write {out}: No such file or directory. Check the folder exists and "
        "is writable.\n"
    )


# ---- --since ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("30d", "2026-10-25T00:00:00+00:00"),
        ("1d", "2026-11-23T00:00:00+00:00"),
        ("12w", "2026-09-01T00:00:00+00:00"),
        ("1y", "2025-11-24T00:00:00+00:00"),
        ("2026-11-01", "2026-11-01T00:00:00+00:00"),
        ("2026-11-01T06:00:00-07:00", "2026-11-01T13:00:00+00:00"),
    ],
)
def test_since_reads_days_weeks_years_and_iso_dates(text: str, start: str) -> None:
    assert report.parse_since(text, NOW).isoformat() == start


@pytest.mark.parametrize("text", ["30", "thirty days", "0d", "3m", "200000d", "2026-13-01"])
def test_an_unreadable_since_is_refused_naming_the_forms(text: str, tmp_path: Path) -> None:
    result = run("report", "--since", text, "--out", tmp_path / "r.html", code=2)
    assert result.stderr.endswith(
        f"Error: Invalid value for '--since': {text!r} is not a period: use a number of days, "
        "weeks or years (30d, 12w, 1y; at most 100 years) or an ISO date (2026-11-01).\n"
    )


def test_a_since_after_the_end_is_refused() -> None:
    with pytest.raises(report.InvalidPeriod) as error:
        report.parse_since("2027-01-01", NOW)
    assert str(error.value) == (
        "'2027-01-01' is after the end of the report (2026-11-23 19:00 UTC): give an earlier date."
    )


# ---- in a real browser ------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def test_the_report_renders_offline_in_chromium_without_a_single_request(written: Path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this.")
    from playwright.sync_api import sync_playwright

    url = (written / "report.html").as_uri()
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        charts = page.locator("figure svg")
        assert charts.count() == 7
        for index in range(7):
            box = charts.nth(index).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50
        assert page.locator("table caption").count() == 8
        browser.close()
    assert requested == [url]  # the file itself, nothing else


# ---- wayfinder browse -------------------------------------------------------------------


def test_browse_without_datasette_says_how_to_install_it(month: Month) -> None:
    # A Python where `import datasette` fails, as on an installation without the extra.
    result = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['datasette'] = None; "
         "from wayfinder.cli import cli; cli()", "browse", "--db", str(month.path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.endswith(
        "Error: Datasette is not installed. Install it with: pip install 'wayfinder[browse]'\n"
    )


@pytest.fixture
def browsing(month: Month, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """`wayfinder browse` on a copy of the month, its URL, and the file's digest before."""
    pytest.importorskip("datasette", reason="the browse extra is not installed")
    path = tmp_path / "browse.db"
    shutil.copyfile(month.path, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    args = ["browse", "--db", str(path)]
    with running_wayfinder(args, "/-/versions.json", log_path=tmp_path / "browse.log") as base:
        yield base, path, before


def test_browse_serves_the_change_log_and_cannot_change_the_file(
    browsing: tuple[str, Path, str],
) -> None:
    base, path, before = browsing
    answer = httpx.get(f"{base}/browse/change_log.json?_shape=array&_size=1000", timeout=30)
    assert answer.status_code == 200
    rows = answer.json()
    assert any(r["resource_id"] == WELTON and r["channel"] == "sms" for r in rows)
    refused = httpx.get(f"{base}/browse.json", params={"sql": "DELETE FROM change_log"})
    assert refused.status_code == 400
    assert httpx.get(f"{base}/browse/event.json?_shape=array&_size=1", timeout=30).json()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_browse_makes_every_connection_to_the_file_query_only(
    browsing: tuple[str, Path, str],
) -> None:
    base, _, _ = browsing
    plugins = httpx.get(f"{base}/-/plugins.json", timeout=30).json()
    assert [p["name"] for p in plugins] == ["wayfinder_query_only"]
    assert plugins[0]["hooks"] == ["prepare_connection"]
