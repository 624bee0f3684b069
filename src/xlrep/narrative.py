"""Reading the narrative: the statements of numbers, the claims and the years it makes.

A statement is only taken when its meaning is clear: a figure keyword in the same
clause as the number, with the topic (申请 / 行政复议 / 行政诉讼) settled by the
sentence. Approximate numbers (“3000 余件”) and ambiguous clauses are skipped: a
correct statement must never be flagged. The figures are those the edition file
declares (``Form.figures``); the TEXT-* rules (``rules.text``) compare and word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

SENTENCE_END = re.compile(r"[。！？；;\n]+")
CLAUSE_SPLIT = re.compile(r"[，,、（）()：:]+")
CLAIM_SPLIT = re.compile(r"[，,（）()：:]+")  # clauses for denials, which may list their topics with 、
NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:[,，]\d{3})+|\d+)\s*(件|起|宗)")
APPROXIMATE_AFTER = re.compile(r"^\s*(余|多)")
APPROXIMATE_BEFORE = re.compile(r"(近|约|超过|逾|达到?近)\s*$")


# Keywords → figure, per topic. Longer, more specific keywords first.
REQUEST_KEYWORDS = [
    (("上年度结转", "上年结转", "上一年度结转", "上年度未办结", "上年未办结", "结转上年"), "carried_in"),
    (("结转下年", "结转至下年", "结转到下年", "转入下年", "顺延", "下年度继续办理", "结转下一年"), "carried_forward"),
    (("新收", "收到", "受理", "接收", "接到"), "new_received"),
    (("办结", "答复", "办理完毕", "处理完毕", "办理"), "result_total"),
    (("予以公开", "同意公开"), "granted"),
    (("部分公开",), "partly"),
    (("不予公开",), "refused"),
    (("无法提供",), "unable"),
    (("不予处理",), "not_handled"),
    (("其他处理",), "other_handling"),
]
CASE_KEYWORDS = [
    (("结果维持", "维持"), "upheld"),
    (("结果纠正", "纠正", "纠错"), "corrected"),
    (("其他结果",), "other"),
    (("尚未审结", "未审结"), "pending"),
]
OTHER_BUSINESS = ("建议", "提案", "信访", "来信", "投诉", "事项", "业务", "案件")
REVIEW_WORDS = ("行政复议", "复议")
SUIT_WORDS = ("行政诉讼", "诉讼", "起诉")


def _sentences(text: str):
    for sentence in SENTENCE_END.split(text):
        sentence = sentence.strip()
        if sentence:
            yield sentence


def _topic(clause: str, current: str | None) -> str | None:
    review = any(w in clause for w in REVIEW_WORDS)
    suit = any(w in clause for w in SUIT_WORDS)
    if review and suit:
        return "both"
    if review:
        return "review"
    if suit:
        return "suit"
    if "申请" in clause:
        return "request"
    return current


def _classify(clause: str, start: int, end: int, topic: str | None, sentence_has_request: bool) -> str | None:
    prefix, suffix = clause[:start], clause[end:]
    if topic in ("review", "suit"):
        best = _closest(prefix, CASE_KEYWORDS)
        if best:
            return f"{topic}_{best}"
        words = REVIEW_WORDS if topic == "review" else SUIT_WORDS
        if any(w in prefix for w in words):
            if any(
                w in prefix for w in ("受理", "收到", "接到", "办理")
            ):  # cases handled as reviewing body: not table 四
                return None
            return f"{topic}_total"
        return None
    if topic == "both" or not sentence_has_request:
        return None
    best = _closest(prefix, REQUEST_KEYWORDS)
    if best:
        if best == "new_received" and "申请" not in clause:
            return None
        if best == "result_total" and any(w in clause for w in OTHER_BUSINESS):
            return None  # 办理人大代表建议 25 件: not the requests of table 三
        return best
    after = _first(suffix[:12], REQUEST_KEYWORDS[:2])
    return after


def _closest(prefix: str, table) -> str | None:
    best, best_pos = None, -1
    for words, name in table:
        for w in words:
            pos = prefix.rfind(w)
            if pos >= 0 and pos + len(w) > best_pos:
                best, best_pos = name, pos + len(w)
    return best


def _first(suffix: str, table) -> str | None:
    best, best_pos = None, len(suffix) + 1
    for words, name in table:
        for w in words:
            pos = suffix.find(w)
            if 0 <= pos < best_pos:
                best, best_pos = name, pos
    return best


@dataclass(frozen=True)
class Statement:
    """A number stated for a figure: ``stated`` ``unit`` of ``figure`` in ``sentence``."""

    sentence: str
    figure: str
    stated: int
    unit: str


def statements(text: str) -> Iterator[Statement]:
    """Every statement of a figure's number whose meaning is clear."""
    for sentence in _sentences(text):
        topic = None
        has_request = "申请" in sentence
        for clause in CLAUSE_SPLIT.split(sentence):
            topic = _topic(clause, topic)
            for m in NUMBER.finditer(clause):
                if APPROXIMATE_AFTER.match(clause[m.end() :]) or APPROXIMATE_BEFORE.search(clause[: m.start()]):
                    continue
                name = _classify(clause, m.start(), m.end(), topic, has_request)
                if name is not None:
                    yield Statement(sentence, name, int(re.sub(r"[,，]", "", m.group(1))), m.group(2))


