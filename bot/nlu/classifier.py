"""The intent classifier: a spaCy TextCategorizer trained here, from our own Rasa-format
data, on a blank English pipeline (no pretrained model is needed or downloaded).

Training is deterministic (fixed seed) and takes seconds on two cores. The text it sees
is folded and has its numbers reduced to their shape ("beds 4" → "beds NUM",
"detox 85705" → "detox ZIP"), so that it learns the pattern, not the particular number.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline import TextCategorizer
from spacy.training import Example as SpacyExample
from spacy.util import minibatch
from thinc.api import fix_random_seed

from bot.nlu.normalize import fold
from bot.nlu.training import Example

SEED = 7
EPOCHS = 20


# (start, end, token): a span of the message the classifier sees as one placeholder word.
Marks = Sequence[tuple[int, int, str]]
Annotate = Callable[[str], Marks]


def features(text: str, marks: Marks = ()) -> str:
    """What the classifier reads: folded text, needs and places as placeholder words
    ("SHLTR 80203" → "needword zip"), numbers as their shape ("beds 4" → "beds NUM")."""
    for start, end, token in sorted(marks, reverse=True):
        text = f"{text[:start]} {token} {text[end:]}"
    folded = fold(text)
    folded = re.sub(r"\b\d{5}(?:-\d{4})?\b", " ZIP ", folded)
    folded = re.sub(r"\b\d+(?:st|nd|rd|th)\b", " ORD ", folded)
    folded = re.sub(r"\b\d+\b", " NUM ", folded)
    words = folded.split()
    # Word beginnings as extra features, so that unseen forms ("yessir", "hiya",
    # "thankyou") share evidence with seen ones ("yes", "hi", "thank").
    stems = [f"{w[:3]}_" for w in words if len(w) > 3 and w.isalpha()]
    return " ".join([*words, *stems])


def train(
    examples: list[Example],
    out: str | Path,
    *,
    annotate: Annotate | None = None,
    seed: int = SEED,
) -> Language:
    """Train the intent classifier and write it to `out` (a folder)."""
    fix_random_seed(seed)
    rng = random.Random(seed)
    labels = sorted({e.intent for e in examples})
    nlp = spacy.blank("en")
    textcat: TextCategorizer = nlp.add_pipe(  # type: ignore[assignment]
        "textcat",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": True,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": 262144,
            }
        },
    )
    for label in labels:
        textcat.add_label(label)
    samples = [
        SpacyExample.from_dict(
            nlp.make_doc(features(e.text, annotate(e.text) if annotate else [])),
            {"cats": {label: float(label == e.intent) for label in labels}},
        )
        for e in examples
    ]
    optimizer = nlp.initialize(lambda: samples)
    for _ in range(EPOCHS):
        rng.shuffle(samples)
        for batch in minibatch(samples, size=16):  # type: ignore[no-untyped-call]
            nlp.update(batch, sgd=optimizer, drop=0.1)
    Path(out).mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return nlp


class IntentClassifier:
    """A trained model loaded from disk."""

    def __init__(self, path: str | Path) -> None:
        self.nlp = spacy.load(path)

    def rank(self, text: str, marks: Marks = ()) -> list[tuple[str, float]]:
        cats = self.nlp(features(text, marks)).cats
        return sorted(cats.items(), key=lambda item: item[1], reverse=True)
