"""Text clean-up shared by every part of understanding.

Messages arrive from phones: curly quotes, accents typed or not, zero-width and bidi
characters pasted from other apps, ALL CAPS. `fold` gives one plain form to match against
while `clean` keeps what was written (spans in a parse point into the cleaned text).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width, bidi controls and other invisible format characters (Unicode category Cf),
# and control characters except ordinary whitespace.
_INVISIBLE = {"Cf", "Cc"}
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"'})


def strip_invisible(text: str) -> str:
    """The text (NFC) without zero-width, bidi and other invisible characters, or
    control characters other than tabs and line breaks."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if ch in "\t\n\r" or unicodedata.category(ch) not in _INVISIBLE
    )


def clean(text: str) -> str:
    """The message as written, minus invisible characters, with spaces collapsed."""
    return _SPACES.sub(" ", strip_invisible(text).translate(_APOSTROPHES)).strip()


def strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes ("I'm" → "im"), punctuation as spaces."""
    folded = strip_accents(clean(text).lower()).replace("'", "")
    return _SPACES.sub(" ", re.sub(r"[^a-z0-9#&@,.\-/ ]+", " ", folded)).strip()
