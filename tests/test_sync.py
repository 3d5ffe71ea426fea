"""`wayfinder directory sync`: one directory pulled from another's HSDS API — two real
`wayfinder serve` processes, and a small HTTP server on 127.0.0.1 that misbehaves."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from click.testing import CliRunner, Result

import directory
from directory import sync
from directory.importer import remove_services
from directory.transaction import write_transaction
from tests.conftest import dump
from tests.live_server import running_server
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

BLUEBIRD_SHELTER = "32203154-8c27-5483-b7aa-edb575ffd78c"


def run(*args: str | Path, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def source(tmp_path: Path, demo_db_path: Path, nlu_model: Path) -> Iterator[tuple[str, Path]]:
    path = tmp_path / "source.db"
    shutil.copyfile(demo_db_path, path)
    with running_server(
        path, {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_HMAC_KEY": "k" * 32}
    ) as base:
        yield base + "/hsds", path


def served(api: str) -> dict[str, Any]:
    """Every service an API serves, fully nested, by id (its modification time aside:
    that is when each directory last changed it)."""
    services, page = {}, 1
    while True:
        params = {"full": "true", "page": page, "per_page": 100}
        answer = httpx.get(f"{api}/services", params=params, timeout=30).json()
        for service in answer["contents"]:
            service.pop("last_modified", None)
            services[service["id"]] = service
        if answer["last_page"]:
            return services
        page += 1


def test_a_directory_synced_from_another_serves_the_same_services_and_a_second_run_asks_only_for_changes(  # noqa: E501
    source: tuple[str, Path], db_path: Path, nlu_model: Path
) -> None:
    api, source_path = source
    first = run("directory", "sync", api, "--db", db_path, "--by", "sync-test")
    total = len(served(api))
    assert f"everything): {total} added, 0 changed, 0 removed" in first.output
    with running_server(
        db_path, {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_HMAC_KEY": "k" * 32}
    ) as mirror:
        assert served(mirror + "/hsds") == served(api)

    upstream = directory.open_db(source_path)
    directory.set_capacity(upstream, BLUEBIRD_SHELTER, 7, who="shelter staff")
    gone = upstream.execute("SELECT id FROM service ORDER BY id LIMIT 1").fetchone()[0]
    with write_transaction(upstream):
        remove_services(upstream, [gone], who="admin")
    upstream.close()

    second = run("directory", "sync", api, "--db", db_path, "--json")
    summary = json.loads(second.output)
    assert summary["asked_from"] is not None
    assert (summary["added"], summary["changed"], summary["removed"]) == (0, 1, 1)
    assert summary["unchanged"] == total - 2
    with running_server(
        db_path, {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_HMAC_KEY": "k" * 32}
    ) as mirror:
        mirrored = served(mirror + "/hsds")
    assert mirrored == served(api)
    assert gone not in mirrored
    assert mirrored[BLUEBIRD_SHELTER]["capacities"][0]["available"] == 7

    third = run("directory", "sync", api, "--db", db_path)
    assert "0 added, 0 changed, 0 removed" in third.output


# ---- a small HSDS server that misbehaves on purpose ---------------------------------------

Route = Callable[[str, dict[str, str], int], tuple[int, Any]]


@contextmanager
def fake_api(route: Route) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose answers come from `route(path, params, call)`."""
    calls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            calls["n"] += 1
            parsed = urlparse(self.path)
            params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            status, body = route(parsed.path, params, calls["n"])
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # a client that gave up waiting
                self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def service(number: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"svc-{number}", "name": f"Service {number}", "status": "active",
            "organization": {"id": "org-1", "name": "Org", "description": "-"},
            "phones": [{"id": f"ph-{number}", "number": "303-555-0100"}], **extra}  # fmt: skip


def page(contents: list[Any], number: int, pages: int) -> dict[str, Any]:
    return {"total_items": 2 * pages, "total_pages": pages, "page_number": number,
            "size": len(contents), "first_page": number == 1, "last_page": number == pages,
            "empty": not contents, "contents": contents}  # fmt: skip


