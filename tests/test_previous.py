"""Across years: `xlrep ingest --previous` (PREV-*) and `xlrep template --from`.

Last year's workbook is built from ``clean_values``; this year's is built to be
consistent with it (上年结转 = last year's 结转下年度 per column, 现行有效件数 carried
on, other figures and other words), then single things are planted into it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from filling import clean_values

from xlrep.auditing.ingest import audit
from xlrep.checks.previous import TEXT_COPY_RATIO, comparable_figures, text_similarity
from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.workbook.reader import read_workbook
from xlrep.writer.template import build_template

LAVENDER = "FFE4DFEC"
COLUMNS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")

# This year's words: nothing like clean_values' narrative, and no numbers or years to contradict.
OTHER_NARRATIVE = {
    "s1.proactive": "本机关围绕优化营商环境，集中公开惠企政策清单和办事指南，政策解读采用图解和视频等形式，便于群众理解。",
    "s1.on_request": "依申请公开工作规范有序，申请登记、审核、答复各环节全程留痕，答复文书统一格式并载明救济途径。",
    "s1.management": "开展历史文件集中清理，建立政府信息公开目录动态更新机制，明确专人负责日常维护和保密审查。",
    "s1.platforms": "完成门户网站集约化迁移，新增政策文件库检索功能，政务微信公众号开设公开专栏并每周更新。",
    "s1.oversight": "组织全体工作人员参加条例专题培训，邀请群众代表开展满意度测评，发现问题立查立改、限期销号。",
    "s5.problems": "部分科室对主动公开范围把握不准，公开时效有待加强，网站个别栏目更新频率不均衡，互动回应不够及时。",
    "s5.measures": "制定主动公开清单并按季度督查，建立栏目责任人制度，对更新滞后的栏目进行通报，限期整改到位。",
}


def write(path: Path, edition: str, year: int, values: dict) -> Path:
    path.write_bytes(build_template(year, load_form(edition), values=values))
    return path


def this_year(last: dict, edition: str, year: int, seed: int = 7, last_edition: str | None = None) -> dict:
    """A complete fill for ``year`` consistent with last year's ``last`` (no PREV-* expected)."""
    last_edition = last_edition or edition
    form = load_form(edition)
    values = clean_values(edition, year, seed)
    grid = form.grids("t3")[0]
    results = [r for r in grid.rows if r.result]
    for column in grid.columns:
        if column.sum_of:
            continue
        carried_in = last[f"t3.carried_forward.{column.key}"]
        values[f"t3.carried_in.{column.key}"] = carried_in
        done = sum(values[grid.cell_key(r, column)] for r in results)
        if done < carried_in:  # everything carried in was finished this year (no T3-CARRYOVER-OPEN)
            values[f"t3.granted.{column.key}"] += carried_in - done
            done = carried_in
        values[f"t3.new_received.{column.key}"] = done + values[f"t3.carried_forward.{column.key}"] - carried_in
    if edition == "2021":
        values.update(
            {
                "t2.rules.issued": 2,
                "t2.rules.repealed": 1,
                "t2.normative_docs.issued": 4,
                "t2.normative_docs.repealed": 3,
            }
        )
        if last_edition == "2021":
            for row in ("rules", "normative_docs"):
                values[f"t2.{row}.in_force"] = (
                    last[f"t2.{row}.in_force"] + values[f"t2.{row}.issued"] - values[f"t2.{row}.repealed"]
                )
        unpaid = sum(values[f"t3.other_fee_unpaid.{c}"] for c in COLUMNS)
        values["s6.fee_notices"] = unpaid
    values.update(OTHER_NARRATIVE)
    return values


