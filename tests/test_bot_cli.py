"""`wayfinder ask` and `wayfinder chat` from the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from wayfinder.cli import cli

AT = "2026-11-23T12:00:00-07:00"


@pytest.fixture
def env(nlu_model: Path, assistant_db_path: Path) -> dict[str, str]:
    return {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_DB": str(assistant_db_path),
            "WAYFINDER_HMAC_KEY": ""}  # fmt: skip


def ask(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli, ["ask", "--at", AT, *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_conversation_continues_across_calls_with_the_same_sender(
    env: dict[str, str],
) -> None:
    assert "Where are you?" in ask(env, "--sender", "officer-12", "detox")
    assert "Detox near 80204" in ask(env, "--sender", "officer-12", "80204")
    assert "What kind of help" in ask(env, "--sender", "someone-else", "80204")


def test_the_sender_key_is_kept_beside_the_database_for_its_owner_only(
    env: dict[str, str], assistant_db_path: Path
) -> None:
    ask(env, "--sender", "a", "hi")
    key_file = Path(f"{assistant_db_path}.key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_ask_json_prints_only_json(env: dict[str, str]) -> None:
    data = json.loads(ask(env, "--sender", "b", "--channel", "sms", "--json", "kms"))
    assert data["handoff"] == "988" and data["intent"] == "crisis"
    assert "988" in data["replies"][0]


def test_ask_with_a_bad_moment_explains(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["ask", "--sender", "c", "--at", "noon", "hi"], env=env)
    assert result.exit_code == 2 and "not an ISO 8601" in result.output


def test_chat_talks_until_the_input_ends_and_shares_a_position(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        cli, ["chat", "--at", AT], input="detox\n/loc 39.7392,-104.9903\n2\n", env=env
    )
    assert result.exit_code == 0, result.output
    assert "988" in result.output  # said at the start
    assert "Where are you?" in result.output
    assert "Detox near your location" in result.output
    assert "Address:" in result.output
