"""Shares and rates: 占 51.85%, 办结率 100%."""

from __future__ import annotations

from .changes import change_statement, change_tail
from .grammar import NumberContext, make_statement, subject_of
from .model import Statement
from .vocabulary import (
    ANY_DENOMINATOR,
    ANY_DENOMINATOR_WORDS,
    RATE_QUALIFIED,
    RATE_READINGS,
    RATE_TAIL,
    SHARE_DENOMINATORS,
    SHARE_TAIL,
)


def percent_statement(ctx: NumberContext, value, decimals: int, last: Statement | None) -> Statement | None:
    lead = ctx.lead
    if ctx.in_documents:
        return None
    change = change_tail(lead)
    if change:
        return change_statement(ctx, value, "%", decimals, change, last)
    if ctx.after[:1] and ctx.after[0] in "（(":
        return None  # 办结率 100%（含结转下年度…）: a rate of the writer's own definition
    rate = RATE_TAIL.search(lead)
    if rate:
        qualified = RATE_QUALIFIED.search(lead[: rate.start()])
        if qualified or ctx.topic not in ("request", None) or not (ctx.explicit_request or ctx.topic == "request"):
            return None
        return make_statement(ctx, "rate", [("result_total",)], value, "%", decimals=decimals, of=RATE_READINGS)
    share = SHARE_TAIL.search(lead)
    if not share:
        return None
    subject = subject_of(ctx, lead[: share.start()], last)
    if subject is None:
        return None
    readings, column = subject
    if any(n.startswith(("review", "suit")) for r in readings for n in r):
        return None  # 复议 4 件，维持 2 件，占 50%: of the cases, not of the requests
    of = tuple(readings) if column else _denominators(share["den"])  # 自然人 80 件，占 98.77%: of the figure
    if not of:
        return None
    if not column and any(r == d for r in readings for d in of):
        of = tuple(d for d in of if d not in readings) or of
    return make_statement(ctx, "share", readings, value, "%", decimals=decimals, of=of, column=column)


def _denominators(text: str) -> tuple[tuple[str, ...], ...]:
    """What 占 … 的 N% is a share of: named (办结总数, 收到申请), or any of the totals."""
    if text in ANY_DENOMINATOR_WORDS:
        return ANY_DENOMINATOR
    for words, denominators in SHARE_DENOMINATORS:
        if any(w in text for w in words):
            return denominators
    return ()
