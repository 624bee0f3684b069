"""The report form of each edition, loaded from ``workbook_templates/<edition>.toml``.

This module owns the *meaning* of the form: sheets, labels, input cells and their
kinds, which cells are totals of which, which relations must hold, and what the
rules, the report and the other years need to know (roles, figures, carry-over).
The edition file is the only place that knows an edition: code asks the ``Form``
whether a key, a figure or a relation exists, never which edition it is. It knows
nothing of Excel; ``layout`` places the form on a grid and ``template`` writes it.

Editions are discovered: every ``*.toml`` in the packaged ``workbook_templates``
folder, plus those in the folders listed in ``XLREP_EDITIONS_PATH`` (``os.pathsep``
separated), which is how a new national edition is added without code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

#: Kinds of input cells. ``count`` whole ≥ 0, ``signed`` whole, ``amount`` decimal ≥ 0.
NUMERIC_KINDS = ("count", "signed", "amount")
TEXT_KINDS = ("text", "longtext", "choice", "date", "year")
RELATIONS = {">=": "不少于", "<=": "不多于"}
EDITIONS_PATH_VARIABLE = "XLREP_EDITIONS_PATH"


class FormError(Exception):
    """The form description itself is inconsistent (a bug in a data file)."""


@dataclass(frozen=True)
class Cell:
    """One value cell of the form, addressed by a stable key."""

    key: str
    label: str  # human label, e.g. "（七）总计 × 自然人"
    kind: str
    sheet: str
    table: str | None = None  # the group of numeric inputs it belongs to ([tables]), if any
    sum_of: tuple[str, ...] = ()  # non-empty: a total, computed by formula
    sum_rule: str | None = None  # the rule that checks the total (T3-ROW-SUM, T3-RESULT-SUM, T4-SUM)
    hint: str = ""
    required: bool = False
    locked: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    row_label: str = ""  # in a grid: the row's and the column's own labels
    column_label: str = ""

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
    """An equation declared in a grid, per column; becomes a live formula and a Python rule."""

    key: str
    rule: str
    label: str
    left: tuple[str, ...]  # row keys
    right: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class LiveCheck:
    """One live check cell: left side minus right side must be zero."""

    id: str  # e.g. "t3.identity.natural_person"
    rule: str
    label: str  # "勾稽校验 × 自然人"
    column: str  # "自然人"
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
    report: str | None = None  # how the section reads in the report ([report] sections)


@dataclass(frozen=True)
class Relation:
    """A plausibility relation between two cells: ``left relation right`` (warning when it fails)."""

    rule: str
    left: str
    relation: str  # ">=" or "<="
    right: str
    part: str  # what the pair is about: a column ("自然人") or a row ("规章")

    def holds(self, left: float, right: float) -> bool:
        return left >= right if self.relation == ">=" else left <= right


@dataclass(frozen=True)
class Limit:
    """A value at or above ``below`` (``government_below`` for a government) looks typed in the wrong unit."""

    rule: str
    cell: str
    below: float
    government_below: float


@dataclass(frozen=True)
class Implication:
    rule: str
    if_positive: str
    then_positive: str
    unless_within: str | None = None  # not implied while the first cell is at most this one (FEE-NOTICE)


@dataclass(frozen=True)
class Mention:
    """A narrative part that must mention one of ``words`` for the given organisation types."""

    rule: str
    part: str
    org_types: tuple[str, ...]
    words: tuple[str, ...]
    also_in: tuple[str, ...] = ()  # other parts where saying it is enough (the finding still names ``part``)


@dataclass(frozen=True)
class Figure:
    """A figure the narrative and the report speak of: the sum of ``cells``."""

    name: str
    title: str  # how messages name it: "本年新收申请（表三 一、总计）"
    short: str  # a column heading: "本年新收"
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Carry:
    """This year's ``cell`` = sum of last year's ``last`` (+ this year's ``plus`` − this year's ``minus``)."""

    cell: str
    last: tuple[str, ...]
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()
    rule: str | None = None  # the PREV-* rule that compares, if any
    prefill: bool = False  # ``template --from`` writes it into the new workbook


@dataclass(frozen=True)
class UnitChoice:
    """An amount whose unit the clerk picks in another cell; ``scale`` converts to ``base``."""

    cell: str
    unit: str
    base: str
    scale: dict[str, float]


@dataclass(eq=False)  # compared and hashed by identity: one object per edition file
class Form:
    edition: str
    name: str
    issued_as: str
    first_year: int
    last_year: int | None
    sheets: tuple[Sheet, ...]
    fingerprint: str
    source: Path | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    checks: tuple[LiveCheck, ...] = ()
    table_names: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    contact: tuple[str, ...] = ()
    government: str | None = None
    org_aliases: dict[str, str] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()
    limits: tuple[Limit, ...] = ()
    implications: tuple[Implication, ...] = ()
    mentions: tuple[Mention, ...] = ()
    about_last_year: tuple[str, ...] = ()
    table_parts: dict[str, str] = field(default_factory=dict)  # table group -> the part that speaks of its figures
    figures: dict[str, Figure] = field(default_factory=dict)
    copy_from_last_year: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    comparable: tuple[str, ...] = ()
    same_as: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (cell, cells whose sum it equals)
    carries: tuple[Carry, ...] = ()
    key_figures: tuple[str, ...] = ()
    units: tuple[UnitChoice, ...] = ()

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
    def narrative_parts(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.kind == "longtext"]

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
        """The grids of the form (of one group of [tables] when ``table`` is given), in order."""
        return [b for s in self.sheets for b in s.blocks if isinstance(b, Grid) and table in (None, b.table)]

    def role(self, name: str) -> str | None:
        """The key of the cell that plays ``name`` (``org_name``, ``org_type``, ``report_year`` …), if any."""
        return self.roles.get(name)

    def table_inputs(self, table: str) -> list[Cell]:
        """Numeric input cells of one group of [tables] (``t2``, ``t3``, ``t4``, ``s6``)."""
        return list(self._table_inputs.get(table, ()))

    @cached_property
    def _table_inputs(self) -> dict[str, tuple[Cell, ...]]:
        """Group → its numeric inputs, worked out once per edition (the rules ask for them for every workbook);
        bounded by the form's own groups, as ``inputs`` is."""
        groups: dict[str, list[Cell]] = {}
        for c in self.inputs:
            if c.is_numeric:
                groups.setdefault(c.table, []).append(c)
        return {table: tuple(cells) for table, cells in groups.items()}

    @cached_property
    def value_tables(self) -> list[str]:
        """The groups of numeric inputs that the live value checks watch, in [tables] order."""
        return [t for t in self.table_names if self.table_inputs(t)]

    @property
    def org_types(self) -> tuple[str, ...]:
        key = self.role("org_type")
        return self.cells[key].choices if key else ()

    def org_type(self, text: str) -> str:
        """An organisation type as typed (full name or a short alias); ``ValueError`` if it is neither."""
        text = text.strip()
        text = self.org_aliases.get(text, text)
        if text not in self.org_types:
            raise ValueError(text)
        return text

    def keys(self, pattern: str) -> list[str]:
        """Cell keys matching a pattern (``*`` stands for any part), in form order."""
        if "*" not in pattern:
            return [pattern] if pattern in self.cells else []
        return [k for k in self.cells if fnmatchcase(k, pattern)]

    def figure_keys(self, name: str) -> list[str]:
        figure = self.figures[name]
        return [k for pattern in figure.cells for k in self.keys(pattern)]

    def applies_to(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)


