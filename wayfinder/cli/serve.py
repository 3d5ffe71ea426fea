"""`wayfinder serve` (every channel from one process), `wayfinder telegram --polling` and
`wayfinder remind`."""

from __future__ import annotations

import logging
import os
import socket
import sys
from datetime import UTC, datetime
from functools import partial
from typing import Any

import click
from sanic import Sanic
from telegram.error import InvalidToken, TelegramError

from bot import remind
from bot.engine import Assistant
from bot.nlu.parser import ModelMissing
from bot.outbound import Outbound, Printed
from channels import telegram
from channels.gate import Gate
from channels.server import create_app, start_up_notes
from channels.sms import TwilioOutbound
from channels.workers import Supervisor, listening_sockets
from directory import ConfigError, open_db
from wayfinder.cli.options import db_option, open_assistant, settings
from wayfinder.settings import Settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one (printed).")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes answering on the port  [default: the number of cores]")  # fmt: skip
@db_option
def serve_command(host: str, port: int, workers: int | None, db_path: str) -> None:
    """Serve SMS (Twilio), Telegram, the web chat, /healthz and the HSDS API. Logs one
    line per request, without message text or phone numbers.

    Several workers listen on one port, each on a socket of its own (SO_REUSEPORT), and
    keep everything they must share in the database (conversations, opt-outs, ids answered,
    rate counts), so any of them can answer any message.

    Example:

        wayfinder serve --db wayfinder-demo.db --port 8000 --workers 2
    """
    workers = workers or os.cpu_count() or 1
    current = settings()
    for note in start_up_notes(current.channels):
        click.echo(note, err=True)
    if workers == 1:
        app = _app(current, db_path)  # the model loads before the address is printed
    else:
        prepare(db_path, current)  # a missing model or key fails here, once
    # The sockets are bound here, so that the address printed is the one served, also with
    # --port 0 (tests and scripts read the port from this line: no race for a free port).
    try:
        if workers == 1:
            sockets = [socket.create_server((host, port))]
        else:
            sockets = listening_sockets(host, port, workers)
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error}") from error
    bound = sockets[0].getsockname()[1]
    click.echo(f"Web chat: http://{host}:{bound}/  (Ctrl-C stops the server)")
    sys.stdout.flush()
    if workers == 1:
        app.run(sock=sockets[0], single_process=True, access_log=False, motd=False)
        return
    _log_requests()
    supervisor = Supervisor(partial(_app, current, db_path), host, bound)
    if supervisor.run(sockets):
        raise click.ClickException("A worker failed at its start; its error is above.")


APP_NAME = "wayfinder"


def prepare(db_path: str, current: Settings) -> None:
    key = current.hmac_key.value if current.hmac_key else None
    try:
        Assistant.prepare(db_path, model=current.nlu_model, key=key)
    except (ModelMissing, ConfigError) as error:
        raise click.ClickException(str(error)) from error


def _log_requests() -> None:
    """One line per request and per worker event, with the process id (which worker)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(name)s %(message)s")


def _app(current: Settings, db_path: str) -> Sanic[Any, Any]:
    """One worker's server: its own assistant (model and database connection)."""
    _log_requests()
    app, _ = create_app(open_assistant(db_path, current), db_path, current.channels,
                        name=APP_NAME)  # fmt: skip
    return app


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
    reminders = remind.due(db, datetime.now(UTC), settings().directory.for_directory(db))
    outbound: Outbound
    if dry_run:
        outbound = Printed(click.echo)
    else:
        twilio = settings().channels.sms
        sid, token, sender = twilio.account_sid, twilio.auth_token, twilio.from_number
        if not (sid and token and sender):
            raise click.ClickException(
                "Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER to send "
                "reminders, or use --dry-run."
            )
        outbound = TwilioOutbound(sid, token, sender)
    sent = remind.send(reminders, outbound)
    click.echo(f"{sent} reminder(s) {'to send' if dry_run else 'sent'}.", err=not dry_run)


@click.command("telegram")
@click.option("--polling", is_flag=True, help="Fetch updates by long polling (getUpdates).")
@db_option
def telegram_command(polling: bool, db_path: str) -> None:
    """Answer on Telegram by long polling, for a deployment without a public URL. Needs
    TELEGRAM_BOT_TOKEN (from @BotFather); a webhook set for the bot is removed. With a
    public URL, `wayfinder serve` takes updates at /telegram/webhook instead.

    Example:

        TELEGRAM_BOT_TOKEN=123456:ABC wayfinder telegram --polling --db demo.db
    """
    if not polling:
        raise click.UsageError(
            "Pass --polling to answer by long polling; for the webhook run `wayfinder serve`."
        )
    channels = settings().channels
    if not channels.telegram.token:
        raise click.ClickException(
            "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather and set "
            "TELEGRAM_BOT_TOKEN to the token it gives you."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    gate = Gate(open_assistant(db_path), channels.gate)
    application = telegram.build_application(gate, channels.telegram, polling=True)
    click.echo("Telegram: polling for updates (Ctrl-C stops).", err=True)
    try:
        application.run_polling(allowed_updates=telegram.ALLOWED_UPDATES)
    except InvalidToken as error:
        raise click.ClickException(
            "Telegram rejected TELEGRAM_BOT_TOKEN. Check it with @BotFather."
        ) from error
    except TelegramError as error:
        raise click.ClickException(f"Telegram: {type(error).__name__}: {error}") from error
    finally:
        gate.executor.shutdown(wait=False)
