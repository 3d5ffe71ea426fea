"""The safety layer — rules and model together, as the parser runs them — over the
message corpus in tests/data/safety/: every crisis and emergency message fires (988 /
911), no idiom or resource name does. (The blind figures come from
`wayfinder nlu test --safety`; these are regression cases.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.nlu.parser import Parser
from bot.nlu.safety import CRISIS, EMERGENCY, NONE, Safety, by_rules

DATA = Path(__file__).parent / "data" / "safety"
Assess = Callable[[str], Safety]


def corpus(name: str) -> list[tuple[str, str]]:
    groups = yaml.safe_load((DATA / f"{name}.yml").read_text("utf-8"))
    return [(group, text) for group, texts in groups.items() for text in texts]


def ids(case: tuple[str, str]) -> str:
    return f"{case[0]}:{case[1][:40]}"


@pytest.fixture(scope="module")
def assess(parser: Parser) -> Callable[[str], Safety]:
    return parser.safety.assess


@pytest.mark.parametrize("case", corpus("crisis"), ids=ids)
def test_crisis_language_gets_988(case: tuple[str, str], assess: Assess) -> None:
    assert assess(case[1]).level in (CRISIS, EMERGENCY)


@pytest.mark.parametrize("case", corpus("emergency"), ids=ids)
def test_danger_to_life_now_gets_911(case: tuple[str, str], assess: Assess) -> None:
    assert assess(case[1]).level == EMERGENCY


@pytest.mark.parametrize("case", corpus("not_crisis"), ids=ids)
def test_idioms_and_resource_names_do_not_fire(case: tuple[str, str], assess: Assess) -> None:
    assert assess(case[1]).level == NONE


def test_an_emergency_outranks_a_crisis(assess: Assess) -> None:
    assert assess("i want to die, i already took the pills").level == EMERGENCY


def test_the_verdict_names_a_rule_or_the_model_never_the_words(assess: Assess) -> None:
    assert assess("I want to kill myself") == Safety(CRISIS, "kill_self")
    verdict = assess("nobody would even notice if i was gone for good")
    assert verdict.level == CRISIS and verdict.rule in ("better_off", "model")
    assert "gone" not in repr(verdict)


def test_invisible_characters_do_not_hide_crisis_words(assess: Assess) -> None:
    assert assess("sui\u200bcidal").level == CRISIS
    assert assess("i want to d\u200ei\u200de").level == CRISIS


def test_emoji_and_shorthand_are_read_as_words() -> None:
    assert by_rules("took all my 💊💊 already").level == EMERGENCY
    assert by_rules("gonna kms tonight").level == CRISIS
    assert by_rules("need sh 80204").level == NONE  # an officer's "shelter"


def test_a_past_attempt_or_a_story_is_left_to_the_model_by_the_rules() -> None:
    assert by_rules("i tried to kill myself in 2019, now i need a dentist").level == NONE
    assert by_rules("in the movie he says he wants to kill himself").level == NONE
    assert by_rules("i tried to kill myself in 2019 and im thinking about it again").level == CRISIS


def test_the_rules_alone_still_hand_off_without_a_model() -> None:
    """What runs when the model fails: named rules, with their own recall."""
    assert by_rules("he is not breathing").level == EMERGENCY
    assert by_rules("quiero morirme").level == CRISIS
