"""Tables 二, 三 and 四 read from a ``Stream`` by their official labels.

Rows are found by the labels of the form (``load_form(edition)``: captions, headers, group and row
labels), in the order of the official table, wherever the published text puts them; the figures of a
row are what stands between its label and the next label (``splitting`` turns them into cells under
the form's relations). 表四 has no row label: its figures follow its headers.

A report may print a table in the shape of the neighbouring edition where the two have the same
columns and differ in rows — 2019's single （六）其他处理 row of 表三 in a 2021 report, or the reverse.
The other edition's rows are read too and mapped where that is exact: three rows add up to one; one
row of zeros (or blanks) is three rows of zeros; anything else stays blank and is reported, never
split by guess. A table without row labels (表四) has its figures after its headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..common.findings import Finding
from ..edition.form import Form, Grid, GridColumn, GridRow
from .labels import Match, Stream, best_sequence, candidates, norm
from .splitting import (
    Amount,
    Column,
    Relation,
    RowReadings,
    Token,
    form_relations,
    num,
    solve,
    splits,
    tokenize,
    trim_blanks,
    until_prose,
)

# -- what to look for ----------------------------------------------------------------------------------


@dataclass
class RowSpec:
    id: str  # the row's cell-key prefix: the table and the row key (the table alone for a row without a key)
    label: str
    grid: Grid
    row: GridRow
    foreign: bool = False  # a row of the other edition's table, read to map it onto this one

    @property
    def columns(self) -> tuple[GridColumn, ...]:
        return self.grid.columns

    def keys(self) -> list[str]:
        return [self.grid.cell_key(self.row, c) for c in self.grid.columns]


@dataclass
class Anchor:
    label: str
    kind: str  # "caption", "header", "group", "row"
    row: RowSpec | None = None
    fuzzy: bool = True


def _header_order(grid: Grid) -> list[str]:
    """Column headers as a published table prints them: row by row, left to right."""
    out: list[str] = []
    depth = max((len(c.group) for c in grid.columns), default=0)
    for level in range(depth + 1):
        seen: list[str] = []
        for column in grid.columns:
            path = column.group + (column.label,)
            if level < len(path) and (level == len(path) - 1 or not seen or seen[-1] != path[level]):
                seen.append(path[level])
        out.extend(seen)
    return out


def _row_id(grid: Grid, row: GridRow) -> str:
    return ".".join(p for p in (grid.table, row.key) if p)


def has_row_labels(form: Form, table: str) -> bool:
    return any(g.has_row_labels for g in form.grids(table))


def foreign_grid(form: Form, other: Form | None, table: str) -> Grid | None:
    """The other edition's grid of a table whose rows a report may print instead of ours: same columns, rows labelled."""
    if other is None:
        return None
    mine, theirs = form.grids(table), other.grids(table)
    if len(mine) != 1 or len(theirs) != 1 or not mine[0].has_row_labels:
        return None
    columns = [(c.key, c.label, c.sum_of) for c in mine[0].columns]
    return theirs[0] if columns == [(c.key, c.label, c.sum_of) for c in theirs[0].columns] else None


def table_anchors(form: Form, table: str, other: Form | None) -> list[Anchor]:
    """The labels of a table in their published order, with the rows of the other edition's table among them."""
    own_labels = {r.label for g in form.grids(table) for r in g.rows}
    foreign: list[RowSpec] = []
    og = foreign_grid(form, other, table)
    if og is not None:
        foreign = [RowSpec(_row_id(og, r), r.label, og, r, True) for r in og.rows if r.label not in own_labels]
    anchors: list[Anchor] = []
    for grid in form.grids(table):
        if grid.caption:
            anchors.append(Anchor(grid.caption, "caption", fuzzy=False))
        if grid.corner:
            anchors.append(Anchor(grid.corner, "header", fuzzy=len(grid.corner) > 8))
        anchors.extend(Anchor(text, "header", fuzzy=len(text) >= 4) for text in _header_order(grid))
        anchors.extend(_row_anchors(grid, foreign))
    return anchors


