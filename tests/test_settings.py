"""One settings object read once at the entry point, and a module graph a newcomer can
follow: no module but wayfinder/settings.py reads the environment, no import cycle, no
upward import, no runtime module importing the command line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory import ConfigError
from wayfinder.cli import cli
from wayfinder.settings import Secret, Settings

ROOT = Path(__file__).parents[1]
PACKAGES = ("wayfinder", "channels", "bot", "directory")  # each may import those after it
# The one upward import, at call time: `python -m rasa_sdk --actions bot.actions` makes our
# actions with no arguments, so the action server reads its settings through
# wayfinder.settings (bot/actions/context.py).
ALLOWED_UPWARD = {("bot.actions.context", "wayfinder.settings")}


def modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = ast.parse(path.read_text(), str(path))
    return found


def imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """Our modules `name` imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from directory import geo` imports the module directory.geo
            targets = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in known
                else node.module
                for alias in node.names
            ]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    trees = modules()
    return {name: imports(name, tree, set(trees)) for name, tree in trees.items()}


def test_no_module_but_the_settings_reads_the_environment() -> None:
    readers = []
    for name, tree in modules().items():
        if name == "wayfinder.settings":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.append(f"{name}:{node.lineno}")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(alias.name in ("environ", "getenv") for alias in node.names)
            ):
                readers.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.keyword) and node.arg == "envvar":  # click's env reading
                readers.append(f"{name}:{node.lineno}")
    assert readers == []


def test_the_import_graph_has_no_cycle(graph: dict[str, set[str]]) -> None:
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(" → ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_package_imports_one_above_it(graph: dict[str, set[str]]) -> None:
    def layer(module: str) -> int:
        return PACKAGES.index(module.split(".")[0])

    upward = {
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if layer(target) < layer(source)
    }
    assert upward == ALLOWED_UPWARD


def test_only_the_command_line_imports_the_command_line(graph: dict[str, set[str]]) -> None:
    importers = {
        source
        for source, targets in graph.items()
        for target in targets
        if target.startswith("wayfinder.cli") and not source.startswith("wayfinder.cli")
    }
    assert importers == set()


def test_settings_come_from_one_mapping_with_defaults_for_what_is_not_set() -> None:
    settings = Settings.from_environ({})
    assert (settings.db, settings.nlu_model, settings.hmac_key) == ("wayfinder.db", None, None)
    assert settings.channels.gate.rate_per_minute == 10
    given = Settings.from_environ(
        {"WAYFINDER_DB": "/srv/w.db", "WAYFINDER_RATE_PER_MINUTE": "3",
         "WAYFINDER_RADIUS_KM": "25", "TWILIO_FROM_NUMBER": "+13035550100"}
    )  # fmt: skip
    assert given.db == "/srv/w.db" and given.channels.gate.rate_per_minute == 3
    assert given.directory.radius_km == 25
    assert given.channels.sms.from_number == "+13035550100"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WAYFINDER_HMAC_KEY", "short"),
        ("WAYFINDER_RATE_PER_MINUTE", "many"),
        ("WAYFINDER_SESSION_MINUTES", "0"),
        ("WAYFINDER_TIMEZONE", "Mars/Olympus"),
    ],
)
def test_a_setting_that_cannot_be_used_fails_at_start_naming_its_variable(
    variable: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_environ({variable: value})


def test_secrets_never_print() -> None:
    settings = Settings.from_environ(
        {"WAYFINDER_HMAC_KEY": "k" * 32, "TWILIO_AUTH_TOKEN": "twilio-secret-token",
         "TELEGRAM_BOT_TOKEN": "123:telegram-secret", "TELEGRAM_WEBHOOK_SECRET": "hook-secret"}
    )  # fmt: skip
    shown = repr(settings) + str(settings)
    for secret in ("k" * 32, "twilio-secret-token", "123:telegram-secret", "hook-secret"):
        assert secret not in shown
    assert repr(Secret("x" * 20)) == "Secret('**********')"


def test_help_works_whatever_the_environment_holds() -> None:
    result = CliRunner().invoke(
        cli, ["directory", "search", "--help"], env={"WAYFINDER_RADIUS_KM": "far"}
    )
    assert result.exit_code == 0 and "--need" in result.output
    broken = CliRunner().invoke(cli, ["directory", "stats"], env={"WAYFINDER_RADIUS_KM": "far"})
    assert broken.exit_code == 1
    assert "WAYFINDER_RADIUS_KM must be a number of kilometres" in broken.output


def test_every_variable_read_is_in_the_readmes_configuration_table() -> None:
    readers = ["wayfinder/settings.py", "directory/config.py", "bot/config.py",
               "channels/base.py"]  # fmt: skip
    variables = {
        name
        for path in readers
        for name in re.findall(
            r"\b((?:WAYFINDER|TWILIO|TELEGRAM)_[A-Z_]+|MPLCONFIGDIR)\b", (ROOT / path).read_text()
        )
    }
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Performance")]
    assert {v for v in variables if f"`{v}`" not in table} == set()
    assert len(variables) >= 19
