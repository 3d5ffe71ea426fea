"""Facility staff keep bed counts fresh by text: PIN on SMS, trusted Telegram ids, a choice
of service, UNDO, and every attempt in the change log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import people
from bot.engine import Assistant
from directory import service_details
from directory.demo import REFERENCE

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

PHONE = "+17205550140"
KEY = b"test key"


def _service(assistant: Assistant, name: str) -> str:
    row = assistant.db.execute("SELECT id FROM service WHERE name = ?", [name]).fetchone()
    return str(row[0])


@pytest.fixture
def assistant(make_assistant: Any) -> Assistant:
    built: Assistant = make_assistant()
    return built


@pytest.fixture
def welton(assistant: Assistant) -> str:
    return _service(assistant, "Welton Street Withdrawal Management")


def beds(assistant: Assistant, service: str) -> tuple[int | None, int | None]:
    details = service_details(assistant.db, service, REFERENCE)
    assert details is not None
    return details.available, details.maximum


def log(assistant: Assistant) -> list[tuple[str, str, str]]:
    return [
        (r[0], r[1], r[2])
        for r in assistant.db.execute(
            "SELECT replacement_value, channel, result FROM change_log "
            "WHERE updated_by != 'demo' ORDER BY id"
        )
    ]


def say(assistant: Assistant, text: str, channel: str = "sms", sender: str = PHONE,
        minutes: float = 0) -> str:  # fmt: skip
    turn = assistant.handle(sender, text, channel, at=REFERENCE + timedelta(minutes=minutes))
    return "\n".join(turn.replies)


def test_staff_are_asked_their_pin_once_then_update_directly(
    assistant: Assistant, welton: str
) -> None:
    people.add(assistant.db, "(720) 555-0140", "staff", KEY, services=[welton], pin="2468")
    assert "Reply with your PIN" in say(assistant, "beds 4")
    assert beds(assistant, welton) == (3, 16)  # nothing yet
    reply = say(assistant, "2468")
    assert "Welton Street Withdrawal Management: 4 of 16 beds open, updated just now." in reply
    assert "Reply UNDO within 10 minutes" in reply
    assert "5 of 16" in say(assistant, "we have 5 detox beds open")  # no second PIN
    assert beds(assistant, welton) == (5, 16)
    assert "Undone" in say(assistant, "UNDO", minutes=3)
    assert beds(assistant, welton) == (4, 16)


def test_a_pin_in_the_message_is_enough(assistant: Assistant, welton: str) -> None:
    people.add(assistant.db, PHONE, "staff", KEY, services=[welton], pin="2468")
    assert "0 of 16 beds open" in say(assistant, "full PIN 2468")


def test_a_wrong_pin_changes_nothing_and_is_logged(assistant: Assistant, welton: str) -> None:
    people.add(assistant.db, PHONE, "staff", KEY, services=[welton], pin="2468")
    say(assistant, "beds 9")
    assert "not right" in say(assistant, "1111")
    assert beds(assistant, welton) == (3, 16)
    assert log(assistant) == [("9", "sms", "denied: wrong PIN")]


def test_someone_unregistered_is_refused_and_logged(assistant: Assistant, welton: str) -> None:
    assert "Only registered staff" in say(assistant, "beds 0", sender="+17205550199")
    assert beds(assistant, welton) == (3, 16)
    assert log(assistant) == [("0", "sms", "denied: not registered staff")]


def test_a_count_above_the_maximum_is_refused_and_logged(assistant: Assistant, welton: str) -> None:
    people.add(assistant.db, PHONE, "staff", KEY, services=[welton], pin="2468")
    assert "more than the maximum of 16" in say(assistant, "beds 20 pin 2468")
    assert beds(assistant, welton) == (3, 16)
    assert log(assistant)[-1][2].startswith("rejected:")


def test_telegram_ids_are_trusted_without_a_pin(assistant: Assistant, welton: str) -> None:
    people.add(assistant.db, "telegram:424242", "staff", KEY, services=[welton])
    assert "6 of 16" in say(assistant, "beds 6", channel="telegram", sender="424242")
    assert log(assistant) == [("6", "telegram", "applied")]


def test_staff_of_several_services_choose_one(assistant: Assistant, welton: str) -> None:
    aspen = _service(assistant, "Aspen Hollow Detox Unit")
    people.add(assistant.db, PHONE, "staff", KEY, services=[welton, aspen], pin="2468")
    asked = say(assistant, "beds 2 pin 2468")
    assert "Which service" in asked and "1. Welton" in asked and "2. Aspen Hollow" in asked
    assert "Aspen Hollow Detox Unit: 2 of 12" in say(assistant, "2")
    assert beds(assistant, aspen) == (2, 12) and beds(assistant, welton) == (3, 16)


def test_undo_expires_after_ten_minutes(assistant: Assistant, welton: str) -> None:
    people.add(assistant.db, PHONE, "staff", KEY, services=[welton], pin="2468")
    say(assistant, "beds 7 pin 2468")
    assert "no update from the last 10 minutes" in say(assistant, "undo", minutes=11)
    assert beds(assistant, welton) == (7, 16)


def test_every_applied_update_has_its_change_log_row(assistant: Assistant, welton: str) -> None:
    people.add(assistant.db, PHONE, "staff", KEY, services=[welton], pin="2468")
    for count in (1, 2, 3):
        say(assistant, f"beds {count} pin 2468")
    assert [row[0] for row in log(assistant)] == ["1", "2", "3"]
    assert {row[2] for row in log(assistant)} == {"applied"}