def _row_anchors(grid: Grid, foreign: list[RowSpec]) -> list[Anchor]:
    out: list[Anchor] = []
    groups_done: set[str] = set()
    for row in grid.rows:
        for group in row.group:
            if group in groups_done:
                continue
            groups_done.add(group)
            # the other edition's single row printed where this table groups its sub-rows is read as a row
            same = [f for f in foreign if f.label == group]
            out.append(
                Anchor(group, "row", same[0], fuzzy=False) if same else Anchor(group, "group", fuzzy=len(group) >= 4)
            )
        if row.label or not grid.has_row_labels:
            out.append(Anchor(row.label, "row", RowSpec(_row_id(grid, row), row.label, grid, row)))
        # the other edition's sub-rows printed under this edition's single row
        out.extend(
            Anchor(f.label, "row", f, fuzzy=False) for f in foreign if f.row.group and f.row.group[-1] == row.label
        )
    return out


# -- the result ----------------------------------------------------------------------------------------


@dataclass
class TableRead:
    table: str
    found: bool = False
    values: dict[str, object] = field(default_factory=dict)  # input cells: int/float/Text/None, as published
    printed: dict[str, object] = field(default_factory=dict)  # totals as printed (where certain)
    findings: list[Finding] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # amount cell -> the unit its printed figure states
    rows_found: int = 0
    loose: list[tuple[Match, str]] = field(default_factory=list)  # (match, where) for IMPORT-LABEL
    first: int | None = None  # compact position of the first label of the table found


@dataclass
class _Row:
    spec: RowSpec
    match: Match | None
    tokens: list[Token] = field(default_factory=list)
    options: list[tuple] = field(default_factory=list)
    complete: bool = True
    forced_unique: bool = False  # the next row's label is missing: its figures may be here too

    @property
    def present(self) -> bool:
        return self.match is not None and bool(self.options)

    @property
    def blank(self) -> bool:
        return bool(self.options) and all(v is None for o in self.options for v in o)


_WORD_STARTS: dict[Form, frozenset[str]] = {}


def word_starts(form: Form) -> frozenset[str]:
    """Characters that follow 无 inside the form's labels (无法提供, 无正当理由): there 无 is a word, not a blank."""
    if form not in _WORD_STARTS:
        texts = [t for g in form.grids() for r in g.rows for t in (r.label, *r.group)]
        _WORD_STARTS[form] = frozenset(t[i + 1] for t in texts for i in range(len(t) - 1) if t[i] == "无")
    return _WORD_STARTS[form]


def _unit_of(column: GridColumn) -> str | None:
    if column.kind != "amount":
        return None
    if "万元" in column.label:
        return "万元"
    if "（元）" in column.label or column.label.endswith("元"):
        return "元"
    return None  # 采购总金额: the format names no unit; each report states its own


# -- reading -------------------------------------------------------------------------------------------


def read_table(stream: Stream, form: Form, table: str, lo: int, hi: int, other: Form | None) -> TableRead:
    """Read one table (a group of ``[tables]`` with grids) from compact positions [lo, hi) of the stream.

    ``other`` is the neighbouring edition, whose rows a report may print instead of ours (``foreign_grid``).
    """
    result = TableRead(table)
    anchors = table_anchors(form, table, other)
    options = [candidates(stream, a.label, lo, hi, fuzzy=a.fuzzy) if a.label else [] for a in anchors]
    matched = [(a, m) for a, m in zip(anchors, best_sequence(options), strict=True) if m is not None]
    result.first = matched[0][1].start if matched else None
    result.loose = _loose(stream, matched, hi)
    if not has_row_labels(form, table):
        rows = _header_rows(stream, form, anchors, matched, hi)
    else:
        rows = _rows(stream, form, anchors, matched, hi)
    result.rows_found = sum(1 for r in rows.values() if r.match is not None and not r.spec.foreign)
    result.found = result.rows_found > 0
    if result.found:
        for row in rows.values():
            _read_figures(row)
        layout = _Layout(rows)
        solution = solve(
            {
                rid: RowReadings(r.spec.keys(), [] if r.forced_unique and len(r.options) > 1 else r.options, r.complete)
                for rid, r in rows.items()
                if r.match is not None and (r.present or not r.spec.foreign)
            },
            layout.relations(form, table),
        )
        _Emitter(form, other, table, rows, solution, result).emit(layout)
    return result


