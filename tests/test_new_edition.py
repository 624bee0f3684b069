"""A new edition is a data file: ``tests/editions/2027.toml`` goes template → LibreOffice → ingest → report.

The test edition is the 2021 form with one row renamed (（一）予以公开…) and one row added
under （六）其他处理. It is made known to xlrep only through ``XLREP_EDITIONS_PATH``: no
code knows it. The workbook is filled and saved by LibreOffice, read back, audited
and reported; the new row is summed into （七）总计 by the workbook's own formula and by
xlrep, and reported under its label.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from filling import clean_values
from reports import html_tables

from xlrep.edition.form import editions, form_for_year, load_form
from xlrep.workbook.layout import build_layout, cell_ref

EDITIONS_DIR = Path(__file__).resolve().parent / "editions"
RENAMED = "（一）予以公开（含部分依申请转主动公开）"
ADDED = "4.申请人主动撤回申请"


@pytest.fixture
def new_edition(monkeypatch):
    monkeypatch.setenv("XLREP_EDITIONS_PATH", str(EDITIONS_DIR))
    return load_form("2027")


def test_the_edition_is_known_only_through_the_editions_path(monkeypatch):
    monkeypatch.delenv("XLREP_EDITIONS_PATH", raising=False)
    assert [f.edition for f in editions()] == ["2019", "2021"]
    assert form_for_year(2027).edition == "2021"
    monkeypatch.setenv("XLREP_EDITIONS_PATH", str(EDITIONS_DIR))
    assert [f.edition for f in editions()] == ["2019", "2021", "2027"]
    assert form_for_year(2027).edition == "2027" and form_for_year(2026).edition == "2021"


def test_the_added_row_is_a_result_row_of_the_declared_figures(new_edition):
    form = new_edition
    assert "t3.other_withdrawn.natural_person" in form.cells
    assert "t3.other_withdrawn.total" in form.figure_keys("other_handling")
    assert "t3.other_withdrawn.natural_person" in form.cells["t3.result_total.natural_person"].sum_of


@pytest.mark.libreoffice
def test_template_libreoffice_fill_ingest_and_report(new_edition, calc, run, tmp_path):
    form = new_edition
    code, out, err = run("template", "2027", "--org", "某某县测试局", "--org-type", "部门", "-o", tmp_path)
    assert code == 0, err
    template = next(tmp_path.glob("*.xlsx"))
    assert "2027年版（测试用）" in out

    values = clean_values("2027", 2027)
    values["t3.new_received.natural_person"] += 4 - values["t3.other_withdrawn.natural_person"]  # still balanced
    values["t3.other_withdrawn.natural_person"] = 4  # the new row
    values["s1.on_request"] = "本年度共收到政府信息公开申请若干件。"
    layout = build_layout(form)
    cells = [[*_at(layout, key), value] for key, value in values.items()]
    doc = calc.open(template)
    try:
        shown = calc.fill(doc, cells, read=[_at(layout, "t3.result_total.natural_person"), ("校验", "C4")])
        filled = tmp_path / "filled.xlsx"
        calc.save(doc, filled)
    finally:
        calc.close(doc)
    expected_done = sum(values[f"t3.{r.key}.natural_person"] for r in form.grids("t3")[0].rows if r.result)
    assert shown[0]["value"] == expected_done  # LibreOffice sums the new row into （七）总计
    assert shown[1]["string"] == "全部通过"

    code, out, err = run("ingest", filled, "--json", "-o", tmp_path / "报告.html", "-o", tmp_path / "报告.docx")
    audit = json.loads(out)
    assert code == 0 and audit["edition"] == "2027" and audit["year"] == 2027, err
    assert audit["summary"]["errors"] == 0, [f["message"] for f in audit["findings"] if f["severity"] == "error"]
    page = (tmp_path / "报告.html").read_text(encoding="utf-8")
    (t3,) = [t for t in html_tables(page) if t["id"] == "t3"]
    labels = {src.text for row in t3["grid"] for src in row}
    assert RENAMED in labels and ADDED in labels
    by_key = {src.key: src.text for row in t3["grid"] for src in row if src.key}
    assert by_key["t3.other_withdrawn.natural_person"] == "4"
    assert by_key["t3.result_total.natural_person"] == str(expected_done)


def _at(layout, key: str) -> tuple[str, str]:
    sheet, row, col = layout.addresses[key]
    return sheet, cell_ref(row, col)
