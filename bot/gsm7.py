"""SMS text in the GSM-7 alphabet where possible, and how many segments it costs.

One character outside GSM-7 (a curly quote, "á", an emoji) turns the whole message into
UCS-2: 70 characters a segment instead of 160, and a three-segment answer becomes seven.
So replies for SMS swap typographic punctuation for plain and drop accents GSM-7 lacks
("información" → "informacion"), keeping the ones it has (é, ñ, ü, ¿, ¡).
"""

from __future__ import annotations

import unicodedata

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = set("^{}\\[~]|€\f")
_PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...",
    "\u00a0": " ", "\u2022": "*", "\u00b7": "-", "\u2192": "->", "\t": " ",
}  # fmt: skip
MAX_BODY = 1600


def to_gsm7(text: str) -> str:
    """The text with every character GSM-7 lacks replaced by its closest plain form."""
    out = []
    for char in text:
        if char in BASIC or char in EXTENDED:
            out.append(char)
        elif char in _PLAIN:
            out.append(_PLAIN[char])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and all(c in BASIC for c in base) else char)
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(c in BASIC or c in EXTENDED for c in text)


def segments(text: str) -> int:
    """SMS segments the text takes: GSM-7 160 (153 each when split, extended characters
    count twice), else UCS-2 70 (67 each when split, by UTF-16 code units)."""
    if is_gsm7(text):
        units = sum(2 if c in EXTENDED else 1 for c in text)
        single, split = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, split = 70, 67
    if units <= single:
        return 1
    return -(-units // split)
