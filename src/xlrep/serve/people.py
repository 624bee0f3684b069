"""The people of the site, kept by the store: offices as a tree, accounts (scrypt hashes, roles), sessions, the first
sign-in and the login throttle. A part of ``storage.Store`` (its base class): it uses the store's connection
(``_db``), its one writer (``_write``) and its log (``_event``).
"""

from __future__ import annotations

import time
from typing import NamedTuple

from .records import LEVEL_RANK, LEVELS, MANAGER, ROLES, Account, Event, Office, StateError
from .security import throttle_wait

# An attempt not yet marked checked is taken for one still having its password checked for this long at most.
IN_FLIGHT_SECONDS = 10


class LoginTurn(NamedTuple):
    """The throttle's answer to a sign-in (``People.begin_login``)."""

    wait: int  # seconds to refuse with; 0: go on and check the password
    attempt: int | None  # the failure recorded for this attempt (removed when the password is right)
    earlier: int  # failures already counted
    busy: bool  # refused only for attempts still being checked (many signing in at once): a few seconds


# The steps on offices and accounts (the 机构与账号 page's log; sign-ins and sign-outs are in the log, not shown there).
OFFICE_ACTIONS = (
    "new_office",
    "edit_office",
    "new_account",
    "disable_account",
    "enable_account",
    "delete_account",
    "reset_account_password",
    "password",
)


