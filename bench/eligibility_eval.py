"""Eligibility, time of need and the bed board, judged on a directory and cases written
apart from the code (tests/data/eligibility_blind/: a fictional Albuquerque directory in
HSDS 3.1 CSV, and conversations with what a correct answer must and must not contain).

Imports the directory into a fresh file, then runs every case through `wayfinder ask`
(a new sender each, the case's moment as --at, the web channel's page of five) and
checks: the first result is one of those allowed, no excluded service appears, every
required service and word appears.

    python bench/eligibility_eval.py [--cases FILE] [--directory DIR] [--misses] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import directory
from wayfinder.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "eligibility_blind"


def first_result(reply: str) -> str | None:
    m = re.search(r"^1\. (.+?)(?: - | \| )", reply, re.M)
    return m.group(1) if m else None


def judge(case: dict[str, Any], reply: str) -> list[str]:
    """What the reply got wrong (nothing: it passed)."""
    wrong = []
    low = reply.casefold()
    allowed = case.get("first_must_be_one_of")
    if allowed and first_result(reply) not in allowed:
        wrong.append(f"first result {first_result(reply)!r}, wanted one of {allowed}")
    for name in case.get("must_not_include") or []:
        if name.casefold() in low:
            wrong.append(f"shows {name!r}, which does not take this person")
    for name in case.get("must_include") or []:
        if name.casefold() not in low:
            wrong.append(f"leaves out {name!r}")
    for words in case.get("reply_must_mention") or []:
        if words.casefold() not in low:
            wrong.append(f"does not say {words!r}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", default=str(DATA / "cases.jsonl"))
    args.add_argument("--directory", default=str(DATA / "directory"))
    args.add_argument("--misses", action="store_true")
    args.add_argument("--json", action="store_true")
    options = args.parse_args(argv)
    cases = [json.loads(line) for line in Path(options.cases).read_text("utf-8").splitlines()
             if line.strip()]  # fmt: skip
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "eligibility.db"
        db = directory.open_db(db_path)
        directory.import_dataset(db, directory.read(options.directory), who="eval")
        db.close()
        env = {"WAYFINDER_DB": str(db_path), "WAYFINDER_HMAC_KEY": "an evaluation key only"}
        for number, case in enumerate(cases):
            reply = ""
            for text in case["messages"]:
                result = CliRunner().invoke(
                    cli, ["ask", "--sender", f"case-{number}", "--channel", "web",
                          "--at", case["at"], text], env=env,
                )  # fmt: skip
                reply = result.output
            kind = f"{case.get('kind')} ({case.get('lang')})"
            total[kind] += 1
            wrong = judge(case, reply)
            if wrong:
                misses.append(f"{case.get('id')}: {' / '.join(case['messages'])}\n  "
                              + "\n  ".join(wrong))  # fmt: skip
            else:
                passed[kind] += 1
    summary = {
        "cases": sum(total.values()),
        "passed": sum(passed.values()),
        "by_kind": {k: f"{passed[k]}/{n}" for k, n in sorted(total.items())},
    }
    if options.json:
        print(json.dumps(summary))
        return 0
    print(f"{summary['passed']} of {summary['cases']} cases pass")
    for kind, share in summary["by_kind"].items():
        print(f"  {kind:<22}{share}")
    if options.misses:
        print("\n" + "\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
