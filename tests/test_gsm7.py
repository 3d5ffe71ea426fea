from __future__ import annotations

from bot.gsm7 import is_gsm7, segments, to_gsm7


def test_typographic_punctuation_becomes_plain() -> None:
    assert to_gsm7("“Welton” – open… it’s") == '"Welton" - open... it\'s'


def test_spanish_keeps_the_accents_gsm7_has_and_drops_the_rest() -> None:
    text = to_gsm7("¿Dónde está? Envíe información, señor; él")
    assert text == "¿Donde esta? Envie informacion, señor; él"
    assert is_gsm7(text)


def test_segment_counts_follow_the_sms_rules() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 459) == 3
    assert segments("€" * 80) == 1  # extended characters count twice
    assert segments("€" * 81) == 2
    assert segments("á" * 70) == 1  # one non-GSM character: UCS-2, 70 a segment
    assert segments("á" * 71) == 2
