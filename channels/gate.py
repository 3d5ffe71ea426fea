"""What every channel does before and after the assistant: clean the text, keep one sender
from flooding it, never let a reply miss its deadline, and never answer twice.

- The text becomes one normalized `Message` here (control, zero-width and bidi
  characters stripped, cut to the channel's limit), which everything after reads.
- Its safety is checked once, here, and the verdict travels with it.
- A sender may send `rate_per_minute` messages a minute; past that, one polite notice and
  then silence for the rest of the minute — except that a crisis or emergency message is
  always answered. The count is kept in the database (channels/state.py), so a sender
  spread over several workers is counted once.
- A turn that takes longer than `deadline_s` is answered with a safe fallback that names
  988 and 911 (Twilio gives up after 15 seconds).
- The assistant runs in one worker thread: its SQLite work does not block the server's
  event loop, and the deadline can fire while it works. The channels' own database work
  (ids seen, opt-outs, rate counts) runs there too (`Gate.call`), on the assistant's
  connection: one connection per worker never waits for its own other connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

from bot.engine import Assistant
from bot.gsm7 import MAX_BODY
from bot.nlu import safety
from bot.nlu.message import MAX_CHARS, Message
from bot.privacy import sender_key
from channels import state
from channels.base import LIMITS, GateSettings, SharedLocation, Turn
from channels.state import WINDOW_S, RateCounts

FALLBACK = (
    "Sorry, I couldn't answer in time. In a crisis call or text 988. If a life is in danger "
    "call 911. For other local help call 211, or try me again in a minute."
)
RATE_NOTICE = (
    "You're sending messages faster than I can help. Please wait a minute and try again. "
    "In a crisis call or text 988; if a life is in danger call 911."
)
_NO_RISK = safety.Safety(safety.NONE)
T = TypeVar("T")


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
        self.counts = RateCounts(assistant.db)

    async def call(self, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` on the assistant's thread, where all of a worker's database work
        runs."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)

    def key(self, sender: str, channel: str) -> str:
        """The sender as the database may know it: a keyed hash."""
        return sender_key(channel, sender, self.assistant.key)

    def limited(
        self, key: str, verdict: safety.Safety = _NO_RISK, now: float | None = None
    ) -> str | None:
        """None when the message may go through; else "notice" (send the notice once)
        or "silent". Crisis and emergency messages always go through."""
        now = time.time() if now is None else now
        count, noticed = self.counts.count(key, now)
        if count <= self.settings.rate_per_minute or verdict.level != safety.NONE:
            return None
        if noticed is None or now - noticed >= WINDOW_S:
            self.counts.noticed(key, now)
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
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self.executor, self._turn, sender, message, channel, verdict)
        try:
            return await asyncio.wait_for(asyncio.shield(work), self.settings.deadline_s)
        except TimeoutError:
            handoff = {safety.CRISIS: "988", safety.EMERGENCY: "911"}.get(verdict.level)
            return Turn([FALLBACK], "timeout", handoff=handoff)

    def purge(self) -> int:
        """Removes expired channel state and conversations; returns rows removed."""
        removed = state.purge(self.assistant.db, time.time())
        return removed + self.assistant.store.purge(datetime.now(UTC))

    def _turn(
        self, sender: str, message: Message | SharedLocation, channel: str, verdict: safety.Safety
    ) -> Turn | None:
        if isinstance(message, Message):
            limit = self.limited(self.key(sender, channel), verdict)
            if limit == "notice":
                return Turn([RATE_NOTICE], "rate_limited")
            if limit == "silent":
                return None
        return self.assistant.handle(sender, message, channel, None, verdict)
