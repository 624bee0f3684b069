"""A data folder as the first release of `xlrep serve` (data format 1) left it: its schema, verbatim, and a
little data made through it — what the upgrade in place starts from."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS admin (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash TEXT NOT NULL,
    changed_at    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    ip         TEXT
);
CREATE TABLE IF NOT EXISTS login_failures (
    id INTEGER PRIMARY KEY,
    ip TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_ip ON login_failures (ip, at);
CREATE TABLE IF NOT EXISTS rounds (
    id               INTEGER PRIMARY KEY,
    year             INTEGER NOT NULL,
    edition          TEXT NOT NULL,
    title            TEXT NOT NULL,
    deadline         TEXT,
    previous_id      INTEGER REFERENCES rounds (id),
    summary_org      TEXT,
    summary_org_type TEXT,
    created_at       REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    id                INTEGER PRIMARY KEY,
    round_id          INTEGER NOT NULL REFERENCES rounds (id),
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    org_type          TEXT NOT NULL,
    token             TEXT NOT NULL UNIQUE,
    review            TEXT CHECK (review IN ('submitted', 'returned', 'passed')),
    review_version_id INTEGER REFERENCES versions (id),
    review_comment    TEXT,
    review_at         REAL,
    created_at        REAL NOT NULL,
    UNIQUE (round_id, name)
);
CREATE TABLE IF NOT EXISTS versions (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    number      INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    filename    TEXT NOT NULL,
    size        INTEGER NOT NULL,
    uploaded_at REAL NOT NULL,
    audited_at  REAL,
    errors      INTEGER,
    warnings    INTEGER,
    infos       INTEGER,
    edition     TEXT,
    year        INTEGER,
    org_name    TEXT,
    audit_json  TEXT,
    UNIQUE (unit_id, number)
);
CREATE TABLE IF NOT EXISTS events (
    id         INTEGER PRIMARY KEY,
    at         REAL NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    round_id   INTEGER,
    unit_id    INTEGER,
    version_id INTEGER,
    detail     TEXT,
    ip         TEXT
);
CREATE INDEX IF NOT EXISTS events_round ON events (round_id, at);
CREATE INDEX IF NOT EXISTS events_unit ON events (unit_id, at);
"""


class _Sqlite:
    def __init__(self, folder: Path):
        self.db = sqlite3.connect(folder / "xlrep.sqlite3")

    def script(self, sql: str) -> None:
        self.db.executescript(sql)

    def insert(self, sql: str, args=()) -> int:
        return self.db.execute(sql, args).lastrowid

    def execute(self, sql: str, args=()) -> None:
        self.db.execute(sql, args)

    def close(self) -> None:
        self.db.commit()
        self.db.close()


class _Postgres:
    """The same schema and data on PostgreSQL, through the site's own dialect layer (as release 1's tables would
    have been made there: ``units.review_version_id`` refers to ``versions`` once both exist)."""

    def __init__(self, address: str):
        import psycopg

        self.db = psycopg.connect(address, autocommit=True)

    def script(self, sql: str) -> None:
        from xlrep.serve.storage_backends import postgres_sql

        for statement in filter(None, (s.strip() for s in sql.split(";"))):
            statement = statement.replace("INTEGER REFERENCES versions (id)", "INTEGER")
            self.db.execute(postgres_sql(statement))
        self.db.execute(
            "ALTER TABLE units ADD CONSTRAINT units_review_version_id_fkey"
            " FOREIGN KEY (review_version_id) REFERENCES versions (id)"
        )

    def insert(self, sql: str, args=()) -> int:
        return self.db.execute(self._sql(sql + " RETURNING id"), args).fetchone()[0]

    def execute(self, sql: str, args=()) -> None:
        self.db.execute(self._sql(sql), args)

    @staticmethod
    def _sql(sql: str) -> str:
        from xlrep.serve.storage_backends import postgres_sql

        return postgres_sql(sql)

    def close(self) -> None:
        self.db.close()


