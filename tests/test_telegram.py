"""Telegram end to end: the real server in a subprocess, a real python-telegram-bot
Application inside it, and a stand-in Bot API on 127.0.0.1 that records what the bot sends.
Nothing here reaches api.telegram.org."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from click.testing import CliRunner

from bot.engine import Turn
from channels.gate import Gate
from channels.telegram import (
    TelegramSettings,
    build_application,
    file_url,
    keyboards,
    send,
    split_message,
)
from tests.conftest import ENGINES, Databases, key_env
from tests.live_server import running_server
from wayfinder.cli import cli

TOKEN = "123:TEST"
SECRET = "s3cret-webhook-token"
DENVER = (39.7392, -104.9903)
_update_ids = itertools.count(1000)
_chat_ids = itertools.count(5001)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


class BotApi(ThreadingHTTPServer):
    """A stand-in Telegram Bot API: getMe, sendMessage, answerCallbackQuery, getUpdates."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _BotApiHandler)
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.throttle = 0  # how many sendMessage calls to answer with 429
        self.updates: list[dict[str, Any]] = []  # for getUpdates
        self.message_ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/bot"

    def made(self, method: str, chat: int | None = None) -> list[Call]:
        with self.lock:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat is None or str(c.params.get("chat_id")) == str(chat))
            ]

    def texts(self, chat: int) -> list[str]:
        return [c.params["text"] for c in self.made("sendMessage", chat)]

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append(Call(method, params, time.monotonic()))
            throttled = method == "sendMessage" and self.throttle > 0
            if throttled:
                self.throttle -= 1
        if throttled:
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        if method == "getMe":
            return 200, {
                "ok": True,
                "result": {
                    "id": 123,
                    "is_bot": True,
                    "first_name": "Wayfinder",
                    "username": "wayfinder_bot",
                },
            }
        if method == "sendMessage":
            chat = int(params["chat_id"])
            return 200, {
                "ok": True,
                "result": {
                    "message_id": next(self.message_ids),
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "text": params["text"],
                },
            }
        if method == "getUpdates":
            offset = int(params.get("offset", 0))
            with self.lock:
                waiting = [u for u in self.updates if u["update_id"] >= offset]
            if not waiting:
                time.sleep(0.05)
            return 200, {"ok": True, "result": waiting}
        if method.startswith("unknown path"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": True}


class _BotApiHandler(BaseHTTPRequestHandler):
    server: BotApi

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        if self.path != f"/bot{TOKEN}/{method}":  # a wrong base URL or token: nothing answers
            method = f"unknown path {self.path}"
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(body or "{}")
        else:  # python-telegram-bot posts a form whose complex values are JSON
            params = {k: json.loads(v) if v[:1] in "{[" else v for k, v in parse_qsl(body)}
        status, payload = self.server.answer(method, params)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def bot_api() -> Iterator[BotApi]:
    api = BotApi()
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    yield api
    api.shutdown()
    api.server_close()


@dataclass
class Server:
    url: str
    log: Path


@contextmanager
def telegram_server(db: Path | str, env: dict[str, str], log: Path) -> Iterator[Server]:
    """`wayfinder serve` on a free port, healthy; its output goes to `log`. Telegram and
    Twilio settings of the machine running the tests are blanked."""
    blank = {k: "" for k in os.environ if k.startswith(("TELEGRAM_", "TWILIO_"))}
    settings = {**blank, "NO_PROXY": "127.0.0.1", "WAYFINDER_REPLY_DEADLINE_S": "30", **env}
    with running_server(db, settings, log) as url:
        yield Server(url, log)


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def db_copy(tmp_path_factory: pytest.TempPathFactory, demo_db_path: Path) -> Path:
    path = tmp_path_factory.mktemp("telegram") / "wayfinder.db"
    shutil.copyfile(demo_db_path, path)
    return path


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
    nlu_model: Path,
    bot_api: BotApi,
) -> Iterator[Server]:
    """One server for the module's tests, on a copy of the demo directory: a SQLite
    file, then a PostgreSQL database."""
    env = {
        "WAYFINDER_NLU_MODEL": str(nlu_model),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": bot_api.base_url,
        **key_env(request.param),
    }
    log = tmp_path_factory.mktemp("telegram") / "server.log"
    with telegram_server(databases.demo(request.param), env, log) as running:
        yield running
    output = running.log.read_text()
    assert TOKEN not in output and SECRET not in output  # nor any message text
    assert "detox 80204" not in output


