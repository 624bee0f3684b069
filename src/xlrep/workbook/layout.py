"""Where every part of the form sits in the workbook.

``build_layout(form)`` places each sheet's title, labels, input cells, totals and
live checks on a grid of (row, column), zero-based. The template writer renders
this layout; the reader and the tests use the very same layout to find cells and
to verify labels, so a position is decided in exactly one place. Computed cells are
placed by their id only (``computed`` describes them, ``formulas`` writes them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from ..common.terminal import display_width
from ..edition.form import Fields, Form, Grid, Texts
from .cellexpr import cell_ref, quote_sheet
from .computed import LIVE_PREFIX, STATUS, live_items
from .paragraphs import DRAFT_LABEL, DRAFT_PREFIX, draft_hint, drafted_parts

INSTRUCTIONS_SHEET = "填报说明"
CHECKS_SHEET = "校验"
META_SHEET = "_xlrep"

# Item kinds that carry official or fixed label text (verified when reading).
LABEL_KINDS = frozenset(
    {
        "title",
        "caption",
        "corner",
        "header",
        "row_label",
        "group_label",
        "group_label_v",
        "check_label",
        "field_label",
        "heading",
    }
)


@dataclass(frozen=True)
class Item:
    kind: str
    row: int
    col: int
    last_row: int | None = None
    last_col: int | None = None
    text: str | None = None
    key: str | None = None  # form cell key (input/total) or live check id (check)

    @property
    def merged(self) -> bool:
        return (self.last_row or self.row) != self.row or (self.last_col or self.col) != self.col


@dataclass(frozen=True)
class GridRegion:
    """Where one official table sits: header and data rows, without xlrep's own check rows."""

    grid: Grid
    first_row: int  # first header row
    last_row: int  # last data row
    first_col: int
    last_col: int
    header_rows: int
    label_cols: int


@dataclass
class SheetLayout:
    name: str
    items: list[Item] = field(default_factory=list)
    grids: list[GridRegion] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    landscape: bool = False
    repeat_rows: tuple[int, int] | None = None
    last_col: int = 0

    @property
    def last_row(self) -> int:
        return max((i.last_row if i.last_row is not None else i.row) for i in self.items)

    def add(
        self, kind: str, row: int, col: int, last_row: int | None = None, last_col: int | None = None, **kw
    ) -> Item:
        item = Item(kind, row, col, last_row, last_col, **kw)
        self.items.append(item)
        return item


@dataclass
class Layout:
    form: Form
    sheets: list[SheetLayout]
    addresses: dict[str, tuple[str, int, int]]  # form key or computed cell id -> (sheet, row, col)
    status_cell: tuple[str, int, int]  # the overall status on the 校验 sheet

    def sheet(self, name: str) -> SheetLayout:
        return next(s for s in self.sheets if s.name == name)


def _lines(text: str, width_chars: float) -> int:
    return max(1, math.ceil(display_width(text) / max(1.0, width_chars - 1)))


# Column widths (Excel character units).
TEXT_LABEL_WIDTH = 24
TEXT_INPUT_WIDTH = 92
TEXT_HINT_WIDTH = 34
LINE_HEIGHT = 15.0  # points per wrapped line at 11 pt


def _grid_geometry(grid: Grid) -> tuple[int, int]:
    label_cols = (max(len(r.group) for r in grid.rows) + 1) if grid.has_row_labels else 0
    header_depth = max(len(c.group) for c in grid.columns) + 1
    return label_cols, header_depth


def _grid_widths(grids: list[Grid]) -> tuple[list[float], float]:
    label_cols = max(_grid_geometry(g)[0] for g in grids)
    n_values = max(len(g.columns) for g in grids)
    if label_cols == 3:
        labels = [5.0, 12.0, 44.0]
    elif label_cols == 1:
        labels = [26.0]
    else:
        labels = []
    value = 18.0 if n_values <= 3 else (11.0 if n_values <= 7 else 9.0)
    return labels, value


def _runs(groups: list[tuple[str, ...]], level: int):
    """(first, last, group label) of each run of entries sharing their group at ``level``;
    (i, i, None) for an entry whose own label sits at that level; entries above it are skipped."""
    i = 0
    while i < len(groups):
        if level < len(groups[i]):
            prefix = groups[i][: level + 1]
            k = i
            while k + 1 < len(groups) and groups[k + 1][: level + 1] == prefix:
                k += 1
            yield i, k, groups[i][level]
            i = k + 1
            continue
        if level == len(groups[i]):
            yield i, i, None
        i += 1


