"""The whole parse of one message, and the held-out bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.evaluate import evaluate
from bot.nlu.parser import Parser
from bot.nlu.training import load

HELD_OUT = Path(__file__).parents[1] / "bot" / "nlu" / "data" / "test.yml"
TRAINING = Path(__file__).parents[1] / "bot" / "nlu" / "data" / "nlu.yml"


def test_parse_json_has_the_stable_shape(parser: Parser) -> None:
    result = parser.parse("detox 85705").as_json()
    # The stable keys of DESIGN.md first, in order; then the responder words that matched
    # and the services the message names.
    assert list(result) == ["text", "language", "intent", "intent_ranking", "entities",
                            "needs", "location", "safety", "lexicon", "services"]  # fmt: skip
    assert result["lexicon"] == [] and result["services"] == []
    assert result["intent"]["name"] == "find_resource"
    assert result["needs"] == ["detox"]
    assert result["entities"][0] == {"entity": "need", "value": "detox", "start": 0, "end": 5}
    assert result["location"]["kind"] == "zip"
    assert (result["location"]["city"], result["location"]["state"]) == ("Tucson", "AZ")
    assert result["safety"] == "none"


def test_crisis_with_a_resource_keeps_the_need_and_the_place(parser: Parser) -> None:
    result = parser.parse("suicidal, need a crisis bed 85705")
    assert (result.intent, result.safety) == ("crisis", "crisis")
    assert result.needs == ["crisis_stabilization"]
    assert result.location is not None and result.location.zip == "85705"


def test_emergency_overrides_whatever_the_classifier_thinks(parser: Parser) -> None:
    result = parser.parse("guy down not breathing 80204")
    assert (result.intent, result.safety, result.confidence) == ("emergency", "emergency", 1.0)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("2", "select_result"), ("#3", "select_result"), ("80204", "provide_location"),
     ("im at union station", "provide_location"), ("more", "more_results"),
     ("beds 4", "update_availability"), ("any crisis beds open?", "check_availability"),
     ("hola", "greet"), ("thanks", "thanks"), ("the second one", "select_result"),
     ("call 2", "select_result"), ("la tercera", "select_result")],
)  # fmt: skip
def test_follow_ups_and_small_talk(parser: Parser, text: str, intent: str) -> None:
    assert parser.parse(text).intent == intent


@pytest.mark.parametrize(
    "text", ["thanks, shelter 80204", "ok detox near union station", "more detox please"]
)
def test_a_message_naming_a_need_asks_for_it(parser: Parser, text: str) -> None:
    assert parser.parse(text).intent == "find_resource"


def test_numbers_come_as_entities(parser: Parser) -> None:
    picked = parser.parse("call 2").as_json()["entities"]
    assert picked == [{"entity": "number", "value": "2", "start": 0, "end": 6, "role": "call"}]
    update = {e["entity"]: e["value"] for e in parser.parse("4 of 16").as_json()["entities"]}
    assert update == {"available": "4", "maximum": "16"}


def test_spanish_is_recognised(parser: Parser) -> None:
    assert parser.parse("necesito un refugio esta noche").language == "es"
    assert parser.parse("i need a shelter tonight").language == "en"


def test_invisible_characters_and_huge_messages_are_handled(parser: Parser) -> None:
    assert parser.parse("de\u200btox 85705").needs == ["detox"]
    assert len(parser.parse("shelter " * 5000).text) <= 2000


def test_held_out_set_is_big_enough_and_never_trained_on() -> None:
    held_out = load(HELD_OUT).examples
    trained = {e.text.lower().strip() for e in load(TRAINING).examples}
    assert len(held_out) >= 300
    assert sum(e.intent in ("crisis", "emergency") for e in held_out) >= 60
    assert not [e.text for e in held_out if e.text.lower().strip() in trained]


def test_held_out_hand_offs_are_all_caught_with_few_false_alarms(parser: Parser) -> None:
    report = evaluate(parser, load(HELD_OUT).examples)
    assert report.handoff_found == report.handoff_total
    assert report.false_alarms / report.other_total <= 0.03


def test_held_out_needs_and_places_meet_the_bar(parser: Parser) -> None:
    report = evaluate(parser, load(HELD_OUT).examples)
    assert report.needs_exact / report.total >= 0.95
    assert report.location_exact / report.total >= 0.95


def test_held_out_intent_accuracy_meets_the_bar(parser: Parser) -> None:
    report = evaluate(parser, load(HELD_OUT).examples)
    assert report.intent_correct / report.total >= 0.95


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hi, my name is Maria", "en"),
        ("Hello! This is Officer Diaz", "en"),
        ("hey there, I'm Sam", "en"),
        ("good evening", "en"),
        ("Hola, me llamo Ana", "es"),
        ("buenas tardes, mi nombre es Luis", "es"),
    ],
)
def test_a_greeting_with_a_name_is_a_greeting(parser: Parser, text: str, language: str) -> None:
    parse = parser.parse(text)
    assert (parse.intent, parse.language) == ("greet", language)


def test_a_greeting_that_asks_for_something_else_is_still_out_of_scope(parser: Parser) -> None:
    assert parser.parse("hello, can you find me a pizza place near here").intent == ("out_of_scope")


def test_a_greeting_never_hides_a_crisis(parser: Parser) -> None:
    assert parser.parse("hi my name is Sam and i want to die").intent == "crisis"


@pytest.mark.parametrize(
    "text", ["ok what opens first", "whats open in the morning", "qué abre primero"]
)
def test_asking_what_opens_first_is_the_next_of_the_list_not_a_pick(
    parser: Parser, text: str
) -> None:
    assert parser.parse(text).intent == "more_results"


def test_asking_when_they_open_tomorrow_is_not_the_next_page(parser: Parser) -> None:
    assert parser.parse("what time do they open tomorrow").intent != "more_results"


@pytest.mark.parametrize(
    "text", ["outpatient rehab boulder 80302 open tonight?", "psychiatrist 80031 anything open"]
)
def test_open_without_a_word_for_beds_asks_about_hours(parser: Parser, text: str) -> None:
    assert parser.parse(text).intent == "find_resource"


@pytest.mark.parametrize(
    ("text", "place"),
    [("aspen hollow detox", None), ("lodestar lawrence st shelter", None),
     ("detox aurora", "aurora"), ("detox in aspen", "aspen")],
)  # fmt: skip
def test_a_town_inside_a_service_name_is_the_name_not_the_town(
    parser: Parser, text: str, place: str | None
) -> None:
    location = parser.parse(text).location
    assert (location.text.lower() if location else None) == place