def set_carried_in(values: dict, edition: str, column: str, carried_in: int) -> None:
    """Change one column's 上年结转 and keep that column's own identity (only the link to last year breaks)."""
    grid = load_form(edition).grids("t3")[0]
    values[f"t3.carried_in.{column}"] = carried_in
    done = sum(
        values[grid.cell_key(r, next(c for c in grid.columns if c.key == column))] for r in grid.rows if r.result
    )
    if done < carried_in:
        values[f"t3.granted.{column}"] += carried_in - done
        done = carried_in
    values[f"t3.new_received.{column}"] = done + values[f"t3.carried_forward.{column}"] - carried_in


def prev_rules(findings) -> list:
    return [f for f in findings if f.rule.startswith("PREV-")]


def check_pair(tmp_path: Path, last: tuple[str, int, dict], now: tuple[str, int, dict]):
    """Audit this year's workbook against last year's; returns the PREV-* findings."""
    last_path = write(tmp_path / "last.xlsx", *last)
    now_path = write(tmp_path / "now.xlsx", *now)
    return prev_rules(audit(now_path, previous=read_workbook(last_path)).findings)


@pytest.fixture
def pair_2021():
    last = clean_values("2021", 2021, seed=3)
    last["t3.carried_forward.natural_person"] = 4
    last["t3.new_received.natural_person"] += 4
    last["t3.carried_forward.research"] = 2
    last["t3.new_received.research"] += 2
    return last, this_year(last, "2021", 2022)


# -- a consistent pair -------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "years"), [("2021", (2021, 2022)), ("2019", (2019, 2020))])
def test_a_consistent_pair_has_no_prev_findings_and_no_errors(tmp_path, edition, years):
    last = clean_values(edition, years[0], seed=3)
    now = this_year(last, edition, years[1])
    last_path = write(tmp_path / "last.xlsx", edition, years[0], last)
    now_path = write(tmp_path / "now.xlsx", edition, years[1], now)
    result = audit(now_path, previous=read_workbook(last_path))
    assert prev_rules(result.findings) == []
    assert result.summary["errors"] == 0
    # ... and the same workbook against a different last year does get flagged (the rules are live)
    assert {f.rule for f in prev_rules(audit(now_path, previous=read_workbook(now_path)).findings)} >= {
        "PREV-SAME-DATA"
    }


# -- PREV-CARRY --------------------------------------------------------------------------


