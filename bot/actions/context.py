"""What the actions work with: the directory, its settings, the hand-off lines and the clock.

In-process the engine hands each action its context. Behind the rasa-sdk action server
(`python -m rasa_sdk --actions bot.actions`) the actions build one from the environment:
WAYFINDER_DB, the directory settings and WAYFINDER_HANDOFF_FILE.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import people
from bot.config import Lines
from directory import DirectorySettings, open_db
from directory.engine import Database


@dataclass
class Context:
    db: Database
    settings: DirectorySettings
    lines: Lines
    at: datetime | None = None  # a fixed moment (tests, `--at`); None means now
    engine: bool = False  # True under our engine: results go back as a custom payload too

    def now(self) -> datetime:
        return self.at or datetime.now(UTC)

    def line_values(self) -> dict[str, str]:
        """The hand-off numbers by the names the responses use."""
        lines = self.lines
        values = {
            "crisis_number": lines.crisis.number,
            "spanish_keyword": lines.crisis.get("spanish_keyword"),
            "spanish_press": lines.crisis.get("spanish_press"),
            "veterans_press": lines.crisis.get("veterans_press"),
            "veterans_text": lines.crisis.get("veterans_text"),
            "emergency_number": lines.emergency.number,
            "information_number": lines.information.number,
        }
        if lines.local_crisis:
            values["local_crisis"] = f"{lines.local_crisis.name} {lines.local_crisis.number}"
        return values


@functools.cache
def from_environ() -> Context:
    """The action server's context, built once from the settings.

    `python -m rasa_sdk --actions bot.actions` is an entry point of its own: rasa-sdk
    imports the actions and makes them without arguments, so they read the settings here,
    once, through the one module that reads the environment (imported late: the bot does
    not otherwise depend on the command layer).
    """
    from wayfinder.settings import Settings

    settings = Settings.from_environ()
    db = open_db(settings.db)
    people.ensure(db)
    return Context(db, settings.directory.for_directory(db), settings.bot.lines)
