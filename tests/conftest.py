"""Fixtures that stack: an empty directory file → the Tucson fixture → the demo directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils

import directory
from directory.demo import REFERENCE, load_demo
from tests import postgres

HERE = Path(__file__).parent
TUCSON = HERE / "data" / "hsds_tucson"
SHARED = HERE.parent.parent / "shared"
OFFICIAL = SHARED / "hsds-3.1"
# The Tucson fixture's bed counts were reported between 20 and 23 November 2026.
TUCSON_NOW = datetime.fromisoformat("2026-11-23T10:00:00-07:00")


@pytest.fixture(scope="session")
def empty_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty directory file, made once: copying it is faster than migrating."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    database = directory.open_db(path)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, empty_db_template: Path) -> Path:
    path = tmp_path / "wayfinder.db"
    shutil.copyfile(empty_db_template, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = directory.open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def tucson_db(db: sqlite_utils.Database) -> sqlite_utils.Database:
    directory.import_dataset(db, directory.read(TUCSON), who="test")
    return db


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = directory.open_db(path)
    load_demo(database, REFERENCE)
    database.close()
    return path


@pytest.fixture
def demo_db(demo_db_path: Path) -> Iterator[sqlite_utils.Database]:
    database = directory.open_db(demo_db_path)
    yield database
    database.close()


@pytest.fixture
def official_hsds() -> Path:
    if not OFFICIAL.exists():
        pytest.skip(
            "the official HSDS 3.1 example (../shared/hsds-3.1) is not beside this checkout"
        )
    return OFFICIAL


def dump(database: sqlite_utils.Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every ordinary table, to prove that nothing changed."""
    return {
        name: database.execute(f"SELECT * FROM [{name}] ORDER BY 1").fetchall()
        for name in database.table_names()
        if not name.startswith(
            ("sqlite_", "service_fts", "search_point_rtree", "search_area_rtree")
        )
    }


@pytest.fixture(scope="session")
def nlu_model(tmp_path_factory: pytest.TempPathFactory, demo_db_path: Path) -> Path:
    """The intent classifier (bot/nlu/data/nlu.yml) and the safety model (the safety
    corpora), trained as `wayfinder nlu train` does, once per test run."""
    from bot.nlu.build import build
    from bot.nlu.places import Gazetteer
    from bot.nlu.training import load

    data = load(HERE.parent / "bot" / "nlu" / "data" / "nlu.yml")
    database = directory.open_db(demo_db_path)
    out = tmp_path_factory.mktemp("model") / "model"
    build(data, out, Gazetteer.from_db(database, "CO"))
    database.close()
    return out


@pytest.fixture(scope="session")
def parser(nlu_model: Path, demo_db_path: Path):  # type: ignore[no-untyped-def]
    from bot.nlu.parser import Parser
    from bot.nlu.training import load

    database = directory.open_db(demo_db_path)
    return Parser.load(database, nlu_model, default_state="CO",
                       training=load(HERE.parent / "bot" / "nlu" / "data" / "nlu.yml"))  # fmt: skip


@pytest.fixture
def assistant_db_path(tmp_path: Path, demo_db_path: Path) -> Path:
    """A fresh copy of the demo directory for one conversation test."""
    path = tmp_path / "assistant.db"
    shutil.copyfile(demo_db_path, path)
    return path


@pytest.fixture
def make_assistant(assistant_db_path: Path, parser):  # type: ignore[no-untyped-def]
    """Builds the assistant on the test's directory copy; calling it again is a restart
    (a new process on the same file)."""
    from bot.engine import Assistant

    opened: list[sqlite_utils.Database] = []

    def build(**kwargs):  # type: ignore[no-untyped-def]
        database = directory.open_db(assistant_db_path)
        opened.append(database)
        kwargs.setdefault("clock", lambda: REFERENCE)
        return Assistant(database, parser, key=b"test key", **kwargs)

    yield build
    for database in opened:
        database.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL server for the session (tests/postgres.py). Where Debian's
    postgresql package is missing, the tests that need it skip, except in CI, which
    installs it (.ci/run) and fails without it."""
    if not postgres.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package)")
    with postgres.server() as url:
        yield url


@pytest.fixture
def pg_url(postgres_server: str) -> str:
    """A new, empty database on the throw-away server."""
    return postgres.fresh_database(postgres_server)
