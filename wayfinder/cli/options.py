"""What every `wayfinder` command shares: the settings (read once, when a command first
needs them, so that `--help` works whatever the environment holds), `--db`, `--json`,
and opening the assistant with the settings."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.engine import Assistant
from bot.nlu.parser import ModelMissing
from directory import ConfigError, open_db
from directory.engine import Database, is_postgres
from wayfinder.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    """The settings of this run, read from the environment the first time they are asked
    for.

    Raises:
        click.ClickException: a setting cannot be used (the message names it).
    """
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Settings):
        try:
            root.obj = Settings.from_environ()
        except ConfigError as error:
            raise click.ClickException(str(error)) from error
    found: Settings = root.obj
    return found


def _default_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    return value or settings().db


def db_option(func: F) -> F:
    """--db PATH, defaulting to $WAYFINDER_DB, else wayfinder.db."""
    return click.option(
        "--db",
        "db_path",
        default=None,
        callback=_default_db,
        type=click.Path(dir_okay=False),
        help="The SQLite file or a postgresql:// URL (default: $WAYFINDER_DB, else wayfinder.db).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON only.")(func)


def database_exists(db_path: str | Path) -> bool:
    """Whether there is a database there to read: a server's is taken to exist; a SQLite
    file must (opening a missing one would create it, empty)."""
    return is_postgres(db_path) or Path(db_path).is_file()


def open_directory(db_path: str | Path) -> Database:
    """The database, closed when the command ends however it ends (a PostgreSQL
    connection left open would hold a server slot until the process exits)."""
    try:
        db = open_db(db_path)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    close_with_command(db)
    return db


def close_with_command(db: Database) -> None:
    """Close `db` when the running command ends, however it ends."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(db.close)


def open_assistant(db_path: str | Path, current: Settings | None = None) -> Assistant:
    """The assistant on `db_path` with this run's settings (or `current`, in a server's
    worker process, which is given the settings its parent read).

    Raises:
        click.ClickException: the model is missing or a setting cannot be used.
    """
    current = current or settings()
    try:
        assistant = Assistant.open(
            db_path,
            model=current.nlu_model,
            key=current.hmac_key.value if current.hmac_key else None,
            settings=current.directory,
            bot_settings=current.bot,
        )
    except (ModelMissing, ConfigError) as error:
        raise click.ClickException(str(error)) from error
    close_with_command(assistant.db)
    return assistant


def who(by: str | None) -> str:
    """Who makes a change, for the change log: --by, else the user's login name."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
