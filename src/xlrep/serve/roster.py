"""A round's list of units (名称、机关类型, optionally 联系人、联系电话), pasted from a spreadsheet or uploaded as
.xlsx/.csv."""

from __future__ import annotations

import csv
import io
import re
from typing import NamedTuple

from ..edition.form import load_form
from .records import LOWER_OFFICE

MAX_UNITS = 2000
MAX_NAME = 100
MAX_CONTACT = 60  # 联系人 or 联系电话
COLUMNS = 4  # 单位名称、机关类型、联系人、联系电话


class RosterEntry(NamedTuple):
    """One unit of a round's list: who it is, and whom the office calls for 催报."""

    name: str
    org_type: str
    contact: str = ""
    phone: str = ""


_SPLIT = re.compile(r"\t|,|，|;|；|\s{2,}")
_HEADER_WORDS = ("单位", "名称", "机关")


class RosterError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def org_types(edition: str) -> tuple[str, ...]:
    """The choices of the form's 机关类型 field."""
    return load_form(edition).org_types


# A lower office listed by hand (it runs a machine of its own and uploads its 汇总 by its link), as typed.
LOWER_ALIASES = (LOWER_OFFICE, "下级汇总", "下级机构")


def normalise_type(text: str, edition: str) -> str | None:
    """A typed 机关类型 as one of the form's choices (or a short form the edition declares), ``LOWER_OFFICE`` for a
    lower office, or None."""
    typed = re.sub(r"\s+", "", text or "")
    if typed in LOWER_ALIASES:
        return LOWER_OFFICE
    try:
        return load_form(edition).org_type(typed)
    except ValueError:
        return None


def clean_name(text: str) -> str:
    """A unit name as the list keeps it (no spaces), or ``RosterError`` saying what is wrong with it."""
    name = re.sub(r"\s+", "", text or "")
    if not name:
        raise RosterError("请填写单位名称。")
    if len(name) > MAX_NAME:
        raise RosterError(f"单位名称太长（超过 {MAX_NAME} 字）。")
    if any(ord(ch) < 32 for ch in name):
        raise RosterError("单位名称含有控制字符。")
    return name


def _is_header(row: list[str]) -> bool:
    return bool(row) and any(w in row[0] for w in _HEADER_WORDS) and (len(row) < 2 or "类型" in row[1])


def parse_rows(rows: list[list[str]], edition: str) -> list[RosterEntry]:
    """Units from table rows (名称、类型[、联系人、联系电话]); a header row is skipped. Raises ``RosterError`` listing
    every problem."""
    rows = [[c.strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    if rows and _is_header(rows[0]):
        rows = rows[1:]
    units: list[RosterEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    choices = "、".join(org_types(edition))
    for number, row in enumerate(rows, start=1):
        name = re.sub(r"\s+", "", row[0]) if row else ""
        typed = row[1] if len(row) > 1 else ""
        if not name:
            problems.append(f"第 {number} 行没有单位名称。")
            continue
        if len(name) > MAX_NAME:
            problems.append(f"第 {number} 行的单位名称太长（超过 {MAX_NAME} 字）。")
            continue
        if any(ord(ch) < 32 for ch in name):
            problems.append(f"第 {number} 行的单位名称含有控制字符。")
            continue
        org_type = normalise_type(typed, edition)
        if org_type is None:
            what = f"“{typed}”无效" if typed else "缺少机关类型"
            problems.append(
                f"第 {number} 行（{name}）{what}：只能是 {choices}（也可写 政府、部门、乡镇、街道），"
                f"下级机构报送汇总的写“{LOWER_OFFICE}”。"
            )
            continue
        if name in seen:
            problems.append(f"第 {number} 行：“{name}”重复了。")
            continue
        contact, phone = (row[i].strip() if len(row) > i else "" for i in (2, 3))
        if len(contact) > MAX_CONTACT or len(phone) > MAX_CONTACT or any(ord(ch) < 32 for ch in contact + phone):
            problems.append(f"第 {number} 行（{name}）的联系人或联系电话太长或含有控制字符。")
            continue
        seen.add(name)
        units.append(RosterEntry(name, org_type, contact, phone))
    if problems:
        raise RosterError("单位名单有问题：" + "".join(problems[:20]) + (" ……" if len(problems) > 20 else ""))
    if len(units) > MAX_UNITS:
        raise RosterError(f"单位太多（{len(units)} 个），一次最多 {MAX_UNITS} 个。")
    return units


def from_text(text: str, edition: str) -> list[RosterEntry]:
    """Lines copied from a spreadsheet (tab-separated) or typed as “名称，类型”."""
    return parse_rows([_SPLIT.split(line) for line in text.splitlines()], edition)


def from_file(data: bytes, filename: str, edition: str) -> list[RosterEntry]:
    """The first sheet of an .xlsx (read with xlrep's own guarded reader), or a .csv (UTF-8 or GBK)."""
    if data[:4] == b"PK\x03\x04":
        return parse_rows(_xlsx_rows(data), edition)
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return parse_rows(list(csv.reader(io.StringIO(text))), edition)
    raise RosterError(f"“{filename}”既不是 .xlsx 也不是 .csv 文本，无法读取单位名单。")


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from ..common.a1 import split_a1
    from ..workbook.xlsx import Workbook, XlsxError

    try:
        book = Workbook(io.BytesIO(data))  # in memory: nothing is written to disk
    except XlsxError as exc:
        raise RosterError(f"单位名单无法读取：{exc.message}") from None
    except Exception:  # noqa: BLE001 - any damage: one Chinese message
        raise RosterError("单位名单无法读取：文件已损坏或不是 .xlsx。") from None
    if not book.sheetnames:
        raise RosterError("单位名单中没有工作表。")
    cells = book.cells.get(book.sheetnames[0], {})
    rows: dict[int, dict[int, str]] = {}
    for a1, (value, kind, cached) in cells.items():
        row, column = split_a1(a1) or (0, COLUMNS + 1)
        shown = cached if kind == "f" else value
        if column > COLUMNS or shown is None:
            continue
        rows.setdefault(row, {})[column - 1] = str(shown)
    return [[r.get(i, "") for i in range(COLUMNS)] for _, r in sorted(rows.items())]