def test_prev_carry_names_the_column_whose_carried_in_differs(tmp_path, pair_2021, where):
    last, now = pair_2021
    set_carried_in(now, "2021", "commercial", last["t3.carried_forward.commercial"] + 3)
    findings = [f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-CARRY"]
    cells = {(c.sheet, c.cell) for f in findings for c in f.cells}
    assert where("t3.carried_in.commercial") in cells
    for column in COLUMNS:  # no other input column is named
        if column != "commercial":
            assert where(f"t3.carried_in.{column}") not in cells
    (commercial,) = findings  # one row, one finding: the column and the row's total (a sum) differ
    assert commercial.severity == "warning"
    assert commercial.values["columns"] == [
        {
            "column": "商业企业",
            "this_year": last["t3.carried_forward.commercial"] + 3,
            "last_year": last["t3.carried_forward.commercial"],
        },
        {
            "column": "总计",
            "this_year": sum(last[f"t3.carried_forward.{c}"] for c in COLUMNS) + 3,
            "last_year": sum(last[f"t3.carried_forward.{c}"] for c in COLUMNS),
        },
    ]
    assert "商业企业" in commercial.message


def test_prev_carry_names_every_differing_column_of_the_row_in_one_finding(tmp_path, pair_2021, where):
    last, now = pair_2021
    set_carried_in(now, "2021", "natural_person", 0)  # last year carried 4 forward
    set_carried_in(now, "2021", "research", 5)  # last year carried 2 forward
    findings = [f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-CARRY"]
    (finding,) = findings  # one row of 表三: one finding, however many columns differ
    assert [(c.sheet, c.cell) for c in finding.cells] == [
        where("t3.carried_in.natural_person"),
        where("t3.carried_in.research"),
        where("t3.carried_in.total"),
    ]
    total = sum(last[f"t3.carried_forward.{c}"] for c in COLUMNS)
    assert finding.values["columns"] == [
        {"column": "自然人", "this_year": 0, "last_year": 4},
        {"column": "科研机构", "this_year": 5, "last_year": 2},
        {"column": "总计", "this_year": total - 1, "last_year": total},
    ]
    assert "3 列" in finding.message
    assert "“自然人”本年 0、上年 4" in finding.message and "“科研机构”本年 5、上年 2" in finding.message


# -- PREV-IN-FORCE -----------------------------------------------------------------------


def test_prev_in_force_reports_the_expected_count(tmp_path, pair_2021, where):
    last, now = pair_2021
    now["t2.normative_docs.in_force"] = last["t2.normative_docs.in_force"]  # forgot this year's 4 issued, 3 repealed
    findings = [f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-IN-FORCE"]
    assert len(findings) == 1
    f = findings[0]
    assert f.values == {"this_year": 20, "expected": 20 + 4 - 3, "last_year_in_force": 20}
    assert (f.cells[0].sheet, f.cells[0].cell) == where("t2.normative_docs.in_force")
    assert "行政规范性文件" in f.message and "21" in f.message


def test_prev_in_force_for_rules(tmp_path, pair_2021, where):
    last, now = pair_2021
    now["t2.rules.in_force"] = 9  # 5 + 2 - 1 = 6 expected
    findings = [f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-IN-FORCE"]
    assert [(f.values["this_year"], f.values["expected"]) for f in findings] == [(9, 6)]
    assert (findings[0].cells[0].sheet, findings[0].cells[0].cell) == where("t2.rules.in_force")


# -- PREV-SAME-DATA ----------------------------------------------------------------------


def test_prev_same_data_when_every_table_value_equals_last_years(tmp_path):
    last = clean_values("2021", 2021, seed=3)
    now = dict(last)
    now.update(OTHER_NARRATIVE)  # new words, old numbers
    findings = check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now))
    same = [f for f in findings if f.rule == "PREV-SAME-DATA"]
    assert len(same) == 1 and same[0].severity == "warning"
    assert same[0].values["compared"] > 100
    assert "PREV-TEXT-COPY" not in {f.rule for f in findings}


def test_prev_same_data_not_when_one_figure_differs(tmp_path):
    last = clean_values("2021", 2021, seed=3)
    now = dict(last)
    now.update(OTHER_NARRATIVE)
    now["t4.suit_after_review.pending"] = last["t4.suit_after_review.pending"] + 1
    assert "PREV-SAME-DATA" not in {f.rule for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now))}


def test_prev_same_data_not_when_everything_is_zero(tmp_path):
    form = load_form("2021")
    zeros = {c.key: 0 for c in form.inputs if c.is_numeric}
    last = {**clean_values("2021", 2021, seed=3), **zeros}
    now = {**last, **OTHER_NARRATIVE}
    assert "PREV-SAME-DATA" not in {f.rule for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now))}


# -- PREV-TEXT-COPY ----------------------------------------------------------------------


def _distinct(start: int, n: int) -> str:
    return "".join(chr(start + i) for i in range(n))


def test_text_similarity_threshold_is_inclusive_at_80_percent():
    prev = _distinct(0x4E00, 50)
    assert text_similarity(prev[:40] + _distinct(0x6000, 10), prev) == pytest.approx(0.8)
    assert text_similarity(prev[:39] + _distinct(0x6000, 11), prev) < TEXT_COPY_RATIO


@pytest.mark.parametrize(("same", "fires"), [(40, True), (45, True), (39, False), (10, False)])
def test_prev_text_copy_at_and_below_80_percent(tmp_path, pair_2021, same, fires, where):
    last, now = pair_2021
    prev_text = _distinct(0x4E00, 50)
    last["s5.problems"] = prev_text
    now["s5.problems"] = prev_text[:same] + _distinct(0x6000, 50 - same)
    findings = [
        f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-TEXT-COPY"
    ]
    assert bool(findings) is fires
    if fires:
        assert len(findings) == 1
        assert (findings[0].cells[0].sheet, findings[0].cells[0].cell) == where("s5.problems")
        assert findings[0].values["part"] == "s5.problems"
        assert findings[0].values["similarity"] >= 0.8


