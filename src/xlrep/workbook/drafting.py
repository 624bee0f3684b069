"""Drafted sentences: the standard 依申请公开 and 主动公开 statements, as text and as formula.

The paragraphs are described once (``paragraphs``, in the language of ``cellexpr``) and rendered two
ways: ``draft_on_request`` / ``draft_proactive`` / ``draft_texts`` evaluate them in Python, and
``draft_formula`` writes one as one Excel formula (IF, AND, OR, ROUND, SUM, FIXED and ``&`` only — no
TEXTJOIN/IFS/LET/CONCAT; numbers through FIXED, never ``&`` alone, whose digits differ by program — so
Excel, WPS, LibreOffice and Gnumeric compute the same text as Python, docs/compatibility.md).
``published_drafts`` gives the empty parts a report publishes as their draft.
"""

from __future__ import annotations

from collections.abc import Mapping

from .cellexpr import evaluate, formula, keys_of
from .engine import all_values
from .paragraphs import (  # noqa: F401  (the drafted parts are asked about through this module too)
    DRAFT_PREFIX,
    DRAFTED_PARTS,
    FILLS_EMPTY,
    description,
    draft_hint,
    drafted_parts,
)


def _full(form, values: Mapping[str, object], totals: Mapping[str, object] | None = None) -> dict[str, object]:
    if totals is None:
        return all_values(form, values)
    return {**values, **totals}


def draft_on_request(form, values: Mapping[str, object]) -> str:
    """The standard （二）依申请公开 paragraph for these input values (totals recomputed)."""
    return evaluate(description(form, "on_request"), _full(form, values))


def draft_proactive(form, values: Mapping[str, object]) -> str:
    """The standard 表二 sentence of （一）主动公开 for these input values."""
    return evaluate(description(form, "proactive"), _full(form, values))


def draft_texts(form, values: Mapping[str, object], totals: Mapping[str, object] | None = None) -> dict[str, str]:
    """Every drafted part, by ``draft.<part key>`` (as the layout names the cells); ``totals`` if already computed."""
    full = _full(form, values, totals)
    return {DRAFT_PREFIX + key: evaluate(description(form, role), full) for key, role in drafted_parts(form).items()}


def published_drafts(result) -> dict[str, str]:
    """The empty parts a report publishes as their drafted paragraph (（二）依申请公开): part key → text.

    Not in a workbook made from a published report whose section holds text elsewhere: a report printed
    without sub-headings has all of it in the first part, and what it did not state is not added to it. Nor,
    in such a workbook, a sentence from a table the import did not find (all its cells blank): imported
    without 表四, the report says nothing of 行政复议 and 行政诉讼; without 表三, nothing is drafted.
    """
    form, values = result.form, result.values
    imported = result.imported_from is not None
    unfound = _unfound_tables(form, values) if imported else set()
    out = {}
    for key, role in drafted_parts(form).items():
        if role not in FILLS_EMPTY or values.get(key) not in (None, ""):
            continue
        sheet = form.cells[key].sheet
        if imported and any(values.get(c.key) for c in form.narrative_parts if c.sheet == sheet):
            continue
        parts = description(form, role)
        if unfound:
            parts = tuple(p for p in parts if not {_table_of(k) for k in keys_of(p)} & unfound)
            if not any(keys_of(p) for p in parts):
                continue  # no figure left to say
        out[key] = evaluate(parts, _full(form, values))
    return out


def _table_of(key: str) -> str:
    return key.split(".", 1)[0]


def _unfound_tables(form, values: Mapping[str, object]) -> set[str]:
    """Tables of which every numeric input is blank: in an imported workbook, the tables the report did not have."""
    filled: dict[str, bool] = {}
    for cell in form.inputs:
        if cell.is_numeric:
            table = _table_of(cell.key)
            filled[table] = filled.get(table, False) or values.get(cell.key) not in (None, "")
    return {table for table, any_filled in filled.items() if not any_filled}


def draft_formula(form, layout, key: str, portable: bool = True) -> str:
    """The Excel formula of the 参考表述 cell of part ``key`` (the part playing ``on_request`` …);
    ``portable=False``: as template 1.1 wrote it."""
    sheet = layout.addresses[DRAFT_PREFIX + key][0]
    return formula(description(form, drafted_parts(form)[key]), layout.addresses, sheet, portable)


__all__ = [
    "DRAFTED_PARTS",
    "DRAFT_PREFIX",
    "FILLS_EMPTY",
    "draft_formula",
    "draft_hint",
    "draft_on_request",
    "draft_proactive",
    "draft_texts",
    "drafted_parts",
    "published_drafts",
]
