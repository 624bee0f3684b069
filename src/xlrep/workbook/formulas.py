"""The workbook's formulas and identity: what the template writes and the reader expects.

Both sides reach this one module, so a formula is built in exactly one place: each computed cell's
description (``computed``) written where ``layout`` places it. The template writes it (with ``engine``'s
result of the same description as its cached value) and the reader compares what it finds with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .. import __version__
from ..edition.form import Form
from .cellexpr import cell_ref, formula
from .computed import computed_cells
from .layout import build_layout

#: Changes whenever the workbook's structure changes (cells, formulas, labels, sheets).
#: 1.1: the 参考表述 (drafted paragraph) cells under the parts of 一 that have one.
#: 1.2: formulas every spreadsheet program computes alike (issue 19): text numbers counted cell by cell with
#: ISTEXT (no array evaluation), numbers shown in text through FIXED (no binary-float artefacts), a check
#: passes when its difference rounds to 0 at 6 decimals.
TEMPLATE_VERSION = "1.2"
GENERATOR = "xlrep"
#: The template version that first wrote the portable formulas: an earlier workbook's are accepted as written.
PORTABLE_SINCE = "1.2"


def version_tuple(text: str) -> tuple[int, ...]:
    """A template version as numbers, for comparing (``"1.10"`` is newer than ``"1.9"``)."""
    return tuple(int(p) for p in re.findall(r"\d+", text))


def template_identity(form: Form, year: int) -> dict[str, str]:
    """What identifies a workbook made by xlrep: stored as document properties and on the hidden sheet."""
    return {
        "xlrep.generator": GENERATOR,
        "xlrep.generator_version": __version__,
        "xlrep.edition": form.edition,
        "xlrep.year": str(year),
        "xlrep.template_version": TEMPLATE_VERSION,
        "xlrep.form_fingerprint": form.fingerprint,
    }


@dataclass(frozen=True)
class FormulaCell:
    """A cell the template fills with a formula: a total (form key), a check, a 校验 row, the status, or a
    drafted paragraph (``draft.<part key>``)."""

    key: str
    sheet: str
    a1: str
    formula: str
    label: str
    since: str | None = None  # the template version that first wrote it (older workbooks do not have it)
    older: str | None = None  # what templates before ``PORTABLE_SINCE`` wrote there, when not ``formula``


@cache
def expected_formulas(form: Form) -> tuple[FormulaCell, ...]:
    """Every formula the template writes, where it writes it."""
    layout = build_layout(form)
    out = []
    for cell in computed_cells(form):
        sheet, row, col = layout.addresses[cell.key]
        text, older = (formula(cell.expr, layout.addresses, sheet, portable) for portable in (True, False))
        out.append(
            FormulaCell(
                cell.key, sheet, cell_ref(row, col), text, cell.label, cell.since, older if older != text else None
            )
        )
    return tuple(out)


def formulas_by_key(form: Form) -> dict[str, str]:
    """The formula of each computed cell, by its id."""
    return {f.key: f.formula for f in expected_formulas(form)}