NO_REQUESTS = re.compile(r"(未收到|没有收到|未受理|未接到|无)(任何)?(政府信息公开|依申请公开|信息公开)?(申请|件)")
ALL_UPHELD = re.compile(r"(均获维持|均被维持|全部维持|均予维持|无被纠错|未被纠错|没有被纠错|无纠错|未发生被纠错)")
NO_CASES = re.compile(r"(未发生|没有发生|未出现|未产生|没有|无)[^，。；]{0,15}?(行政复议|行政诉讼)")
NO_FEES = re.compile(r"(未|没有|不)(收取|收)[^，。；]{0,8}?(信息处理费|费用)")


@dataclass(frozen=True)
class Claim:
    """A claim that a figure is zero (``no_requests``, ``no_review`` …) or that no case was corrected."""

    sentence: str
    claim: str  # no_requests, no_review, no_suit, no_fees, all_upheld_review, all_upheld_suit
    figures: tuple[str, ...]  # the figures that must be 0 for the claim to hold


def claims(text: str) -> Iterator[Claim]:
    for sentence in _sentences(text):
        for clause in CLAUSE_SPLIT.split(sentence):
            if NO_REQUESTS.search(clause) and "正当理由" not in clause:
                yield Claim(sentence, "no_requests", ("new_received",))
        for clause in CLAIM_SPLIT.split(sentence):  # "未发生行政复议、行政诉讼案件" denies both: keep 、 inside
            m = NO_CASES.search(clause)
            if m and not re.search(r"纠错|纠正|败诉|维持", clause):
                for topic, words in (("review", REVIEW_WORDS), ("suit", SUIT_WORDS)):
                    if any(w in clause[m.start() :] for w in words):
                        yield Claim(sentence, f"no_{topic}", (f"{topic}_total",))
        for clause in CLAUSE_SPLIT.split(sentence):
            if NO_FEES.search(clause):
                yield Claim(sentence, "no_fees", ("fee_collected",))
        if ALL_UPHELD.search(sentence):
            topic = _topic(sentence, None)
            for t in ["review", "suit"] if topic not in ("review", "suit") else [topic]:
                yield Claim(sentence, f"all_upheld_{t}", (f"{t}_corrected", f"{t}_pending"))


YEAR_OPENING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)][^，。]{0,12}?[。：:]?)?\s*(20\d{2})\s*年度?\s*[，,]"
)


def stale_years(text: str, year: int) -> Iterator[tuple[int, str]]:
    """(year stated, sentence) of each sentence that opens with a year other than ``year`` or the next."""
    for sentence in re.split(r"(?<=[。！？\n])", text):
        m = YEAR_OPENING.match(sentence)
        if m and int(m.group(1)) not in (year, year + 1):  # next year: plans in 五 are legitimate
            yield int(m.group(1)), sentence.strip()
