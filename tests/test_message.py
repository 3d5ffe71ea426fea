"""A message is normalized once, and every later step reads the same words."""

from __future__ import annotations

import pytest

from bot.nlu.commands import carrier_keyword
from bot.nlu.message import Message


def test_the_cleaned_text_keeps_what_was_written_and_the_raw_is_kept_too() -> None:
    message = Message.of("  De\u200btox   near “Union Station”  ")
    assert message.text == 'Detox near "Union Station"'
    assert message.raw == "  De\u200btox   near “Union Station”  "


def test_emoji_are_read_as_the_words_they_stand_for() -> None:
    assert Message.of("took all the 💊💊 bye👋🏽").folded == "took all the pills pills bye bye"
    assert Message.of("on the 🌉 rn").folded == "on the bridge right now"


def test_texting_shorthand_is_spelled_out() -> None:
    assert Message.of("gonna kms tmrw").folded == "going to kill myself tomorrow"
    assert Message.of("thinking about sewerslide").folded == "thinking about suicide"
    assert Message.of("i want to unalive myself").folded == "i want to kill myself"


def test_ambiguous_shorthand_is_read_by_its_company() -> None:
    assert Message.of("relapsed on sh last night").folded == "relapsed on self harm last night"
    assert "self harm" not in Message.of("need sh 80204").folded  # an officer's shelter
    assert Message.of("my friend od'd").folded == "my friend overdosed"
    assert "overdose" not in Message.of("OD -2.50 for my glasses").folded  # the right eye


def test_spanish_is_told_from_english() -> None:
    assert Message.of("necesito un refugio esta noche").language == "es"
    assert Message.of("i need a shelter tonight").language == "en"


@pytest.mark.parametrize(
    "body",
    ["STOP", "stop", " Stop. ", "STOP\u200b", "\u200bS\u200bT\u200bO\u200bP",
     "\uff33\uff34\uff2f\uff30", "Stop!!", '"stop"', "stop\n", "S T O P", "s.t.o.p",
     "S-T-O-P", "Stop all", "STOPALL",
     "unsubscribe", "Cancel", "quit.", "End", "opt-out", "Opt Out", "REVOKE", "ALTO"],
)  # fmt: skip
def test_every_carrier_opt_out_word_counts_however_it_is_typed(body: str) -> None:
    assert carrier_keyword(Message.of(body)) == "stop"


@pytest.mark.parametrize(
    "body",
    ["i want to stop drinking", "stop drinking", "I want to stop living", "stop 2",
     "the end", "don't stop", "how do I stop the shakes"],
)  # fmt: skip
def test_a_sentence_with_stop_in_it_is_not_an_opt_out(body: str) -> None:
    assert carrier_keyword(Message.of(body)) == ""


def test_start_and_help_are_whole_message_words_too() -> None:
    assert carrier_keyword(Message.of("Start.")) == "start"
    assert carrier_keyword(Message.of("help?")) == "help"
    assert carrier_keyword(Message.of("help me find a shelter")) == ""


def test_the_text_is_cut_to_the_limit() -> None:
    assert len(Message.of("shelter " * 1000, limit=100).text) <= 100
