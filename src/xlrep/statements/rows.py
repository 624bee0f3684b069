"""Counts and amounts of 表二's rows: 制发规范性文件 5 件, 行政处罚决定 120 件, 收费金额 3.5 万元."""

from __future__ import annotations

from ..figures import ROW_PREFIX
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
    rows = [w for w in words if w.cat == "row"]
    end = None
    if rows:
        row = rows[-1]
        if len(rows) > 1 and fits_whole(CONNECTOR, lead[rows[-2].end : row.start]):
            return None  # 规章和规范性文件 N 件: two rows at once
        gap = lead[row.end :]
        cols_in_gap = [w for w in find_words(gap, row.end) if w.cat == "column"]
        bare = gap
        for w in reversed(cols_in_gap):
            bare = bare[: w.start - row.end] + bare[w.end - row.end :]
        if not fits_whole(GAP_T2, bare):
            return None
    else:  # 制发 5 件规范性文件: the row named right after the number
        follow = T2_ROW_AFTER.match(ctx.after) if ctx.after[:1] in T2_AFTER_FIRST else None
        if not follow or unit in AMOUNT_UNITS:
            return None
        row_word = follow.group(1)
        row = Word(0, 0, "row", T2_ROW_OF[row_word])
        end = ctx.end + follow.end()
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
