"""The intent classifier: trained here, deterministically, on our own data."""

from __future__ import annotations

from pathlib import Path

from bot.nlu.classifier import IntentClassifier, features, train
from bot.nlu.training import load, parse_example

TRAINING = Path(__file__).parents[1] / "bot" / "nlu" / "data" / "nlu.yml"


def test_training_twice_gives_the_same_model(tmp_path: Path) -> None:
    examples = load(TRAINING).examples[::6]
    train(examples, tmp_path / "a")
    train(examples, tmp_path / "b")
    a, b = IntentClassifier(tmp_path / "a"), IntentClassifier(tmp_path / "b")
    for text in ("detox 85705", "any beds?", "thanks", "2"):
        assert a.rank(text) == b.rank(text)


def test_numbers_are_seen_by_their_shape_and_places_as_placeholders() -> None:
    assert features("beds 4") == "beds NUM bed_"
    assert features("detox 85705", [(0, 5, "needword"), (6, 11, "zipplace")]) == (
        "needword zipplace nee_ zip_"
    )


def test_rasa_markup_becomes_text_and_entities() -> None:
    example = parse_example(
        'need [detx]{"entity": "need", "value": "detox"} in [Aurora CO]'
        '{"entity": "location", "role": "city"}',
        "find_resource",
    )
    assert example.text == "need detx in Aurora CO"
    need, place = example.entities
    assert (need.value, need.start, need.end) == ("detox", 5, 9)
    assert (place.role, example.text[place.start : place.end]) == ("city", "Aurora CO")
