"""Numbers people use in follow-ups and bed updates, read by rule.

"2", "#2", "the second one", "la tercera", "call 2" pick a numbered result; "beds 4",
"4 of 16", "full", "0 beds" report a bed count. These are read by rule rather than
learnt, because a wrong number sends someone to the wrong door or records a wrong count.
Each function reads a message's folded text (`Message.folded`).
"""

from __future__ import annotations

import re

from bot.nlu.commands import PIN

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
    "9th": 9, "10th": 10,
    "primero": 1, "primera": 1, "primer": 1, "segundo": 2, "segunda": 2, "tercero": 3,
    "tercera": 3, "tercer": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "ultimo": -1,
    "ultima": -1,
}  # fmt: skip
_WORDS = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_CALL = re.compile(r"^(?:call|phone|dial|llamar(?: al?)?|telefono(?: del?)?)\b")
_PICK = re.compile(rf"(?:^|\s|#|no\.?\s*|number\s*|numero\s*|option\s*)(\d{{1,2}}|{_WORDS})\b")
_OF = re.compile(r"\b(\d{1,4})\s*(?:/|of|out of|de)\s*(\d{1,4})\b")
_COUNT = re.compile(r"(?<![\d-])(\d{1,4})(?![\d-])")
_FULL = re.compile(
    r"\b(?:full|no (?:beds|room|space|vacanc\w*)|at capacity|lleno|llena|sin camas)\b"
)


def selection(folded: str) -> tuple[int, bool] | None:
    """The result number a follow-up picks (-1 for "the last one"), and whether the
    person only wants to call it ("call 2")."""
    call = bool(_CALL.match(folded))
    match = _PICK.search(folded)
    if not match:
        return None
    word = match.group(1)
    number = int(word) if word.isdigit() else _ORDINALS[word]
    return (number, call) if number != 0 else None


_ALONE = re.compile(
    r"^(?:(?:call|phone|dial|llamar(?: al?)?)\s+)?"
    r"(?:the|la|el|lo|#|no\.?|number|numero|option|opcion)?"
    rf"\s*(?:\d{{1,2}}|{_WORDS})(?:\s+(?:one|uno|una|option|opcion|please|pls|por favor))?$"
)


def is_pick(folded: str) -> bool:
    """Whether the whole message only picks a result ("3", "the second one", "la
    tercera", "call 2"), so that no classifier is needed to read it."""
    return bool(_ALONE.match(folded.strip(" .!?")))


def bed_count(folded: str) -> tuple[int, int | None] | None:
    """Open beds (and the maximum, when given) in a staff update, PIN removed first:
    "beds 4" → (4, None), "4 of 16" → (4, 16), "shelter is full" → (0, None)."""
    folded = PIN.sub(" ", folded)
    if match := _OF.search(folded):
        return int(match.group(1)), int(match.group(2))
    counts = _COUNT.findall(folded)
    if len(counts) == 1:
        return int(counts[0]), None
    if not counts and _FULL.search(folded):
        return 0, None
    return None
