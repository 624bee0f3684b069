"""A 汇总 of 汇总s: what a 汇总 workbook carries so that the office above can add it up again.

A 汇总 written by ``xlrep merge`` (or a site, through ``aggregate.merge_workbook``) records, besides its tables
and its 汇总明细:

- in its properties and on its hidden identity sheet: the office that made it (``xlrep.office``), how many units
  it adds up (``xlrep.merged_units``), how many its round lists (``xlrep.round_units``) and which it took
  (``xlrep.merge_include``: ``all``, ``passed`` or ``submitted``);
- on a hidden sheet 汇总单位数据, one row per unit it adds up (units of lower 汇总s included): its path
  (某市/某县/单位), 机关名称, type, audit state and every non-zero numeric input as typed, in the base unit
  (2019 amounts typed in 元 already in 万元), as ``n=value;…`` where ``n`` numbers the form keys listed once
  beside the header. The sheet holds at most ``MAX_LEAVES`` units and ``MAX_DATA_CHARS`` characters (a province
  of 4,800 units fits, ~2.5 MB): a larger 汇总 is written without it and cannot be added up again.

``read_lower`` reads that back from a workbook (in the worker that audits it: ``batch.audit_unit``). The text is
untrusted: only the form's numeric input keys and finite decimal numbers are accepted; anything else makes the
whole sheet unusable (``Lower.problem``), never a partly read 汇总.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

DATA_SHEET = "汇总单位数据"
DATA_HEADER = ["路径", "层级", "机关名称", "机关名称已填", "机关类型", "校验状态", "错误", "提示", "各格数字"]
#: The cell after the header: the form keys the numbers are numbered by (``key;key;…``), so that a 汇总 written by
#: another release, whose edition lists its cells in another order, still reads right.
KEYS_COLUMN = len(DATA_HEADER)
MAX_LEAVES = 5000  # rows of 汇总单位数据: ~9 cells each, within the reader's 50,000-cell budget
MAX_DATA_CHARS = 4_000_000  # the sheet's text (~500 characters a unit): half the reader's budget of one part
PROP_OFFICE, PROP_LISTED, PROP_INCLUDE = "xlrep.office", "xlrep.round_units", "xlrep.merge_include"
INCLUDE_NAMES = {"all": "全部单位", "passed": "已通过的单位", "submitted": "已上报或已通过的单位"}


@dataclass
class Leaf:
    """One unit a 汇总 adds up: where it sits, what its audit said, its numbers (non-zero, base unit)."""

    path: str
    depth: int
    unit: str
    named: bool
    org_type: str
    state: str
    errors: int
    warnings: int
    values: dict[str, Decimal] = field(default_factory=dict)
    source: str = ""  # the file it came by (the lower 汇总's, for a leaf of one)


@dataclass
class Lower:
    """What a 汇总 workbook says of itself: who made it, of how many units, and each unit's numbers."""

    office: str
    merged_units: int | None
    listed: int | None
    include: str
    leaves: list[Leaf] = field(default_factory=list)
    problem: str | None = None  # why its units cannot be read back (then it is never added up)


