"""`xlrep ingest` on workbooks filled and saved by a real spreadsheet program (LibreOffice, UNO)."""

from __future__ import annotations

import hashlib
import json

import pytest
from filling import clean_values

from xlrep.cli import main
from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template

pytestmark = pytest.mark.libreoffice

EDITIONS = [("2019", 2020), ("2021", 2021)]


def _lo_fill(calc, tmp_path, edition, year, values, raw_cells=(), name="filled.xlsx", rename=None):
    """Open the template in LibreOffice, type values (by key) and raw cells, save as .xlsx."""
    layout = build_layout(load_form(edition))
    template = tmp_path / f"template-{edition}.xlsx"
    template.write_bytes(build_template(year, load_form(edition)))
    doc = calc.open(template)
    try:
        cells = []
        for key, value in values.items():
            sheet, row, col = layout.addresses[key]
            cells.append([sheet, cell_ref(row, col), value])
        cells.extend([list(c) for c in raw_cells])
        calc.fill(doc, cells)
        if rename:
            calc.rename(doc, *rename)
        out = tmp_path / name
        calc.save(doc, out)
    finally:
        calc.close(doc)
    return out


def _ingest(path, capsys, *extra):
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code = main(["ingest", str(path), "--json", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the input file was modified"
    return code, json.loads(out), err


def _a1(edition, key):
    sheet, row, col = build_layout(load_form(edition)).addresses[key]
    return sheet, cell_ref(row, col)


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_clean_fill_saved_by_libreoffice_has_no_errors(calc, tmp_path, capsys, edition, year):
    path = _lo_fill(calc, tmp_path, edition, year, clean_values(edition, year))
    code, report, err = _ingest(path, capsys)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == []
    assert code == 0
    assert report["edition"] == edition and report["year"] == year and report["template_version"]
    # LibreOffice rewrites the file, but formulas and labels still match the template
    template = {f["rule"]: f["severity"] for f in report["findings"] if f["rule"].startswith("TEMPLATE-")}
    # LibreOffice's save drops the workbook's structure lock and leaves the identity sheet merely hidden: said as
    # infos (the office knows the file went through another program), nothing more
    assert template == {"TEMPLATE-UNLOCKED": "info", "TEMPLATE-META-VISIBLE": "info"}, template
    assert "0 项错误" in err


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_broken_identity_in_one_column_names_that_column(calc, tmp_path, capsys, edition, year):
    values = clean_values(edition, year)
    values["t3.new_received.research"] += 3
    path = _lo_fill(calc, tmp_path, edition, year, values)
    code, report, _ = _ingest(path, capsys)
    assert code == 1
    identity = [f for f in report["findings"] if f["rule"] == "T3-IDENTITY"]
    columns = sorted(f["values"]["column"] for f in identity)
    assert columns == ["总计", "科研机构"]  # the column itself and the total column, nothing else
    research = next(f for f in identity if f["values"]["column"] == "科研机构")
    assert research["values"]["difference"] == 3
    cells = {(c["sheet"], c["cell"]) for c in research["cells"]}
    for row in ("new_received", "carried_in", "result_total", "carried_forward"):
        assert _a1(edition, f"t3.{row}.research") in cells
    assert all("科研机构" in c["label"] for c in research["cells"])


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_number_typed_as_text_is_value_text_at_that_cell(calc, tmp_path, capsys, edition, year):
    values = clean_values(edition, year)
    sheet, a1 = _a1(edition, "t3.granted.natural_person")
    values.pop("t3.granted.natural_person")
    path = _lo_fill(calc, tmp_path, edition, year, values, raw_cells=[(sheet, a1, "１２")])
    code, report, _ = _ingest(path, capsys)
    assert code == 1
    found = [f for f in report["findings"] if f["rule"] == "VALUE-TEXT"]
    assert len(found) == 1
    assert found[0]["cells"][0]["sheet"] == sheet and found[0]["cells"][0]["cell"] == a1
    assert found[0]["values"]["raw"] == "１２" and "12" in found[0]["message"]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_total_overwritten_by_a_constant_is_tampered_at_that_cell(calc, tmp_path, capsys, edition, year):
    values = clean_values(edition, year)
    sheet, a1 = _a1(edition, "t3.new_received.total")
    path = _lo_fill(calc, tmp_path, edition, year, values, raw_cells=[(sheet, a1, 999)])
    code, report, _ = _ingest(path, capsys)
    assert code == 1
    tampered = [f for f in report["findings"] if f["rule"] == "TEMPLATE-TAMPERED"]
    assert [(c["sheet"], c["cell"]) for f in tampered for c in f["cells"]] == [(sheet, a1)]
    row_sum = [f for f in report["findings"] if f["rule"] == "T3-ROW-SUM"]
    assert len(row_sum) == 1 and row_sum[0]["values"]["left"] == 999
    # the identity is checked on the recomputed total, so it still holds
    assert not [f for f in report["findings"] if f["rule"] == "T3-IDENTITY"]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_empty_form_gives_value_blank_and_no_identity_error(calc, tmp_path, capsys, edition, year):
    path = _lo_fill(calc, tmp_path, edition, year, {})
    code, report, _ = _ingest(path, capsys)
    rules = [f["rule"] for f in report["findings"]]
    assert "VALUE-BLANK" in rules and "T3-IDENTITY" not in rules
    blank_tables = [f["message"][:3] for f in report["findings"] if f["rule"] == "VALUE-BLANK"]
    assert len(blank_tables) == (3 if edition == "2019" else 4)  # 二, 三, 四 (and 六's fees in 2021)
    assert code == 1  # TEXT-MISSING: nothing written


def test_random_bytes_exit_2_with_a_chinese_message(tmp_path, capsys):
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    code = main(["ingest", str(path)])
    _, err = capsys.readouterr()
    assert code == 2 and "错误" in err and "Traceback" not in err


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_a_sheet_renamed_in_the_spreadsheet_program_is_named_once_and_still_read(calc, tmp_path, capsys, edition, year):
    path = _lo_fill(calc, tmp_path, edition, year, clean_values(edition, year), rename=("三、依申请公开", "表三"))
    code, report, _ = _ingest(path, capsys)
    tampered = [f for f in report["findings"] if f["rule"] == "TEMPLATE-TAMPERED"]
    assert len(tampered) == 1 and "表三" in tampered[0]["message"], [f["message"] for f in tampered]
    others = [f for f in report["findings"] if f["severity"] == "error" and f["rule"] != "TEMPLATE-TAMPERED"]
    assert others == []  # the numbers were found under the new name: nothing else is wrong
