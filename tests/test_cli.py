from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import TUCSON
from wayfinder.cli import cli

AT = ["--at", "2026-11-23T10:00:00-07:00"]


def run(*args: str | Path, code: int = 0) -> click.testing.Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output + result.stderr
    return result


@pytest.fixture
def imported(db_path: Path) -> Path:
    run("directory", "import", TUCSON, "--db", db_path)
    return db_path


def test_import_says_what_it_wrote(db_path: Path) -> None:
    result = run("directory", "import", TUCSON, "--db", db_path)
    assert result.stdout == "Imported 9 services (9 new, 0 changed), 5 locations, 4 bed counts.\n"


def test_invalid_import_lists_every_problem_and_imports_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "locations.csv").write_text("id,latitude,longitude\nl1,100,0\nl2,0,500\n")
    result = run("directory", "import", bad, "--db", db_path, code=1)
    assert result.stderr.splitlines() == [
        "locations.csv:2: latitude: 100 is out of range (-90 to 90)",
        "locations.csv:3: longitude: 500 is out of range (-180 to 180)",
        "Error: 2 problem(s) found. Nothing was imported.",
    ]
    assert (
        json.loads(run("directory", "stats", "--db", db_path, "--json").stdout)[0]["services"] == 0
    )


def test_validate_writes_nothing_and_reports_in_json(db_path: Path, tmp_path: Path) -> None:
    run("directory", "validate", TUCSON, "--db", db_path)
    assert not db_path.exists() or db_path.stat().st_size > 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "services.csv").write_text("id,organization_id,name,status\ns1,o1,X,open\n")
    result = run("directory", "validate", bad, "--json", code=1)
    problems = json.loads(result.stdout)
    assert {p["field"] for p in problems} == {"status", "organization_id"}


def test_search_json_is_the_stable_shape_and_nothing_else(imported: Path) -> None:
    result = run("directory", "search", "--need", "detox", "--near", "85705", *AT,
                 "--db", imported, "--json")  # fmt: skip
    results = json.loads(result.stdout)
    assert list(results[0]) == [
        "id", "name", "needs", "distance_km", "address", "phone", "open_now", "available",
        "maximum", "capacity_updated", "stale",
    ]  # fmt: skip
    assert results[0]["name"] == "Sonoran Withdrawal Center"


def test_search_text_shows_distance_hours_beds_and_phone(imported: Path) -> None:
    result = run("directory", "search", "--need", "detox", "--near", "85705", *AT,
                 "--db", imported)  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[0] == "Detox (withdrawal management) near 85705 (Tucson, AZ):"
    assert lines[1] == (" 1. Sonoran Withdrawal Center | 0.8 km | open now | "
                        "4 of 16 beds open, updated 1 h ago | 520-555-0101")  # fmt: skip
    assert "last reported 2 of 8 beds 3 days ago, call to confirm" in lines[3]


def test_search_with_an_unknown_place_or_need_explains(imported: Path) -> None:
    result = run("directory", "search", "--need", "detox", "--near", "Atlantis", "--db",
                 imported, code=1)  # fmt: skip
    assert "Cannot find the place 'Atlantis'" in result.stderr
    result = run("directory", "search", "--need", "detx", "--near", "85705", "--db", imported,
                 code=1)  # fmt: skip
    assert "Did you mean 'detox'?" in result.stderr


def test_set_capacity_then_search_shows_the_new_count(imported: Path) -> None:
    result = run("directory", "set-capacity", "svc-detox", "--available", "7", "--db", imported)
    assert result.stdout == "Sonoran Withdrawal Center: 7 of 16 beds open (was 4).\n"
    found = json.loads(run("directory", "search", "--need", "detox", "--near", "85705",
                           "--db", imported, "--json").stdout)  # fmt: skip
    assert (found[0]["available"], found[0]["stale"]) == (7, False)


def test_set_capacity_above_the_maximum_is_refused(imported: Path) -> None:
    result = run("directory", "set-capacity", "svc-detox", "--available", "70", "--db",
                 imported, code=1)  # fmt: skip
    assert "70 beds available is more than the maximum of 16" in result.stderr


def test_stats_counts_services_by_need(imported: Path) -> None:
    stats = {s["need"]: s for s in json.loads(run("directory", "stats", "--db", imported,
                                                   "--json").stdout)}  # fmt: skip
    assert stats["detox"]["services"] == 2  # the inactive one is not counted
    assert stats["medical"]["no_count"] == 1


def test_add_place_makes_it_searchable(imported: Path) -> None:
    run("directory", "add-place", "Fourth Avenue", "--lat", "32.229", "--lon", "-110.962",
        "--alias", "4th ave", "--db", imported)  # fmt: skip
    found = json.loads(run("directory", "search", "--need", "shelter", "--near", "4th ave",
                           "--db", imported, "--json").stdout)  # fmt: skip
    assert found[0]["name"] == "Night Owl Shelter"


def test_export_round_trips_through_the_command_line(imported: Path, tmp_path: Path) -> None:
    run("directory", "export", tmp_path / "out", "--db", imported)
    run("directory", "import", tmp_path / "out", "--db", tmp_path / "copy.db")
    assert json.loads(
        run("directory", "stats", "--db", tmp_path / "copy.db", "--json").stdout
    ) == json.loads(run("directory", "stats", "--db", imported, "--json").stdout)


def test_the_console_script_is_installed_and_reports_its_version() -> None:
    result = subprocess.run(
        [Path(sys.executable).parent / "wayfinder", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("wayfinder, version ")


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(cli), ids=lambda v: str(v))
def test_every_command_has_help_with_an_example_and_a_readme_entry(
    name: str, command: click.Command
) -> None:
    assert command.help and "Example:" in command.help
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert f"wayfinder {name}" in readme
