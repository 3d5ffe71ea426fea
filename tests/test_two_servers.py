"""Two `wayfinder serve` processes on one PostgreSQL database, as a program with two
machines (or a failover pair) runs them: a person's messages may reach either, and
each must answer as if there were one.

The database is a throw-away server's (tests/postgres.py) with the demo directory; every
request is a real signed Twilio webhook to a real server process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot import people
from directory import open_db
from directory.demo import REFERENCE, load_demo
from tests.live_server import running_server
from tests.test_sms import PUBLIC, TOKEN, messages, signed

HMAC_KEY = "two-servers-test-key-" + "0" * 24
STAFF = "+17205550177"


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str, nlu_model: Path
) -> Iterator[tuple[str, str, str]]:
    from tests import postgres

    url = postgres.fresh_database(postgres_server)
    db = open_db(url)
    load_demo(db, REFERENCE)
    (welton,) = db.execute(
        "SELECT id FROM service WHERE name = 'Welton Street Withdrawal Management'"
    ).fetchone()
    people.add(db, STAFF, "staff", HMAC_KEY.encode(), services=[welton], pin="2468")
    db.close()
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "TWILIO_AUTH_TOKEN": TOKEN,
           "WAYFINDER_PUBLIC_URL": PUBLIC, "WAYFINDER_HMAC_KEY": HMAC_KEY}  # fmt: skip
    folder = tmp_path_factory.mktemp("two_servers")
    with (
        running_server(url, env, folder / "a.log") as a,
        running_server(url, env, folder / "b.log") as b,
    ):
        yield a, b, url


def say(base: str, sender: str, body: str) -> list[str]:
    params, signature = signed(body, sender)
    return messages(
        httpx.post(f"{base}/sms/twilio", data=params, headers={"X-Twilio-Signature": signature})
    )


def test_a_conversation_moves_between_servers_with_its_list_and_place(
    servers: tuple[str, str, str],
) -> None:
    a, b, _ = servers
    sender = "+17205550150"
    listed = say(a, sender, "detox 80204")[0]
    second = re.search(r"^2\. (.+?) - ", listed, re.MULTILINE)
    assert second, listed
    assert say(b, sender, "2")[0].startswith(second.group(1))
    more = say(a, sender, "what about shelter")[0]
    assert "helter" in more and "80204" in more


def test_a_message_sid_answered_by_one_server_is_not_answered_by_the_other(
    servers: tuple[str, str, str],
) -> None:
    a, b, _ = servers
    params, signature = signed("detox 80204", "+17205550151")
    headers = {"X-Twilio-Signature": signature}
    first = messages(httpx.post(f"{a}/sms/twilio", data=params, headers=headers))
    again = messages(httpx.post(f"{b}/sms/twilio", data=params, headers=headers))
    assert first and again == []


def test_stop_on_one_server_holds_on_the_other(servers: tuple[str, str, str]) -> None:
    a, b, _ = servers
    sender = "+17205550152"
    assert "won't get more messages" in say(a, sender, "STOP")[0]
    assert say(b, sender, "detox 80204") == []
    assert "Welcome back" in say(b, sender, "START")[0]
    assert say(a, sender, "detox 80204")


def test_a_bed_count_texted_to_one_server_is_what_the_other_shows(
    servers: tuple[str, str, str],
) -> None:
    a, b, _ = servers
    reply = say(a, STAFF, "beds 7 PIN 2468")[0]
    assert "Welton Street Withdrawal Management: 7 of 16 beds open" in reply
    listed = say(b, "+17205550153", "detox 80204")[0]
    assert re.search(r"Welton Street Withdrawal Management - [^\n]*7 of 16 beds open", listed)


def test_no_phone_number_or_message_text_reaches_the_database(
    servers: tuple[str, str, str],
) -> None:
    a, _, url = servers
    say(a, "+17205550154", "my name is Ana and I need a detox bed near 80204")
    db = open_db(url, migrate=False)
    try:
        for (table,) in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall():
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            text = repr(rows)
            # (A staff member's number is kept, by design: the stale-count reminders
            # are texted to it. Nobody else's is.)
            for secret in ("7205550154", "720) 555-0154", "my name is Ana"):
                assert secret not in text, (table, secret)
    finally:
        db.close()
