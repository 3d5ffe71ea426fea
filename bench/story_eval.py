"""Scores conversations written blind (tests/data/responder_blind/conversations.yml) on the
demo directory: how many stories pass, by group (the part of the name before ":").

Each story runs through `Assistant.handle`, the turn `wayfinder ask` takes, on a fresh copy
of the demo directory, at the demo's reference moment or the story's own `at`. A step
passes when every phrase of `says` and `first_says` is there (case-insensitive), none of
`not_says`, at least one of `says_any`, and the hand-off and result count match.

    python bench/story_eval.py --db demo.db [--misses] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STORIES = ROOT / "tests" / "data" / "responder_blind" / "conversations.yml"


def step_problems(
    step: dict[str, Any], replies: list[str], handoff: Any, results: int
) -> list[str]:
    text = "\n".join(replies).lower()
    first = replies[0].lower() if replies else ""
    wrong = [f"lacks {p!r}" for p in step.get("says", []) if str(p).lower() not in text]
    wrong += [f"first reply lacks {p!r}" for p in step.get("first_says", [])
              if str(p).lower() not in first]  # fmt: skip
    wrong += [f"has {p!r}" for p in step.get("not_says", []) if str(p).lower() in text]
    anyof = step.get("says_any")
    if anyof and not any(str(p).lower() in text for p in anyof):
        wrong.append(f"none of {anyof!r}")
    if "handoff" in step:
        wanted = None if step["handoff"] is None else str(step["handoff"])
        if handoff != wanted:
            wrong.append(f"hand-off {handoff} (wanted {wanted})")
    if "results" in step and results != step["results"]:
        wrong.append(f"{results} results (wanted {step['results']})")
    return wrong


def main(argv: list[str] | None = None) -> int:
    from bot.engine import Assistant
    from bot.nlu.parser import Parser
    from bot.nlu.training import load
    from bot.people import mark
    from bot.privacy import sender_key
    from directory import open_db
    from directory.demo import REFERENCE
    from wayfinder.settings import Settings

    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", required=True, help="the demo directory (wayfinder directory demo)")
    args.add_argument("--stories", default=str(STORIES))
    args.add_argument("--misses", action="store_true")
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    stories = yaml.safe_load(Path(options.stories).read_text("utf-8"))
    stories = stories["stories"] if isinstance(stories, dict) else stories
    current = Settings.from_environ()
    passed, total, misses = Counter(), Counter(), []
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(options.db)
        parser = Parser.load(db, current.nlu_model, default_state="CO",
                             training=load(ROOT / "bot" / "nlu" / "data" / "nlu.yml"),
                             lexicon_file=current.bot.lexicon_file)  # fmt: skip
        db.close()
        for number, story in enumerate(stories):
            name = story.get("name") or story.get("story") or f"story {number}"
            group = name.split(":")[0].strip()
            copy = Path(folder) / f"s{number}.db"
            shutil.copyfile(options.db, copy)
            story_db = open_db(copy)
            moment = datetime.fromisoformat(story["at"]) if story.get("at") else REFERENCE
            assistant = Assistant(story_db, parser, key=b"eval key", clock=lambda m=moment: m)
            channel, sender = story.get("channel", "sms"), "+17205550100"
            if story.get("role"):
                mark(story_db, sender_key(channel, sender, b"eval key"), story["role"], [])
            problems = []
            for index, step in enumerate(story["steps"], 1):
                moment += timedelta(minutes=step.get("wait_minutes", 0))
                turn = assistant.handle(sender, step["user"], channel, at=moment)
                wrong = step_problems(step, turn.replies, turn.handoff, len(turn.results))
                problems += [f"step {index} {step['user']!r}: {w}" for w in wrong]
            story_db.close()
            total[group] += 1
            if problems:
                misses.append(f"{name}\n  " + "\n  ".join(problems))
            else:
                passed[group] += 1
    result = {g: {"stories": total[g], "passed": passed[g]} for g in sorted(total)}
    result["all"] = {"stories": sum(total.values()), "passed": sum(passed.values())}
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    print("| group | stories | passed |\n|---|---:|---:|")
    for group, row in result.items():
        print(f"| {group} | {row['stories']} | {row['passed']} |")
    if options.misses:
        print("\n" + "\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
