"""Rounds that roll up, kept by the store: a lower office's round of the same year is a unit of the upper office's
round (``LOWER_OFFICE``; the unit's column ``member_round_id``), linked whichever round comes first; a lower
office's 汇总 sent up (向上级上报) is a version of that unit; what a round stands for (the rounds below it, their
units, their states). A part of ``storage.Store`` (its base class): it uses the store's connection (``_db``), its
one writer (``_write``), its log (``_event``) and its units and versions.
"""

from __future__ import annotations

from typing import NamedTuple

from .records import (
    ACTIONS,
    ARCHIVED_NOT_REPORTED,
    LOWER_OFFICE,
    NOT_LISTED_ABOVE,
    Account,
    Round,
    StateError,
    Unit,
    Version,
    place_name,
    unit_status,
)


class _Latest(NamedTuple):
    """What ``unit_status`` reads of a unit's latest version (``status_counts``: without its audit)."""

    audited: bool
    errors: int | None


class RollUp:
    def _link_lower(self, db, round_id: int, now: float, *, ip: str | None, by: Account | None) -> None:
        """A new round of an office joins the rounds of the same year of the office above (as one unit of its list,
        ``LOWER_OFFICE``) and lists the rounds of the same year of the offices right below it: the latest round of
        each office that is not archived."""
        office_id, year = db.execute("SELECT office_id, year FROM rounds WHERE id = ?", (round_id,)).fetchone()
        if office_id is None:
            return
        parent = db.execute("SELECT parent_id FROM offices WHERE id = ?", (office_id,)).fetchone()
        if parent and parent[0] is not None:
            upper = self._latest_round(db, parent[0], year)
            if upper is not None:
                self._ensure_member(db, upper, round_id, office_id, now, ip=ip, by=by)
        for (child,) in db.execute("SELECT id FROM offices WHERE parent_id = ? ORDER BY id", (office_id,)).fetchall():
            lower = self._latest_round(db, child, year)
            if lower is not None:
                self._ensure_member(db, round_id, lower, child, now, ip=ip, by=by)

    @staticmethod
    def _latest_round(db, office_id: int, year: int) -> int | None:
        row = db.execute(
            "SELECT id FROM rounds WHERE office_id = ? AND year = ? AND archived_at IS NULL ORDER BY id DESC LIMIT 1",
            (office_id, year),
        ).fetchone()
        return row[0] if row else None

    def _ensure_member(
        self, db, upper_id: int, lower_id: int, office_id: int, now: float, *, ip: str | None, by: Account | None
    ) -> None:
        """The lower office's round ``lower_id`` as a unit of ``upper_id``: the unit that already stands for that
        office (linked to an earlier round of it with nothing uploaded yet, or listed by hand under its name, or
        as the only 下级机构汇总 line of a shorter or longer form of it: 甲县 for 甲县政务公开办) is linked to it;
        else a unit is added, named as the office."""
        if db.execute("SELECT archived_at FROM rounds WHERE id = ?", (upper_id,)).fetchone()[0]:
            return
        name = db.execute("SELECT name FROM offices WHERE id = ?", (office_id,)).fetchone()[0]
        rows = db.execute(
            "SELECT u.id, u.name, u.member_round_id, r.office_id, (SELECT COUNT(*) FROM versions v WHERE"
            " v.unit_id = u.id), u.org_type FROM units u LEFT JOIN rounds r ON r.id = u.member_round_id"
            " WHERE u.round_id = ? AND u.removed_at IS NULL",
            (upper_id,),
        ).fetchall()

        place = place_name(name)  # (甲县 of 甲县政务公开办: a line typed “甲 县” or “甲县人民政府” is that office)
        alike = [r[0] for r in rows if r[2] is None and r[5] == LOWER_OFFICE and place_name(r[1]) == place]
        if any(r[2] == lower_id for r in rows):  # (already there: whatever the order of the rows)
            return
        for unit_id, unit_name, member, member_office, uploads, _type in rows:
            same_office = member is not None and member_office == office_id
            by_hand = member is None and (unit_name == name or alike == [unit_id])
            if same_office and uploads == 0 or by_hand:
                db.execute(
                    "UPDATE units SET member_round_id = ?, org_type = ? WHERE id = ?",
                    (lower_id, LOWER_OFFICE, unit_id),
                )
                self._event(db, unit_name, "link_lower", round_id=upper_id, unit_id=unit_id, ip=ip, by=by)
                return
            if same_office:  # an earlier round of that office already sent its 汇总 here: it stays as it is
                return
        taken = {r[0] for r in db.execute("SELECT name FROM units WHERE round_id = ?", (upper_id,)).fetchall()}
        listed = name if name not in taken else f"{name}（下级汇总）"
        if listed in taken:
            return
        self._insert_units(db, upper_id, [(listed, LOWER_OFFICE)], now)
        unit_id = db.execute("SELECT id FROM units WHERE round_id = ? AND name = ?", (upper_id, listed)).fetchone()[0]
        db.execute("UPDATE units SET member_round_id = ? WHERE id = ?", (lower_id, unit_id))
        self._event(db, listed, "link_lower", round_id=upper_id, unit_id=unit_id, ip=ip, by=by)

    def member_unit(self, round_id: int) -> Unit | None:
        """The unit that stands for this round in the round of the office above (None: it has none)."""
        row = (
            self._db()
            .execute(
                # (a round above that was archived takes nothing more: one still open that lists it comes first)
                "SELECT u.id FROM units u JOIN rounds r ON r.id = u.round_id WHERE u.member_round_id = ?"
                " AND u.removed_at IS NULL ORDER BY CASE WHEN r.archived_at IS NULL THEN 0 ELSE 1 END, u.id DESC"
                " LIMIT 1",
                (round_id,),
            )
            .fetchone()
        )
        return self.unit(row[0]) if row else None

    def joined_since_sent(self, round_id: int) -> list[str]:
        """The lower offices whose rounds joined this round after its 汇总 was last sent up (向上级上报): the 汇总
        the office above has does not hold their units. Empty when nothing was sent."""
        db = self._db()
        sent = db.execute(
            "SELECT MAX(id) FROM events WHERE round_id = ? AND action = 'report_up'", (round_id,)
        ).fetchone()[0]
        return [] if sent is None else self._joined_after(db, round_id, sent)

    @staticmethod
    def _joined_after(db, round_id: int, event_id: int) -> list[str]:
        """The lower offices whose rounds joined this round after the event ``event_id`` (and are still in it). A line
        listed by hand that was passed (通过) at that event (the 汇总 the office uploaded for it, which a 汇总 made
        then took) and was linked to the office's round later is not one of them: its review then is the last
        submit, pass or return logged on it before the event (the only steps that set a unit's review)."""
        rows = db.execute(
            "SELECT u.name FROM events e JOIN units u ON u.id = e.unit_id WHERE e.round_id = ?"
            " AND e.action = 'link_lower' AND u.removed_at IS NULL AND u.member_round_id IS NOT NULL AND e.id > ?"
            " AND COALESCE((SELECT r.action FROM events r WHERE r.unit_id = u.id AND r.id < ?"
            " AND r.action IN ('submit', 'pass', 'return') ORDER BY r.id DESC LIMIT 1), '') <> 'pass'"
            " ORDER BY e.id",
            (round_id, event_id, event_id),
        )
        return list(dict.fromkeys(r[0] for r in rows))

    # What changes which units a 汇总 takes, or how many its round stands for: done while one is made, it is not in it
    # (a unit's 确认上报 only when the 汇总 takes the units 已上报 too).
    _CHANGES_A_SUMMARY = ("link_lower", "add_units", "remove", "restore", "rename", "pass", "return")

    @classmethod
    def _refuse_changed_since(cls, db, round_id: int, event_id: int, include: str) -> None:
        """``StateError`` when, after the event ``event_id`` (``event_mark``, taken before a 汇总 was made), a lower
        office's round joined this round, or its list or a unit's review changed: that 汇总 does not show it.
        ``include``: the units the 汇总 takes ("passed", or "submitted": 已上报 and 已通过)."""
        joined = cls._joined_after(db, round_id, event_id)
        if joined:
            raise StateError(
                f"生成这份汇总时，{'、'.join(f'“{name}”' for name in joined)}的收集刚加入本收集，汇总中还没有计入"
                "其单位，因此没有上报。请再点一次“生成汇总并上传到上级收集”，新的汇总会计入。"
            )
        changes = (*cls._CHANGES_A_SUMMARY, "submit") if include == "submitted" else cls._CHANGES_A_SUMMARY
        marks = ", ".join("?" for _ in changes)
        changed = db.execute(
            f"SELECT action FROM events WHERE round_id = ? AND id > ? AND action IN ({marks}) ORDER BY id",
            (round_id, event_id, *changes),
        ).fetchall()
        if changed:
            what = "、".join(dict.fromkeys(ACTIONS[row[0]] for row in changed))
            raise StateError(
                f"生成这份汇总时，本收集又有了变动（{what}），汇总中还没有反映，因此没有上报。"
                "请再点一次“生成汇总并上传到上级收集”，新的汇总会包括这些变动。"
            )

    def event_mark(self) -> int:
        """The newest event's id, taken before a 汇总 to send up is made: ``report_up`` then knows what changed in the
        round while it was being made (a lower office that joined, a unit added or passed: not in that 汇总)."""
        return self._db().execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]

    def rounds_below(self, round_id: int) -> list[int]:
        """The rounds of the lower offices linked to this round, however deep (each once)."""
        db, seen, todo = self._db(), [], [round_id]
        while todo:
            current = todo.pop(0)
            for (member,) in db.execute(
                "SELECT member_round_id FROM units WHERE round_id = ? AND member_round_id IS NOT NULL"
                " AND removed_at IS NULL ORDER BY position",
                (current,),
            ).fetchall():
                if member not in seen and member != round_id:
                    seen.append(member)
                    todo.append(member)
        return seen

    def status_counts(self, round_ids: list[int], *, units_only: bool = False) -> dict[int, dict[str, int]]:
        """How many units of each round are in each state (``unit_status``), from the units' review and their
        latest version's audit alone (no audit is read: a province's home page counts thousands); with
        ``units_only`` the units that stand for a lower office's round on this site are left out."""
        counts: dict[int, dict[str, int]] = {r: {} for r in round_ids}
        if not round_ids:
            return counts
        marks = ", ".join("?" for _ in round_ids)
        rows = (
            self._db()
            .execute(
                "SELECT u.round_id, u.review, v.id, v.audited_at, v.errors, u.member_round_id FROM units u"
                " LEFT JOIN versions v ON v.unit_id = u.id"
                " AND v.number = (SELECT MAX(number) FROM versions w WHERE w.unit_id = u.id)"
                f" WHERE u.removed_at IS NULL AND u.round_id IN ({marks})",
                tuple(round_ids),
            )
            .fetchall()
        )
        for round_id, review, version_id, audited_at, errors, member in rows:
            if units_only and member is not None:
                continue
            latest = _Latest(audited_at is not None, errors) if version_id is not None else None
            status = unit_status(review, latest)
            counts[round_id][status] = counts[round_id].get(status, 0) + 1
        return counts

    def units_below(self, round_id: int) -> int:
        """How many units the round stands for: its own units, and those of the lower offices' rounds linked to it
        (however deep), a lower office listed by hand counted as one."""
        rounds = [round_id, *self.rounds_below(round_id)]
        marks = ", ".join("?" for _ in rounds)
        return (
            self._db()
            .execute(
                "SELECT COUNT(*) FROM units WHERE removed_at IS NULL AND member_round_id IS NULL"
                f" AND round_id IN ({marks})",
                tuple(rounds),
            )
            .fetchone()[0]
        )

    def report_up(
        self,
        rnd: Round,
        *,
        sha256: str,
        filename: str,
        size: int,
        ip: str | None,
        by: Account,
        made_after: int | None = None,
        include: str = "passed",
    ) -> Version:
        """The round's 汇总 (stored as ``sha256``) as a new version of the unit that stands for it in the round of the
        office above; logged on both rounds, in one step. Refused when the round has no such unit or it may not
        upload now, and when a lower office's round joined this one, or its list or a unit's review changed, after
        the event ``made_after`` (``event_mark``, taken before the 汇总 of the ``include`` units was made: it does not
        show that change)."""
        unit = self.member_unit(rnd.id)
        if unit is None:
            raise StateError(NOT_LISTED_ABOVE)
        with self._write() as db:
            # (in the write: the round archived, or its line above handed to another round, meanwhile)
            if db.execute("SELECT archived_at FROM rounds WHERE id = ?", (rnd.id,)).fetchone()[0]:
                raise StateError(ARCHIVED_NOT_REPORTED)
            if db.execute("SELECT member_round_id FROM units WHERE id = ?", (unit.id,)).fetchone()[0] != rnd.id:
                raise StateError(NOT_LISTED_ABOVE)
            if made_after is not None:
                self._refuse_changed_since(db, rnd.id, made_after, include)
            version = self._add_version(db, unit, sha256=sha256, filename=filename, size=size, ip=ip)
            self._event(
                db,
                "管理员",
                "report_up",
                round_id=rnd.id,
                version_id=version.id,
                ip=ip,
                by=by,
                detail=f"上级收集中的第 {version.number} 版：{filename}",
            )
        return version

    def _hand_back(self, db, round_id: int, now: float, *, ip: str | None, by: Account | None) -> None:
        """An archived round's line in a round above that it never sent anything by (it took the line from an
        earlier round of its office, a trial say) goes to the office's latest round of the year still open."""
        office_id, year = db.execute("SELECT office_id, year FROM rounds WHERE id = ?", (round_id,)).fetchone()
        other = self._latest_round(db, office_id, year) if office_id is not None else None
        if other is None:
            return
        for (upper_id,) in db.execute(
            "SELECT u.round_id FROM units u WHERE u.member_round_id = ? AND u.removed_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.unit_id = u.id)",
            (round_id,),
        ).fetchall():
            self._ensure_member(db, upper_id, other, office_id, now, ip=ip, by=by)
