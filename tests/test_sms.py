"""SMS through the real server: requests signed with twilio's own RequestValidator."""

from __future__ import annotations

import random
import shutil
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from bot.gsm7 import is_gsm7
from tests.conftest import ENGINES, Databases, key_env
from tests.live_server import running_server

TOKEN = "test-auth-token"
PUBLIC = "https://bot.example.org"
URL = f"{PUBLIC}/sms/twilio"


@pytest.fixture(scope="module", params=ENGINES)
def server(request: pytest.FixtureRequest, databases: Databases, nlu_model: Path) -> Iterator[str]:
    """One server for the module's tests, on a copy of the demo directory: a SQLite
    file, then a PostgreSQL database."""
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "TWILIO_AUTH_TOKEN": TOKEN,
           "WAYFINDER_PUBLIC_URL": PUBLIC, "WAYFINDER_RATE_PER_MINUTE": "10",
           **key_env(request.param)}  # fmt: skip
    with running_server(databases.demo(request.param), env) as base:
        yield base


_sids = iter(range(10**6))


def signed(body: str, sender: str = "+17205550100", **extra: str) -> tuple[dict[str, str], str]:
    """A message as Twilio would send it (a new MessageSid), and its signature for the
    public URL."""
    params = {"MessageSid": f"SM{next(_sids):032d}", "From": sender, "To": "+17205550999",
              "Body": body, "NumMedia": "0", **extra}  # fmt: skip
    return params, RequestValidator(TOKEN).compute_signature(URL, params)


