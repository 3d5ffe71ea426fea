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


def until(when: str | None, at: datetime) -> datetime | None:
    """The end of the window `when` opens at `at` (in `at`'s zone); None means now only."""
    today = at.date()
    end = {
        "tonight": datetime.combine(today, time(23, 59), at.tzinfo),
        "tomorrow_morning": datetime.combine(today + timedelta(days=1), time(12, 0), at.tzinfo),
        "tomorrow": datetime.combine(today + timedelta(days=1), time(23, 59), at.tzinfo),
        "weekend": datetime.combine(
            today + timedelta(days=(6 - today.weekday()) % 7), time(23, 59), at.tzinfo
        ),
    }.get(when or "")
    return end if end is not None and end > at else None
