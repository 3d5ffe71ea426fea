"""The `wayfinder` command: one click group gathering every command.

The commands are the entry points: they read the settings once (wayfinder.settings) and
pass each layer what it needs. No runtime module imports this package."""

from __future__ import annotations

import click

from wayfinder import __version__
from wayfinder.cli.bot import ask_command, chat_command, people_group, privacy_group
from wayfinder.cli.directory import directory_group
from wayfinder.cli.nlu import nlu_group, parse_command
from wayfinder.cli.report import browse_command, report_command
from wayfinder.cli.serve import remind_command, serve_command, telegram_command


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
