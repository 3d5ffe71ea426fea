"""Privacy by design: hashed senders, a key outside the database, DELETE, retention, and
nothing anyone said or who they are left in the database or the logs."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from twilio.request_validator import RequestValidator

from bot import privacy
from bot.engine import Assistant
from directory import ConfigError, open_db
from directory.demo import REFERENCE
from tests.live_server import running_server
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL


def test_outside_demo_mode_a_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WAYFINDER_HMAC_KEY is not set"):
        privacy.hmac_key(tmp_path / "prod.db", None)
    with pytest.raises(ConfigError, match="at least 16"):
        privacy.hmac_key(tmp_path / "prod.db", "short")
    assert privacy.hmac_key(tmp_path / "prod.db", "k" * 32) == b"k" * 32
    assert not (tmp_path / "prod.db.key").exists()


def test_a_real_directory_will_not_start_without_a_key(tmp_path: Path, nlu_model: Path) -> None:
    db = tmp_path / "real.db"
    open_db(db).close()
    result = CliRunner().invoke(
        cli, ["ask", "--sender", "x", "--db", str(db), "hi"],
        env={"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_HMAC_KEY": ""},
    )  # fmt: skip
    assert result.exit_code == 1 and "WAYFINDER_HMAC_KEY is not set" in result.output


def test_delete_removes_everything_tied_to_the_sender_at_once(make_assistant: Any) -> None:
    assistant: Assistant = make_assistant()
    assistant.handle("+17205550150", "detox 80204", "sms")
    assistant.handle("+17205550151", "shelter 80204", "sms")
    assert assistant.db.execute("SELECT count(*) FROM conversation").fetchone()[0] == 2
    turn = assistant.handle("+17205550150", "DELETE", "sms")
    assert "deleted everything" in turn.replies[0] and "988" in turn.replies[0]
    assert assistant.db.execute("SELECT count(*) FROM conversation").fetchone()[0] == 1
    assert "What kind of help" in assistant.handle("+17205550150", "80204", "sms").replies[0]
    # "I want to delete myself" is not a request to delete data.
    assert assistant.handle("+17205550152", "i want to delete myself", "sms").handoff == "988"


def test_purge_keeps_only_what_is_recent(make_assistant: Any) -> None:
    assistant: Assistant = make_assistant()
    old, new = REFERENCE - timedelta(days=40), REFERENCE
    assistant.handle("+17205550153", "detox 80204", "sms", at=old)
    assistant.handle("+17205550154", "detox 80204", "sms", at=new)
    removed = privacy.purge(assistant.db, timedelta(days=30), new)
    assert removed["conversation"] == 1 and removed["event"] == 1
    assert assistant.db.execute("SELECT count(*) FROM event").fetchone()[0] == 1


def test_the_purge_command(assistant_db_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["privacy", "purge", "--older-than", "30d", "--db", str(assistant_db_path), "--json"]
    )
    assert result.exit_code == 0 and "conversation" in json.loads(result.stdout)
    bad = CliRunner().invoke(cli, ["privacy", "purge", "--older-than", "a month"])
    assert bad.exit_code == 2 and "like 30d" in bad.output


# --- nothing left behind -------------------------------------------------------------

PHONES = ["+15055550161", "+15055550162", "+15755550163"]  # not in the demo data
CHAT_IDS = ["987650001", "987650002"]
MESSAGES = [
    "i need detox for my brother near 80204",
    "my name is Maria Lopez and I have nowhere to sleep tonight",
    "i dont want to be alive anymore",
    "he took a bunch of pills and wont wake up",
    "necesito un refugio en aurora para mi hija",
    "the second one",
    "csu near 1600 Pearl St",
]


def _forms(number: str) -> list[str]:
    digits = number.lstrip("+")
    return [number, digits, digits[1:], f"{digits[1:4]}-{digits[4:7]}-{digits[7:]}"]


def test_no_number_id_or_message_is_left_in_the_database_or_the_log(
    tmp_path: Path, demo_db_path: Path, nlu_model: Path
) -> None:
    db = tmp_path / "private.db"
    shutil.copyfile(demo_db_path, db)
    log = tmp_path / "server.log"
    token, public = "privacy-token", "https://bot.example.org"
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "TWILIO_AUTH_TOKEN": token,
           "WAYFINDER_PUBLIC_URL": public, "WAYFINDER_HMAC_KEY": "p" * 32}  # fmt: skip
    with running_server(db, env, log) as base:
        for n, (phone, text) in enumerate((p, m) for p in PHONES for m in MESSAGES):
            params = {"MessageSid": f"SMprivacy{n}", "From": phone, "Body": text}
            signature = RequestValidator(token).compute_signature(f"{public}/sms/twilio", params)
            reply = httpx.post(f"{base}/sms/twilio", data=params,
                               headers={"X-Twilio-Signature": signature})  # fmt: skip
            assert reply.status_code == 200
        for session in CHAT_IDS:
            for text in MESSAGES:
                assert httpx.post(f"{base}/chat", json={"session_id": session, "text": text}
                                  ).status_code == 200  # fmt: skip
    # Telegram senders through the same engine, on the same file.
    assistant = Assistant.open(db, model=nlu_model)
    for chat_id in CHAT_IDS:
        for text in MESSAGES:
            assistant.handle(chat_id, text, "telegram")
    assistant.db.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("private"))
    stored += log.read_bytes()
    assert b"SELECT" not in log.read_bytes()  # sanity: the log is the request log
    for phone in PHONES:
        for form in _forms(phone):
            assert form.encode() not in stored, form
    for chat_id in CHAT_IDS:
        assert chat_id.encode() not in stored, chat_id
    for text in MESSAGES:
        assert text.encode() not in stored, text
    # …and the conversations and events really are there, under hashes.
    check = open_db(db)
    assert check.execute("SELECT count(*) FROM conversation").fetchone()[0] >= 7
    assert check.execute("SELECT count(*) FROM event WHERE handoff = '988'").fetchone()[0] >= 3
