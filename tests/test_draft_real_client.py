"""The drafted sentences (参考表述) in a real spreadsheet program: LibreOffice computes exactly Python's text.

For each edition the template is opened once in LibreOffice Calc; random fills (the
seeded generator of ``filling.make_fill``, as ``test_real_client`` uses it: balanced, unbalanced and dirty tables with
blanks, text and negative numbers) plus all-zero, all-blank, largest-count and
share-rounding fills are typed in, Calc recalculates, and both 参考表述 cells must
read exactly what ``drafting`` computes in Python for the same cells.
"""

from __future__ import annotations

import random
import re

import pytest
from filling import SEED_BASE, YEAR, make_fill, numeric_inputs, ref

from xlrep.edition.form import load_form
from xlrep.workbook.drafting import draft_formula, draft_texts, drafted_parts
from xlrep.workbook.layout import build_layout
from xlrep.writer.template import build_template

pytestmark = pytest.mark.libreoffice

EDITIONS = ("2019", "2021")
RANDOM_FILLS = 200
LARGEST = 999_999_999
# (share stated by the tables) granted / done: ties of ROUND(…, 2) and long fractions
SHARE_CASES = [(1, 8), (1, 16), (1, 32), (1, 3200), (1, 800), (5, 8), (2, 3), (1, 3), (42, 81), (1, 7), (7, 7), (0, 5)]


def _defaults(form) -> dict[str, object]:
    return {c.key: c.default for c in form.inputs if c.default is not None}


def _zero(form) -> dict[str, object]:
    return {c.key: 0 for c in numeric_inputs(form)}


def _share_fill(form, granted: int, done: int) -> dict[str, object]:
    values = _zero(form)
    values["t3.granted.natural_person"] = granted
    last_result = [r for r in form.grids("t3")[0].rows if r.result][-1]
    values[f"t3.{last_result.key}.natural_person"] = done - granted
    values["t3.new_received.natural_person"] = done
    return values


def fills(form, edition: str) -> list[tuple[str, dict[str, object]]]:
    """Every fill typed in: the random ones first, then the edge cases."""
    out = []
    for i in range(RANDOM_FILLS):
        seed = SEED_BASE[edition] + 5000 + i
        mode, values = make_fill(form, seed)
        rng = random.Random(seed)
        if "t2.procurement.amount_unit" in form.cells:  # 2019: the procurement unit is typed or cleared
            values["t2.procurement.amount_unit"] = rng.choice(["万元", "元", None])
        out.append((f"seed {seed} ({mode})", values))
    out.append(("all zero", _zero(form)))
    out.append(("all blank", {c.key: None for c in numeric_inputs(form)}))
    out.append(("largest counts", {c.key: LARGEST for c in numeric_inputs(form)}))
    for granted, done in SHARE_CASES:
        out.append((f"share {granted}/{done}", _share_fill(form, granted, done)))
    only_carried = _zero(form) | {"t3.carried_in.natural_person": 3, "t3.carried_forward.natural_person": 3}
    out.append(("only carried over", only_carried))
    only_legal = _zero(form) | {"t3.new_received.commercial": 4, "t3.granted.commercial": 4}
    out.append(("only legal persons", only_legal))
    return out


def draft_cells(layout) -> list[tuple[str, str]]:
    return [ref(layout, "draft." + part) for part in drafted_parts(layout.form)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_drafted_sentences_compute_in_libreoffice_exactly_as_in_python(calc, tmp_path, edition):
    layout = build_layout(load_form(edition))
    form = load_form(edition)
    path = tmp_path / f"template-{edition}.xlsx"
    path.write_bytes(build_template(YEAR[edition], load_form(edition)))
    reads = draft_cells(layout)
    cases = fills(form, edition)
    assert len(cases) >= 200 + 10
    failures: list[str] = []
    texts_seen: set[str] = set()
    with calc.opened(path) as doc:
        for name, values in cases:
            typed = _defaults(form) | values  # every cell typed each time (the unit too): nothing left over
            keys = [c.key for c in numeric_inputs(form)] + list(_defaults(form))
            answers = calc.fill(doc, [(*ref(layout, k), typed.get(k)) for k in keys], read=reads)
            want = draft_texts(form, typed)
            for part, answer in zip(drafted_parts(form), answers, strict=True):
                python = want["draft." + part]
                texts_seen.add(python)
                if answer["type"] != "FORMULA" or answer["error"]:
                    failures.append(f"{name} {part}: not a working formula ({answer})")
                elif answer["string"] != python:
                    failures.append(f"{name} {part}:\n  LibreOffice {answer['string']!r}\n  Python      {python!r}")
    print(f"\n{edition}: {len(cases)} fills, {len(texts_seen)} different drafted texts")
    assert not failures, f"{len(failures)} drafted texts differ:\n" + "\n".join(failures[:20])
    assert len(texts_seen) > len(cases)  # the fills really vary the sentences


@pytest.mark.parametrize("edition", EDITIONS)
def test_cached_drafts_in_the_template_are_pythons_and_survive_recalculation(calc, tmp_path, edition):
    form = load_form(edition)
    layout = build_layout(load_form(edition))
    _, values = make_fill(form, SEED_BASE[edition] + 77)  # a balanced fill
    values = {k: v for k, v in values.items() if not isinstance(v, str)}
    path = tmp_path / "filled.xlsx"
    path.write_bytes(build_template(YEAR[edition], load_form(edition), values=values))
    want = draft_texts(form, _defaults(form) | values)
    with calc.opened(path) as doc:
        cached = calc.read(doc, draft_cells(layout))  # as stored: not recalculated on load
        calc.calculate_all(doc)
        recalculated = calc.read(doc, draft_cells(layout))
        info = calc.sheets(doc, draft_cells(layout))
    for part, c, r in zip(drafted_parts(form), cached, recalculated, strict=True):
        assert c["string"] == r["string"] == want["draft." + part]
        assert r["formula"].startswith("=")
    assert all(info["locked"]), "the 参考表述 cells are locked"


def test_the_formulas_use_only_classic_functions_and_fit_excels_limits():
    for edition in EDITIONS:
        layout = build_layout(load_form(edition))
        assert list(drafted_parts(layout.form)) == ["s1.proactive", "s1.on_request"]
        for part in drafted_parts(layout.form):
            formula = draft_formula(layout.form, layout, part)
            assert len(formula) < 8192
            functions = set(re.findall(r"([A-Z]+)\(", formula))
            assert functions <= {"IF", "AND", "OR", "ROUND", "SUM", "FIXED"}, functions
            for literal in re.findall(r'"((?:[^"]|"")*)"', formula):
                assert len(literal) <= 255
