"""The parse: what one message says, in the stable `parse --json` shape (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.nlu.message import Message
from directory.types import Place


@dataclass(frozen=True, kw_only=True)
class Location(Place):
    """A place named in a message: what its words alone say of it, and where the words
    stand in the message (`text` is the span as written, `start`…`end`)."""

    start: int
    end: int

    def as_json(self) -> dict[str, Any]:
        fields = ("kind", "text", "zip", "city", "state", "lat", "lon")
        return {name: getattr(self, name) for name in fields}


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    role: str | None = None


@dataclass(frozen=True)
class Parse:
    """What one message says. `message` is the normalized message it was read from;
    `safety_rule` names what decided the safety level (a rule, or "model")."""

    text: str
    language: str
    intent: str
    confidence: float
    intent_ranking: list[tuple[str, float]]
    needs: list[str]
    location: Location | None
    safety: str
    message: Message
    entities: list[Entity] = field(default_factory=list)
    safety_rule: str | None = None
    person: dict[str, Any] = field(default_factory=dict)  # facts about who help is for
    when: str | None = None  # "tonight", "tomorrow_morning", …; None: now
    lexicon: list[Any] = field(default_factory=list)  # bot.nlu.lexicon.LexiconMatch
    services: list[Any] = field(default_factory=list)  # bot.nlu.service_names.NameMatch
    asked_name: str | None = None  # "is X open": X, a service's name (bot/nlu/questions.py)
    follow_up: str | None = None  # the topic of a question about the service just shown

    def as_json(self) -> dict[str, Any]:
        entities = []
        for e in self.entities:
            item: dict[str, Any] = {
                "entity": e.entity, "value": e.value, "start": e.start, "end": e.end
            }  # fmt: skip
            if e.role:
                item["role"] = e.role
            entities.append(item)
        return {
            "text": self.text,
            "language": self.language,
            "intent": {"name": self.intent, "confidence": round(self.confidence, 4)},
            "intent_ranking": [
                {"name": name, "confidence": round(score, 4)} for name, score in self.intent_ranking
            ],
            "entities": entities,
            "needs": self.needs,
            "location": self.location.as_json() if self.location else None,
            "safety": self.safety,
            "lexicon": [m.as_json() for m in self.lexicon],
            "services": [
                {"id": m.service_id, "name": m.name, "score": round(m.score, 1)}
                for m in self.services
            ],
        }
