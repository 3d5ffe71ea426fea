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

from channels.base import SharedLocation
from channels.gate import Gate

MAX_SESSION_ID = 128


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


# The page and its two files, read once when the server starts (fixed names: no request
# path ever reaches the disk).
_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/static/chat.css": ("chat.css", "text/css; charset=utf-8"),
}


def blueprint(gate: Gate) -> Blueprint:
    bp = Blueprint("web")
    static = files("channels").joinpath("static")
    for path, (name, content_type) in _FILES.items():
        body = static.joinpath(name).read_text("utf-8")

        async def serve(
            request: Request, body: str = body, kind: str = content_type
        ) -> HTTPResponse:
            return response.text(body, content_type=kind, headers={"Cache-Control": "no-cache"})

        bp.add_route(serve, path, methods=["GET"], name=name.replace(".", "_"))

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
