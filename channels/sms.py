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
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.gsm7 import to_gsm7
from bot.nlu.commands import carrier_keyword
from bot.nlu.message import Message
from channels.base import SharedLocation, SmsSettings
from channels.gate import Gate, message_of
from channels.state import OptOuts, Seen
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


def form(request: Request) -> dict[str, str]:
    """The posted form, decoded leniently: bytes that are not UTF-8 become U+FFFD."""
    body = (request.body or b"").decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def blueprint(gate: Gate, settings: SmsSettings) -> Blueprint:
    bp = Blueprint("sms")
    validator = RequestValidator(settings.auth_token) if settings.auth_token else None
    seen = Seen(gate.assistant.db, "twilio")
    opt_outs = OptOuts(gate.assistant.db)

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
        return twiml(await _answer(gate, seen, opt_outs, params))

    return bp


async def _answer(
    gate: Gate, seen: Seen, opt_outs: OptOuts, params: Mapping[str, str]
) -> list[str]:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    sender = params.get("From", "")
    text = message_of(params.get("Body", ""), "sms")
    # Carrier keywords are whole-body words, read after cleaning (bot/nlu/commands.py):
    # "STOP" with an invisible character pasted in must still opt out.
    word = carrier_keyword(text)
    if params.get("OptOutType", "").upper() == "STOP":
        word = "stop"
    hashed = gate.key(sender, "sms") if sender else ""
    first, stopped = await gate.call(_record, seen, opt_outs, sid, hashed, word)
    if not first or not sender:
        return []
    if word == "stop":
        return [STOPPED_REPLY]
    if word == "start" and stopped:
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


def _record(seen: Seen, opt_outs: OptOuts, sid: str, key: str, word: str) -> tuple[bool, bool]:
    """In one write: the MessageSid (False the second time: a retry is not answered again)
    and the sender's opt-out, as it was before this message, with STOP or START applied."""
    with write_transaction(seen.db):
        if sid and not seen.first_time(sid, time.time()):
            return False, False
        if not key:
            return True, False
        stopped = opt_outs.has(key)
        if word == "stop" and not stopped:
            opt_outs.set(key, True)
        elif word == "start" and stopped:
            opt_outs.set(key, False)
        return True, stopped


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
