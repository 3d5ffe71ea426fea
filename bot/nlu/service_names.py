"""Services asked for by name: "is welton street withdrawal open", "number for tallgras csu".

People ask for a place they already know more often than they browse. A name is found by
its distinctive words — those few services share ("Tallgrass", "Welton", "Sandstone"),
not the words every name has ("Crisis", "Center", "Unit") nor a town's name ("Aurora") —
matched with rapidfuzz so that typos and partial names still find it. The services with
such a word are then ranked by how much of their name the message says.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.nlu.normalize import fold
from directory.engine import Database

WORD_CUTOFF = 80  # "tallgras" → "tallgrass" 94, "welten" → "welton" 83, "compas" → 92
SHORT_WORD_CUTOFF = 90  # words under 6 letters: one letter off is another word
MOST_SHARING = 6  # a word in more names than this is not a name's own (a brand has sites)
# Words of names that are everyday words too: "is it open", "on the street", "the clinic".
GENERIC = {"open", "street", "center", "centre", "clinic", "unit", "program", "programs",
           "services", "service", "house", "home", "community", "hope", "table", "night",
           "nightly", "evening", "morning", "family", "youth", "women", "womens", "mens",
           "west", "east", "north", "south", "medical", "medicine", "health", "care", "place",
           "bridge", "walk", "beds", "room", "supper", "breakfast", "meal", "pantry", "van",
           "neighborhood", "neighbors", "good", "sessions", "outreach", "pickup", "drop",
           "road", "avenue", "boulevard", "the", "and", "for", "with"}  # fmt: skip
_WORD = re.compile(r"[a-z][a-z'\-]+")


@dataclass(frozen=True)
class NameMatch:
    service_id: str
    name: str
    score: float  # 0–100: how much of the name the message says


class ServiceNames:
    """The directory's service and organization names, by their distinctive words."""

    def __init__(self, names: Iterable[tuple[str, str]], common: Iterable[str] = ()) -> None:
        self.names = dict(names)  # service id → name as published
        self.folded = {service_id: fold(name) for service_id, name in self.names.items()}
        self.spaced = {i: f" {' '.join(_WORD.findall(name))} " for i, name in self.folded.items()}
        by_word: dict[str, set[str]] = defaultdict(set)
        for service_id, name in self.folded.items():
            for word in _WORD.findall(name):
                by_word[word].add(service_id)
        self.skip = skip = {w.lower() for w in common} | GENERIC
        self.by_word = {
            word: ids for word, ids in by_word.items()
            if len(word) >= 4 and len(ids) <= MOST_SHARING and word not in skip
        }  # fmt: skip
        self.words = sorted(self.by_word)

    @classmethod
    def from_db(cls, db: Database, common: Iterable[str] = ()) -> ServiceNames:
        rows = db.execute("SELECT id, name, COALESCE(alternate_name, '') FROM service").fetchall()
        names = [(r[0], " ".join(p for p in (r[1], r[2]) if p)) for r in rows if r[1]]
        return cls(names, common)

    @classmethod
    def none(cls) -> ServiceNames:
        return cls([])

    def find(self, text: str) -> list[NameMatch]:
        """The services the text names, best first; [] when it names none."""
        candidates: set[str] = set()
        folded = fold(text)
        for word in _WORD.findall(folded):
            if len(word) < 4 or word in self.skip:
                continue  # "health" must not become "Hearth"
            cutoff = WORD_CUTOFF if len(word) >= 6 else SHORT_WORD_CUTOFF  # "what" ≠ "wheat"
            hit = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit:
                candidates |= self.by_word[hit[0]]
        found = [NameMatch(i, self.names[i], fuzz.token_set_ratio(folded, self.folded[i]))
                 for i in candidates]  # fmt: skip
        found.sort(key=lambda m: (-m.score, m.name))
        return found

    def say_any(self, found: list[NameMatch], phrases: Iterable[str], best: int = 6) -> bool:
        """Whether one of the `best` names found holds one of the phrases, word for word."""
        wanted = [f" {' '.join(_WORD.findall(fold(p)))} " for p in phrases]
        return any(w in self.spaced[m.service_id] for w in wanted for m in found[:best])


def clear_choice(found: list[NameMatch]) -> NameMatch | None:
    """The one service meant, when one stands out; None when several could be."""
    if len(found) == 1:
        return found[0]
    if found and found[0].score >= 80 and found[0].score - found[1].score >= 10:
        return found[0]
    return None
