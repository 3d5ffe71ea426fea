"""The safety layer: does a message show suicidal thinking or self-harm (988), or danger
to life right now (911)?

It runs before, and independently of, the trained classifier, and its answer overrides
the classifier's. It is deliberately made of readable rules rather than a model: every
rule can be reviewed by a clinician, and a miss can be fixed by adding a phrase and a
test. When in doubt it fires — a false alarm costs one extra line in a reply, a miss can
cost a life. Idioms ("this traffic is killing me") and resource names ("overdose
prevention site", "crisis stabilization") are masked out before the rules run.

It never reports what matched in the person's words, only the name of the rule, so
nothing of the message needs to be stored to audit a hand-off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml
from rapidfuzz import fuzz, process

from bot.nlu.normalize import fold

NONE, CRISIS, EMERGENCY = "none", "crisis", "emergency"

_FUZZY_WORDS = ("suicide", "suicidal", "overdose", "overdosing", "overdosed", "unresponsive",
                "unconscious", "breathing", "seizure")  # fmt: skip


@dataclass(frozen=True)
class Safety:
    """The safety verdict and the name of the rule that decided it (never the words)."""

    level: str
    rule: str | None = None


@cache
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The rules of rules/safety.yml as three patterns: emergency, crisis, masks."""
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

    masks = re.compile("|".join(f"(?:{expand(m)})" for m in data["masks"]))
    return union(data["emergency"]), union(data["crisis"]), masks


def _words(text: str) -> str:
    """Folded text as plain words, misspellings of the alarm words corrected
    ("sucidal" → "suicidal", "overdoseing" → "overdosing")."""
    words = re.sub(r"[^a-z0-9 ]+", " ", fold(text).replace("-", " ")).split()
    fixed = []
    for word in words:
        if len(word) >= 6 and word not in _FUZZY_WORDS:
            best = process.extractOne(word, _FUZZY_WORDS, scorer=fuzz.ratio, score_cutoff=84)
            if best:
                word = best[0]
        fixed.append(word)
    return " ".join(fixed)


def assess(text: str) -> Safety:
    """Emergency (911) before crisis (988) before none."""
    emergency, crisis, masks = _compiled()
    words = " " + masks.sub(" ", _words(text)) + " "
    for pattern, level in ((emergency, EMERGENCY), (crisis, CRISIS)):
        match = pattern.search(words)
        if match:
            return Safety(level, match.lastgroup)
    return Safety(NONE)
