"""A throw-away PostgreSQL server for tests: Debian's own binaries, a fresh cluster in a
temporary folder, listening on 127.0.0.1 only, stopped and removed at the end.

PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to the `postgres`
user that Debian's package creates. Each test gets its own database in it
(`fresh_database`), so tests never see each other's rows.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
STARTUP_S = 60.0


def available() -> bool:
    return bool(BINARIES) and (os.geteuid() != 0 or _postgres_user() is not None)


def _postgres_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def _run(args: list[str], user: pwd.struct_passwd | None) -> subprocess.CompletedProcess[str]:
    if user is not None:
        args = ["runuser", "-u", user.pw_name, "--", *args]
    return subprocess.run(args, capture_output=True, text=True, check=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server() -> Iterator[str]:
    """A running server; its URL (to the `postgres` database) while the block runs."""
    bin_dir = BINARIES[0].parent
    user = _postgres_user() if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="wayfinder-pg-"))
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, sockets = folder / "data", folder / "sockets"
    init = _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "wayfinder",
                 "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"], user)  # fmt: skip
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{init.stdout}{init.stderr}")
    _run(["mkdir", "-p", str(sockets)], user)
    # A port taken between the probe and the start fails the start: try another.
    for _ in range(5):
        port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -c port={port} "
                   f"-c unix_socket_directories={sockets} -c fsync=off "
                   f"-c max_connections=200")  # fmt: skip
        started = _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                        "-l", str(folder / "server.log"), "-w", "-t", str(int(STARTUP_S)),
                        "start"], user)  # fmt: skip
        if started.returncode == 0:
            break
    else:
        log = (folder / "server.log").read_text(errors="replace")
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{started.stderr}\n{log}")
    try:
        yield f"postgresql://wayfinder@127.0.0.1:{port}/postgres"
    finally:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str, template: str | None = None) -> str:
    """A new database on the server, empty or a copy of the `template` database (whose
    URL this gives; nothing may be connected to it); its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    copy = f" TEMPLATE {template.rsplit('/', 1)[1]}" if template else ""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}{copy}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"
