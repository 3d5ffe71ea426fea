from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import BotSettings, Lines
from directory import ConfigError


def test_the_shipped_handoff_lines_are_complete_and_dated() -> None:
    lines = Lines.load()
    assert (lines.crisis.number, lines.emergency.number, lines.information.number) == (
        "988", "911", "211",
    )  # fmt: skip
    assert lines.crisis.get("spanish_keyword") == "AYUDA"
    assert lines.crisis.get("veterans_text") == "838255"
    assert lines.stale(lines.crisis.last_verified) == []


def test_a_line_checked_long_ago_is_flagged(tmp_path: Path) -> None:
    lines = Lines.load()
    assert lines.crisis in lines.stale(date(2030, 1, 1))


def test_a_handoff_file_without_a_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lines.toml"
    path.write_text('[crisis]\nnumber = "988"\n[emergency]\nnumber = "911"\n'
                    '[information]\nnumber = "211"\nlast_verified = 2026-01-01\n')  # fmt: skip
    with pytest.raises(ConfigError, match=r"\[crisis\] needs last_verified"):
        Lines.load(path)


def test_session_minutes_must_be_a_positive_number() -> None:
    assert BotSettings.from_environ({"WAYFINDER_SESSION_MINUTES": "30"}).session_minutes == 30
    for bad in ("soon", "0"):
        with pytest.raises(ConfigError, match="WAYFINDER_SESSION_MINUTES"):
            BotSettings.from_environ({"WAYFINDER_SESSION_MINUTES": bad})
