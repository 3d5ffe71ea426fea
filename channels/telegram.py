"""Telegram through a real python-telegram-bot `Application`: `POST /telegram/webhook`, or
`wayfinder telegram --polling` where there is no public URL. Both run the same handlers.

Webhook calls must carry TELEGRAM_WEBHOOK_SECRET in `X-Telegram-Bot-Api-Secret-Token`
(set with setWebhook's `secret_token`); without that setting or TELEGRAM_BOT_TOKEN the
route refuses everything. Each update is processed before the route answers, so a reply
has gone out (or failed) by the time Telegram gets its 200; an `update_id` already seen
is acknowledged and not answered again.

    text, /start, /help, a tapped number ─→ Gate.answer(chat id, text, "telegram")
    a shared location (live ones too)    ─→ Gate.answer(chat id, SharedLocation, ...)
    replies ─→ sendMessage, split at 4096, one retry after a flood-control wait;
               "Share my location" → a location button; numbered results → number buttons
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import warnings
from datetime import timedelta
from typing import Any

import sqlite_utils
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from channels.base import SharedLocation, TelegramSettings, Turn
from channels.gate import RATE_NOTICE, Gate, Seen
from directory import ConfigError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_MESSAGE = 4096  # Telegram's limit, in UTF-16 code units
MAX_RETRY_WAIT_S = 30.0
SHARE_LOCATION = "Share my location"  # the label the domain's telegram utter_ask_location names
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MEDIA_REPLY = (
    "I can only read text. Send what you need and where, like: shelter 80204, or share your "
    "location. In a crisis call or text 988."
)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # the details' map link needs no preview
_NUMBERED = re.compile(r"^(\d{1,3})\. ", re.MULTILINE)
_ASKED_MAX = 10_000

TelegramApp = Application[Any, Any, Any, Any, Any, Any]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


def file_url(base_url: str) -> str:
    """The Bot API file URL beside a `base_url`: `.../bot` → `.../file/bot`."""
    head, found, tail = base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if found else base_url.rstrip("/") + "/file/bot"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> int:
    """How many leading characters of `text` fit in `limit` UTF-16 code units (at least 1)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return max(index, 1)
    return len(text)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The text as messages Telegram accepts: each at most `limit` UTF-16 code units (as
    Telegram counts), cut at a line end where possible, else at a space, else anywhere."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        joined = f"{current}\n{line}" if current else line
        if _units(joined) <= limit:
            current = joined
            continue
        if current:
            pieces.append(current)
        while _units(line) > limit:
            cut = _fitting(line, limit)
            space = line.rfind(" ", 0, cut + 1)
            cut = space if space > 0 else cut
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        current = line
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int until PTB 23, then a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send(bot: Bot, chat_id: int, text: str, markup: Markup | None = None) -> None:
    """One message; after a flood-control answer (429), waits as told (at most 30 s) and
    tries once more."""
    for attempt in (1, 2):
        try:
            await bot.send_message(
                chat_id, text, reply_markup=markup, link_preview_options=NO_PREVIEW
            )
            return
        except RetryAfter as error:
            if attempt == 2:
                raise
            await asyncio.sleep(min(_seconds(error), MAX_RETRY_WAIT_S))


def _choices(turn: Turn) -> tuple[int, list[str]] | None:
    """Which reply lists the results, and the numbers it shows them under (a later page
    keeps counting: 6, 7, ...)."""
    if not turn.results:
        return None
    for index in range(len(turn.replies) - 1, -1, -1):
        if numbers := _NUMBERED.findall(turn.replies[index]):
            return index, numbers[-len(turn.results) :]
    return None


def keyboards(turn: Turn) -> list[Markup | None]:
    """The markup for each reply: number buttons under the results, a location button
    under a question about where the person is."""
    marks: list[Markup | None] = [None] * len(turn.replies)
    for index, text in enumerate(turn.replies):
        if SHARE_LOCATION in text:
            marks[index] = ReplyKeyboardMarkup(
                [[KeyboardButton(SHARE_LOCATION, request_location=True)]],
                one_time_keyboard=True,
                resize_keyboard=True,
            )
    if choices := _choices(turn):
        index, numbers = choices
        rows = [numbers[start : start + 5] for start in range(0, len(numbers), 5)]
        marks[index] = InlineKeyboardMarkup(
            [[InlineKeyboardButton(n, callback_data=n) for n in row] for row in rows]
        )
    return marks


