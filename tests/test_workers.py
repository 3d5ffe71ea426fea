"""`wayfinder serve --workers 2`: two processes on one port and one database file, each
answering whatever the kernel hands it. Whatever one worker learnt of a sender, the other
must know: the conversation, an opt-out, a MessageSid already answered, the rate count.

Requests go out on fresh connections, so that they spread over both workers; the
server's log (one line per request, with the worker's pid) shows that both answered.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.live_server import running_server
from tests.test_sms import PUBLIC, TOKEN, messages, signed

RATE = 6


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, demo_db_path: Path, nlu_model: Path
) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("workers")
    db = folder / "workers.db"
    shutil.copyfile(demo_db_path, db)
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "TWILIO_AUTH_TOKEN": TOKEN,
           "WAYFINDER_PUBLIC_URL": PUBLIC, "WAYFINDER_RATE_PER_MINUTE": str(RATE)}  # fmt: skip
    log = folder / "server.log"
    with running_server(db, env, log, workers=2) as base:
        yield base, log


def post(base: str, params: dict[str, str], signature: str) -> httpx.Response:
    """On a new connection each time: the next request may reach the other worker."""
    with httpx.Client(trust_env=False, timeout=30) as client:
        return client.post(
            f"{base}/sms/twilio", data=params, headers={"X-Twilio-Signature": signature}
        )


def say(base: str, sender: str, body: str) -> list[str]:
    return messages(post(base, *signed(body, sender)))


def workers_that_answered(log: Path, after: str = "") -> set[str]:
    """The pids in the server's request lines (those logged since `after` was read)."""
    text = log.read_text()[len(after) :]
    return set(re.findall(r"\[(\d+)\] wayfinder\.http POST /sms/twilio 200", text))


def test_conversations_keep_their_list_and_place_whichever_worker_answers(
    served: tuple[str, Path],
) -> None:
    base, log = served

    def conversation(n: int) -> tuple[str, str, str, str]:
        sender = f"+1720555{n:04d}"
        listed = say(base, sender, "detox 80204")[0]
        details = say(base, sender, "2")[0]
        more = say(base, sender, "what about shelter")[0]
        return listed, details, more, sender

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(conversation, range(24)))
    for listed, details, more, sender in answers:
        second = re.search(r"^2\. (.+?) - ", listed, re.MULTILINE)
        assert second, listed
        assert details.startswith(second.group(1)), (sender, details)
        # The place carried over from the first message: shelter near the same ZIP.
        assert "80204" in more and "helter" in more, (sender, more)
    assert len(workers_that_answered(log)) == 2


def test_a_message_sid_is_answered_once_though_both_workers_get_it(
    served: tuple[str, Path],
) -> None:
    base, log = served
    before = log.read_text()
    sent = [signed(f"detox 8020{n % 5}", f"+172055590{n:02d}") for n in range(16)]
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda sent: messages(post(base, *sent)), sent * 4))
    for n in range(16):
        copies = replies[n::16]
        assert sum(1 for r in copies if r) == 1, copies
    assert len(workers_that_answered(log, after=before)) == 2


def test_stop_on_one_worker_holds_on_the_other(served: tuple[str, Path]) -> None:
    base, log = served
    before = log.read_text()
    senders = [f"+172055591{n:02d}" for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        stopped = list(pool.map(lambda sender: say(base, sender, "STOP"), senders))
        assert all("won't get more messages" in r[0] for r in stopped)
        after = list(pool.map(lambda sender: say(base, sender, "detox 80204"), senders * 4))
    assert after == [[]] * 32
    assert len(workers_that_answered(log, after=before)) == 2
    assert "Welcome back" in say(base, senders[0], "START")[0]
    assert say(base, senders[0], "detox 80204")


def test_the_rate_limit_counts_a_sender_across_workers(served: tuple[str, Path]) -> None:
    base, log = served
    before = log.read_text()
    senders = [f"+172055592{n:02d}" for n in range(4)]
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda sender: (sender, say(base, sender, "hi")),
                                senders * (RATE + 6)))  # fmt: skip
    for sender in senders:
        own = [r for s, r in replies if s == sender]
        assert len([r for r in own if r and "faster than I can help" in r[0]]) == 1
        assert len([r for r in own if not r]) == 5
    assert len(workers_that_answered(log, after=before)) == 2
    # A crisis message still gets through, to 988.
    assert "988" in say(base, senders[0], "i want to kill myself")[0]