def _loose(stream: Stream, matched: list[tuple[Anchor, Match]], hi: int) -> list[tuple[Match, str]]:
    """Labels to report as matched loosely (IMPORT-LABEL).

    A row label found loosely is reported unless it is a label wrapped by the page (its rest follows
    among the figures); a header only when it is a known misspelling (variants.toml): a header's near
    match is usually a header wrapped by the page, and headers carry no figures.
    """
    out = []
    for idx, (anchor, m) in enumerate(matched):
        end = matched[idx + 1][1].start if idx + 1 < len(matched) else hi
        if anchor.kind == "row" and m.quality in ("variant", "approx", "suffix", "prefix"):
            if not _wrapped(stream, m, end):
                out.append((m, anchor.kind))
        elif anchor.kind != "row" and m.quality == "variant":
            out.append((m, anchor.kind))
    return out


def _wrapped(stream: Stream, match: Match, end: int) -> bool:
    """A label found by its start only is wrapped when the rest of it follows among the figures."""
    full = norm(match.label)
    if not full.startswith(match.found):
        return False
    figures = re.compile(r"[\d.,+\-]")
    rest = figures.sub("", full[len(match.found) :])
    return bool(rest) and rest in figures.sub("", stream.compact[match.end : end])


def _rows(stream: Stream, form: Form, anchors: list[Anchor], matched, hi: int) -> dict[str, _Row]:
    starts = word_starts(form)
    rows: dict[str, _Row] = {}
    for idx, (anchor, match) in enumerate(matched):
        if anchor.kind != "row":
            continue
        last = idx + 1 == len(matched)
        end = hi if last else matched[idx + 1][1].start
        chunk = stream.text[stream.end_at(match.end) : stream.at(end)]
        rows[anchor.row.id] = _Row(anchor.row, match, until_prose(chunk, starts) if last else tokenize(chunk, starts))
    own = [a.row for a in anchors if a.kind == "row" and not a.row.foreign]
    for spec in own:
        rows.setdefault(spec.id, _Row(spec, None))
    for spec, following in zip(own, own[1:], strict=False):
        # a row whose successor's label was not found may have swallowed the successor's figures
        rows[spec.id].forced_unique = rows[spec.id].match is not None and rows[following.id].match is None
    return rows


def _header_rows(stream: Stream, form: Form, anchors: list[Anchor], matched, hi: int) -> dict[str, _Row]:
    """A table without row labels (表四): its figures follow the last of its headers."""
    spec = next(a.row for a in anchors if a.kind == "row")
    headers = [m for a, m in matched if a.kind == "header"]
    if not headers:
        return {spec.id: _Row(spec, None)}
    start = max(m.end for m in headers)
    chunk = stream.text[stream.end_at(start) : stream.at(hi)]
    return {spec.id: _Row(spec, headers[-1], until_prose(chunk, word_starts(form)))}


def _read_figures(row: _Row) -> None:
    if row.match is None:
        return
    if not row.tokens:  # nothing after the label: blank cells (a row of the other edition not printed: absent)
        row.options = [] if row.spec.foreign else [(None,) * len(row.spec.columns)]
        return
    row.tokens = trim_blanks(row.tokens, len(row.spec.columns))
    if not row.tokens:
        row.options = [(None,) * len(row.spec.columns)]
        return
    columns = [Column(row.spec.grid.cell_key(row.spec.row, c), c.kind, _unit_of(c)) for c in row.spec.columns]
    row.options, row.complete = splits(row.tokens, columns)


