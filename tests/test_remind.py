"""Stale-count reminders go to the staff who keep each count."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import people, remind
from directory import open_db, set_capacity
from directory.demo import REFERENCE
from wayfinder.cli import cli

KEY = b"test key"


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> str:
        self.sent.append((to, body))
        return f"SM{len(self.sent)}"


def _id(db: object, name: str) -> str:
    return str(db.execute("SELECT id FROM service WHERE name = ?", [name]).fetchone()[0])  # type: ignore[attr-defined]


def test_only_stale_counts_get_a_reminder_to_their_staff(assistant_db_path: Path) -> None:
    db = open_db(assistant_db_path)
    welton = _id(db, "Welton Street Withdrawal Management")
    aspen = _id(db, "Aspen Hollow Detox Unit")
    people.add(db, "(505) 555-0170", "staff", KEY, services=[welton])
    people.add(db, "(505) 555-0171", "staff", KEY, services=[aspen])
    people.add(db, "(505) 555-0172", "responder", KEY, program="Denver STAR")
    set_capacity(db, welton, 3, who="test", at=REFERENCE - timedelta(hours=30))  # stale
    set_capacity(db, aspen, 6, who="test", at=REFERENCE - timedelta(hours=2))  # fresh
    outbox = Recorder()
    assert remind.send(remind.due(db, REFERENCE), outbox) == 1
    [(to, body)] = outbox.sent
    assert to == "+15055550170"
    assert "Welton Street Withdrawal Management" in body and "30 h ago" in body
    assert "beds 4" in body


def test_dry_run_prints_and_sending_needs_twilio_settings(assistant_db_path: Path) -> None:
    db = open_db(assistant_db_path)
    welton = _id(db, "Welton Street Withdrawal Management")
    people.add(db, "(505) 555-0173", "staff", KEY, services=[welton])
    set_capacity(db, welton, 3, who="test", at=REFERENCE - timedelta(days=3))
    db.close()
    dry = CliRunner().invoke(cli, ["remind", "--dry-run", "--db", str(assistant_db_path)])
    assert dry.exit_code == 0 and "to +15055550173: Wayfinder: the bed count" in dry.output
    real = CliRunner().invoke(cli, ["remind", "--db", str(assistant_db_path)],
                              env={"TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": ""})  # fmt: skip
    assert real.exit_code == 1 and "TWILIO_FROM_NUMBER" in real.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["(505) 555-0100", "--role", "staff"], "at least one --service"),
        (["555", "--role", "responder"], "not a valid phone number"),
        (["telegram:abc", "--role", "admin"], "is a number"),
        (["(505) 555-0100", "--role", "staff", "--service", "nope"], "No service has the id"),
        (["(505) 555-0100", "--role", "responder", "--pin", "12"], "4 to 8 digits"),
    ],
)
def test_bad_registrations_are_refused_and_change_nothing(
    assistant_db_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["people", "add", *args, "--db", str(assistant_db_path)])
    assert result.exit_code == 1 and message in result.output
    assert "Nothing was changed" in result.output
    assert people.everyone(open_db(assistant_db_path)) == []


def test_people_are_listed_masked_and_can_be_removed(assistant_db_path: Path) -> None:
    db = str(assistant_db_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["people", "add", "505.555.0180", "--role", "responder",
                               "--program", "STAR", "--db", db]).exit_code == 0  # fmt: skip
    again = runner.invoke(cli, ["people", "add", "+1 505 555 0180", "--role", "admin", "--db", db])
    assert again.exit_code == 1 and "already registered" in again.output
    listed = runner.invoke(cli, ["people", "list", "--db", db]).output
    assert "responder" in listed and "+1…0180" in listed and "5055550180" not in listed
    assert (
        runner.invoke(cli, ["people", "set-pin", "(505) 555-0180", "9876", "--db", db]).exit_code
        == 0
    )
    assert "PIN set" in runner.invoke(cli, ["people", "list", "--db", db]).output
    assert runner.invoke(cli, ["people", "remove", "5055550180", "--db", db]).exit_code == 0
    assert "No one is registered" in runner.invoke(cli, ["people", "list", "--db", db]).output