def join_path(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _unescape(text: str) -> str:
    """A text written with ``safetext.for_spreadsheet``, as it was before."""
    from ..common.safetext import for_spreadsheet

    if text.startswith("'") and for_spreadsheet(text[1:]) == text:
        return text[1:]
    return text


def encode_values(values: dict[str, Decimal], index: dict[str, int]) -> str:
    return ";".join(f"{index[k]}={format(v, 'f')}" for k, v in values.items() if v != 0)


#: A number as ``encode_values`` writes it: plain digits, no exponent (a crafted 1e999999 is refused, not expanded).
_NUMBER = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?")


def _decode_values(text: str, keys: list[str]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for part in filter(None, text.split(";")):
        n, sep, number = part.partition("=")
        if not sep or not n.isdigit() or int(n) >= len(keys) or keys[int(n)] in out or not _NUMBER.fullmatch(number):
            raise ValueError(part[:40])
        out[keys[int(n)]] = Decimal(number)
    return out


def _int(value: object) -> int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def read_lower(source, edition: str | None) -> Lower:
    """The 汇总 record of a workbook that says it is a 汇总 (``xlrep.merged_units``): its path or its bytes."""
    from ..common.files import is_data
    from ..edition.form import load_form
    from ..workbook.layout import META_SHEET
    from ..workbook.xlsx import Workbook, XlsxError

    try:
        book = Workbook(io.BytesIO(bytes(source)) if is_data(source) else source, sheets={DATA_SHEET, META_SHEET})
    except (XlsxError, OSError, ValueError):
        return Lower("", None, None, "all", problem="汇总单位数据无法读取")
    identity = {k: str(v) for k, v in book.properties.items()}
    if PROP_OFFICE not in identity and META_SHEET in book.cells:  # a program that dropped the properties
        cells = book.cells[META_SHEET]
        for row in range(2, 40):
            key, value = cells.get(f"A{row}"), cells.get(f"B{row}")
            if key and key[0]:
                identity.setdefault(str(key[0]), "" if value is None or value[0] is None else str(value[0]))
    include = identity.get(PROP_INCLUDE, "all")
    lower = Lower(
        _unescape(identity.get(PROP_OFFICE, "")).strip(),
        _int(identity.get("xlrep.merged_units")),
        _int(identity.get(PROP_LISTED)),
        include if include in INCLUDE_NAMES else "all",
    )
    if DATA_SHEET not in book.cells or edition is None:
        lower.problem = "没有各单位的数据（较早版本写出的汇总表）"
        return lower
    known = frozenset(c.key for c in load_form(edition).inputs if c.is_numeric)
    rows = _rows(book.cells[DATA_SHEET])
    keys = str(rows[0][KEYS_COLUMN]).split(";") if rows else []
    if not rows or rows[0][:KEYS_COLUMN] != DATA_HEADER or not set(keys) <= known or len(set(keys)) != len(keys):
        lower.problem = "汇总单位数据的格式不对"
        return lower
    for n, row in enumerate(rows[1 : MAX_LEAVES + 2], start=2):
        depth, errors, warnings = _int(row[1]), _int(row[6]), _int(row[7])
        try:
            values = _decode_values(str(row[8]), keys)
        except ValueError:
            values = None
        counts = (depth, errors, warnings)
        if values is None or None in counts or depth < 1 or min(counts) < 0 or not str(row[2]).strip():
            lower.problem, lower.leaves = f"汇总单位数据第 {n} 行无法识别", []  # never a partly read 汇总
            return lower
        lower.leaves.append(
            Leaf(
                _unescape(str(row[0])),
                depth,
                _unescape(str(row[2])),
                str(row[3]) == "是",
                _unescape(str(row[4])),
                str(row[5]),
                errors,
                warnings,
                values,
            )
        )
    if len(lower.leaves) > MAX_LEAVES:
        lower.problem, lower.leaves = f"汇总单位数据超过 {MAX_LEAVES} 行", []
    return lower


def _rows(cells: dict[str, tuple]) -> list[list[object]]:
    """The sheet's first columns (``DATA_HEADER`` and the keys) as rows of values (blank as ""), from row 1 on, up
    to one row more than the sheet may hold (a cell far below, at row 1,048,576, is not a million empty rows)."""
    from ..common.a1 import split_a1

    width, last = len(DATA_HEADER) + 1, MAX_LEAVES + 2
    grid: dict[int, list[object]] = {}
    for a1, (value, *_rest) in cells.items():
        at = split_a1(a1)
        if at is not None and at[1] <= width:
            grid.setdefault(min(at[0], last), [""] * width)[at[1] - 1] = "" if value is None else value
    return [grid.get(r, [""] * width) for r in range(1, min(max(grid, default=0), last) + 1)]


def data_sheet(leaves: list[Leaf], keys: list[str]) -> tuple[list[str], list[list[object]]] | None:
    """The header and rows of 汇总单位数据 (texts written as ``for_spreadsheet`` does), or None when the units
    are more than the sheet may hold (``MAX_LEAVES``, ``MAX_DATA_CHARS``)."""
    from ..common.safetext import for_spreadsheet

    if len(leaves) > MAX_LEAVES:
        return None
    index = {k: i for i, k in enumerate(keys)}
    rows = [
        [
            for_spreadsheet(leaf.path),
            leaf.depth,
            for_spreadsheet(leaf.unit),
            "是" if leaf.named else "否",
            for_spreadsheet(leaf.org_type),
            leaf.state,
            leaf.errors,
            leaf.warnings,
            encode_values(leaf.values, index),
        ]
        for leaf in leaves
    ]
    if sum(len(row[0]) + len(row[2]) + len(row[8]) for row in rows) > MAX_DATA_CHARS:
        return None
    return [*DATA_HEADER, ";".join(keys)], rows
