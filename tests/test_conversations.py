"""Conversations written as stories (tests/conversations/*.yml), each message sent with
`wayfinder ask` against the demo directory. See tests/conversations/README.md for the
format."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import bot.engine
from directory.demo import REFERENCE
from tests.conftest import key_env
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

STORIES = Path(__file__).parent / "conversations"
SENDER = "+17205550100"


def _stories() -> list[Any]:
    found = []
    for path in sorted(STORIES.glob("*.yml")):
        for story in yaml.safe_load(path.read_text("utf-8")):
            found.append(pytest.param(story, id=f"{path.stem}: {story['story']}"))
    return found


def _start(story: dict[str, Any]) -> datetime:
    """The story's moment: `at` as a time of the reference day ("23:30") or a whole ISO
    date-time; else the reference moment."""
    at = story.get("at")
    if at is None:
        return REFERENCE
    if len(str(at)) <= 5:
        return datetime.combine(REFERENCE.date(), time.fromisoformat(str(at)), REFERENCE.tzinfo)
    return datetime.fromisoformat(str(at))


@pytest.fixture
def wayfinder(
    assistant_db_path: Any,
    nlu_model: Path,
    parser: Any,
    engine: str,
    monkeypatch: pytest.MonkeyPatch,
):  # type: ignore[no-untyped-def]
    """`wayfinder ARGS...` on this story's copy of the demo directory. Every call is a
    whole command, as from a shell; only the model is loaded once per test run instead of
    once per call (it is the same model the command would load)."""
    monkeypatch.setattr(bot.engine.Parser, "load", lambda *a, **k: parser)
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_DB": str(assistant_db_path),
           "WAYFINDER_HMAC_KEY": "", **key_env(engine)}  # fmt: skip

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


@pytest.mark.parametrize("story", _stories())
def test_story(story: dict[str, Any], wayfinder: Any) -> None:
    channel = story.get("channel", "sms")
    moment = _start(story)
    if "role" in story:
        services = [a for s in story.get("services", []) for a in ("--service", s)]
        wayfinder("people", "add", SENDER, "--role", story["role"], *services)
    seen: set[str] = set()
    for number, step in enumerate(story["steps"], 1):
        where = f"step {number} ({step.get('user', step.get('location'))!r})"
        moment += timedelta(minutes=step.get("wait_minutes", 0))
        text = "/loc {},{}".format(*step["location"]) if "location" in step else step["user"]
        turn = json.loads(wayfinder("ask", "--sender", SENDER, "--channel", channel,
                                    "--at", moment.isoformat(), "--json", text))  # fmt: skip
        replies = turn["replies"]
        said = "\n".join(replies).lower()
        for phrase in step.get("says", []):
            assert phrase.lower() in said, f"{where}: {phrase!r} not in:\n{said}"
        for phrase in step.get("first_says", []):
            assert replies and phrase.lower() in replies[0].lower(), (
                f"{where}: first reply lacks {phrase!r}:\n{said}"
            )
        for phrase in step.get("not_says", []):
            assert phrase.lower() not in said, f"{where}: {phrase!r} should not be in:\n{said}"
        if "handoff" in step:
            assert turn["handoff"] == step["handoff"], f"{where}: handoff {turn['handoff']}"
        if "results" in step:
            count = len(turn["results"])
            assert count == step["results"], f"{where}: {count} results"
        ids = {r["id"] for r in turn["results"]}
        if step.get("new_results"):
            assert ids and not ids & seen, f"{where}: repeated {ids & seen}"
        seen |= ids
        if step.get("order"):
            _check_order(said, step["order"], where)
        if channel == "sms":
            for reply in replies:
                assert len(reply) <= 1600, f"{where}: {len(reply)} characters"
                if turn["results"] and any(r["name"] in reply for r in turn["results"]):
                    assert len(reply) <= 480, f"{where}: results in {len(reply)} characters"


def _check_order(said: str, order: list[str], where: str) -> None:
    """Each phrase of `order` is in the replies, and they come in that order."""
    places = []
    for phrase in order:
        assert phrase.lower() in said, f"{where}: {phrase!r} not in:\n{said}"
        places.append(said.index(phrase.lower()))
    assert places == sorted(places), f"{where}: {order} not in that order in:\n{said}"