def test_prev_text_copy_for_every_copied_part_and_not_for_different_text(tmp_path, pair_2021):
    last, now = pair_2021
    now["s1.management"] = last["s1.management"]
    now["s5.measures"] = last["s5.measures"]
    findings = [
        f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-TEXT-COPY"
    ]
    assert sorted(f.values["part"] for f in findings) == ["s1.management", "s5.measures"]
    assert all(f.values["similarity"] == 1.0 for f in findings)


def test_a_changed_year_alone_is_still_a_copy(tmp_path, pair_2021):
    last, now = pair_2021
    last["s1.proactive"] = (
        "2021年，本机关围绕中心工作，及时公开政策文件、财政预决算和重大项目信息，全年主动公开信息一千余条。"
    )
    now["s1.proactive"] = last["s1.proactive"].replace("2021", "2022")
    assert text_similarity(now["s1.proactive"], last["s1.proactive"]) == 1.0
    findings = [
        f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-TEXT-COPY"
    ]
    assert [f.values["part"] for f in findings] == ["s1.proactive"]


def test_prev_text_copy_covers_section_six(tmp_path, pair_2021):
    last, now = pair_2021
    text = "认真落实年度政务公开工作要点，围绕重点领域信息公开逐项细化任务分工，按月调度推进，全部任务按期完成。"
    last["s6.work_points"] = text
    now["s6.work_points"] = text
    findings = [
        f for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) if f.rule == "PREV-TEXT-COPY"
    ]
    assert [f.values["part"] for f in findings] == ["s6.work_points"]


# -- across the edition change: 2020 (2019 edition) -> 2021 (2021 edition) ----------------


@pytest.fixture
def last_2020():
    last = clean_values("2019", 2020, seed=5)
    for column in COLUMNS:
        last[f"t3.carried_forward.{column}"] += 1
        last[f"t3.new_received.{column}"] += 1
    last["t3.other_handling.natural_person"] = 6
    last["t3.other_handling.commercial"] = 2
    last["t3.new_received.natural_person"] += 6
    last["t3.new_received.commercial"] += 2
    last.update(
        {
            "t2.normative_docs.public_total": 80,
            "t2.rules.public_total": 7,
            "t2.licensing.decisions": 30,
            "t2.penalty.decisions": 4,
            "t2.other_services.decisions": 12,
        }
    )
    return last


def test_edition_change_consistent_pair_has_no_prev_findings(tmp_path, last_2020):
    now = this_year(last_2020, "2021", 2021, last_edition="2019")
    assert check_pair(tmp_path, ("2019", 2020, last_2020), ("2021", 2021, now)) == []


def test_edition_change_prev_carry_works(tmp_path, last_2020, where):
    now = this_year(last_2020, "2021", 2021, last_edition="2019")
    set_carried_in(now, "2021", "legal_service", now["t3.carried_in.legal_service"] + 2)
    findings = [
        f for f in check_pair(tmp_path, ("2019", 2020, last_2020), ("2021", 2021, now)) if f.rule == "PREV-CARRY"
    ]
    (finding,) = findings
    assert [(c.sheet, c.cell) for c in finding.cells] == [
        where("t3.carried_in.legal_service"),
        where("t3.carried_in.total"),
    ]
    last_total = sum(last_2020[f"t3.carried_forward.{c}"] for c in COLUMNS)
    assert finding.values == {
        "columns": [
            {
                "column": "法律服务机构",
                "this_year": last_2020["t3.carried_forward.legal_service"] + 2,
                "last_year": last_2020["t3.carried_forward.legal_service"],
            },
            {"column": "总计", "this_year": last_total + 2, "last_year": last_total},
        ],
        "previous_file": str(tmp_path / "last.xlsx"),
    }


