"""What every channel shares: its settings (the gate's deadline and rate, SMS, Telegram),
read from one mapping by the entry point, and the few names of a turn a channel needs.

    channels.base ← channels.gate ← channels.{sms, telegram, web} ← channels.server

Nothing here imports a channel, so no channel imports another to get its settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.turn import LIMITS, SharedLocation, Turn
from directory import ConfigError

__all__ = ["LIMITS", "ChannelSettings", "GateSettings", "SharedLocation", "SmsSettings",
           "TelegramSettings", "Turn"]  # fmt: skip


@dataclass(frozen=True)
class GateSettings:
    """deadline_s: a turn slower than this is answered with a safe fallback (Twilio gives
    up at 15 s); rate_per_minute: messages a sender may send a minute."""

    deadline_s: float = 8.0
    rate_per_minute: int = 10

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GateSettings:
        try:
            deadline = float(environ.get("WAYFINDER_REPLY_DEADLINE_S", "8"))
            rate = int(environ.get("WAYFINDER_RATE_PER_MINUTE", "10"))
        except ValueError as error:
            raise ConfigError(
                "WAYFINDER_REPLY_DEADLINE_S and WAYFINDER_RATE_PER_MINUTE must be numbers."
            ) from error
        return cls(deadline, rate)


@dataclass(frozen=True)
class SmsSettings:
    """Twilio: the public URL signatures are checked against, the auth token, and (for
    outbound reminders) the account and the sending number."""

    public_url: str | None = None
    auth_token: str | None = field(default=None, repr=False)
    account_sid: str | None = None
    from_number: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SmsSettings:
        return cls(
            environ.get("WAYFINDER_PUBLIC_URL") or None,
            environ.get("TWILIO_AUTH_TOKEN") or None,
            environ.get("TWILIO_ACCOUNT_SID") or None,
            environ.get("TWILIO_FROM_NUMBER") or None,
        )


@dataclass(frozen=True)
class TelegramSettings:
    token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    api_base_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> TelegramSettings:
        return cls(
            environ.get("TELEGRAM_BOT_TOKEN") or None,
            environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
            environ.get("TELEGRAM_API_BASE_URL") or None,
        )

    def notes(self) -> list[str]:
        """What the server should say at start-up about the webhook."""
        needed = {"TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_WEBHOOK_SECRET": self.webhook_secret}
        missing = " and ".join(name for name, value in needed.items() if not value)
        if not missing:
            return []
        return [f"Telegram: {missing} not set, so /telegram/webhook refuses every request (403)."]


@dataclass(frozen=True)
class ChannelSettings:
    gate: GateSettings = field(default_factory=GateSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ChannelSettings:
        return cls(
            GateSettings.from_environ(environ),
            SmsSettings.from_environ(environ),
            TelegramSettings.from_environ(environ),
        )