def post(server: Server, body: bytes | dict[str, Any], secret: str | None = SECRET) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(server.url + "/telegram/webhook", data, headers)
    try:
        with OPENER.open(request, timeout=60) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def person(chat: int) -> dict[str, Any]:
    return {"id": chat, "is_bot": False, "first_name": "Sam"}


def message(chat: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "from": person(chat),
        "chat": {"id": chat, "type": "private", "first_name": "Sam"},
        **content,
    }


def text_update(chat: int, text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": next(_update_ids), "message": message(chat, **content)}


def location_update(chat: int, edited: bool = False) -> dict[str, Any]:
    where = {"latitude": DENVER[0], "longitude": DENVER[1]}
    if edited:
        return {
            "update_id": next(_update_ids),
            "edited_message": message(
                chat, location={**where, "live_period": 900}, edit_date=int(time.time())
            ),
        }
    return {"update_id": next(_update_ids), "message": message(chat, location=where)}


def button_update(chat: int, data: str) -> dict[str, Any]:
    shown = {
        "message_id": 1,
        "date": int(time.time()),
        "text": "results",
        "chat": {"id": chat, "type": "private"},
    }
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"query-{chat}",
            "from": person(chat),
            "chat_instance": "1",
            "data": data,
            "message": shown,
        },
    }


def numbered(text: str) -> list[str]:
    return [line.split(".")[0] for line in text.splitlines() if line[:1].isdigit()]


def buttons(call: Call) -> list[list[dict[str, Any]]]:
    """The rows of number buttons under a message."""
    return list(call.params["reply_markup"]["inline_keyboard"])