def _same_figures_2021(last: dict, split: tuple[int, int, int]) -> dict:
    """2021 values with every 三/四/处理决定 figure of the 2019 ``last``; （六） of 自然人 split over three rows."""
    form = load_form("2021")
    now = clean_values("2021", 2021, seed=11)
    for key in list(now):
        if key.startswith(("t3.", "t4.")) and key in last:
            now[key] = last[key]
    for row in ("other_no_correction", "other_fee_unpaid", "other_other"):
        for column in COLUMNS:
            now[f"t3.{row}.{column}"] = 0
    for column in COLUMNS:
        now[f"t3.other_other.{column}"] = last[f"t3.other_handling.{column}"]
    a, b, c = split
    (
        now["t3.other_no_correction.natural_person"],
        now["t3.other_fee_unpaid.natural_person"],
        now["t3.other_other.natural_person"],
    ) = a, b, c
    for key in ("t2.licensing.decisions", "t2.penalty.decisions", "t2.enforcement.decisions"):
        now[key] = last[key]
    now["s6.fee_notices"] = b
    now.update(OTHER_NARRATIVE)
    assert set(now) <= set(form.cells)
    return now


def test_edition_change_same_data_sums_the_three_2021_rows(tmp_path, last_2020):
    now = _same_figures_2021(last_2020, (1, 2, 3))  # 1 + 2 + 3 = the 2019 single row's 6
    last_path = write(tmp_path / "last.xlsx", "2019", 2020, last_2020)
    now_path = write(tmp_path / "now.xlsx", "2021", 2021, now)
    last_read, now_read = read_workbook(last_path), read_workbook(now_path)
    assert comparable_figures(now_read)["t3.other_handling.natural_person"] == 6
    assert comparable_figures(last_read)["t3.other_handling.natural_person"] == 6
    findings = prev_rules(audit(now_path, previous=last_read).findings)
    assert [f.rule for f in findings].count("PREV-SAME-DATA") == 1


def test_edition_change_different_sum_of_six_is_not_same_data(tmp_path, last_2020):
    now = _same_figures_2021(last_2020, (1, 2, 4))  # 7 ≠ 6
    now["t3.new_received.natural_person"] += 1
    assert "PREV-SAME-DATA" not in {
        f.rule for f in check_pair(tmp_path, ("2019", 2020, last_2020), ("2021", 2021, now))
    }


def test_edition_change_does_not_apply_prev_in_force(tmp_path, last_2020):
    now = this_year(last_2020, "2021", 2021, last_edition="2019")
    now["t2.rules.in_force"] = 999  # nothing to compare it with: 对外公开总数量 is another concept
    now["t2.normative_docs.in_force"] = 3
    assert "PREV-IN-FORCE" not in {f.rule for f in check_pair(tmp_path, ("2019", 2020, last_2020), ("2021", 2021, now))}


# -- template --from -----------------------------------------------------------------------


def _cell(wb, key: str, edition: str, where):
    sheet, a1 = where(key, edition)
    return wb[sheet][a1]


def _assert_prefilled(xl, value):
    assert xl.value == value
    assert xl.fill.fgColor.rgb == LAVENDER
    assert xl.comment is not None and xl.comment.text.strip()
    assert xl.protection.locked is False


