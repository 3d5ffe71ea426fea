"""The responders' words: radio codes, holds, placement and evaluation, read as needs and
facts about the person (bot/nlu/rules/responder.yml, plus a program's own file).

"code 10-96 adult male, where can i take him near 80205" names no need in the words of the
need taxonomy, yet it asks for a crisis receiving centre; this is where that is read. An
entry marked `alone` lends its needs only to a message that names none itself: "need
placement" is a psychiatric placement, "detox placement" is detox.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from bot.nlu.normalize import strip_accents
from directory import ConfigError, load_needs

DEFAULTS = Path(__file__).parent / "rules" / "responder.yml"
PERSON_FACTS = {"age": int, "gender": str, "intoxicated": bool, "veteran": bool,
                "children": bool}  # fmt: skip
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})
_LETTER_HYPHEN = re.compile(r"(?<=[a-z])-(?=\d)|(?<=\d)-(?=[a-z])")
_NUMBER_CODE = re.compile(r"^(?:\d[\d\-]*[a-z]?|[a-z]-?\d+)$")  # "5150", "10-96", "918v", "m-1"
# A number given as a room, a unit, a phone or a house number is not a code.
_NUMBER_BEFORE = re.compile(
    r"(?:\b(?:room|rm|apt|apartment|unit|suite|ste|no|number|num|ext|extension|box|lot|space|"
    r"bldg|building|floor|call|text|phone|cell|address|is at|live at|at|invoice|form|order|"
    r"ticket|receipt|case|report|claim|policy|account|acct|ref|reference|file|model|part)|#)"
    r"\W*$"
    r"|\d\s?[-/.]\s?$",  # "2026-1096": the end of a longer number
    re.I,
)


@dataclass(frozen=True)
class Entry:
    say: tuple[str, ...]
    needs: tuple[str, ...] = ()
    alone: bool = False
    besides: bool = False
    person: dict[str, Any] = field(default_factory=dict)
    means: str = ""
    source: str = "defaults"
    exact_case: bool = False


@dataclass(frozen=True)
class LexiconMatch:
    entry: Entry
    phrase: str  # the entry's phrase that matched
    start: int
    end: int
    text: str  # as written

    def as_json(self) -> dict[str, Any]:
        return {"phrase": self.phrase, "text": self.text, "start": self.start, "end": self.end,
                "needs": list(self.entry.needs), "person": self.entry.person,
                "means": self.entry.means, "source": self.entry.source}  # fmt: skip


class Lexicon:
    """Phrase matching over the entries' phrases (any case, accents off, dash variants)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.nlp = spacy.blank("en")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")  # "PIC", not "pic"
        self._phrases: dict[str, tuple[Entry, str]] = {}
        for number, entry in enumerate(self.entries):
            for phrase in entry.say:
                label = f"{number}:{phrase}"
                self._phrases[label] = (entry, phrase)
                variants = [phrase] if entry.exact_case else sorted(_variants(phrase))
                # Tokenized alone and as whitespace-split words: "e.d.p." ends a text as
                # "e.d.p" + ".", but stands as one token inside one.
                docs = [self.nlp.make_doc(v) for v in variants]
                docs += [Doc(self.nlp.vocab, words=v.split()) for v in variants]
                (self.exact if entry.exact_case else self.matcher).add(label, docs)

    @classmethod
    def load(cls, extra: str | Path | None = None) -> Lexicon:
        """The default entries, then a program's own file's (WAYFINDER_LEXICON_FILE).

        Raises:
            ConfigError: a file is missing or an entry is malformed (which one, and why).
        """
        entries = read(DEFAULTS, "defaults")
        if extra:
            entries += read(Path(extra), str(extra))
        return cls(entries)

    def find(self, text: str, place: tuple[int, int] | None = None) -> list[LexiconMatch]:
        """The entries the text names, in order, longest phrase where two overlap. A
        number code inside the `place` span (a house number) or after "room", "apt",
        "call"… is not one."""
        prepared = "".join(strip_accents(c)[:1] or c for c in text.translate(_DASHES))
        doc = self.nlp.make_doc(prepared)
        spans = self.matcher(doc, as_spans=True) + self.exact(doc, as_spans=True)
        found = []
        for span in filter_spans(spans):
            entry, phrase = self._phrases[span.label_]
            start, end = span.start_char, span.end_char
            if _NUMBER_CODE.match(phrase) and (
                (place and start < place[1] and place[0] < end)
                or _NUMBER_BEFORE.search(text[:start])
            ):
                continue
            found.append(LexiconMatch(entry, phrase, start, end, text[start:end]))
        return found


