"""The README's examples are real: each `$ wayfinder …` line is run and its output compared."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from wayfinder.cli import cli

ROOT = Path(__file__).parents[1]


def sessions() -> list[list[tuple[str, str]]]:
    """Each ```console block as (command, expected output) pairs."""
    blocks = re.findall(r"```console\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    found = []
    for block in blocks:
        steps: list[tuple[str, str]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], ""))
            elif steps:
                command, output = steps[-1]
                steps[-1] = (command, output + line + "\n")
        found.append(steps)
    return found


def test_the_readme_has_examples() -> None:
    assert sum(len(s) for s in sessions()) >= 4


@pytest.mark.parametrize("steps", sessions(), ids=lambda s: s[0][0][:40])
def test_readme_example_output_is_what_the_command_prints(
    steps: list[tuple[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.delenv("WAYFINDER_DB", raising=False)
    if any(command.split()[1] in ("ask", "parse") for command, _ in steps):
        # The language model the Quick start trains, trained once for the test run.
        monkeypatch.setenv("WAYFINDER_NLU_MODEL", str(request.getfixturevalue("nlu_model")))
    monkeypatch.chdir(tmp_path)
    for command, expected in steps:
        args = shlex.split(command)
        assert args[0] == "wayfinder"
        args = [str(ROOT / a) if a.startswith("tests/") else a for a in args[1:]]
        result = CliRunner().invoke(cli, args)
        assert result.output == expected, command
