"""The report form of each edition, loaded from ``workbook_templates/<edition>.toml``.

This module owns the *meaning* of the form: sheets, labels, input cells and their
kinds, which cells are totals of which, and which relations must hold. It knows
nothing of Excel; ``layout`` places the form on a grid and ``template`` writes it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

#: Kinds of input cells. ``count`` whole ≥ 0, ``signed`` whole, ``amount`` decimal ≥ 0.
NUMERIC_KINDS = ("count", "signed", "amount")
TEXT_KINDS = ("text", "longtext", "choice", "date", "year")

EDITIONS = ("2019", "2021")


class FormError(Exception):
    """The form description itself is inconsistent (a bug in a data file)."""


@dataclass(frozen=True)
class Cell:
    """One value cell of the form, addressed by a stable key."""

    key: str
    label: str  # human label, e.g. "（七）总计 × 自然人"
    kind: str
    sheet: str
    table: str | None = None  # "t2", "t3", "t4" or None for fields and texts
    sum_of: tuple[str, ...] = ()  # non-empty: a total, computed by formula
    sum_rule: str | None = None  # the rule that checks the total (T3-ROW-SUM, T3-RESULT-SUM, T4-SUM)
    hint: str = ""
    required: bool = False
    locked: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None

    @property
    def is_total(self) -> bool:
        return bool(self.sum_of)

    @property
    def is_input(self) -> bool:
        return not self.sum_of and not self.locked

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def defined_name(self) -> str:
        return defined_name(self.key)


def defined_name(key: str) -> str:
    """The workbook's defined name for a form key (``t3.new_received.total`` → ``t3_new_received_total``)."""
    return key.replace(".", "_")


@dataclass(frozen=True)
class GridColumn:
    key: str
    label: str
    kind: str
    group: tuple[str, ...] = ()
    sum_of: tuple[str, ...] = ()
    rule: str | None = None


@dataclass(frozen=True)
class GridRow:
    key: str
    label: str
    group: tuple[str, ...] = ()
    result: bool = False
    sum_of_rows: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class Check:
    """A relation declared in the form; becomes a live formula and a Python rule."""

    key: str
    rule: str
    label: str
    left: tuple[str, ...]  # row keys
    right: tuple[str, ...]
    message: str
    per_column: bool = True


@dataclass(frozen=True)
class LiveCheck:
    """One live check cell: left side minus right side must be zero."""

    id: str  # e.g. "t3.identity.natural_person"
    rule: str
    label: str  # "勾稽校验 × 自然人"
    message: str
    left: tuple[str, ...]  # cell keys
    right: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    table: str
    caption: str | None
    corner: str | None
    columns: tuple[GridColumn, ...]
    rows: tuple[GridRow, ...]
    checks: tuple[Check, ...] = ()

    def cell_key(self, row: GridRow, column: GridColumn) -> str:
        return ".".join(part for part in (self.table, row.key, column.key) if part)

    def check_id(self, check: Check, column: GridColumn) -> str:
        return f"{self.table}.{check.key}.{column.key}"

    @property
    def has_row_labels(self) -> bool:
        return any(row.label for row in self.rows)


@dataclass(frozen=True)
class Fields:
    fields: tuple[Cell, ...]
    heading: str | None = None


@dataclass(frozen=True)
class Texts:
    parts: tuple[Cell, ...]


Block = Grid | Fields | Texts


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    note: str
    section: str | None
    landscape: bool
    blocks: tuple[Block, ...]


