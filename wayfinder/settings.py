"""Every setting Wayfinder reads, in one typed object built once at the entry point.

`Settings.from_environ(environ)` is the only place that reads the process environment
(a test pins it): the commands, the server and the rasa-sdk action server build it once
and pass the part each layer needs down — the directory's search settings, the bot's
hand-off lines and session length, the channels' gate, SMS and Telegram settings. Tests
pass a dict. A setting that cannot be used fails here, at start-up, naming its variable.
Secrets are wrapped so that printing the settings never shows them.

- WAYFINDER_DB → `db`, the SQLite file (default wayfinder.db)
- WAYFINDER_NLU_MODEL → `nlu_model`, the trained models (default bot/nlu/model)
- WAYFINDER_HMAC_KEY → `hmac_key`, the key sender ids are hashed with (a Secret)
- WAYFINDER_DEFAULT_STATE, WAYFINDER_TIMEZONE, WAYFINDER_RADIUS_KM,
  WAYFINDER_FRESHNESS_HOURS, WAYFINDER_HOME_AREA → `directory`
- WAYFINDER_HANDOFF_FILE, WAYFINDER_SESSION_MINUTES → `bot`
- WAYFINDER_REPLY_DEADLINE_S, WAYFINDER_RATE_PER_MINUTE → `channels.gate`
- WAYFINDER_PUBLIC_URL, TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER →
  `channels.sms`
- TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_BASE_URL → `channels.telegram`
- MPLCONFIGDIR → `chart_cache`, matplotlib's font cache for the report (default: a private
  temporary folder)
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import BotSettings
from bot.privacy import check_key
from channels.base import ChannelSettings
from directory import DirectorySettings

DEFAULT_DB = "wayfinder.db"


@dataclass(frozen=True)
class Secret:
    """A value that must not be printed or logged: its repr hides it."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB
    nlu_model: Path | None = None
    hmac_key: Secret | None = None
    directory: DirectorySettings = field(default_factory=DirectorySettings)
    bot: BotSettings = field(default_factory=BotSettings.defaults)
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    chart_cache: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every setting from `environ` (the process environment by default).

        Raises:
            ConfigError: a setting cannot be used; the message names its variable.
        """
        env = os.environ if environ is None else environ
        key = env.get("WAYFINDER_HMAC_KEY", "").strip()
        if key:
            check_key(key)
        model = env.get("WAYFINDER_NLU_MODEL", "").strip()
        return cls(
            db=env.get("WAYFINDER_DB", "").strip() or DEFAULT_DB,
            nlu_model=Path(model) if model else None,
            hmac_key=Secret(key) if key else None,
            directory=DirectorySettings.from_environ(env),
            bot=BotSettings.from_environ(env),
            channels=ChannelSettings.from_environ(env),
            chart_cache=env.get("MPLCONFIGDIR") or None,
        )


def use_chart_cache(settings: Settings) -> None:
    """Point matplotlib at its font cache before it is imported: the configured folder, or
    a private temporary one. By default matplotlib keeps the cache in the home folder; on
    a read-only home (a service account, a container) it would warn and rebuild it on
    every run. matplotlib reads only the environment for this, so it is set here."""
    folder = settings.chart_cache
    if folder is None:
        folder = tempfile.mkdtemp(prefix="wayfinder-matplotlib-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["MPLCONFIGDIR"] = folder
