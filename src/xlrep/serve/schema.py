"""The site's database: its tables (``SCHEMA``, one SQL text for SQLite and PostgreSQL), the data format they are at
(``SCHEMA_VERSION``), and how a data folder or database of an earlier format is brought up to it, in place, at start
(``MIGRATIONS``, each step once; ``INDEXES`` on columns a migration adds; the tables a format added or dropped).
"""

from __future__ import annotations

import re
import sqlite3

SCHEMA_VERSION = "6"


# How a data folder of an earlier release is brought up to this one, in place, at start (each step once).
MIGRATIONS = {
    "1": (  # 2: what a version says (to refuse it unchanged), its phone, and whom the office calls for 催报
        "ALTER TABLE versions ADD COLUMN content TEXT",
        "ALTER TABLE versions ADD COLUMN phone TEXT",
        "ALTER TABLE units ADD COLUMN contact TEXT",
        "ALTER TABLE units ADD COLUMN phone TEXT",
        "ALTER TABLE units ADD COLUMN extended_to TEXT",  # and a round closes at its deadline, a unit may be given
        "ALTER TABLE rounds ADD COLUMN archived_at REAL",  # more time; an archived round is read-only
        "ALTER TABLE versions ADD COLUMN explanations TEXT",  # 核实性审核: the unit's 说明 of each 提示 …
        "ALTER TABLE versions ADD COLUMN verified TEXT",  # … and the ones the office marked 已核实
        "ALTER TABLE versions ADD COLUMN belongs TEXT",  # the ROUND-* errors of the upload, for the dashboard
        "ALTER TABLE units ADD COLUMN last_year_id INTEGER REFERENCES units (id)",  # the same unit last year
        "ALTER TABLE units ADD COLUMN removed_at REAL",  # taken off the list (kept when it has uploads)
        "UPDATE units SET last_year_id = (SELECT p.id FROM units p JOIN rounds r ON p.round_id = r.previous_id"
        " WHERE r.id = units.round_id AND p.name = units.name)",
    ),
    "2": (  # 3: which process audits an upload, since when (several processes on one database server)
        "ALTER TABLE versions ADD COLUMN audit_claimed_by TEXT",
        "ALTER TABLE versions ADD COLUMN audit_claimed_at REAL",
    ),
    "3": (  # 4: offices as a tree, people as accounts (the tables ``offices`` and ``accounts`` are made by SCHEMA)
        "ALTER TABLE rounds ADD COLUMN office_id INTEGER REFERENCES offices (id)",
        "ALTER TABLE units ADD COLUMN member_round_id INTEGER REFERENCES rounds (id)",  # (a lower office's round)
        "ALTER TABLE sessions ADD COLUMN account_id INTEGER REFERENCES accounts (id)",
        "ALTER TABLE login_failures ADD COLUMN login TEXT",
        "ALTER TABLE events ADD COLUMN account_id INTEGER",
        "ALTER TABLE events ADD COLUMN office_id INTEGER",
        # the office the site served becomes the first office (its name: the 汇总's 机关 of its latest round)…
        "INSERT INTO offices (name, level, parent_id, created_at)"
        " SELECT COALESCE((SELECT summary_org FROM rounds WHERE summary_org IS NOT NULL ORDER BY id DESC LIMIT 1),"
        " '本级政务公开办'), '县', NULL,"
        " COALESCE((SELECT changed_at FROM admin WHERE id = 1), (SELECT MIN(created_at) FROM rounds), 0)"
        " WHERE EXISTS (SELECT 1 FROM admin) OR EXISTS (SELECT 1 FROM rounds)",
        # … its admin the first account (login admin, the same password), its rounds and sessions theirs
        "INSERT INTO accounts (office_id, name, login, password_hash, role, created_at, changed_at)"
        " SELECT (SELECT MIN(id) FROM offices), '管理员', 'admin', password_hash, '管理员', changed_at, changed_at"
        " FROM admin WHERE id = 1",
        "UPDATE rounds SET office_id = (SELECT MIN(id) FROM offices)",
        "UPDATE sessions SET account_id = (SELECT MIN(id) FROM accounts)",
        "DELETE FROM sessions WHERE account_id IS NULL",
        "UPDATE events SET office_id = (SELECT MIN(id) FROM offices)",
        "DROP TABLE admin",
    ),
    "4": (  # 5: an account stopped by a 管理员 (停用), and one whose password a 管理员 reset (to change at sign-in)
        "ALTER TABLE accounts ADD COLUMN disabled_at REAL",
        "ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
    ),
    "5": (  # 6: a sign-in's password was checked and was wrong (told apart from one still being checked)
        "ALTER TABLE login_failures ADD COLUMN checked INTEGER",
    ),
}


