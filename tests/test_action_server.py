"""Our actions behind the real rasa-sdk action server, called the way Rasa 3.6 calls them.

The server runs as `python -m rasa_sdk --actions bot.actions` on 127.0.0.1, on a copy of
the demo directory. Every request body is our copy of a Rasa 3.6 action call
(tests/data/rasa/action_call.json) with the test's action, slots and message, and
bot/domain.yml as its `domain`, as Rasa sends it. Rasa renders `utter_*` responses
itself, so for those we check the response name and the template variables we pass.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml

ROOT = Path(__file__).parent.parent
ENVELOPE = Path(__file__).parent / "data" / "rasa" / "action_call.json"
# Rasa's own request examples, beside the checkout when it is part of the project's workspace.
OFFICIAL = Path(__file__).parents[2] / "shared" / "rasa-fixtures" / "action_call_rasa36.json"
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text("utf-8"))
ACTION_NAMES = {
    "action_search_resources",
    "action_show_details",
    "action_more_results",
    "action_check_availability",
    "action_update_availability",
    "action_crisis_handoff",
    "action_emergency_handoff",
    "action_help",
    "action_find_service",
    "action_answer_about_service",
    "validate_search_form",
}
PLACEHOLDER = re.compile(r"\{([^{}\n]+)\}")
PHONE = re.compile(r"\b\d{3}-\d{3}-\d{4}\b")
STARTUP_SECONDS = 20.0


@dataclass(frozen=True)
class Server:
    url: str
    db_path: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """GET `url`, or POST `body` as JSON; the status and the decoded answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ends the server and its Sanic workers: they share the session we started it in."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker that outlived its parent
    process.wait()


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_db_path: Path
) -> Server:
    """The action server on a free local port, on its own copy of the demo directory.

    Sanic reads port 0 as "the default, 8000", so the server cannot be asked for any free
    port and tell us which it got: we pick one, and when something else took it before
    the server bound it, start again on another (a server that exits saying the address
    is in use, or a port that answers without our actions)."""
    work = tmp_path_factory.mktemp("action_server")
    db_path = work / "wayfinder.db"
    shutil.copyfile(demo_db_path, db_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WAYFINDER_", "SANIC_", "ACTION_SERVER_"))
    }
    env.update(
        SANIC_HOST="127.0.0.1",  # rasa-sdk binds 0.0.0.0 unless told otherwise
        WAYFINDER_DB=str(db_path),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    for attempt in range(BIND_ATTEMPTS):
        log_path, port = work / f"server-{attempt}.log", _free_port()
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions",
                 "-p", str(port)],
                cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        request.addfinalizer(functools.partial(_stop, process))
        url = _ready(process, f"http://127.0.0.1:{port}", log_path)
        if url is not None:
            return Server(url, db_path)
        _stop(process)
    pytest.fail(f"Every port we tried was taken:\n{log_path.read_text()}")


BIND_ATTEMPTS = 3


def _ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> str | None:
    """`url` once the server there lists our actions; None when its port was taken."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if "address already in use" in log_path.read_text().lower():
                return None
            pytest.fail(
                f"The action server exited with {process.returncode}:\n{log_path.read_text()}"
            )
        with contextlib.suppress(OSError, ValueError):
            status, actions = _request(f"{url}/actions")
            if status == 200:
                names = {a.get("name") for a in actions} if isinstance(actions, list) else set()
                return url if names >= ACTION_NAMES else None
        time.sleep(0.1)
    pytest.fail(f"The action server did not answer /actions in {STARTUP_SECONDS:.0f} s:\n"
                f"{log_path.read_text()}")  # fmt: skip


def rasa_call(
    next_action: str, slots: dict[str, Any] | None = None, envelope: Path = ENVELOPE
) -> dict[str, Any]:
    """A Rasa 3.6 action call: the envelope with `next_action`, every slot of our domain
    (its initial value unless `slots` gives one) and bot/domain.yml as the domain (our
    envelope file leaves `domain` null so that the domain is never copied)."""
    body: dict[str, Any] = json.loads(envelope.read_text("utf-8"))
    initial = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}
    builtin = {"requested_slot": None, "session_started_metadata": None}  # Rasa adds these
    body["next_action"] = next_action
    body["tracker"]["slots"] = {**initial, **builtin, **(slots or {})}
    body["domain"] = json.loads(json.dumps(DOMAIN))
    return body


def said(
    body: dict[str, Any], text: str, intent: str, entities: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The call's tracker as Rasa sends it just after the person said `text`."""
    tracker = body["tracker"]
    events = tracker["events"]
    user = next(i for i, event in enumerate(events) if event["event"] == "user")
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.98},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": 0.98}],
        "message_id": events[user]["message_id"],
        "metadata": {},
    }
    events[user] = {**events[user], "text": text, "parse_data": message}
    del events[user + 1 :]
    tracker.update(
        latest_message=message,
        latest_event_time=events[user]["timestamp"],
        active_loop={},
        latest_action={"action_name": "action_listen"},
        latest_action_name="action_listen",
    )
    return body


def slot_events(answer: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in answer["events"] if e["event"] == "slot"}


