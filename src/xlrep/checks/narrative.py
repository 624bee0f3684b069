"""Reading the narrative: the claims and the years it makes.

A claim is only taken when its meaning is clear (未收到申请, 未发生行政复议, 均获维持,
未收取信息处理费); the TEXT-* rules (``rules.text``) compare it with the figures the
edition file declares (``Form.figures``). The numbers a text states are read by
``statements``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..common.sentences import FULL_STOPS, REVIEW_WORDS, SUIT_WORDS, sentence_end, sentences, sentences_and_stops

#: A body acting as the local government of its area (管委会, 实验区, 开发区, 新区 …), not one of its departments:
#: what it says of the whole area (全区) is its own.
AREA_BODY = re.compile(r"(?:管理委员会|管委会|实验区|开发区|新区|示范区|高新区|保税区|合作区|试验区|园区)$")
#: A report compiled for the whole area (本报告…汇总…各有关单位…编制): its 全区 figures are its own.
AREA_REPORT_UNITS = ("单位", "部门", "乡镇", "街道", "镇")


def compiled_for_area(text: str) -> bool:
    """A sentence says the report is compiled from all the units of the area (汇总/综合 … 各…单位 … 编制); the
    sentence is not cut at ；, nor at a line (where a PDF may have wrapped it)."""
    if "编制" not in text:
        return False
    for sentence in sentence_end(clauses=False, lines=False).split(text):  # spaces around it do not matter here
        if "编制" not in sentence or "各" not in sentence:
            continue
        start = max(sentence.find("汇总"), sentence.find("综合"))
        each = sentence.find("各", start) if start >= 0 else -1
        if each >= 0 and any(u in sentence[each : sentence.rfind("编制")] for u in AREA_REPORT_UNITS):
            return True
    return False


CLAUSE_SPLIT = re.compile(r"[，,、（）()：:]+")
CLAIM_SPLIT = re.compile(r"[，,（）()：:]+")  # clauses for denials, which may list their topics with 、


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


# 申请 not followed by 人: "未收到申请人的投诉" denies a complaint, not a request.
# 未受理申请2件 counts requests not accepted; 无申请被撤回, 无件逾期, 未收到申请的单位 deny something else.
NO_REQUESTS = re.compile(
    r"(未收到|没有收到|未接到|无)(任何)?(政府信息公开|依申请公开|信息公开)?(申请(?!人)|件)(?![被逾超撤的])"
)
# A sentence that also states requests received (各乡镇均未收到申请，县直部门共收到申请120件) denies them of some only.
REQUESTS_RECEIVED = re.compile(r"(?<![未没有])(收到|接到|受理)[^，。；]{0,12}?\d")
# A denial limited to part of the year (一季度未收到申请, 3月份无申请) says nothing of the year's total.
PART_OF_YEAR = re.compile(r"季度|上半年|下半年|(?<![一二三四五六七八九十\d])[一二三四五六七八九十\d]++月|月份|期间")
# 无被纠错 / 未出现被纠错 say only that no case was corrected: ``statements`` reads them as 结果纠正 = 0 (a case
# still pending is not a corrected one), so they are not claims that every case was upheld.
ALL_UPHELD = re.compile(r"(均获维持|均被维持|全部维持|均予维持)")
NO_CASES = re.compile(r"(未发生|没有发生|未出现|未产生|没有|无)[^，。；]{0,15}?(行政复议|行政诉讼)")
# A denial of only some cases: of a cause (因不予公开引起的复议, 因答复超期), or of a result (被撤销, 确认违法)
# does not say that there were no cases at all.
SOME_CASES = re.compile(r"纠错|纠正|败诉|维持|撤销|违法|变更|责令|不予公开|不公开|部分公开|超期|逾期|不当|程序")
NO_FEES = re.compile(r"(未|没有|不)(收取|收)[^，。；]{0,8}?(信息处理费|费用)")


@dataclass(frozen=True)
class Claim:
    """A claim that a figure is zero (``no_requests``, ``no_review`` …) or that every case was upheld."""

    sentence: str
    claim: str  # no_requests, no_review, no_suit, no_fees, all_upheld_review/suit, no_correction_review/suit
    figures: tuple[str, ...]  # the figures that must be 0 for the claim to hold


def claims(text: str) -> Iterator[Claim]:
    """Every claim of ``text``; each sentence is looked at only for the claims its words can make."""
    for sentence in sentences(text):
        denies = "未" in sentence or "无" in sentence or "没有" in sentence  # every denial has one of these
        if denies and ("申请" in sentence or "件" in sentence):
            yield from _no_requests(sentence)
        if denies and ("复议" in sentence or "诉讼" in sentence):
            yield from _no_cases(sentence)
        if "费" in sentence:
            yield from _no_fees(sentence)
        if "维持" in sentence:
            yield from _all_upheld(sentence)


# 均获维持 of some cases only (除1件被纠正外, 其余, 上年结转的) is not read; of the decided ones (已审结的) it says only
# that none was corrected.
SOME_UPHELD = re.compile(r"除|其余|其他|以外|上年|结转")
DECIDED = re.compile(r"已审结|审结的|已办结|办结的|已结案|结案的")
PENDING = re.compile(r"尚在办理|尚在审理|尚未审结|尚未办结|正在审理|正在办理|审理中|办理中|未审结|未结案")


def _all_upheld(sentence: str) -> Iterator[Claim]:
    """均获维持: no case corrected and none pending — or, with 尚在办理 beside it, only no case corrected. The
    cases are those of the clause that says it (行政复议4件均获维持), else of the words before it, else both."""
    m = ALL_UPHELD.search(sentence)
    if not m or SOME_UPHELD.search(sentence[: m.start()]):
        return
    clause = next(c for c in _clauses_at(sentence, m.start()))
    topic = _topic(clause, None) or _topic(sentence[: m.start()], None)
    pending_too = not PENDING.search(sentence) and not DECIDED.search(sentence[: m.start()])
    for t in ["review", "suit"] if topic not in ("review", "suit") else [topic]:
        if pending_too:
            yield Claim(sentence, f"all_upheld_{t}", (f"{t}_corrected", f"{t}_pending"))
        else:
            yield Claim(sentence, f"no_correction_{t}", (f"{t}_corrected",))


def _clauses_at(sentence: str, position: int) -> Iterator[str]:
    """The clause (split at ，、：（） …) of ``sentence`` that holds ``position``."""
    start = 0
    for part in CLAUSE_SPLIT.finditer(sentence):
        if part.start() > position:
            break
        start = part.end()
    end = CLAUSE_SPLIT.search(sentence, position)
    yield sentence[start : end.start() if end else len(sentence)]


def _no_requests(sentence: str) -> Iterator[Claim]:
    if REQUESTS_RECEIVED.search(sentence):
        return
    for clause in CLAUSE_SPLIT.split(sentence):
        m = NO_REQUESTS.search(clause)
        if m and "正当理由" not in clause and not PART_OF_YEAR.search(clause[: m.start()]):
            yield Claim(sentence, "no_requests", ("new_received",))


def _no_cases(sentence: str) -> Iterator[Claim]:
    for clause in CLAIM_SPLIT.split(sentence):  # "未发生行政复议、行政诉讼案件" denies both: keep 、 inside
        m = NO_CASES.search(clause)
        if m and not SOME_CASES.search(clause):
            for topic, words in (("review", REVIEW_WORDS), ("suit", SUIT_WORDS)):
                if any(w in clause[m.start() :] for w in words):
                    yield Claim(sentence, f"no_{topic}", (f"{topic}_total",))


# A denial of fees for some requests only (对于合理范围内的申请不收取, 除1件外, 其余均未收取), or beside a fee
# the sentence says was collected (收取信息处理费50元), is not a claim that none was collected.
SOME_FEES = re.compile(r"除|其余|以外|对于|的申请|免收|范围内")
FEE_COLLECTED = re.compile(r"(?<![未不没有])收取[^，。；未不]{0,12}?\d")


def _no_fees(sentence: str) -> Iterator[Claim]:
    if SOME_FEES.search(sentence) or FEE_COLLECTED.search(sentence):
        return
    for clause in CLAUSE_SPLIT.split(sentence):
        if NO_FEES.search(clause):
            yield Claim(sentence, "no_fees", ("fee_collected",))


YEAR_OPENING = re.compile(
    r"^\s*+(?:[（(][一二三四五六七八九十\d]++[）)][^，。]{0,12}?[。：:]?)?\s*+(20\d{2})\s*+年度?\s*+[，,]"
)


THIS_YEAR = ("本年", "今年", "年内", "以来", "至今")


def stale_years(text: str, year: int) -> Iterator[tuple[int, str]]:
    """(year stated, sentence) of each sentence that opens with a year other than ``year`` or the next.

    A sentence that also names the report's year (2022年，上级通报的问题，我局于2023年整改；…本年我局落实)
    tells an earlier year's background: it was written for this report, not reused."""
    for sentence, stop in sentences_and_stops(text, clauses=False):  # a clause after ； does not open a sentence
        sentence += stop[0] if stop and stop[0] in FULL_STOPS else ""  # shown with its 。
        m = YEAR_OPENING.match(sentence)
        if m and int(m.group(1)) not in (year, year + 1):  # next year: plans in 五 are legitimate
            rest = sentence[m.end() :]
            if f"{year}年" in rest or any(w in rest for w in THIS_YEAR):
                continue
            yield int(m.group(1)), sentence
