"""Pulling another HSDS 3.x API (another Wayfinder's `/hsds/`, or any provider's) into
this directory.

A run reads, page by page: every service id the other side has (`minimal=true`, to see
what it removed) and the fully nested services that changed since the last run
(`modified_after`; everything on the first run). Then it writes all of it in one
import transaction — added, changed and removed services, and the time to ask from
next — or, when anything fails (the network, a page, a bad record), nothing at all.

The next run asks from the moment the last one started, less a margin: the two
machines' clocks may disagree, and asking for a little too much costs only a re-read.
A service is removed only when it came from this same source, so syncing two sources
into one directory never makes one delete the other's services.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from directory.engine import Database
from directory.errors import DirectoryError
from directory.importer import import_dataset, remove_services
from directory.reader import read
from directory.transaction import write_transaction

PER_PAGE = 100
IDS_PER_PAGE = 1000
RETRIES = 3
CLOCK_MARGIN = timedelta(minutes=5)
# Keys only a fully nested service has: a page of them needs no request per service.
_NESTED = ("phones", "schedules", "service_at_locations", "capacities", "attributes",
           "service_areas")  # fmt: skip


class SyncError(DirectoryError):
    """The other directory could not be read; nothing was changed."""


@dataclass(frozen=True)
class SyncSummary:
    added: int
    changed: int
    removed: int
    unchanged: int  # services the other side has that this run neither added nor changed
    asked_from: str | None  # the modified_after this run sent (None on a first run)


@dataclass
class Client:
    """GET with a timeout and retries (network errors, 5xx, 429), backing off."""

    base: str
    timeout: float = 30.0
    retries: int = RETRIES
    backoff: float = 0.5
    http: httpx.Client | None = None

    def get(self, path: str, **params: Any) -> Any:
        if self.http is None:
            self.http = httpx.Client(timeout=self.timeout, trust_env=False)
        http = self.http
        url = self.base + path
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                reply = http.get(url, params={k: v for k, v in params.items() if v is not None})
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                continue
            if reply.status_code >= 500 or reply.status_code == 429:
                problem = f"HTTP {reply.status_code}"
                continue
            if reply.status_code != 200:
                raise SyncError(f"{reply.url} answered HTTP {reply.status_code}; nothing changed.")
            try:
                return reply.json()
            except ValueError as error:
                raise SyncError(f"{reply.url} did not answer JSON; nothing changed.") from error
        raise SyncError(f"{url} failed {self.retries + 1} times ({problem}); nothing changed.")

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None


def sync(
    db: Database,
    url: str,
    *,
    who: str,
    client: Client | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> SyncSummary:
    """Bring this directory up to date with the HSDS API at `url` (its base, e.g.
    `https://other.example.org/hsds`).

    Args:
        db: this directory.
        url: the other directory's HSDS API.
        who: who syncs, for the change log.
        client: how pages are fetched (timeout, retries); a default one for `url`.
        progress: called with the services read so far and the count the other side gave.
        now: when this sync runs, remembered for the next one's `modified_after`.

    Returns:
        Services added, changed, removed and unchanged.

    Raises:
        SyncError: the other side could not be read; nothing was changed.
        InvalidData: what it sent is not valid HSDS; nothing was changed.
    """
    base = url.rstrip("/")
    client = client or Client(base)
    started = (now or datetime.now(UTC)).astimezone(UTC)
    found = db.execute("SELECT asked_from FROM sync_source WHERE url = ?", [base]).fetchone()
    since = found[0] if found else None
    try:
        upstream = _all_ids(client)
        changed = _changed_services(client, since, progress)
    finally:
        client.close()
    mine = {row[0] for row in db.execute("SELECT service_id FROM synced_service WHERE url = ?",
                                         [base])}  # fmt: skip
    removed = sorted(mine - upstream)
    next_from = (started - CLOCK_MARGIN).isoformat(timespec="seconds")

    def remember(db: Database) -> None:
        db.execute(
            "INSERT INTO sync_source (url, last_run, asked_from) VALUES (?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET last_run = excluded.last_run, "
            "asked_from = excluded.asked_from",
            [base, started.isoformat(timespec="seconds"), next_from],
        )
        db.conn.executemany(
            "INSERT INTO synced_service (service_id, url) VALUES (?, ?) "
            "ON CONFLICT (service_id) DO UPDATE SET url = excluded.url",
            [(service["id"], base) for service in changed],
        )
        db.conn.executemany(
            "DELETE FROM synced_service WHERE service_id = ? AND url = ?",
            [(sid, base) for sid in removed],
        )

    if not changed:  # nothing to import: only removals, and the time to ask from next
        with write_transaction(db):
            gone = remove_services(db, removed, who=who)
            remember(db)
        return SyncSummary(0, 0, gone, len(upstream), since)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "services.ndjson"
        with open(path, "w", encoding="utf-8") as handle:
            for service in changed:
                handle.write(json.dumps(service) + "\n")
        result = import_dataset(db, read(path), who=who, remove=removed, then=remember)
    unchanged = len(upstream) - result.created - result.updated
    return SyncSummary(result.created, result.updated, result.removed, unchanged, since)


def _all_ids(client: Client) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        answer = _page(client.get("/services", minimal="true", page=page, per_page=IDS_PER_PAGE))
        ids |= {str(item["id"]) for item in answer["contents"] if isinstance(item, dict)}
        if _last(answer, page):
            return ids
        page += 1


def _changed_services(
    client: Client, since: str | None, progress: Callable[[int, int], None] | None
) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = _page(
            client.get("/services", full="true", modified_after=since, page=page,
                       per_page=PER_PAGE)
        )  # fmt: skip
        for item in answer["contents"]:
            if not isinstance(item, dict) or "id" not in item:
                raise SyncError(f"page {page} holds something that is not a service.")
            if not any(key in item for key in _NESTED):
                # A server that ignores `full`: ask for the nested service itself.
                item = client.get(f"/services/{item['id']}")
            services.append(item)
        if progress:
            progress(len(services), int(answer.get("total_items") or len(services)))
        if _last(answer, page):
            return services
        page += 1


def _page(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict) or not isinstance(answer.get("contents"), list):
        raise SyncError("the answer is not an HSDS page (no contents list); nothing changed.")
    return answer


def _last(answer: dict[str, Any], page: int) -> bool:
    if answer.get("last_page") is True or not answer["contents"]:
        return True
    pages = answer.get("total_pages")
    return isinstance(pages, int) and page >= pages