class Handlers:
    """The Telegram side of a conversation: update in, Gate.answer, replies out."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        # Chats last asked where they are. A live location repeats itself as edited
        # messages every few seconds; only these chats have a search waiting for it.
        self.asked_where: dict[int, None] = {}

    def install(self, application: TelegramApp) -> None:
        new = filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler(["start", "help"], self.on_help, filters=new))
        application.add_handler(MessageHandler(filters.LOCATION, self.on_location))
        application.add_handler(MessageHandler(new & filters.COMMAND, self.on_help))
        application.add_handler(MessageHandler(new & filters.TEXT, self.on_text))
        application.add_handler(CallbackQueryHandler(self.on_choice, pattern=r"^\d{1,3}$"))
        application.add_handler(CallbackQueryHandler(self.on_stray_button))
        application.add_handler(MessageHandler(new & ~filters.StatusUpdate.ALL, self.on_media))
        application.add_error_handler(self.on_error)

    async def reply(self, bot: Bot, chat_id: int, message: str | SharedLocation) -> None:
        turn = await self.gate.answer(str(chat_id), message, "telegram")
        if turn is None:
            return
        self.asked_where.pop(chat_id, None)
        marks = keyboards(turn)
        for text, mark in zip(turn.replies, marks, strict=True):
            if isinstance(mark, ReplyKeyboardMarkup):
                self.asked_where[chat_id] = None
                while len(self.asked_where) > _ASKED_MAX:
                    del self.asked_where[next(iter(self.asked_where))]
            pieces = split_message(text)
            for number, piece in enumerate(pieces, 1):
                await send(bot, chat_id, piece, mark if number == len(pieces) else None)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self.reply(context.bot, message.chat_id, message.text)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            start = (message.text or "").lower().startswith("/start")
            await self.reply(context.bot, message.chat_id, "hi" if start else "help")

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.location is None:
            return
        if update.edited_message is not None and message.chat_id not in self.asked_where:
            return  # a live location moving on: nothing is waiting for it
        where = SharedLocation(message.location.latitude, message.location.longitude)
        await self.reply(context.bot, message.chat_id, where)

    async def on_choice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stops the button's spinner; the reply matters more
        except TelegramError as error:
            log.warning("Telegram: answerCallbackQuery failed (%s)", type(error).__name__)
        chat = update.effective_chat
        chat_id = chat.id if chat is not None else query.from_user.id
        await self.reply(context.bot, chat_id, query.data or "")

    async def on_stray_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        if message.caption:
            await self.reply(context.bot, message.chat_id, message.caption)
        else:  # stickers count against the sender's rate like text does
            verdict = self.gate.limited(f"telegram:{message.chat_id}")
            if verdict is not None:
                if verdict == "notice":
                    await send(context.bot, message.chat_id, RATE_NOTICE)
                return
        await send(context.bot, message.chat_id, MEDIA_REPLY)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Never the update itself: it holds what the person wrote.
        log.error("Telegram update failed", exc_info=context.error)


def build_application(gate: Gate, settings: TelegramSettings, *, polling: bool) -> TelegramApp:
    """An Application with our handlers: fed by the webhook route, or with an Updater for
    long polling."""
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set.")
    # httpx logs each request's URL at INFO, and a Bot API URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = ApplicationBuilder().token(settings.token)
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url).base_file_url(
            file_url(settings.api_base_url)
        )
    if not polling:
        builder = builder.updater(None)
    application: TelegramApp = builder.build()
    Handlers(gate).install(application)
    return application


def parse_update(data: object, bot: Bot) -> Update | None:
    """The update in a decoded webhook body, or None when it is not one."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError):
        return None


def blueprint(gate: Gate, settings: TelegramSettings, db: sqlite_utils.Database) -> Blueprint:
    bp = Blueprint("telegram")
    seen = Seen(db, "telegram")
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
        if seen.first_time(str(update.update_id)):
            await application.process_update(update)
        return response.text("OK")

    return bp
