"""What the site keeps, as the pages and the workflow see it: rounds, units, versions, events, offices and accounts
(``Round``, ``Unit``, ``Version``, ``Event``, ``Office``, ``Account``), the states a unit can be in and a round's
deadline, the actions the log names, and the refusals of the workflow (``StateError``). No database here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

# An office's level and the levels below it (an office's child is of a lower level).
LEVELS = ("省", "市", "县", "区")


LEVEL_RANK = {"省": 0, "市": 1, "县": 2, "区": 2}


MANAGER, REVIEWER = "管理员", "审核人"


ROLES = (MANAGER, REVIEWER)


# The states a unit of a round can be in, as the office and the unit see them (统计联网直报's words):
# never uploaded; the latest upload has errors; clean (perhaps with 提示) but not yet 上报; then the review.
# 校验中 lasts the seconds an upload is being checked.
NOT_UPLOADED, CHECKING, HAS_ERRORS, TO_SUBMIT = "未上传", "校验中", "有错误", "待上报"


SUBMITTED, RETURNED, PASSED = "已上报", "已退回", "已通过"


STATUSES = (NOT_UPLOADED, HAS_ERRORS, TO_SUBMIT, SUBMITTED, RETURNED, PASSED)  # CHECKING is counted apart


REVIEW_STATUS = {"submitted": SUBMITTED, "returned": RETURNED, "passed": PASSED}


COLLECTING, CLOSED, ARCHIVED = "收集中", "已截止", "已归档"  # a round's states


def open_until(rnd, unit) -> str | None:
    """The last day ``unit`` may upload and 上报 in ``rnd`` (None: no deadline)."""
    return last_day(rnd.deadline, unit.extended_to)


def last_day(deadline: str | None, extended_to: str | None) -> str | None:
    """The round's deadline, or the later day the office gave a unit. An extension only moves a deadline: in a
    round without one it closes nothing."""
    return max(filter(None, (deadline, extended_to))) if deadline else None


def closed_for(rnd, unit) -> bool:
    """Whether ``unit`` can no longer upload or 上报 in ``rnd`` (archived, or past its last day)."""
    return bool(rnd.archived_at) or past(open_until(rnd, unit))


def past(deadline: str | None) -> bool:
    """Whether the day ``deadline`` (ISO date, the whole day included) is over on this computer's calendar."""
    return bool(deadline) and date.today().isoformat() > deadline


ACTIONS = {
    "setup": "首次设置（建立本机构和管理员账号）",
    "new_office": "新建下级机构",
    "edit_office": "修改本机构名称或级别",
    "new_account": "新建账号",
    "disable_account": "停用账号",
    "enable_account": "启用账号",
    "delete_account": "删除账号",
    "reset_account_password": "重设账号密码",
    "login_disabled": "已停用的账号试图登录",
    "password": "修改密码",
    "reset_password": "清除管理员密码（在本机用 --reset-password）",
    "deadline": "修改截止日期",
    "extend": "单位延期",
    "archive": "归档",
    "verify": "提示已核实",
    "rename": "单位改名",
    "new_link": "更换填报链接",
    "remove": "移出单位",
    "restore": "单位重新列入名单",
    "last_year": "对应上年单位",
    "unverify": "取消已核实",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "create_round": "新建收集",
    "add_units": "添加单位",
    "upload": "上传",
    "audited": "校验完成",
    "submit": "确认上报",
    "return": "退回",
    "pass": "审核通过",
    "link_lower": "列入下级机构的收集",
    "report_up": "向上级上报汇总",
}