@dataclass
class Form:
    edition: str
    name: str
    issued_as: str
    first_year: int
    last_year: int | None
    sheets: tuple[Sheet, ...]
    fingerprint: str
    cells: dict[str, Cell] = field(default_factory=dict)
    checks: tuple[LiveCheck, ...] = ()

    # -- derived views ------------------------------------------------------
    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    @property
    def section_headings(self) -> dict[str, str]:
        return {s.section: s.title for s in self.sheets if s.section}

    @cached_property
    def inputs(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.is_input]

    @cached_property
    def totals(self) -> list[Cell]:
        """Total cells in an order where every operand comes before its total."""
        done: set[str] = set()
        ordered: list[Cell] = []

        def visit(cell: Cell) -> None:
            if cell.key in done:
                return
            for operand in cell.sum_of:
                if self.cells[operand].is_total:
                    visit(self.cells[operand])
            done.add(cell.key)
            ordered.append(cell)

        for cell in self.cells.values():
            if cell.is_total:
                visit(cell)
        return ordered

    def grids(self, table: str | None = None) -> list[Grid]:
        return [b for s in self.sheets for b in s.blocks if isinstance(b, Grid) and (table is None or b.table == table)]

    def table_inputs(self, table: str) -> list[Cell]:
        """Numeric input cells of one table (``t2``, ``t3``, ``t4``) or of section 六 (``s6``)."""
        return self._table_inputs[table]

    @cached_property
    def _table_inputs(self) -> dict[str, list[Cell]]:
        out: dict[str, list[Cell]] = {"s6": [c for c in self.inputs if c.key.startswith("s6.") and c.is_numeric]}
        for table in ("t2", "t3", "t4"):
            out[table] = [c for c in self.inputs if c.table == table and c.is_numeric]
        return out

    @cached_property
    def value_tables(self) -> list[str]:
        """The groups of numeric inputs that the live value checks watch."""
        tables = sorted({c.table for c in self.inputs if c.table and c.is_numeric})
        if self.table_inputs("s6"):
            tables.append("s6")
        return tables

    def applies_to(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)


TABLE_NAMES = {"t2": "表二（主动公开）", "t3": "表三（依申请公开）", "t4": "表四（复议诉讼）", "s6": "六（信息处理费）"}


def _templates_dir() -> Path:
    """The edition files: packaged inside ``xlrep`` when installed, beside ``src/`` in a checkout."""
    packaged = resources.files("xlrep") / "workbook_templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "workbook_templates"


def edition_for_year(year: int) -> str:
    """The edition in force for a report year (format.md): 2019–2020 → 2019, 2021 on → 2021."""
    return "2019" if year <= 2020 else "2021"


@cache
def load_form(edition: str) -> Form:
    if edition not in EDITIONS:
        raise KeyError(edition)
    raw_bytes = (_templates_dir() / f"{edition}.toml").read_bytes()
    raw = tomllib.loads(raw_bytes.decode("utf-8"))
    return _build(raw)


def _build(raw: dict) -> Form:
    ed = raw["edition"]
    canonical = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    form = Form(
        edition=ed["id"],
        name=ed["name"],
        issued_as=ed["issued_as"],
        first_year=ed["first_year"],
        last_year=ed.get("last_year"),
        sheets=(),
        fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16],
    )
    sheets = []
    checks: list[LiveCheck] = []
    for s in raw["sheets"]:
        blocks: list[Block] = []
        for b in s["blocks"]:
            if b["type"] == "fields":
                cells = tuple(_field_cell(f, s["name"], "text") for f in b["fields"])
                blocks.append(Fields(fields=cells, heading=b.get("heading")))
            elif b["type"] == "texts":
                cells = tuple(_field_cell(f, s["name"], "longtext") for f in b["parts"])
                blocks.append(Texts(parts=cells))
            elif b["type"] == "grid":
                grid = _grid(b)
                blocks.append(grid)
                cells = tuple(_grid_cells(grid, s["name"]))
                checks.extend(_grid_checks(grid))
            else:
                raise FormError(f"unknown block type {b['type']!r}")
            for cell in cells:
                if cell.key in form.cells:
                    raise FormError(f"duplicate key {cell.key}")
                form.cells[cell.key] = cell
        sheets.append(
            Sheet(
                name=s["name"],
                title=s["title"],
                note=s.get("note", ""),
                section=s.get("section"),
                landscape=s.get("landscape", False),
                blocks=tuple(blocks),
            )
        )
    form.sheets = tuple(sheets)
    form.checks = tuple(checks)
    _validate(form)
    return form


def _field_cell(f: dict, sheet: str, default_kind: str) -> Cell:
    return Cell(
        key=f["key"],
        label=f["label"],
        kind=f.get("kind", default_kind),
        sheet=sheet,
        table=_table_of(f["key"]),
        hint=f.get("hint", ""),
        required=f.get("required", False),
        locked=f.get("locked", False),
        choices=tuple(f.get("choices", ())),
        default=f.get("default"),
    )


