"""The safety model: trained from labelled messages, thresholds set for recall on a
development set, saved and loaded with the intent model, refused when stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.nlu.message import Message
from bot.nlu.safety import CRISIS, EMERGENCY, NONE, SafetyCheck
from bot.nlu.safety_corpus import Labelled
from bot.nlu.safety_eval import leave_one_out, score
from bot.nlu.safety_model import META_FILE, SafetyModel, SafetyModelMissing, train

RISKY = [
    ("i dont see the point in waking up tomorrow", CRISIS, "passive_ideation"),
    ("everyone would be better without me around", CRISIS, "passive_ideation"),
    ("im such a burden to my family, they'd be relieved", CRISIS, "passive_ideation"),
    ("i wrote letters to my kids and gave my dog to my sister", CRISIS, "farewell_preparation"),
    ("giving away all my stuff this week, wont need it", CRISIS, "farewell_preparation"),
    ("he swallowed a whole bottle of pills 10 min ago", EMERGENCY, "attempt_in_progress"),
    ("she drank bleach and is throwing up", EMERGENCY, "attempt_in_progress"),
    ("my friend is not breathing after using", EMERGENCY, "medical_emergency"),
    ("guy collapsed, lips blue, not responding", EMERGENCY, "medical_emergency"),
]
SAFE = [
    ("shelter near 80204 tonight", "ordinary"),
    ("thanks so much", "ordinary"),
    ("do you have detox beds", "ordinary"),
    ("what time does the food bank open", "ordinary"),
    ("this traffic is killing me lol", "idiom"),
    ("my phone is dying, send the address", "idiom"),
    ("suicide prevention training for staff", "resource_name"),
    ("where is the overdose prevention site", "resource_name"),
    ("the movie where the guy dies at the end was sad", "media"),
]


def corpus() -> list[Labelled]:
    return [Labelled(t, level, category) for t, level, category in RISKY] + [
        Labelled(t, NONE, category) for t, category in SAFE
    ]


@pytest.fixture(scope="module")
def small_model() -> SafetyModel:
    return train(corpus() * 3, corpus())


def test_thresholds_are_set_so_the_development_set_reaches_its_recall(
    small_model: SafetyModel,
) -> None:
    report = score(SafetyCheck(small_model).assess, corpus())
    assert report.risk.rate >= 0.98
    assert report.emergency_911.rate >= 0.95


def test_the_model_fires_where_no_rule_does(small_model: SafetyModel) -> None:
    check = SafetyCheck(small_model)
    verdict = check.assess(Message.of("i dont see the point in waking up tomorrow"))
    assert verdict.level == CRISIS and verdict.rule == "model"


def test_a_rule_outranks_the_model_when_it_is_the_higher_level(small_model: SafetyModel) -> None:
    verdict = SafetyCheck(small_model).assess(Message.of("he is not breathing"))
    assert verdict.level == EMERGENCY and verdict.rule == "not_breathing"


def test_a_saved_model_loads_with_its_thresholds(small_model: SafetyModel, tmp_path: Path) -> None:
    small_model.save(tmp_path)
    loaded = SafetyModel.load(tmp_path)
    assert loaded.thresholds == small_model.thresholds
    text = Message.of("giving away all my stuff").folded
    assert loaded.scores(text) == small_model.scores(text)


def test_a_model_from_another_scikit_learn_must_be_retrained(
    small_model: SafetyModel, tmp_path: Path
) -> None:
    small_model.save(tmp_path)
    meta = json.loads((tmp_path / META_FILE).read_text())
    (tmp_path / META_FILE).write_text(json.dumps({**meta, "sklearn": "0.1"}))
    with pytest.raises(SafetyModelMissing, match="Retrain it with: wayfinder nlu train"):
        SafetyModel.load(tmp_path)


def test_no_model_at_all_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(SafetyModelMissing, match="Train it with: wayfinder nlu train"):
        SafetyModel.load(tmp_path)


def test_training_needs_every_level() -> None:
    with pytest.raises(ValueError, match="no training messages of level emergency"):
        train([e for e in corpus() if e.level != EMERGENCY], corpus())


def test_leaving_a_category_out_scores_it_on_a_model_that_never_saw_it(
    small_model: SafetyModel,
) -> None:
    rows = leave_one_out(corpus() * 3, small_model.thresholds, ["farewell_preparation", "idiom"])
    assert [(r.category, r.messages) for r in rows] == [
        ("farewell_preparation", 6), ("idiom", 6)
    ]  # fmt: skip
    farewell, idiom = rows
    assert farewell.combined >= farewell.model  # the rules only ever add hand-offs
    assert 0.0 <= idiom.model <= idiom.combined <= 1.0


def test_one_message_is_scored_exactly_as_the_pipeline_scores_a_batch(
    small_model: SafetyModel,
) -> None:
    texts = [Message.of(t).folded for t, *_ in [*RISKY, *SAFE]] + ["", "zzzz qqqq"]
    for text, batch in zip(texts, small_model.scores_of(texts), strict=True):
        one = small_model.scores(text)
        assert one.crisis == pytest.approx(batch.crisis, abs=1e-6)
        assert one.emergency == pytest.approx(batch.emergency, abs=1e-6)
