"""Counts of 表三 (申请): 收到申请 76 件, 予以公开及部分公开 42 件, 涉及自然人 72 件, 1件结转下年度."""

from __future__ import annotations

from .grammar import NumberContext, Word, find_words, first_stop, make_statement
from .model import Statement
from .vocabulary import (
    AFTER_GAP,
    ANSWER_GROUND,
    BARE_LEAD,
    CONNECTOR,
    GAP_QUALIFIER,
    GAP_SPECIFIC,
    INCLUDES_CARRIED_IN,
    ONE_CHANNEL,
    OTHER_BUSINESS,
    OTHER_BUSINESS_RECEIVED,
    RATIO_WORDS,
    REQUEST_FIGURES,
    SUBSET_BEFORE,
    VERB_READINGS,
    fits_whole,
)


def request_statement(
    ctx: NumberContext, value, unit: str, words: list[Word], figure_words: list[Word]
) -> Statement | None:
    lead = ctx.lead
    last_word = figure_words[-1]
    gap = lead[last_word.end :]
    column = _column_after(lead, words, last_word)
    if column is None:
        return None
    clause = lead + ctx.after[: first_stop(ctx.after)]
    if last_word.cat == "verb":
        return _verb(ctx, value, unit, last_word, gap, clause, column)
    # a specific figure word, or several joined (予以公开及部分公开): the sum of them
    if column or not fits_whole(GAP_SPECIFIC, gap):
        return None
    if ctx.topic != "request" and "申请" not in clause:
        return None
    before = ctx.sentence[: ctx.start]
    if any(w in before for w in OTHER_BUSINESS_RECEIVED) or SUBSET_BEFORE.search(before):
        return None  # 办理人大代表建议 25 件，其中予以公开 20 件; 其中关于征收的 30 件，予以公开 25 件
    names = _joined(lead, figure_words)
    if len(set(names)) != len(names):
        return None
    return make_statement(ctx, "count", (tuple(names),), value, unit)


def _joined(text: str, words: list[Word]) -> list[str]:
    """The 表三 figures named last, with those joined to it by 及/和/与/、 (a combined figure)."""
    names = [words[-1].name]
    i = len(words) - 1
    while i > 0 and words[i - 1].cat == "request" and fits_whole(CONNECTOR, text[words[i - 1].end : words[i].start]):
        names.insert(0, words[i - 1].name)
        i -= 1
    return names


def _verb(ctx: NumberContext, value, unit: str, word: Word, gap: str, clause: str, column) -> Statement | None:
    """收到 / 受理 / 办结 / 答复 / 办理 … N 件: only in a sentence about 申请, and not about other business."""
    if not ctx.explicit_request or (word.name == "new_received" and "申请" not in clause):
        return None
    other = OTHER_BUSINESS if word.name == "result_total" else OTHER_BUSINESS_RECEIVED
    if any(w in clause for w in other) or RATIO_WORDS.search(gap):
        return None
    if "结转" in ctx.after[: first_stop(ctx.after)]:
        return None  # 收到 1 件上年结转申请: the number before what it counts
    if word.start and ctx.lead[word.start - 1] in "应需待未":
        return None  # 应办结 76 件, 未办结 10 件: not the requests handled
    before = ctx.lead[: word.start]
    if ONE_CHANNEL.search(before):
        return None  # 通过政务公开专区接收申请 12 件: the requests of one channel
    if word.name == "result_total" and (
        ANSWER_GROUND.search(before) or any(w.cat == "request" and w.end <= word.start for w in ctx.words)
    ):
        return None  # 本机关不掌握政府信息答复 4 条, 予以公开答复 5 件: the requests so answered
    readings = VERB_READINGS.get(ctx.lead[word.start : word.end], ((word.name,),))
    if word.name == "new_received" and INCLUDES_CARRIED_IN.match(ctx.after):
        readings = (*readings, ("new_received", "carried_in"))
    return make_statement(ctx, "count", readings, value, unit, column=column)


def _column_after(lead: str, words: list[Word], word: Word) -> tuple[str, ...] | None:
    """Applicant words after the figure's word: () none (or all applicants), (q,) one column, None unclear."""
    quals = [w for w in words if w.cat == "qual" and w.start >= word.end]
    if not quals:
        return ()
    names = {w.name for w in quals}
    if {"natural_person", "legal_persons"} <= names:
        return ()  # 公民、法人和其他组织 … 申请: every applicant
    if len(quals) == 1 and fits_whole(GAP_QUALIFIER, lead[quals[0].end :]):
        return (quals[0].name,)  # 收到自然人申请 72 件
    return None


def after_or_column(
    ctx: NumberContext, value, unit: str, words: list[Word], last: Statement | None
) -> Statement | None:
    """``1件结转下年度继续办理`` (the figure after the number) or ``涉及自然人72件`` (a column of the last figure)."""
    if ctx.in_documents or ctx.topic in ("review", "suit"):
        return None
    after = ctx.after[: min(first_stop(ctx.after), 14)]
    bare = fits_whole(BARE_LEAD, ctx.lead) and (ctx.topic == "request" or ctx.explicit_request)
    follow = (
        [w for w in find_words(after) if w.cat == "request" and w.name in ("carried_forward", "carried_in")]
        if bare
        else []
    )
    if follow:
        w = follow[0]
        if not fits_whole(AFTER_GAP, after[: w.start]):
            return None
        return make_statement(ctx, "count", ((w.name,),), value, unit, end=ctx.end + w.end)
    quals = [w for w in words if w.cat == "qual"]
    if not quals or last is None or len(last.readings) != 1:
        return None
    q = quals[-1]
    if not fits_whole(GAP_QUALIFIER, ctx.lead[q.end :]):
        return None
    before = ctx.lead[: q.start].strip("，,、 ")
    if before not in ("", "其中", "涉及", "其中涉及", "来自", "其中来自", "其中由", "由"):
        return None
    if not all(name in _REQUEST_NAMES for name in last.readings[0]):
        return None
    return make_statement(ctx, "count", last.readings, value, unit, column=(q.name,))


_REQUEST_NAMES = frozenset(REQUEST_FIGURES)
