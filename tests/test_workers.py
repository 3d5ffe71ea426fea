"""`wayfinder serve --workers 2`: two processes on one port and one database file, each
answering whatever the kernel hands it. Whatever one worker learnt of a sender, the other
must know: the conversation, an opt-out, a MessageSid already answered, the rate count.

Requests go out on fresh connections, so that they spread over both workers; the
server's log (one line per request, with the worker's pid) shows that both answered.
The workers themselves are watched over: connections held open at once spread over both,
a worker that dies is replaced, and none outlives its server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.live_server import running_server, wayfinder_process
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


def test_connections_held_open_at_once_spread_over_both_workers(
    served: tuple[str, Path],
) -> None:
    """A carrier's webhook traffic arrives on a few kept-alive connections; if they all
    went to one worker, the other core would idle however many workers were asked for."""
    base, log = served
    before = log.read_text()
    clients = [httpx.Client(trust_env=False, timeout=30) for _ in range(24)]
    try:
        for client in clients:  # every connection open before any is used twice
            assert client.get(f"{base}/healthz").status_code == 200
        for n, client in enumerate(clients):
            params, signature = signed("detox 80204", f"+172055593{n:02d}")
            client.post(f"{base}/sms/twilio", data=params,
                        headers={"X-Twilio-Signature": signature})  # fmt: skip
    finally:
        for client in clients:
            client.close()
    answered = re.findall(r"\[(\d+)\] wayfinder\.http POST /sms/twilio 200",
                          log.read_text()[len(before) :])  # fmt: skip
    counts = sorted(answered.count(pid) for pid in set(answered))
    assert len(counts) == 2 and counts[0] >= 3, counts  # not all on one: 24 split by a hash


def children(pid: int) -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1]
                                           .split()[1]) == pid:  # fmt: skip
                found.add(int(proc.name))
        except OSError:
            continue
    return found


def wait_for(condition: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_dead_worker_is_replaced_a_second_server_is_refused_and_none_outlives_a_kill(
    tmp_path: Path, demo_db_path: Path, nlu_model: Path
) -> None:
    db = tmp_path / "workers.db"
    shutil.copyfile(demo_db_path, db)
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model)}
    args = ["serve", "--db", str(db), "--workers", "2"]
    with wayfinder_process(args, "/healthz", env, tmp_path / "server.log") as (base, server):
        wait_for(lambda: len(children(server.pid)) == 2)
        first, second = sorted(children(server.pid))
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: len(children(server.pid) - {first}) == 2)
        assert second in children(server.pid)
        (replacement,) = children(server.pid) - {second}
        with httpx.Client(trust_env=False, timeout=30) as client:
            for _ in range(16):  # fresh connections: the kernel sends some to the new socket
                reply = client.post(f"{base}/chat", json={"session_id": "s", "text": "hi"},
                                    headers={"Connection": "close"})  # fmt: skip
                assert reply.status_code == 200
        log = (tmp_path / "server.log").read_text()
        assert re.search(rf"\[{replacement}\] wayfinder\.http POST /chat 200", log), log
        # A second server started on the port by mistake must not share its connections.
        port = base.rsplit(":", 1)[1]
        second_server = subprocess.run(
            [sys.executable, "-c", "from wayfinder.cli import cli; cli()", *args,
             "--port", port],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second_server.returncode == 1
        assert f"Cannot listen on 127.0.0.1:{port}" in second_server.stderr
        workers = children(server.pid)
        server.kill()  # the supervisor dies without a chance to stop its workers
        server.wait()
        wait_for(lambda: not any(alive(pid) for pid in workers), seconds=20)
