"""Counts of 表四 (行政复议, 行政诉讼): 行政复议 3 件, 维持 2 件, 未经复议直接起诉 1 件; and the zero claims 未出现被纠错."""

from __future__ import annotations

from ...common.sentences import TOPIC_WORDS
from .grammar import NumberContext, Word, first_stop, make_statement, topic_at
from .model import Statement
from .vocabulary import CONNECTOR, GAP_T4, HARD_STOP, NO_CORRECTION, REVIEWING_BODY, fits_whole


def case_statement(ctx: NumberContext, value, unit: str, words: list[Word], gap: str) -> Statement | None:
    lead = ctx.lead
    # the unit as the reviewing body; 因不服不予公开答复申请复议 2 件: the cases of one cause, a subset
    subset = "不服" in lead or any(w.cat == "request" for w in ctx.words if w.end <= words[-1].start)
    if subset or REVIEWING_BODY.search(lead) or "复议机关" in ctx.sentence[: ctx.start]:
        return None
    if not fits_whole(GAP_T4, gap):
        return None
    kind, _, name = words[-1].name.partition(":")
    if kind == "topic":
        return make_statement(ctx, "count", _totals(lead, words, name), value, unit)
    if kind == "block":  # 未经复议直接起诉 N 件: one block of 行政诉讼
        return make_statement(ctx, "count", [("suit_total",)], value, unit, column=(name,))
    topic = _clause_topic(words, ctx.topic)
    if topic not in ("review", "suit"):
        return None
    block = next((w.name.partition(":")[2] for w in reversed(words[:-1]) if w.name.startswith("block:")), None)
    column = (block,) if block and topic == "suit" else ()
    return make_statement(ctx, "count", [(f"{topic}_{name}",)], value, unit, column=column)


def _clause_topic(words: list[Word], carried: str | None) -> str | None:
    """The topic named in the clause before the case word (a 表四 block is of 行政诉讼): it wins over the carried one."""
    for w in reversed(words[:-1]):
        k, _, n = w.name.partition(":")
        if k == "topic":
            return n
        if k == "block":
            return "suit"
    return carried


def _totals(lead: str, words: list[Word], name: str) -> list[tuple[str, ...]]:
    """行政复议 N 件: its total; 行政复议和行政诉讼 共 N 件: the sum of both."""
    if len(words) >= 2:
        prev, last = words[-2], words[-1]
        k, _, n = prev.name.partition(":")
        if k == "topic" and n != name and fits_whole(CONNECTOR, lead[prev.end : last.start]):
            return [(f"{n}_total", f"{name}_total")]
    return [(f"{name}_total",)]


def zero_claims(sentence: str, offset: int, topics, carried: str | None) -> list[Statement]:
    """未出现被纠错 and the like: 结果纠正 = 0, of the topic the clause (or the sentence before it) names."""
    out: list[Statement] = []
    if "纠" not in sentence:
        return out
    for m in NO_CORRECTION.finditer(sentence):
        start = max((x.end() for x in HARD_STOP.finditer(sentence[: m.start()])), default=0)
        clause = sentence[start : m.end() + first_stop(sentence[m.end() :])]
        named = [t for t, words in TOPIC_WORDS[:2] if any(w in clause for w in words)]
        if not named:
            topic = topic_at(topics, m.start(), carried)
            named = [topic] if topic in ("review", "suit") else []
        for topic in named:
            out.append(
                Statement(
                    "zero",
                    ((f"{topic}_corrected",),),
                    0,
                    "",
                    sentence[start : m.end()].lstrip("，,、 "),
                    sentence,
                    offset + start,
                    offset + m.end(),
                    topic=topic,
                )
            )
    return out