def assert_detox_list(server: Server, answer: dict[str, Any]) -> None:
    """A numbered list of detox services, each with its phone, and their ids as `results`."""
    (response,) = answer["responses"]
    text = response["text"]
    assert text.startswith("Detox near 80204 (Denver, CO), from its centre:")
    lines = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert [line.split(".")[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
    assert lines and all(PHONE.search(line) for line in lines), text
    ids = slot_events(answer)["results"]
    assert len(ids) == len(lines)
    db = sqlite_utils.Database(server.db_path)
    try:
        for service_id, line in zip(ids, lines, strict=True):
            (name,) = db.execute("SELECT name FROM service WHERE id = ?", [service_id]).fetchone()
            assert name in line
    finally:
        db.close()


def test_the_server_lists_all_eleven_of_our_actions(server: Server) -> None:
    status, actions = _request(f"{server.url}/actions")
    assert status == 200
    assert sorted(action["name"] for action in actions) == sorted(ACTION_NAMES)


def test_a_detox_search_near_a_zip_lists_numbered_services_with_phones(server: Server) -> None:
    body = rasa_call("action_search_resources", {"needs": ["detox"], "location": "80204"})
    status, answer = _request(f"{server.url}/webhook", body)
    assert status == 200, answer
    assert_detox_list(server, answer)


def test_the_official_rasa_36_request_works_with_our_action_and_domain(server: Server) -> None:
    if not OFFICIAL.exists():
        pytest.skip(
            "Rasa's request examples (../shared/rasa-fixtures) are not beside this checkout"
        )
    body = rasa_call(
        "action_search_resources", {"needs": ["detox"], "location": "80204"}, envelope=OFFICIAL
    )
    status, answer = _request(f"{server.url}/webhook", body)
    assert status == 200, answer
    assert_detox_list(server, answer)


def test_our_request_envelope_has_the_keys_rasa_36_sends() -> None:
    if not OFFICIAL.exists():
        pytest.skip(
            "Rasa's request examples (../shared/rasa-fixtures) are not beside this checkout"
        )
    ours, official = (json.loads(path.read_text("utf-8")) for path in (ENVELOPE, OFFICIAL))
    assert ours.keys() == official.keys()
    assert ours["tracker"].keys() == official["tracker"].keys()
    assert ours["tracker"]["latest_message"].keys() == official["tracker"]["latest_message"].keys()


@pytest.mark.parametrize(
    ("action", "text", "intent", "response"),
    [
        ("action_crisis_handoff", "i dont want to be here anymore", "crisis",
         "utter_crisis_handoff"),
        ("action_emergency_handoff", "he took a bunch of pills and wont wake up", "emergency",
         "utter_emergency_handoff"),
    ],
)  # fmt: skip
def test_a_handoff_names_its_reviewed_response_and_passes_the_numbers(
    server: Server, action: str, text: str, intent: str, response: str
) -> None:
    body = said(rasa_call(action), text, intent)
    status, answer = _request(f"{server.url}/webhook", body)
    assert status == 200, answer
    assert answer["events"] == []
    (message,) = answer["responses"]
    assert message["response"] == response
    assert message["crisis_number"] == "988"
    assert message["emergency_number"] == "911"
    # Rasa fills the template from these variables: every placeholder must have one.
    for variant in DOMAIN["responses"][response]:
        for name in PLACEHOLDER.findall(variant["text"]):
            assert message.get(name), f"{response} uses {{{name}}} but the action gave no value"


def test_a_street_address_in_the_form_is_asked_again_as_a_zip_or_city(server: Server) -> None:
    address = "1600 Pearl St"
    entity = {"entity": "location", "start": 0, "end": len(address), "value": address,
              "role": "address", "extractor": "DIETClassifier"}  # fmt: skip
    body = said(
        rasa_call("validate_search_form",
                  {"needs": ["detox"], "location": address, "requested_slot": "location"}),
        address, "provide_location", [entity],
    )  # fmt: skip
    # Rasa's FormAction appends the slot candidates after its own action, then calls us.
    tracker = body["tracker"]
    at = tracker["latest_event_time"]
    tracker["events"] += [
        {"event": "slot", "timestamp": at, "name": "location", "value": address},
        {"event": "slot", "timestamp": at, "name": "requested_slot", "value": "location"},
        {"event": "action", "timestamp": at, "name": "search_form", "policy": None,
         "confidence": None, "action_text": None, "hide_rule_turn": False},
        {"event": "slot", "timestamp": at, "name": "location", "value": address},
    ]  # fmt: skip
    tracker.update(
        active_loop={"name": "search_form", "validate": True, "rejected": False,
                     "trigger_message": tracker["latest_message"]},
        latest_action={"action_name": "search_form"},
        latest_action_name="search_form",
    )  # fmt: skip
    status, answer = _request(f"{server.url}/webhook", body)
    assert status == 200, answer
    assert slot_events(answer)["location"] is None
    (message,) = answer["responses"]
    assert message["response"] == "utter_ask_zip_for_address"
    assert message["location"] == address


def test_an_unknown_action_is_404(server: Server) -> None:
    status, answer = _request(f"{server.url}/webhook", rasa_call("action_make_coffee"))
    assert status == 404
    assert answer["action_name"] == "action_make_coffee"


def test_a_call_without_the_domain_is_449_so_rasa_resends_it(server: Server) -> None:
    body = rasa_call("action_search_resources", {"needs": ["detox"], "location": "80204"})
    del body["domain"]
    status, answer = _request(f"{server.url}/webhook", body)
    assert status == 449
    assert answer["action_name"] == "action_search_resources"
