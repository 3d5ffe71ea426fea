"""One message in, one parse out: safety first, then needs, place and intent.

The safety layer runs before and independently of the classifier and overrides it: a
crisis or emergency parse has that intent whatever the classifier thought. A few
follow-up forms that need no model ("2", "#3", a bare ZIP) are read by rule, because a
wrong guess there sends an officer to the wrong door.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlite_utils

from bot.nlu import language, safety
from bot.nlu.classifier import IntentClassifier
from bot.nlu.needs import NeedFinder
from bot.nlu.normalize import clean, fold
from bot.nlu.places import Gazetteer, find_location
from bot.nlu.training import TrainingData
from bot.nlu.types import Entity, Parse

MAX_CHARS = 2000
DEFAULT_MODEL = Path(__file__).parent / "model"
_SELECT = re.compile(r"^(?:#|no\.?\s*|number\s*|option\s*)?([1-9]\d?)[.)]?$")


def model_path() -> Path:
    """Where the trained classifier lives ($WAYFINDER_NLU_MODEL, else bot/nlu/model)."""
    return Path(os.environ.get("WAYFINDER_NLU_MODEL") or DEFAULT_MODEL)


class ModelMissing(RuntimeError):
    """No trained model at the path: run `wayfinder nlu train`."""


class Parser:
    """Holds the loaded model, gazetteer and need lexicon; `parse` is cheap."""

    def __init__(
        self,
        classifier: IntentClassifier,
        gazetteer: Gazetteer,
        needs: NeedFinder | None = None,
    ) -> None:
        self.classifier = classifier
        self.gazetteer = gazetteer
        self.needs = needs or NeedFinder()

    @classmethod
    def load(
        cls,
        db: sqlite_utils.Database,
        model: str | Path | None = None,
        *,
        default_state: str | None = None,
        training: TrainingData | None = None,
    ) -> Parser:
        """Load the trained classifier and the directory's gazetteer.

        Raises:
            ModelMissing: the model has not been trained yet.
        """
        path = Path(model) if model else model_path()
        if not (path / "meta.json").exists():
            raise ModelMissing(f"No language model at {path}. Train it with: wayfinder nlu train")
        synonyms = _synonyms_by_need(training) if training else None
        return cls(
            IntentClassifier(path),
            Gazetteer.from_db(db, default_state),
            NeedFinder(synonyms),
        )

    def parse(self, text: str) -> Parse:
        text = clean(text)[:MAX_CHARS]
        verdict = safety.assess(text)
        needs = self.needs.find(text)
        location = find_location(text, self.gazetteer)
        ranking = self.classifier.rank(text) if text else [("out_of_scope", 1.0)]
        intent, confidence = ranking[0]
        ruled = _by_rule(text, bool(needs), location is not None and _is_only(text, location))
        if ruled:
            intent, confidence = ruled, 1.0
        if verdict.level != safety.NONE:
            intent, confidence = verdict.level, 1.0
        if intent != ranking[0][0]:
            ranking = [(intent, confidence), *[r for r in ranking if r[0] != intent]]
        entities = [Entity("need", m.need, m.start, m.end) for m in needs]
        if location:
            entities.append(
                Entity("location", location.text, location.start, location.end, location.kind)
            )
        return Parse(
            text=text,
            language=language.detect(text),
            intent=intent,
            confidence=confidence,
            intent_ranking=ranking[:5],
            needs=[m.need for m in needs],
            location=location,
            safety=verdict.level,
            entities=sorted(entities, key=lambda e: e.start),
        )


def _is_only(text: str, location: object) -> bool:
    """The message is the place and little else ("80204", "im at union station")."""
    span = getattr(location, "text", "")
    rest = fold(text.replace(span, " "))
    return len(rest.split()) <= 3 and not re.search(r"\b(?:beds?|open|full|have)\b", rest)


def _by_rule(text: str, has_needs: bool, only_place: bool) -> str | None:
    folded = fold(text).strip(" .!?")
    if _SELECT.match(folded):
        return "select_result"
    if only_place and not has_needs:
        return "provide_location"
    return None


def _synonyms_by_need(training: TrainingData) -> dict[str, list[str]]:
    return {key: words for key, words in training.synonyms.items()}
