"""The one place that knows which database engine Wayfinder runs on.

SQLite (a file, through sqlite-utils) is the embedded default; PostgreSQL (a
`postgresql://` URL, through psycopg 3) is for several workers or servers sharing one
database. The rest of the code writes its SQL once, in what both engines understand
(`?` parameters, `ON CONFLICT … DO NOTHING/UPDATE`, `RETURNING`), and calls the few
operations that differ through this module: opening, write transactions
(directory/transaction.py), batched deletes, and the column types of its own tables.

`PostgresDatabase` answers the calls the code makes of `sqlite_utils.Database`
(`execute`, `executescript`, `conn.executemany`, `table_names`, `close`), so that a store
written against one runs on the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import psycopg
import sqlite_utils

URL_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    """Whether `--db` / WAYFINDER_DB names a PostgreSQL database rather than a file."""
    return str(target).startswith(URL_SCHEMES)


class PostgresDatabase:
    """A PostgreSQL connection with the surface of `sqlite_utils.Database` that the code
    uses. Statements outside a write transaction commit on their own, as SQLite's do."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = psycopg.connect(url, autocommit=True)
        self.conn = self  # `db.conn.executemany(…)`, as code written for sqlite3 calls it

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> psycopg.Cursor[Any]:
        if not parameters:  # psycopg reads `%` as a placeholder only when given some
            return self.pg.execute(sql)
        return self.pg.execute(placeholders(sql), parameters)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor[Any]:
        cursor = self.pg.cursor()
        cursor.executemany(placeholders(sql), rows)
        return cursor

    def executescript(self, script: str) -> None:
        """Our own DDL, written for SQLite, with the types PostgreSQL needs."""
        self.pg.execute(ddl(script))

    def table_names(self) -> list[str]:
        rows = self.pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        return sorted(row[0] for row in rows)

    @property
    def in_transaction(self) -> bool:
        return self.pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.pg.close()


Database: TypeAlias = sqlite_utils.Database | PostgresDatabase

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


def placeholders(sql: str) -> str:
    """SQL with `?` parameters as psycopg takes them: `?` outside quoted text becomes
    `%s`, and every literal `%` (quoted or not: psycopg reads the whole string) is
    doubled."""

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        return "%s" if text == "?" else text.replace("%", "%%")

    return _TOKENS.sub(token, sql)


_DDL = [
    (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION"),  # PostgreSQL's REAL is 4 bytes
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA"),
    (re.compile(r"\)\s*WITHOUT ROWID", re.IGNORECASE), ")"),
]


def ddl(script: str) -> str:
    """SQLite table definitions as PostgreSQL takes them."""
    for pattern, replacement in _DDL:
        script = pattern.sub(replacement, script)
    return script


def delete_some(db: Database, table: str, where: str, parameters: Sequence[Any], limit: int) -> int:
    """Deletes at most `limit` rows of `table` matching `where`; how many it deleted.
    (A purge in small batches holds the write lock only briefly.)"""
    row = "ctid" if isinstance(db, PostgresDatabase) else "rowid"
    cursor = db.execute(
        f"DELETE FROM {table} WHERE {row} IN (SELECT {row} FROM {table} WHERE {where} LIMIT ?)",
        [*parameters, limit],
    )
    return int(cursor.rowcount)
