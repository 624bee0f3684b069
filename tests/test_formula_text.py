"""The template writes exactly the formulas (and cached results) it wrote at be7d8cd, for every edition.

The fixtures ``tests/editions/formulas-<edition>.json`` were made once by ``scripts/formula_fixture.py``
from be7d8cd, before the computed cells were described as one model: a formula that changes text would
make a 1.2 workbook read as tampered (TEMPLATE-TAMPERED), and a cached result that changes would show a
program that does not recalculate something else than xlrep computes.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import openpyxl
import pytest

from xlrep.edition.form import load_form
from xlrep.workbook.formulas import expected_formulas
from xlrep.writer.template import build_template

ROOT = Path(__file__).resolve().parent.parent
EDITIONS_DIR = ROOT / "tests" / "editions"


def _script():
    spec = importlib.util.spec_from_file_location("formula_fixture", ROOT / "scripts" / "formula_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["2019", "2021", "2027"])
def stored(request, monkeypatch):
    monkeypatch.setenv("XLREP_EDITIONS_PATH", str(EDITIONS_DIR))
    return json.loads((EDITIONS_DIR / f"formulas-{request.param}.json").read_text(encoding="utf-8"))


def _formula_cells(data: bytes) -> dict[str, str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {
        f"{ws.title}!{cell.coordinate}": cell.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    }


def test_every_formula_cell_is_written_as_before(stored):
    form = load_form(stored["edition"])
    now = _formula_cells(build_template(stored["year"], form))
    assert sorted(now) == sorted(stored["cells"])  # the same cells hold formulas
    changed = [where for where in now if now[where] != stored["cells"][where]]
    assert not changed, f"{len(changed)} formulas changed, first {changed[0]}: {now[changed[0]]}"


def test_expected_formulas_are_as_before(stored):
    """What the reader compares a workbook with: the formula, the one templates before 1.2 wrote, since when."""
    form = load_form(stored["edition"])
    now = [[f.key, f.sheet, f.a1, f.formula, f.older, f.since] for f in expected_formulas(form)]
    assert now == stored["expected"]


def test_cached_results_are_as_before(stored):
    form = load_form(stored["edition"])
    for name, values in _script().fills(form).items():
        data = build_template(stored["year"], form, values=values)
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        now = {where: wb[where.split("!")[0]][where.split("!")[1]].value for where in stored["cells"]}
        assert now == stored["cached"][name], name


def test_column_letters_are_the_libraries():
    """The A1 letters of every column a sheet can have (A … XFD) are xlsxwriter's and openpyxl's."""
    from openpyxl.utils import get_column_letter
    from xlsxwriter.utility import xl_col_to_name

    from xlrep.workbook.cellexpr import col_letters

    for col in range(16384):
        assert col_letters(col) == xl_col_to_name(col) == get_column_letter(col + 1), col
