"""Outbound SMS goes through twilio's own REST client; only its HTTP edge is replaced."""

from __future__ import annotations

import logging
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response

from channels.sms import TwilioOutbound


class RecordingHttp(HttpClient):  # type: ignore[misc]
    """Twilio's HTTP edge, answering like the Messages API instead of calling it."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), False)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, params: Any = None, data: Any = None,
                headers: Any = None, auth: Any = None, timeout: Any = None,
                allow_redirects: bool = False) -> Response:  # fmt: skip
        self.calls.append({"method": method, "url": url, "data": dict(data or {}), "auth": auth})
        return Response(201, '{"sid": "SM123", "status": "queued"}')


def test_a_reminder_is_sent_through_the_messages_api_in_gsm7() -> None:
    http = RecordingHttp()
    outbound = TwilioOutbound("AC" + "0" * 32, "token", "+17205550999", http_client=http)
    assert outbound.send("+17205550100", "Reply with today’s open beds") == "SM123"
    [call] = http.calls
    assert call["method"] == "POST" and call["url"].endswith("/Messages.json")
    assert call["data"] == {"To": "+17205550100", "From": "+17205550999",
                            "Body": "Reply with today's open beds"}  # fmt: skip
