"""Scoring the parser on a held-out Rasa-format file: intents, needs, places, safety."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.nlu.parser import Parser
from bot.nlu.training import Example

HANDOFF = {"crisis", "emergency"}


@dataclass
class Report:
    total: int = 0
    intent_correct: int = 0
    needs_exact: int = 0
    location_exact: int = 0
    handoff_total: int = 0
    handoff_found: int = 0
    other_total: int = 0
    false_alarms: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    per_intent: dict[str, dict[str, int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def rate(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    def as_json(self) -> dict[str, object]:
        return {
            "messages": self.total,
            "intent_accuracy": self.rate(self.intent_correct, self.total),
            "needs_exact": self.rate(self.needs_exact, self.total),
            "location_exact": self.rate(self.location_exact, self.total),
            "handoff_recall": self.rate(self.handoff_found, self.handoff_total),
            "false_alarm_rate": self.rate(self.false_alarms, self.other_total),
            "per_intent": self.per_intent_scores(),
            "confusions": [
                {"expected": e, "got": g, "count": n} for (e, g), n in self.confusion.most_common()
            ],
        }

    def per_intent_scores(self) -> dict[str, dict[str, float]]:
        scores = {}
        for intent, c in sorted(self.per_intent.items()):
            precision = self.rate(c["tp"], c["tp"] + c["fp"])
            recall = self.rate(c["tp"], c["tp"] + c["fn"])
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            scores[intent] = {"precision": precision, "recall": recall, "f1": f1,
                              "support": c["tp"] + c["fn"]}  # fmt: skip
        return scores


def evaluate(parser: Parser, examples: list[Example]) -> Report:
    report = Report()
    for example in examples:
        parse = parser.parse(example.text)
        report.total += 1
        for intent in {example.intent, parse.intent}:
            report.per_intent.setdefault(intent, {"tp": 0, "fp": 0, "fn": 0})
        if parse.intent == example.intent:
            report.intent_correct += 1
            report.per_intent[example.intent]["tp"] += 1
        else:
            report.per_intent[example.intent]["fn"] += 1
            report.per_intent[parse.intent]["fp"] += 1
            report.confusion[(example.intent, parse.intent)] += 1
            report.misses.append(f"intent {example.intent} → {parse.intent}: {example.text}")
        wanted_needs = sorted({e.value for e in example.values("need")})
        if sorted(set(parse.needs)) == wanted_needs:
            report.needs_exact += 1
        else:
            report.misses.append(f"needs {wanted_needs} → {sorted(parse.needs)}: {example.text}")
        places = example.values("location")
        wanted = (places[0].role, places[0].value) if places else None
        got = (parse.location.kind, parse.location.text) if parse.location else None
        if wanted == got:
            report.location_exact += 1
        else:
            report.misses.append(f"location {wanted} → {got}: {example.text}")
        if example.intent in HANDOFF:
            report.handoff_total += 1
            report.handoff_found += parse.safety != "none"
            if parse.safety == "none":
                report.misses.append(f"MISSED HAND-OFF ({example.intent}): {example.text}")
        else:
            report.other_total += 1
            report.false_alarms += parse.safety != "none"
            if parse.safety != "none":
                report.misses.append(f"false alarm ({parse.safety}): {example.text}")
    return report
