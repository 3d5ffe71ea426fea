"""The gate every channel goes through: clean text, rate limit, deadline."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.gate import FALLBACK, RATE_NOTICE, Gate, GateSettings, clean_text


def test_invisible_and_control_characters_are_removed() -> None:
    assert clean_text("de\u200btox\u202e 80\u200d204\x00\x07", "sms") == "detox 80204"
    assert clean_text("line one\nline two", "web") == "line one\nline two"


def test_text_is_cut_to_the_channel_limit() -> None:
    assert len(clean_text("a" * 5000, "sms")) == 1600
    assert len(clean_text("a" * 5000, "telegram")) == 4096


class SlowParser:
    def parse(self, text: str) -> Any:
        time.sleep(1.0)
        raise RuntimeError("never mind")


def test_a_slow_turn_is_answered_in_time_with_988(make_assistant: Any) -> None:
    assistant = make_assistant()
    assistant.parser = SlowParser()
    gate = Gate(assistant, GateSettings(deadline_s=0.2))
    started = time.perf_counter()
    turn = asyncio.run(gate.answer("+17205550100", "i want to die", "sms"))
    assert time.perf_counter() - started < 0.9
    assert turn is not None and turn.replies == [FALLBACK] and turn.handoff == "988"
    assert "988" in FALLBACK and "911" in FALLBACK


def test_past_the_rate_one_notice_then_silence_but_never_for_a_crisis(
    make_assistant: Any,
) -> None:
    gate = Gate(make_assistant(), GateSettings(rate_per_minute=2))
    assert gate.limited("a", "hi", now=0) is None
    assert gate.limited("a", "hi", now=1) is None
    assert gate.limited("a", "hi", now=2) == "notice"
    assert gate.limited("a", "hi", now=3) == "silent"
    assert gate.limited("a", "i want to kill myself", now=4) is None
    assert gate.limited("b", "hi", now=4) is None  # others are not affected
    assert gate.limited("a", "hi", now=70) is None  # a minute later it is over
    turn = asyncio.run(Gate(make_assistant(), GateSettings(rate_per_minute=0))
                       .answer("c", "hello", "web"))  # fmt: skip
    assert turn is not None and turn.replies == [RATE_NOTICE]
