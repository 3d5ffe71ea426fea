"""What a turn of the conversation takes and gives, as the channels see it: a shared
location, the replies, and how long a reply may be on each channel. Kept apart from the
engine so that a channel depends on these few names, not on the engine's workings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.gsm7 import MAX_BODY

CHANNELS = ("sms", "telegram", "web", "cli")
# The longest reply each channel carries (an SMS body is split by the carrier above this).
LIMITS = {"sms": MAX_BODY, "telegram": 4096, "web": 4096, "cli": 100_000}


@dataclass(frozen=True)
class SharedLocation:
    """A location shared from the phone (Telegram, WhatsApp, the web page's button)."""

    lat: float
    lon: float


@dataclass
class Turn:
    """What one message got: the replies, what they showed, and any hand-off."""

    replies: list[str]
    intent: str
    results: list[dict[str, Any]] = field(default_factory=list)
    handoff: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stable `ask --json` shape."""
        return {"replies": self.replies, "intent": self.intent, "results": self.results,
                "handoff": self.handoff}  # fmt: skip
