"""What every channel does before and after the assistant: clean the text, keep one sender
from flooding it, never let a reply miss its deadline, and never answer twice.

- The text becomes one normalized `Message` here (control, zero-width and bidi
  characters stripped, cut to the channel's limit), which everything after reads.
- Its safety is checked once, here, and the verdict travels with it.
- A sender may send `rate_per_minute` messages a minute; past that, one polite notice and
  then silence for the rest of the minute — except that a crisis or emergency message is
  always answered.
- A turn that takes longer than `deadline_s` is answered with a safe fallback that names
  988 and 911 (Twilio gives up after 15 seconds).
- The assistant runs in one worker thread: its SQLite work does not block the server's
  event loop, and the deadline can fire while it works.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor

import sqlite_utils

from bot.engine import Assistant
from bot.gsm7 import MAX_BODY
from bot.nlu import safety
from bot.nlu.message import MAX_CHARS, Message
from channels.base import LIMITS, GateSettings, SharedLocation, Turn
from directory.transaction import write_transaction

FALLBACK = (
    "Sorry, I couldn't answer in time. In a crisis call or text 988. If a life is in danger "
    "call 911. For other local help call 211, or try me again in a minute."
)
RATE_NOTICE = (
    "You're sending messages faster than I can help. Please wait a minute and try again. "
    "In a crisis call or text 988; if a life is in danger call 911."
)
_NO_RISK = safety.Safety(safety.NONE)


def message_of(text: str, channel: str) -> Message:
    """The text as a normalized message, cut to the channel's message limit (the same
    limits replies keep to) and to what understanding reads."""
    return Message.of(text, min(LIMITS.get(channel, MAX_BODY), MAX_CHARS))


class Gate:
    """The assistant as the channels see it."""

    def __init__(self, assistant: Assistant, settings: GateSettings | None = None) -> None:
        self.assistant = assistant
        self.settings = settings or GateSettings()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant")
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._noticed: dict[str, float] = {}

    def limited(
        self, sender: str, verdict: safety.Safety = _NO_RISK, now: float | None = None
    ) -> str | None:
        """None when the message may go through; else "notice" (send the notice once)
        or "silent". Crisis and emergency messages always go through."""
        now = time.monotonic() if now is None else now
        recent = self._recent[sender]
        while recent and recent[0] <= now - 60:
            recent.popleft()
        recent.append(now)
        if len(recent) <= self.settings.rate_per_minute:
            return None
        if verdict.level != safety.NONE:
            return None
        if now - self._noticed.get(sender, -1e9) >= 60:
            self._noticed[sender] = now
            return "notice"
        return "silent"

    async def answer(
        self, sender: str, message: str | Message | SharedLocation, channel: str
    ) -> Turn | None:
        """The assistant's turn for this message, a notice, a fallback — or None when the
        sender is over the limit and has been told already."""
        verdict = _NO_RISK
        if isinstance(message, str):
            message = message_of(message, channel)
        if isinstance(message, Message):
            verdict = self.assistant.assess(message)
            limit = self.limited(f"{channel}:{sender}", verdict)
            if limit == "notice":
                return Turn([RATE_NOTICE], "rate_limited")
            if limit == "silent":
                return None
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(
            self.executor, self.assistant.handle, sender, message, channel, None, verdict
        )
        try:
            return await asyncio.wait_for(asyncio.shield(work), self.settings.deadline_s)
        except TimeoutError:
            handoff = {safety.CRISIS: "988", safety.EMERGENCY: "911"}.get(verdict.level)
            return Turn([FALLBACK], "timeout", handoff=handoff)


class Seen:
    """Ids already answered (Twilio MessageSid, Telegram update_id), kept a day, so that
    a retry or a replay is acknowledged without a second answer."""

    def __init__(self, db: sqlite_utils.Database, kind: str) -> None:
        self.db = db
        self.kind = kind
        db.execute(
            "CREATE TABLE IF NOT EXISTS seen_id (kind TEXT, id TEXT, at REAL, "
            "PRIMARY KEY (kind, id))"
        )

    def first_time(self, item: str) -> bool:
        """Records the id; False when it was recorded before."""
        now = time.time()
        with write_transaction(self.db):
            self.db.execute("DELETE FROM seen_id WHERE at < ?", [now - 86400])
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO seen_id (kind, id, at) VALUES (?, ?, ?)",
                [self.kind, item, now],
            )
        return cursor.rowcount == 1
