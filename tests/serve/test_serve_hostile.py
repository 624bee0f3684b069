"""``xlrep serve`` downloads of hostile names (issue 13, D1): the unit's template and the round's 汇总 hold text,
never a formula; the 汇总明细 sheet's text never starts like one. (The CSV exports: test_serve_security.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

from filling import clean_values
from serve_support import create_round, unit_links

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hostile import assert_no_foreign_formula, starts_like_a_formula  # noqa: E402

NAMES = ['=HYPERLINK("http://example.invalid")局', "@SUM(1+1)局", "-2+3局"]
SUMMARY_ORG = "+1+1某某县人民政府"


def test_unit_templates_and_the_summary_hold_hostile_names_as_text(site, tmp_path):
    import openpyxl

    from xlrep.edition.form import load_form
    from xlrep.workbook.layout import build_layout, cell_ref

    layout = build_layout(load_form("2021"))
    round_id = create_round(site.admin, [(n, "部门") for n in NAMES], summary_org=SUMMARY_ORG)
    exported = unit_links(site.admin, round_id)  # the links CSV: names neutralised with a leading '
    assert set(exported) == {"'" + name for name in NAMES}
    links = {name.removeprefix("'"): link for name, link in exported.items()}
    for name, link in links.items():
        unit = site.client()
        answer = unit.get(link + "/template.xlsx")
        assert answer.status == 200
        template = tmp_path / "template.xlsx"
        template.write_bytes(answer.body)
        assert_no_foreign_formula(template)
        org = openpyxl.load_workbook(template)["基本信息"]["B4"]
        assert org.data_type == "s" and org.value == name

        # the clerk fills the downloaded template (its 机关名称 already there, as text) and uploads it
        wb = openpyxl.load_workbook(template)
        for key, value in clean_values("2021", 2021).items():
            if key != "info.org_name":
                sheet, row, col = layout.addresses[key]
                wb[sheet][cell_ref(row, col)].value = value
        wb.save(tmp_path / "填好.xlsx")
        data = (tmp_path / "填好.xlsx").read_bytes()
        assert unit.upload(link + "/upload", f"{name}.xlsx", data, link).status == 303
        assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303

    answer = site.admin.get(f"/admin/rounds/{round_id}/summary.xlsx?include=submitted")
    assert answer.status == 200, answer.text
    summary = tmp_path / "汇总.xlsx"
    summary.write_bytes(answer.body)
    assert_no_foreign_formula(summary, neutral_sheets=("汇总明细",))
    wb = openpyxl.load_workbook(summary)
    assert wb["基本信息"]["B4"].data_type == "s" and wb["基本信息"]["B4"].value == SUMMARY_ORG
    detail = [c.value for row in wb["汇总明细"].iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert len([v for v in detail if v.startswith("'")]) >= len(NAMES)
    assert not any(starts_like_a_formula(v) for v in detail)
