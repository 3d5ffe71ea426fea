"""What workers and servers share through the database — ids answered, opt-outs, rate
counts, chats asked where they are, conversations and their holds — behaves the same on
SQLite and on PostgreSQL. Each test opens two connections to one database, as two workers
(or two servers) would, and what one writes the other must see.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import Conversation, DatabaseStore
from channels import state
from channels.state import Asked, OptOuts, RateCounts, Seen
from directory import open_db
from directory.engine import Database, PostgresDatabase, placeholders
from directory.transaction import write_transaction

Connect = Callable[[], Database]


@pytest.fixture(params=["sqlite", "postgresql"])
def connect(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Connect]:
    """Opens a new connection to one database of the engine, each time it is called."""
    opened: list[Database] = []
    if request.param == "sqlite":
        path = tmp_path / "state.db"

        def new() -> Database:
            opened.append(open_db(path, migrate=False))
            return opened[-1]
    else:
        url = request.getfixturevalue("pg_url")

        def new() -> Database:
            opened.append(PostgresDatabase(url))
            return opened[-1]

    yield new
    for db in opened:
        db.close()


NOW = 1_800_000_000.0  # seconds since the epoch: a fixed moment, kept to the microsecond


def test_an_id_is_answered_once_whichever_connection_sees_it_again(connect: Connect) -> None:
    one, other = Seen(connect(), "twilio"), Seen(connect(), "twilio")
    assert one.first_time("SM1", NOW)
    assert not other.first_time("SM1", NOW + 1)
    assert Seen(connect(), "telegram").first_time("SM1", NOW)  # another channel's id


def test_an_opt_out_holds_everywhere_until_start(connect: Connect) -> None:
    one, other = OptOuts(connect()), OptOuts(connect())
    one.set("sender", True)
    one.set("sender", True)  # STOP twice is still one opt-out
    assert other.has("sender") and not other.has("someone else")
    other.set("sender", False)
    assert not one.has("sender")


def test_rate_counts_add_up_across_connections_and_start_again_after_a_minute(
    connect: Connect,
) -> None:
    one, other = RateCounts(connect()), RateCounts(connect())
    assert one.count("sender", NOW) == (1, None)
    assert other.count("sender", NOW + 10) == (2, None)
    other.noticed("sender", NOW + 10.25)
    assert one.count("sender", NOW + 20) == (3, NOW + 10.25)
    assert one.count("sender", NOW + 61)[0] == 1
    assert other.count("another", NOW + 61)[0] == 1


def test_a_chat_asked_where_it_is_is_known_for_an_hour(connect: Connect) -> None:
    one, other = Asked(connect()), Asked(connect())
    one.set("chat", True, NOW)
    assert other.has("chat", NOW + 60)
    assert not other.has("chat", NOW + state.ASKED_FOR_S + 1)
    other.set("chat", False, NOW + 60)
    assert not one.has("chat", NOW + 61)


def test_purge_removes_only_what_has_expired_in_batches(connect: Connect) -> None:
    db = connect()
    seen, counts = Seen(db, "twilio"), RateCounts(db)
    old = NOW - state.SEEN_FOR_S - 1
    with write_transaction(db):
        db.conn.executemany(
            "INSERT INTO seen_id (kind, id, at) VALUES (?, ?, ?)",
            [("twilio", f"SM{n}", old) for n in range(state.BATCH * 2 + 7)],
        )
    seen.first_time("fresh", NOW)
    counts.count("quiet", NOW - 120)
    counts.count("busy", NOW)
    assert state.purge(db, NOW) == state.BATCH * 2 + 7 + 1
    assert not seen.first_time("fresh", NOW)  # still remembered
    assert seen.first_time("SM3", NOW)  # forgotten, so answered again
    assert counts.count("busy", NOW + 1)[0] == 2


def test_a_conversation_saved_by_one_is_loaded_by_the_other(connect: Connect) -> None:
    one, other = DatabaseStore(connect()), DatabaseStore(connect())
    at = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    one.save("sender", Conversation({"needs": ["detox"], "page": 1}, "search_form", "location"), at)
    loaded = other.load("sender", at + timedelta(minutes=5))
    assert (loaded.slots, loaded.active_loop, loaded.requested_slot) == (
        {"needs": ["detox"], "page": 1}, "search_form", "location")  # fmt: skip
    assert other.load("sender", at + timedelta(hours=2)).expired
    assert one.load("sender", at + timedelta(hours=2)).slots == {}


def test_a_second_turn_of_one_sender_waits_for_the_first(connect: Connect) -> None:
    first, second = DatabaseStore(connect()), DatabaseStore(connect())
    order: list[str] = []
    held = threading.Event()

    def one() -> None:
        with first.hold("sender-a"):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    def other() -> None:
        held.wait()
        with second.hold("sender-b"):
            order.append("other sender")
        with second.hold("sender-a"):
            order.append("second")

    threads = [threading.Thread(target=one), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["other sender", "first done", "second"]


def test_saving_the_conversation_ends_the_turns_hold(connect: Connect) -> None:
    first, second = DatabaseStore(connect()), DatabaseStore(connect())
    at = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    with first.hold("sender"):
        first.save("sender", Conversation({"page": 0}), at)
        started = time.monotonic()
        with second.hold("sender"):
            assert time.monotonic() - started < 0.5


def test_a_hold_left_by_a_dead_worker_runs_out(connect: Connect, monkeypatch: Any) -> None:
    dead, alive = DatabaseStore(connect()), DatabaseStore(connect())
    monkeypatch.setattr("bot.store.LEASE_S", 0.2)
    dead._take("sender-a", "a worker that died")
    started = time.monotonic()
    with alive.hold("sender-a"):
        waited = time.monotonic() - started
    assert 0.1 < waited < 2


def test_a_write_transaction_is_all_or_nothing_and_nests(connect: Connect) -> None:
    db, other = connect(), connect()
    opt_outs = OptOuts(db)
    with pytest.raises(RuntimeError), write_transaction(db):
        opt_outs.set("a", True)
        with write_transaction(db):
            opt_outs.set("b", True)
        raise RuntimeError("the turn failed")
    assert not OptOuts(other).has("a") and not OptOuts(other).has("b")
    with write_transaction(db):
        opt_outs.set("a", True)
        with write_transaction(db):
            opt_outs.set("b", True)
        assert not OptOuts(other).has("a")  # not before the outer block commits
    assert OptOuts(other).has("a") and OptOuts(other).has("b")


def test_parameters_become_psycopgs_outside_quoted_text() -> None:
    sql = "SELECT '?', \"a?\" FROM t WHERE name LIKE '%x%' AND id = ? AND pct = 5 % ?"
    assert placeholders(sql) == (
        "SELECT '?', \"a?\" FROM t WHERE name LIKE '%%x%%' AND id = %s AND pct = 5 %% %s"
    )