def _place_header(sl: SheetLayout, grid: Grid, r: int, label_cols: int, depth: int, widths: dict) -> None:
    """The caption's table header: the corner over the label columns, column groups merged across."""
    if label_cols:
        sl.add("corner", r, 0, r + depth - 1, label_cols - 1, text=grid.corner or "")
    groups = [c.group for c in grid.columns]
    for level in range(depth):
        for j, k, group in _runs(groups, level):
            if group is not None:
                sl.add("header", r + level, label_cols + j, r + level, label_cols + k, text=group)
            else:
                sl.add("header", r + level, label_cols + j, r + depth - 1, label_cols + j, text=grid.columns[j].label)
        sl.heights[r + level] = 30 if depth > 1 else 34
    if grid.corner and label_cols:
        needed = _lines(grid.corner, sum(widths.get(i, 10) for i in range(label_cols))) * LINE_HEIGHT
        if needed > 30 * depth:
            for level in range(depth):
                sl.heights[r + level] = needed / depth


def _place_rows(sl: SheetLayout, grid: Grid, first: int, label_cols: int, widths: dict, addresses: dict) -> None:
    """Row labels (group labels merged down over their rows) and the value cells."""
    groups = [r.group for r in grid.rows]
    for level in range(label_cols):
        for i, k, group in _runs(groups, level):
            if group is not None:
                kind = "group_label_v" if level == 0 and k - i >= 6 else "group_label"
                sl.add(kind, first + i, level, first + k, level, text=group)
            else:
                sl.add("row_label", first + i, level, first + i, label_cols - 1, text=grid.rows[i].label)
    for i, row in enumerate(grid.rows):
        label_width = sum(widths.get(c, 10) for c in range(len(row.group), label_cols))
        sl.heights[first + i] = max(20.0, _lines(row.label, label_width) * LINE_HEIGHT + 4) if row.label else 26.0
        for j, column in enumerate(grid.columns):
            key = grid.cell_key(row, column)
            sl.add("total" if (column.sum_of or row.sum_of_rows) else "input", first + i, label_cols + j, key=key)
            addresses[key] = (sl.name, first + i, label_cols + j)


def _place_grid(sl: SheetLayout, grid: Grid, top: int, addresses: dict, widths: dict[int, float]) -> int:
    label_cols, depth = _grid_geometry(grid)
    last_col = label_cols + len(grid.columns) - 1
    r = top
    if grid.caption:
        sl.add("caption", r, 0, r, last_col, text=grid.caption)
        sl.heights[r] = 20
        r += 1
    header_top = r
    _place_header(sl, grid, r, label_cols, depth, widths)
    r += depth
    _place_rows(sl, grid, r, label_cols, widths, addresses)
    r += len(grid.rows)
    sl.grids.append(GridRegion(grid, header_top, r - 1, 0, last_col, depth, label_cols))
    for check in grid.checks:
        if label_cols:
            sl.add("check_label", r, 0, r, label_cols - 1, text=check.label)
        for j, column in enumerate(grid.columns):
            check_id = grid.check_id(check, column)
            sl.add("check", r, label_cols + j, key=check_id)
            addresses[check_id] = (sl.name, r, label_cols + j)
        sl.heights[r] = 24
        r += 1
    sl.last_col = max(sl.last_col, last_col)
    if sl.repeat_rows is None and depth > 1:
        sl.repeat_rows = (0, header_top + depth - 1)
    return r


def _place_fields(sl: SheetLayout, block: Fields, top: int, addresses: dict) -> int:
    r = top
    if block.heading:
        sl.add("heading", r, 0, r, max(2, sl.last_col), text=block.heading)
        sl.heights[r] = 22
        r += 1
    for cell in block.fields:
        sl.add("field_label", r, 0, text=cell.label)
        sl.add("locked_input" if cell.locked else "input", r, 1, key=cell.key)
        sl.add("hint", r, 2, r, max(2, sl.last_col), text=cell.hint)
        addresses[cell.key] = (sl.name, r, 1)
        hint_width = sum(sl.widths.get(c, 10) for c in range(2, max(2, sl.last_col) + 1))
        sl.heights[r] = max(24.0, _lines(cell.hint, hint_width) * LINE_HEIGHT + 4)
        r += 1
    return r


def _place_texts(form: Form, sl: SheetLayout, block: Texts, top: int, addresses: dict) -> int:
    r = top
    for cell in block.parts:
        sl.add("field_label", r, 0, text=cell.label)
        sl.add("text_input", r, 1, key=cell.key)
        sl.add("hint", r, 2, text=cell.hint)
        addresses[cell.key] = (sl.name, r, 1)
        sl.heights[r] = 190
        _place_draft(form, sl, cell.key, r + 1, addresses)
        r += 2
    return r