def test_template_from_2021_carries_contacts_carried_in_and_in_force_reference(run, tmp_path, pair_2021, where):
    last, _ = pair_2021
    last_path = write(tmp_path / "上年.xlsx", "2021", 2021, last)
    code, _, err = run("template", "2022", "--from", last_path, "-o", "新.xlsx")
    assert code == 0, err
    assert "注意" not in err and "预填" in err
    wb = openpyxl.load_workbook(tmp_path / "新.xlsx")
    for key in (
        "info.org_name",
        "info.org_type",
        "info.address",
        "info.postcode",
        "info.phone",
        "info.email",
        "info.download_url",
    ):
        _assert_prefilled(_cell(wb, key, "2021", where), last[key])
    for column in COLUMNS:
        xl = _cell(wb, f"t3.carried_in.{column}", "2021", where)
        _assert_prefilled(xl, last[f"t3.carried_forward.{column}"])
        assert "结转下年度" in xl.comment.text
    assert str(_cell(wb, "t3.carried_in.total", "2021", where).value).startswith("=")  # the total stays a formula
    for key in ("t3.new_received.natural_person", "t2.rules.in_force", "s1.proactive"):  # nothing else is filled
        assert _cell(wb, key, "2021", where).value is None
        assert _cell(wb, key, "2021", where).fill.fgColor.rgb != LAVENDER
    # last year's 现行有效件数 beside the table, for reference
    sheet, a1 = where("t2.rules.in_force")
    ws = wb[sheet]
    headers = [xl for row in ws.iter_rows() for xl in row if isinstance(xl.value, str) and "（参考）" in xl.value]
    assert [h.value for h in headers] == ["上年现行有效件数（参考）"]
    col = headers[0].column
    assert col > ws[a1].column
    for row in ("rules", "normative_docs"):
        _, a1 = where(f"t2.{row}.in_force")
        assert ws.cell(ws[a1].row, col).value == last[f"t2.{row}.in_force"]
        assert ws.cell(ws[a1].row, col).protection.locked is not False
    assert ws.protection.sheet


def test_template_from_2019_carries_prev_items(run, tmp_path, where):
    last = clean_values("2019", 2019, seed=4)
    last.update(
        {
            "t2.licensing.prev_items": 10,
            "t2.licensing.change": -2,
            "t2.penalty.prev_items": 3,
            "t2.penalty.change": 4,
            "t2.admin_fees.prev_items": 6,
            "t2.admin_fees.change": 0,
        }
    )
    last_path = write(tmp_path / "上年.xlsx", "2019", 2019, last)
    code, _, err = run("template", "2020", "--from", last_path, "-o", "新.xlsx")
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "新.xlsx")
    expected = {"licensing": 8, "penalty": 7, "admin_fees": 6, "other_services": 0, "enforcement": 0}
    for row, value in expected.items():
        _assert_prefilled(_cell(wb, f"t2.{row}.prev_items", "2019", where), value)
        assert _cell(wb, f"t2.{row}.change", "2019", where).value is None
    for column in COLUMNS:
        _assert_prefilled(_cell(wb, f"t3.carried_in.{column}", "2019", where), last[f"t3.carried_forward.{column}"])
    _assert_prefilled(_cell(wb, "info.org_name", "2019", where), last["info.org_name"])


def test_template_from_across_the_edition_change(run, tmp_path, last_2020, where):
    last_path = write(tmp_path / "2020.xlsx", "2019", 2020, last_2020)
    code, _, err = run("template", "2021", "--from", last_path, "-o", "2021.xlsx")
    assert code == 0, err
    assert "注意" not in err
    wb = openpyxl.load_workbook(tmp_path / "2021.xlsx")
    assert {p.name: p.value for p in wb.custom_doc_props.props}["xlrep.edition"] == "2021"
    for column in COLUMNS:
        _assert_prefilled(
            _cell(wb, f"t3.carried_in.{column}", "2021", where), last_2020[f"t3.carried_forward.{column}"]
        )
    _assert_prefilled(_cell(wb, "info.org_type", "2021", where), last_2020["info.org_type"])
    # 对外公开总数量 is not 现行有效件数: nothing carried or shown for it
    assert _cell(wb, "t2.rules.in_force", "2021", where).value is None
    texts = [xl.value for ws in wb.worksheets for row in ws.iter_rows() for xl in row if isinstance(xl.value, str)]
    assert not any("（参考）" in t for t in texts)


