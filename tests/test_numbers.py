from __future__ import annotations

import pytest

from bot.nlu.commands import pin, pin_reply
from bot.nlu.message import Message
from bot.nlu.numbers import bed_count, selection


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("2", (2, False)), ("#3", (3, False)), ("the second one", (2, False)),
        ("number one", (1, False)), ("la tercera", (3, False)), ("call 2", (2, True)),
        ("call the first one", (1, True)), ("llamar al 2", (2, True)),
        ("the last one", (-1, False)), ("what", None), ("0", None),
    ],
)  # fmt: skip
def test_which_result_a_follow_up_picks(text: str, picked: tuple[int, bool] | None) -> None:
    assert selection(Message.of(text).folded) == picked


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("beds 4", (4, None)), ("4 of 16", (4, 16)), ("4/16", (4, 16)),
        ("we have 3 detox beds open", (3, None)), ("0 beds", (0, None)),
        ("shelter is full tonight", (0, None)), ("no beds", (0, None)),
        ("beds 4 PIN 1234", (4, None)), ("beds", None), ("3 or 4 beds", None),
    ],
)  # fmt: skip
def test_what_a_bed_update_reports(text: str, count: tuple[int, int | None] | None) -> None:
    assert bed_count(Message.of(text).folded) == count


def test_a_pin_is_found_and_never_read_as_a_count() -> None:
    assert pin(Message.of("beds 4 PIN 1234")) == "1234"
    assert pin(Message.of("beds 4")) is None


@pytest.mark.parametrize("text", ["1234", "PIN 1234", "pin: 1234.", "1234\u200b", "１２３４"])
def test_a_pin_sent_alone_is_read_however_it_was_typed(text: str) -> None:
    assert pin_reply(Message.of(text)) == "1234"
