"""The safety corpora: messages labelled with a level and a category of the taxonomy
(rules/TAXONOMY.md), one JSON object a line (data/safety/README.md).

The model learns from them and `wayfinder nlu test --safety` scores on them; the
categories are what its leave-one-category-out table is made of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.nlu.training import TrainingData

NONE, CRISIS, EMERGENCY = "none", "crisis", "emergency"
LEVELS = (NONE, CRISIS, EMERGENCY)
RISK_CATEGORIES = (
    "explicit_ideation", "passive_ideation", "hopelessness_intent", "farewell_preparation",
    "method_question", "plan_time", "attempt_in_progress", "ledge", "self_harm",
    "third_party", "medical_emergency", "weapon",
)  # fmt: skip
SAFE_CATEGORIES = (
    "past_attempt_care", "media", "idiom", "resource_name", "lookalike", "ordinary",
)  # fmt: skip
CATEGORIES = RISK_CATEGORIES + SAFE_CATEGORIES
LANGUAGES = ("en", "es", "mixed")
DATA = Path(__file__).parent / "data" / "safety"


class SafetyCorpusError(ValueError):
    """A corpus line is not a labelled message; the message names the file and line."""


@dataclass(frozen=True)
class Labelled:
    """One message of a safety corpus."""

    text: str
    level: str
    category: str
    lang: str = "en"
    voice: str = ""

    @property
    def risky(self) -> bool:
        return self.level != NONE


def load(path: str | Path) -> list[Labelled]:
    """Every message of a corpus file, checked.

    Raises:
        SafetyCorpusError: a line is not JSON, or a field is missing or unknown.
    """
    found: list[Labelled] = []
    name = Path(path).name
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise SafetyCorpusError(f"{name}:{number}: not JSON ({error.msg})") from error
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise SafetyCorpusError(f'{name}:{number}: expected {{"text": "...", "level": ...}}')
        for key, allowed in (("level", LEVELS), ("category", CATEGORIES), ("lang", LANGUAGES)):
            if item.get(key, "en" if key == "lang" else None) not in allowed:
                raise SafetyCorpusError(
                    f"{name}:{number}: {key}: {item.get(key)!r} is not one of {', '.join(allowed)}"
                )
        found.append(Labelled(item["text"], item["level"], item["category"],
                              item.get("lang", "en"), str(item.get("voice", ""))))  # fmt: skip
    return found


def ordinary_traffic(data: TrainingData) -> list[Labelled]:
    """The intent training data's everyday messages — searches, bed counts, greetings,
    numbers — as safe examples the model must learn to leave alone. Its crisis and
    emergency examples are not used: they carry no category of the taxonomy, and the
    corpora cover those kinds."""
    return [
        Labelled(example.text, NONE, "ordinary")
        for example in data.examples
        if example.intent not in (CRISIS, EMERGENCY)
    ]
