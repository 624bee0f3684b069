"""Narrative against the tables: TEXT-MISSING, TEXT-NUMBER, TEXT-CLAIM, TEXT-YEAR, FEE-NOTICE, GOV-ACCOUNTABILITY.

A statement is only compared when its meaning is clear: a figure keyword in the
same clause as the number, with the topic (申请 / 行政复议 / 行政诉讼) settled by the
sentence. Approximate numbers (“3000 余件”) and ambiguous clauses are skipped: a
correct statement must never be flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import all_values, as_number, format_number
from .findings import Finding
from .reader import ReadResult

GOVERNMENT = "县级以上地方人民政府"

SENTENCE_END = re.compile(r"[。！？；;\n]+")
CLAUSE_SPLIT = re.compile(r"[，,、（）()：:]+")
CLAIM_SPLIT = re.compile(r"[，,（）()：:]+")  # clauses for denials, which may list their topics with 、
NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:[,，]\d{3})+|\d+)\s*(件|起|宗)")
APPROXIMATE_AFTER = re.compile(r"^\s*(余|多)")
APPROXIMATE_BEFORE = re.compile(r"(近|约|超过|逾|达到?近)\s*$")


@dataclass(frozen=True)
class Figure:
    name: str
    title: str  # how the message names it
    keys: tuple[str, ...]  # table cells whose sum it is


def _figures(form) -> dict[str, Figure]:
    def t3(*rows: str) -> tuple[str, ...]:
        return tuple(f"t3.{r}.total" for r in rows)

    rows = [r.key for r in form.grids("t3")[0].rows]
    refused = [r for r in rows if r.startswith("refused_")]
    unable = [r for r in rows if r.startswith("unable_")]
    not_handled = [r for r in rows if r.startswith("not_handled_")]
    other = [r for r in rows if r.startswith("other_")]
    figures = [
        Figure("new_received", "本年新收申请（表三 一、总计）", t3("new_received")),
        Figure("carried_in", "上年结转申请（表三 二、总计）", t3("carried_in")),
        Figure("result_total", "本年办理结果总计（表三（七）总计）", t3("result_total")),
        Figure("carried_forward", "结转下年度继续办理（表三 四、总计）", t3("carried_forward")),
        Figure("granted", "予以公开（表三）", t3("granted")),
        Figure("partly", "部分公开（表三）", t3("partly_granted")),
        Figure("refused", "不予公开（表三（三）各项之和）", t3(*refused)),
        Figure("unable", "无法提供（表三（四）各项之和）", t3(*unable)),
        Figure("not_handled", "不予处理（表三（五）各项之和）", t3(*not_handled)),
        Figure("other_handling", "其他处理（表三（六）之和）", t3(*other)),
    ]
    blocks = {"review": ("review",), "suit": ("suit_direct", "suit_after_review")}
    names = {"review": "行政复议", "suit": "行政诉讼"}
    for topic, keys in blocks.items():
        suffix = "（两栏之和）" if topic == "suit" else ""
        for col, title in (
            ("total", "总计"),
            ("upheld", "结果维持"),
            ("corrected", "结果纠正"),
            ("other", "其他结果"),
            ("pending", "尚未审结"),
        ):
            figures.append(
                Figure(f"{topic}_{col}", f"{names[topic]}{title}（表四{suffix}）", tuple(f"t4.{b}.{col}" for b in keys))
            )
    return {f.name: f for f in figures}


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


def narrative_parts(result: ReadResult) -> list[tuple[str, str]]:
    form = result.layout.form
    return [
        (c.key, str(result.values.get(c.key) or ""))
        for c in form.cells.values()
        if c.kind == "longtext" and result.values.get(c.key)
    ]


def narrative_rules(result: ReadResult) -> list[Finding]:
    form = result.layout.form
    full = all_values(form, result.values)
    figures = _figures(form)
    table = {name: sum(_n(full, k) for k in f.keys) for name, f in figures.items()}
    out: list[Finding] = []
    out += _missing(result)
    for key, text in narrative_parts(result):
        out += _numbers(result, key, text, figures, table)
        out += _claims(result, key, text, table, full)
        if key != "s5.last_year_fixes":
            out += _years(result, key, text)
    out += _fee_notice(result, full)
    out += _accountability(result)
    return result.trusted(out)  # an unread sheet's values are unknown: no finding may rest on them


def _n(full: dict, key: str) -> float | int:
    v = as_number(full.get(key))
    return 0 if v is None else v


def _missing(result: ReadResult) -> list[Finding]:
    out = []
    for cell in result.layout.form.cells.values():
        if not cell.required or not cell.is_input or cell.is_numeric:
            continue
        if result.values.get(cell.key) in (None, ""):
            section = cell.sheet if cell.sheet != "基本信息" else "基本信息"
            out.append(
                Finding(
                    "TEXT-MISSING",
                    f"“{section}”的“{cell.label}”没有填写。这是报告必需的内容。",
                    [result.ref(cell.key)],
                    {"part": cell.key},
                )
            )
    return out


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


def _numbers(result: ReadResult, key: str, text: str, figures, table) -> list[Finding]:
    out = []
    for sentence in _sentences(text):
        topic = None
        has_request = "申请" in sentence
        for clause in CLAUSE_SPLIT.split(sentence):
            topic = _topic(clause, topic)
            for m in NUMBER.finditer(clause):
                if APPROXIMATE_AFTER.match(clause[m.end() :]) or APPROXIMATE_BEFORE.search(clause[: m.start()]):
                    continue
                name = _classify(clause, m.start(), m.end(), topic, has_request)
                if name is None or name not in figures:
                    continue
                stated = int(re.sub(r"[,，]", "", m.group(1)))
                actual = table[name]
                if stated == actual:
                    continue
                figure = figures[name]
                out.append(
                    Finding(
                        "TEXT-NUMBER",
                        f"“{result.layout.form.cells[key].label}”中写道“{sentence}”，其中 {stated} {m.group(2)}与表格不符："
                        f"{figure.title}是 {format_number(actual)}。请改正文字或表格。",
                        [result.ref(key)] + [result.ref(k) for k in figure.keys],
                        {"stated": stated, "table": actual, "figure": name, "sentence": sentence},
                    )
                )
    return out


NO_REQUESTS = re.compile(r"(未收到|没有收到|未受理|未接到|无)(任何)?(政府信息公开|依申请公开|信息公开)?(申请|件)")
ALL_UPHELD = re.compile(r"(均获维持|均被维持|全部维持|均予维持|无被纠错|未被纠错|没有被纠错|无纠错|未发生被纠错)")
NO_CASES = re.compile(r"(未发生|没有发生|未出现|未产生|没有|无)[^，。；]{0,15}?(行政复议|行政诉讼)")
NO_FEES = re.compile(r"(未|没有|不)(收取|收)[^，。；]{0,8}?(信息处理费|费用)")


def _claims(result: ReadResult, key: str, text: str, table: dict, full: dict) -> list[Finding]:
    out = []
    label = result.layout.form.cells[key].label

    def claim(sentence: str, what: str, figure_keys: list[str], values: dict) -> None:
        out.append(
            Finding(
                "TEXT-CLAIM",
                f"“{label}”中写道“{sentence}”，但{what}。请改正文字或表格。",
                [result.ref(key)] + [result.ref(k) for k in figure_keys],
                {"sentence": sentence, **values},
            )
        )

    for sentence in _sentences(text):
        for clause in CLAUSE_SPLIT.split(sentence):
            if NO_REQUESTS.search(clause) and table["new_received"] > 0 and "正当理由" not in clause:
                claim(
                    sentence,
                    f"表三本年新收申请是 {format_number(table['new_received'])} 件",
                    ["t3.new_received.total"],
                    {"claim": "no_requests", "table": table["new_received"]},
                )
        for clause in CLAIM_SPLIT.split(sentence):  # "未发生行政复议、行政诉讼案件" denies both: keep 、 inside
            m = NO_CASES.search(clause)
            if m and not re.search(r"纠错|纠正|败诉|维持", clause):
                for topic, words, title in (("review", REVIEW_WORDS, "行政复议"), ("suit", SUIT_WORDS, "行政诉讼")):
                    if any(w in clause[m.start() :] for w in words) and table[f"{topic}_total"] > 0:
                        keys = (
                            ["t4.review.total"]
                            if topic == "review"
                            else ["t4.suit_direct.total", "t4.suit_after_review.total"]
                        )
                        claim(
                            sentence,
                            f"表四{title}总计是 {format_number(table[f'{topic}_total'])} 件",
                            keys,
                            {"claim": f"no_{topic}", "table": table[f"{topic}_total"]},
                        )
        for clause in CLAUSE_SPLIT.split(sentence):
            if NO_FEES.search(clause):
                collected = _n(full, "s6.fee_collected") if "s6.fee_collected" in result.layout.form.cells else 0
                if collected > 0:
                    claim(
                        sentence,
                        f"六中填写的实际收取信息处理费是 {format_number(collected)} 元",
                        ["s6.fee_collected"],
                        {"claim": "no_fees", "table": collected},
                    )
        if ALL_UPHELD.search(sentence):
            topic = _topic(sentence, None)
            topics = ["review", "suit"] if topic not in ("review", "suit") else [topic]
            for t in topics:
                bad = table[f"{t}_corrected"] + table[f"{t}_pending"]
                if bad > 0:
                    title = "行政复议" if t == "review" else "行政诉讼"
                    blocks = ["review"] if t == "review" else ["suit_direct", "suit_after_review"]
                    claim(
                        sentence,
                        f"表四{title}有结果纠正 {format_number(table[f'{t}_corrected'])} 件、尚未审结 {format_number(table[f'{t}_pending'])} 件",
                        [f"t4.{b}.{c}" for b in blocks for c in ("corrected", "pending")],
                        {"claim": f"all_upheld_{t}", "table": bad},
                    )
    return out


YEAR_OPENING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)][^，。]{0,12}?[。：:]?)?\s*(20\d{2})\s*年度?\s*[，,]"
)


def _years(result: ReadResult, key: str, text: str) -> list[Finding]:
    year = result.year
    if year is None:
        return []
    out = []
    for sentence in re.split(r"(?<=[。！？\n])", text):
        m = YEAR_OPENING.match(sentence)
        if not m:
            continue
        stated = int(m.group(1))
        if stated in (year, year + 1):  # next year: plans in 五 are legitimate
            continue
        out.append(
            Finding(
                "TEXT-YEAR",
                f"“{result.layout.form.cells[key].label}”中有一句以“{stated}年”开头：“{sentence.strip()[:60]}”，"
                f"而本报告是 {year} 年度的。可能沿用了往年的文字，请核实。",
                [result.ref(key)],
                {"stated": stated, "year": year, "sentence": sentence.strip()},
            )
        )
    return out


def _fee_notice(result: ReadResult, full: dict) -> list[Finding]:
    form = result.layout.form
    if "s6.fee_notices" not in form.cells or "t3.other_fee_unpaid.total" not in form.cells:
        return []
    unpaid = _n(full, "t3.other_fee_unpaid.total")
    notices = _n(full, "s6.fee_notices")
    if unpaid > 0 and notices == 0:
        return [
            Finding(
                "FEE-NOTICE",
                f"表三（六）2（申请人逾期未按收费通知缴费）有 {format_number(unpaid)} 件，但六中发出收费通知的件数为 0。"
                "有逾期未缴费，就应发出过收费通知，请核实。",
                [result.ref("t3.other_fee_unpaid.total"), result.ref("s6.fee_notices")],
                {"unpaid": unpaid, "notices": notices},
            )
        ]
    return []


def _accountability(result: ReadResult) -> list[Finding]:
    if result.values.get("info.org_type") != GOVERNMENT:
        return []
    text = str(result.values.get("s1.oversight") or "")
    if any(w in text for w in ("考核", "评议", "责任追究", "追责", "问责")):
        return []
    return [
        Finding(
            "GOV-ACCOUNTABILITY",
            "本机关是人民政府，“（五）监督保障”须报告工作考核、社会评议和责任追究结果情况（《条例》第五十条），目前没有写到。",
            [result.ref("s1.oversight")],
            {"org_type": GOVERNMENT},
        )
    ]
