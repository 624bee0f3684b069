"""The structure of the template workbook, read back with openpyxl (no spreadsheet program needed)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from xlrep.edition.form import load_form
from xlrep.workbook.cellexpr import ALL_PASSED, PASS
from xlrep.workbook.computed import live_items
from xlrep.workbook.layout import CHECKS_SHEET, INSTRUCTIONS_SHEET, META_SHEET, build_layout, cell_ref
from xlrep.writer.template import TEMPLATE_VERSION, build_template

EDITIONS = [(2020, "2019"), (2021, "2021")]
# FIXED: a worksheet function since Excel 2000 and in WPS, LibreOffice and Gnumeric (docs/compatibility.md).
CLASSIC_FUNCTIONS = {"SUM", "IF", "AND", "OR", "ABS", "ISNUMBER", "ISTEXT", "COUNTIF", "SUMPRODUCT", "ROUND", "FIXED"}


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda p: p[1])
def made(request, tmp_path_factory):
    year, edition = request.param
    path = tmp_path_factory.mktemp(edition) / "t.xlsx"
    data = build_template(
        year, load_form(edition), values={"info.org_name": "某某县人民政府", "info.org_type": "县级以上地方人民政府"}
    )
    path.write_bytes(data)
    return {
        "year": year,
        "edition": edition,
        "path": path,
        "data": data,
        "wb": openpyxl.load_workbook(path),
        "cached": openpyxl.load_workbook(path, data_only=True),
        "layout": build_layout(load_form(edition)),
    }


def _cell(wb, layout, key):
    sheet, row, col = layout.addresses[key]
    return wb[sheet][cell_ref(row, col)]


def test_sheets_in_order_instructions_first_and_identity_sheet_very_hidden(made):
    wb = made["wb"]
    form = made["layout"].form
    expected = [INSTRUCTIONS_SHEET] + [s.name for s in form.sheets] + [CHECKS_SHEET, META_SHEET]
    assert wb.sheetnames == expected
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert all(wb[name].sheet_state == "visible" for name in expected[:-1])


def test_all_six_section_headings_are_sheet_titles(made):
    wb = made["wb"]
    form = made["layout"].form
    headings = form.section_headings
    assert list(headings) == ["一", "二", "三", "四", "五", "六"]
    titles = [wb[s.name]["A1"].value for s in form.sheets if s.section]
    assert titles == list(headings.values())


def test_template_identity_in_document_properties_and_hidden_sheet(made):
    wb = made["wb"]
    form = made["layout"].form
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["xlrep.edition"] == made["edition"]
    assert props["xlrep.year"] == str(made["year"])
    assert props["xlrep.template_version"] == TEMPLATE_VERSION
    assert props["xlrep.form_fingerprint"] == form.fingerprint
    meta = {row[0]: row[1] for row in wb[META_SHEET].iter_rows(min_row=2, values_only=True)}
    assert {k: v for k, v in meta.items() if k in props} == {k: v for k, v in props.items()}


def test_every_sheet_protected_and_workbook_structure_locked(made):
    wb = made["wb"]
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert wb.security is not None and wb.security.lockStructure
    # no password unless asked for
    assert all(not ws.protection.password for ws in wb.worksheets)
    assert not wb.security.workbookPassword


def test_inputs_unlocked_and_tinted_totals_and_checks_locked_formulas(made):
    wb, layout = made["wb"], made["layout"]
    form = layout.form
    for cell in form.cells.values():
        xl = _cell(wb, layout, cell.key)
        if cell.is_input:
            assert xl.protection.locked is False, cell.key
            assert xl.fill.fgColor.rgb.endswith("FFF2CC"), cell.key
        else:
            assert xl.protection.locked is not False, cell.key
        if cell.is_total:
            assert isinstance(xl.value, str) and xl.value.startswith("=SUM("), cell.key
    for check in form.checks:
        xl = _cell(wb, layout, check.id)
        assert xl.value.startswith("=IF(") and xl.protection.locked is not False


def test_the_identity_check_sits_under_each_of_the_seven_columns_of_table_three(made):
    layout = made["layout"]
    form = layout.form
    checks = [c for c in form.checks if c.rule == "T3-IDENTITY"]
    assert len(checks) == 7
    grid = form.grids("t3")[0]
    last_row = max(layout.addresses[grid.cell_key(r, c)][1] for r in grid.rows for c in grid.columns)
    for check, column in zip(checks, grid.columns, strict=True):
        sheet, row, col = layout.addresses[check.id]
        assert sheet == "三、依申请公开" and row == last_row + 1
        assert col == layout.addresses[grid.cell_key(grid.rows[0], column)][2]


def test_formulas_use_only_classic_functions(made):
    functions = set()
    for ws in made["wb"].worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    functions |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", c.value))
    assert functions and functions <= CLASSIC_FUNCTIONS


def test_empty_form_shows_zero_totals_and_all_checks_passed_without_recalculation(made):
    cached, layout = made["cached"], made["layout"]
    form = layout.form
    for cell in form.totals:
        assert _cell(cached, layout, cell.key).value == 0, cell.key
    for check in form.checks:
        assert _cell(cached, layout, check.id).value == PASS
    for item in live_items(form):
        assert _cell(cached, layout, "live." + item.id).value == PASS
    sheet, row, col = layout.status_cell
    assert cached[sheet][cell_ref(row, col)].value == ALL_PASSED


def test_status_counts_every_live_check(made):
    layout = made["layout"]
    sheet, row, col = layout.status_cell
    formula = made["wb"][sheet][cell_ref(row, col)].value
    n = len(live_items(layout.form))
    assert f"={n}," in formula and f"({n}-COUNTIF" in formula and "全部通过" in formula and "项未通过" in formula


def test_every_value_cell_has_a_defined_name_named_by_its_key(made):
    wb, layout = made["wb"], made["layout"]
    for cell in layout.form.cells.values():
        name = cell.key.replace(".", "_")
        assert name in wb.defined_names, name
        sheet, row, col = layout.addresses[cell.key]
        assert wb.defined_names[name].attr_text == f"'{sheet}'!{cell_ref(row, col, absolute=True)}"


def test_every_numeric_input_has_validation_with_chinese_prompt_and_error(made):
    wb, layout = made["wb"], made["layout"]
    for cell in layout.form.inputs:
        sheet, row, col = layout.addresses[cell.key]
        ref = cell_ref(row, col)
        rules = [dv for dv in wb[sheet].data_validations.dataValidation if ref in dv.sqref]
        if not cell.is_numeric:
            continue
        assert len(rules) == 1, cell.key
        dv = rules[0]
        expected_type = {"count": "whole", "signed": "whole", "amount": "decimal"}[cell.kind]
        assert dv.type == expected_type and dv.operator in (None, "between"), cell.key  # "between" is the default
        low = float(dv.formula1)
        assert (low < 0) if cell.kind == "signed" else (low == 0), cell.key
        assert (
            dv.showErrorMessage and re.search(r"[\u4e00-\u9fff]", dv.error) and re.search(r"[\u4e00-\u9fff]", dv.prompt)
        )


def test_org_type_is_a_dropdown_of_the_four_agency_types(made):
    wb, layout = made["wb"], made["layout"]
    sheet, row, col = layout.addresses["info.org_type"]
    dv = next(dv for dv in wb[sheet].data_validations.dataValidation if cell_ref(row, col) in dv.sqref)
    assert dv.type == "list"
    assert dv.formula1 == '"县级以上地方人民政府,县级以上人民政府部门,乡镇人民政府、街道办事处,其他"'


def test_prefilled_and_locked_basic_information(made):
    wb, layout = made["wb"], made["layout"]
    assert _cell(wb, layout, "info.org_name").value == "某某县人民政府"
    assert _cell(wb, layout, "info.org_type").value == "县级以上地方人民政府"
    year = _cell(wb, layout, "info.report_year")
    assert year.value == made["year"] and year.protection.locked is not False


def test_narrative_cells_are_large_wrapped_inputs_with_a_hint(made):
    wb, layout = made["wb"], made["layout"]
    form = layout.form
    parts = [c for c in form.cells.values() if c.kind == "longtext"]
    assert {c.key for c in parts} >= {
        "s1.proactive",
        "s1.on_request",
        "s1.management",
        "s1.platforms",
        "s1.oversight",
        "s5.problems",
        "s5.measures",
        "s5.last_year_fixes",
    }
    for cell in parts:
        sheet, row, col = layout.addresses[cell.key]
        xl = wb[sheet][cell_ref(row, col)]
        assert xl.alignment.wrap_text and xl.protection.locked is False
        assert wb[sheet].row_dimensions[row + 1].height >= 150
        assert wb[sheet].column_dimensions["B"].width >= 80
        assert cell.hint and wb[sheet][cell_ref(row, col + 1)].value == cell.hint
        assert wb[sheet][cell_ref(row, col - 1)].value == cell.label


def test_section_six_has_the_fee_figures_in_the_2021_edition_only(made):
    form = made["layout"].form
    fees = {c.key: c.kind for c in form.cells.values() if c.key.startswith("s6.fee")}
    if made["edition"] == "2021":
        assert fees == {"s6.fee_notices": "count", "s6.fee_notice_amount": "amount", "s6.fee_collected": "amount"}
    else:
        assert fees == {}
    texts = [c.key for c in form.cells.values() if c.key.startswith("s6.") and c.kind == "longtext"]
    assert texts == ["s6.work_points", "s6.proposals", "s6.innovation", "s6.other"]


def test_print_ready_a4_tables_landscape_one_page_wide_headers_repeated(made):
    wb = made["wb"]
    for ws in wb.worksheets[:-1]:
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.sheet_properties.pageSetUpPr.fitToPage  # 1 is the default
    for name in ("三、依申请公开", "四、复议诉讼"):
        assert wb[name].page_setup.orientation == "landscape"
        assert wb[name].print_title_rows
    assert wb["一、总体情况"].page_setup.orientation == "portrait"


def test_cjk_fonts_are_named(made):
    wb, layout = made["wb"], made["layout"]
    assert _cell(wb, layout, "t3.new_received.natural_person").font.name == "宋体"
    assert wb["三、依申请公开"]["A1"].font.name == "黑体"


def test_password_protects_sheets_and_structure():
    data = build_template(2021, load_form("2021"), password="secret")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert all(ws.protection.password for ws in wb.worksheets)
    assert wb.security.workbookPassword
    assert b"workbookPassword=" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")


def test_the_2019_procurement_amount_unit_defaults_to_wanyuan():
    wb = openpyxl.load_workbook(io.BytesIO(build_template(2019, load_form("2019"))))
    layout = build_layout(load_form("2019"))
    assert _cell(wb, layout, "t2.procurement.amount_unit").value == "万元"


def test_instructions_name_edition_year_version_colours_and_rules(made):
    ws = made["wb"][INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    form = load_form(made["edition"])
    for needle in (
        form.name,
        form.issued_as,
        f"{made['year']}年",
        TEMPLATE_VERSION,
        "黄色",
        "灰色",
        "红色",
        "T3-IDENTITY",
        "全部通过",
    ):
        assert needle in text, needle
    assert ("T2-FEE-UNIT" in text) == (made["edition"] == "2021")
