"""Conversations written as stories (tests/conversations/*.yml), run through the real
engine against the demo directory. See tests/conversations/README.md for the format."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import people
from bot.engine import SharedLocation
from bot.privacy import sender_key
from directory.demo import REFERENCE

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

STORIES = Path(__file__).parent / "conversations"


def _stories() -> list[Any]:
    found = []
    for path in sorted(STORIES.glob("*.yml")):
        for story in yaml.safe_load(path.read_text("utf-8")):
            found.append(pytest.param(story, id=f"{path.stem}: {story['story']}"))
    return found


@pytest.mark.parametrize("story", _stories())
def test_story(story: dict[str, Any], make_assistant: Any) -> None:
    channel = story.get("channel", "sms")
    sender = "+17205550100"
    moment = REFERENCE
    assistant = make_assistant(clock=lambda: moment)
    if "role" in story:
        people.mark(assistant.db, sender_key(channel, sender, b"test key"), story["role"],
                    story.get("services", []))  # fmt: skip
    seen: set[str] = set()
    for number, step in enumerate(story["steps"], 1):
        where = f"step {number} ({step.get('user', step.get('location'))!r})"
        if step.get("restart"):
            assistant = make_assistant()
        moment += timedelta(minutes=step.get("wait_minutes", 0))
        message = SharedLocation(*step["location"]) if "location" in step else step["user"]
        turn = assistant.handle(sender, message, channel, at=moment)
        text = "\n".join(turn.replies).lower()
        for phrase in step.get("says", []):
            assert phrase.lower() in text, f"{where}: {phrase!r} not in:\n{text}"
        for phrase in step.get("first_says", []):
            assert turn.replies and phrase.lower() in turn.replies[0].lower(), (
                f"{where}: first reply lacks {phrase!r}:\n{text}"
            )
        for phrase in step.get("not_says", []):
            assert phrase.lower() not in text, f"{where}: {phrase!r} should not be in:\n{text}"
        if "handoff" in step:
            assert turn.handoff == step["handoff"], f"{where}: handoff {turn.handoff}"
        if "results" in step:
            assert len(turn.results) == step["results"], f"{where}: {len(turn.results)} results"
        ids = {r["id"] for r in turn.results}
        if step.get("new_results"):
            assert ids and not ids & seen, f"{where}: repeated {ids & seen}"
        seen |= ids
        if channel == "sms":
            for reply in turn.replies:
                assert len(reply) <= 1600, f"{where}: {len(reply)} characters"
                if turn.results and any(r["name"] in reply for r in turn.results):
                    assert len(reply) <= 480, f"{where}: results in {len(reply)} characters"