def _table_of(key: str) -> str | None:
    prefix = key.split(".", 1)[0]
    return prefix if prefix in ("t2", "t3", "t4") else None


def _grid(b: dict) -> Grid:
    columns = tuple(
        GridColumn(
            key=c["key"],
            label=c["label"],
            kind=c.get("kind", "count"),
            group=tuple(c.get("group", ())),
            sum_of=tuple(c.get("sum_of", ())),
            rule=c.get("rule"),
        )
        for c in b["columns"]
    )
    rows = tuple(
        GridRow(
            key=r["key"],
            label=r["label"],
            group=tuple(r.get("group", ())),
            result=r.get("result", False),
            sum_of_rows=r.get("sum_of_rows"),
            rule=r.get("rule"),
        )
        for r in b["rows"]
    )
    checks = tuple(
        Check(
            key=c["key"],
            rule=c["rule"],
            label=c["label"],
            left=tuple(c["left"]),
            right=tuple(c["right"]),
            message=c["message"],
            per_column=c.get("per_column", True),
        )
        for c in b.get("checks", ())
    )
    return Grid(
        table=b["table"], caption=b.get("caption"), corner=b.get("corner"), columns=columns, rows=rows, checks=checks
    )


def _unique_labels(labels: list[str], groups: list[tuple[str, ...]]) -> list[str]:
    """Labels that read alone where unique, prefixed by their innermost group where not."""
    out = []
    for label, group in zip(labels, groups):
        if labels.count(label) > 1 and group:
            out.append(f"{group[-1]}·{label}")
        else:
            out.append(label)
    return out


def _grid_cells(grid: Grid, sheet: str):
    col_labels = _unique_labels([c.label for c in grid.columns], [c.group for c in grid.columns])
    row_labels = _unique_labels([r.label for r in grid.rows], [r.group for r in grid.rows])
    result_rows = [r for r in grid.rows if r.result]
    for row, row_label in zip(grid.rows, row_labels):
        for column, col_label in zip(grid.columns, col_labels):
            if column.sum_of:
                sum_of = tuple(grid.cell_key(row, next(c for c in grid.columns if c.key == k)) for k in column.sum_of)
                rule = column.rule
            elif row.sum_of_rows == "result":
                sum_of = tuple(grid.cell_key(r, column) for r in result_rows)
                rule = row.rule
            else:
                sum_of, rule = (), None
            yield Cell(
                key=grid.cell_key(row, column),
                label=f"{row_label} × {col_label}" if row_label else col_label,
                kind=column.kind,
                sheet=sheet,
                table=grid.table,
                sum_of=sum_of,
                sum_rule=rule,
            )


def _grid_checks(grid: Grid):
    rows = {r.key: r for r in grid.rows}
    col_labels = _unique_labels([c.label for c in grid.columns], [c.group for c in grid.columns])
    for check in grid.checks:
        for column, col_label in zip(grid.columns, col_labels):
            yield LiveCheck(
                id=grid.check_id(check, column),
                rule=check.rule,
                label=f"{check.label} × {col_label}",
                message=check.message,
                left=tuple(grid.cell_key(rows[k], column) for k in check.left),
                right=tuple(grid.cell_key(rows[k], column) for k in check.right),
            )


def _validate(form: Form) -> None:
    names = {}
    for cell in form.cells.values():
        name = cell.defined_name
        if name in names:
            raise FormError(f"keys {names[name]} and {cell.key} share the defined name {name}")
        names[name] = cell.key
        if cell.sum_of and not cell.sum_rule:
            raise FormError(f"total {cell.key} names no rule")
        for operand in cell.sum_of:
            if operand not in form.cells:
                raise FormError(f"{cell.key} sums unknown cell {operand}")
        if cell.kind not in NUMERIC_KINDS + TEXT_KINDS:
            raise FormError(f"{cell.key}: unknown kind {cell.kind}")
    for check in form.checks:
        for key in check.left + check.right:
            if key not in form.cells:
                raise FormError(f"check {check.id} names unknown cell {key}")