# The 机关类型 of a unit of the list that is a lower office: what it sends is its 汇总 (``xlrep merge`` or a site's
# download), not a report of its own. A lower office's round on this site is linked to it (``member_round_id``);
# a lower office with a machine of its own is listed by hand with this type and uploads its 汇总 by its link.
LOWER_OFFICE = "下级机构汇总"
# Why a round cannot be reported up on the site: no line of the office above stands for it.
NOT_LISTED_ABOVE = (
    "上级机构还没有本年度的收集、已把本机构移出其收集名单，或名单上代表本机构的是本机构本年度的另一次收集"
    "（它已报送过），无法在网站上上报。"
    "请联系上级机构；也可以“下载汇总表”交给上级机构。"
)
ARCHIVED_NOT_REPORTED = "本次收集已归档（只读），不能再向上级上报。可以“下载汇总表”交给上级机构。"


def plain_name(name: str) -> str:
    """A name as a clerk reads it: full-width and half-width alike, no spaces (``belonging.same_name``)."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", name or "") if not ch.isspace())


#: What an office's name may end with after its place (丙县政务公开办, 丙县人民政府办公室: both 丙县's).
OFFICE_SUFFIXES = (
    "政务公开办公室",
    "政务公开办",
    "人民政府办公室",
    "人民政府办",
    "政府办公室",
    "政府办",
    "人民政府",
    "办公室",
)


def place_name(name: str) -> str:
    """The place an office's name names (丙县 of 丙县政务公开办), as ``plain_name`` writes it."""
    plain = plain_name(name)
    for suffix in OFFICE_SUFFIXES:
        if plain.endswith(suffix) and len(plain) > len(suffix):
            return plain[: -len(suffix)]
    return plain


class StateError(Exception):
    """A workflow step that is not allowed in the unit's current state; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NewerVersion(StateError):
    """确认上报 of a version that is no longer the latest: ``latest`` is the number of the one that is."""

    def __init__(self, latest: int):
        super().__init__(f"只能上报最新上传的一版（第 {latest} 版）。请查看它的校验结果后再上报。")
        self.latest = latest


@dataclass
class Round:
    id: int
    year: int
    edition: str
    title: str
    deadline: str | None
    previous_id: int | None
    summary_org: str | None
    summary_org_type: str | None
    created_at: float
    archived_at: float | None = None
    office_id: int | None = None  # the office whose round it is

    @property
    def state(self) -> str:
        """收集中 → 已截止 (the deadline has passed; units given more time may still report) → 已归档 (read-only)."""
        if self.archived_at:
            return ARCHIVED
        return CLOSED if past(self.deadline) else COLLECTING


@dataclass
class Version:
    id: int
    unit_id: int
    number: int
    sha256: str
    filename: str
    size: int
    uploaded_at: float
    audited_at: float | None
    errors: int | None
    warnings: int | None
    infos: int | None
    edition: str | None
    year: int | None
    org_name: str | None
    audit_json: str | None
    content: str | None = None  # digest of every figure and text the version holds (None: audited before 2)
    phone: str | None = None  # the workbook's 电话 (催报 calls it when the roster gives none)
    explanations: str | None = None  # JSON {finding index or "all": 说明} written by the unit at 上报
    verified: str | None = None  # JSON [finding index] the office marked 已核实
    belongs: str | None = None  # the ROUND-* errors of the upload (a file not of this unit or round), comma-separated
    audit_claimed_by: str | None = None  # the process (``Store.owner``) auditing it while not audited
    audit_claimed_at: float | None = None

    @property
    def explained(self) -> dict[str, str]:
        return json.loads(self.explanations) if self.explanations else {}

    @property
    def verified_findings(self) -> set[int]:
        return set(json.loads(self.verified)) if self.verified else set()

    def warning_indexes(self) -> list[int]:
        """Where the 提示 are in the stored audit's findings (what a 说明 and 已核实 refer to)."""
        audit = self.audit or {"findings": []}
        return [i for i, f in enumerate(audit["findings"]) if f["severity"] == "warning"]

    @property
    def audited(self) -> bool:
        return self.audited_at is not None

    @property
    def audit(self) -> dict | None:
        return json.loads(self.audit_json) if self.audit_json else None

    @property
    def unreadable(self) -> bool:
        audit = self.audit
        return bool(audit) and any(f["rule"] == "FILE-UNREADABLE" for f in audit["findings"])


