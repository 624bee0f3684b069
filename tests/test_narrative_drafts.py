"""The drafted 依申请公开 paragraph in the workbook and the report, and the new narrative rules end to end.

Workbooks are written with ``build_template`` (cached results as Excel would store
them) or filled with openpyxl (no cached results), then read by ``audit``.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from filling import NARRATIVE, clean_values, fill_workbook

from xlrep.auditing.ingest import audit
from xlrep.checks.rules import registry
from xlrep.checks.statements import compare, narrative_figures, read_statements
from xlrep.edition.form import load_form
from xlrep.outputs.report import build_report
from xlrep.workbook.drafting import draft_formula, draft_on_request, draft_proactive, draft_texts
from xlrep.workbook.engine import compute_totals
from xlrep.workbook.formulas import TEMPLATE_VERSION, expected_formulas
from xlrep.workbook.layout import build_layout
from xlrep.workbook.reader import read_workbook
from xlrep.writer.template import build_template

EDITIONS = [pytest.param("2021", 2021, id="2021"), pytest.param("2019", 2020, id="2019")]


def write(tmp_path, edition: str, year: int, values: dict, name: str = "f.xlsx"):
    path = tmp_path / name
    path.write_bytes(build_template(year, load_form(edition), values=values))
    return path


def consistent(edition: str, year: int, seed: int = 1) -> dict:
    values = clean_values(edition, year, seed)
    t = compute_totals(load_form(edition), values)
    values["s1.on_request"] = NARRATIVE["s1.on_request"].format(
        year=year,
        new=t["t3.new_received.total"],
        done=t["t3.result_total.total"],
        forward=t["t3.carried_forward.total"],
    )
    return values


# -- the rules are in the catalogue ------------------------------------------------------------------
def test_new_rules_and_their_severities():
    assert {r: registry()[r].severity for r in ("TEXT-DRAFTED", "TEXT-SHARE", "TEXT-CHANGE", "TEXT-NUMBER")} == {
        "TEXT-DRAFTED": "info",
        "TEXT-SHARE": "warning",
        "TEXT-CHANGE": "warning",
        "TEXT-NUMBER": "warning",
    }


# -- the 参考表述 cells in the template -------------------------------------------------------------
@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_the_template_has_a_locked_draft_under_both_parts_with_pythons_text_cached(edition, year, where):
    values = consistent(edition, year)
    form = load_form(edition)
    wb = openpyxl.load_workbook(io.BytesIO(build_template(year, form, values=values)))
    cached = openpyxl.load_workbook(io.BytesIO(build_template(year, form, values=values)), data_only=True)
    for part in ("s1.proactive", "s1.on_request"):
        sheet, a1 = where("draft." + part, edition)
        part_sheet, part_a1 = where(part, edition)
        assert sheet == part_sheet == "一、总体情况"
        assert int(a1[1:]) == int(part_a1[1:]) + 1 and a1[0] == part_a1[0]  # right under the part
        cell = wb[sheet][a1]
        assert cell.value == draft_formula(form, build_layout(form), part)
        assert cell.protection.locked is not False and cell.alignment.wrap_text
        assert wb[sheet][f"A{a1[1:]}"].value == "参考表述（自动生成）"
        assert cached[sheet][a1].value == draft_texts(form, values)["draft." + part]
    assert cached[sheet][where("draft.s1.on_request", edition)[1]].value.startswith("本年度共收到政府信息公开申请")


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_the_reader_checks_the_draft_formula_like_the_others(tmp_path, edition, year, where):
    path = fill_workbook(tmp_path / "f.xlsx", edition, year, consistent(edition, year))
    assert audit(path).findings == []
    keys = [f.key for f in expected_formulas(load_form(edition)) if f.key.startswith("draft.")]
    assert keys == ["draft.s1.proactive", "draft.s1.on_request"]
    sheet, a1 = where("draft.s1.on_request", edition)
    typed_over = fill_workbook(
        tmp_path / "g.xlsx", edition, year, consistent(edition, year), overrides={(sheet, a1): "本年度收到申请很多。"}
    )
    (finding,) = audit(typed_over).findings
    assert finding.rule == "TEMPLATE-TAMPERED" and (finding.cells[0].sheet, finding.cells[0].cell) == (sheet, a1)
    assert "参考表述" in finding.message


def _as_version_1_0(path, where):
    """What a workbook of template 1.0 looks like: no 参考表述 rows, version 1.0 in its identity."""
    wb = openpyxl.load_workbook(path)
    for part in ("s1.proactive", "s1.on_request"):
        sheet, a1 = where("draft." + part, "2021")
        row = a1[1:]
        for col in "ABC":
            wb[sheet][f"{col}{row}"].value = None
    for prop in wb.custom_doc_props.props:
        if prop.name == "xlrep.template_version":
            prop.value = "1.0"
    for row in wb["_xlrep"].iter_rows(min_row=2, max_col=2):
        if row[0].value == "xlrep.template_version":
            row[1].value = "1.0"
    wb.save(path)
    return path


def test_a_workbook_of_template_1_0_is_still_read_with_a_version_warning(tmp_path, where):
    path = _as_version_1_0(fill_workbook(tmp_path / "old.xlsx", "2021", 2021, consistent("2021", 2021)), where)
    result = audit(path)
    assert [f.rule for f in result.findings] == ["TEMPLATE-VERSION"]
    assert result.findings[0].values == {"found": "1.0", "expected": TEMPLATE_VERSION}


# -- an empty （二）依申请公开 is published as the draft -----------------------------------------------
@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_an_empty_on_request_part_is_drafted_not_missing(tmp_path, edition, year, where):
    values = consistent(edition, year)
    values["s1.on_request"] = None
    result = audit(write(tmp_path, edition, year, values))
    (finding,) = result.findings
    draft = draft_on_request(load_form(edition), values)
    assert finding.rule == "TEXT-DRAFTED" and finding.severity == "info"
    assert finding.values == {"part": "s1.on_request", "draft": draft}
    assert draft in finding.message
    assert (finding.cells[0].sheet, finding.cells[0].cell) == where("s1.on_request", edition)
    assert result.summary["errors"] == 0
    report = build_report(result)
    assert report.narrative["s1.on_request"] == draft
    texts = [getattr(b, "text", "") for b in report.blocks]
    assert draft in texts


def test_an_empty_proactive_part_is_still_missing(tmp_path):
    values = consistent("2021", 2021)
    values["s1.proactive"] = None
    (finding,) = audit(write(tmp_path, "2021", 2021, values)).findings
    assert finding.rule == "TEXT-MISSING" and finding.values == {"part": "s1.proactive"}


# -- the drafts say only what the tables say -------------------------------------------------------
@pytest.mark.parametrize(("edition", "year"), EDITIONS)
@pytest.mark.parametrize("seed", range(40))
def test_drafted_text_read_back_fits_its_tables(edition, year, seed):
    import random

    from filling import balanced_t3

    form = load_form(edition)
    rng = random.Random(seed)
    values = {
        c.key: rng.choice([0, 0, 1, rng.randint(0, 50), rng.randint(0, 99999)]) for c in form.inputs if c.is_numeric
    }
    if seed % 2:
        values.update(balanced_t3(rng, form))
    for key in [k for k in values if k.startswith("t2.") and k.endswith(".amount")]:
        values[key] = round(rng.uniform(0, 99999), rng.choice((0, 1, 2)))
    values["t2.procurement.amount_unit"] = "万元"
    text = draft_on_request(form, values) + draft_proactive(form, values)
    statements = read_statements(text)
    assert len(statements) >= 3
    assert compare(statements, narrative_figures(form), values, year=year) == [], text


# -- TEXT-SHARE and TEXT-CHANGE through the whole audit ----------------------------------------------
def test_text_share_names_the_cells_and_keeps_the_stated_percentage(tmp_path, where):
    values = consistent("2021", 2021)
    t = compute_totals(load_form("2021"), values)
    opened = t["t3.granted.total"] + t["t3.partly_granted.total"]
    done = t["t3.result_total.total"]
    assert done and opened
    true_share = round(opened * 100 / done, 2)
    wrong = round(true_share + 3.21, 2)
    values["s1.on_request"] += f"予以公开和部分公开共{opened}件，占{wrong}%。"
    (finding,) = audit(write(tmp_path, "2021", 2021, values)).findings
    assert finding.rule == "TEXT-SHARE" and finding.severity == "warning"
    assert finding.values["stated"] == wrong and finding.values["table"] == pytest.approx(true_share)
    assert finding.values["statement"] == f"占{wrong}%"
    named = {(c.sheet, c.cell) for c in finding.cells}
    for key in ("s1.on_request", "t3.granted.total", "t3.partly_granted.total", "t3.result_total.total"):
        assert where(key, "2021") in named


def test_text_change_needs_last_years_workbook(tmp_path):
    last = consistent("2021", 2021)
    now = consistent("2021", 2022, seed=2)
    form = load_form("2021")
    before = compute_totals(form, last)["t3.new_received.total"]
    after = compute_totals(form, now)["t3.new_received.total"]
    assert before and before != after
    actual = round((after - before) * 100 / before, 1)
    stated = round(abs(actual) + 7.7, 1)
    direction = "增长" if actual >= 0 else "下降"
    now["s1.on_request"] += f"收到申请数量同比{direction}{stated}%。"
    prev_path = write(tmp_path, "2021", 2021, last, "2021.xlsx")
    path = write(tmp_path, "2021", 2022, now, "2022.xlsx")
    assert audit(path).findings == []  # no last year: not compared
    found = [f for f in audit(path, previous=read_workbook(prev_path)).findings if f.rule == "TEXT-CHANGE"]
    assert len(found) == 1
    assert found[0].values["stated"] == stated and found[0].values["table"] == pytest.approx(abs(actual), abs=0.05)
    assert str(before) in found[0].message and str(after) in found[0].message
    correct = dict(now, **{"s1.on_request": now["s1.on_request"].replace(f"{stated}%", f"{abs(actual)}%")})
    path = write(tmp_path, "2021", 2022, correct, "2022b.xlsx")
    assert not [f for f in audit(path, previous=read_workbook(prev_path)).findings if f.rule == "TEXT-CHANGE"]


def test_a_previous_workbook_of_another_year_is_not_used_for_changes(tmp_path):
    last = consistent("2021", 2021)
    now = consistent("2021", 2023)
    now["s1.on_request"] += "收到申请数量同比增长999%。"
    prev_path = write(tmp_path, "2021", 2021, last, "2021.xlsx")
    path = write(tmp_path, "2021", 2023, now, "2023.xlsx")
    assert not [f for f in audit(path, previous=read_workbook(prev_path)).findings if f.rule == "TEXT-CHANGE"]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_table_two_statements_in_proactive_are_checked(tmp_path, edition, year, where):
    values = consistent(edition, year)
    form = load_form(edition)
    row = next(g for g in form.grids("t2") if any(r.key == "licensing" for r in g.rows))
    values["t2.licensing.decisions"] = 4521
    values["s1.proactive"] = "全年作出行政许可决定4521件。"
    assert audit(write(tmp_path, edition, year, values)).findings == []
    values["s1.proactive"] = "全年作出行政许可决定4512件。"
    (finding,) = audit(write(tmp_path, edition, year, values, "g.xlsx")).findings
    assert finding.rule == "TEXT-NUMBER" and (finding.values["stated"], finding.values["table"]) == (4512, 4521)
    assert (finding.cells[1].sheet, finding.cells[1].cell) == where("t2.licensing.decisions", edition)
    assert row.caption and "行政许可" in finding.message


def test_nothing_is_drafted_from_a_table_the_import_did_not_find():
    """Imported without 表四, the drafted （二） says nothing of 复议/诉讼; without 表三 (and 表四), nothing at all.
    A workbook filled by a clerk (not imported) keeps the whole paragraph."""
    from types import SimpleNamespace

    from xlrep.edition.form import load_form
    from xlrep.workbook.drafting import published_drafts

    form = load_form("2021")
    values = {c.key: None for c in form.inputs}
    values.update({"t3.new_received.natural_person": 5, "t3.granted.natural_person": 5})
    (imported,) = published_drafts(SimpleNamespace(form=form, values=values, imported_from="报告.docx")).values()
    assert "收到政府信息公开申请5件" in imported and "行政复议" not in imported and "行政诉讼" not in imported
    (typed,) = published_drafts(SimpleNamespace(form=form, values=values, imported_from=None)).values()
    assert typed.endswith("本年度未发生政府信息公开行政复议、行政诉讼案件。")
    blank = {c.key: None for c in form.inputs}
    assert published_drafts(SimpleNamespace(form=form, values=blank, imported_from="报告.docx")) == {}
