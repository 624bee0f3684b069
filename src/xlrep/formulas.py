"""The workbook's formulas and identity: what the template writes and the reader expects.

Both sides reach this one module, so a formula is built in exactly one place: the
template writes it (with ``engine``'s result as its cached value) and the reader
compares what it finds with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import __version__
from .engine import ALL_PASSED, MOST_DECIMALS, PASS, number_text_formula
from .form import Cell, Form
from .layout import Layout, build_layout, cell_ref, live_items, quote_sheet

#: Changes whenever the workbook's structure changes (cells, formulas, labels, sheets).
#: 1.1: the 参考表述 (drafted paragraph) cells under the parts of 一 that have one.
#: 1.2: formulas every spreadsheet program computes alike (issue 19): text numbers counted cell by cell with
#: ISTEXT (no array evaluation), numbers shown in text through FIXED (no binary-float artefacts), a check
#: passes when its difference rounds to 0 at 6 decimals.
TEMPLATE_VERSION = "1.2"
GENERATOR = "xlrep"
#: The template version that first wrote the drafted paragraphs: a workbook of an earlier one has none.
DRAFTS_SINCE = "1.1"
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


def ranges(cells: list[tuple[int, int]]) -> list[str]:
    """Compress cell positions into as few A1 ranges as possible (rows of runs, stacked)."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for row, col in sorted(cells):
        row_runs = runs.setdefault(row, [])
        if row_runs and row_runs[-1][1] == col - 1:
            row_runs[-1] = (row_runs[-1][0], col)
        else:
            row_runs.append((col, col))
    rects: list[list[int]] = []  # [first_row, last_row, first_col, last_col]
    for row in sorted(runs):
        for c1, c2 in runs[row]:
            for rect in rects:
                if rect[1] == row - 1 and rect[2] == c1 and rect[3] == c2:
                    rect[1] = row
                    break
            else:
                rects.append([row, row, c1, c2])
    out = []
    for r1, r2, c1, c2 in rects:
        first, last = cell_ref(r1, c1), cell_ref(r2, c2)
        out.append(first if first == last else f"{first}:{last}")
    return out


def _by_sheet(layout: Layout, keys) -> dict[str, list[tuple[int, int]]]:
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for key in keys:
        s, r, c = layout.addresses[key]
        by_sheet.setdefault(s, []).append((r, c))
    return by_sheet


def _ref_list(layout: Layout, keys, sheet: str) -> str:
    """Operands as references relative to ``sheet`` (sheet-qualified when elsewhere)."""
    parts = []
    for s, cells in _by_sheet(layout, keys).items():
        prefix = "" if s == sheet else quote_sheet(s) + "!"
        parts.extend(prefix + ref for ref in ranges(cells))
    return ",".join(parts)


def total_formula(layout: Layout, cell: Cell) -> str:
    return f"=SUM({_ref_list(layout, cell.sum_of, cell.sheet)})"


def check_formula(layout: Layout, check_id: str, portable: bool = True) -> str:
    """A declared check's cell: ✔, or ✘ 差 and the difference (``portable=False``: as template 1.1 wrote it)."""
    check = next(c for c in layout.form.checks if c.id == check_id)
    sheet = layout.addresses[check_id][0]
    diff = f"(SUM({_ref_list(layout, check.left, sheet)})-SUM({_ref_list(layout, check.right, sheet)}))"
    if not portable:
        return f'=IF({diff}=0,"{PASS}","✘ 差"&{diff})'
    zero = f"ROUND({diff}*1{'0' * MOST_DECIMALS},0)=0"  # float noise is no difference, in every program
    return f'=IF({zero},"{PASS}","✘ 差"&{number_text_formula(diff)})'


def live_formula(layout: Layout, item_id: str, portable: bool = True) -> str:
    """The formula of one row's status cell on the 校验 sheet (``portable=False``: as template 1.1 wrote it).

    Text numbers are counted cell by cell, ``ISTEXT(a)+ISTEXT(b)+…``: ``SUMPRODUCT(--ISTEXT(range))`` needs
    array evaluation, which Gnumeric does not do there (it counts 0), and COUNTIF(range,"*") or
    COUNTA-COUNT count numbers or logical values too in some programs."""
    form = layout.form
    if item_id in layout.addresses:  # a declared check: show its cell
        s, r, c = layout.addresses[item_id]
        return f"={quote_sheet(s)}!{cell_ref(r, c)}"
    table, what = item_id.split(".")
    cells = form.table_inputs(table)
    if what == "value_negative":
        cells = [c for c in cells if c.kind != "signed"]
    all_ranges = [
        f"{quote_sheet(s)}!{ref}" for s, pos in _by_sheet(layout, [c.key for c in cells]).items() for ref in ranges(pos)
    ]
    if what == "value_text" and not portable:
        count = "+".join(f"SUMPRODUCT(--ISTEXT({r}))" for r in all_ranges)
    elif what == "value_text":
        count = "+".join(f"ISTEXT({ref})" for ref in _cell_list(layout, [c.key for c in cells]))
    else:
        count = "+".join(f'COUNTIF({r},"<0")' for r in all_ranges)
    return f'=IF(({count})=0,"{PASS}","✘ "&({count})&"个")'


def _cell_list(layout: Layout, keys) -> list[str]:
    """Each cell as a sheet-qualified reference, in the layout's order."""
    out = []
    for key in keys:
        s, r, c = layout.addresses[key]
        out.append(f"{quote_sheet(s)}!{cell_ref(r, c)}")
    return out


def status_formula(layout: Layout) -> str:
    rows = [layout.addresses["live." + item.id] for item in live_items(layout.form)]
    first = cell_ref(rows[0][1], rows[0][2])
    last = cell_ref(rows[-1][1], rows[-1][2])
    n = len(rows)
    passed = f'COUNTIF({first}:{last},"{PASS}")'
    return f'=IF({passed}={n},"{ALL_PASSED}",({n}-{passed})&" 项未通过")'


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

    def add(key: str, make, label: str, position=None, since: str | None = None) -> None:
        sheet, row, col = position or layout.addresses[key]
        formula, older = make(True), make(False)
        older = older if older != formula else None
        out.append(FormulaCell(key, sheet, cell_ref(row, col), formula, label, since, older))

    for cell in form.totals:
        add(cell.key, lambda portable, cell=cell: total_formula(layout, cell), cell.label)
    for check in form.checks:
        add(check.id, lambda portable, c=check.id: check_formula(layout, c, portable), check.label)
    for item in live_items(form):
        add("live." + item.id, lambda portable, i=item.id: live_formula(layout, i, portable), item.label)
    add("status", lambda portable: status_formula(layout), "总体状态", layout.status_cell)
    from .drafting import DRAFT_PREFIX, draft_formula, drafted_parts

    for key in drafted_parts(form):
        label = f"参考表述（{form.cells[key].label}）"
        make = lambda portable, key=key: draft_formula(form, layout, key, portable)  # noqa: E731
        add(DRAFT_PREFIX + key, make, label, since=DRAFTS_SINCE)
    return tuple(out)
