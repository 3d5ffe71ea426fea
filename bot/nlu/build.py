"""Training everything `Parser.load` needs into one model folder: the intent classifier
(classifier.py) and the safety model (safety_model.py). `wayfinder nlu train` and the
tests build models the same way, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.nlu import safety_corpus, safety_model
from bot.nlu.classifier import train as train_intents
from bot.nlu.needs import NeedFinder
from bot.nlu.parser import annotate
from bot.nlu.places import Gazetteer
from bot.nlu.training import TrainingData


@dataclass(frozen=True)
class Built:
    intents: int
    intent_examples: int
    safety: safety_model.SafetyModel
    safety_examples: int


def build(data: TrainingData, out: str | Path, gazetteer: Gazetteer) -> Built:
    """Train both models from `data` (Rasa NLU) and the safety corpora into `out`.

    Raises:
        SafetyCorpusError: a safety corpus file is malformed.
    """
    train_intents(data.examples, out, annotate=annotate(NeedFinder(data.synonyms), gazetteer))
    examples = safety_corpus.load(safety_corpus.DATA / "train.jsonl")
    examples += safety_corpus.ordinary_traffic(data)
    dev = safety_corpus.load(safety_corpus.DATA / "dev-1.jsonl")
    model = safety_model.train(examples, dev)
    model.save(out, {"messages": len(examples)})
    return Built(len(data.intents), len(data.examples), model, len(examples))
