"""The statement reader (``xlrep.checks.statements``): each phrasing real reports use, a correct and a contradicting variant.

The sentences are our own, written in the style of published reports. The tables are
one fixed fill (below); every correct variant must give nothing at all, every
contradicting one exactly the mismatch named, with the stated and the table number.
"""

from __future__ import annotations

import re

import pytest

from xlrep.checks.rules import rule
from xlrep.checks.statements import compare, narrative_figures, read_statements
from xlrep.edition.form import load_form

FORM = load_form("2021")
FIGURES = narrative_figures(FORM)

# 表三: 新收 75 (自然人 72, 商业企业 3), 上年结转 1; 予以公开 32, 部分公开 10, 不予公开 4, 无法提供 16
# (本机关不掌握 15), 不予处理 3, 其他处理 1 → 办结 66; 结转下年度 10.
# 表四: 复议 4 (维持 2, 纠正 1, 尚未审结 1); 诉讼 3 = 直接起诉 2 (维持 1, 尚未审结 1) + 复议后起诉 1 (维持 1).
TABLES = {
    "t3.new_received.natural_person": 72,
    "t3.new_received.commercial": 3,
    "t3.carried_in.natural_person": 1,
    "t3.granted.natural_person": 30,
    "t3.granted.commercial": 2,
    "t3.partly_granted.natural_person": 10,
    "t3.refused_third_party.natural_person": 4,
    "t3.unable_not_held.natural_person": 15,
    "t3.unable_needs_creation.natural_person": 1,
    "t3.not_handled_repeated.natural_person": 3,
    "t3.other_other.natural_person": 1,
    "t3.carried_forward.natural_person": 9,
    "t3.carried_forward.commercial": 1,
    "t4.review.upheld": 2,
    "t4.review.corrected": 1,
    "t4.review.pending": 1,
    "t4.suit_direct.upheld": 1,
    "t4.suit_direct.pending": 1,
    "t4.suit_after_review.upheld": 1,
    "t2.rules.issued": 1,
    "t2.rules.in_force": 11,
    "t2.normative_docs.issued": 8,
    "t2.normative_docs.repealed": 26,
    "t2.normative_docs.in_force": 470,
    "t2.licensing.decisions": 447228,
    "t2.penalty.decisions": 1330,
    "t2.enforcement.decisions": 54,
    "t2.admin_fees.amount": 96171.6,
}
LAST_YEAR = {"t3.new_received.natural_person": 60, "t3.result_total.natural_person": 0}


def values(form=FORM, tables=TABLES) -> dict[str, object]:
    out: dict[str, object] = {c.key: 0 for c in form.inputs if c.is_numeric}
    out.update(tables)
    return out


def last_year() -> dict[str, object]:
    prev = values()
    prev.update({k: 0 for k in prev if k.startswith("t3.new_received.")})
    prev["t3.new_received.natural_person"] = 60  # 75 this year: +25 %
    return prev


def mismatches(text: str, *, previous=None, year=2021, form=FORM, tables=TABLES):
    return compare(read_statements(text), narrative_figures(form), values(form, tables), previous, year=year)


def explanation(m) -> str:
    """What the finding's message says the tables hold instead (the rule words the mismatch)."""
    return rule(m.rule).explain(m)


def one(text: str, rule_id: str = "TEXT-NUMBER", **kw):
    found = mismatches(text, **kw)
    assert len(found) == 1, [(m.rule, m.statement.text, m.figure) for m in found]
    assert found[0].rule == rule_id
    return found[0]