# -- the other edition's shape of a table (表三's （六）其他处理) ----------------------------------------------------


class _Layout:
    """Rows of the other edition printed in a report, and how they stand for this edition's rows."""

    def __init__(self, rows: dict[str, _Row]):
        self.rows = rows
        own = [r for r in rows.values() if not r.spec.foreign]
        foreign = [r for r in rows.values() if r.spec.foreign and r.present]
        # the other edition's single row: it stands for the sub-rows of the group it names
        self.combined: list[tuple[_Row, list[_Row]]] = []
        for f in foreign:
            group = [r for r in own if f.spec.label in r.spec.row.group]
            if group and all(r.match is None or r.blank for r in group):
                self.combined.append((f, group))
        # the other edition's sub-rows: their sum is this edition's single row
        by_label = {r.spec.label: r for r in own}
        parts: dict[str, list[_Row]] = {}
        for f in foreign:
            if f.spec.row.group and f.spec.row.group[-1] in by_label:
                parts.setdefault(f.spec.row.group[-1], []).append(f)
        self.split = [
            (by_label[label], subs)
            for label, subs in parts.items()
            if not by_label[label].present or by_label[label].blank
        ]

    def covered(self) -> set[str]:
        """This edition's rows that the other edition's rows stand for (not missing, whatever their labels)."""
        return {r.spec.id for _, group in self.combined for r in group} | {own.spec.id for own, _ in self.split}

    def relations(self, form: Form, table: str) -> list[Relation]:
        relations = form_relations(form, table)
        foreign = [r for r in self.rows.values() if r.spec.foreign and r.present]
        for f in foreign:  # a foreign row's own 总计 is a relation too
            by_key = {c.key: c for c in f.spec.columns}
            for column in f.spec.columns:
                if column.sum_of:
                    key = f.spec.grid.cell_key(f.spec.row, column)
                    operands = [f.spec.grid.cell_key(f.spec.row, by_key[k]) for k in column.sum_of]
                    relations.append(Relation([key], operands, column.rule, True))
        subst = self._substitutions()
        if not subst:
            return relations
        out = []
        for rel in relations:
            if rel.total and rel.left[0] in subst:
                continue  # the printed total of a row that was not printed
            left = [x for k in rel.left for x in subst.get(k, [k])]
            right = [x for k in rel.right for x in subst.get(k, [k])]
            out.append(Relation(left, right, rel.family, rel.total))
        return out

    def _substitutions(self) -> dict[str, list[str]]:
        subst: dict[str, list[str]] = {}
        for f, group in self.combined:
            for ci, key in enumerate(f.spec.keys()):
                keys = [r.spec.keys()[ci] for r in group]
                subst[keys[0]] = [key]
                subst.update({k: [] for k in keys[1:]})
        for own, subs in self.split:
            for ci, key in enumerate(own.spec.keys()):
                subst[key] = [s.spec.keys()[ci] for s in subs]
        return subst


# -- values, comments, findings ---------------------------------------------------------------------------


