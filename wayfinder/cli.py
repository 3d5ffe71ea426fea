"""The `wayfinder` command: one click group gathering each package's commands."""

from __future__ import annotations

import click

from bot.cli import ask_command, chat_command, people_group, privacy_group
from bot.nlu.cli import nlu_group, parse_command
from bot.report_cli import browse_command, report_command
from channels.cli import remind_command, serve_command
from channels.telegram import telegram_command
from directory.cli import directory_group
from wayfinder import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wayfinder")
def cli() -> None:
    """Wayfinder: find detox, shelter, crisis care and more by need and place.

    Anyone in crisis: call or text 988. Life in danger: call 911.
    """


cli.add_command(directory_group)
cli.add_command(parse_command)
cli.add_command(nlu_group)
cli.add_command(ask_command)
cli.add_command(chat_command)
cli.add_command(serve_command)
cli.add_command(telegram_command)
cli.add_command(people_group)
cli.add_command(privacy_group)
cli.add_command(remind_command)
cli.add_command(report_command)
cli.add_command(browse_command)
