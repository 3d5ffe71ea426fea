"""Needs named in messages, typos and Spanish included."""

from __future__ import annotations

import pytest

from bot.nlu.needs import NeedFinder

FINDER = NeedFinder()


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("detox 85705", ["detox"]),
        ("detx 80204", ["detox"]),
        ("shleter in denver", ["shelter"]),
        ("crisis stablization unit", ["crisis_stabilization"]),
        ("csu near 1600 Pearl St", ["crisis_stabilization"]),
        ("10-96 need crisis bed", ["crisis_stabilization"]),
        ("sobering ctr aurora co", ["sobering"]),
        ("where can i sleep tonight", ["shelter"]),
        ("my son needs help with his drinking", ["substance_use_treatment"]),
        ("dope sick, need somewhere", ["detox"]),
        ("necesito un refugio", ["shelter"]),
        ("necesito desintoxicación", ["detox"]),
        ("mobile crisis team for a welfare check", ["mobile_crisis"]),
        ("food and a place to sleep", ["food", "shelter"]),
        ("beds 4", []),
        ("hola", []),
    ],
)
def test_needs_in_messages(text: str, needs: list[str]) -> None:
    assert [m.need for m in FINDER.find(text)] == needs


def test_the_span_is_the_text_as_written() -> None:
    match = FINDER.find("any DETX beds?")[0]
    assert (match.need, match.text, match.start, match.end) == ("detox", "DETX", 4, 8)
