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
        sid = params.get("MessageSid") or params.get("SmsSid") or ""
        if sid and not await gate.call(seen.first_time, sid, time.time()):
            return twiml([])
        sender = params.get("From", "")
        if not sender:
            return twiml([])
        return twiml(await _answer(gate, opt_outs, sender, params))

    return bp


async def _answer(
    gate: Gate, opt_outs: OptOuts, sender: str, params: Mapping[str, str]
) -> list[str]:
    body = params.get("Body", "")
    text = message_of(body, "sms")
    # Carrier keywords are whole-body words, read after cleaning (bot/nlu/commands.py):
    # "STOP" with an invisible character pasted in must still opt out.
    word = carrier_keyword(text)
    hashed = gate.key(sender, "sms")
    if word == "stop" or params.get("OptOutType", "").upper() == "STOP":
        await gate.call(opt_outs.set, hashed, True)
        return [STOPPED_REPLY]
    stopped = await gate.call(opt_outs.has, hashed)
    if word == "start" and stopped:
        await gate.call(opt_outs.set, hashed, False)
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
