"""Scoring the safety layer on a labelled corpus, and how it does on kinds of message it
has never seen (leave one category out).

The figures that matter are those of the frozen blind set (data/safety/blind-1.jsonl):
risk recall overall and in Spanish, emergencies sent to 911, and false alarms on safe
messages. A figure on the training data means little.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.nlu.message import Message
from bot.nlu.safety import EMERGENCY, NONE, Safety, SafetyCheck
from bot.nlu.safety_corpus import CATEGORIES, RISK_CATEGORIES, Labelled
from bot.nlu.safety_model import SafetyModel, Thresholds, fit


@dataclass
class Tally:
    total: int = 0
    hit: int = 0

    @property
    def rate(self) -> float:
        return self.hit / self.total if self.total else 1.0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hit += hit


@dataclass
class SafetyReport:
    """Recall on risky messages, 911 on emergencies, false alarms on safe ones."""

    risk: Tally = field(default_factory=Tally)
    risk_es: Tally = field(default_factory=Tally)
    emergency_911: Tally = field(default_factory=Tally)
    false_alarms: Tally = field(default_factory=Tally)
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fired_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)

    def add(self, example: Labelled, verdict: Safety) -> None:
        fired = verdict.level != NONE
        if fired:
            self.fired_by["model" if verdict.rule == "model" else "rule"] += 1
        if example.risky:
            self.risk.add(fired)
            if example.lang != "en":
                self.risk_es.add(fired)
            self.by_category[example.category].add(fired)
            if not fired:
                self.misses.append(f"MISSED ({example.level}, {example.category}): {example.text}")
        else:
            self.false_alarms.add(fired)
            self.by_category[example.category].add(fired)
            if fired:
                self.misses.append(
                    f"false alarm ({verdict.level} by {verdict.rule}, {example.category}): "
                    f"{example.text}"
                )
        if example.level == EMERGENCY:
            self.emergency_911.add(verdict.level == EMERGENCY)
            if fired and verdict.level != EMERGENCY:
                self.misses.append(f"988 instead of 911 ({example.category}): {example.text}")

    def as_json(self) -> dict[str, object]:
        return {
            "risk_recall": self.risk.rate,
            "risk_recall_spanish": self.risk_es.rate,
            "emergencies_to_911": self.emergency_911.rate,
            "false_alarm_rate": self.false_alarms.rate,
            "risky": self.risk.total,
            "risky_spanish": self.risk_es.total,
            "emergencies": self.emergency_911.total,
            "safe": self.false_alarms.total,
            "by_category": {
                name: {
                    "messages": t.total,
                    "rate": t.rate,
                    "measure": "recall" if name in RISK_CATEGORIES else "false_alarms",
                }
                for name, t in sorted(self.by_category.items(), key=lambda i: _order(i[0]))
            },
        }


def _order(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def score(assess: Callable[[Message], Safety], corpus: Sequence[Labelled]) -> SafetyReport:
    report = SafetyReport()
    for example in corpus:
        report.add(example, assess(Message.of(example.text)))
    return report


@dataclass(frozen=True)
class Unseen:
    """One row of the leave-one-category-out table."""

    category: str
    messages: int
    model: float  # recall (risk) or false-alarm rate (safe), the model alone
    combined: float  # the same with the rules


def leave_one_out(
    train: Sequence[Labelled],
    thresholds: Thresholds,
    categories: Sequence[str] = CATEGORIES,
    progress: Callable[[str], None] | None = None,
) -> list[Unseen]:
    """For each category: train without it, then score its messages — recall for a risk
    category, false alarms for a safe one — by the model alone and with the rules."""
    rows = []
    for category in categories:
        if progress:
            progress(category)
        held = [e for e in train if e.category == category]
        if not held:
            continue
        model = SafetyModel(fit([e for e in train if e.category != category]), thresholds)
        check = SafetyCheck(model)
        alone = [model.level(s) for s in model.scores_of([Message.of(e.text).folded for e in held])]
        both = [check.assess(Message.of(e.text)).level for e in held]
        rows.append(
            Unseen(
                category,
                len(held),
                sum((level != NONE) for level in alone) / len(held),
                sum((level != NONE) for level in both) / len(held),
            )
        )
    return rows