def needs_of(matches: Iterable[LexiconMatch], named: Sequence[str]) -> list[str]:
    """The needs the matches add to those the message `named` in the taxonomy's words."""
    added: list[str] = []
    later: list[str] = []  # the `besides` entries': only beside other needs
    for match in matches:
        if match.entry.alone and named:
            continue
        for need in match.entry.needs:
            if need not in named and need not in added:
                (later if match.entry.besides else added).append(need)
    if named or added:
        added += [need for need in dict.fromkeys(later) if need not in added]
    return added


def covering(matches: Iterable[LexiconMatch], start: int, end: int) -> LexiconMatch | None:
    """The match with needs whose phrase spans `start`…`end`: the longer phrase reads those
    words ("won't sleep" is a sign, not a shelter's bed; "welfare check" a call)."""
    return next((m for m in matches if m.entry.needs and m.start <= start and end <= m.end),
                None)  # fmt: skip


def firm_needs(matches: Iterable[LexiconMatch]) -> set[str]:
    """The needs of the matches that hold whatever else the message names."""
    return {need for m in matches if not m.entry.alone for need in m.entry.needs}


def person_of(matches: Iterable[LexiconMatch]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for match in matches:
        for key, value in match.entry.person.items():
            facts.setdefault(key, value)
    return facts


def read(path: Path, source: str) -> list[Entry]:
    """The entries of one lexicon file.

    Raises:
        ConfigError: the file is missing, not YAML, or an entry is malformed.
    """
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as error:
        raise ConfigError(f"Lexicon file {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"Lexicon file {path} is not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ConfigError(f"Lexicon file {path}: expected a mapping with a list 'entries'.")
    known = set(load_needs())
    entries = []
    for number, raw in enumerate(data["entries"], 1):
        where = f"Lexicon file {path}, entry {number}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a mapping with 'say'.")
        unknown = set(raw) - {"say", "needs", "alone", "besides", "person", "means", "case"}
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
        say = raw.get("say")
        if (
            not isinstance(say, list)
            or not say
            or not all(isinstance(p, str) and p.strip() for p in say)
        ):
            raise ConfigError(f"{where}: 'say' must be a list of phrases.")
        needs = raw.get("needs") or []
        bad = [n for n in needs if n not in known] if isinstance(needs, list) else [needs]
        if bad:
            raise ConfigError(
                f"{where}: unknown need(s) {', '.join(map(str, bad))}; "
                f"the need keys are {', '.join(sorted(known))}."
            )
        person = raw.get("person") or {}
        if not isinstance(person, dict) or any(
            k not in PERSON_FACTS or not isinstance(v, PERSON_FACTS[k]) for k, v in person.items()
        ):
            raise ConfigError(f"{where}: 'person' may hold {', '.join(PERSON_FACTS)}.")
        if not (needs or person):
            raise ConfigError(f"{where}: give 'needs' or 'person'.")
        if raw.get("case") not in (None, "exact"):
            raise ConfigError(f"{where}: 'case' is exact, or left out.")
        exact = raw.get("case") == "exact"
        phrases = tuple(p.strip() if exact else p.strip().lower() for p in say)
        entries.append(Entry(phrases, tuple(needs), bool(raw.get("alone")),
                             bool(raw.get("besides")), person,
                             str(raw.get("means") or ""), source, exact))  # fmt: skip
    return entries


def _variants(phrase: str) -> set[str]:
    """ "10-96" → also "10 96"; "m-1" → also "m 1" and "m1". Digits joined ("1096") would
    be a house number."""
    phrase = strip_accents(phrase.lower().translate(_DASHES))
    found = {phrase, phrase.replace("-", " ")}
    if _LETTER_HYPHEN.search(phrase):
        found.add(_LETTER_HYPHEN.sub("", phrase))
    return {re.sub(r"\s+", " ", v).strip() for v in found}
