"""The engine's promises beyond the stories: hand-offs survive failures, nothing said is
stored, staff updates, the `ask --json` shape."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from bot import people
from bot.actions import search as search_actions
from bot.engine import Assistant
from bot.gsm7 import is_gsm7
from bot.privacy import sender_key
from directory import service_details
from directory.demo import REFERENCE

SENDER = "+17205550100"


class BrokenParser:
    def parse(self, text: str) -> Any:
        raise RuntimeError("model file corrupt")


def test_without_a_working_model_crisis_still_gets_988(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.parser = BrokenParser()
    turn = assistant.handle(SENDER, "i dont want to live anymore", "sms")
    assert turn.handoff == "988"
    assert "988" in turn.replies[0]


def test_without_a_working_model_other_messages_get_211_and_988(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.parser = BrokenParser()
    turn = assistant.handle(SENDER, "detox 80204", "sms")
    assert turn.handoff is None
    assert "211" in turn.replies[0] and "988" in turn.replies[0]


def test_when_the_directory_fails_the_handoff_still_comes_first(
    make_assistant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(search_actions, "search", broken)
    turn = make_assistant().handle(SENDER, "suicidal and need a crisis bed 80204", "sms")
    assert turn.handoff == "988"
    assert "988" in turn.replies[0]
    assert "can't search the directory" in turn.replies[-1]


def test_with_the_database_closed_the_handoff_still_goes_out(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.db.close()
    turn = assistant.handle(SENDER, "he overdosed and isnt breathing", "sms")
    assert turn.handoff == "911"
    assert "911" in turn.replies[0]


def test_nothing_the_person_wrote_is_stored(make_assistant: Any) -> None:
    assistant = make_assistant()
    said = ["i want to die tonight", "my son needs detox in 80204", "the second one"]
    for text in said:
        assistant.handle(SENDER, text, "sms")
    stored = "\n".join(
        str(row)
        for (table,) in assistant.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('conversation', 'event', 'person_identity')"
        )
        for row in assistant.db.execute(f"SELECT * FROM [{table}]")
    )
    assert stored  # the conversation and its events are there…
    for text in [*said, SENDER, SENDER.lstrip("+")]:
        assert text not in stored  # …but not a word of what was said, nor who said it


def test_a_handoff_is_recorded_without_the_message(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.handle(SENDER, "thinking about ending my life", "sms")
    rows = [dict(zip(("intent", "handoff", "channel"), r, strict=True)) for r in
            assistant.db.execute("SELECT intent, handoff, channel FROM event")]  # fmt: skip
    assert rows == [{"intent": "crisis", "handoff": "988", "channel": "sms"}]


def test_conversations_are_keyed_by_a_hash_of_the_sender(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.handle(SENDER, "detox", "sms")
    keys = [row[0] for row in assistant.db.execute("SELECT key FROM conversation")]
    assert keys == [sender_key("sms", SENDER, b"test key")]
    assert keys[0] != sender_key("sms", SENDER, b"another key")


def test_sms_replies_stay_in_gsm7_even_in_spanish(make_assistant: Any) -> None:
    turn = make_assistant().handle(SENDER, "necesito un refugio en aurora", "sms")
    assert turn.replies and all(is_gsm7(reply) for reply in turn.replies)
    web = make_assistant().handle("web-session", "necesito un refugio en aurora", "web")
    assert any(not is_gsm7(reply) for reply in web.replies)  # chat keeps the accents


def test_the_ask_json_shape(make_assistant: Any) -> None:
    data = make_assistant().handle(SENDER, "detox 80204", "sms").as_json()
    assert set(data) == {"replies", "intent", "results", "handoff"}
    assert data["intent"] == "find_resource" and data["handoff"] is None
    assert {"id", "name", "phone", "available", "stale"} <= set(data["results"][0])


def _welton(assistant: Assistant) -> str:
    row = assistant.db.execute(
        "SELECT id FROM service WHERE name = 'Welton Street Withdrawal Management'"
    ).fetchone()
    return str(row[0])


def _staff(assistant: Assistant, *services: str) -> None:
    people.add(assistant.db, SENDER, "staff", b"test key", services=services, pin="1234")


def test_registered_staff_update_their_bed_count(make_assistant: Any) -> None:
    assistant = make_assistant()
    service = _welton(assistant)
    _staff(assistant, service)
    turn = assistant.handle(SENDER, "beds 7 of 16 PIN 1234", "sms")
    assert "7 of 16 beds open, updated just now" in turn.replies[0]
    details = service_details(assistant.db, service, REFERENCE)
    assert details is not None and (details.available, details.maximum) == (7, 16)


def test_an_impossible_count_is_refused_and_changes_nothing(make_assistant: Any) -> None:
    assistant = make_assistant()
    service = _welton(assistant)
    _staff(assistant, service)
    before = service_details(assistant.db, service, REFERENCE)
    turn = assistant.handle(SENDER, "beds 40 of 16 pin 1234", "sms")
    assert "Nothing was changed" in turn.replies[0]
    assert service_details(assistant.db, service, REFERENCE) == before


def test_a_community_member_cannot_update_a_count(make_assistant: Any) -> None:
    assistant = make_assistant()
    before = service_details(assistant.db, _welton(assistant), REFERENCE)
    assistant.handle(SENDER, "we have 3 detox beds open", "sms")
    assert service_details(assistant.db, _welton(assistant), REFERENCE) == before


def test_a_search_event_carries_the_needs_asked_for_earlier(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.handle(SENDER, "detox", "sms")
    assistant.handle(SENDER, "80204", "sms")
    rows = list(assistant.db.execute("SELECT intent, needs, place, results FROM event"))
    assert rows[-1] == ("provide_location", '["detox"]', "80204", 3)