# (phrasing, correct text, contradicting text, stated, table) — table for shares: the share the tables give.
PAIRS = [
    # combined figures: A及B, A和B, A、B共, A与B are the sum
    (
        "A及B",
        "全年办结政府信息公开申请66件，其中予以公开及部分公开42件。",
        "全年办结政府信息公开申请66件，其中予以公开及部分公开40件。",
        40,
        42,
    ),
    ("A和B", "共收到申请75件，予以公开和部分公开42件。", "共收到申请75件，予以公开和部分公开10件。", 10, 42),
    ("A、B共", "共收到申请75件，予以公开、部分公开共42件。", "共收到申请75件，予以公开、部分公开共43件。", 43, 42),
    ("A与B", "收到申请75件，予以公开与部分公开42件。", "收到申请75件，予以公开与部分公开32件。", 32, 42),
    (
        "不予公开、无法提供共",
        "收到申请75件，不予公开、无法提供共20件。",
        "收到申请75件，不予公开、无法提供共21件。",
        21,
        20,
    ),
    # the topic (申请) carried from the sentence before
    (
        "topic carried",
        "本年度共收到政府信息公开申请75件。予以公开及部分公开42件，不予公开4件。",
        "本年度共收到政府信息公开申请75件。予以公开及部分公开258件，不予公开4件。",
        258,
        42,
    ),
    (
        "topic carried over ；",
        "全年办结申请66件，其中：予以公开32件；无法提供16件；不予处理3件。",
        "全年办结申请66件，其中：予以公开32件；无法提供16件；不予处理5件。",
        5,
        3,
    ),
    # 其中 lists
    (
        "其中 list",
        "办结申请66件，其中予以公开32件、部分公开10件、不予公开4件、无法提供16件、不予处理3件、其他处理1件。",
        "办结申请66件，其中予以公开32件、部分公开10件、不予公开4件、无法提供17件、不予处理3件、其他处理1件。",
        17,
        16,
    ),
    # column statements
    (
        "涉及自然人…、商业企业…",
        "全年共收到政府信息公开申请75件，涉及自然人72件、商业企业3件。",
        "全年共收到政府信息公开申请75件，涉及自然人70件、商业企业3件。",
        70,
        72,
    ),
    (
        "其中自然人申请…法人或其他组织申请",
        "收到申请75件，其中自然人申请72件，法人或其他组织申请3件。",
        "收到申请75件，其中自然人申请72件，法人或其他组织申请4件。",
        4,
        3,
    ),
    ("收到自然人申请", "本年度收到自然人申请72件。", "本年度收到自然人申请75件。", 75, 72),
    # 表二 of the edition
    (
        "现行有效行政规范性文件",
        "清理并集中发布现行有效行政规范性文件470件，动态更新本年度制发的规范性文件8件。",
        "清理并集中发布现行有效行政规范性文件393件，动态更新本年度制发的规范性文件8件。",
        393,
        470,
    ),
    ("本年制发规章", "本年制发规章1件，现行有效规章11件。", "本年制发规章2件，现行有效规章11件。", 2, 1),
    ("制发 N 件规范性文件", "本年度制发8件行政规范性文件。", "本年度制发9件行政规范性文件。", 9, 8),
    ("行政许可", "全年公开行政许可447228件。", "全年公开行政许可447282件。", 447282, 447228),
    ("作出行政处罚决定…起", "作出行政处罚决定1330起。", "作出行政处罚决定1303起。", 1303, 1330),
    ("收费金额 万元", "行政事业性收费金额96171.6万元。", "行政事业性收费金额96170万元。", 96170, 96171.6),
    ("收费金额 亿元", "全年行政事业性收费金额9.62亿元。", "全年行政事业性收费金额9.8亿元。", 9.8, 9.61716),
    # 表四
    ("行政复议", "因政府信息公开被申请行政复议4件。", "因政府信息公开被申请行政复议5件。", 5, 4),
    ("行政诉讼 = 直接起诉 + 复议后起诉", "被提起行政诉讼3件。", "被提起行政诉讼2件。", 2, 3),
    (
        "诉讼结果维持（两栏之和）",
        "政府信息公开行政诉讼3件，其中结果维持2件，尚未审结1件。",
        "政府信息公开行政诉讼3件，其中结果维持1件，尚未审结1件。",
        1,
        2,
    ),
    ("直接起诉", "未经复议直接起诉2件，复议后起诉1件。", "未经复议直接起诉3件，复议后起诉1件。", 3, 2),
    (
        "复议 其中 topic carried",
        "行政复议案件4件。其中结果维持2件，结果纠正1件。",
        "行政复议案件4件。其中结果维持2件，结果纠正2件。",
        2,
        1,
    ),
    # other units and small Chinese numerals
    ("份", "本年度共收到政府信息公开申请75份。", "本年度共收到政府信息公开申请7份。", 7, 75),
    ("两起", "因政府信息公开被申请行政复议四起。", "因政府信息公开被申请行政复议两起。", 2, 4),
    ("一件", "收到申请75件，其中其他处理一件。", "收到申请75件，其中其他处理两件。", 2, 1),
    ("条", "共收到政府信息公开申请75条。", "共收到政府信息公开申请57条。", 57, 75),
    # the (七)总计, 结转, 上年结转 phrasings
    (
        "结转下年度",
        "共受理申请75件，办结66件，10件结转下年度继续办理。",
        "共受理申请75件，办结66件，11件结转下年度继续办理。",
        11,
        10,
    ),
    ("上年结转", "本年新收申请75件，上年结转申请1件。", "本年新收申请75件，上年结转申请2件。", 2, 1),
    ("答复（含上年结转）", "答复申请66件（含上年度结转申请1件）。", "答复申请67件（含上年度结转申请1件）。", 67, 66),
]


