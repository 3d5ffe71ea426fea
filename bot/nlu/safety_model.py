"""The safety model: a classifier of a message's folded words into `none`, `crisis` or
`emergency`, the broad net under the named rules.

Why this model: character n-grams (2–5, inside word boundaries) and word uni- and
bigrams, TF-IDF weighted, into a multinomial logistic regression (scikit-learn). Texts
arrive misspelt, unspaced, in two languages and in slang; character n-grams carry
"suicdal", "matarme" and "kmssss" to what was learnt from their neighbours. Measured on
the blind-written development set against spaCy's TextCatBOW and TextCatEnsemble
trained on the same data (`python bench/safety_models.py`), it caught more risk at the
same false-alarm rate and trained in seconds; the numbers are in the README.

Thresholds are set on the development set, never on the frozen evaluation set: the
risk threshold is the highest at which the model alone still finds `TARGET_RECALL` of
the development set's risky messages, and the emergency threshold likewise for 911.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.nlu.message import plain_words
from bot.nlu.safety_corpus import CRISIS, EMERGENCY, LEVELS, NONE, Labelled

TARGET_RECALL = 0.99  # of the development set's risky messages, by the model alone
TARGET_911 = 0.95  # of its emergencies, sent to 911 by the model alone
REGULARIZATION = 30.0  # inverse strength (C), chosen on the development set
MODEL_FILE, META_FILE = "safety.pkl", "safety.json"


class SafetyModelMissing(RuntimeError):
    """No usable safety model at the path: run `wayfinder nlu train`."""


@dataclass(frozen=True)
class Scores:
    """The model's probabilities that a message shows a crisis or an emergency."""

    crisis: float
    emergency: float

    @property
    def risk(self) -> float:
        return self.crisis + self.emergency


@dataclass(frozen=True)
class Thresholds:
    risk: float = 0.5
    emergency: float = 0.5


def _pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                      sublinear_tf=True, dtype=np.float32)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"\S+", dtype=np.float32)),
        ]
    )  # fmt: skip
    classifier = LogisticRegression(C=REGULARIZATION, max_iter=5000, class_weight="balanced")
    return Pipeline([("features", features), ("classifier", classifier)])


def features(folded: str) -> str:
    """What the model reads: the folded words, or a marker for a message with none."""
    return folded or "emptymessage"