# -- discovery ------------------------------------------------------------------


def _templates_dir() -> Path:
    """The edition files: packaged inside ``xlrep`` when installed, beside ``src/`` in a checkout."""
    packaged = resources.files("xlrep") / "workbook_templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "workbook_templates"


def editions() -> tuple[Form, ...]:
    """Every edition xlrep knows, oldest first."""
    return _editions(os.environ.get(EDITIONS_PATH_VARIABLE, ""))


@cache
def _editions(extra: str) -> tuple[Form, ...]:
    folders = [_templates_dir()] + [Path(p) for p in extra.split(os.pathsep) if p]
    forms: dict[str, Form] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            form = load_form_file(path)
            if form.edition in forms:
                raise FormError(f"edition {form.edition} is described twice ({forms[form.edition].source}, {path})")
            forms[form.edition] = form
    return tuple(sorted(forms.values(), key=lambda f: (f.first_year, f.edition)))


def load_form(edition: str) -> Form:
    """The edition with this id (``"2019"``, ``"2021"`` …); ``KeyError`` if there is none."""
    return {form.edition: form for form in editions()}[edition]


def form_for_year(year: int) -> Form:
    """The edition in force for a report year: the latest whose declared years include it."""
    candidates = [f for f in editions() if f.applies_to(year)]
    if not candidates:
        raise KeyError(year)
    return candidates[-1]


@cache
def load_form_file(path: Path) -> Form:
    """An edition from its TOML file."""
    raw = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
    return _build(raw, Path(path))


# -- building -------------------------------------------------------------------


