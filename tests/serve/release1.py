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


def make_folder(folder: Path) -> dict:
    """A first-release data folder: a 2024 round whose unit 甲局 was passed, a 2025 round (previous: 2024) where
    甲局 uploaded once with one 提示. Returns the ids."""
    folder.mkdir(parents=True)
    (folder / "files").mkdir()
    db = sqlite3.connect(folder / "xlrep.sqlite3")
    db.executescript(SCHEMA_1)
    now = time.time()
    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [("schema_version", "1"), ("secret", "ab" * 32)])
    ids = {}
    for year, previous in ((2024, None), (2025, 1)):
        cursor = db.execute(
            "INSERT INTO rounds (year, edition, title, deadline, previous_id, created_at) VALUES (?, '2021', ?, NULL, ?, ?)",
            (year, f"{year}年度", previous, now),
        )
        ids[year] = cursor.lastrowid
        db.execute(
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
        db.execute(
            "INSERT INTO versions (unit_id, number, sha256, filename, size, uploaded_at, audited_at, errors, warnings,"
            " infos, edition, year, org_name, audit_json) VALUES (?, 1, ?, 'x.xlsx', 1, ?, ?, 0, 1, 0, '2021', ?, '甲局', ?)",
            (unit_id, f"{year:064d}", now, now, year, json.dumps(audit | {"year": year})),
        )
    db.execute("UPDATE units SET review = 'passed', review_version_id = 1, review_at = ? WHERE id = 1", (now,))
    db.commit()
    db.close()
    return {"round_2024": ids[2024], "round_2025": ids[2025], "unit_2024": 1, "unit_2025": 2}