@pytest.mark.parametrize(("phrasing", "right", "wrong", "stated", "table"), PAIRS, ids=[p[0] for p in PAIRS])
def test_correct_variant_is_not_flagged(phrasing, right, wrong, stated, table):
    assert mismatches(right) == [], phrasing


@pytest.mark.parametrize(("phrasing", "right", "wrong", "stated", "table"), PAIRS, ids=[p[0] for p in PAIRS])
def test_contradicting_variant_is_flagged_with_both_numbers(phrasing, right, wrong, stated, table):
    m = one(wrong)
    assert m.stated == stated and m.table == pytest.approx(table)
    assert m.statement.text in wrong
    if not re.search(r"[一二两三四五六七八九十]", m.statement.text):
        assert str(m.stated) in m.statement.text
    assert m.keys, "the table cells compared with are named"


# -- shares and rates: within the stated precision ---------------------------------------------------
SHARES = [
    # (text, fits)
    ("办结申请66件，其中予以公开及部分公开42件，占63.64%。", True),  # 42/66
    ("办结申请66件，其中予以公开及部分公开42件，占63.6%。", True),
    ("办结申请66件，其中予以公开及部分公开42件，占64%。", True),
    ("办结申请66件，其中予以公开及部分公开42件，占63%。", True),  # cut, not rounded
    ("收到申请75件，其中予以公开及部分公开42件，占56%。", True),  # of 本年新收
    ("办结申请66件，其中予以公开及部分公开42件，占51.85%。", False),
    ("办结申请66件，其中予以公开及部分公开42件，占63.66%。", False),
    ("收到申请75件，同意公开32件，占比48.48%。", True),
    ("收到申请75件，同意公开32件，占比50%。", False),
    ("收到申请75件，予以公开和部分公开占办结总数的63.64%。", True),
    ("收到申请75件，予以公开和部分公开占办结总数的56%。", False),  # 56 % is of 新收, not of 办结
    ("共收到申请75件，均在法定期限内办结，办结率86.84%。", True),  # 66 / (75 + 1)
    ("共收到申请75件，均在法定期限内办结，办结率88%。", True),  # 66 / 75
    ("共收到申请75件，均在法定期限内办结，办结率100%。", False),
    ("共收到申请75件，按时办结率100%。", True),  # 按时办结率: not computable from the tables
    ("收到申请75件，其中自然人72件，占96%。", True),
    ("收到申请75件，其中自然人72件，占90%。", False),
]


@pytest.mark.parametrize(("text", "fits"), SHARES)
def test_shares_and_rates(text, fits):
    found = mismatches(text)
    if fits:
        assert found == [], [(m.statement.text, explanation(m)) for m in found]
    else:
        (m,) = found
        assert m.rule == "TEXT-SHARE"
        assert m.stated == float(re.search(r"([\d.]+)%", m.statement.text).group(1))
        assert "%" in explanation(m) and isinstance(m.table, float)


