"""Counts and amounts of 表二's rows: 制发规范性文件 5 件, 行政处罚决定 120 件, 收费金额 3.5 万元."""

from __future__ import annotations

from ...common.figures import ROW_PREFIX
from .grammar import NumberContext, Word, find_words, make_statement
from .model import Statement
from .vocabulary import (
    AMOUNT_UNITS,
    CONNECTOR,
    COUNT_UNITS,
    GAP_T2,
    NOT_OURS,
    ROW_ITEMS_LEAD,
    T2_AFTER_FIRST,
    T2_ROW_AFTER,
    T2_ROW_OF,
    fits_whole,
)


def row_statement(ctx: NumberContext, value, unit: str, decimals: int, ours: bool = False) -> Statement | None:
    lead = ctx.lead
    if not ours and NOT_OURS.search(lead):
        return None
    words = ctx.words
    found = _row_before(lead, words) if any(w.cat == "row" for w in words) else _row_after(ctx, unit)
    if found is None:
        return None
    row, end = found
    columns: list[str] = []
    for w in words:
        if w.cat == "column" and w.name not in columns:
            columns.append(w.name)
    if any(w.cat in ("request", "case") for w in words if w.start >= row.end):
        return None
    if not columns and unit in COUNT_UNITS and (unit not in "件起宗" or ROW_ITEMS_LEAD.search(lead)):
        return None  # 行政许可 30 项 (items of a list), 公示行政许可 2000 条 (records published): not decisions
    kw = {"column": tuple(columns), "decimals": decimals}
    if end is not None:
        kw["end"] = end
    return make_statement(ctx, "count", [(ROW_PREFIX + row.name,)], value, unit, **kw)


def _row_before(lead: str, words: list[Word]) -> tuple[Word, None] | None:
    """规章 … N 件: the row named last before the number, with nothing but its columns and a few words between."""
    rows = [w for w in words if w.cat == "row"]
    row = rows[-1]
    if len(rows) > 1 and fits_whole(CONNECTOR, lead[rows[-2].end : row.start]):
        return None  # 规章和规范性文件 N 件: two rows at once
    gap = lead[row.end :]
    bare = gap
    for w in reversed([w for w in find_words(gap, row.end) if w.cat == "column"]):
        bare = bare[: w.start - row.end] + bare[w.end - row.end :]
    return (row, None) if fits_whole(GAP_T2, bare) else None


def _row_after(ctx: NumberContext, unit: str) -> tuple[Word, int] | None:
    """制发 5 件规范性文件: the row named right after the number (and where the statement ends)."""
    follow = T2_ROW_AFTER.match(ctx.after) if ctx.after[:1] in T2_AFTER_FIRST else None
    if not follow or unit in AMOUNT_UNITS:
        return None
    return Word(0, 0, "row", T2_ROW_OF[follow.group(1)]), ctx.end + follow.end()
