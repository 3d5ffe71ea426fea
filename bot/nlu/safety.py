"""The safety layer: does a message show suicidal thinking or self-harm (988), or danger
to life right now (911)?

Two detectors, and either one firing hands off:
- **rules** (rules/safety.yml): named, reviewable patterns a clinician can read, each for
  a category of rules/TAXONOMY.md. They are kept precise, because each fires alone.
- **the model** (safety_model.py): a classifier trained on the safety corpora, the broad
  net for wording no rule names.
When both fire, the higher level wins (911 over 988). It runs before, and independently
of, the intent classifier and overrides it. Recall matters more than precision: a false
alarm costs one line in a reply, a miss can cost a life.

The verdict names the rule, or "model" — never the words — so nothing of the message
needs to be stored to audit a hand-off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml
from rapidfuzz import fuzz, process

from bot.nlu.message import Message
from bot.nlu.safety_corpus import CRISIS, EMERGENCY, NONE
from bot.nlu.safety_model import SafetyModel

__all__ = ["CRISIS", "EMERGENCY", "NONE", "Safety", "SafetyCheck", "assess", "by_rules"]

_RANK = {NONE: 0, CRISIS: 1, EMERGENCY: 2}
_FUZZY_WORDS = ("suicide", "suicidal", "overdose", "overdosing", "overdosed", "unresponsive",
                "unconscious", "breathing", "seizure")  # fmt: skip


@dataclass(frozen=True)
class Safety:
    """The safety verdict and what decided it: a rule's name or "model" (never the words)."""

    level: str
    rule: str | None = None


@dataclass(frozen=True)
class _Rules:
    emergency: re.Pattern[str]
    crisis: re.Pattern[str]
    masks: re.Pattern[str]
    elsewhere: re.Pattern[str]  # the past, or a story
    present: re.Pattern[str]


@cache
def _compiled() -> _Rules:
    """The rules of rules/safety.yml, compiled."""
    data = yaml.safe_load(files("bot.nlu").joinpath("rules/safety.yml").read_text("utf-8"))
    vocabulary: dict[str, str] = data["vocabulary"]

    def expand(pattern: str) -> str:
        for name, value in vocabulary.items():
            pattern = pattern.replace(f"<{name}>", value)
        return pattern

    def union(rules: dict[str, list[str]]) -> re.Pattern[str]:
        return re.compile(
            "|".join(f"(?P<{name}>{'|'.join(map(expand, alts))})" for name, alts in rules.items())
        )

    def any_of(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{expand(p)})" for p in patterns))

    context = data["context"]
    return _Rules(
        union(data["emergency"]),
        union(data["crisis"]),
        any_of(data["masks"]),
        any_of([*context["past"], *context["story"]]),
        any_of(context["present"]),
    )


def _words(message: Message) -> str:
    """The folded words without punctuation, misspellings of the alarm words corrected
    ("sucidal" → "suicidal", "overdoseing" → "overdosing")."""
    fixed = []
    for word in re.sub(r"[^a-z0-9 ]+", " ", message.folded.replace("-", " ")).split():
        if len(word) >= 6 and word not in _FUZZY_WORDS:
            best = process.extractOne(word, _FUZZY_WORDS, scorer=fuzz.ratio, score_cutoff=84)
            if best:
                word = best[0]
        fixed.append(word)
    return " ".join(fixed)


def by_rules(message: Message | str) -> Safety:
    """The rules' verdict alone: emergency (911) before crisis (988) before none."""
    if isinstance(message, str):
        message = Message.of(message)
    rules = _compiled()
    words = " " + rules.masks.sub(" ", _words(message)) + " "
    for pattern, level in ((rules.emergency, EMERGENCY), (rules.crisis, CRISIS)):
        match = pattern.search(words)
        if match:
            if rules.elsewhere.search(words) and not rules.present.search(words):
                # "tried to kill myself in 2019", a song, the news: the model decides.
                return Safety(NONE)
            return Safety(level, match.lastgroup)
    return Safety(NONE)


assess = by_rules  # what runs when no model is loaded (the model failed, or none trained)


class SafetyCheck:
    """The rules and, when trained, the model: either one firing hands off."""

    def __init__(self, model: SafetyModel | None = None) -> None:
        self.model = model

    def assess(self, message: Message | str) -> Safety:
        if isinstance(message, str):
            message = Message.of(message)
        ruled = by_rules(message)
        if self.model is None or ruled.level == EMERGENCY:
            return ruled
        level = self.model.level(self.model.scores(message.folded))
        if _RANK[level] > _RANK[ruled.level]:
            return Safety(level, "model")
        return ruled
