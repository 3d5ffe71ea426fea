"""The safety corpora: well formed, labelled by the taxonomy, and the blind set frozen."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from bot.nlu.safety_corpus import (
    CATEGORIES,
    DATA,
    RISK_CATEGORIES,
    SafetyCorpusError,
    load,
)  # fmt: skip

README = Path(__file__).parents[1] / "README.md"


@pytest.mark.parametrize("name", ["blind-1.jsonl", "blind-2.jsonl"])
def test_each_blind_set_is_the_one_whose_sha256_the_readme_publishes(name: str) -> None:
    published = re.search(rf"{re.escape(name)}[^\n]*sha256 `([0-9a-f]{{64}})`", README.read_text())
    assert published, f"the README names {name} with its sha256"
    digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
    assert digest == published.group(1)


@pytest.mark.parametrize("name", ["blind-1.jsonl", "blind-2.jsonl"])
def test_each_blind_set_is_big_enough_to_judge_by(name: str) -> None:
    blind = load(DATA / name)
    risky = [e for e in blind if e.risky]
    assert len(blind) >= 600 and len(risky) >= 250
    assert len([e for e in blind if e.lang != "en"]) >= 100


def test_training_data_covers_every_category_in_both_languages() -> None:
    train = load(DATA / "train.jsonl")
    english = [e for e in train if e.lang == "en"]
    assert len(english) >= 3000 and len(train) - len(english) >= 1200
    assert len([e for e in train if not e.risky]) / len(train) >= 0.40
    for category in CATEGORIES:
        assert {e.lang != "en" for e in train if e.category == category} == {True, False}


def test_no_evaluation_message_is_trained_on() -> None:
    def key(text: str) -> str:
        return " ".join(text.lower().split())

    train = {key(e.text) for e in load(DATA / "train.jsonl")}
    for name in ("blind-1.jsonl", "dev-1.jsonl"):
        assert not train & {key(e.text) for e in load(DATA / name)}, name


def test_risk_categories_are_never_labelled_safe() -> None:
    for name in ("train.jsonl", "dev-1.jsonl", "blind-1.jsonl"):
        for example in load(DATA / name):
            assert example.risky == (example.category in RISK_CATEGORIES), example.text


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("not json", "bad.jsonl:1: not JSON (Expecting value)"),
        ('{"level": "none"}', 'bad.jsonl:1: expected {"text": "...", "level": ...}'),
        ('{"text": "hi", "level": "high", "category": "ordinary"}',
         "bad.jsonl:1: level: 'high' is not one of none, crisis, emergency"),
        ('{"text": "hi", "level": "none", "category": "chat"}',
         "bad.jsonl:1: category: 'chat' is not one of"),
    ],
)  # fmt: skip
def test_a_malformed_corpus_line_is_named(tmp_path: Path, line: str, error: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(SafetyCorpusError) as raised:
        load(path)
    assert str(raised.value).startswith(error)