# Made at every start once the tables are at this format (an index on a column a migration adds).
INDEXES = (
    "CREATE INDEX IF NOT EXISTS rounds_office ON rounds (office_id)",
    "CREATE INDEX IF NOT EXISTS login_failures_login ON login_failures (login, at)",
    "CREATE INDEX IF NOT EXISTS accounts_office ON accounts (office_id)",
)


# The tables a format added (absent from a data folder of an earlier format), and the ones it dropped.
TABLES_ADDED = {"offices": "4", "accounts": "4"}


TABLES_DROPPED = {"admin": ("4", {"id", "password_hash", "changed_at"})}


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
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
    changed_at    REAL NOT NULL,
    disabled_at   REAL,
    must_change_password INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    ip         TEXT,
    account_id INTEGER REFERENCES accounts (id)
);
CREATE TABLE IF NOT EXISTS login_failures (
    id      INTEGER PRIMARY KEY,
    ip      TEXT NOT NULL,
    at      REAL NOT NULL,
    login   TEXT,
    checked INTEGER
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
    created_at       REAL NOT NULL,
    archived_at      REAL,
    office_id        INTEGER REFERENCES offices (id)
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
    contact           TEXT,
    phone             TEXT,
    extended_to       TEXT,
    last_year_id      INTEGER REFERENCES units (id),
    removed_at        REAL,
    member_round_id   INTEGER REFERENCES rounds (id),
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
    content     TEXT,
    phone       TEXT,
    explanations TEXT,
    verified    TEXT,
    belongs     TEXT,
    audit_claimed_by TEXT,
    audit_claimed_at REAL,
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
    ip         TEXT,
    account_id INTEGER,
    office_id  INTEGER
);
CREATE INDEX IF NOT EXISTS events_round ON events (round_id, at);
CREATE INDEX IF NOT EXISTS events_unit ON events (unit_id, at);
"""


def present_already(statement: str, found: dict[str, set[str]]) -> bool:
    """Whether ``statement`` adds a column that ``found`` (table: columns) has already: a table a later format added
    is made by ``SCHEMA`` as this release has it, so an earlier format's upgrade finds the later columns there."""
    m = re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", statement)
    return bool(m) and m.group(2) in found.get(m.group(1), set())


def schema_columns(version: str = SCHEMA_VERSION) -> dict[str, set[str]]:
    """Every table of ``SCHEMA`` and its columns, as a data folder of format ``version`` has them (the columns
    that later formats' ``MIGRATIONS`` add are not there yet)."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA)
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {t: {r[1] for r in db.execute(f'PRAGMA table_info("{t}")')} for t in tables}
    finally:
        db.close()
    if version.isdigit():
        for table, since in TABLES_ADDED.items():
            if int(version) < int(since):
                columns.pop(table, None)
        for table, (since, old) in TABLES_DROPPED.items():
            if int(version) < int(since):
                columns[table] = set(old)
    later = [v for v in MIGRATIONS if int(v) >= int(version)] if version.isdigit() else []
    for v in later:
        for statement in MIGRATIONS[v]:
            m = re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", statement)
            if m and m.group(1) in columns:
                columns[m.group(1)].discard(m.group(2))
    return columns