@dataclass
class Unit:
    id: int
    round_id: int
    position: int
    name: str
    org_type: str
    token: str
    review: str | None
    review_version_id: int | None
    review_comment: str | None
    review_at: float | None
    created_at: float
    contact: str | None = None  # 联系人 and 联系电话 from the roster (催报)
    phone: str | None = None
    extended_to: str | None = None  # the office gave this unit until that day (after the round's deadline)
    last_year_id: int | None = None  # the same unit in last year's round (its name may have changed since)
    removed_at: float | None = None  # taken off the round's list by the office (kept: it has uploads)
    member_round_id: int | None = None  # the round of a lower office on this site that this unit stands for
    latest: Version | None = None
    version_count: int = 0

    @property
    def is_lower(self) -> bool:
        """A lower office of the list (its upload is a 汇总, checked by the HIER-* rules)."""
        return self.org_type == LOWER_OFFICE or self.member_round_id is not None

    @property
    def call(self) -> str:
        """The number the office calls for 催报: the one in the unit's latest workbook, else the roster's."""
        return (self.latest.phone if self.latest and self.latest.phone else "") or self.phone or ""

    @property
    def status(self) -> str:
        return unit_status(self.review, self.latest)

    @property
    def can_upload(self) -> bool:
        return self.review in (None, "returned")

    @property
    def can_submit(self) -> bool:
        """确认上报 is offered: the latest version is audited, has no errors, and is not the one returned."""
        latest = self.latest
        if not self.can_upload or latest is None or not latest.audited or latest.errors:
            return False
        return not (self.review == "returned" and latest.id == self.review_version_id)


@dataclass
class Event:
    id: int
    at: float
    actor: str
    action: str
    round_id: int | None
    unit_id: int | None
    version_id: int | None
    detail: str | None
    ip: str | None
    account_id: int | None = None  # the person who did it (an account of an office)
    office_id: int | None = None
    unit_name: str | None = None
    version_number: int | None = None
    account_name: str | None = None

    @property
    def action_name(self) -> str:
        return ACTIONS.get(self.action, self.action)


@dataclass
class Office:
    """A 政务公开办 of a 省/市/县/区; ``parent_id`` is the office above it (None: the site's first office)."""

    id: int
    name: str
    level: str
    parent_id: int | None
    created_at: float
    depth: int = 0  # (below which office it was listed: 1 is a child)


@dataclass
class Account:
    """A person of an office: 管理员 (manages accounts, offices, rounds and units) or 审核人 (reviews)."""

    id: int
    office_id: int
    name: str
    login: str
    password_hash: str | None
    role: str
    created_at: float
    changed_at: float
    disabled_at: float | None = None  # 停用 by a 管理员: cannot sign in
    must_change_password: int = 0  # a 管理员 set its password: the person sets their own at the next sign-in

    @property
    def manager(self) -> bool:
        return self.role == MANAGER

    @property
    def state(self) -> str:
        """在用, 已停用 or 须改密码 (its password reset by a 管理员, not yet changed by the person)."""
        if self.disabled_at:
            return "已停用"
        return "须改密码" if self.must_change_password else "在用"


def unit_status(review: str | None, latest: Version | None) -> str:
    """未上传 / 有错误 / 待上报 / 已上报 / 已退回 / 已通过 (and 校验中 while the latest upload is checked).

    The office's decision (or the unit's 上报) wins; before that, the latest upload's audit decides:
    有错误, or 待上报 (no error; its 提示 are for the unit to verify before 上报).
    """
    if review in REVIEW_STATUS:
        return REVIEW_STATUS[review]
    if latest is None:
        return NOT_UPLOADED
    if not latest.audited:
        return CHECKING
    return HAS_ERRORS if latest.errors else TO_SUBMIT
