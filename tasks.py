#!/usr/bin/env python3
"""Set up, start and test Wayfinder with nothing but Python 3.11.

    python3 tasks.py start   # venv + demo directory + the assistant
    python3 tasks.py test    # venv + ruff + mypy + the whole test suite

Everything is installed into ./.venv; the installation is redone only when
pyproject.toml changes, so both commands are quick after the first run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".installed-from"
DEMO_DB = ROOT / "wayfinder-demo.db"


def run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    print("$", " ".join(str(a) for a in args), flush=True)
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def ensure_venv() -> None:
    """Create .venv and install the project with its dev tools, once per pyproject change."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Wayfinder needs Python 3.11; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    pip = [BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if run(*pip, "-e", ".[dev,browse]") != 0:
        sys.exit("Installing the project into .venv failed (see above).")
    STAMP.write_text(wanted)


def start(argv: list[str]) -> int:
    """Build the demo directory, train the language model if missing or older than its
    data, then serve every channel on it (the web chat at http://127.0.0.1:8000/).
    Arguments go to `wayfinder serve` (e.g. --port 8080)."""
    ensure_venv()
    env = {**os.environ, "WAYFINDER_DB": str(DEMO_DB)}
    if run(BIN / "wayfinder", "directory", "demo", env=env) != 0:
        return 1
    model = ROOT / "bot" / "nlu" / "model"
    built = [model / "meta.json", model / "safety.json"]
    data = ROOT / "bot" / "nlu" / "data"
    sources = [data / "nlu.yml", data / "safety" / "train.jsonl", data / "safety" / "dev-1.jsonl"]
    stale = not all(p.exists() for p in built) or min(p.stat().st_mtime for p in built) < max(
        p.stat().st_mtime for p in sources
    )
    if stale and run(BIN / "wayfinder", "nlu", "train", env=env) != 0:
        return 1
    print("In the terminal instead: WAYFINDER_DB=wayfinder-demo.db .venv/bin/wayfinder chat")
    return run(BIN / "wayfinder", "serve", *argv, env=env)


def test(argv: list[str]) -> int:
    """Format check, lint, types and every test; non-zero when any of them fails."""
    ensure_venv()
    packages = ["wayfinder", "directory", "bot", "channels"]
    steps = [
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [BIN / "mypy", *[arg for p in packages for arg in ("-p", p)]],
        [BIN / "python", "-m", "pytest", *argv],
    ]
    failed = [" ".join(str(a) for a in step[:2]) for step in steps if run(*step) != 0]
    if failed:
        print("FAILED:", ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    commands = {"start": start, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