def two_pages(broken: Callable[[int], int | None]) -> Route:
    """Four services on two pages; `broken(call)` gives an error status for page 2."""

    def route(path: str, params: dict[str, str], call: int) -> tuple[int, Any]:
        number = int(params.get("page", "1"))
        if params.get("minimal") == "true":
            ids = [{"id": f"svc-{n}"} for n in range(1, 5)]
            return 200, page(ids, 1, 1)
        if number == 2 and (status := broken(call)):
            return status, {"error": "down"}
        first = 1 + 2 * (number - 1)
        return 200, page([service(first), service(first + 1)], number, 2)

    return route


def test_a_sync_that_fails_on_a_page_changes_nothing(tucson_db: Any, db_path: Path) -> None:
    before = dump(tucson_db)
    with fake_api(two_pages(lambda call: 500)) as api:
        result = run("directory", "sync", api, "--db", db_path, "--retries", "1", code=1)
    assert "HTTP 500" in result.output and "nothing changed" in result.output
    assert dump(tucson_db) == before


def test_a_page_that_fails_twice_is_asked_again(db: Any) -> None:
    failures = iter([503, 503])
    with fake_api(two_pages(lambda call: next(failures, None))) as api:
        summary = sync.sync(db, api, who="test", client=sync.Client(api, backoff=0))
    assert (summary.added, summary.removed) == (4, 0)
    assert db.execute("SELECT count(*) FROM service").fetchone()[0] == 4


def test_a_server_that_never_answers_in_time_is_given_up_on(db: Any) -> None:
    blocker = threading.Event()

    def slow(path: str, params: dict[str, str], call: int) -> tuple[int, Any]:
        blocker.wait(5)
        return 200, page([], 1, 1)

    with fake_api(slow) as api, pytest.raises(sync.SyncError, match="ReadTimeout"):
        sync.sync(db, api, who="test", client=sync.Client(api, timeout=0.3, retries=1,
                                                           backoff=0))  # fmt: skip
    blocker.set()
    assert db.execute("SELECT count(*) FROM service").fetchone()[0] == 0


def test_invalid_data_from_the_other_side_changes_nothing(tucson_db: Any) -> None:
    before = dump(tucson_db)

    def route(path: str, params: dict[str, str], call: int) -> tuple[int, Any]:
        located = service(1, service_at_locations=[{"id": "sal-1", "location": {
            "id": "loc-1", "location_type": "physical", "latitude": "north",
            "longitude": -110.9}}])  # fmt: skip
        return 200, page([located], 1, 1)

    with fake_api(route) as api, pytest.raises(directory.InvalidData) as error:
        sync.sync(tucson_db, api, who="test", client=sync.Client(api, backoff=0))
    assert any("latitude: 'north' is not a number" in str(p) for p in error.value.problems)
    assert dump(tucson_db) == before


def listing(numbers: list[int]) -> Route:
    """A source that has the services `numbers` holds at the time of each request."""

    def route(path: str, params: dict[str, str], call: int) -> tuple[int, Any]:
        if params.get("minimal") == "true":
            return 200, page([{"id": f"svc-{n}"} for n in numbers], 1, 1)
        return 200, page([service(n) for n in numbers], 1, 1)

    return route


def test_a_service_is_removed_only_by_the_source_it_came_from(db: Any) -> None:
    first_has, second_has = [1, 2], [3]
    with fake_api(listing(first_has)) as first, fake_api(listing(second_has)) as second:
        sync.sync(db, first, who="test", client=sync.Client(first, backoff=0))
        sync.sync(db, second, who="test", client=sync.Client(second, backoff=0))
        first_has.remove(2)
        summary = sync.sync(db, first, who="test", client=sync.Client(first, backoff=0))
    assert summary.removed == 1
    assert sorted(r[0] for r in db.execute("SELECT id FROM service")) == ["svc-1", "svc-3"]
