"""`wayfinder serve`: every channel from one process."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

import click

from bot import remind
from bot.nlu.parser import ModelMissing
from bot.outbound import Outbound, Printed
from channels.server import create_app
from channels.sms import TwilioOutbound
from directory import ConfigError, DirectorySettings, open_db
from directory.cli import db_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@db_option
def serve_command(host: str, port: int, db_path: str) -> None:
    """Serve SMS (Twilio), Telegram, the web chat and /healthz from one process. Logs one
    line per request, without message text or phone numbers.

    Example:

        wayfinder serve --db wayfinder-demo.db --port 8000
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        app, notes = create_app(db_path)
    except (ModelMissing, ConfigError) as error:
        raise click.ClickException(str(error)) from error
    for note in notes:
        click.echo(note, err=True)
    click.echo(f"Web chat: http://{host}:{port}/  (Ctrl-C stops the server)")
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)


@click.command("remind")
@click.option("--dry-run", is_flag=True, help="Print the reminders instead of sending them.")
@db_option
def remind_command(dry_run: bool, db_path: str) -> None:
    """Text the staff of every service whose bed count is older than its need's limit
    ("Reply with today's open beds"). Sends through Twilio (TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER); meant for cron, e.g. hourly.

    Example:

        wayfinder remind --dry-run
    """
    db = open_db(db_path)
    settings = DirectorySettings.from_environ().for_directory(db)
    reminders = remind.due(db, datetime.now(UTC), settings)
    outbound: Outbound
    if dry_run:
        outbound = Printed(click.echo)
    else:
        sid, token = os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN")
        sender = os.environ.get("TWILIO_FROM_NUMBER")
        if not (sid and token and sender):
            raise click.ClickException(
                "Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER to send "
                "reminders, or use --dry-run."
            )
        outbound = TwilioOutbound(sid, token, sender)
    sent = remind.send(reminders, outbound)
    click.echo(f"{sent} reminder(s) {'to send' if dry_run else 'sent'}.", err=not dry_run)
