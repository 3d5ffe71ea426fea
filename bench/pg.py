"""PostgreSQL for the benches: a database holding the demo directory on a given server,
or on a throw-away server started from Debian's binaries for the length of the bench."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def postgres_database(server_url: str, name: str) -> str:
    """A new database on the server holding the demo directory (bed counts as of now);
    its URL. A SQLite file cannot be copied into PostgreSQL, so both engines' runs use
    the demo: give the demo file as --db to compare like with like."""
    import psycopg

    from directory import open_db
    from directory.demo import load_demo

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    db = open_db(url)
    load_demo(db, datetime.now(UTC))
    db.close()
    return url


@contextlib.contextmanager
def postgres_server(url: str) -> Iterator[str]:
    """The server to run on: the one given, or a throw-away one (tests/postgres.py, from
    Debian's postgresql binaries) for the length of the bench."""
    if url:
        yield url
        return
    sys.path.insert(0, str(ROOT))
    from tests import postgres

    if not postgres.available():
        raise SystemExit("--postgres without a URL needs Debian's postgresql package")
    with postgres.server() as started:
        yield started