def test_a_share_reports_the_number_stated_and_the_tables_share():
    m = one("办结申请66件，其中予以公开及部分公开42件，占51.85%。", "TEXT-SHARE")
    assert (m.stated, m.table) == (51.85, 63.64)
    assert "42" in explanation(m) and "66" in explanation(m)


# -- year on year: only with last year's workbook ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("本年度共收到政府信息公开申请75件，同比增长25%。", True),
        ("本年度共收到政府信息公开申请75件，同比增长12.3%。", False),
        ("本年度共收到政府信息公开申请75件，较上年增加15件。", True),
        ("本年度共收到政府信息公开申请75件，较上年增加12件。", False),
        ("本年度共收到政府信息公开申请75件，比上年下降25%。", False),
        ("本年度收到申请数量同比增长25%。", True),
        ("上年收到政府信息公开申请60件。", True),
        ("上年收到政府信息公开申请66件。", False),
        ("2020年共收到政府信息公开申请60件。", True),
    ],
)
def test_year_on_year_against_last_years_workbook(text, fits):
    found = mismatches(text, previous=last_year())
    assert (found == []) == fits, [(m.statement.text, explanation(m)) for m in found]
    if not fits:
        assert found[0].rule == "TEXT-CHANGE"
    assert mismatches(text) == []  # without last year's workbook: never compared


def test_a_change_names_both_years():
    m = one("本年度共收到政府信息公开申请75件，同比增长12.3%。", "TEXT-CHANGE", previous=last_year())
    assert (m.stated, m.table) == (12.3, 25.0)
    assert "60" in explanation(m) and "75" in explanation(m)


# -- what the stated number equals instead ------------------------------------------------------------
def test_new_plus_carried_in_is_explained():
    m = one("本年度共收到政府信息公开申请76件。")
    assert (m.stated, m.table) == (76, 75)
    assert "75" in explanation(m) and "上年结转" in explanation(m) and " 1 件" in explanation(m)
    assert "含上年结转" in explanation(m)
    (hint,) = m.hints
    assert (hint.kind, [v for _, v in hint.parts], hint.advice) == ("sum", [75, 1], "counted_carried_in")


def test_the_natural_person_column_is_explained():
    m = one("本年度共收到政府信息公开申请72件。")
    assert (m.stated, m.table) == (72, 75)
    assert "自然人" in explanation(m)
    assert [(h.kind, h.parts[0][1]) for h in m.hints] == [("natural_person", 72)]


def test_not_held_counted_as_refused_is_explained():
    m = one("收到申请75件，不予公开19件。")  # 4 不予公开 + 15 本机关不掌握
    assert (m.stated, m.table) == (19, 4)
    assert "本机关不掌握相关政府信息" in explanation(m) and "无法提供" in explanation(m)
    (hint,) = m.hints
    assert ([v for _, v in hint.parts], hint.advice) == ([4, 15], "not_held_as_refused")


def test_a_plain_mismatch_has_no_explanation_of_other_readings():
    m = one("收到申请75件，不予公开7件。")
    assert "恰是" not in explanation(m) and m.hints == () and m.others == ()


# -- claims that are statements: 未出现被纠错 -------------------------------------------------------
def test_no_correction_claims():
    assert mismatches("本年度行政诉讼未出现被纠错的情况。") == []
    m = one("本年度行政复议未出现被纠错的情况。", "TEXT-CLAIM")
    assert (m.stated, m.table, m.claim) == (0, 1, "no_correction_review")
    # a pending case is not a corrected one
    tables = dict(TABLES, **{"t4.review.corrected": 0, "t4.review.upheld": 3})
    assert mismatches("本年度行政复议案件无被纠错。", tables=tables) == []


def test_the_topic_of_a_claim_comes_from_the_sentence_before():
    m = one("因政府信息公开被申请行政复议4件。均未出现被纠错。", "TEXT-CLAIM")
    assert m.claim == "no_correction_review"


