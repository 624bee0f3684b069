"""Everything the collection site keeps: one SQLite database (WAL) and the uploaded files beside it.

The data folder holds ``xlrep.sqlite3`` and ``files/``; both together are the whole state, so
copying the folder copies the site. Uploaded workbooks are stored content-addressed
(``files/ab/<sha256>``): written once, atomically, never overwritten and never deleted by the site.
Every change is one ``BEGIN IMMEDIATE`` transaction committed with ``synchronous=FULL`` before the
request that made it is answered, so a crash loses nothing that was confirmed.

Nothing in this module knows about HTTP; every method is synchronous and thread-safe
(one connection per thread, one writer at a time).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import sqlite3
import time
from pathlib import Path

from ..common.errors import XlrepError
from ..common.files import write_atomically
from . import faults
from .people import People
from .records import (
    Account,
    Event,
    NewerVersion,
    Round,
    StateError,
    Unit,
    Version,
    last_day,
    past,
)
from .rollup_store import RollUp
from .roster import RosterEntry
from .schema import INDEXES, MIGRATIONS, SCHEMA, SCHEMA_VERSION, present_already, schema_columns

DB_NAME = "xlrep.sqlite3"
FILES_DIR = "files"
PART_AGE = 3600  # seconds: a half-written upload file this old in a shared files folder is a crash's leftover
# How long an audit a process took on is its own: after that (the process ended without finishing it) another may
# take it on. An audit ends in ``Limits.audit_wall`` (25 s by default) once a worker has it.
CLAIM_SECONDS = 600


class StorageError(XlrepError):
    """The data folder cannot be used as it is (made by a newer release, …): the message says what to do."""


class DataFolderError(XlrepError):
    """The data folder cannot be used as it is (damaged, read-only, full, gone); ``message`` is Chinese."""


def _sqlite_reason(exc: Exception) -> str:
    """What an SQLite error means for the office (Chinese): damaged, read-only, full, locked, …"""
    text = str(exc).lower()
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return "damaged"
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return "readonly"
    if "full" in text:
        return "full"
    if "disk i/o" in text:
        return "io"
    return "other"


def data_folder_message(folder: Path, exc: BaseException) -> str:
    """The Chinese message for a data folder that cannot be used, with what to do about it."""
    import errno
    import sqlite3

    from ..common.files import os_error_text
    from ..common.safetext import display_path

    shown = display_path(folder)
    if isinstance(exc, DataFolderError):
        return exc.message
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            kind = "readonly"
        elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
            kind = "full"
        else:
            return f"无法使用数据文件夹“{shown}”：{os_error_text(exc)}。请检查这个文件夹，或用 --data 换一个文件夹。"
    elif isinstance(exc, sqlite3.Error):
        kind = _sqlite_reason(exc)
    else:
        kind = "other"
    if kind == "readonly":
        return (
            f"数据文件夹“{shown}”是只读的（没有写入权限，或所在的磁盘、U 盘被设为只读），网站需要在其中保存数据。"
            "数据没有改动。请检查这个文件夹的权限（运行网站的账户须能写入），或用 --data 换一个可写的文件夹。"
        )
    if kind == "full":
        return (
            f"数据文件夹“{shown}”所在的磁盘空间不足，网站无法保存数据。数据没有改动。"
            "请清理磁盘（或换一个空间充足的磁盘），再启动网站。"
        )
    if kind == "damaged":
        return damaged_message(folder, "数据库文件已损坏")
    return (
        f"数据文件夹“{shown}”中的数据库无法使用（{exc}）。数据没有改动。"
        "请确认没有另一个程序正在使用它，或用 --data 换一个文件夹。"
    )


def failure_message(exc: BaseException) -> str:
    """Why a change could not be saved while the site runs (Chinese): nothing was confirmed."""
    import errno
    import sqlite3

    if isinstance(exc, DataFolderError):
        return exc.message
    kind = "other"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            kind = "full"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            kind = "readonly"
        elif exc.errno == errno.ENOENT:
            kind = "gone"
    elif isinstance(exc, sqlite3.Error):
        kind = _sqlite_reason(exc)
    elif type(exc).__module__.startswith(("psycopg", "psycopg_pool")):
        kind = "server"
    messages = {
        "server": "服务器暂时无法使用数据库（数据库服务器连接不上或出错），这次的操作没有保存。请稍后重试；"
        "如果一再出现，请联系政务公开办检查数据库服务器。",
        "full": "服务器的磁盘空间不足，这次的操作没有保存。请联系政务公开办清理服务器的磁盘后再试。",
        "readonly": "服务器的数据文件夹变成了只读（或没有写入权限），这次的操作没有保存。请联系政务公开办检查数据文件夹。",
        "gone": "服务器的数据文件夹或数据库不见了（被删除或移走），这次的操作没有保存。"
        "请联系政务公开办：停止网站，从备份恢复数据文件夹后再启动。",
        "damaged": "服务器的数据库已损坏，这次的操作没有保存。请联系政务公开办：停止网站，从备份恢复后再启动。",
    }
    return messages.get(kind, "服务器保存数据时出错，这次的操作没有保存。请稍后重试；如果一再出现，请联系政务公开办。")


def damaged_message(folder: Path, what: str) -> str:
    from ..common.safetext import display_path

    return (
        f"数据文件夹“{display_path(folder)}”中的数据库 {DB_NAME} 无法使用：{what}。网站没有启动，数据没有改动。"
        f"恢复办法：先把整个数据文件夹复制一份留存；再用最近的备份替换其中的 {DB_NAME}"
        "（上传的文件在 files 文件夹中，不受影响），见 docs/serve.md 的“数据与备份”；"
        "没有备份时，可用 --data 指定一个新的文件夹重新开始。"
    )


def _shown(folder: Path) -> str:
    from ..common.safetext import display_path

    return display_path(folder)


class Store(People, RollUp):
    """The data folder: the database and the content-addressed files (offices, accounts and sessions: ``People``)."""

    def __init__(self, folder: Path, *, database: str | None = None, files: Path | None = None):
        """The data folder ``folder`` with its SQLite database, or the PostgreSQL database at ``database``
        (``postgresql://…``; the folder then holds only the files). ``files``: where the uploaded files are
        (default ``folder/files``), a folder several processes and machines may share."""
        from .storage_backends import PostgresBackend, SqliteBackend

        self.folder = Path(folder)
        self.db_path = self.folder / DB_NAME
        self.files = Path(files) if files is not None else self.folder / FILES_DIR
        self.folder.mkdir(parents=True, exist_ok=True)
        self.files.mkdir(parents=True, exist_ok=True)
        if database:
            self.backend = PostgresBackend(database)
        else:
            self.created = not self.db_path.exists() or self.db_path.stat().st_size == 0
            self.backend = SqliteBackend(self.db_path)
        self.errors = self.backend.errors  # what a failing database raises (``app.Site.db`` answers them with 503)
        self.owner = secrets.token_hex(8)  # this process, as the audits it takes on name it
        try:
            if database:
                self.created = not self.backend.tables()  # an empty database (another program's: refused below)
            if not self.created:
                self._check_database()  # before anything is written: a damaged database is left as it is
            self.backend.create(SCHEMA)
        except BaseException:
            self.close()
            raise
        self.removed_parts = self._remove_partial_files()
        with self._write() as db:
            self._set_meta(db, "schema_version", SCHEMA_VERSION)
            self._upgrade(db)
            for statement in INDEXES:
                db.execute(statement)
            self._set_meta(db, "secret", secrets.token_hex(32))
            # not a secret: names this site in the workbooks it issues (``xlrep.round``/``xlrep.unit``)
            self._set_meta(db, "site_id", secrets.token_hex(6))
        self.secret = bytes.fromhex(self._meta("secret"))
        self.site_id = self._meta("site_id")

    @staticmethod
    def _set_meta(db, key: str, value: str) -> None:
        """``meta[key] = value`` unless it is set already."""
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value))

    def _upgrade(self, db) -> None:
        """Bring a data folder of an earlier release up to ``SCHEMA_VERSION`` (inside the caller's transaction)."""
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        found = self.backend.tables() if version in MIGRATIONS else {}
        while version in MIGRATIONS:
            for statement in MIGRATIONS[version]:
                if not present_already(statement, found):  # (a later table, made by ``SCHEMA`` as it is now)
                    db.execute(statement)
            version = str(int(version) + 1)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
        if version != SCHEMA_VERSION:
            raise StorageError(
                f"数据文件夹“{self.folder.name}”是更新版本的 xlrep 建立的（数据格式 {version}），"
                f"这个版本只认识格式 {SCHEMA_VERSION}。请用建立它的那个版本（或更新的版本）打开。"
            )
        self._identity = self._identities()

    # -- the data folder is still there ------------------------------------------------------------------
    def _identities(self) -> dict[Path, tuple[int, int] | None]:
        """(device, inode) of the database, its WAL, the folder and ``files/``: what ``check_alive`` compares."""
        found = {}
        paths = (self.folder, self.db_path, self.files, self.db_path.with_name(DB_NAME + "-wal"))
        if self.backend.kind != "sqlite":  # the database is elsewhere: only the files' folder is here
            paths = (self.files,)
        for path in paths:
            try:
                info = path.stat()
                found[path] = (info.st_dev, info.st_ino)
            except OSError:
                found[path] = None
        return found

    def check_alive(self) -> None:
        """Refuse (``DataFolderError``) when the database or ``files/`` was deleted, moved or replaced, or the
        folder cannot be written any more: a change made now would be lost, so none is confirmed."""
        import os

        for path, identity in self._identity.items():
            if identity is None:
                continue
            try:
                info = path.stat()
            except FileNotFoundError:
                raise DataFolderError(failure_message(FileNotFoundError(2, "gone"))) from None
            if (info.st_dev, info.st_ino) != identity:
                raise DataFolderError(failure_message(FileNotFoundError(2, "replaced")))
        for folder in (self.folder, self.files) if self.backend.kind == "sqlite" else (self.files,):
            if not os.access(folder, os.W_OK):
                raise DataFolderError(failure_message(PermissionError(13, "not writable")))

    # -- connections ----------------------------------------------------------------
    def _db(self):
        """A connection for reading (SQLite: this thread's; PostgreSQL: the session's, or else the pool, one
        connection per statement)."""
        return self.backend.connection()

    def session(self):
        """A block whose statements share one connection (PostgreSQL: borrowed from the pool once, not once per
        statement; SQLite: nothing to do). ``serve.app.Site.db`` runs every store call in one."""
        return self.backend.session()

    @contextlib.contextmanager
    def _write(self):
        """One write transaction at a time (across processes on PostgreSQL), committed when the block ends."""
        with self.backend.transaction() as db:
            if hasattr(self, "_identity"):
                self.check_alive()
            yield db
        if hasattr(self, "_identity"):
            self.check_alive()  # deleted meanwhile: committed to a file that is gone, so not confirmed

    def _check_database(self) -> None:
        """Refuse a damaged database, or one of another structure, before the site starts (``DataFolderError``)."""
        db = self._db()
        if self.backend.kind == "sqlite":
            try:
                problems = [r[0] for r in db.execute("PRAGMA quick_check(5)")]
            except sqlite3.DatabaseError as exc:
                if _sqlite_reason(exc) == "damaged":
                    raise DataFolderError(
                        damaged_message(self.folder, "文件已损坏（不是完整的 SQLite 数据库）")
                    ) from None
                raise
            if problems != ["ok"]:
                raise DataFolderError(
                    damaged_message(self.folder, "完整性检查发现错误（" + "；".join(problems[:2]) + "）")
                )
        found = self.backend.tables()
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if "meta" in found else None
        stored = row[0] if row else SCHEMA_VERSION
        expected = schema_columns(stored)
        if not found:
            return  # an empty database (created, never written): made now
        missing = [t for t in expected if t not in found]
        columns = [f"{t}.{c}" for t in expected if t in found for c in sorted(expected[t] - found[t])]
        server = self.backend.kind != "sqlite"
        if missing or columns:
            what = "、".join(missing + columns)
            if server:
                from .storage_backends import shown_address

                raise DataFolderError(
                    f"数据库“{shown_address(self.backend.address)}”不是 xlrep 收集网站的数据库，或结构已损坏（缺少 {what}）。"
                    "数据没有改动。请为网站单独建一个空的数据库（createdb），或从备份恢复（pg_restore），见 docs/serve.md。"
                )
            raise DataFolderError(
                damaged_message(self.folder, f"它不是 xlrep 收集网站的数据库，或结构已损坏（缺少 {what}）")
            )
        if stored != SCHEMA_VERSION and stored not in MIGRATIONS:  # a newer release's (older ones are upgraded)
            where = "数据库" if server else "数据文件夹"
            raise DataFolderError(
                f"{where}“{self._where()}”由更新版本的 xlrep 建立（数据格式第 {stored} 版，本程序是第 {SCHEMA_VERSION} 版）。"
                "数据没有改动。请用建立它的 xlrep 版本运行，或升级 xlrep。"
            )

    def _where(self) -> str:
        """The data folder, or the database server's address without its password (for messages)."""
        if self.backend.kind == "sqlite":
            return _shown(self.folder)
        from .storage_backends import shown_address

        return shown_address(self.backend.address)

    def _remove_partial_files(self) -> int:
        """Remove the half-written files (``.xlrep-*.part``) a crash left in ``files/``; returns how many. With a
        database server the folder may be shared with running processes: only parts an hour old are theirs no more
        (an upload is written in seconds)."""
        shared = self.backend.kind != "sqlite"
        removed = 0
        for part in [*self.files.glob("*/.xlrep-*.part"), *self.files.glob(".xlrep-*.part")]:
            with contextlib.suppress(OSError):
                if shared and part.stat().st_mtime > time.time() - PART_AGE:
                    continue
                part.unlink()
                removed += 1
        return removed

    def close(self) -> None:
        if hasattr(self, "backend"):
            self.backend.close()

    def integrity_check(self) -> str:
        """SQLite's own check of the database file ("ok"); a PostgreSQL server checks its own."""
        if self.backend.kind != "sqlite":
            return "ok"
        return self._db().execute("PRAGMA integrity_check").fetchone()[0]

    def _meta(self, key: str) -> str | None:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def log(
        self, actor: str, action: str, *, ip: str | None = None, detail: str | None = None, by: Account | None = None
    ) -> None:
        with self._write() as db:
            self._event(db, actor, action, ip=ip, detail=detail, by=by)

    # -- rounds and units -------------------------------------------------------------------------
    def create_round(
        self,
        *,
        year: int,
        edition: str,
        title: str,
        deadline: str | None,
        previous_id: int | None,
        summary_org: str | None,
        summary_org_type: str | None,
        units: list[tuple[str, str]],
        ip: str | None,
        office_id: int | None = None,
        by: Account | None = None,
    ) -> int:
        """A round of ``office_id`` (default: the account's office, else the first office)."""
        now = time.time()
        if office_id is None:
            office_id = by.office_id if by is not None else self._first_office_id()
        with self._write() as db:
            round_id = db.insert(
                "INSERT INTO rounds (year, edition, title, deadline, previous_id, summary_org, summary_org_type,"
                " created_at, office_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (year, edition, title, deadline, previous_id, summary_org, summary_org_type, now, office_id),
            )
            self._event(
                db, "管理员", "create_round", round_id=round_id, ip=ip, detail=f"{title}，{len(units)} 个单位", by=by
            )
            self._insert_units(db, round_id, units, now)
            self._link_lower(db, round_id, now, ip=ip, by=by)
        return round_id

    def add_units(self, round_id: int, units: list[tuple], ip: str | None, *, by: Account | None = None) -> list[str]:
        """Add units (``roster.RosterEntry`` or (name, type) pairs) to a round; returns the names that were already
        there (and were not added again)."""
        now = time.time()
        entries = [RosterEntry(*u) for u in units]
        with self._write() as db:
            self._refuse_archived(db, round_id)
            rows = db.execute("SELECT id, name, removed_at FROM units WHERE round_id = ?", (round_id,)).fetchall()
            existing = {name for _, name, removed in rows if removed is None}
            removed = {name: unit_id for unit_id, name, gone in rows if gone is not None}
            back = [u for u in entries if u.name in removed]
            new = [u for u in entries if u.name not in existing and u.name not in removed]
            for u in back:  # taken off the list earlier: brought back as it was, files and link included
                db.execute("UPDATE units SET removed_at = NULL WHERE id = ?", (removed[u.name],))
                self._event(db, u.name, "restore", round_id=round_id, unit_id=removed[u.name], ip=ip, by=by)
            self._insert_units(db, round_id, new, now)
            if new:
                self._event(
                    db, "管理员", "add_units", round_id=round_id, ip=ip, detail="、".join(u.name for u in new), by=by
                )
        return [u.name for u in entries if u.name in existing]

    @staticmethod
    def _insert_units(db, round_id: int, units: list[tuple], now: float) -> None:
        """Add units at the end of the list; each is the same unit as last year's of its name (until the office
        links a renamed one by hand)."""
        start = db.execute("SELECT COALESCE(MAX(position), 0) FROM units WHERE round_id = ?", (round_id,)).fetchone()[0]
        for i, unit in enumerate(map(lambda u: RosterEntry(*u), units), start=start + 1):
            last = db.execute(
                "SELECT p.id FROM units p JOIN rounds r ON p.round_id = r.previous_id WHERE r.id = ? AND p.name = ?",
                (round_id, unit.name),
            ).fetchone()
            db.execute(
                "INSERT INTO units (round_id, position, name, org_type, token, created_at, contact, phone,"
                " last_year_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    round_id,
                    i,
                    unit.name,
                    unit.org_type,
                    secrets.token_urlsafe(24),
                    now,
                    unit.contact,
                    unit.phone,
                    last[0] if last else None,
                ),
            )

    # -- fixing the list -------------------------------------------------------------------------------
    def rename_unit(self, unit: Unit, name: str, ip: str | None, *, by: Account | None = None) -> None:
        """A unit renamed (机构改革): its link, uploads and last year's link stay; the old name is logged."""
        with self._write() as db:
            self._refuse_archived(db, unit.round_id)
            taken = db.execute(
                "SELECT removed_at FROM units WHERE round_id = ? AND name = ? AND id != ?",
                (unit.round_id, name, unit.id),
            ).fetchone()
            if taken:
                gone = "（已移出名单；要用它，请在“添加单位”中重新列入）" if taken[0] else ""
                raise StateError(f"本次收集中已有名为“{name}”的单位{gone}。")
            db.execute("UPDATE units SET name = ? WHERE id = ?", (name, unit.id))
            self._event(
                db,
                name,
                "rename",
                round_id=unit.round_id,
                unit_id=unit.id,
                ip=ip,
                detail=f"{unit.name} → {name}",
                by=by,
            )

    def new_link(self, unit: Unit, ip: str | None, *, by: Account | None = None) -> str:
        """A new private link for the unit (the old one leaked): the old one stops working at once."""
        token = secrets.token_urlsafe(24)
        with self._write() as db:
            self._refuse_archived(db, unit.round_id)
            db.execute("UPDATE units SET token = ? WHERE id = ?", (token, unit.id))
            self._event(db, unit.name, "new_link", round_id=unit.round_id, unit_id=unit.id, ip=ip, by=by)
        return token

    def remove_unit(self, unit: Unit, ip: str | None, *, by: Account | None = None) -> bool:
        """Take a unit off the list (its link stops working; it no longer counts in progress or the 汇总). The row is
        kept — its id is in the codes of the templates it was issued and in the log, and never names another unit —
        with every file it uploaded; adding its name again brings it back. Returns whether it had no upload."""
        with self._write() as db:
            self._refuse_archived(db, unit.round_id)
            empty = db.execute("SELECT 1 FROM versions WHERE unit_id = ?", (unit.id,)).fetchone() is None
            db.execute("UPDATE units SET removed_at = ? WHERE id = ?", (time.time(), unit.id))
            detail = "已移出（没有上传过）" if empty else "已移出（保留其上传的文件）"
            self._event(db, unit.name, "remove", round_id=unit.round_id, unit_id=unit.id, ip=ip, detail=detail, by=by)
        return empty

    def link_last_year(
        self, unit: Unit, last_year_id: int | None, ip: str | None, *, by: Account | None = None
    ) -> None:
        """The office says which unit of last year's round this one is (a renamed unit): prefill and PREV-* then
        use that unit's accepted workbook."""
        with self._write() as db:
            self._refuse_archived(db, unit.round_id)
            name = None
            if last_year_id is not None:
                row = db.execute(
                    "SELECT p.name FROM units p JOIN rounds r ON p.round_id = r.previous_id WHERE r.id = ? AND p.id = ?",
                    (unit.round_id, last_year_id),
                ).fetchone()
                if row is None:
                    raise StateError("所选的单位不在上年的收集中。")
                name = row[0]
            db.execute("UPDATE units SET last_year_id = ? WHERE id = ?", (last_year_id, unit.id))
            self._event(
                db,
                unit.name,
                "last_year",
                round_id=unit.round_id,
                unit_id=unit.id,
                ip=ip,
                detail=f"上年为“{name}”" if name else "上年无对应单位",
                by=by,
            )

    def removed_units(self, round_id: int) -> list[Unit]:
        rows = self._db().execute(
            "SELECT * FROM units WHERE round_id = ? AND removed_at IS NOT NULL ORDER BY position", (round_id,)
        )
        return [Unit(**dict(r)) for r in rows]

    def last_year_units(self, round_id: int) -> list[Unit]:
        """The units of this round's previous round (to link a renamed unit)."""
        rows = self._db().execute(
            "SELECT p.* FROM units p JOIN rounds r ON p.round_id = r.previous_id WHERE r.id = ? AND p.removed_at IS NULL"
            " ORDER BY p.position",
            (round_id,),
        )
        return [Unit(**dict(r)) for r in rows]

    def _first_office_id(self) -> int | None:
        return self._db().execute("SELECT MIN(id) FROM offices WHERE parent_id IS NULL").fetchone()[0]

    def rounds(self, offices: set[int] | None = None) -> list[Round]:
        """Every round (newest year first), or the rounds of the offices ``offices``."""
        rows = self._db().execute("SELECT * FROM rounds ORDER BY year DESC, id DESC").fetchall()
        found = [Round(**dict(r)) for r in rows]
        return found if offices is None else [r for r in found if r.office_id in offices]

    def round(self, round_id: int) -> Round | None:
        row = self._db().execute("SELECT * FROM rounds WHERE id = ?", (round_id,)).fetchone()
        return Round(**dict(row)) if row else None

    def units(self, round_id: int) -> list[Unit]:
        """The round's units in their order, each with its latest version and number of versions."""
        db = self._db()
        rows = db.execute(
            "SELECT * FROM units WHERE round_id = ? AND removed_at IS NULL ORDER BY position", (round_id,)
        )
        units = [Unit(**dict(r)) for r in rows]
        latest = {
            r["unit_id"]: (Version(**{k: r[k] for k in r.keys() if k != "n"}), r["n"])
            for r in db.execute(
                "SELECT v.*, c.n FROM versions v JOIN ("
                " SELECT unit_id, MAX(number) AS top, COUNT(*) AS n FROM versions"
                " WHERE unit_id IN (SELECT id FROM units WHERE round_id = ?) GROUP BY unit_id"
                ") c ON c.unit_id = v.unit_id AND c.top = v.number",
                (round_id,),
            )
        }
        for unit in units:
            if unit.id in latest:
                unit.latest, unit.version_count = latest[unit.id]
        return units

    def _unit(self, where: str, arg) -> Unit | None:
        db = self._db()
        row = db.execute(
            "SELECT u.*, (SELECT COUNT(*) FROM versions v WHERE v.unit_id = u.id) AS version_count"
            f" FROM units u WHERE u.{where}",
            (arg,),
        ).fetchone()
        if row is None:
            return None
        unit = Unit(**dict(row))
        if unit.version_count:
            top = db.execute("SELECT * FROM versions WHERE unit_id = ? ORDER BY number DESC LIMIT 1", (unit.id,))
            top = top.fetchone()
            unit.latest = Version(**dict(top)) if top else None
        return unit

    def unit_by_token(self, token: str) -> Unit | None:
        """The unit whose link this is; None for a link replaced or a unit taken off the list."""
        found = self._unit("token = ?", token)
        return found if found is not None and found.removed_at is None else None

    def unit(self, unit_id: int) -> Unit | None:
        return self._unit("id = ?", unit_id)

    def unit_named(self, round_id: int, name: str) -> Unit | None:
        row = self._db().execute("SELECT id FROM units WHERE round_id = ? AND name = ?", (round_id, name)).fetchone()
        return self.unit(row[0]) if row else None

    # -- files -----------------------------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        return self.files / sha256[:2] / sha256

    def put_blob(self, data: bytes) -> str:
        """Store ``data`` under its SHA-256 (written once, atomically, synced) and return the hash."""
        digest = hashlib.sha256(data).hexdigest()
        self.check_alive()
        path = self.blob_path(digest)
        if path.exists() and path.stat().st_size == len(data):
            return digest
        path.parent.mkdir(exist_ok=True)
        if faults.on("enospc"):
            import errno

            raise OSError(errno.ENOSPC, "No space left on device (XLREP_SERVE_FAULTS)")
        try:
            write_atomically(path, data)
        except FileExistsError:  # stored meanwhile by a concurrent upload of the same bytes
            pass
        return digest

    def read_blob(self, sha256: str) -> bytes:
        return self.blob_path(sha256).read_bytes()

    # -- versions --------------------------------------------------------------------------------
    def refuse_upload(self, unit: Unit) -> None:
        """``StateError`` when the unit may not upload now (closed, archived, off the list, 已上报, 已通过): asked
        before an upload's bytes are stored, and again, atomically, when the version is recorded."""
        self._refuse_upload(self._db(), unit.id)

    @staticmethod
    def _refuse_upload(db, unit_id: int) -> None:
        review = Store._refuse_when_closed(db, unit_id)["review"]
        if review not in (None, "returned"):
            raise StateError(
                "已上报，正在等待审核，不能再上传。如需修改，请联系政务公开办退回。"
                if review == "submitted"
                else "已通过审核，不能再上传。如需修改，请联系政务公开办退回。"
            )

    def add_version(self, unit: Unit, *, sha256: str, filename: str, size: int, ip: str | None) -> Version:
        """Record an upload (its audit comes later: ``set_audit``). Refused when the unit may not upload."""
        with self._write() as db:
            return self._add_version(db, unit, sha256=sha256, filename=filename, size=size, ip=ip)

    def _add_version(self, db, unit: Unit, *, sha256: str, filename: str, size: int, ip: str | None) -> Version:
        """(In a write transaction.) ``add_version``."""
        now = time.time()
        self._refuse_upload(db, unit.id)
        version_id = db.insert(  # numbered in the same statement: the unit's next number (under the write lock)
            "INSERT INTO versions (unit_id, number, sha256, filename, size, uploaded_at, audit_claimed_by,"
            " audit_claimed_at) SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?, ?, ? FROM versions"
            " WHERE unit_id = ?",
            (unit.id, sha256, filename, size, now, self.owner, now, unit.id),
        )
        version = Version(**dict(db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()))
        self._event(
            db,
            unit.name,
            "upload",
            round_id=unit.round_id,
            unit_id=unit.id,
            version_id=version_id,
            ip=ip,
            detail=f"第 {version.number} 版：{filename}",
        )
        return version

    def set_audit(
        self, version_id: int, audit: dict, org_name: str | None, content: str | None = None, phone: str | None = None
    ) -> None:
        """Store a version's audit (``audit`` is the object ``xlrep ingest --json`` prints), ``content``, the
        digest of what it holds, and its 电话 (``audits.check``)."""
        summary = audit["summary"]
        with self._write() as db:
            db.execute(
                "UPDATE versions SET audited_at = ?, errors = ?, warnings = ?, infos = ?, edition = ?, year = ?,"
                " org_name = ?, audit_json = ?, content = ?, phone = ?, belongs = ? WHERE id = ?",
                (
                    time.time(),
                    summary["errors"],
                    summary["warnings"],
                    summary["infos"],
                    audit.get("edition"),
                    audit.get("year"),
                    org_name,
                    json.dumps(audit, ensure_ascii=False, default=str),
                    content,
                    phone,
                    ",".join(
                        f["rule"]
                        for f in audit["findings"]
                        if f["rule"].startswith("ROUND-") and f["severity"] == "error"
                    )
                    or None,
                    version_id,
                ),
            )

    def versions(self, unit_id: int) -> list[Version]:
        rows = self._db().execute("SELECT * FROM versions WHERE unit_id = ? ORDER BY number DESC", (unit_id,))
        return [Version(**dict(r)) for r in rows]

    def version(self, unit_id: int, number: int) -> Version | None:
        row = (
            self._db().execute("SELECT * FROM versions WHERE unit_id = ? AND number = ?", (unit_id, number)).fetchone()
        )
        return Version(**dict(row)) if row else None

    def version_by_id(self, version_id: int) -> Version | None:
        row = self._db().execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        return Version(**dict(row)) if row else None

    def pending_versions(self) -> list[tuple[Unit, Version]]:
        """Uploads whose audit never finished (the site stopped in between): audited again at start, by this
        process, which takes them on. With SQLite no other process runs on the data folder, so every one is left
        over; on a database server, those another process is auditing now (taken on less than ``CLAIM_SECONDS``
        ago) are left to it."""
        with self._write() as db:
            rows = db.execute(
                "SELECT * FROM versions WHERE audited_at IS NULL AND " + self._claimable + " ORDER BY id",
                (self.owner, self._stale()),
            ).fetchall()
            for row in rows:
                self._claim(db, row["id"])
        versions = [self.version_by_id(r["id"]) for r in rows]
        return [(self.unit(v.unit_id), v) for v in versions]

    def claim_audit(self, version_id: int) -> bool:
        """Take on auditing a version not audited yet: False when another process audits it now (or it is done)."""
        with self._write() as db:
            taken = db.execute(
                "SELECT 1 FROM versions WHERE id = ? AND audited_at IS NULL AND " + self._claimable,
                (version_id, self.owner, self._stale()),
            ).fetchone()
            if taken:
                self._claim(db, version_id)
        return taken is not None

    _claimable = "(audit_claimed_by IS NULL OR audit_claimed_by = ? OR audit_claimed_at < ?)"

    def _stale(self) -> float:
        """Audits taken on before this time are no process's any more (SQLite: all but this process's)."""
        return float("inf") if self.backend.kind == "sqlite" else time.time() - CLAIM_SECONDS

    def _claim(self, db, version_id: int) -> None:
        db.execute(
            "UPDATE versions SET audit_claimed_by = ?, audit_claimed_at = ? WHERE id = ?",
            (self.owner, time.time(), version_id),
        )

    def accepted_version(self, round_id: int | None, unit: Unit | str) -> Version | None:
        """The version the office passed in the given round (last year's) for ``unit``: the unit it is linked to
        (``last_year_id``: same name when listed, kept through a rename, set or cleared by the office); a name
        (str) is looked up by name."""
        if round_id is None:
            return None
        if isinstance(unit, Unit):  # linked when the unit was listed (same name) or by the office; None: no unit
            if unit.last_year_id is None:
                return None
            where, arg = "u.id = ?", unit.last_year_id
        else:
            where, arg = "u.name = ?", unit
        row = (
            self._db()
            .execute(
                "SELECT v.* FROM units u JOIN versions v ON v.id = u.review_version_id"
                f" WHERE u.round_id = ? AND {where} AND u.review = 'passed'",
                (round_id, arg),
            )
            .fetchone()
        )
        return Version(**dict(row)) if row else None

    # -- workflow ----------------------------------------------------------------------------------
    def submit(self, unit: Unit, number: int, ip: str | None, explanations: dict[str, str] | None = None) -> Version:
        """确认上报: only the latest version, audited and without errors, and only before a decision; a version
        with 提示 only with a 说明 for each (``explanations``: finding index → text, or ``"all"`` → one for all),
        kept with the version (核实性审核)."""
        with self._write() as db:
            state = self._refuse_when_closed(db, unit.id)
            review = state["review"]
            if review == "submitted":
                raise StateError("已经上报过了，正在等待政务公开办审核。")
            if review == "passed":
                raise StateError("已通过审核，无需再上报。")
            row = db.execute(
                "SELECT * FROM versions WHERE unit_id = ? ORDER BY number DESC LIMIT 1", (unit.id,)
            ).fetchone()
            if row is None:
                raise StateError("还没有上传过填报表。")
            if row["number"] != number:
                raise NewerVersion(row["number"])
            version = Version(**dict(row))
            returned = state["review_version_id"]
            if not version.audited:
                raise StateError("这一版还在校验中，请稍候刷新页面。")
            if version.errors:
                raise StateError(f"第 {number} 版有 {version.errors} 项错误，不能上报。请改正后重新上传。")
            kept = self._explanations(version, explanations or {})
            if review == "returned":
                self._refuse_unchanged(db, unit, version, returned, kept)
            if kept:
                db.execute(
                    "UPDATE versions SET explanations = ? WHERE id = ?",
                    (json.dumps(kept, ensure_ascii=False), version.id),
                )
            db.execute(
                "UPDATE units SET review = 'submitted', review_version_id = ?, review_comment = NULL, review_at = ?"
                " WHERE id = ?",
                (version.id, time.time(), unit.id),
            )
            self._event(
                db,
                unit.name,
                "submit",
                round_id=unit.round_id,
                unit_id=unit.id,
                version_id=version.id,
                ip=ip,
                detail=f"第 {number} 版",
            )
        return version

    @staticmethod
    def _explanations(version: Version, given: dict[str, str]) -> dict[str, str]:
        """The 说明 to keep with ``version``: one for each 提示, or one for all; refused when any is missing."""
        warnings = version.warning_indexes()
        if not warnings:
            return {}
        text = {str(k): str(v).strip()[:2000] for k, v in given.items() if str(v).strip()}
        if text.get("all"):
            return {"all": text["all"]}
        missing = [i for i in warnings if str(i) not in text]
        if missing:
            raise StateError(
                f"第 {version.number} 版有 {len(warnings)} 项提示，其中 {len(missing)} 项还没有写说明。"
                "请逐条核实：数字确实无误的，写明原因（例如“本年确无收费”）；也可以写一段说明涵盖全部提示。"
            )
        return {str(i): text[str(i)] for i in warnings}

    def verify(self, version_id: int, index: int, verified: bool, ip: str | None, *, by: Account | None = None) -> None:
        """The office marks a 提示 of a version 已核实 (or takes the mark back); logged."""
        with self._write() as db:
            row = db.execute(
                "SELECT v.*, u.round_id AS round_id, u.name AS unit_name FROM versions v JOIN units u ON u.id = v.unit_id"
                " WHERE v.id = ?",
                (version_id,),
            ).fetchone()
            fields = {k: row[k] for k in row.keys() if k not in ("round_id", "unit_name")}
            version = Version(**fields)
            self._refuse_archived(db, row["round_id"])
            if index not in version.warning_indexes():
                raise StateError("没有这一项提示。")
            marks = version.verified_findings | {index} if verified else version.verified_findings - {index}
            db.execute("UPDATE versions SET verified = ? WHERE id = ?", (json.dumps(sorted(marks)), version_id))
            rule = version.audit["findings"][index]["rule"]
            self._event(
                db,
                "管理员",
                "verify" if verified else "unverify",
                round_id=row["round_id"],
                unit_id=version.unit_id,
                version_id=version_id,
                ip=ip,
                detail=f"第 {version.number} 版 {rule}",
                by=by,
            )

    @staticmethod
    def _refuse_removed(db, unit_id: int) -> None:
        row = db.execute("SELECT removed_at FROM units WHERE id = ?", (unit_id,)).fetchone()
        if row is None or row[0]:
            raise StateError("这个单位已移出名单。")

    @staticmethod
    def _refuse_when_closed(db, unit_id: int):
        """Uploads and 上报 end at the round's deadline (or the later day the office gave the unit), with the
        round's archiving, and when the unit is taken off the list. The unit's state as read (one statement:
        ``review``, ``review_version_id`` too), for the checks that follow."""
        state = db.execute(
            "SELECT u.removed_at, u.review, u.review_version_id, u.extended_to, r.deadline, r.archived_at"
            " FROM units u JOIN rounds r ON r.id = u.round_id WHERE u.id = ?",
            (unit_id,),
        ).fetchone()
        if state is None or state["removed_at"]:
            raise StateError("这个单位已移出名单。")
        deadline, archived, extended = state["deadline"], state["archived_at"], state["extended_to"]
        if archived:
            raise StateError("本次收集已归档，不能再上传或上报。")
        until = last_day(deadline, extended)
        if past(until):
            raise StateError(f"本次收集已于 {until} 截止，不能再上传或上报。如需补报，请联系政务公开办延期。")
        return state

    def set_deadline(
        self, round_id: int, deadline: str | None, reason: str, ip: str | None, *, by: Account | None = None
    ) -> None:
        """The office moves the round's deadline (for every unit); the reason is logged."""
        with self._write() as db:
            self._refuse_archived(db, round_id)
            db.execute("UPDATE rounds SET deadline = ? WHERE id = ?", (deadline, round_id))
            self._event(
                db,
                "管理员",
                "deadline",
                round_id=round_id,
                ip=ip,
                detail=f"改为 {deadline or '不设截止日期'}：{reason}",
                by=by,
            )

    def extend_unit(
        self, unit: Unit, until: str | None, reason: str, ip: str | None, *, by: Account | None = None
    ) -> None:
        """The office gives one unit until ``until`` (None: no more than the round's deadline); logged."""
        with self._write() as db:
            self._refuse_archived(db, unit.round_id)
            db.execute("UPDATE units SET extended_to = ? WHERE id = ?", (until, unit.id))
            self._event(
                db,
                unit.name,
                "extend",
                round_id=unit.round_id,
                unit_id=unit.id,
                ip=ip,
                detail=f"延期至 {until}：{reason}" if until else f"取消延期：{reason}",
                by=by,
            )

    def archive(self, round_id: int, ip: str | None, *, by: Account | None = None) -> None:
        """已归档: the round becomes read-only (its files, 汇总 and records stay and can be downloaded)."""
        with self._write() as db:
            self._refuse_archived(db, round_id, reported=False)
            waiting = db.execute(
                "SELECT 1 FROM units u JOIN rounds r ON r.id = u.round_id WHERE u.member_round_id = ?"
                " AND u.removed_at IS NULL AND u.review = 'submitted' AND r.archived_at IS NULL",
                (round_id,),
            ).fetchone()
            if waiting:  # (a 退回 then would find the round read-only: nothing could be changed)
                raise StateError("本次收集的汇总正在等待上级审核，上级审核后才能归档。")
            now = time.time()
            db.execute("UPDATE rounds SET archived_at = ? WHERE id = ?", (now, round_id))
            self._event(db, "管理员", "archive", round_id=round_id, ip=ip, by=by)
            self._hand_back(db, round_id, now, ip=ip, by=by)

    @staticmethod
    def _refuse_archived(db, round_id: int, *, reported: bool = True) -> None:
        """Refused on an archived round, and on one whose 汇总 the office above has (已上报 or 已通过 there: it is
        what was sent; a 退回 opens the round again)."""
        row = db.execute("SELECT archived_at FROM rounds WHERE id = ?", (round_id,)).fetchone()
        if row and row[0]:
            raise StateError("本次收集已归档（只读），不能再更改。")
        if not reported:
            return
        # (a 汇总 left 已上报 in a round above that was archived: nobody can 退回 it any more, it holds nothing)
        sent = db.execute(
            "SELECT u.review FROM units u JOIN rounds r ON r.id = u.round_id WHERE u.member_round_id = ?"
            " AND u.removed_at IS NULL AND (u.review = 'passed' OR u.review = 'submitted' AND r.archived_at IS NULL)"
            " ORDER BY u.review = 'passed' DESC",
            (round_id,),
        ).fetchone()
        if sent:
            where = "正在等待上级审核" if sent[0] == "submitted" else "上级已审核通过"
            raise StateError(f"本次收集的汇总已向上级上报（{where}），不能再更改。如需修改，请联系上级机构退回。")

    @staticmethod
    def _refuse_unchanged(db, unit: Unit, version: Version, returned_id: int, explained: dict[str, str]) -> None:
        """A returned version cannot come back as it was: the same version, the same file, or the same figures
        and text in another file (saved again, renamed) — unless it comes back with other 说明 of its 提示 (the
        office may have returned it for them), uploaded again so that the first 说明 stay with the first version."""
        row = db.execute("SELECT * FROM versions WHERE id = ?", (returned_id,)).fetchone()
        comment = db.execute("SELECT review_comment FROM units WHERE id = ?", (unit.id,)).fetchone()[0]
        if row is None:
            return
        returned = Version(**dict(row))
        again = f"退回意见：{comment}" if comment else "请按退回意见修改。"
        if version.id == returned.id:
            raise StateError(f"第 {version.number} 版已被退回，不能原样再报。{again}")
        new_notes = bool(explained) and explained != returned.explained
        if new_notes:
            return
        notes = "（如果退回是因为提示的说明不充分，写好新的说明即可再报。）" if returned.warning_indexes() else ""
        if version.sha256 == returned.sha256:
            raise StateError(
                f"第 {version.number} 版与被退回的第 {returned.number} 版是同一个文件，不能原样再报。"
                f"请修改后重新上传{notes}。{again}"
            )
        if version.content and version.content == returned.content:
            raise StateError(
                f"第 {version.number} 版的数字和文字与被退回的第 {returned.number} 版完全相同，不能原样再报。"
                f"请修改后重新上传{notes}。{again}"
            )

    def decide(
        self,
        unit: Unit,
        decision: str,
        comment: str | None,
        ip: str | None,
        *,
        version: int | None = None,
        by: Account | None = None,
    ) -> None:
        """The office's 退回 (``return``, with a comment) or 通过 (``pass``) of version number ``version``: refused
        when the unit's version under review is another one (its page was open while the unit sent a new one)."""
        with self._write() as db:
            self._refuse_archived(db, unit.round_id)
            self._refuse_removed(db, unit.id)
            row = db.execute("SELECT review, review_version_id FROM units WHERE id = ?", (unit.id,)).fetchone()
            review, version_id = row
            if decision == "pass" and review != "submitted":
                raise StateError("只有已上报的单位才能通过。")
            if decision == "return" and review not in ("submitted", "passed"):
                raise StateError("只有已上报或已通过的单位才能退回。")
            if version is not None:
                current = db.execute("SELECT number FROM versions WHERE id = ?", (version_id,)).fetchone()
                latest = db.execute("SELECT MAX(number) FROM versions WHERE unit_id = ?", (unit.id,)).fetchone()[0]
                if current is None or current[0] != version or latest != version:
                    now = current[0] if current else latest
                    raise StateError(
                        f"操作没有执行：您审核的是第 {version} 版，但这个单位现在上报的是第 {now} 版"
                        "（页面打开后单位又上传或上报了）。请看过新的一版后再决定通过或退回。"
                    )
            db.execute(
                "UPDATE units SET review = ?, review_comment = ?, review_at = ? WHERE id = ?",
                ("passed" if decision == "pass" else "returned", comment, time.time(), unit.id),
            )
            self._event(
                db,
                "管理员",
                decision,
                round_id=unit.round_id,
                unit_id=unit.id,
                version_id=version_id,
                ip=ip,
                detail=comment,
                by=by,
            )

    # -- audit trail -----------------------------------------------------------------------------
    @staticmethod
    def _event(
        db,
        actor: str,
        action: str,
        *,
        round_id=None,
        unit_id=None,
        version_id=None,
        ip=None,
        detail=None,
        by: Account | None = None,
        account_id: int | None = None,
        office_id: int | None = None,
    ):
        """Log a step. ``by``: the person who took it (an office's action names them instead of "管理员").
        ``office_id``: the office whose log shows it (default: the person's office, else the round's)."""
        if by is not None:
            account_id = by.id
            if actor == "管理员":
                actor = by.name
        if office_id is None and by is not None:
            office_id = by.office_id
        # (no person: the office is the round's, found by the insert itself)
        office = "?" if office_id is not None or round_id is None else "(SELECT office_id FROM rounds WHERE id = ?)"
        db.execute(
            "INSERT INTO events (at, actor, action, round_id, unit_id, version_id, detail, ip, account_id, office_id)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {office})",
            (
                time.time(),
                actor,
                action,
                round_id,
                unit_id,
                version_id,
                detail,
                ip,
                account_id,
                office_id if office == "?" else round_id,
            ),
        )

    def events(self, *, round_id: int | None = None, unit_id: int | None = None, limit: int = 2000) -> list[Event]:
        where, args = [], []
        if round_id is not None:
            where.append("e.round_id = ?")
            args.append(round_id)
        if unit_id is not None:
            where.append("e.unit_id = ?")
            args.append(unit_id)
        sql = (
            "SELECT e.*, u.name AS unit_name, v.number AS version_number, a.name AS account_name FROM events e"
            " LEFT JOIN units u ON u.id = e.unit_id LEFT JOIN versions v ON v.id = e.version_id"
            " LEFT JOIN accounts a ON a.id = e.account_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY e.id DESC LIMIT ?"
        )
        return [Event(**dict(r)) for r in self._db().execute(sql, (*args, limit))]
