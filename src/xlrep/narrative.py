"""Narrative against the tables: TEXT-MISSING, TEXT-DRAFTED, TEXT-NUMBER, TEXT-SHARE, TEXT-CHANGE, TEXT-CLAIM,
TEXT-YEAR, FEE-NOTICE, GOV-ACCOUNTABILITY.

The statements of each part are read and compared by ``statements`` (a statement is
flagged only when no reading of it fits the tables: a correct statement must never
be flagged); this module turns what does not fit into findings, and keeps the claims
(“未收到申请”, “均获维持”, “未收取信息处理费”), the year check and the other rules.
"""

from __future__ import annotations

import re

from .engine import all_values, as_number, format_number
from .findings import Finding
from .reader import ReadResult
from .statements import compare, narrative_figures, read_statements

GOVERNMENT = "县级以上地方人民政府"

SENTENCE_END = re.compile(r"[。！？；;\n]+")
CLAUSE_SPLIT = re.compile(r"[，,、（）()：:]+")
CLAIM_SPLIT = re.compile(r"[，,（）()：:]+")  # clauses for denials, which may list their topics with 、
#: The figures the claims below speak of.
CLAIM_FIGURES = (
    "new_received",
    "review_total",
    "suit_total",
    "review_corrected",
    "review_pending",
    "suit_corrected",
    "suit_pending",
)
REVIEW_WORDS = ("行政复议", "复议")
SUIT_WORDS = ("行政诉讼", "诉讼", "起诉")


def narrative_parts(result: ReadResult) -> list[tuple[str, str]]:
    form = result.layout.form
    return [
        (c.key, str(result.values.get(c.key) or ""))
        for c in form.cells.values()
        if c.kind == "longtext" and result.values.get(c.key)
    ]


def narrative_rules(result: ReadResult, previous: ReadResult | None = None) -> list[Finding]:
    form = result.layout.form
    full = all_values(form, result.values)
    figures = narrative_figures(form)
    table = {name: _figure_total(figures[name], full) for name in CLAIM_FIGURES if name in figures}
    last_year = _last_year_values(result, previous)
    out: list[Finding] = []
    out += _missing(result)
    parts = [(key, text, read_statements(text)) for key, text in narrative_parts(result)]
    statements = [st for _, _, sts in parts for st in sts]
    found = {id(m.statement): m for m in compare(statements, figures, full, last_year, year=result.year)}
    for key, text, sts in parts:
        out += [_statement_finding(result, key, found[id(st)]) for st in sts if id(st) in found]
        out += _claims(result, key, text, table, full)
        if key != "s5.last_year_fixes":
            out += _years(result, key, text)
    out += _fee_notice(result, full)
    out += _accountability(result)
    return result.trusted(out)  # an unread sheet's values are unknown: no finding may rest on them


def _figure_total(figure, full: dict) -> float | int:
    return sum(_n(full, k) for k in figure.keys)


def _last_year_values(result: ReadResult, previous: ReadResult | None) -> dict | None:
    """Last year's input values, when ``--previous`` gave the workbook of the year before."""
    if previous is None or previous.layout is None or result.year is None or previous.year != result.year - 1:
        return None
    return {k: v for k, v in previous.values.items() if k not in previous.unread_sheets}


def _n(full: dict, key: str) -> float | int:
    v = as_number(full.get(key))
    return 0 if v is None else v


def _missing(result: ReadResult) -> list[Finding]:
    from .drafting import FILLS_EMPTY, draft_texts

    out = []
    for cell in result.layout.form.cells.values():
        if not cell.required or not cell.is_input or cell.is_numeric:
            continue
        if result.values.get(cell.key) in (None, ""):
            if cell.key in FILLS_EMPTY:
                draft = draft_texts(result.layout.form, result.values)["draft." + cell.key]
                out.append(
                    Finding(
                        "TEXT-DRAFTED",
                        f"“{cell.label}”没有填写，报告采用根据表格自动生成的参考表述：“{draft}”",
                        [result.ref(cell.key)],
                        {"part": cell.key, "draft": draft},
                    )
                )
                continue
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


def _statement_finding(result: ReadResult, key: str, m) -> Finding:
    """A statement no reading of which fits the tables: TEXT-NUMBER, TEXT-SHARE, TEXT-CHANGE or TEXT-CLAIM."""
    label = result.layout.form.cells[key].label
    st = m.statement
    values = {"stated": m.stated, "table": m.table, "figure": m.figure, "sentence": st.sentence, "statement": st.text}
    if m.claim:
        values["claim"] = m.claim
    return Finding(
        m.rule,
        f"“{label}”中写道“{st.sentence}”，其中“{st.text}”{m.explanation}请改正文字或表格。",
        [result.ref(key)] + [result.ref(k) for k in m.keys],
        values,
    )


