"""Reading Rasa 3 NLU training data (`nlu.yml`): examples with their entity markup, and
synonyms. Markup: `[text](entity)`, `[text](entity:value)` or
`[text]{"entity": "need", "value": "detox", "role": "zip"}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.types import Entity

_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]+\}))")


class TrainingDataError(ValueError):
    """The file is not Rasa 3 NLU data; the message names the place."""


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...] = ()

    def values(self, entity: str) -> list[Entity]:
        return [e for e in self.entities if e.entity == entity]


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})


def parse_example(line: str, intent: str) -> Example:
    """One example line with markup → plain text and entities with offsets."""
    text, entities, cursor = "", [], 0
    for m in _MARKUP.finditer(line):
        text += line[cursor : m.start()]
        start = len(text)
        text += m.group("text")
        if m.group("json"):
            try:
                spec: dict[str, Any] = json.loads(m.group("json"))
            except json.JSONDecodeError as error:
                raise TrainingDataError(f"bad entity markup in {line!r}: {error}") from error
            name, value, role = spec["entity"], spec.get("value"), spec.get("role")
        else:
            name, _, value = m.group("short").partition(":")
            role = None
        entities.append(Entity(name, value or m.group("text"), start, len(text), role))
        cursor = m.end()
    text += line[cursor:]
    return Example(text, intent, tuple(entities))


def load(path: str | Path) -> TrainingData:
    """Examples and synonyms of one Rasa 3 NLU file.

    Raises:
        TrainingDataError: not YAML, or not shaped like Rasa NLU data.
    """
    try:
        document = yaml.safe_load(Path(path).read_text("utf-8"))
    except yaml.YAMLError as error:
        raise TrainingDataError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
        raise TrainingDataError(f"{path}: no 'nlu:' list (is it Rasa 3 NLU data?)")
    data = TrainingData()
    for number, block in enumerate(document["nlu"], start=1):
        examples = str(block.get("examples", ""))
        lines = [
            ln.strip()[2:].strip() for ln in examples.splitlines() if ln.strip().startswith("- ")
        ]
        if "intent" in block:
            data.examples += [parse_example(line, str(block["intent"])) for line in lines]
        elif "synonym" in block:
            data.synonyms.setdefault(str(block["synonym"]), []).extend(lines)
        elif not ({"regex", "lookup"} & set(block)):
            raise TrainingDataError(
                f"{path}: item {number} is not an intent, synonym, regex or lookup"
            )
    return data