# -- what must never be compared ---------------------------------------------------------------------
NEVER = [
    "全年审核公文1520件，其中主动公开612件、依申请公开385件、不予公开523件。",  # documents by 公开属性
    "共制作政府信息（文件）888份，其中主动公开489份、依申请公开及不予公开399份。",
    "依申请公开信息1504条。",
    "2021年，我局通过门户网站主动公开政府信息74条，依申请公开信息数22条。",
    "本年度办理人大代表建议25件、政协提案12件，均已公开办理结果。",
    "收到群众来信5件，均已办结。",
    "主动公开政府信息3000余件。",
    "全年受理政府信息公开行政复议申请2件。",  # the unit as the reviewing body
    "收到申请约80件。",
    "全年我局依法办结政府信息公开申请66件，其中网络申请数14件，信函申请数52件。",  # channels: not in the tables
    "共收到公民、法人和其他组织政府信息公开申请75件。",
    "其中，市本级收到申请12件。",
    "政策、规范性文件类信息7条，行政许可类信息8条。",  # 主动公开 items by category
    "先后审核各部门印发的22条规范性文件。",
    "地方性法规、政府规章和规范性文件1条。",
    "关注人数较上年增长18.6%，满意率96.5%，较上年提高5个百分点。",
    "收到信访举报投诉类申请3件。",
    "2019年共收到政府信息公开申请50件。",  # another year
    "累计公开行政规范性文件1200件。",
    "本年度收到依申请公开事项75项，分别为予以公开32件、部分公开10件。",
]


@pytest.mark.parametrize("text", NEVER)
def test_numbers_that_are_not_this_years_table_figures_are_left_alone(text):
    assert mismatches(text, previous=last_year()) == []


# -- the reader itself ------------------------------------------------------------------------------
def test_a_statement_records_figure_column_number_unit_and_place():
    text = "本年度共收到政府信息公开申请75件，涉及自然人72件、商业企业3件。"
    statements = read_statements(text)
    assert [(s.readings, s.column, s.number, s.unit) for s in statements] == [
        ((("new_received",),), (), 75, "件"),
        ((("new_received",),), ("natural_person",), 72, "件"),
        ((("new_received",),), ("commercial",), 3, "件"),
    ]
    for s in statements:
        assert text[s.start : s.end] == s.text


def test_办理_may_mean_the_requests_handled_in_all():
    assert mismatches("全年办理政府信息公开申请76件。") == []  # 75 新收 + 1 上年结转
    assert mismatches("全年办理政府信息公开申请66件。") == []  # （七）总计
    assert one("全年办理政府信息公开申请70件。").table == 66


def test_the_2019_edition_has_its_own_table_two():
    form = load_form("2019")
    tables = {
        "t2.normative_docs.produced": 3,
        "t2.normative_docs.published": 3,
        "t2.normative_docs.public_total": 40,
        "t2.licensing.decisions": 181,
        "t2.procurement.items": 135,
        "t2.procurement.amount": 75394432.52,
        "t2.procurement.amount_unit": "元",
    }
    assert mismatches("本年新制作规范性文件3件，作出行政许可决定181件。", form=form, tables=tables) == []
    assert one("本年新制作规范性文件4件。", form=form, tables=tables).table == 3
    assert mismatches("政府集中采购项目135个，采购总金额7539.44万元。", form=form, tables=tables) == []
    m = one("政府集中采购总金额7000万元。", form=form, tables=tables)
    assert m.table == pytest.approx(7539.443252)
    # 现行有效 is a 2021 column: unclear in a 2019 report, so never compared
    assert mismatches("现行有效规范性文件5件。", form=form, tables=tables) == []


def test_blank_figures_are_not_compared():
    tables = {k: v for k, v in TABLES.items() if not k.startswith("t2.normative_docs")}
    blank = values(FORM, tables)
    for key in [k for k in blank if k.startswith("t2.normative_docs")]:
        blank[key] = None
    statements = read_statements("本年度制发行政规范性文件3件。")
    assert statements and compare(statements, FIGURES, blank, year=2021) == []


