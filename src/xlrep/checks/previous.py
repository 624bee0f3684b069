"""Across years: what last year's workbook says about this year's (``--previous``, ``template --from``).

The edition files declare how years relate (``[across_years]``): which cells are
copied, which equal a sum of last year's cells (上年结转 = 结转下年度; 2021's 现行有效件数
= last year's + 本年制发 − 本年废止; 2019's 上一年项目数量), which are comparable, and
how one edition's cells equal another's (2019's single （六）其他处理 row = the sum of
2021's three). Across editions only what both declare is related (format.md §6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from fnmatch import fnmatchcase

from ..edition.form import Carry, Form, matches
from ..workbook.cellexpr import as_number, format_number
from ..workbook.engine import all_values
from ..workbook.readresult import ReadResult

TEXT_COPY_RATIO = 0.8


@dataclass(frozen=True)
class CarriedCell:
    """One cell of a ``Carry``: this year's ``key`` = Σ last year's ``last`` + Σ this year's ``plus`` − ``minus``."""

    carry: Carry
    key: str
    last: tuple[str, ...]
    plus: tuple[str, ...]
    minus: tuple[str, ...]


def carried_cells(form: Form, last_form: Form) -> list[CarriedCell]:
    """Every carried cell of ``form`` whose cells exist this year and last year."""
    out = []
    for carry in form.carries:
        for key, part in matches(carry.cell, form.cells):
            last, plus, minus = ([p.replace("*", part) for p in ps] for ps in (carry.last, carry.plus, carry.minus))
            if all(k in last_form.cells for k in last) and all(k in form.cells for k in plus + minus):
                out.append(CarriedCell(carry, key, tuple(last), tuple(plus), tuple(minus)))
    return out


def comparable_figures(result: ReadResult) -> dict[str, float | int]:
    """The comparable cells ([across_years] comparable), with the cells another edition sums under its own key."""
    form = result.form
    full = all_values(form, result.values)
    out: dict[str, float | int] = {}
    summed: set[str] = set()
    for pattern, parts in form.same_as:
        for _, part in matches(parts[0], form.cells):
            keys = [p.replace("*", part) for p in parts]
            if all(k in form.cells for k in keys):
                out[pattern.replace("*", part)] = sum(as_number(full.get(k)) or 0 for k in keys)
                summed.update(keys)
    for key in form.cells:
        if key not in summed and any(fnmatchcase(key, p) for p in form.comparable):
            out[key] = as_number(full.get(key)) or 0
    return out


#: Longest text (characters, spaces left out) compared character by character with difflib, whose work grows with
#: the product of the two lengths (two parts of 32,767 digits took minutes); a real part is a few hundred
#: characters. Longer texts are compared by their runs of four characters, in time linear in their length.
DIFFLIB_LIMIT = 1_000
SHINGLE = 4


def text_similarity(a: str, b: str) -> float:
    """Share of matching characters, years masked so a changed year alone does not hide a copy: difflib's ratio,
    or for a text over ``DIFFLIB_LIMIT`` characters the share of their four-character runs in common (both 1.0
    for the same text, near 0 for different ones)."""

    def mask(s: str) -> str:
        return re.sub(r"20\d\d", "####", re.sub(r"\s+", "", s))

    a, b = mask(a), mask(b)
    if max(len(a), len(b)) <= DIFFLIB_LIMIT:
        return SequenceMatcher(None, a, b, autojunk=False).ratio()
    from collections import Counter

    runs_a = Counter(a[i : i + SHINGLE] for i in range(len(a) - SHINGLE + 1))
    runs_b = Counter(b[i : i + SHINGLE] for i in range(len(b) - SHINGLE + 1))
    total = sum(runs_a.values()) + sum(runs_b.values())
    return 2 * sum((runs_a & runs_b).values()) / total if total else 1.0


def carry_over(previous: ReadResult, form: Form) -> tuple[dict[str, object], dict[str, str], dict[str, object]]:
    """What ``template --from`` pre-fills: values, the note for each pre-filled cell, and reference figures."""
    prev_form = previous.form
    prev_full = all_values(prev_form, previous.values)
    values: dict[str, object] = {}
    notes: dict[str, str] = {}
    references: dict[str, object] = {}
    source = f"{previous.year} 年度填报表" if previous.year else "上年填报表"
    for key in form.copy_from_last_year:
        value = previous.values.get(key)
        if value not in (None, "") and key in prev_form.cells:
            values[key] = value
            notes[key] = f"由{source}预填，请核对。"
    for cell in carried_cells(form, prev_form):
        if not cell.carry.prefill or not form.cells[cell.key].is_input:  # a total stays a formula
            continue
        value = sum(as_number(prev_full.get(k)) or 0 for k in cell.last)
        values[cell.key] = value
        parts = " + ".join(_quoted(prev_form, k) for k in cell.last)
        notes[cell.key] = f"= {source}{parts} = {format_number(value)}。请核对。"
    for pattern in form.references:
        for key in form.keys(pattern):
            if key in prev_form.cells:
                references[key] = as_number(prev_full.get(key)) or 0
    return values, notes, references


def _quoted(form: Form, key: str) -> str:
    cell = form.cells[key]
    return f"“{cell.row_label}”（{cell.column_label}）" if cell.row_label else f"“{cell.label}”"
