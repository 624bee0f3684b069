"""The language of computed cells on a small made-up sheet: what Python evaluates and the formula it writes.

The template's own cells are held to be7d8cd's formulas and results by ``test_formula_text.py`` and to real
spreadsheet programs by ``test_real_client.py`` / ``test_engines.py``; this is the language by itself.
"""

from __future__ import annotations

import pytest

from xlrep.workbook.cellexpr import (
    PASS,
    Amount,
    CountIf,
    CountText,
    Minus,
    NearZero,
    Number,
    Packed,
    Plain,
    Sum,
    Text,
    When,
    Zero,
    evaluate,
    formula,
)

# a1..a3 down column B of 表 (rows 2-4), b on another sheet
WHERE = {"a1": ("表", 1, 1), "a2": ("表", 2, 1), "a3": ("表", 3, 1), "b": ("其他", 0, 0)}


def test_a_sum_in_order_and_packed():
    assert formula(Sum(("a1", "a2", "a3", "b")), WHERE, "表") == "=SUM(B2:B4,'其他'!A1)"
    assert formula(Packed(("a3", "b", "a1", "a2")), WHERE, "表") == "=SUM(B2:B4,'其他'!A1)"
    assert formula(Sum(("a3", "a1")), WHERE, "表") == "=SUM(B4,B2)"
    assert evaluate(Sum(("a1", "a2", "a3", "b")), {"a1": 1, "a2": "3", "a3": True, "b": 2.5}) == 3.5


@pytest.mark.parametrize(
    ("op", "value", "values", "n"),
    [
        ("<", 0, {"a1": -1, "a2": 0, "a3": "-2"}, 1),
        (">", 100000, {"a1": 100001, "a2": 100000}, 1),
        ("<>", 0, {"a1": 2, "a2": 0.5}, 2),
    ],
)
def test_count_if(op, value, values, n):
    node = CountIf(("a1", "a2", "a3"), op, value)
    assert evaluate(node, values) == n
    assert formula(node, WHERE, "校验") == f"=(COUNTIF('表'!B2:B4,\"{op}{value}\"))"


def test_count_text_cell_by_cell_and_as_template_11_wrote_it():
    node = CountText(("a1", "a2"))
    assert evaluate(node, {"a1": "12件", "a2": 12}) == 1
    assert formula(node, WHERE, "校验") == "=(ISTEXT('表'!B2)+ISTEXT('表'!B3))"
    assert formula(node, WHERE, "校验", portable=False) == "=(SUMPRODUCT(--ISTEXT('表'!B2:B3)))"


def test_a_check_text():
    diff = Minus(Packed(("a1",)), Packed(("a2",)))
    shows = (When(NearZero(diff), (Text(PASS),), (Text("✘ 差"), Amount(diff))),)
    assert evaluate(shows, {"a1": 10.1 + 0.2, "a2": 10.3}) == PASS  # float noise is no difference
    assert evaluate(shows, {"a1": 5, "a2": 2.25}) == "✘ 差2.75"
    assert formula(shows, WHERE, "表", portable=False) == '=IF((SUM(B2)-SUM(B3))=0,"✔","✘ 差"&(SUM(B2)-SUM(B3)))'
    assert formula(shows, WHERE, "表").startswith('=IF(ROUND((SUM(B2)-SUM(B3))*1000000,0)=0,"✔","✘ 差"&FIXED(')


def test_text_pieces():
    count = CountIf(("a1", "a2"), "<", 0)
    parts = (
        Text("共"),
        Number(Sum(("a1", "a2"))),
        Text("件"),
        When(Zero(count), (), (Text("，"), Plain(count), Text("个负数"))),
    )
    assert evaluate(parts, {"a1": 3, "a2": -1}) == "共2件，1个负数"
    assert evaluate(parts, {"a1": 3, "a2": 1}) == "共4件"
    assert formula(parts, WHERE, "表") == (
        '="共"&FIXED(SUM(B2:B3),0,TRUE)&"件"&IF((COUNTIF(\'表\'!B2:B3,"<0"))=0,"","，"&(COUNTIF(\'表\'!B2:B3,"<0"))&"个负数")'
    )


def test_a_formula_longer_than_excel_takes_is_refused():
    with pytest.raises(ValueError):
        formula((Text("字" * 9000),), WHERE, "表")