def _fingerprint(raw: dict) -> str:
    """What identifies the workbook's shape: the edition and its sheets (not the rules' declarations)."""
    shape = {"edition": raw["edition"], "sheets": raw["sheets"]}
    canonical = json.dumps(shape, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _build(raw: dict, source: Path | None = None) -> Form:
    ed = raw["edition"]
    form = Form(
        edition=str(ed["id"]),
        name=ed["name"],
        issued_as=ed["issued_as"],
        first_year=ed["first_year"],
        last_year=ed.get("last_year"),
        sheets=(),
        fingerprint=_fingerprint(raw),
        source=source,
        table_names=dict(raw.get("tables", {})),
    )
    sections = raw.get("report", {}).get("sections", {})
    sheets = []
    checks: list[LiveCheck] = []
    for s in raw["sheets"]:
        blocks = tuple(_block(form, b, s["name"], checks) for b in s["blocks"])
        sheets.append(
            Sheet(
                name=s["name"],
                title=s["title"],
                note=s.get("note", ""),
                section=s.get("section"),
                landscape=s.get("landscape", False),
                blocks=blocks,
                report=sections.get(s.get("section")),
            )
        )
    form.sheets = tuple(sheets)
    form.checks = tuple(checks)
    _declarations(form, raw)
    _validate(form)
    return form


def _block(form: Form, b: dict, sheet: str, checks: list[LiveCheck]) -> Block:
    if b["type"] == "fields":
        cells = tuple(_field_cell(form, f, sheet, "text") for f in b["fields"])
        block: Block = Fields(fields=cells, heading=b.get("heading"))
    elif b["type"] == "texts":
        cells = tuple(_field_cell(form, f, sheet, "longtext") for f in b["parts"])
        block = Texts(parts=cells)
    elif b["type"] == "grid":
        block = _grid(b)
        cells = tuple(_grid_cells(block, sheet))
        checks.extend(_grid_checks(block))
    else:
        raise FormError(f"unknown block type {b['type']!r}")
    for cell in cells:
        if cell.key in form.cells:
            raise FormError(f"duplicate key {cell.key}")
        form.cells[cell.key] = cell
    return block


def _field_cell(form: Form, f: dict, sheet: str, default_kind: str) -> Cell:
    prefix = f["key"].split(".", 1)[0]
    return Cell(
        key=f["key"],
        label=f["label"],
        kind=f.get("kind", default_kind),
        sheet=sheet,
        table=prefix if prefix in form.table_names else None,
        hint=f.get("hint", ""),
        required=f.get("required", False),
        locked=f.get("locked", False),
        choices=tuple(f.get("choices", ())),
        default=f.get("default"),
    )


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
        )
        for c in b.get("checks", ())
    )
    return Grid(
        table=b["table"], caption=b.get("caption"), corner=b.get("corner"), columns=columns, rows=rows, checks=checks
    )


def _unique_labels(labels: list[str], groups: list[tuple[str, ...]]) -> list[str]:
    """Labels that read alone where unique, prefixed by their innermost group where not."""
    out = []
    for label, group in zip(labels, groups, strict=True):
        if labels.count(label) > 1 and group:
            out.append(f"{group[-1]}·{label}")
        else:
            out.append(label)
    return out


def _grid_cells(grid: Grid, sheet: str):
    col_labels = _unique_labels([c.label for c in grid.columns], [c.group for c in grid.columns])
    row_labels = _unique_labels([r.label for r in grid.rows], [r.group for r in grid.rows])
    result_rows = [r for r in grid.rows if r.result]
    columns = {c.key: c for c in grid.columns}
    for row, row_label in zip(grid.rows, row_labels, strict=True):
        for column, col_label in zip(grid.columns, col_labels, strict=True):
            if column.sum_of:
                sum_of = tuple(grid.cell_key(row, columns[k]) for k in column.sum_of)
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
                row_label=row_label,
                column_label=col_label,
            )


def _grid_checks(grid: Grid):
    rows = {r.key: r for r in grid.rows}
    col_labels = _unique_labels([c.label for c in grid.columns], [c.group for c in grid.columns])
    for check in grid.checks:
        for column, col_label in zip(grid.columns, col_labels, strict=True):
            yield LiveCheck(
                id=grid.check_id(check, column),
                rule=check.rule,
                label=f"{check.label} × {col_label}",
                column=col_label,
                message=check.message,
                left=tuple(grid.cell_key(rows[k], column) for k in check.left),
                right=tuple(grid.cell_key(rows[k], column) for k in check.right),
            )


# -- declarations ---------------------------------------------------------------