NO_REQUESTS = re.compile(r"(未收到|没有收到|未受理|未接到|无)(任何)?(政府信息公开|依申请公开|信息公开)?(申请|件)")
# 无被纠错 / 未出现被纠错 are statements of 结果纠正 = 0 (``statements``): a case still pending is not corrected.
ALL_UPHELD = re.compile(r"(均获维持|均被维持|全部维持|均予维持)")
NO_CASES = re.compile(r"(未发生|没有发生|未出现|未产生|没有|无)[^，。；]{0,15}?(行政复议|行政诉讼)")
NO_FEES = re.compile(r"(未|没有|不)(收取|收)[^，。；]{0,8}?(信息处理费|费用)")


def _claims(result: ReadResult, key: str, text: str, table: dict, full: dict) -> list[Finding]:
    out: list[Finding] = []
    label = result.layout.form.cells[key].label
    cells = result.layout.form.cells
    collected = _n(full, "s6.fee_collected") if "s6.fee_collected" in cells else 0

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
        denies = "未" in sentence or "无" in sentence or "没有" in sentence  # every denial has one of these
        if denies and table["new_received"] > 0 and ("申请" in sentence or "件" in sentence):
            _no_requests(sentence, table, claim)
        if denies and ("复议" in sentence or "诉讼" in sentence):
            _no_cases(sentence, table, claim)
        if collected > 0 and "费" in sentence:
            _no_fees(sentence, collected, claim)
        if "维持" in sentence:
            _all_upheld(sentence, table, claim)
    return out


def _no_requests(sentence: str, table: dict, claim) -> None:
    for clause in CLAUSE_SPLIT.split(sentence):
        if NO_REQUESTS.search(clause) and "正当理由" not in clause:
            claim(
                sentence,
                f"表三本年新收申请是 {format_number(table['new_received'])} 件",
                ["t3.new_received.total"],
                {"claim": "no_requests", "table": table["new_received"]},
            )


def _no_cases(sentence: str, table: dict, claim) -> None:
    for clause in CLAIM_SPLIT.split(sentence):  # "未发生行政复议、行政诉讼案件" denies both: keep 、 inside
        m = NO_CASES.search(clause)
        if not m or re.search(r"纠错|纠正|败诉|维持", clause):
            continue
        for topic, words, title in (("review", REVIEW_WORDS, "行政复议"), ("suit", SUIT_WORDS, "行政诉讼")):
            if any(w in clause[m.start() :] for w in words) and table[f"{topic}_total"] > 0:
                keys = (
                    ["t4.review.total"] if topic == "review" else ["t4.suit_direct.total", "t4.suit_after_review.total"]
                )
                claim(
                    sentence,
                    f"表四{title}总计是 {format_number(table[f'{topic}_total'])} 件",
                    keys,
                    {"claim": f"no_{topic}", "table": table[f"{topic}_total"]},
                )


def _no_fees(sentence: str, collected, claim) -> None:
    for clause in CLAUSE_SPLIT.split(sentence):
        if NO_FEES.search(clause):
            claim(
                sentence,
                f"六中填写的实际收取信息处理费是 {format_number(collected)} 元",
                ["s6.fee_collected"],
                {"claim": "no_fees", "table": collected},
            )


def _all_upheld(sentence: str, table: dict, claim) -> None:
    if not ALL_UPHELD.search(sentence):
        return
    topic = _topic(sentence, None)
    for t in ["review", "suit"] if topic not in ("review", "suit") else [topic]:
        bad = table[f"{t}_corrected"] + table[f"{t}_pending"]
        if bad > 0:
            title = "行政复议" if t == "review" else "行政诉讼"
            blocks = ["review"] if t == "review" else ["suit_direct", "suit_after_review"]
            corrected, pending = format_number(table[f"{t}_corrected"]), format_number(table[f"{t}_pending"])
            claim(
                sentence,
                f"表四{title}有结果纠正 {corrected} 件、尚未审结 {pending} 件",
                [f"t4.{b}.{c}" for b in blocks for c in ("corrected", "pending")],
                {"claim": f"all_upheld_{t}", "table": bad},
            )


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
