"""SMS (and WhatsApp) through Twilio's Messaging webhook: `POST /sms/twilio`.

Every request's `X-Twilio-Signature` is checked with twilio's `RequestValidator` against
WAYFINDER_PUBLIC_URL + path — never against Host or forwarded headers, which a caller
controls. Without TWILIO_AUTH_TOKEN the route refuses everything. Replies are TwiML; a
MessageSid already answered gets an empty `<Response/>`, so Twilio's retries never
double-send. HELP, STOP and START are handled as carriers require; "I want to stop
living" is not an opt-out but a crisis.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import sqlite_utils
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.gsm7 import to_gsm7
from bot.nlu.commands import carrier_keyword
from bot.nlu.message import Message
from bot.privacy import sender_key
from channels.base import SharedLocation, SmsSettings
from channels.gate import Gate, Seen, message_of
from directory.transaction import write_transaction

log = logging.getLogger(__name__)

HELP_REPLY = (
    "Wayfinder: automated help finding detox, shelter & crisis care. Text what you need + "
    "ZIP. Crisis: call/text 988. Emergency: 911. STOP to end."
)
STOPPED_REPLY = (
    "You won't get more messages from Wayfinder. Text START to come back. In a crisis you "
    "can always call or text 988."
)
STARTED_REPLY = "Welcome back to Wayfinder. Text what you need and your ZIP, like: detox 80204"
MEDIA_REPLY = (
    "I can only read text. Send what you need and where, like: shelter 80204. In a crisis "
    "call or text 988."
)


def twiml(replies: list[str]) -> HTTPResponse:
    reply = MessagingResponse()
    for text in replies:
        reply.message(text)
    return response.text(str(reply), content_type="application/xml")


class OptOuts:
    """Senders who texted STOP (by keyed hash), until they text START."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        db.execute("CREATE TABLE IF NOT EXISTS sms_opt_out (key TEXT PRIMARY KEY)")

    def set(self, key: str, out: bool) -> None:
        with write_transaction(self.db):
            if out:
                self.db.execute("INSERT OR IGNORE INTO sms_opt_out (key) VALUES (?)", [key])
            else:
                self.db.execute("DELETE FROM sms_opt_out WHERE key = ?", [key])

    def has(self, key: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM sms_opt_out WHERE key = ?", [key]).fetchone())


def form(request: Request) -> dict[str, str]:
    """The posted form, decoded leniently: bytes that are not UTF-8 become U+FFFD."""
    body = (request.body or b"").decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def blueprint(
    gate: Gate, settings: SmsSettings, db: sqlite_utils.Database, key: bytes
) -> Blueprint:
    bp = Blueprint("sms")
    validator = RequestValidator(settings.auth_token) if settings.auth_token else None
    seen = Seen(db, "twilio")
    opt_outs = OptOuts(db)

    @bp.post("/sms/twilio")
    async def twilio_webhook(request: Request) -> HTTPResponse:
        if validator is None or not settings.public_url:
            return response.text("SMS is not configured on this server.", status=403)
        params = form(request)
        url = settings.public_url.rstrip("/") + request.path
        if request.query_string:
            url += "?" + request.query_string
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(url, params, signature):
            return response.text("Invalid signature.", status=403)
        sid = params.get("MessageSid") or params.get("SmsSid") or ""
        if sid and not seen.first_time(sid):
            return twiml([])
        sender = params.get("From", "")
        if not sender:
            return twiml([])
        return twiml(await _answer(gate, opt_outs, sender, params, key))

    return bp


async def _answer(
    gate: Gate, opt_outs: OptOuts, sender: str, params: Mapping[str, str], key: bytes
) -> list[str]:
    body = params.get("Body", "")
    text = message_of(body, "sms")
    # Carrier keywords are whole-body words, read after cleaning (bot/nlu/commands.py):
    # "STOP" with an invisible character pasted in must still opt out.
    word = carrier_keyword(text)
    hashed = sender_key("sms", sender, key)
    if word == "stop" or params.get("OptOutType", "").upper() == "STOP":
        opt_outs.set(hashed, True)
        return [STOPPED_REPLY]
    stopped = opt_outs.has(hashed)
    if word == "start" and stopped:
        opt_outs.set(hashed, False)
        return [STARTED_REPLY]
    if stopped:
        return []
    if word == "help":
        return [HELP_REPLY]  # "yes" or "start" from a sender who never left is conversation
    message: Message | SharedLocation = text
    if params.get("Latitude") and params.get("Longitude"):
        try:
            message = SharedLocation(float(params["Latitude"]), float(params["Longitude"]))
        except ValueError:
            message = text
    elif not text.text:
        return [MEDIA_REPLY] if int(params.get("NumMedia", "0") or 0) else []
    turn = await gate.answer(sender, message, "sms")
    if turn is None:
        return []
    replies = list(turn.replies)  # already GSM-7 text: the engine renders for "sms"
    if int(params.get("NumMedia", "0") or 0):
        replies.append(MEDIA_REPLY)
    return replies


class TwilioOutbound:
    """Outbound SMS through twilio's REST client (a `bot.outbound.Outbound`)."""

    def __init__(
        self, account_sid: str, auth_token: str, sender: str, http_client: Any = None
    ) -> None:
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.sender = sender

    def send(self, to: str, body: str) -> str:
        message = self.client.messages.create(to=to, from_=self.sender, body=to_gsm7(body))
        return str(message.sid)
