"""The gate every channel goes through: clean text, rate limit, deadline."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from bot.nlu.message import Message
from channels.gate import FALLBACK, RATE_NOTICE, Gate, GateSettings, message_of


def test_invisible_and_control_characters_are_removed() -> None:
    assert message_of("de\u200btox\u202e 80\u200d204\x00\x07", "sms").text == "detox 80204"
    assert message_of("line one\nline two", "web").text == "line one line two"


def test_text_is_cut_to_the_channel_limit_and_to_what_understanding_reads() -> None:
    assert len(message_of("a " * 5000, "sms").text) <= 1600
    assert len(message_of("a " * 5000, "telegram").text) <= 2000
    assert len(message_of("a " * 5000, "telegram").raw) == 10000  # kept as received


class StuckParser:
    """Understanding that does not finish until the test lets it."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def parse(self, message: Any, verdict: Any = None) -> Any:
        self.release.wait(30)
        raise RuntimeError("never mind")


def test_a_stuck_turn_is_answered_at_the_deadline_with_988(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.parser = stuck = StuckParser()
    gate = Gate(assistant, GateSettings(deadline_s=0.2))
    try:
        turn = asyncio.run(gate.answer("+17205550100", "i want to die", "sms"))
        assert not stuck.release.is_set()  # answered while understanding was still stuck
    finally:
        stuck.release.set()
        gate.executor.shutdown(wait=True)  # the turn ends before its database is closed
    assert turn is not None and turn.replies == [FALLBACK] and turn.handoff == "988"
    assert "988" in FALLBACK and "911" in FALLBACK


def test_past_the_rate_one_notice_then_silence_but_never_for_a_crisis(
    make_assistant: Any,
) -> None:
    gate = Gate(make_assistant(), GateSettings(rate_per_minute=2))
    crisis = gate.assistant.assess(Message.of("i want to kill myself"))
    assert gate.limited("a", now=0) is None
    assert gate.limited("a", now=1) is None
    assert gate.limited("a", now=2) == "notice"
    assert gate.limited("a", now=3) == "silent"
    assert gate.limited("a", crisis, now=4) is None
    assert gate.limited("b", now=4) is None  # others are not affected
    assert gate.limited("a", now=70) is None  # a minute later it is over
    turn = asyncio.run(Gate(make_assistant(), GateSettings(rate_per_minute=0))
                       .answer("c", "hello", "web"))  # fmt: skip
    assert turn is not None and turn.replies == [RATE_NOTICE]
