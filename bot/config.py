"""Settings of the assistant: hand-off numbers (with the date each was last checked),
conversation expiry and the key that sender ids are hashed with."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.nlu.lexicon import read as read_lexicon
from directory import ConfigError

HANDOFF_FILE = Path(__file__).parent / "data" / "handoff.toml"
STALE_AFTER_DAYS = 180


@dataclass(frozen=True)
class Line:
    """One hand-off line: what to call or text, and when that was last verified."""

    name: str
    number: str
    last_verified: date
    extra: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.extra.get(key, "")


@dataclass(frozen=True)
class Lines:
    crisis: Line
    emergency: Line
    information: Line
    local_crisis: Line | None

    @classmethod
    def load(cls, path: str | Path = HANDOFF_FILE) -> Lines:
        """Read a hand-off file; a missing line, number or date is a ConfigError."""
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"Hand-off file {path}: {error}") from error
        lines = {
            key: _line(path, key, data.get(key)) for key in ("crisis", "emergency", "information")
        }
        local = data.get("local_crisis") or {}
        return cls(
            lines["crisis"],
            lines["emergency"],
            lines["information"],
            _line(path, "local_crisis", local) if local.get("number") else None,
        )

    def stale(self, today: date) -> list[Line]:
        """Lines whose last check is older than STALE_AFTER_DAYS."""
        every = [self.crisis, self.emergency, self.information, self.local_crisis]
        return [
            line for line in every if line and (today - line.last_verified).days > STALE_AFTER_DAYS
        ]


def _line(path: str | Path, key: str, data: Any) -> Line:
    if not isinstance(data, dict) or not str(data.get("number", "")).strip():
        raise ConfigError(f"Hand-off file {path}: [{key}] needs a number.")
    checked = data.get("last_verified")
    if not isinstance(checked, date):
        raise ConfigError(f"Hand-off file {path}: [{key}] needs last_verified = YYYY-MM-DD.")
    extra = {k: str(v) for k, v in data.items() if k not in ("name", "number", "last_verified")}
    return Line(str(data.get("name", key)), str(data["number"]), checked, extra)


@dataclass(frozen=True)
class BotSettings:
    """session_minutes: idle time after which a conversation starts afresh; lexicon_file: a
    program's own responder words (bot/nlu/rules/responder.yml shape), read after ours."""

    lines: Lines
    session_minutes: float = 60.0
    lexicon_file: Path | None = None

    @classmethod
    def defaults(cls) -> BotSettings:
        """The shipped hand-off lines and a 60-minute session."""
        return cls(Lines.load(HANDOFF_FILE))

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> BotSettings:
        """From WAYFINDER_HANDOFF_FILE, WAYFINDER_SESSION_MINUTES and
        WAYFINDER_LEXICON_FILE in `env`.

        Raises:
            ConfigError: the hand-off file, the minutes or the lexicon cannot be used.
        """
        lines = Lines.load(env.get("WAYFINDER_HANDOFF_FILE") or HANDOFF_FILE)
        try:
            minutes = float(env.get("WAYFINDER_SESSION_MINUTES", "60"))
        except ValueError as error:
            raise ConfigError("WAYFINDER_SESSION_MINUTES must be a number of minutes.") from error
        if minutes <= 0:
            raise ConfigError("WAYFINDER_SESSION_MINUTES must be more than 0.")
        lexicon = env.get("WAYFINDER_LEXICON_FILE", "").strip()
        if lexicon:
            try:
                read_lexicon(Path(lexicon), lexicon)  # fails here, at start-up, not mid-message
            except ConfigError as error:
                raise ConfigError(f"WAYFINDER_LEXICON_FILE: {error}") from error
        return cls(lines, minutes, Path(lexicon) if lexicon else None)
