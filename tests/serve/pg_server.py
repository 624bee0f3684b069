"""A PostgreSQL server of the tests' own: Debian's ``postgresql`` binaries, a cluster made with ``initdb`` in a
temporary directory, started with ``pg_ctl`` on a free loopback port and a socket in that directory, stopped at
the end. No system service is used or needed. initdb and pg_ctl refuse to run as root: as root they run as the
``postgres`` user (which the package creates).

Tests that need it FAIL, never skip, when the binaries are missing: ``bash scripts/test.sh`` installs them.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HINT = "the PostgreSQL tests need Debian's postgresql package: run bash scripts/test.sh (apt install postgresql)"
START_SECONDS = 60


def binaries() -> Path | None:
    """The folder of initdb, pg_ctl, pg_isready (``XLREP_PG_BIN``, else the newest Debian version)."""
    given = os.environ.get("XLREP_PG_BIN")
    if given:
        return Path(given)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = binaries()
        if self.bin is None or not (self.bin / "initdb").exists():
            raise RuntimeError(f"{HINT} (initdb not found)")
        self.root = Path(tempfile.mkdtemp(prefix="xlrep-pg-"))
        self.data = self.root / "cluster"
        self.socket_dir = self.root / "socket"
        self.socket_dir.mkdir()
        self.port = _free_port()
        self.as_user = []
        if os.geteuid() == 0:  # initdb and pg_ctl refuse root
            import pwd

            account = pwd.getpwnam("postgres")
            for path in (self.root, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count(1)
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.socket_dir}"
        options += " -c fsync=off -c max_connections=200 -c shared_buffers=64MB"
        self._run("pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-o", options, "start")
        self._wait_ready()

    def _run(self, tool: str, *args) -> None:
        command = [*self.as_user, str(self.bin / tool), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
                timeout=30,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                log = (self.root / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start within {START_SECONDS} s: {log}")
            time.sleep(0.1)  # polling pg_isready until the deadline

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; its address."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
