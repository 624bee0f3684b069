"""Write tests/editions/formulas-<edition>.json: every formula the template writes, and what it shows.

Run once from a commit whose formulas are the reference (the fixtures were made at be7d8cd, before the
computed cells were described as one model), e.g.::

    PYTHONPATH=<that checkout>/src python3 scripts/formula_fixture.py tests/editions

For each edition (the built-in ones and the test edition ``tests/editions/2027.toml``) it stores the
formula text of every formula cell of the template (sheet, A1 → formula), the expected formulas the
reader compares with (key → formula, older formula, since), and the cached results the template writes
for a few fills (blank, clean, and one with text, negative and fractional figures). ``tests/test_formula_text.py``
builds the templates again and compares.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = {"2019": 2020, "2021": 2023, "2027": 2027}


def fills(form) -> dict[str, dict[str, object]]:
    """The value sets: blank, a plausible fill, and a messy one (text, negatives, fractions)."""
    numeric = [c for c in form.inputs if c.is_numeric]
    rng = random.Random(7)
    plausible = {c.key: rng.choice([0, 0, 1, 3, 12, 250]) for c in numeric}
    messy: dict[str, object] = {}
    for c in numeric:
        messy[c.key] = rng.choice([0, 5, -2, 10.1, 0.2, -10.3, 1e-15, 73745.65, "12件", "无", None, 1234567.125])
    return {"blank": {}, "plausible": plausible, "messy": messy}


def snapshot(edition: str) -> dict:
    import openpyxl

    from xlrep.edition.form import load_form
    from xlrep.workbook.formulas import expected_formulas
    from xlrep.writer.template import build_template

    form = load_form(edition)
    year = EDITIONS[edition]
    out: dict = {"edition": edition, "year": year, "cells": {}, "expected": [], "cached": {}}
    blank = build_template(year, form)
    wb = openpyxl.load_workbook(io.BytesIO(blank))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    out["cells"][f"{ws.title}!{cell.coordinate}"] = cell.value
    for fc in expected_formulas(form):
        out["expected"].append([fc.key, fc.sheet, fc.a1, fc.formula, fc.older, fc.since])
    for name, values in fills(form).items():
        data = build_template(year, form, values=values)
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        out["cached"][name] = {where: wb[where.split("!")[0]][where.split("!")[1]].value for where in out["cells"]}
    return out


def main(folder: str) -> None:
    os.environ["XLREP_EDITIONS_PATH"] = str(ROOT / "tests" / "editions")
    for edition in EDITIONS:
        data = snapshot(edition)
        path = Path(folder) / f"formulas-{edition}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(path, len(data["cells"]), "formula cells")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "tests" / "editions"))
