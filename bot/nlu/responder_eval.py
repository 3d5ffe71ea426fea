"""Scoring the parser on responders' and families' words (`wayfinder nlu test --responder`).

Each line of the set: {"text", "kind", "needs_any": [...], "facts": {...}, "safety"}. A
message is right on needs when it finds at least one of `needs_any` (or none when the list
is empty), right on facts when every stated fact is read as stated, and a labelled crisis
or emergency counts as caught when the parse hands off at all (and exactly when the level
matches too).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.types import Parse


@dataclass
class Score:
    messages: int = 0
    needs_right: int = 0
    facts_total: int = 0
    facts_right: int = 0
    handoffs: int = 0
    handoffs_caught: int = 0
    handoffs_exact: int = 0
    false_alarms: int = 0
    misses: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 3) if whole else None

        return {"messages": self.messages,
                "needs": share(self.needs_right, self.messages),
                "facts": share(self.facts_right, self.facts_total),
                "handoff_recall": share(self.handoffs_caught, self.handoffs),
                "handoff_exact": share(self.handoffs_exact, self.handoffs),
                "false_alarms": self.false_alarms}  # fmt: skip


def load(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}, line {number}: not JSON ({error.msg})") from error
    return rows


def score(parse: Callable[[str], Parse], rows: Iterable[dict[str, Any]]) -> dict[str, Score]:
    """Scores by kind, and over all rows under "all"."""
    scores: dict[str, Score] = defaultdict(Score)
    for row in rows:
        got = parse(row["text"])
        for score_ in (scores[row.get("kind", "?")], scores["all"]):
            _add(score_, row, got)
    return dict(scores)


def _add(score_: Score, row: dict[str, Any], got: Parse) -> None:
    score_.messages += 1
    wanted = row.get("needs_any") or []
    right = bool(set(wanted) & set(got.needs)) if wanted else not got.needs
    score_.needs_right += right
    wrong = [] if right else [f"needs {got.needs} (wanted one of {wanted})"]
    for key, value in (row.get("facts") or {}).items():
        score_.facts_total += 1
        if got.person.get(key) == value:
            score_.facts_right += 1
        else:
            wrong.append(f"{key}={got.person.get(key)!r} (wanted {value!r})")
    level = row.get("safety", "none")
    if level != "none":
        score_.handoffs += 1
        score_.handoffs_caught += got.safety != "none"
        score_.handoffs_exact += got.safety == level
        if got.safety != level:
            wrong.append(f"safety {got.safety} (wanted {level})")
    elif got.safety != "none":
        score_.false_alarms += 1
        wrong.append(f"safety {got.safety} (wanted none)")
    if wrong:
        score_.misses.append(f"[{row.get('kind')}] {row['text']!r}: " + "; ".join(wrong))