def _fmt(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    if isinstance(v, Amount):
        return f"{_fmt(v.value)}{v.unit}"
    return str(v)


class _Emitter:
    def __init__(self, form: Form, other: Form | None, table: str, rows: dict[str, _Row], solution, result: TableRead):
        self.form, self.other, self.table, self.rows = form, other, table, rows
        self.solution, self.result = solution, result

    def is_input(self, key: str) -> bool:
        return key in self.form.cells and not self.form.cells[key].is_total

    def emit(self, layout: _Layout) -> None:
        self.values()
        covered = layout.covered()
        self.combined(layout)
        self.split(layout)
        self.doubts(covered)
        missing = [r.spec for r in self.rows.values() if r.match is None and not r.spec.foreign]
        missing = [s for s in missing if s.id not in covered]
        if missing:
            from .doubts import missing_rows_finding

            self.result.findings.append(missing_rows_finding(self.form, self.table, missing))
        self.totals()

    def values(self) -> None:
        for row in self.rows.values():
            if row.spec.foreign:
                continue
            for key in row.spec.keys():
                if key not in self.solution.values or key not in self.form.cells:
                    continue
                value = self.solution.values[key]
                if isinstance(value, Amount):
                    self.result.units[key] = value.unit
                    value = value.value
                (self.result.printed if self.form.cells[key].is_total else self.result.values)[key] = value

    def doubts(self, covered: set[str]) -> None:
        from .doubts import ambiguous_finding

        for rid, keys in self.solution.doubtful.items():
            row = self.rows[rid]
            inputs = [k for k in keys if self.is_input(k)]
            if row.spec.foreign or rid in covered or not inputs:
                continue
            opts = self.solution.options.get(rid) or row.options
            raw = " ".join(t.text if t.kind != "blank" else "（空）" for t in row.tokens)[:200]
            shown = [" | ".join(_fmt(v) for v in o) for o in opts[:3]]
            self.result.findings.append(
                ambiguous_finding(self.form, self.table, row.spec, inputs, raw, shown, len(opts), row.complete)
            )
            how = f"可以拆成 {len(opts)} 种读法（如 {'；'.join(shown[:2])}）" if len(opts) > 1 else "无法按表格的列拆开"
            for key in inputs:
                self.result.comments[key] = (
                    f"报告中这一行的数字是“{raw}”，{how}，无法确定这一格，已留空。请对照原报告填写。"
                )
                self.result.values[key] = None

    def combined(self, layout: _Layout) -> None:
        """One published row for three: exact only where it is 0 (counts are never negative) or blank."""
        from .doubts import layout_finding

        for f, group in layout.combined:
            unsplit = []
            for ci, column in enumerate(f.spec.columns):
                keys = [r.spec.keys()[ci] for r in group]
                if not self.is_input(keys[0]):
                    continue
                v = self.solution.values.get(f.spec.keys()[ci], "?")
                if v == 0 or v is None:
                    self.result.values.update(dict.fromkeys(keys, v))
                    continue
                unsplit.append((column, keys, v))
                shown = _fmt(v) if v != "?" else "（无法确定）"
                for key in keys:
                    self.result.values[key] = None
                    self.result.comments[key] = (
                        f"报告按{self.other.name}格式只有一行“{f.spec.label}”，这一列是 {shown}，"
                        f"无法分到{self.form.name}的 {len(group)} 行，已留空。请对照原始台账填写。"
                    )
            self.result.findings.append(layout_finding(self.form, self.other, self.table, f.spec, group, unsplit))

    def split(self, layout: _Layout) -> None:
        """Three published rows for one: their sum, where every part is certain."""
        from .doubts import layout_finding

        for own, subs in layout.split:
            for ci, key in enumerate(own.spec.keys()):
                if not self.is_input(key):
                    continue
                parts = [self.solution.values.get(s.spec.keys()[ci], "?") for s in subs]
                if "?" in parts:
                    self.result.values[key] = None
                    self.result.comments[key] = (
                        f"报告按{self.other.name}格式分 {len(subs)} 行列出“{own.spec.label}”，其中有无法确定的数字，已留空。"
                    )
                else:
                    self.result.values[key] = None if all(p is None for p in parts) else sum(num(p) for p in parts)
            self.result.findings.append(layout_finding(self.form, self.other, self.table, own.spec, subs, []))

    def totals(self) -> None:
        """Printed totals that contradict their cells: where the workbook will show another number."""
        from .doubts import total_finding

        contradictions = [c for c in self.solution.contradictions if c[0].left[0] in self.form.cells]
        if not contradictions:
            return
        self.result.findings.append(total_finding(self.form, self.table, contradictions))
        for rel, printed, total in contradictions:
            self.result.comments[rel.left[0]] = (
                f"报告中印的总计是 {_fmt(printed)}，但各单元格相加是 {_fmt(total)}。"
                "填报表保留报告中各单元格的数字，总计由公式重新计算。请核对原报告。"
            )


__all__ = ["TableRead", "read_table", "table_anchors"]
