"""When the help is needed: "now", "tonight", "tomorrow morning", "this weekend" — in
English and Spanish. No time word means now."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

_WORDS = [
    ("tomorrow_morning", r"\btomorrow (?:morning|am)\b|\bmañana (?:en la|por la) mañana\b|"
                         r"\bmañana temprano\b|\bfirst thing tomorrow\b"),
    ("tonight", r"\btonight\b|\btonite\b|\b2nite\b|\bthis evening\b|\bovernight\b|"
                r"\bfor the night\b|\besta noche\b|\bhoy en la noche\b|\bpor la noche\b"),
    ("weekend", r"\b(?:this|the) weekend\b|\bsaturday\b|\bsunday\b|\bfin de semana\b"),
    ("tomorrow", r"\btomorrow\b|\btmrw\b|\btmw\b|\bmañana\b"),
    ("now", r"\bright now\b|\bnow\b|\bahora\b|\basap\b|\burgent\b"),
]  # fmt: skip
_RULES = [(key, re.compile(pattern, re.I)) for key, pattern in _WORDS]


def of(text: str) -> str | None:
    """The time of need a message names, or None."""
    for key, pattern in _RULES:
        if pattern.search(text):
            return key
    return None


def window(when: str | None, at: datetime) -> tuple[datetime, datetime] | None:
    """The span of time `when` means at `at` (in `at`'s zone); None means now."""
    today, tz = at.date(), at.tzinfo
    tomorrow = today + timedelta(days=1)
    spans = {
        "tonight": (datetime.combine(today, time(17, 0), tz),
                    datetime.combine(tomorrow, time(7, 0), tz)),
        "tomorrow_morning": (datetime.combine(tomorrow, time(6, 0), tz),
                             datetime.combine(tomorrow, time(12, 0), tz)),
        "tomorrow": (datetime.combine(tomorrow, time(6, 0), tz),
                     datetime.combine(tomorrow, time(23, 59), tz)),
    }  # fmt: skip
    if when == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        sunday = saturday + timedelta(days=1)
        spans["weekend"] = (datetime.combine(saturday, time(0, 0), tz),
                            datetime.combine(sunday, time(23, 59), tz))  # fmt: skip
    span = spans.get(when or "")
    if span is None or span[1] <= at:
        return None
    return max(span[0], at), span[1]