def test_detox_and_a_zip_gets_numbered_results_with_a_button_per_number(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    assert post(server, text_update(chat, "detox 80204")) == 200
    [sent] = bot_api.made("sendMessage", chat)
    assert sent.params["text"].startswith("Detox near 80204")
    shown = numbered(sent.params["text"])
    assert shown == [str(n) for n in range(1, len(shown) + 1)] and len(shown) >= 3
    row = [b for r in buttons(sent) for b in r]
    assert [(b["text"], b["callback_data"]) for b in row] == [(n, n) for n in shown]


def test_detox_alone_asks_where_with_a_location_button_and_a_shared_location_answers(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    post(server, text_update(chat, "detox"))
    [asked] = bot_api.made("sendMessage", chat)
    assert "Share my location" in asked.params["text"]
    assert asked.params["reply_markup"] == {
        "keyboard": [[{"text": "Share my location", "request_location": True}]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }
    post(server, location_update(chat))
    found = bot_api.texts(chat)[-1]
    assert found.startswith("Detox near your location") and numbered(found)[:2] == ["1", "2"]


def test_a_live_location_answers_a_waiting_search_once_and_then_stays_quiet(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    post(server, text_update(chat, "shelter"))
    post(server, location_update(chat, edited=True))
    assert bot_api.texts(chat)[-1].startswith("Shelter near your location")
    post(server, location_update(chat, edited=True))  # the live location moves on
    assert len(bot_api.texts(chat)) == 2


def test_tapping_a_number_answers_the_button_and_sends_the_details(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    post(server, text_update(chat, "detox 80204"))
    listed = bot_api.texts(chat)[0].splitlines()[2]  # the line for result 2
    assert post(server, button_update(chat, "2")) == 200
    [answered] = [
        c
        for c in bot_api.made("answerCallbackQuery")
        if c.params["callback_query_id"] == f"query-{chat}"
    ]
    details = bot_api.texts(chat)[-1]
    assert "Address:" in details
    assert details.splitlines()[0] == listed.split(". ", 1)[1].split(" - ")[0]
    assert answered.at < bot_api.made("sendMessage", chat)[-1].at


def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_sent(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    assert post(server, text_update(chat, "detox 80204"), secret="guess") == 403
    assert post(server, text_update(chat, "detox 80204"), secret=None) == 403
    assert post(server, text_update(chat, "detox 80204"), secret=SECRET + "x") == 403
    assert bot_api.made("sendMessage", chat) == []


def test_an_update_delivered_twice_is_answered_once(server: Server, bot_api: BotApi) -> None:
    chat = next(_chat_ids)
    update = text_update(chat, "hi")
    assert post(server, update) == 200
    assert post(server, update) == 200
    assert len(bot_api.texts(chat)) == 1


def test_a_crisis_message_gets_988_before_anything_else(server: Server, bot_api: BotApi) -> None:
    chat = next(_chat_ids)
    post(server, text_update(chat, "i want to kill myself"))
    texts = bot_api.texts(chat)
    assert "988" in texts[0] and "911" in texts[0]


def test_a_crisis_message_asking_for_beds_gets_988_then_the_results(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    post(server, text_update(chat, "my brother wants to kill himself, any crisis beds near 80203"))
    first, *rest = bot_api.made("sendMessage", chat)
    assert "988" in first.params["text"] and "reply_markup" not in first.params
    assert numbered(rest[-1].params["text"])[0] == "1" and buttons(rest[-1])


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "not an object"),
        (b'{"message": {"text": "hi"}}', "no update_id"),
        (b'{"update_id": 1, "message": "hi"}', "a message that is not one"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_body_that_is_not_an_update_is_a_400(server: Server, body: bytes, why: str) -> None:
    assert post(server, body) == 400


def test_start_and_help_answer_with_the_assistants_help_naming_988(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    post(server, text_update(chat, "/start"))
    post(server, text_update(chat, "/help"))
    welcome, help_text = bot_api.texts(chat)
    assert welcome.startswith("Hi, I'm Wayfinder") and "988" in welcome
    assert "detox" in help_text and "988" in help_text


def test_a_sticker_gets_a_text_only_answer_naming_988(server: Server, bot_api: BotApi) -> None:
    chat = next(_chat_ids)
    sticker = {
        "file_id": "f",
        "file_unique_id": "u",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    post(server, {"update_id": next(_update_ids), "message": message(chat, sticker=sticker)})
    [reply] = bot_api.texts(chat)
    assert reply.startswith("I can only read text") and "988" in reply


def test_a_flood_control_answer_is_retried_after_the_wait_it_names(
    server: Server, bot_api: BotApi
) -> None:
    chat = next(_chat_ids)
    with bot_api.lock:
        bot_api.throttle = 1
    assert post(server, text_update(chat, "hi")) == 200
    refused, delivered = bot_api.made("sendMessage", chat)
    assert refused.params["text"] == delivered.params["text"]
    assert delivered.at - refused.at >= 0.95  # retry_after: 1


def test_without_a_webhook_secret_every_call_is_refused_and_the_server_says_so(
    tmp_path_factory: pytest.TempPathFactory,
    demo_db_path: Path,
    nlu_model: Path,
    bot_api: BotApi,
) -> None:
    env = {
        "WAYFINDER_NLU_MODEL": str(nlu_model),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": bot_api.base_url,
    }
    chat = next(_chat_ids)
    db = db_copy(tmp_path_factory, demo_db_path)
    with telegram_server(db, env, db.with_suffix(".log")) as unguarded:
        assert post(unguarded, text_update(chat, "detox 80204"), secret="") == 403
        assert post(unguarded, text_update(chat, "detox 80204"), secret=SECRET) == 403
        assert post(unguarded, b"{not json", secret=None) == 403
    log = unguarded.log.read_text()
    assert bot_api.made("sendMessage", chat) == []
    assert (
        "Telegram: TELEGRAM_WEBHOOK_SECRET not set, so /telegram/webhook refuses every "
        "request (403)."
    ) in log


def test_polling_runs_the_same_handlers(make_assistant: Any, bot_api: BotApi) -> None:
    chat = next(_chat_ids)
    update = text_update(chat, "detox 80204")
    with bot_api.lock:
        bot_api.updates.append(update)
    gate = Gate(make_assistant())
    settings = TelegramSettings(TOKEN, None, bot_api.base_url)
    application = build_application(gate, settings, polling=True)

    async def poll() -> None:
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=0)
            for _ in range(600):
                if bot_api.made("sendMessage", chat):
                    break
                await asyncio.sleep(0.05)
            await application.updater.stop()
            await application.stop()

    try:
        asyncio.run(poll())
    finally:
        gate.executor.shutdown()
    [sent] = bot_api.made("sendMessage", chat)
    assert sent.params["text"].startswith("Detox near 80204") and buttons(sent)


def test_polling_without_a_token_says_which_setting_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["telegram", "--polling", "--db", str(tmp_path / "w.db")],
        env={"TELEGRAM_BOT_TOKEN": None},
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather and set "
        "TELEGRAM_BOT_TOKEN to the token it gives you.\n"
    )


def test_the_telegram_command_without_polling_points_to_serve(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["telegram", "--db", str(tmp_path / "w.db")])
    assert result.exit_code == 2
    assert "for the webhook run `wayfinder serve`" in result.stderr


def test_a_long_reply_is_split_at_line_ends_into_messages_telegram_accepts() -> None:
    lines = [f"{n}. A service with a long enough name - 2.9 mi, open now" for n in range(200)]
    text = "\n".join(lines)
    pieces = split_message(text)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text  # every cut was at a line end


def test_a_line_longer_than_a_message_is_cut_at_spaces_and_emoji_count_double() -> None:
    pieces = split_message("word " * 2000)
    assert all(len(p) <= 4096 for p in pieces) and " ".join(pieces).split() == ["word"] * 2000
    emoji = split_message("\U0001f3e0" * 3000)  # 6000 UTF-16 code units, as Telegram counts
    assert [len(p) for p in emoji] == [2048, 952]
    assert split_message("short") == ["short"] and split_message("  \n ") == []


def test_buttons_carry_the_numbers_a_later_page_shows() -> None:
    turn = Turn(
        ["Detox near 80204:\n6. A - open now.\n7. B - open now.\nReply 6-7."],
        "more_results",
        results=[{"id": "a"}, {"id": "b"}],
    )
    [markup] = keyboards(turn)
    assert markup is not None
    assert [[b["callback_data"] for b in row] for row in markup.to_dict()["inline_keyboard"]] == [
        ["6", "7"]
    ]
    assert keyboards(Turn(["Thanks!"], "thanks")) == [None]


def test_send_waits_out_a_flood_control_answer_and_tries_only_once_more(
    bot_api: BotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telegram import Bot
    from telegram.error import RetryAfter

    # PTB 22 warns when RetryAfter is built with an int period, unless asked for timedeltas.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    chat = next(_chat_ids)

    async def twice_throttled() -> None:
        async with Bot(TOKEN, base_url=bot_api.base_url) as bot:
            with bot_api.lock:
                bot_api.throttle = 2
            with pytest.raises(RetryAfter):
                await send(bot, chat, "hello")

    asyncio.run(twice_throttled())
    first, second = bot_api.made("sendMessage", chat)
    assert second.at - first.at >= 0.95


def test_settings_keep_secrets_out_of_their_repr_and_find_the_file_url() -> None:
    settings = TelegramSettings.from_environ(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}
    )
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)
    assert settings.notes() == []
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_url("https://example.org/bot{token}") == "https://example.org/file/bot{token}"
