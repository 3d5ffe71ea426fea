"""Fixtures that stack: an empty directory file → the Tucson fixture → the demo directory.

A module marked `pytest.mark.engines` runs each test that uses a database twice: on a
SQLite file and on a database of a throw-away PostgreSQL server (tests/postgres.py).
Its `db_path` / `assistant_db_path` are then a path or a `postgresql://` URL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import directory
from directory.demo import REFERENCE, load_demo
from directory.engine import Database
from tests import postgres

HERE = Path(__file__).parent
TUCSON = HERE / "data" / "hsds_tucson"
SHARED = HERE.parent.parent / "shared"
OFFICIAL = SHARED / "hsds-3.1"
# The Tucson fixture's bed counts were reported between 20 and 23 November 2026.
TUCSON_NOW = datetime.fromisoformat("2026-11-23T10:00:00-07:00")


ENGINES = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker
    if "engine" in metafunc.fixturenames and marked("engines") and not marked("sqlite_only"):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this test runs on: SQLite unless its module is marked `engines`."""
    return str(getattr(request, "param", "sqlite"))


def key_env(engine: str) -> dict[str, str]:
    """The environment a server on this engine needs beyond the test's own: on a shared
    PostgreSQL database the sender key must be set (no demo key file there)."""
    return {} if engine == "sqlite" else {"WAYFINDER_HMAC_KEY": "k" * 32}


class Databases:
    """Fresh databases of either engine, empty (migrated) or holding the demo directory;
    on PostgreSQL each is a copy of a template database made once per run."""

    def __init__(self, request: pytest.FixtureRequest, empty: Path, demo: Path) -> None:
        self._request, self._files = request, {"empty": empty, "demo": demo}
        self._folder = request.getfixturevalue("tmp_path_factory").mktemp("copies")
        self._templates: dict[str, str] = {}
        self._count = 0

    def empty(self, engine: str) -> Path | str:
        return self._copy("empty", engine)

    def demo(self, engine: str) -> Path | str:
        return self._copy("demo", engine)

    def _copy(self, kind: str, engine: str) -> Path | str:
        self._count += 1
        if engine == "sqlite":
            path = self._folder / f"{kind}-{self._count}.db"
            shutil.copyfile(self._files[kind], path)
            return path
        server = self._request.getfixturevalue("postgres_server")
        if kind not in self._templates:
            url = postgres.fresh_database(server)
            database = directory.open_db(url)
            if kind == "demo":
                load_demo(database, REFERENCE)
            database.close()
            self._templates[kind] = url
        return postgres.fresh_database(server, template=self._templates[kind])


@pytest.fixture(scope="session")
def databases(
    request: pytest.FixtureRequest, empty_db_template: Path, demo_db_path: Path
) -> Databases:
    return Databases(request, empty_db_template, demo_db_path)


@pytest.fixture(scope="session")
def empty_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty directory file, made once: copying it is faster than migrating."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    database = directory.open_db(path)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture
def db_path(engine: str, databases: Databases) -> Any:
    """An empty, migrated directory: a SQLite file (or a PostgreSQL URL, see `engines`)."""
    return databases.empty(engine)


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = directory.open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def tucson_db(db: Database) -> Database:
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
def demo_db(demo_db_path: Path, engine: str, databases: Databases) -> Iterator[Database]:
    database = directory.open_db(demo_db_path if engine == "sqlite" else databases.demo(engine))
    yield database
    database.close()


@pytest.fixture
def official_hsds() -> Path:
    if not OFFICIAL.exists():
        pytest.skip(
            "the official HSDS 3.1 example (../shared/hsds-3.1) is not beside this checkout"
        )
    return OFFICIAL


# The search index is rebuilt by every import: its row numbers are its own (PostgreSQL
# numbers the new rows on from the old), its content is what counts.
RENUMBERED = ("search_point", "search_area")


def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every ordinary table, to prove that nothing changed."""
    tables: dict[str, list[tuple[object, ...]]] = {}
    for name in database.table_names():
        if name.startswith(("sqlite_", "service_fts", "search_point_rtree", "search_area_rtree")):
            continue
        rows = [tuple(row) for row in database.execute(f'SELECT * FROM "{name}"')]
        if name in RENUMBERED:
            rows = [row[1:] for row in rows]
        tables[name] = sorted(rows, key=repr)
    return tables


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
def assistant_db_path(engine: str, databases: Databases) -> Any:
    """A fresh copy of the demo directory for one conversation test."""
    return databases.demo(engine)


@pytest.fixture
def make_assistant(assistant_db_path: Path, parser):  # type: ignore[no-untyped-def]
    """Builds the assistant on the test's directory copy; calling it again is a restart
    (a new process on the same file)."""
    from bot.engine import Assistant

    opened: list[Database] = []

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