# -- correct statements that must not be flagged (false-flag hunt) ------------------------------------
CORRECT_ELSEWHERE = [
    # other bodies: the whole area, its townships or departments, a named office
    "各乡镇共收到政府信息公开申请120件。",
    "全区各部门共收到政府信息公开申请500件。",
    "全市共收到政府信息公开申请900件。",
    "全县各单位合计收到申请300件。",
    "全区乡镇（街道）收到申请40件。",
    "各县区共收到申请500件，市本级收到申请75件。",
    # other periods: part of the year, several years
    "近三年共收到申请200件。",
    "十三五期间共收到申请400件。",
    "一季度收到申请20件。",
    "上半年收到申请40件。",
    "每月收到申请5-8件。",
    "每月收到申请5至8件。",
    "平均每月收到申请6件。",
    "日均办理申请2件。",
    # requests including those carried in, said so
    "全年受理申请76件（含上年结转1件）。",
    "受理申请76件（含上年结转）。",
    "共受理申请76件，含上年结转申请1件。",
    # the number before what it counts
    "全年共收到1件上年结转申请。",
    "本年共收到1件上年度结转的申请。",
    # a change without the year compared, and a time
    "与2020年相比，收到申请增加15件。",
    "答复申请66件，平均答复时间为8个工作日。",
    # 答复率 100 %: every request answered in time, not 办结 ÷ 新收
    "收到申请75件，答复率100%。",
    # what should be handled, a stage of the suits
    "全年应办结申请76件，已办结66件。",
    "行政诉讼案件中，一审判决维持1件。",
    # 办理 N 件 for the requests received this year
    "办理信息公开申请75件，其中自然人72件。",
    "政府信息公开申请办理75件。",
    # other business after a sentence about requests, a subset's results, the unit as the reviewing body
    "本年度共收到政府信息公开申请75件。办理人大代表建议25件，其中予以公开20件。",
    "收到申请75件。其中，关于征收的30件，予以公开25件。",
    "收到申请75件。办结行政复议案件12件。",
    "收到申请75件。本局作为复议机关，办结复议案件12件，其中维持8件。",
    # a figure with something left out
    "收到申请75件，办结66件，办结率为100%（不含结转下年度的申请）。",
    "收到申请70件（不含重复申请5件）。",
]


@pytest.mark.parametrize("text", CORRECT_ELSEWHERE)
def test_correct_statements_about_other_things_are_not_flagged(text):
    assert mismatches(text) == []


def test_counts_of_named_bodies_are_not_flagged():
    """The same figure stated twice in one sentence with different numbers: a breakdown by body, not read."""
    assert mismatches("区政府办公室收到申请30件，区自然资源局收到申请20件。") == []
    # another year's figure in the same sentence is not a breakdown: this year's number is still read
    (found,) = mismatches("本年度收到申请70件，上年收到申请60件。")
    assert (found.stated, found.table) == (70, 75)


def test_a_figure_repeated_with_the_same_number_is_still_read():
    assert mismatches("本年度共收到申请76件，其中新收申请76件。")


# -- second round: 表二 records, other applications, causes of cases, rates of one's own definition ---------
CORRECT_ROUND_TWO = [
    # 表二 rows counted as records published or items of a list, not as decisions
    "双公示信息上报行政许可2000条、行政处罚300条。",
    "公示行政许可2000条、行政处罚300条。",
    "在信用网站公示行政许可2000条。",
    "公开行政处罚300条。",
    "公布权责清单，其中行政许可30项、行政处罚500项、行政强制20项。",
    # applications for something else than information
    "全年共受理行政许可申请2100件，办结2000件。",
    # the cases of one cause
    "被申请行政复议4件，其中因不服不予公开答复申请复议2件。",
    # a rate the writer defines in brackets
    "收到申请75件，已全部办结，办结率100%（含结转下年度按期办理的申请）。",
]


@pytest.mark.parametrize("text", CORRECT_ROUND_TWO)
def test_correct_statements_of_the_second_round_are_not_flagged(text):
    assert mismatches(text) == []


def test_a_table_two_decision_count_is_still_compared():
    assert one("作出行政许可决定2000件。").table == 447228
    assert one("全年公开行政许可447282件。").table == 447228


