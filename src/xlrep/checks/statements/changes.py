"""Changes against last year: 同比增长 12.3%, 较上年增加 12 件."""

from __future__ import annotations

import re

from .grammar import NumberContext, make_statement, subject_of
from .model import Statement
from .vocabulary import CHANGE_TAIL, DIRECTIONS, OTHER_PERIOD


def change_tail(lead: str) -> re.Match | None:
    return CHANGE_TAIL.search(lead) if "比" in lead or "较" in lead else None


def change_statement(ctx: NumberContext, value, unit: str, decimals: int, change: re.Match, last) -> Statement | None:
    """同比增长 12.3% / 较上年增加 12 件: of the figure named before it, or the one just stated."""
    if ctx.in_documents or OTHER_PERIOD.search(ctx.lead[: change.start()]):
        return None  # 第一季度收到申请同比增长 50%: another period's change
    subject = subject_of(ctx, ctx.lead[: change.start()], last)
    if subject is None:
        return None
    readings, column = subject
    direction = DIRECTIONS[change["dir"]]
    return make_statement(ctx, "change", readings, value, unit, decimals=decimals, column=column, direction=direction)
