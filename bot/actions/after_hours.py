"""When nothing of the kind asked for is open at the time of need.

A list that opens with "closed, opens tomorrow 8 AM" reads as "no help tonight", which is
false wherever a crisis walk-in, a mobile team or 988 answers at any hour. So the reply
says plainly that nothing of that kind is open, offers first what is open now and fits
the need (the need's `after_hours` in needs.toml, nearest first, one of each kind) with
the need's hand-off line, and only then what opens soonest — in the order the directory
ranks by (directory/search.py: a far place of unknown hours never leads).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import replies
from bot.actions.context import Context
from directory import SearchResult, search
from directory.eligibility import Person
from directory.needs import load_needs
from directory.types import Place

INSTEAD = 2  # open services of other kinds offered at most
CANDIDATES = 40  # ranked per kind-search; the nearest open one of each kind is among them
LINES_BY_WEIGHT = ("crisis", "emergency", "information")  # the line of the weightiest need


def nothing_open(results: Sequence[SearchResult]) -> bool:
    """True when no result is known to be open when help is needed: now, or in the span
    asked for ("tonight", "tomorrow")."""
    return bool(results) and not any(r.open_then for r in results)


def open_instead(
    context: Context,
    needs: Sequence[str],
    place: Place,
    who: Person,
    radius_km: float,
    window: tuple[datetime, datetime] | None,
) -> list[SearchResult]:
    """Services of the kinds the needs name for such a time that are open then, one of
    each kind in the order named, nearest first; none that would not take the person."""
    table = load_needs()
    kinds = list(
        dict.fromkeys(k for need in needs if need in table for k in table[need].after_hours)
    )
    kinds = [k for k in kinds if k not in needs]
    if not kinds:
        return []
    found = search(
        context.db, kinds, place, radius_km=radius_km, at=context.now(), limit=CANDIDATES,
        settings=context.settings, person=who, window=window,
    )  # fmt: skip
    # Nearest, whatever the bed counts say: at night the question is where help is at all
    # (a team that serves the area comes to you, so it counts as here).
    usable = sorted((r for r in found if r.open_then is True and r.excludes is None),
                    key=lambda r: r.distance_km or 0.0)  # fmt: skip
    chosen: list[SearchResult] = []
    for kind in kinds:
        best = next((r for r in usable if kind in r.needs and r not in chosen), None)
        if best is not None:
            chosen.append(best)
    return chosen[:INSTEAD]


def line_text(needs: Sequence[str], language: str, values: dict[str, str]) -> str:
    """The hand-off line that fits the needs: 988 for any behavioural-health need, 911
    for medical or violence, else 211."""
    table = load_needs()
    named = {table[n].after_hours_line for n in needs if n in table} or {"information"}
    line = next(k for k in LINES_BY_WEIGHT if k in named)
    return replies.words(language)[f"line_{line}"].format(**values)


def intro_text(
    needs_label: str,
    where: str,
    when: str | None,
    local_now: datetime,
    language: str,
) -> tuple[str, str]:
    """ "I know of no mental health care near 80203 open now (11:30 PM)." and the label
    of what is offered instead ("Open now instead:", "Open tonight instead:")."""
    words = replies.words(language)
    if when and when != "now" and when in words:
        return (
            words["none_open_then"].format(needs=needs_label, where=where, when=words[when]),
            words["open_instead_then"].format(when=words[when]),
        )
    return (
        words["none_open"].format(
            needs=needs_label, where=where, time=replies.clock(local_now, language)
        ),
        words["open_instead"],
    )
