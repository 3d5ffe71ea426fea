"""The need taxonomy (data/needs.toml) and how a service's needs are read from its data.

A service serves a need when one of its taxonomy terms names it; only when it has no such
term are its name and description read, because publishers' free text mentions other
services ("referrals to detox") far more often than their terms do.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from rapidfuzz import fuzz, process, utils

from directory.engine import Database
from directory.errors import UnknownNeed

TERM_MATCH_CUTOFF = 90  # rapidfuzz ratio for near-miss term names ("Detoxification Svcs")


@dataclass(frozen=True)
class Need:
    """One need key with the words that name it."""

    key: str
    label: str
    label_es: str
    freshness_hours: float
    synonyms: tuple[str, ...]
    synonyms_es: tuple[str, ...]
    terms: tuple[str, ...]
    keywords: tuple[str, ...]
    after_hours: tuple[str, ...] = ()
    after_hours_line: str = "information"


@cache
def load_needs() -> dict[str, Need]:
    """Every need, in the order of the data file."""
    data = tomllib.loads(files("directory").joinpath("data/needs.toml").read_text("utf-8"))
    return {
        key: Need(
            key=key,
            label=v["label"],
            label_es=v["label_es"],
            freshness_hours=float(v["freshness_hours"]),
            synonyms=tuple(v["synonyms"]),
            synonyms_es=tuple(v["synonyms_es"]),
            terms=tuple(v["terms"]),
            keywords=tuple(v["keywords"]),
            after_hours=tuple(v.get("after_hours", ())),
            after_hours_line=str(v.get("after_hours_line", "information")),
        )
        for key, v in data.items()
    }


def need_keys() -> list[str]:
    return list(load_needs())


def check_needs(keys: Iterable[str]) -> list[str]:
    """The keys, checked.

    Raises:
        UnknownNeed: naming the closest known key when there is one.
    """
    known = load_needs()
    checked = []
    for key in keys:
        if key not in known:
            guess = process.extractOne(key, list(known), scorer=fuzz.ratio, score_cutoff=60)
            hint = f" Did you mean {guess[0]!r}?" if guess else ""
            raise UnknownNeed(f"Unknown need {key!r}.{hint} Known needs: {', '.join(known)}.")
        checked.append(key)
    return checked


@cache
def _term_index() -> dict[str, str]:
    return {
        utils.default_process(term): need.key
        for need in load_needs().values()
        for term in need.terms
    }


@dataclass(frozen=True)
class TaxonomyMap:
    """The public taxonomies' terms (data/taxonomies/*.toml: 211 LA/AIRS, Open
    Eligibility, SAMHSA FindTreatment codes) and the needs each serves."""

    names: dict[str, tuple[str, ...]]
    codes: dict[str, tuple[str, ...]]  # branches: a code under one serves its needs
    exact_codes: dict[str, tuple[str, ...]]  # whole codes ("DT", "RES")

    def needs_of(self, name: str, code: str | None) -> set[str]:
        found: set[str] = set()
        if code and code.strip().upper() in self.exact_codes:
            found.update(self.exact_codes[code.strip().upper()])
        elif code:
            # A code serves what its branch serves: "BD-1800.2000-650" is under "BD-1800.2000".
            parts = re.split(r"(?=[.-])", code.strip().upper())
            for end in range(len(parts), 0, -1):
                if (prefix := "".join(parts[:end])) in self.codes:
                    found.update(self.codes[prefix])
                    break
        found.update(self.names.get(utils.default_process(name or ""), ()))
        return found


@cache
def taxonomy_map() -> TaxonomyMap:
    names: dict[str, tuple[str, ...]] = {}
    codes: dict[str, tuple[str, ...]] = {}
    exact: dict[str, tuple[str, ...]] = {}
    folder = files("directory").joinpath("data/taxonomies")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text("utf-8"))
        for name, keys in data.get("names", {}).items():
            names[utils.default_process(name)] = tuple(check_needs(keys))
        for code, keys in data.get("codes", {}).items():
            codes[code.upper()] = tuple(check_needs(keys))
        for code, keys in data.get("exact_codes", {}).items():
            exact[code.upper()] = tuple(check_needs(keys))
    return TaxonomyMap(names, codes, exact)


def needs_for_terms(names: Iterable[str], codes: Iterable[str | None] = ()) -> set[str]:
    """The needs that taxonomy terms map to: the public taxonomies' codes and names first,
    then our own term names, near misses included (rapidfuzz)."""
    mapped = taxonomy_map()
    found: set[str] = set()
    for name, code in itertools.zip_longest(names, codes):
        from_map = mapped.needs_of(name or "", code)
        if from_map:
            found |= from_map
        elif need := _need_for_term(name or ""):
            found.add(need)
    return found


@cache
def _need_for_term(name: str) -> str | None:
    index = _term_index()
    key = utils.default_process(name)
    if not key:
        return None
    if key in index:
        return index[key]
    best = process.extractOne(key, list(index), scorer=fuzz.ratio, score_cutoff=TERM_MATCH_CUTOFF)
    return index[best[0]] if best else None


@cache
def _keyword_patterns() -> dict[str, re.Pattern[str]]:
    return {
        need.key: re.compile(
            r"\b(?:" + "|".join(re.escape(k.lower()) for k in need.keywords) + r")",
        )
        for need in load_needs().values()
    }


def needs_for_text(name: str, description: str = "") -> set[str]:
    """The needs a service's own words describe ("medically supervised detoxification")."""
    text = f"{name} {description}".lower()
    found = {key for key, pattern in _keyword_patterns().items() if pattern.search(text)}
    if not found:
        # One misspelt word in a short name ("Harbour Detoxx Unit"): compare word by word.
        words = re.findall(r"[a-z][a-z-]{4,}", name.lower())
        for need in load_needs().values():
            singles = [k for k in need.keywords if " " not in k]
            if any(
                process.extractOne(w, singles, scorer=fuzz.ratio, score_cutoff=88) for w in words
            ):
                found.add(need.key)
    return found