def test_template_from_with_org_overrides_the_carried_name(run, tmp_path, pair_2021, where):
    last, _ = pair_2021
    last_path = write(tmp_path / "上年.xlsx", "2021", 2021, last)
    code, _, err = run(
        "template", "2022", "--from", last_path, "--org", "某某县数据局", "--org-type", "其他", "-o", "新.xlsx"
    )
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "新.xlsx")
    assert _cell(wb, "info.org_name", "2021", where).value == "某某县数据局"
    assert _cell(wb, "info.org_type", "2021", where).value == "其他"
    assert _cell(wb, "info.phone", "2021", where).value == last["info.phone"]


def _fill_rest(path: Path, values: dict, skip_prefix=("t3.carried_in.", "info.")) -> None:
    layout = build_layout(load_form("2021"))
    wb = openpyxl.load_workbook(path)
    for key, value in values.items():
        if key.startswith(skip_prefix) or key == "info.report_year":
            continue
        sheet, row, col = layout.addresses[key]
        wb[sheet][cell_ref(row, col)].value = value
    wb.save(path)


def _ingest_json(run, path: Path, last_path: Path):
    code, out, err = run("ingest", path, "--previous", last_path, "--json")
    return code, json.loads(out), err


def test_template_from_then_ingest_previous_has_no_prev_carry(run, tmp_path, pair_2021, where):
    last, now = pair_2021
    last_path = write(tmp_path / "上年.xlsx", "2021", 2021, last)
    new = tmp_path / "新.xlsx"
    assert run("template", "2022", "--from", last_path, "-o", new)[0] == 0
    _fill_rest(new, now)
    code, data, err = _ingest_json(run, new, last_path)
    rules = [f["rule"] for f in data["findings"]]
    assert not [r for r in rules if r.startswith("PREV-")], rules
    assert code == 0 and data["summary"]["errors"] == 0, rules
    # the check is live: a carried-in figure changed by hand afterwards is flagged
    wb = openpyxl.load_workbook(new)
    sheet, a1 = where("t3.carried_in.public_interest")
    wb[sheet][a1].value = last["t3.carried_forward.public_interest"] + 1
    wb.save(new)
    _, data, _ = _ingest_json(run, new, last_path)
    carry = [f for f in data["findings"] if f["rule"] == "PREV-CARRY"]
    named = {(c["sheet"], c["cell"]) for f in carry for c in f["cells"]}
    assert (sheet, a1) in named
    assert where("t3.carried_in.natural_person") not in named


def test_template_from_a_workbook_of_the_wrong_year_prints_a_notice(run, tmp_path, pair_2021):
    last, _ = pair_2021
    last_path = write(tmp_path / "前年.xlsx", "2021", 2021, last)
    code, _, err = run("template", "2023", "--from", last_path, "-o", "新.xlsx")
    assert code == 0
    assert "注意" in err and "2021 年度" in err and "2022 年度" in err
    assert (tmp_path / "新.xlsx").exists()


def test_template_from_an_unreadable_file_exits_2_in_chinese(run, tmp_path):
    bad = tmp_path / "上年.xlsx"
    bad.write_bytes(os.urandom(2048))
    code, out, err = run("template", "2022", "--from", bad, "-o", "新.xlsx")
    assert code == 2
    assert err.startswith("错误：") and "上年.xlsx" in err
    assert not (tmp_path / "新.xlsx").exists()


def test_template_from_a_workbook_not_made_by_xlrep_exits_2(run, tmp_path):
    other = tmp_path / "自制.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "收到申请"
    wb.save(other)
    code, _, err = run("template", "2022", "--from", other, "-o", "新.xlsx")
    assert code == 2 and "不是 xlrep 生成的填报表" in err
    assert not (tmp_path / "新.xlsx").exists()


def test_ingest_with_an_unreadable_previous_file_exits_2(run, tmp_path, pair_2021):
    _, now = pair_2021
    now_path = write(tmp_path / "本年.xlsx", "2021", 2022, now)
    bad = tmp_path / "上年.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(1000))
    code, _, err = run("ingest", now_path, "--previous", bad)
    assert code == 2 and "上年填报表无法读取" in err


