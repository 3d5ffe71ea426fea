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

    messages.py  splitting, sending, keyboards
    handlers.py  the Application and its handlers (webhook and polling alike)
    route.py     the webhook route
"""

from __future__ import annotations

from channels.base import TelegramSettings
from channels.telegram.handlers import Handlers, build_application
from channels.telegram.messages import (
    ALLOWED_UPDATES,
    MAX_MESSAGE,
    MEDIA_REPLY,
    SHARE_LOCATION,
    file_url,
    keyboards,
    send,
    split_message,
)
from channels.telegram.route import SECRET_HEADER, blueprint, parse_update

__all__ = ["ALLOWED_UPDATES", "MAX_MESSAGE", "MEDIA_REPLY", "SECRET_HEADER", "SHARE_LOCATION",
           "Handlers", "TelegramSettings", "blueprint", "build_application", "file_url",
           "keyboards", "parse_update", "send", "split_message"]  # fmt: skip