# The admin password of the folders made here ("旧的管理员密码1"), hashed as every release hashes it.
ADMIN_PASSWORD = "旧的管理员密码1"
ADMIN_HASH = (
    "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"  # (a fixed salt of zeros: the same folder every time)
    "T2j6XgeEfBv7Chiqa85Q9+XDuyglD2i4TrrE+16NRfM="
)


def make_folder(folder: Path, database: str | None = None) -> dict:
    """A first-release data folder (or, with ``database``, the same tables and rows in that PostgreSQL database):
    a 2024 round whose unit 甲局 was passed, a 2025 round (previous: 2024) where 甲局 uploaded once with one
    提示. Returns the ids."""
    folder.mkdir(parents=True)
    (folder / "files").mkdir()
    db = _Postgres(database) if database else _Sqlite(folder)
    db.script(SCHEMA_1)
    now = time.time()
    for key, value in (("schema_version", "1"), ("secret", "ab" * 32)):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
    db.execute("INSERT INTO admin (id, password_hash, changed_at) VALUES (1, ?, ?)", (ADMIN_HASH, now))
    ids = {}
    for year, previous in ((2024, None), (2025, 1)):
        ids[year] = db.insert(
            "INSERT INTO rounds (year, edition, title, deadline, previous_id, created_at) VALUES (?, '2021', ?, NULL, ?, ?)",
            (year, f"{year}年度", previous, now),
        )
        db.insert(
            "INSERT INTO units (round_id, position, name, org_type, token, created_at) VALUES (?, 1, '甲局', ?, ?, ?)",
            (ids[year], "县级以上人民政府部门", f"token-of-{year}-" + "x" * 16, now),
        )
    audit = {
        "file": "x.xlsx",
        "edition": "2021",
        "year": 2024,
        "template_version": "1.0",
        "summary": {"errors": 0, "warnings": 1, "infos": 0},
        "findings": [{"rule": "T2-IN-FORCE", "severity": "warning", "message": "m", "cells": [], "values": {}}],
    }
    for year, unit_id in ((2024, 1), (2025, 2)):
        db.insert(
            "INSERT INTO versions (unit_id, number, sha256, filename, size, uploaded_at, audited_at, errors, warnings,"
            " infos, edition, year, org_name, audit_json) VALUES (?, 1, ?, 'x.xlsx', 1, ?, ?, 0, 1, 0, '2021', ?, '甲局', ?)",
            (unit_id, f"{year:064d}", now, now, year, json.dumps(audit | {"year": year})),
        )
    db.execute("UPDATE units SET review = 'passed', review_version_id = 1, review_at = ? WHERE id = 1", (now,))
    db.close()
    return {"round_2024": ids[2024], "round_2025": ids[2025], "unit_2024": 1, "unit_2025": 2}


# The tables data format 4 added, verbatim as its release made them (before a migration step adds to them).
TABLES_4 = """
CREATE TABLE IF NOT EXISTS offices (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('省', '市', '县', '区')),
    parent_id  INTEGER REFERENCES offices (id),
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    id            INTEGER PRIMARY KEY,
    office_id     INTEGER NOT NULL REFERENCES offices (id),
    name          TEXT NOT NULL,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('管理员', '审核人')),
    created_at    REAL NOT NULL,
    changed_at    REAL NOT NULL
);
"""


def migrate(folder: Path, database: str | None, to: str) -> None:
    """Bring a first-release folder (or database) to data format ``to`` as the releases in between did: their
    ``MIGRATIONS``, one step at a time (and the tables a format added). An unaudited upload is added at ``to``
    (what a later release must resume)."""
    from xlrep.serve.schema import MIGRATIONS

    db = _Postgres(database) if database else _Sqlite(folder)
    version = "1"
    while version != to:
        if version == "3":
            for table in filter(None, (t.strip() for t in TABLES_4.split(";"))):
                db.execute(table)
        for statement in MIGRATIONS[version]:
            db.execute(statement)
        version = str(int(version) + 1)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    db.insert(
        "INSERT INTO versions (unit_id, number, sha256, filename, size, uploaded_at) VALUES (2, 2, ?, 'y.xlsx', 1, ?)",
        ("f" * 64, time.time()),
    )
    db.close()