class People:
    """Offices, accounts, sessions and sign-in: the methods ``Store`` has for them."""

    def needs_setup(self) -> bool:
        """Whether the first sign-in link is needed: no office yet, or the first office's first 管理员 has no
        password (never set, or cleared by ``--reset-password``)."""
        first = self.first_account()
        return first is None or not first.password_hash

    def first_account(self) -> Account | None:
        """The first office's first 管理员 account (the one the first sign-in link sets up)."""
        row = (
            self._db()
            .execute(
                "SELECT a.* FROM accounts a JOIN offices o ON o.id = a.office_id WHERE o.parent_id IS NULL"
                " AND a.role = ? ORDER BY o.id, a.id LIMIT 1",
                (MANAGER,),
            )
            .fetchone()
        )
        return Account(**dict(row)) if row else None

    def setup_token(self, candidate: str) -> str:
        """The token of the first sign-in link. SQLite (one process): ``candidate``, valid while this process runs.
        PostgreSQL: the one every process of the site prints and accepts (the first one stored), until the first
        account's password is set — whichever process the link reaches."""
        if self.backend.kind == "sqlite":
            return candidate
        with self._write() as db:
            self._set_meta(db, "setup_token", candidate)
            return db.execute("SELECT value FROM meta WHERE key = 'setup_token'").fetchone()[0]

    def reset_admin_password(self) -> bool:
        """Forget the first 管理员's password (``xlrep serve --reset-password``); True if one was set. Logged."""
        with self._write() as db:
            first = db.execute(
                "SELECT a.id, a.password_hash FROM accounts a JOIN offices o ON o.id = a.office_id"
                " WHERE o.parent_id IS NULL AND a.role = ? ORDER BY o.id, a.id LIMIT 1",
                (MANAGER,),
            ).fetchone()
            existed = bool(first and first[1])
            if first:
                db.execute("UPDATE accounts SET password_hash = NULL WHERE id = ?", (first[0],))
                db.execute("DELETE FROM sessions WHERE account_id = ?", (first[0],))
            db.execute("DELETE FROM meta WHERE key = 'setup_token'")  # a new first sign-in link
            if existed:
                self._event(db, "管理员", "reset_password", ip=None)
        return existed

    def set_up(self, password_hash: str, ip: str | None, *, office: tuple[str, str], person: tuple[str, str]) -> int:
        """The first sign-in: the first office (``office``: name, level) and its first 管理员 (``person``: name,
        login) with ``password_hash``; after ``--reset-password``, only that account's new password (the office
        and the account as they are). Returns the account's id; ``StateError`` when it is set up already."""
        now = time.time()
        with self._write() as db:
            row = db.execute(
                "SELECT a.id, a.password_hash, a.name FROM accounts a JOIN offices o ON o.id = a.office_id"
                " WHERE o.parent_id IS NULL AND a.role = ? ORDER BY o.id, a.id LIMIT 1",
                (MANAGER,),
            ).fetchone()
            if row and row[1]:
                raise StateError("管理员账号已经设置过了。请直接登录。")
            if row:
                account_id, name = row[0], row[2]
                db.execute(  # (the one who has the server back in hand: not stopped, their own password now)
                    "UPDATE accounts SET password_hash = ?, changed_at = ?, disabled_at = NULL,"
                    " must_change_password = 0 WHERE id = ?",
                    (password_hash, now, account_id),
                )
            else:
                (office_name, level), (name, login) = office, person
                self._refuse_login_taken(db, login)
                office_id = db.execute("SELECT MIN(id) FROM offices WHERE parent_id IS NULL").fetchone()[0]
                if office_id is None:
                    office_id = db.insert(
                        "INSERT INTO offices (name, level, parent_id, created_at) VALUES (?, ?, NULL, ?)",
                        (office_name, level, now),
                    )
                account_id = db.insert(
                    "INSERT INTO accounts (office_id, name, login, password_hash, role, created_at, changed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (office_id, name, login, password_hash, MANAGER, now, now),
                )
                db.execute("UPDATE rounds SET office_id = ? WHERE office_id IS NULL", (office_id,))
            db.execute("DELETE FROM meta WHERE key = 'setup_token'")  # the first sign-in link is used up
            self._event(db, name, "setup", ip=ip, account_id=account_id)
        return account_id

    @staticmethod
    def _refuse_login_taken(db, login: str) -> None:
        if db.execute("SELECT 1 FROM accounts WHERE login = ?", (login,)).fetchone():
            raise StateError(f"账号“{login}”已被使用，请换一个。")

    def office(self, office_id: int) -> Office | None:
        row = self._db().execute("SELECT * FROM offices WHERE id = ?", (office_id,)).fetchone()
        return Office(**dict(row)) if row else None

    def offices_below(self, office_id: int) -> list[Office]:
        """The offices under ``office_id`` at every depth (not itself), each after its parent."""
        rows = self._db().execute(
            "WITH RECURSIVE below (id, depth) AS (SELECT id, 1 FROM offices WHERE parent_id = ?"
            " UNION ALL SELECT o.id, b.depth + 1 FROM offices o JOIN below b ON o.parent_id = b.id)"
            " SELECT o.*, b.depth AS depth FROM offices o JOIN below b ON b.id = o.id ORDER BY b.depth, o.id",
            (office_id,),
        )
        return [Office(**dict(r)) for r in rows]

    def scope(self, office_id: int) -> set[int]:
        """The offices an account of ``office_id`` sees and acts on: its own and every one below it."""
        return {office_id, *(o.id for o in self.offices_below(office_id))}

    def accounts(self, office_id: int) -> list[Account]:
        rows = self._db().execute("SELECT * FROM accounts WHERE office_id = ? ORDER BY id", (office_id,))
        return [Account(**dict(r)) for r in rows]

    def account(self, account_id: int) -> Account | None:
        row = self._db().execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return Account(**dict(row)) if row else None

    def account_by_login(self, login: str) -> Account | None:
        row = self._db().execute("SELECT * FROM accounts WHERE login = ?", (login,)).fetchone()
        return Account(**dict(row)) if row else None

    def add_account(
        self, office_id: int, name: str, login: str, password_hash: str, role: str, *, by: Account, ip: str | None
    ) -> int:
        """A person's account in ``office_id`` (a 管理员 adds it to its own office, or with a new office below)."""
        if role not in ROLES:
            raise StateError("角色无效。")
        now = time.time()
        with self._write() as db:
            self._refuse_login_taken(db, login)
            account_id = db.insert(
                "INSERT INTO accounts (office_id, name, login, password_hash, role, created_at, changed_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (office_id, name, login, password_hash, role, now, now),
            )
            added = db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
            self._account_step(db, "new_account", Account(**dict(added)), by, ip)
        return account_id

    def create_office(
        self,
        parent: Office,
        name: str,
        level: str,
        admin: tuple[str, str, str],
        *,
        by: Account,
        ip: str | None,
    ) -> int:
        """A child office of ``parent`` (of a lower level) with its first 管理员 (``admin``: name, login, hash)."""
        if level not in LEVELS or LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
            lower = "、".join(v for v in LEVELS if LEVEL_RANK[v] > LEVEL_RANK[parent.level])
            raise StateError(
                f"下级机构的级别须低于本机构（{parent.level}级）"
                + (f"：可选 {lower}。" if lower else "，本机构下不能再建下级机构。")
            )
        person, login, password_hash = admin
        now = time.time()
        with self._write() as db:
            self._refuse_login_taken(db, login)
            if db.execute("SELECT 1 FROM offices WHERE parent_id = ? AND name = ?", (parent.id, name)).fetchone():
                raise StateError(f"本机构下已有“{name}”。")
            office_id = db.insert(
                "INSERT INTO offices (name, level, parent_id, created_at) VALUES (?, ?, ?, ?)",
                (name, level, parent.id, now),
            )
            db.insert(
                "INSERT INTO accounts (office_id, name, login, password_hash, role, created_at, changed_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (office_id, person, login, password_hash, MANAGER, now, now),
            )
            self._event(
                db, by.name, "new_office", ip=ip, by=by, detail=f"{name}（{level}级），管理员 {person}（账号 {login}）"
            )
        return office_id

    def edit_office(self, office: Office, name: str, level: str, *, by: Account, ip: str | None) -> None:
        """A 管理员 corrects its own office's name and level (an upgraded data folder's first office is recorded as
        a 县 named after its 汇总): the level stays below the parent's and above the children's."""
        if level not in LEVELS:
            raise StateError("级别无效。")
        with self._write() as db:
            parent = db.execute(
                "SELECT p.level FROM offices o JOIN offices p ON p.id = o.parent_id WHERE o.id = ?", (office.id,)
            ).fetchone()
            if parent and LEVEL_RANK[level] <= LEVEL_RANK[parent[0]]:
                raise StateError(f"本机构的级别须低于上级机构（{parent[0]}级）。")
            children = [r[0] for r in db.execute("SELECT level FROM offices WHERE parent_id = ?", (office.id,))]
            if any(LEVEL_RANK[c] <= LEVEL_RANK[level] for c in children):
                raise StateError("本机构的级别须高于它的下级机构。")
            db.execute("UPDATE offices SET name = ?, level = ? WHERE id = ?", (name, level, office.id))
            self._event(
                db,
                by.name,
                "edit_office",
                ip=ip,
                by=by,
                detail=f"{office.name}（{office.level}级）→ {name}（{level}级）",
            )

    def set_password(self, account: Account, password_hash: str, ip: str | None) -> None:
        """A person's new password (also the one a 管理员's reset asks for): their other browsers are signed out."""
        with self._write() as db:
            db.execute(
                "UPDATE accounts SET password_hash = ?, changed_at = ?, must_change_password = 0 WHERE id = ?",
                (password_hash, time.time(), account.id),
            )
            db.execute("DELETE FROM sessions WHERE account_id = ?", (account.id,))
            self._event(db, account.name, "password", ip=ip, by=account)

    # -- an account's life: 停用, 启用, 删除, 重设密码 (by a 管理员 of its office or of one above it) ----------------
    def accounts_acted(self, office_id: int) -> set[int]:
        """The accounts of ``office_id`` that the log names as having done something (they cannot be deleted)."""
        rows = self._db().execute(
            "SELECT DISTINCT e.account_id FROM events e JOIN accounts a ON a.id = e.account_id WHERE a.office_id = ?",
            (office_id,),
        )
        return {r[0] for r in rows}

    def office_log(self, office_ids: set[int], limit: int = 100) -> list[Event]:
        """The latest steps on offices and accounts of ``office_ids`` (an account's scope): those its people took,
        and those people of an office above took on its accounts — shown without the address they came from (an
        office sees the addresses of its own people and of those below, never of an office above)."""
        if not office_ids:
            return []
        ids = sorted(office_ids)
        rows = self._db().execute(
            "SELECT e.*, a.name AS account_name, a.office_id AS actor_office FROM events e"
            " LEFT JOIN accounts a ON a.id = e.account_id"
            f" WHERE e.round_id IS NULL AND e.action IN ({', '.join('?' * len(OFFICE_ACTIONS))})"
            f" AND e.office_id IN ({', '.join('?' * len(ids))}) ORDER BY e.id DESC LIMIT ?",
            (*OFFICE_ACTIONS, *ids, limit),
        )
        found = []
        for r in rows:
            row = dict(r)
            above = row.pop("actor_office") not in office_ids and row["account_id"] is not None
            found.append(Event(**{**row, "ip": None} if above else row))
        return found

    @staticmethod
    def _in_scope(db, office_id: int, top_id: int) -> bool:
        """Whether ``office_id`` is ``top_id`` or an office below it (at any depth)."""
        seen = set()
        while office_id is not None and office_id not in seen:
            if office_id == top_id:
                return True
            seen.add(office_id)
            row = db.execute("SELECT parent_id FROM offices WHERE id = ?", (office_id,)).fetchone()
            office_id = row[0] if row else None
        return False

    def _managed(self, db, account_id: int, by: Account, *, not_self: str | None = None) -> Account:
        """The account ``by`` manages (of its office or one below; ``by`` an active 管理员), read in the write
        transaction; ``StateError`` otherwise (another office's account is as unknown as a missing one)."""
        row = db.execute("SELECT * FROM accounts WHERE id = ?", (by.id,)).fetchone()
        current = Account(**dict(row)) if row else None
        if current is None or not current.manager or current.disabled_at:
            raise StateError("只有在用的管理员账号能管理账号。")
        row = db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
        target = Account(**dict(row)) if row else None
        if target is None or not self._in_scope(db, target.office_id, current.office_id):
            raise StateError("没有这个账号。")
        if not_self and target.id == current.id:
            raise StateError(not_self)
        return target

    @staticmethod
    def _refuse_last_manager(db, target: Account) -> None:
        """An office keeps at least one active 管理员 (its accounts and its collection would be orphaned)."""
        if not target.manager or target.disabled_at:
            return
        others = db.execute(
            "SELECT COUNT(*) FROM accounts WHERE office_id = ? AND role = ? AND disabled_at IS NULL AND id <> ?",
            (target.office_id, MANAGER, target.id),
        ).fetchone()[0]
        if not others:
            name = db.execute("SELECT name FROM offices WHERE id = ?", (target.office_id,)).fetchone()[0]
            raise StateError(
                f"“{target.name}”是“{name}”唯一在用的管理员，不能停用或删除。请先为该机构建立另一个管理员账号。"
            )

    def _account_step(self, db, action: str, target: Account, by: Account, ip: str | None, more: str = "") -> None:
        """Log a step on ``target`` in the log of its office: whom it was about (and the office above that took
        it, if one did)."""
        about = f"{target.name}（账号 {target.login}，{target.role}）" + self._from_above(db, by, target.office_id)
        self._event(db, by.name, action, ip=ip, by=by, office_id=target.office_id, detail=about + more)

    @staticmethod
    def _from_above(db, by: Account, office_id: int) -> str:
        """A step on an account of ``office_id`` is in that office's log: when a person of an office above took
        it, the log says which office."""
        if by.office_id == office_id:
            return ""
        name = db.execute("SELECT name FROM offices WHERE id = ?", (by.office_id,)).fetchone()
        return f"，由上级机构“{name[0] if name else ''}”操作"

    def disable_account(self, account_id: int, *, by: Account, ip: str | None) -> Account:
        """停用: the person cannot sign in, every browser of theirs is signed out at once (on every process)."""
        with self._write() as db:
            target = self._managed(db, account_id, by, not_self="不能停用自己的账号。")
            if target.disabled_at:
                raise StateError(f"“{target.name}”的账号已经停用了。")
            self._refuse_last_manager(db, target)
            db.execute("UPDATE accounts SET disabled_at = ? WHERE id = ?", (time.time(), target.id))
            db.execute("DELETE FROM sessions WHERE account_id = ?", (target.id,))
            self._account_step(db, "disable_account", target, by, ip)
        return target

    def enable_account(self, account_id: int, *, by: Account, ip: str | None) -> Account:
        """启用 a stopped account again (its password as it was)."""
        with self._write() as db:
            target = self._managed(db, account_id, by)
            if not target.disabled_at:
                raise StateError(f"“{target.name}”的账号正在使用，无需启用。")
            db.execute("UPDATE accounts SET disabled_at = NULL WHERE id = ?", (target.id,))
            self._account_step(db, "enable_account", target, by, ip)
        return target

    def delete_account(self, account_id: int, *, by: Account, ip: str | None) -> tuple[Account, bool]:
        """删除 an account that never did anything. One the log names stays (the log keeps naming the person),
        停用 instead. Returns the account and whether it was deleted (False: kept, and disabled now)."""
        with self._write() as db:
            target = self._managed(db, account_id, by, not_self="不能删除自己的账号。")
            self._refuse_last_manager(db, target)
            acted = db.execute("SELECT 1 FROM events WHERE account_id = ? LIMIT 1", (target.id,)).fetchone()
            db.execute("DELETE FROM sessions WHERE account_id = ?", (target.id,))
            if acted:
                if not target.disabled_at:
                    db.execute("UPDATE accounts SET disabled_at = ? WHERE id = ?", (time.time(), target.id))
                    self._account_step(db, "disable_account", target, by, ip, "：已有操作记录，账号保留并停用")
                return target, False
            db.execute("DELETE FROM accounts WHERE id = ?", (target.id,))
            self._account_step(db, "delete_account", target, by, ip)
        return target, True

    def reset_password(self, account_id: int, password_hash: str, *, by: Account, ip: str | None) -> Account:
        """A 管理员 sets a colleague's initial password anew: the person is signed out everywhere and asked to set
        their own at the next sign-in."""
        with self._write() as db:
            target = self._managed(db, account_id, by, not_self="自己的密码请在“修改密码”中修改。")
            db.execute(
                "UPDATE accounts SET password_hash = ?, must_change_password = 1, changed_at = ? WHERE id = ?",
                (password_hash, time.time(), target.id),
            )
            db.execute("DELETE FROM sessions WHERE account_id = ?", (target.id,))
            self._account_step(db, "reset_account_password", target, by, ip)
        return target

    # -- sessions, login throttle ---------------------------------------------------------------
    def create_session(self, token_hash: str, lifetime: float, ip: str | None, account_id: int) -> None:
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            db.execute(
                "INSERT INTO sessions (token_hash, created_at, expires_at, ip, account_id) VALUES (?, ?, ?, ?, ?)",
                (token_hash, now, now + lifetime, ip, account_id),
            )

    def session_account(self, token_hash: str) -> Account | None:
        """The account signed in with this session, while the session lasts."""
        row = (
            self._db()
            .execute(
                "SELECT a.* FROM sessions s JOIN accounts a ON a.id = s.account_id"
                " WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled_at IS NULL",
                (token_hash, time.time()),
            )
            .fetchone()
        )
        return Account(**dict(row)) if row else None

    def delete_session(self, token_hash: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def begin_login(self, ip: str, window: float, max_failures: int, login: str | None = None) -> LoginTurn:
        """Check the throttle and count this attempt as a failure, in one transaction, before any hash is computed.

        Returns ``(wait, attempt, earlier, busy)``: ``wait`` seconds to refuse with (0: go on), the id of the failure
        recorded for this attempt (``finish_login`` removes it if the password is right, marks it checked if not),
        the number of failures already counted, and whether the refusal is only for attempts still being checked
        (``busy``: several people signing in at once from one address, behind one office's router: a few seconds,
        not the window's pause). Parallel attempts are serialised here: at most ``max_failures`` within ``window``
        ever reach the password check, from one address or for one login, whatever arrives at the same time.
        """
        now = time.time()
        with self._write() as db:
            earlier, wait, wrong = 0, 0, False
            for column, value in (("ip", ip), ("login", login)):
                if value is None:
                    continue
                recent = db.execute(
                    f"SELECT at, checked FROM login_failures WHERE {column} = ? AND at > ? ORDER BY at",
                    (value, now - window),
                ).fetchall()
                earlier = max(earlier, len(recent))
                pause = throttle_wait([at for at, _ in recent], now, window=window, max_failures=max_failures)
                if pause:
                    wait = max(wait, pause)
                    # wrong passwords, and attempts whose check never ended (a process stopped in between)
                    settled = sum(1 for at, checked in recent if checked or at <= now - IN_FLIGHT_SECONDS)
                    wrong |= settled >= max_failures
            if wait:
                return LoginTurn(wait if wrong else IN_FLIGHT_SECONDS, None, earlier, not wrong)
            attempt = db.insert("INSERT INTO login_failures (ip, at, login) VALUES (?, ?, ?)", (ip, now, login))
            return LoginTurn(0, attempt, earlier, False)

    def finish_login(
        self, ip: str, attempt: int, ok: bool, account: Account | None = None, login: str | None = None
    ) -> None:
        """The password check's outcome: a right password clears the client's and the login's failures. A failure
        is logged with the login tried. The right password of a disabled account (``ok`` False, ``account`` given)
        counts as a failure and is logged naming the person (not as their act)."""
        with self._write() as db:
            if not ok:  # a wrong password (or a disabled account's right one): a failure, checked
                db.execute("UPDATE login_failures SET checked = 1 WHERE id = ?", (attempt,))
            if not ok and account is not None:
                self._event(db, account.name, "login_disabled", ip=ip, detail=f"账号 {account.login}")
                return
            if ok:  # the address's failures no longer count for it (those of other logins still count for them)
                db.execute("DELETE FROM login_failures WHERE ip = ? AND login IS NULL", (ip,))
                db.execute("UPDATE login_failures SET ip = '' WHERE ip = ?", (ip,))
                if account is not None:
                    db.execute("DELETE FROM login_failures WHERE login = ?", (account.login,))
            who = account.name if account is not None else "（登录失败）"
            detail = None if ok or not login else f"账号 {login}"
            self._event(db, who, "login" if ok else "login_failed", ip=ip, by=account if ok else None, detail=detail)
