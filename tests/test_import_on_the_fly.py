"""Published reports where a workbook is expected: ``ingest``, ``check``, ``template --from`` and ``--previous``.

Each imports the report on the fly (as ``xlrep import`` would), says so (IMPORT-SOURCE, or a note on
standard error), and then does its usual work on the workbook the import makes.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from filling import clean_values, fill_workbook

from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A clean 2023 workbook and its report as Word and as a web page."""
    folder = tmp_path_factory.mktemp("published")
    values = clean_values("2021", 2023)
    workbook = fill_workbook(folder / "2023.xlsx", "2021", 2023, values)
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    report = build_report(audit(workbook))
    for suffix in (".docx", ".html"):
        (folder / f"2023年报告{suffix}").write_bytes(render(report, suffix))
    return folder, values


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_ingest_of_a_published_report_says_so_and_audits_its_figures(run, published, suffix):
    folder, values = published
    code, out, err = run("ingest", folder / f"2023年报告{suffix}", "--json")
    audit = json.loads(out)
    assert code == 0 and audit["year"] == 2023 and audit["summary"]["errors"] == 0, err
    (source,) = [f for f in audit["findings"] if f["rule"] == "IMPORT-SOURCE"]
    assert source["severity"] == "info" and "已发布的报告" in source["message"]
    assert "IMPORT-SOURCE" in err  # the human listing says it too


def test_check_takes_a_published_report_beside_workbooks(run, published):
    folder, _ = published
    code, out, _ = run("check", folder / "2023.xlsx", folder / "2023年报告.docx", "--json")
    units = json.loads(out)["units"]
    assert code == 0 and [u["summary"]["errors"] for u in units] == [0, 0]
    assert any(f["rule"] == "IMPORT-SOURCE" for f in units[1]["findings"])
    assert not any(f["rule"] == "IMPORT-SOURCE" for f in units[0]["findings"])


def test_an_imported_report_is_not_flagged_for_what_no_published_report_states(published, tmp_path):
    """No report states its 机关类型, and a report may write 一 without the five sub-headings."""
    folder, values = published
    from xlrep.auditing.ingest import audit

    text = "\n".join(str(values[k]) for k in ("s1.proactive", "s1.on_request", "s1.management"))
    page = (folder / "2023年报告.html").read_text(encoding="utf-8")
    for heading in (
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
    ):
        page = page.replace(f"<h3>{heading}</h3>", "")
    (tmp_path / "无小标题.html").write_text(page, encoding="utf-8")
    result = audit(tmp_path / "无小标题.html")
    assert not [f for f in result.findings if f.rule == "TEXT-MISSING"], [f.message for f in result.findings]
    assert text.split("\n")[0][:10] in str(result.result.values["s1.proactive"])


def test_template_from_a_published_report_carries_last_year_over(run, published, tmp_path):
    folder, values = published
    target = tmp_path / "2024.xlsx"
    code, _, err = run("template", "2024", "--from", folder / "2023年报告.docx", "-o", target)
    assert code == 0 and "已发布的报告" in err and "自动导入" in err
    layout = build_layout(load_form("2021"))
    sheet, row, col = layout.addresses["t3.carried_in.natural_person"]
    cell = openpyxl.load_workbook(target)[sheet][cell_ref(row, col)]
    assert cell.value == values["t3.carried_forward.natural_person"]


def test_previous_may_be_a_published_report(run, published, tmp_path):
    folder, values = published
    this_year = dict(clean_values("2021", 2024, seed=7))
    for column in ("natural_person", "commercial"):  # carried in = last year's carried forward, except one
        this_year[f"t3.carried_in.{column}"] = values[f"t3.carried_forward.{column}"]
    this_year["t3.carried_in.natural_person"] += 1
    this_year["t3.new_received.natural_person"] -= 1  # the identity still holds
    path = fill_workbook(tmp_path / "2024.xlsx", "2021", 2024, this_year)
    code, out, err = run("ingest", path, "--previous", folder / "2023年报告.html", "--json")
    carry = [f for f in json.loads(out)["findings"] if f["rule"] == "PREV-CARRY"]
    assert "自动导入" in err
    assert "自然人" in {c["column"] for f in carry for c in f["values"]["columns"]}


def test_a_published_report_without_fee_figures_or_with_a_large_fee_amount_is_not_flagged(published, tmp_path):
    """A published report has no table for 六's fee figures and seldom states its 机关类型: neither is a blank to
    fill (VALUE-BLANK) nor a reason to take a government's 收费金额 for a department's (T2-FEE-UNIT)."""
    folder, values = published
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    form = load_form("2021")
    fees = [c.key for c in form.table_inputs("s6")]
    changed = {**values, "t2.admin_fees.amount": 24252.31}  # a city's fees: 2.4 亿元, in 万元
    workbook = fill_workbook(tmp_path / "大额.xlsx", "2021", 2023, changed)
    page = tmp_path / "大额.html"
    page.write_text(render(build_report(audit(workbook)), ".html").decode("utf-8"), encoding="utf-8")
    result = audit(page)
    assert result.result.values["t2.admin_fees.amount"] == 24252.31
    blank_fees = [k for k in fees if k in result.result.blank]
    flagged = [f.rule for f in result.findings if f.rule in ("VALUE-BLANK", "T2-FEE-UNIT")]
    assert not flagged, ([f.message for f in result.findings], blank_fees)


def test_published_reports_of_the_corpus_raise_no_blank_or_unit_warning_the_import_made():
    """Each real text dump: cells the import left blank on purpose (IMPORT-AMBIGUOUS says why) and 六's fee figures
    are not VALUE-BLANK, and no T2-FEE-UNIT for a report whose 机关类型 is not stated."""
    from corpus import corpus_dir

    from xlrep.auditing.ingest import audit

    reports = sorted(corpus_dir().glob("*.txt"))
    assert reports
    for path in reports:
        result = audit(path)
        doubted = {(c.sheet, c.cell) for f in result.findings if f.rule.startswith("IMPORT-") for c in f.cells}
        for f in result.findings:
            assert f.rule != "T2-FEE-UNIT", (path.name, f.message)
            if f.rule == "VALUE-BLANK":
                assert not doubted & {(c.sheet, c.cell) for c in f.cells}, (path.name, f.message)
                assert "信息处理费" not in f.message, (path.name, f.message)