DRAFT_HEIGHT = 96


def _place_draft(form: Form, sl: SheetLayout, key: str, r: int, addresses: dict) -> None:
    """The drafted paragraph of a part, in the row under it (the gap between parts): label, formula cell, hint."""
    if key not in drafted_parts(form):
        return
    sl.add("draft_label", r, 0, text=DRAFT_LABEL)
    sl.add("draft", r, 1, key=DRAFT_PREFIX + key)
    sl.add("draft_hint", r, 2, text=draft_hint(form, key))
    addresses[DRAFT_PREFIX + key] = (sl.name, r, 1)
    sl.heights[r] = DRAFT_HEIGHT


def _place_form_sheet(form: Form, sheet, addresses: dict) -> SheetLayout:
    sl = SheetLayout(name=sheet.name, landscape=sheet.landscape)
    grids = [b for b in sheet.blocks if isinstance(b, Grid)]
    if grids:
        labels, value = _grid_widths(grids)
        label_cols = len(labels)
        for i, w in enumerate(labels):
            sl.widths[i] = w
        n_values = max(len(g.columns) for g in grids)
        for j in range(n_values):
            sl.widths[label_cols + j] = value
        sl.last_col = max(2, label_cols + n_values - 1)
    else:
        sl.widths = {0: TEXT_LABEL_WIDTH, 1: TEXT_INPUT_WIDTH, 2: TEXT_HINT_WIDTH}
        sl.last_col = 2
    r = 3
    for block in sheet.blocks:
        if isinstance(block, Grid):
            r = _place_grid(sl, block, r, addresses, sl.widths)
        elif isinstance(block, Fields):
            r = _place_fields(sl, block, r, addresses)
        elif isinstance(block, Texts):
            r = _place_texts(form, sl, block, r, addresses)
        r += 1
    sl.items.insert(0, Item("title", 0, 0, 0, sl.last_col, text=sheet.title))
    sl.items.insert(1, Item("note", 1, 0, 1, sl.last_col, text=sheet.note))
    sl.heights[0] = 30
    total_width = sum(sl.widths.get(c, 10) for c in range(sl.last_col + 1))
    sl.heights[1] = _lines(sheet.note, total_width) * LINE_HEIGHT + 6
    return sl


def _place_checks_sheet(form: Form, addresses: dict) -> tuple[SheetLayout, tuple[str, int, int]]:
    sl = SheetLayout(name=CHECKS_SHEET, landscape=False)
    sl.widths = {0: 6, 1: 18, 2: 30, 3: 54, 4: 16}
    sl.last_col = 4
    sl.add("title", 0, 0, 0, 4, text="校验")
    sl.add(
        "note", 1, 0, 1, 4, text="本页随填写实时更新。“✔”表示通过；“✘”表示未通过，其后为差额或个数。全部通过后再提交。"
    )
    sl.heights[0] = 30
    sl.heights[1] = 22
    sl.add("field_label", 3, 0, 3, 1, text="总体状态")
    sl.add("status", 3, 2, 3, 4, key=STATUS)
    status = addresses[STATUS] = (CHECKS_SHEET, 3, 2)
    sl.heights[3] = 28
    for c, text in enumerate(("序号", "规则编号", "校验项目", "说明", "状态")):
        sl.add("header", 5, c, text=text)
    sl.heights[5] = 22
    sl.repeat_rows = (5, 5)
    for i, item in enumerate(live_items(form)):
        r = 6 + i
        sl.add("cell", r, 0, text=str(i + 1))
        sl.add("cell", r, 1, text=item.rule)
        sl.add("cell", r, 2, text=item.label)
        sl.add("cell", r, 3, text=item.message)
        sl.add("live", r, 4, key=LIVE_PREFIX + item.id)
        addresses[LIVE_PREFIX + item.id] = (CHECKS_SHEET, r, 4)
        sl.heights[r] = max(20.0, _lines(item.message, sl.widths[3]) * LINE_HEIGHT + 4)
    return sl, status


@cache
def build_layout(form: Form) -> Layout:
    """Where everything of ``form`` sits (computed once per form)."""
    addresses: dict[str, tuple[str, int, int]] = {}
    sheets = [_place_form_sheet(form, sheet, addresses) for sheet in form.sheets]
    checks_sheet, status = _place_checks_sheet(form, addresses)
    sheets.append(checks_sheet)
    return Layout(form=form, sheets=sheets, addresses=addresses, status_cell=status)


__all__ = ["Layout", "SheetLayout", "Item", "GridRegion", "build_layout", "cell_ref", "quote_sheet"]