def test_all_upheld_or_pending_is_not_a_claim_of_no_pending_case():
    """均获维持或尚在办理 claims only that no case was corrected, and only for the cases its clause names."""
    from xlrep.checks.narrative import claims

    found = [(c.claim, c.figures) for c in claims("本年度未发生行政诉讼，行政复议4件均获维持或尚在办理。")]
    assert found == [("no_suit", ("suit_total",)), ("no_correction_review", ("review_corrected",))]
    found = [(c.claim, c.figures) for c in claims("被申请行政复议2件、行政诉讼1件，均获维持。")]
    assert found == [
        ("all_upheld_review", ("review_corrected", "review_pending")),
        ("all_upheld_suit", ("suit_corrected", "suit_pending")),
    ]
    found = [c.claim for c in claims("行政诉讼1件，行政复议4件均获维持。")]
    assert found == ["all_upheld_review"]


def test_the_whole_area_is_a_governments_own_and_nobody_elses():
    """全市共收到申请 N 件: a city government's report counts the whole city (compared); a department's does not."""
    statements = read_statements("全市共收到政府信息公开申请76件。")
    figures, tables = narrative_figures(FORM), values(FORM, TABLES)
    assert compare(statements, figures, tables, year=2021) == []
    (found,) = compare(statements, figures, tables, year=2021, region_is_ours=True)
    assert (found.stated, found.table) == (76, 75)


def test_pending_cases_are_read_although_the_unit_reviews_nothing():
    """尚未审结 N 件 is 表四's pending column, not the unit acting as a reviewing body (审结)."""
    (found,) = mismatches("政府信息公开行政复议4件，其中结果维持2件，尚未审结9件。")
    assert found.stated == 9 and found.figure.endswith("pending")


# -- third round (whole reports): the whole area's change, a sector of the whole area --------------------
def test_the_whole_areas_change_is_not_a_departments_own():
    """全市共收到申请 900 件，同比增长 20%: a department's report speaks of the city; the change is the city's too."""
    text = "全市共收到政府信息公开申请900件，同比增长20%，较上年增加150件。全市收到申请同比增长20%。"
    assert mismatches(text, previous=last_year()) == []
    # a government's report: the city is its own, and the change is compared (75 against 60: +25 %)
    found = compare(
        read_statements("全市共收到政府信息公开申请75件，同比增长20%。"),
        FIGURES,
        values(),
        last_year(),
        year=2021,
        region_is_ours=True,
    )
    assert [(m.rule, m.stated) for m in found] == [("TEXT-CHANGE", 20)]


def test_a_sector_of_the_whole_area_is_not_the_governments_own():
    """全市自然资源系统共收到申请 185 件 counts one sector of the city, not the city government's report."""
    statements = read_statements("全市自然资源系统共收到申请185件。全县教育系统办结申请40件。")
    assert compare(statements, FIGURES, values(), year=2021, region_is_ours=True) == []


@pytest.mark.parametrize(
    "text",
    [
        "各乡镇共收到申请120件，办结110件。",
        "市本级收到申请120件，办结110件，其中予以公开50件。",
        "全市自然资源系统共收到申请185件，办结180件，其中予以公开50件。",
    ],
)
def test_the_rest_of_a_sentence_about_other_bodies_is_theirs_too(text):
    assert compare(read_statements(text), FIGURES, values(), year=2021, region_is_ours=True) == []
    assert mismatches(text) == []


def test_the_rest_of_a_sentence_about_the_whole_area_is_the_areas():
    text = "全市共收到申请900件，办结880件，其中予以公开300件，占34.09%。"
    assert mismatches(text) == []
    found = compare(read_statements(text), FIGURES, values(), year=2021, region_is_ours=True)
    assert [m.stated for m in found] == [900, 880, 300, 34.09]


# -- sixth round: shares of cases, requests handled for a higher body, villages -----------------------------
@pytest.mark.parametrize(
    "text",
    [
        "复议4件，维持2件，占50%。",
        "收到上级交办申请5件，代为答复3件。",
        "协助区政府办理申请12件。",
        "代区政府答复申请6件。",
        "县政府办公室转办申请4件，本单位办结4件。",
        "全镇各村收到申请10件。",
        "配合上级部门制发规范性文件3件。",
        "受上级委托作出行政许可决定100件。",
        "本局负责办理的市长信箱转交申请10件。",
    ],
)
def test_correct_statements_of_the_sixth_round_are_not_flagged(text):
    assert mismatches(text) == []


