"""`wayfinder serve`: every channel from one process."""

from __future__ import annotations

import logging

import click

from bot.nlu.parser import ModelMissing
from channels.server import create_app
from directory import ConfigError
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