def test_prev_same_data_not_for_a_small_unit_whose_few_figures_repeat(tmp_path):
    """One request received and granted in 2019 and again in 2020 (2019 edition): a correct report, not a copy."""

    def small(year: int, on_request: str) -> dict:
        values = clean_values("2019", year, seed=1)
        values.update({k: 0 for k in values if k.startswith(("t3.", "t4."))})
        values.update({"t3.new_received.natural_person": 1, "t3.granted.natural_person": 1})
        values["s1.on_request"] = on_request
        return values

    last = small(2019, "2019年收到自然人提出的申请1件，已按时答复并予以公开。")
    now = {**small(2020, "本年度受理申请1件，经审查全部公开，没有结转。"), **OTHER_NARRATIVE}
    assert check_pair(tmp_path, ("2019", 2019, last), ("2019", 2020, now)) == []
    # ... while a unit with more figures, all repeated, is still flagged
    last = clean_values("2019", 2019, seed=3)
    now = {**last, **OTHER_NARRATIVE, "info.report_year": 2020}
    assert "PREV-SAME-DATA" in {f.rule for f in check_pair(tmp_path, ("2019", 2019, last), ("2019", 2020, now))}


def test_prev_text_copy_not_for_a_short_statement_that_there_is_nothing(tmp_path, pair_2021):
    """本单位无…任务。 in both years is a fact repeated, not a copied report; a longer copied part still is."""
    last, now = pair_2021
    nothing = "本单位无人大代表建议和政协提案办理任务。"
    last, now = {**last, "s6.proposals": nothing}, {**now, "s6.proposals": nothing}
    assert check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) == []
    now["s1.management"] = last["s1.management"]
    assert [f.values["part"] for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now))] == [
        "s1.management"
    ]


def _alike_years() -> tuple[dict, dict]:
    """Two consecutive, consistent years of a unit whose figures barely change (nothing carried over; one more
    request, granted), with different narratives."""
    form = load_form("2021")
    last = clean_values("2021", 2021, seed=3)
    grid = form.grids("t3")[0]
    for column in grid.columns:
        if not column.sum_of:
            # new + carried in = results + carried forward: with nothing carried, new = results
            carried_in, carried_forward = last[f"t3.carried_in.{column.key}"], last[f"t3.carried_forward.{column.key}"]
            last[f"t3.new_received.{column.key}"] += carried_in - carried_forward
            last[f"t3.carried_in.{column.key}"] = last[f"t3.carried_forward.{column.key}"] = 0
    for row in ("rules", "normative_docs"):
        last[f"t2.{row}.issued"] = last[f"t2.{row}.repealed"] = 0
    now = {**last, **OTHER_NARRATIVE}
    now["t3.new_received.natural_person"] += 1
    now["t3.granted.natural_person"] += 1
    return last, now


def test_prev_text_copy_not_for_each_years_drafted_sentences_pasted_in(tmp_path):
    """The template invites pasting its 参考表述 into （二）依申请公开 every year: the same standard sentences with
    that year's figures are not last year's text; anything else copied beside them still is."""
    from xlrep.workbook.drafting import draft_on_request

    last, now = _alike_years()
    form = load_form("2021")
    last_draft, now_draft = draft_on_request(form, last), draft_on_request(form, now)
    assert last_draft != now_draft and text_similarity(last_draft, now_draft) >= TEXT_COPY_RATIO
    last, now = {**last, "s1.on_request": last_draft}, {**now, "s1.on_request": now_draft}
    assert check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now)) == []
    own = "我局严格按照法定时限答复，规范答复文书，做好疑难申请的会商。"
    last["s1.on_request"], now["s1.on_request"] = last_draft + own * 2, now_draft + own * 2
    assert [f.values["part"] for f in check_pair(tmp_path, ("2021", 2021, last), ("2021", 2022, now))] == [
        "s1.on_request"
    ]
