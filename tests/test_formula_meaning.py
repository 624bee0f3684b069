"""TEMPLATE-TAMPERED by meaning, not spelling (issue 19): a generated corpus both ways.

Every formula the template writes is respelled as other programs save it (``formula_edits.respell``):
each respelling must read as the template's formula — first by ``same_formula``, then through the
reader and the rules, in workbooks whose every formula cell holds a respelling. And every formula gets
meaning-changing edits (``formula_edits.change``): each must be caught, the finding naming its cell.
"""

from __future__ import annotations

import random
from collections import Counter

import openpyxl
import pytest
from filling import clean_values, fill_workbook
from formula_edits import CHANGES, RESPELLINGS, change, respell

from xlrep.auditing.ingest import audit
from xlrep.edition.form import load_form
from xlrep.workbook.formula_meaning import canonical, same_formula
from xlrep.workbook.formulas import PORTABLE_SINCE, TEMPLATE_VERSION, expected_formulas

EDITIONS = {"2019": 2020, "2021": 2022}
ROUNDS = 2  # workbooks per edition and direction: ~57 formula cells each, so > 200 edits both ways


def formula_cells(edition: str):
    return expected_formulas(load_form(edition))


def tampered_cells(result) -> dict[tuple[str, str], object]:
    return {(c.sheet, c.cell): f for f in result.findings if f.rule == "TEMPLATE-TAMPERED" for c in f.cells}


# -- the comparison itself -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ("=SUMPRODUCT(-(-ISTEXT('二、主动公开'!B6:D7)))", "=SUMPRODUCT(--ISTEXT('二、主动公开'!B6:D7))"),
        ("= sum( $D$7 ; d8:D9 )", "=SUM(D7,D8:D9)"),
        ("=_xlfn.SUM(校验!A1)+(+1)", "=SUM(A1)+1"),
        ('=IF(((A1)=0),"✔","✘ 差"&(A1))', '=IF(A1=0,"✔","✘ 差"&A1)'),
        ("=SUM(B2:A1)", "=SUM(A1:B2)"),
        ("=SUM(A1:A1)*1.0", "=SUM(A1)*1E0"),
    ],
)
def test_respelled_formulas_are_the_same(found, expected):
    assert same_formula(found, expected, "校验")


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ("=SUMPRODUCT(-ISTEXT(A1:B2))", "=SUMPRODUCT(--ISTEXT(A1:B2))"),
        ("=A1-B1-C1", "=A1-(B1-C1)"),
        ("=-A1^2", "=-(A1^2)"),
        ('="✔ "', '="✔"'),
        ("=SUM(A1,B1)", "=SUM(B1,A1)"),  # the same number, but not the template's formula
        ("='二、主动公开'!A1", "=A1"),  # another sheet's cell
        ("=SUM(A1", "=SUM(A1)"),  # unparsable: compared as text
        ("=A1:B2 B1:B3", "=A1:B2"),  # a space between references is the intersection
    ],
)
def test_changed_formulas_differ(found, expected):
    assert not same_formula(found, expected, "校验")


@pytest.mark.parametrize(
    "hostile",
    ["=" + "(" * 5000 + "A1" + ")" * 5000, "=" + "-" * 5000 + "A1", "=" + "+".join(["A1"] * 20_000), "=A1 " * 3000],
    ids=["5000-parentheses", "5000-minus-signs", "20000-terms", "3000-intersections"],
)
def test_a_hostile_formula_is_only_different_never_a_crash(hostile):
    assert not same_formula(hostile, "=SUM(A1)", "校验")


def test_the_template_formulas_all_parse():
    for edition in EDITIONS:
        for cell in formula_cells(edition):
            assert canonical(cell.formula, cell.sheet)


# -- the generated corpus -------------------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_respellings_read_as_untampered(tmp_path, edition):
    year = EDITIONS[edition]
    rng = random.Random(f"respell-{edition}")
    cells = formula_cells(edition)
    used: Counter[str] = Counter()
    total = 0
    for round_ in range(ROUNDS):
        overrides = {}
        for cell in cells:
            text, names = respell(cell.formula, cell.sheet, rng)
            used.update(names)
            assert same_formula(text, cell.formula, cell.sheet), (cell.key, names, text)
            overrides[(cell.sheet, cell.a1)] = text
        path = fill_workbook(
            tmp_path / f"respelled-{round_}.xlsx", edition, year, clean_values(edition, year), overrides
        )
        found = tampered_cells(audit(path))
        assert not found, [f.message for f in found.values()][:5]
        total += len(overrides)
    print(f"\n{edition}: {total} respellings read as untampered; {dict(used)}")
    assert total >= 100 and set(used) == set(RESPELLINGS)


@pytest.mark.parametrize("edition", EDITIONS)
def test_meaning_changes_are_caught_naming_the_cell(tmp_path, edition):
    year = EDITIONS[edition]
    rng = random.Random(f"change-{edition}")
    cells = formula_cells(edition)
    kinds: Counter[str] = Counter()
    total = 0
    for round_ in range(ROUNDS):
        overrides = {}
        for i, cell in enumerate(cells):
            kind = list(CHANGES)[(i + round_) % len(CHANGES)]
            text, made = change(cell.formula, rng, kind)
            kinds[made] += 1
            assert not same_formula(text, cell.formula, cell.sheet), (cell.key, made, text)
            overrides[(cell.sheet, cell.a1)] = text
        path = fill_workbook(tmp_path / f"changed-{round_}.xlsx", edition, year, clean_values(edition, year), overrides)
        found = tampered_cells(audit(path))
        missed = [f"{s}!{a}" for s, a in overrides if (s, a) not in found]
        assert not missed, f"{len(missed)} edits not caught: {missed[:10]}"
        for (sheet, a1), text in overrides.items():
            assert found[(sheet, a1)].values.get("found") == text, (sheet, a1)
        total += len(overrides)
    print(f"\n{edition}: {total} meaning-changing edits caught; {dict(kinds)}")
    assert total >= 100 and set(kinds) == set(CHANGES)


# -- formulas an older template wrote ---------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("version", ["1.1", TEMPLATE_VERSION])
def test_an_older_templates_formulas_are_accepted_only_in_its_workbooks(tmp_path, edition, version):
    """Template 1.1 wrote SUMPRODUCT(--ISTEXT(…)) and numbers joined with & alone: still its own formulas in a
    1.1 workbook; in a workbook of the current template they are not what it wrote."""
    year = EDITIONS[edition]
    older = {(c.sheet, c.a1): c.older for c in formula_cells(edition) if c.older}
    assert len(older) >= 10
    path = fill_workbook(tmp_path / "older.xlsx", edition, year, clean_values(edition, year), older)
    wb = openpyxl.load_workbook(path)
    for prop in wb.custom_doc_props.props:
        if prop.name == "xlrep.template_version":
            prop.value = version
    wb.save(path)
    found = tampered_cells(audit(path))
    if version < PORTABLE_SINCE:
        assert not found
    else:
        assert set(found) == set(older)