def test_the_sixth_round_still_flags_the_units_own_figures():
    assert one("被申请行政复议5件，其中结果维持2件。").table == 4
    assert one("本镇收到申请两件，均予以公开。").table == 75
    assert one("收到申请75件，予以公开和部分公开占办结总数的56%。", "TEXT-SHARE").table == 63.64
    assert one("收到上级交办申请5件。本年度收到申请76件。").table == 75


def test_another_periods_change_is_not_the_years():
    assert mismatches("第一季度收到申请同比增长50%。", previous=last_year()) == []
    assert one("收到申请同比增长50%。", "TEXT-CHANGE", previous=last_year()).table == 25


# -- seventh round (other provinces): next-year carries, slogans, 收办/受理, changes of every reading ------------
@pytest.mark.parametrize(
    "text",
    [
        "共收到申请75件，办结66件，转下年度办理10件。",
        "办结66件，转入下年度10件。",
        "办结66件，结转下一年度10件。",
        "办结66件，转至下一年度继续办理10件。",
        "共收到申请75件，转接下年度办理10件。",
        "努力做到“办结一件申请、解决一个问题”。",
        "坚持办结一件申请、解决一个问题。",
        "共收办申请76件。",
        "共受理申请76件。",
        "共受理申请75件。",
        "办理行政复议案件备案2件。",
        "全年行政诉讼应诉案件7件，负责人出庭应诉2件。",
    ],
)
def test_correct_statements_of_the_seventh_round_are_not_flagged(text):
    assert mismatches(text) == []


def test_the_seventh_round_still_flags_wrong_figures():
    assert one("共收到申请75件，办结66件，转下年度办理9件。").figure == "carried_forward"
    assert one("办结申请66件，结转下一年度9件。").table == 10
    assert one("本年度收到一件申请，予以公开32件。").table == 75  # a count of one is still a count
    assert one("共收办申请80件。").stated == 80


def _years(now_new, now_carried, last_new, last_carried):
    this, last = values(), values()
    for data in (this, last):
        data.update({k: 0 for k in data if k.startswith("t3.")})
    this.update({"t3.new_received.natural_person": now_new, "t3.carried_in.natural_person": now_carried})
    last.update({"t3.new_received.natural_person": last_new, "t3.carried_in.natural_person": last_carried})
    return this, last


def test_a_change_fits_if_any_reading_of_both_years_fits():
    """共收办申请3646件，同比增长1.05%: 新收+结转 gives +1.08 %, 新收 alone (3561 against 3524) +1.05 %."""
    this, last = _years(3561, 85, 3524, 83)
    figures = narrative_figures(FORM)

    def found(text):
        return compare(read_statements(text), figures, this, last, year=2021)

    assert found("共收办申请3646件，同比增长1.05%。") == []
    assert found("共收办申请3646件，同比增长1.08%。") == []
    (wrong,) = found("共收办申请3646件，同比增长1.5%。")
    assert (wrong.rule, wrong.stated) == ("TEXT-CHANGE", 1.5)


# -- openings, round four: one channel's requests, the requests answered on one ground ---------------------------
@pytest.mark.parametrize(
    "text",
    [
        "拓宽依申请公开渠道，通过政务公开专区接收政府信息公开申请12件。",
        "通过网上申请平台收到申请12件。",
        "通过邮寄方式答复申请3件。",
        "全年办理政府信息依申请公开66条，本机关不掌握政府信息答复4条。",
        "收到申请75件，予以公开答复5件。",
        "收到申请75件，以信息不存在答复2件。",
    ],
)
def test_correct_statements_of_the_fourth_openings_round_are_not_flagged(text):
    assert mismatches(text) == []


def test_the_fourth_openings_round_still_flags_the_units_own_figures():
    assert one("通过网络、信函等方式共收到申请70件。").table == 75  # every channel: all of them
    assert one("通过网络和信函收到申请70件。").table == 75
    assert one("全年办理政府信息依申请公开60条，本机关不掌握政府信息答复4条。").table == 66
    assert one("收到申请70件，均已答复。").table == 75
