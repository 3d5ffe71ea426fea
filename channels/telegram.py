"""Telegram (placeholder until the Telegram channel lands): refuses every update."""

from __future__ import annotations

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from channels.gate import Gate


def blueprint(gate: Gate) -> Blueprint:
    bp = Blueprint("telegram")

    @bp.post("/telegram/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        return response.text("Telegram is not configured on this server.", status=403)

    return bp
