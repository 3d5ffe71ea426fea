from __future__ import annotations

from bot.responses import fill, load_domain, pick


def test_a_spanish_conversation_gets_the_spanish_variant() -> None:
    variant = pick(load_domain(), "utter_ask_location", {"language": "es"}, "sms")
    assert variant is not None and variant["text"].startswith("¿Dónde")


def test_a_channel_gets_its_own_variant_and_others_the_plain_one() -> None:
    domain = load_domain()
    telegram = pick(domain, "utter_ask_location", {"language": "en"}, "telegram")
    sms = pick(domain, "utter_ask_location", {"language": "en"}, "sms")
    assert telegram is not None and "Share my location" in telegram["text"]
    assert sms is not None and "Share my location" not in sms["text"]


def test_unknown_responses_and_placeholders() -> None:
    assert pick(load_domain(), "utter_nothing_like_this", {}, "sms") is None
    assert fill("call {number} or {other}", {"number": "988"}) == "call 988 or {other}"
    assert fill("a stray { brace", {}) == "a stray { brace"
