"""Which safety model: scikit-learn's logistic regression on character and word n-grams
against spaCy's text classifiers, trained on the same data and judged on the same
blind-written development set.

Every candidate learns from bot/nlu/data/safety/train.jsonl plus the everyday messages of
nlu.yml, and is scored on bot/nlu/data/safety/dev-1.jsonl (never the frozen blind set):
the threshold is set where the model alone finds 98 % of the risky development messages,
and the false alarms at that threshold are what we compare (plus Spanish recall, 911 for
emergencies, training time and per-message latency).

    python bench/safety_models.py [--epochs 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import spacy
from spacy.training import Example
from spacy.util import minibatch
from stats import percentile  # bench/stats.py (this folder is on sys.path)
from thinc.api import fix_random_seed

from bot.nlu import safety_corpus
from bot.nlu.message import plain_words
from bot.nlu.safety_model import fit
from bot.nlu.training import load

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ("none", "crisis", "emergency")
TARGET = 0.98
Scorer = Callable[[Sequence[str]], np.ndarray]  # folded texts → P(none, crisis, emergency)


def sklearn_candidate(train: list[safety_corpus.Labelled], _: int) -> Scorer:
    pipeline = fit(train)
    order = [list(pipeline.classes_).index(level) for level in LEVELS]

    def score(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(pipeline.predict_proba([t or "emptymessage" for t in texts]))[:, order]

    return score


def _char_words(folded: str) -> str:
    """Words plus their character 3–5-grams as extra tokens, for spaCy's bag of words."""
    words = folded.split() or ["emptymessage"]
    grams = [
        f"#{w[i : i + n]}" for w in words for n in (3, 4, 5) for i in range(max(0, len(w) - n + 1))
    ]
    return " ".join(words + grams)


def spacy_candidate(architecture: str, char_ngrams: bool) -> Callable[..., Scorer]:
    def build(train: list[safety_corpus.Labelled], epochs: int) -> Scorer:
        fix_random_seed(7)
        bow = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
               "ngram_size": 2, "no_output_layer": False, "length": 262144}  # fmt: skip
        if architecture == "bow":
            model = bow
        else:
            model = {
                "@architectures": "spacy.TextCatEnsemble.v2",
                "nO": None,
                "linear_model": bow,
                "tok2vec": {
                    "@architectures": "spacy.Tok2Vec.v2",
                    "embed": {
                        "@architectures": "spacy.MultiHashEmbed.v2",
                        "width": 64,
                        "rows": [5000, 2000, 1000, 1000],
                        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                        "include_static_vectors": False,
                    },
                    "encode": {
                        "@architectures": "spacy.MaxoutWindowEncoder.v2",
                        "width": 64,
                        "window_size": 1,
                        "maxout_pieces": 3,
                        "depth": 2,
                    },
                },
            }
        nlp = spacy.blank("en")
        textcat = nlp.add_pipe("textcat", config={"model": model})
        for level in LEVELS:
            textcat.add_label(level)  # type: ignore[attr-defined]

        def text(folded: str) -> str:
            return _char_words(folded) if char_ngrams else (folded or "emptymessage")

        samples = [
            Example.from_dict(
                nlp.make_doc(text(plain_words(e.text))),
                {"cats": {level: float(level == e.level) for level in LEVELS}},
            )
            for e in train
        ]
        optimizer = nlp.initialize(lambda: samples)
        rng = random.Random(7)
        for _ in range(epochs):
            rng.shuffle(samples)
            for batch in minibatch(samples, size=16):  # type: ignore[no-untyped-call]
                nlp.update(batch, sgd=optimizer, drop=0.2)

        def score(texts: Sequence[str]) -> np.ndarray:
            docs = nlp.pipe([text(t) for t in texts])
            return np.array([[doc.cats[level] for level in LEVELS] for doc in docs])

        return score

    return build


CANDIDATES: dict[str, Callable[..., Scorer]] = {
    "scikit-learn: char 2-5 + word 1-2 n-grams, logistic regression": sklearn_candidate,
    "spaCy TextCatBOW (words, bigrams)": spacy_candidate("bow", False),
    "spaCy TextCatBOW with character n-grams": spacy_candidate("bow", True),
    "spaCy TextCatEnsemble (BOW + CNN)": spacy_candidate("ensemble", False),
    "spaCy TextCatEnsemble with character n-grams": spacy_candidate("ensemble", True),
}


def judge(score: Scorer, dev: list[safety_corpus.Labelled]) -> dict[str, float]:
    folded = [plain_words(e.text) for e in dev]
    probabilities = score(folded)
    risk = probabilities[:, 1] + probabilities[:, 2]
    risky = np.array([e.risky for e in dev])
    spanish = np.array([e.lang != "en" for e in dev])
    emergency = np.array([e.level == "emergency" for e in dev])
    threshold = np.sort(risk[risky])[int(risky.sum() * (1 - TARGET))]
    fired = risk >= threshold
    to_911 = fired & (probabilities[:, 2] >= probabilities[:, 1])
    latencies = []
    for text in folded[:300]:
        started = time.perf_counter()
        score([text])
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "risk_recall": float(fired[risky].mean()),
        "false_alarms": float(fired[~risky].mean()),
        "spanish_recall": float(fired[risky & spanish].mean()),
        "emergencies_to_911": float(to_911[emergency].mean()),
        "p99_ms": round(percentile(latencies, 0.99), 3),
    }


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--epochs", type=int, default=10, help="spaCy training epochs")
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    train = safety_corpus.load(safety_corpus.DATA / "train.jsonl")
    train += safety_corpus.ordinary_traffic(load(ROOT / "bot" / "nlu" / "data" / "nlu.yml"))
    dev = safety_corpus.load(safety_corpus.DATA / "dev-1.jsonl")
    rows = []
    for name, candidate in CANDIDATES.items():
        started = time.perf_counter()
        scorer = candidate(train, options.epochs)
        seconds = time.perf_counter() - started
        rows.append({"model": name, "train_s": round(seconds, 1), **judge(scorer, dev)})
        if not options.json:
            print(f"trained: {name}", flush=True)
    if options.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"\n{len(train)} training messages; development set {len(dev)} messages; threshold "
          f"where the model finds {TARGET:.0%} of risky development messages.\n")  # fmt: skip
    print("| model | risk recall | false alarms | Spanish recall | 911 | train s | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['risk_recall']:.1%} | {r['false_alarms']:.1%} | "
              f"{r['spanish_recall']:.1%} | {r['emergencies_to_911']:.1%} | {r['train_s']} | "
              f"{r['p99_ms']} |")  # fmt: skip
    print(f"\nMachine: {os.cpu_count()} CPUs, Python {platform.python_version()}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
