"""What the bot does with each kind of Telegram update (text, /start, /help, a shared
location, a tapped number, a picture), through a real python-telegram-bot Application."""

import logging
import time

from telegram import (
    Bot,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from channels.base import SharedLocation, TelegramSettings
from channels.gate import RATE_NOTICE, Gate
from channels.state import Asked
from channels.telegram.messages import (
    MEDIA_REPLY,
    TelegramApp,
    file_url,
    keyboards,
    send,
    split_message,
)
from directory import ConfigError

log = logging.getLogger(__name__)


class Handlers:
    """The Telegram side of a conversation: update in, Gate.answer, replies out."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.asked = Asked(gate.assistant.db)

    def _key(self, chat_id: int) -> str:
        return self.gate.key(str(chat_id), "telegram")

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
        marks = keyboards(turn)
        asked = any(isinstance(mark, ReplyKeyboardMarkup) for mark in marks)
        await self.gate.call(self.asked.set, self._key(chat_id), asked, time.time())
        for text, mark in zip(turn.replies, marks, strict=True):
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
        if update.edited_message is not None and not await self.gate.call(
            self.asked.has, self._key(message.chat_id), time.time()
        ):
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
            verdict = await self.gate.call(self.gate.limited, self._key(message.chat_id))
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
