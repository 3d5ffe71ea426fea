"""Telegram's side of a reply: split at 4,096 UTF-16 units, sent with one retry after a
flood-control wait, and the keyboards a turn calls for (a location button, number
buttons for numbered results)."""

import asyncio
import logging
import re
import warnings
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)
from telegram.error import RetryAfter
from telegram.ext import (
    Application,
)
from telegram.warnings import PTBDeprecationWarning

from channels.base import Turn

log = logging.getLogger(__name__)

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
