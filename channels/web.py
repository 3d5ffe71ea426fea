"""The web chat: `GET /` serves one small page, `POST /chat` is its JSON API.

Request `{"session_id": "...", "text": "..."}` or `{"session_id": "...", "latitude": ..,
"longitude": ..}`; the answer is shaped like `wayfinder ask --json`.
"""

from __future__ import annotations

import json
import math
from importlib.resources import files
from typing import Any

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot.engine import SharedLocation
from channels.gate import Gate

MAX_SESSION_ID = 128


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _asset(name: str, content_type: str) -> HTTPResponse:
    """The page's script or style sheet; two fixed names, so no path reaches the disk."""
    body = files("channels").joinpath("static", name).read_text("utf-8")
    return response.text(body, content_type=content_type, headers={"Cache-Control": "no-cache"})


def blueprint(gate: Gate) -> Blueprint:
    bp = Blueprint("web")

    @bp.get("/")
    async def page(request: Request) -> HTTPResponse:
        html = files("channels").joinpath("static/index.html").read_text("utf-8")
        return response.html(html, headers={"Cache-Control": "no-cache"})

    @bp.get("/static/chat.js")
    async def script(request: Request) -> HTTPResponse:
        return _asset("chat.js", "text/javascript; charset=utf-8")

    @bp.get("/static/chat.css")
    async def style(request: Request) -> HTTPResponse:
        return _asset("chat.css", "text/css; charset=utf-8")

    @bp.post("/chat")
    async def chat(request: Request) -> HTTPResponse:
        try:
            data = json.loads((request.body or b"").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _error('Send JSON: {"session_id": "...", "text": "..."}.')
        if not isinstance(data, dict):
            return _error('Send a JSON object: {"session_id": "...", "text": "..."}.')
        session = data.get("session_id")
        if not isinstance(session, str) or not 0 < len(session) <= MAX_SESSION_ID:
            return _error(f"session_id must be a string of 1 to {MAX_SESSION_ID} characters.")
        message: str | SharedLocation
        if "latitude" in data or "longitude" in data:
            lat, lon = _number(data.get("latitude")), _number(data.get("longitude"))
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return _error("latitude and longitude must be numbers on the globe.")
            message = SharedLocation(lat, lon)
        else:
            text = data.get("text")
            if not isinstance(text, str) or not text.strip():
                return _error("text must be a non-empty string.")
            message = text
        turn = await gate.answer(session, message, "web")
        if turn is None:
            return response.json({"replies": [], "intent": "rate_limited", "results": [],
                                  "handoff": None})  # fmt: skip
        return response.json(turn.as_json())

    return bp
