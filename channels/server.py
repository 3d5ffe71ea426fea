"""One HTTP server for every channel (Sanic, which rasa-sdk already brings):

    POST /sms/twilio       Twilio Messaging webhook (TwiML)
    POST /telegram/webhook Telegram updates
    GET  /                 the web chat page;  POST /chat its JSON API
    GET  /healthz          200 when the directory and the language model are loaded
    GET  /hsds/…           the directory as a read-only HSDS 3.1 API (channels/hsds.py)

Each request is logged as one line — method, path, status, milliseconds — never with a
message, a phone number or a query string.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from pathlib import Path
from typing import Any

from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

from bot.engine import Assistant
from channels import hsds, sms, telegram, web
from channels.base import ChannelSettings
from channels.gate import Gate
from directory import open_db

log = logging.getLogger("wayfinder.http")
MAX_BODY = 64 * 1024
_names = itertools.count()


def create_app(
    assistant: Assistant,
    db_path: str | Path,
    settings: ChannelSettings | None = None,
    *,
    name: str | None = None,
) -> tuple[Sanic[Any, Any], list[str]]:
    """The web server around `assistant`: chat page, webhooks, report and HSDS API.

    Args:
        assistant: answers every channel's messages.
        db_path: the directory file the HSDS API and the report read.
        settings: each channel's settings; a channel without its secrets stays off.
        name: the Sanic app's name; a server's workers must all build the same one.

    Returns:
        The Sanic app, and the start-up notes to print (what is not configured, and why).
    """
    settings = settings or ChannelSettings()
    gate = Gate(assistant, settings.gate)
    app = Sanic(name or f"wayfinder_{next(_names)}")
    app.config.REQUEST_MAX_SIZE = MAX_BODY
    app.config.FALLBACK_ERROR_FORMAT = "text"
    app.blueprint(sms.blueprint(gate, settings.sms))
    app.blueprint(telegram.blueprint(gate, settings.telegram))
    app.blueprint(web.blueprint(gate))
    app.blueprint(hsds.blueprint(open_db(db_path)))  # its own connection, read only
    services = assistant.db.execute("SELECT count(*) FROM service").fetchone()[0]

    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        ready = assistant.parser is not None
        return response.json(
            {"ok": ready, "services": services, "model": ready}, status=200 if ready else 503
        )

    @app.on_request
    async def started(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    @app.on_response  # type: ignore[untyped-decorator]
    async def logged(request: Request, reply: HTTPResponse) -> None:
        took = (time.perf_counter() - getattr(request.ctx, "started", time.perf_counter())) * 1000
        log.info("%s %s %s %.1f ms", request.method, request.path, reply.status, took)

    @app.after_server_start
    async def keep_tidy(app: Sanic[Any, Any]) -> None:
        app.add_task(_purge_every_minute(gate), name="purge")

    @app.after_server_stop
    async def close(app: Sanic[Any, Any]) -> None:
        gate.executor.shutdown(wait=False)

    return app, start_up_notes(settings)


def start_up_notes(settings: ChannelSettings) -> list[str]:
    """What is not configured, and why: printed once when the server starts."""
    notes = []
    if not settings.sms.auth_token or not settings.sms.public_url:
        notes.append(
            "SMS: TWILIO_AUTH_TOKEN or WAYFINDER_PUBLIC_URL is not set, so /sms/twilio refuses "
            "every request (403)."
        )
    return notes + settings.telegram.notes()


async def _purge_every_minute(gate: Gate) -> None:
    """Expired ids, rate counts and conversations go in small batches, off the path of any
    message (every worker runs this; a second run finds nothing left to do)."""
    while True:
        await asyncio.sleep(PURGE_EVERY_S)
        try:
            await gate.call(gate.purge)
        except Exception:
            log.exception("purging expired state failed; trying again in a minute")


PURGE_EVERY_S = 60.0
