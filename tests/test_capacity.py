from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
from pathlib import Path

import psycopg
import pytest
import sqlite_utils

import directory
from directory import InvalidCapacity, UnknownService, set_capacity
from tests.conftest import TUCSON, dump

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL


def log_rows(db: sqlite_utils.Database, service_id: str) -> list[tuple[object, ...]]:
    return db.execute(
        "SELECT field_name, previous_value, replacement_value, updated_by, channel "
        "FROM change_log WHERE resource_id = ? AND resource_type = 'service_capacity' "
        "ORDER BY id",
        [service_id],
    ).fetchall()


def test_new_count_is_recorded_with_who_and_old_to_new(tucson_db: sqlite_utils.Database) -> None:
    change = set_capacity(tucson_db, "svc-detox", 2, who="nurse.ortiz")
    assert (change.old_available, change.available, change.maximum) == (4, 2, 16)
    assert log_rows(tucson_db, "svc-detox")[-1] == ("available", "4", "2", "nurse.ortiz", "cli")


def test_a_service_never_counted_gets_its_first_bed_count(tucson_db: sqlite_utils.Database) -> None:
    change = set_capacity(tucson_db, "svc-clinic", 3, 5, who="admin")
    assert (change.old_available, change.available, change.maximum) == (None, 3, 5)
    assert [row[:3] for row in log_rows(tucson_db, "svc-clinic")] == [
        ("available", None, "3"),
        ("maximum", None, "5"),
    ]


@pytest.mark.parametrize(
    ("available", "maximum", "message"),
    [
        (17, None, "17 beds available is more than the maximum of 16"),
        (-1, None, "cannot be negative"),
        (3, -2, "cannot be negative"),
    ],
)
def test_impossible_counts_are_refused_and_change_nothing(
    tucson_db: sqlite_utils.Database, available: int, maximum: int | None, message: str
) -> None:
    before = dump(tucson_db)
    with pytest.raises(InvalidCapacity, match=message):
        set_capacity(tucson_db, "svc-detox", available, maximum, who="x")
    assert dump(tucson_db) == before


def test_unknown_service_is_refused(tucson_db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownService, match="No service has the id 'nope'"):
        set_capacity(tucson_db, "nope", 1, who="x")


def test_the_change_log_cannot_be_edited_or_deleted(tucson_db: sqlite_utils.Database) -> None:
    set_capacity(tucson_db, "svc-detox", 5, who="x")
    for sql in ("UPDATE change_log SET updated_by = 'someone else'", "DELETE FROM change_log"):
        with pytest.raises((sqlite3.IntegrityError, psycopg.Error), match="append-only"):
            tucson_db.execute(sql)


def _writer(path: str, worker: int, rounds: int) -> None:
    db = directory.open_db(path)
    for number in range(rounds):
        set_capacity(db, "svc-shelter", (worker * rounds + number) % 40, who=f"worker-{worker}")
    db.close()


def test_concurrent_writers_in_several_processes_lose_no_update(db_path: Path) -> None:
    db = directory.open_db(db_path)
    directory.import_dataset(db, directory.read(TUCSON), who="test")
    db.close()
    workers, rounds = 4, 25
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_writer, args=(str(db_path), w, rounds)) for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    db = directory.open_db(db_path)
    rows = db.execute(
        "SELECT previous_value, replacement_value FROM change_log "
        "WHERE resource_id = 'svc-shelter' AND field_name = 'available' "
        "AND channel = 'cli' ORDER BY id"
    ).fetchall()
    assert len(rows) == workers * rounds
    # Each update saw the one before it: the chain old → new is unbroken.
    for before, after in itertools.pairwise(rows):
        assert after[0] == before[1]
    final = db.execute("SELECT available FROM service_capacity WHERE service_id = 'svc-shelter'")
    assert str(final.fetchone()[0]) == rows[-1][1]
    db.close()