def freshness_limit_hours(needs: Sequence[str], overrides: dict[str, float] | None = None) -> float:
    """How old a bed count may be for these needs before it is stale: the strictest limit."""
    table = load_needs()
    limits = [(overrides or {}).get(k, table[k].freshness_hours) for k in needs if k in table]
    return min(limits) if limits else 24.0 * 7


def assign_needs(db: Database, service_ids: Sequence[str]) -> None:
    """Recompute `service_need` for these services, inside the caller's transaction."""
    terms: dict[str, list[str]] = {sid: [] for sid in service_ids}
    codes: dict[str, list[str | None]] = {sid: [] for sid in service_ids}
    texts: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(service_ids, 500):
        marks = ",".join("?" * len(chunk))
        for sid, term, code in db.execute(
            f"""SELECT a.link_id, t.name, t.code FROM attribute a
            JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
            WHERE a.link_id IN ({marks}) AND coalesce(a.link_entity, 'service') = 'service'""",
            chunk,
        ):
            terms[sid].append(term)
            codes[sid].append(code)
        for sid, name, description in db.execute(
            f"SELECT id, name, description FROM service WHERE id IN ({marks})", chunk
        ):
            texts[sid] = (name or "", description or "")
        db.execute(f"DELETE FROM service_need WHERE service_id IN ({marks})", chunk)
    rows = []
    for sid in service_ids:
        from_terms = needs_for_terms(terms[sid], codes[sid])
        if from_terms:
            rows += [(sid, need, "taxonomy") for need in from_terms]
        elif sid in texts:
            rows += [(sid, need, "text") for need in needs_for_text(*texts[sid])]
    db.conn.executemany(
        "INSERT INTO service_need (service_id, need, source) VALUES (?, ?, ?)", rows
    )


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
