"""One message, normalized once at the channel edge and read by every later step.

Before this, the same text was cleaned and folded five to nine times on its way through
the gate, the parser, the safety rules, the need finder and the commands, and each step
had its own idea of what an emoji or "kms" was. A `Message` is built once (`Message.of`)
and passed down: `text` is what spans (needs, places) point into; `folded` is the plain
form every matcher and model reads, with emoji and texting shorthand as words
(rules/shorthand.yml: 💊 → "pills", "kms" → "kill myself").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from bot.nlu import language
from bot.nlu.normalize import clean, fold

MAX_CHARS = 2000
_PUNCTUATION = ".,;:!?¡¿'\"()"
# Skin tones, the emoji presentation selector and the zero-width joiner: an emoji is
# looked up without them ("👋🏽" is "👋").
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f\u200d]")


@dataclass(frozen=True)
class _Shorthand:
    emoji: dict[str, str]
    words: dict[str, str]
    ambiguous: dict[str, tuple[str, re.Pattern[str]]]
    emoji_pattern: re.Pattern[str]


@cache
def _shorthand() -> _Shorthand:
    data = yaml.safe_load(files("bot.nlu").joinpath("rules/shorthand.yml").read_text("utf-8"))
    emoji = {str(k): str(v) for k, v in data["emoji"].items()}
    ambiguous = {
        str(word): (str(spec["means"]), re.compile(spec["unless"]))
        for word, spec in data["ambiguous"].items()
    }
    pattern = re.compile("|".join(map(re.escape, sorted(emoji, key=len, reverse=True))))
    return _Shorthand(emoji, {str(k): str(v) for k, v in data["words"].items()}, ambiguous,
                      pattern)  # fmt: skip


def plain_words(text: str) -> str:
    """The folded form of a cleaned text: emoji as words, then `fold`, then shorthand
    expanded ("took 💊💊 kms" → "took pills pills kill myself")."""
    table = _shorthand()
    text = table.emoji_pattern.sub(
        lambda m: f" {table.emoji[m.group(0)]} ", _MODIFIERS.sub("", text)
    )
    folded = fold(text)
    words = [table.words.get(word, word) for word in folded.split()]
    expanded = " ".join(words)
    for word, (means, unless) in table.ambiguous.items():
        if re.search(rf"\b{re.escape(word)}\b", expanded) and not unless.search(expanded):
            expanded = re.sub(rf"\b{re.escape(word)}\b", means, expanded)
    return expanded


@dataclass(frozen=True)
class Message:
    """A text message as every part of understanding reads it.

    Attributes:
        raw: as received from the channel.
        text: cleaned (invisible characters removed, quotes straightened, spaces
            collapsed, cut to the limit); spans of needs and places index this.
        folded: lower case, no accents or apostrophes, punctuation as spaces, emoji and
            shorthand as words — what rules, models and commands match.
        tokens: the words of `folded`, without the punctuation around them.
        language: "es" or "en".
    """

    raw: str
    text: str
    folded: str
    tokens: tuple[str, ...]
    language: str

    @classmethod
    def of(cls, raw: str, limit: int = MAX_CHARS) -> Message:
        text = clean(raw)[:limit].strip()
        folded = plain_words(text)
        tokens = tuple(w for w in (t.strip(_PUNCTUATION) for t in folded.split()) if w)
        return cls(raw, text, folded, tokens, language.detect_words(tokens))
