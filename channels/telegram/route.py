"""`POST /telegram/webhook`: the secret header checked, each update processed once."""

import asyncio
import hmac
import json
import logging
import time
from typing import Any

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse
from telegram import (
    Bot,
    Update,
)
from telegram.error import TelegramError

from channels.base import TelegramSettings
from channels.gate import Gate
from channels.state import Seen
from channels.telegram.handlers import build_application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def parse_update(data: object, bot: Bot) -> Update | None:
    """The update in a decoded webhook body, or None when it is not one."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError):
        return None


def blueprint(gate: Gate, settings: TelegramSettings) -> Blueprint:
    bp = Blueprint("telegram")
    seen = Seen(gate.assistant.db, "telegram")
    configured = bool(settings.token and settings.webhook_secret)
    application = build_application(gate, settings, polling=False) if configured else None
    starting = asyncio.Lock()

    async def ready() -> bool:
        """Started, or started now: a Bot API out of reach at start-up must not stop the
        other channels, so the first update tries again."""
        if application is None:
            return False
        async with starting:
            if not application.running:
                try:
                    await application.initialize()
                    await application.start()
                except TelegramError as error:
                    log.error(
                        "Telegram: the Bot API did not answer getMe (%s); updates get 503 "
                        "until it does.",
                        type(error).__name__,
                    )
                    return False
        return True

    @bp.before_server_start
    async def start(app: Any) -> None:
        await ready()

    @bp.after_server_stop
    async def stop(app: Any) -> None:
        if application is not None:
            if application.running:
                await application.stop()
            await application.shutdown()

    @bp.post("/telegram/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        if application is None or not settings.webhook_secret:
            return response.text("Telegram is not configured on this server.", status=403)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, settings.webhook_secret.encode()):
            return response.text("Wrong or missing secret token.", status=403)
        try:
            data = json.loads((request.body or b"").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return response.text("Send a Telegram update as UTF-8 JSON.", status=400)
        update = parse_update(data, application.bot)
        if update is None:
            return response.text("This is not a Telegram update.", status=400)
        if not await ready():
            return response.text("The Telegram Bot API is out of reach.", status=503)
        if await gate.call(seen.first_time, str(update.update_id), time.time()):
            await application.process_update(update)
        return response.text("OK")

    return bp