class _OneMessage:
    """The fitted pipeline's arithmetic for one message, without scikit-learn's per-call
    overhead (input checks, sparse matrices: ~3 ms a message, most of the parse budget).

    The n-grams come from the vectorizers' own analyzers and the numbers from the fitted
    vocabulary, IDF weights and coefficients, so the result is the pipeline's
    `predict_proba` (a test holds them equal); only batches go through the pipeline.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.parts = []
        offset = 0
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            vocabulary: dict[str, int] = vectorizer.vocabulary_
            self.parts.append(
                (vectorizer.build_analyzer(), vocabulary, np.asarray(vectorizer.idf_), offset)
            )
            offset += len(vocabulary)
        classifier = pipeline.named_steps["classifier"]
        self.coef = np.asarray(classifier.coef_, dtype=np.float64)
        self.intercept = np.asarray(classifier.intercept_, dtype=np.float64)

    def probabilities(self, text: str) -> np.ndarray:
        logits = self.intercept.copy()
        for analyzer, vocabulary, idf, offset in self.parts:
            counts = Counter(
                index for gram in analyzer(text) if (index := vocabulary.get(gram)) is not None
            )
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            weights = tf * idf[columns]  # sublinear TF × IDF, then L2 per vectorizer
            weights /= np.sqrt(weights @ weights)
            logits += self.coef[:, offset + columns] @ weights
        exp = np.exp(logits - logits.max())
        return np.asarray(exp / exp.sum())


class SafetyModel:
    """A trained pipeline with its thresholds."""

    def __init__(self, pipeline: Pipeline, thresholds: Thresholds) -> None:
        self.pipeline = pipeline
        self.thresholds = thresholds
        classes = list(pipeline.classes_)
        self._crisis, self._emergency = classes.index(CRISIS), classes.index(EMERGENCY)
        self._one = _OneMessage(pipeline)

    def scores(self, folded: str) -> Scores:
        """The scores of one message (the parse path: fast)."""
        p = self._one.probabilities(features(folded))
        return Scores(float(p[self._crisis]), float(p[self._emergency]))

    def scores_of(self, folded: Sequence[str]) -> list[Scores]:
        """The scores of many messages at once (evaluation: through the pipeline)."""
        probabilities = self.pipeline.predict_proba([features(f) for f in folded])
        return [Scores(float(p[self._crisis]), float(p[self._emergency])) for p in probabilities]

    def level(self, scores: Scores) -> str:
        """`emergency`, `crisis` or `none` by the thresholds."""
        if scores.emergency >= self.thresholds.emergency:
            return EMERGENCY
        if scores.risk >= self.thresholds.risk:
            return EMERGENCY if scores.emergency > scores.crisis else CRISIS
        return NONE

    def save(self, folder: str | Path, about: dict[str, Any] | None = None) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MODEL_FILE).write_bytes(pickle.dumps(self.pipeline))
        meta = {"sklearn": sklearn.__version__, "thresholds": vars(self.thresholds),
                **(about or {})}  # fmt: skip
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> SafetyModel:
        """The model saved in `folder` by `wayfinder nlu train`.

        Raises:
            SafetyModelMissing: not trained, or trained with another scikit-learn.
        """
        folder = Path(folder)
        if not (folder / META_FILE).exists():
            raise SafetyModelMissing(
                f"No safety model at {folder}. Train it with: wayfinder nlu train"
            )
        meta = json.loads((folder / META_FILE).read_text("utf-8"))
        if meta.get("sklearn") != sklearn.__version__:
            raise SafetyModelMissing(
                f"The safety model at {folder} was trained with scikit-learn "
                f"{meta.get('sklearn')}; this is {sklearn.__version__}. Retrain it with: "
                "wayfinder nlu train"
            )
        # Our own file, written by `save` above in the model folder; never a download.
        pipeline = pickle.loads((folder / MODEL_FILE).read_bytes())
        return cls(pipeline, Thresholds(**meta["thresholds"]))


def fit(examples: Sequence[Labelled]) -> Pipeline:
    """The pipeline trained on these messages (deterministic: lbfgs, no sampling)."""
    pipeline = _pipeline()
    pipeline.fit([features(plain_words(e.text)) for e in examples], [e.level for e in examples])
    return pipeline


def tune(pipeline: Pipeline, dev: Sequence[Labelled]) -> Thresholds:
    """The highest thresholds that still reach the recall targets on `dev`."""
    model = SafetyModel(pipeline, Thresholds())
    # Scored one by one, as messages are at run time, so a threshold is exactly where it
    # was measured.
    scored = [(e, model.scores(plain_words(e.text))) for e in dev]
    risky = sorted(s.risk for e, s in scored if e.risky)
    emergencies = sorted(s.emergency for e, s in scored if e.level == EMERGENCY)
    if not risky or not emergencies:
        return Thresholds()

    def highest(values: list[float], target: float) -> float:
        # Keep at least `target` of the values at or above the threshold.
        allowed_misses = int(len(values) * (1 - target))
        return values[allowed_misses]

    return Thresholds(highest(risky, TARGET_RECALL), highest(emergencies, TARGET_911))


def train(train_set: Sequence[Labelled], dev: Sequence[Labelled]) -> SafetyModel:
    """Fit on `train_set`, set the thresholds on `dev`."""
    missing = set(LEVELS) - {e.level for e in train_set}
    if missing:
        raise ValueError(f"no training messages of level {', '.join(sorted(missing))}")
    pipeline = fit(train_set)
    return SafetyModel(pipeline, tune(pipeline, dev))