def text(server: str, body: str, sender: str = "+17205550100", **extra: str) -> httpx.Response:
    """POST a message as Twilio would, signed for the public URL."""
    params, signature = signed(body, sender, **extra)
    return httpx.post(
        f"{server}/sms/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )


def messages(reply: httpx.Response) -> list[str]:
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(reply.text)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


def test_a_search_by_text_answers_in_twiml_within_sms_limits(server: str) -> None:
    replies = messages(text(server, "detox 80204", sender="+17205550101"))
    assert len(replies) == 1
    assert "1. " in replies[0] and "720-555-0158" in replies[0]
    assert len(replies[0]) <= 480 and is_gsm7(replies[0])


def test_the_conversation_goes_on_by_phone_number(server: str) -> None:
    assert "Where are you?" in messages(text(server, "shelter", sender="+17205550102"))[0]
    assert "Shelter near 80204" in messages(text(server, "80204", sender="+17205550102"))[0]


def test_a_forged_or_missing_signature_is_refused_and_changes_nothing(server: str) -> None:
    params = {"MessageSid": "SMforged", "From": "+17205550103", "Body": "detox"}
    forged = RequestValidator("not-the-token").compute_signature(URL, params)
    for headers in ({"X-Twilio-Signature": forged}, {}):
        reply = httpx.post(f"{server}/sms/twilio", data=params, headers=headers)
        assert reply.status_code == 403
    # Had "detox" been taken, this place would now complete a detox search.
    assert "What kind of help" in messages(text(server, "80204", sender="+17205550103"))[0]


def test_a_signature_for_another_host_is_refused(server: str) -> None:
    params = {"MessageSid": "SMotherhost", "From": "+17205550104", "Body": "hi"}
    signature = RequestValidator(TOKEN).compute_signature(f"{server}/sms/twilio", params)
    reply = httpx.post(
        f"{server}/sms/twilio", data=params,
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Host": "127.0.0.1"},
    )  # fmt: skip
    assert reply.status_code == 403


def test_a_retried_message_sid_is_not_answered_twice(server: str) -> None:
    params = {"MessageSid": "SMretry0001", "From": "+17205550105", "Body": "detox 80204"}
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    headers = {"X-Twilio-Signature": signature}
    first = httpx.post(f"{server}/sms/twilio", data=params, headers=headers)
    second = httpx.post(f"{server}/sms/twilio", data=params, headers=headers)
    assert messages(first) and messages(second) == []


def test_help_is_one_short_reply_naming_988_and_911(server: str) -> None:
    replies = messages(text(server, "HELP", sender="+17205550106"))
    assert len(replies) == 1 and len(replies[0]) <= 160
    assert "988" in replies[0] and "911" in replies[0] and "Wayfinder" in replies[0]


def test_stop_confirms_once_with_988_then_silence_until_start(server: str) -> None:
    sender = "+17205550107"
    stopped = messages(text(server, "stop", sender=sender))
    assert len(stopped) == 1 and "988" in stopped[0]
    assert messages(text(server, "detox 80204", sender=sender)) == []
    assert messages(text(server, "START", sender=sender))
    assert "Detox near 80204" in messages(text(server, "detox 80204", sender=sender))[0]


def test_stop_with_an_invisible_character_pasted_in_still_opts_out(server: str) -> None:
    """Carriers require STOP to work; a zero-width space from a copied text must not hide it."""
    sender = "+17205550117"
    stopped = messages(text(server, "\u200bSTOP\u200d.", sender=sender))
    assert len(stopped) == 1 and "won't get more messages" in stopped[0]
    assert messages(text(server, "detox 80204", sender=sender)) == []


def test_wanting_to_stop_living_is_a_crisis_not_an_opt_out(server: str) -> None:
    replies = messages(text(server, "I want to stop living", sender="+17205550108"))
    assert "988" in replies[0]
    assert "detox 80204" in " ".join(messages(text(server, "hi", sender="+17205550108")))


def test_a_whatsapp_location_answers_a_pending_search(server: str) -> None:
    sender = "whatsapp:+17205550109"
    assert "Where are you?" in messages(text(server, "detox", sender=sender))[0]
    shared = text(server, "", sender=sender, Latitude="39.7392", Longitude="-104.9903")
    assert "Detox near your location" in messages(shared)[0]


def test_a_picture_gets_a_polite_text_only_answer(server: str) -> None:
    replies = messages(text(server, "", sender="+17205550110", NumMedia="1",
                            MediaUrl0="https://api.twilio.com/media/ME1"))  # fmt: skip
    assert len(replies) == 1 and "only read text" in replies[0] and "988" in replies[0]


def test_a_flood_gets_one_notice_but_a_crisis_is_always_answered(server: str) -> None:
    sender = "+17205550111"
    replies = [messages(text(server, "hello", sender=sender)) for _ in range(13)]
    assert all(r for r in replies[:10])
    assert "wait a minute" in replies[10][0]
    assert replies[11] == [] and replies[12] == []
    crisis = messages(text(server, "i want to kill myself", sender=sender))
    assert "988" in crisis[0]


def test_an_oversized_body_is_refused_with_413(server: str) -> None:
    reply = httpx.post(f"{server}/sms/twilio", content=b"Body=" + b"a" * 70_000,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert reply.status_code == 413


def test_a_long_message_is_cut_not_refused(server: str) -> None:
    replies = messages(text(server, "detox 80204 " + "please " * 400, sender="+17205550112"))
    assert "Detox near 80204" in replies[0]


def test_invisible_and_bidi_characters_do_not_hide_words(server: str) -> None:
    replies = messages(text(server, "de\u200btox\u202e 80204", sender="+17205550113"))
    assert "Detox near 80204" in replies[0]


def _random_body(rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    if kind == 1:
        alphabet = string.printable + "\u00e9\u200b\u202e\ud7ff\U0001f600=&%"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(300))).encode(
            "utf-8", "surrogatepass"
        )
    if kind == 2:
        return b"Body=%FF%FE%00&From=" + bytes(rng.randrange(256) for _ in range(20))
    if kind == 3:
        return b"&".join(b"k%d=%s" % (i, b"%" * rng.randrange(5)) for i in range(50))
    return b"=" * rng.randrange(100)


def test_thousands_of_random_bodies_never_get_a_500(server: str) -> None:
    rng = random.Random(7)
    statuses: dict[int, int] = {}
    with httpx.Client() as client:
        for _ in range(2000):
            path = rng.choice(["/sms/twilio", "/chat", "/telegram/webhook"])
            headers: dict[str, Any] = {
                "Content-Type": rng.choice(
                    ["application/x-www-form-urlencoded", "application/json", "text/plain"]
                )
            }
            if rng.random() < 0.3:
                headers["X-Twilio-Signature"] = "".join(rng.choices(string.ascii_letters, k=28))
            reply = client.post(f"{server}{path}", content=_random_body(rng), headers=headers)
            statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
    assert not [status for status in statuses if status >= 500], statuses
    assert httpx.get(f"{server}/healthz").status_code == 200


def test_the_log_has_one_line_per_request_without_numbers_or_words(
    tmp_path: Path, demo_db_path: Path, nlu_model: Path
) -> None:
    db = tmp_path / "log.db"
    shutil.copyfile(demo_db_path, db)
    log = tmp_path / "server.log"
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "TWILIO_AUTH_TOKEN": TOKEN,
           "WAYFINDER_PUBLIC_URL": PUBLIC}  # fmt: skip
    with running_server(db, env, log) as base:
        messages(text(base, "my son needs detox in 80204", sender="+17205550177"))
    written = log.read_text()
    assert "POST /sms/twilio 200" in written
    for secret in ("7205550177", "detox", "80204", TOKEN):
        assert secret not in written


def test_without_a_token_sms_is_refused_and_the_server_says_so(
    tmp_path: Path, demo_db_path: Path, nlu_model: Path
) -> None:
    db = tmp_path / "bare.db"
    shutil.copyfile(demo_db_path, db)
    log = tmp_path / "server.log"
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "TWILIO_AUTH_TOKEN": "",
           "WAYFINDER_PUBLIC_URL": PUBLIC}  # fmt: skip
    with running_server(db, env, log) as base:
        params = {"MessageSid": "SMx", "From": "+17205550178", "Body": "detox"}
        signature = RequestValidator("").compute_signature(URL, params)
        reply = httpx.post(f"{base}/sms/twilio", data=params,
                           headers={"X-Twilio-Signature": signature})  # fmt: skip
        assert reply.status_code == 403
    assert "TWILIO_AUTH_TOKEN" in log.read_text()


def test_yes_from_a_sender_who_never_stopped_is_conversation_not_a_welcome_back(
    server: str,
) -> None:
    sender = "+17205550127"
    messages(text(server, "detox 80204", sender=sender))
    replies = messages(text(server, "yes", sender=sender))
    assert replies and "Welcome back" not in " ".join(replies)
