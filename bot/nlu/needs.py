"""Finding needs in a message: the directory's need synonyms (English and Spanish) and
the training data's synonyms, matched as phrases, with misspelt words corrected first
("detx" → "detox", "shleter" → "shelter", "crisis stablization").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import spacy
from rapidfuzz import fuzz, process
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from bot.nlu.normalize import strip_accents
from bot.nlu.types import Entity
from directory import load_needs

FUZZY_CUTOFF = 85  # "shleter" → "shelter" scores 85.7
# Words of the vocabulary that are ordinary English too, and must not attract corrections.
_NOT_CORRECTED = {"need", "needs", "beds", "open", "near", "help", "have", "there", "where",
                  "hosting", "posting", "meals", "being", "other", "about", "from",
                  "speer", "viviendo", "vivir", "comer", "sleepy", "shakes", "starting",
                  "start", "stay", "staying", "staff", "clean", "cleaning", "check",
                  "checking", "bunch", "super", "upper", "punch", "snake", "stack", "bunk",
                  "lunches"}  # fmt: skip


@dataclass(frozen=True)
class NeedMatch:
    need: str
    start: int
    end: int
    text: str


class NeedFinder:
    """Phrase matching over need synonyms, after typo correction."""

    def __init__(self, extra_synonyms: Mapping[str, Iterable[str]] | None = None) -> None:
        self.nlp = spacy.blank("en")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        phrases: dict[str, set[str]] = {}
        for key, need in load_needs().items():
            words = {key.replace("_", " "), need.label.lower(), *need.synonyms, *need.synonyms_es}
            words |= {t.lower() for t in need.terms}
            words |= set((extra_synonyms or {}).get(key, ()))
            phrases[key] = {w.lower() for w in words} | {strip_accents(w.lower()) for w in words}
        for key, words in phrases.items():
            self.matcher.add(key, [self.nlp.make_doc(w) for w in sorted(words)])
        # Corrections only towards words of 5+ letters: "start" must not become "star".
        self.vocabulary = sorted(
            {w for words in phrases.values() for p in words for w in p.split() if len(w) >= 5}
        )
        # Every word of a need's phrases, and words never corrected: none is a typo.
        self.known_words = {w for ws in phrases.values() for p in ws for w in p.split()}
        self.known_words |= _NOT_CORRECTED

    def find(self, text: str, also: Iterable[str] = ()) -> list[NeedMatch]:
        """Needs in order of appearance (each once), with the span that named them.
        `also`: needs the message names in other words (the responder lexicon's), which
        decide, like the needs found here, whether a bare "bed" is a shelter's."""
        # Accents off, one character for one ("dónde quedarme" finds "donde quedarme"),
        # so that spans still point into the text as written.
        doc = self.nlp.make_doc("".join(strip_accents(c)[:1] or c for c in text))
        fixed = [self._fix(token.text) for token in doc]
        if fixed != [token.text for token in doc]:
            # One corrected word per original token, so spans map back by token index.
            spans = self._spans(spacy.tokens.Doc(self.nlp.vocab, words=fixed))
        else:
            spans = self._spans(doc)
        found = []
        for key, first, last in spans:
            start, end = doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
            found.append(NeedMatch(key, start, end, text[start:end]))
        return self._unique(_bed_needs(found, text, set(also)))

    def _spans(self, doc: spacy.tokens.Doc) -> list[tuple[str, int, int]]:
        matches = self.matcher(doc, as_spans=True)
        return [(span.label_, span.start, span.end) for span in filter_spans(matches)]

    def _fix(self, word: str) -> str:
        lower = strip_accents(word.lower())
        if len(lower) < 4 or not lower.isalpha() or lower in self.known_words:
            return word
        best = process.extractOne(
            lower, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        return best[0] if best else word

    @staticmethod
    def _unique(matches: Iterable[NeedMatch]) -> list[NeedMatch]:
        seen: set[str] = set()
        found = []
        for match in sorted(matches, key=lambda m: m.start):
            if match.need not in seen:
                seen.add(match.need)
                found.append(match)
        return found


# A bed anyone can sleep in is a shelter bed; "detox bed" or "crisis bed" names its own.
_BARE_BED = {
    "bed",
    "a bed",
    "cama",
    "una cama",
    "sleep",
    "somewhere to sleep",
    "need beds",
    "needs beds",
    "dormir",
}
_BED_NEEDS = {"detox", "crisis_stabilization", "sobering", "substance_use_treatment",
              "domestic_violence", "mental_health"}  # fmt: skip


# "our last bed", "1 bed open", "no beds": staff counting beds, not asking for one.
_COUNTED = re.compile(
    r"(?:\d+|one|two|three|our|last|no|free|open|available|empty|extra|spare)\s+$", re.I
)


# "sleep forever", "dormir para siempre": a wish to die (the safety check's), not a bed.
_NOT_A_BED = re.compile(
    r"^\s+(?:forever|for ever|for good|and (?:never|not) wake|para siempre)", re.I
)


def _bed_needs(found: list[NeedMatch], text: str, also: set[str]) -> list[NeedMatch]:
    kept = []
    other_bed_need = any(m.need in _BED_NEEDS for m in found) or bool(also & _BED_NEEDS)
    for m in found:
        bare = m.need == "shelter" and m.text.lower() in _BARE_BED
        if bare and (
            other_bed_need or _COUNTED.search(text[: m.start]) or _NOT_A_BED.match(text[m.end :])
        ):
            continue
        kept.append(m)
    return kept


def as_entities(matches: list[NeedMatch]) -> list[Entity]:
    return [Entity("need", m.need, m.start, m.end) for m in matches]
