"""The safety layer over the message corpus in tests/data/safety/: every crisis and
emergency message fires (988 / 911), no idiom or resource name does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu.safety import CRISIS, EMERGENCY, NONE, assess

DATA = Path(__file__).parent / "data" / "safety"


def corpus(name: str) -> list[tuple[str, str]]:
    groups = yaml.safe_load((DATA / f"{name}.yml").read_text("utf-8"))
    return [(group, text) for group, texts in groups.items() for text in texts]


def ids(case: tuple[str, str]) -> str:
    return f"{case[0]}:{case[1][:40]}"


@pytest.mark.parametrize("case", corpus("crisis"), ids=ids)
def test_crisis_language_gets_988(case: tuple[str, str]) -> None:
    assert assess(case[1]).level == CRISIS


@pytest.mark.parametrize("case", corpus("emergency"), ids=ids)
def test_danger_to_life_now_gets_911(case: tuple[str, str]) -> None:
    assert assess(case[1]).level == EMERGENCY


@pytest.mark.parametrize("case", corpus("not_crisis"), ids=ids)
def test_idioms_and_resource_names_do_not_fire(case: tuple[str, str]) -> None:
    assert assess(case[1]).level == NONE


def test_an_emergency_outranks_a_crisis() -> None:
    assert assess("i want to die, i already took the pills").level == EMERGENCY


def test_the_verdict_names_a_rule_never_the_words() -> None:
    verdict = assess("I want to kill myself")
    assert verdict.rule == "kill_self"
    assert "myself" not in repr(verdict)


def test_invisible_characters_do_not_hide_crisis_words() -> None:
    assert assess("sui\u200bcidal").level == CRISIS
    assert assess("i want to d\u200ei\u200de").level == CRISIS