def matches(pattern: str, keys: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(key, what the ``*`` stands for) of each key matching a pattern with at most one ``*``."""
    if "*" not in pattern:
        if pattern in keys:
            yield pattern, ""
        return
    if pattern.count("*") != 1:
        raise FormError(f"pattern {pattern!r} may contain only one *")
    before, after = pattern.split("*")
    regex = re.compile(re.escape(before) + r"(.+?)" + re.escape(after) + r"\Z")
    for key in keys:
        m = regex.match(key)
        if m:
            yield key, m.group(1)


def pairs(form: Form, pattern: str, *others: str) -> list[tuple[str, ...]]:
    """Each key matching ``pattern`` with the keys of ``others`` for the same ``*`` (all of them in the form)."""
    out = []
    for key, part in matches(pattern, form.cells):
        group = (key, *(o.replace("*", part) for o in others))
        if all(k in form.cells for k in group[1:]):
            out.append(group)
    return out


def _part_label(form: Form, pattern: str, key: str) -> str:
    """What a pair of a relation is about: the column when ``*`` stands for the column, else the row."""
    cell = form.cells[key]
    return cell.column_label if pattern.endswith("*") else (cell.row_label or cell.label)


def _declarations(form: Form, raw: dict) -> None:
    roles = dict(raw.get("roles", {}))
    form.contact = tuple(roles.pop("contact", ()))
    form.roles = roles
    org = raw.get("organisation", {})
    form.government = org.get("government")
    form.org_aliases = dict(org.get("aliases", {}))
    form.relations = tuple(
        Relation(r["rule"], left, r["relation"], right, _part_label(form, r["left"], left))
        for r in raw.get("relations", ())
        for left, right in pairs(form, r["left"], r["right"])
    )
    form.limits = tuple(
        Limit(x["rule"], x["cell"], x["below"], x.get("government_below", x["below"])) for x in raw.get("limits", ())
    )
    form.implications = tuple(
        Implication(x["rule"], x["if_positive"], x["then_positive"], x.get("unless_within"))
        for x in raw.get("implications", ())
    )
    form.mentions = tuple(
        Mention(x["rule"], x["part"], tuple(x["org_types"]), tuple(x["words"]), tuple(x.get("also_in", ())))
        for x in raw.get("mentions", ())
    )
    narrative = raw.get("narrative", {})
    form.about_last_year = tuple(narrative.get("about_last_year", ()))
    form.table_parts = dict(narrative.get("tables", {}))
    form.figures = {
        name: Figure(name, f["title"], f["short"], tuple(f["cells"])) for name, f in raw.get("figures", {}).items()
    }
    years = raw.get("across_years", {})
    form.copy_from_last_year = tuple(years.get("copy", ()))
    form.references = tuple(years.get("references", ()))
    form.comparable = tuple(years.get("comparable", ()))
    form.same_as = tuple((s["cells"], tuple(s["sum"])) for s in years.get("same_as", ()))
    form.carries = tuple(
        Carry(
            c["cells"],
            tuple(c["last"]),
            tuple(c.get("plus", ())),
            tuple(c.get("minus", ())),
            c.get("rule"),
            c.get("prefill", False),
        )
        for c in years.get("carry", ())
    )
    merge = raw.get("merge", {})
    form.key_figures = tuple(merge.get("key_figures", ()))
    form.units = tuple(UnitChoice(u["cell"], u["unit"], u["base"], dict(u["scale"])) for u in merge.get("units", ()))


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
    _validate_declarations(form)
    for table in form.table_parts:
        if table not in form.table_names:
            raise FormError(f"{form.edition}: [narrative] tables names unknown table {table}")


def _validate_declarations(form: Form) -> None:
    named = [*form.roles.values(), *form.contact, *form.copy_from_last_year, *form.about_last_year]
    named += list(form.table_parts.values())
    named += [x.cell for x in form.limits] + [k for x in form.mentions for k in (x.part, *x.also_in)]
    named += [k for x in form.implications for k in (x.if_positive, x.then_positive, x.unless_within) if k]
    named += [k for u in form.units for k in (u.cell, u.unit)]
    for key in named:
        if key not in form.cells:
            raise FormError(f"{form.edition}: a declaration names unknown cell {key}")
    for relation in form.relations:
        if relation.relation not in RELATIONS:
            raise FormError(f"{relation.rule}: unknown relation {relation.relation!r}")
    for name in form.figures:
        if not form.figure_keys(name):
            raise FormError(f"{form.edition}: figure {name} matches no cell")
    for name in form.key_figures:
        if name not in form.figures:
            raise FormError(f"{form.edition}: [merge] key figure {name} is not a declared figure")
    for sheet in form.sheets:
        if sheet.section and sheet.report is None:
            raise FormError(f"{form.edition}: section {sheet.section} has no [report] kind")
