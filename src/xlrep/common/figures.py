"""The table figures the narrative speaks of, derived from the form: what ``statements`` compares statements
with and what ``drafting`` drafts its paragraphs from.

The figures of 表三 and 表四 are those the edition file declares (``[figures]``: the one source, which TEXT-CLAIM,
the report's fee sentence and the merge's key figures use too), with qualifiers found by the official labels of
their grid's columns (a figure's 自然人 column, 表四's 未经复议直接起诉 block). The figures of 表二 are the rows of
the tables the 主动公开 part speaks of (``[narrative] tables`` and the ``proactive`` role), their columns by
meaning. Nothing here knows an edition. (Kept apart from the statement reader so that writing a template does not
compile the reader's patterns.)
"""

from __future__ import annotations

import re
from collections import namedtuple
from functools import cache

#: Qualifiers of a figure, by the official label of a column or of a group of columns: a statement may speak of
#: one column of a figure (涉及自然人 72 件) or of one block of 表四 (未经复议直接起诉 2 件).
QUALIFIER_LABELS = {
    "自然人": "natural_person",
    "法人或其他组织": "legal_persons",
    "商业企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "public_interest",
    "法律服务机构": "legal_service",
    "未经复议直接起诉": "direct",
    "复议后起诉": "after_review",
}
#: 表二 (the tables the 主动公开 part speaks of, ``[narrative] tables``): rows and columns by official label.
#: A row is a figure of several columns of different meaning (制发, 废止, 现行有效 …): a statement names one.
T2_ROW_LABELS = {
    "规章": "rules",
    "行政规范性文件": "normative_docs",
    "规范性文件": "normative_docs",
    "行政许可": "licensing",
    "其他对外管理服务事项": "other_services",
    "行政处罚": "penalty",
    "行政强制": "enforcement",
    "行政事业性收费": "admin_fees",
    "政府集中采购": "procurement",
}
T2_COLUMN_LABELS = {
    "本年制发件数": "issued",
    "本年废止件数": "repealed",
    "现行有效件数": "in_force",
    "本年新制作数量": "produced",
    "本年新公开数量": "published",
    "对外公开总数量": "public_total",
    "本年处理决定数量": "decisions",
    "处理决定数量": "decisions",
    "本年收费金额（单位：万元）": "amount",
    "采购总金额": "amount",
    "采购项目数量": "items",
}
#: 表二 columns a statement may leave unqualified (the row's count of decisions).
T2_DEFAULT_COLUMNS = ("decisions",)
#: How the figures of 表二 rows are named (``proactive.licensing``).
ROW_PREFIX = "proactive."


class NarrativeFigure(
    namedtuple(
        "NarrativeFigure",
        ("name", "title", "keys", "inputs", "columns", "column_keys", "column_titles", "amount", "row", "label"),
        defaults=(False, ""),
    )
):
    """A table figure the narrative may state, derived from the form: a declared figure (``form.Figure``, the
    edition file's, which this adds the columns and qualifiers to), or a row of 表二.

    ``title``: how a message names it; ``keys``: the cells to name in a finding (the declared cells: totals,
    where the form has them); ``inputs``: the input cells whose sum it is; ``columns``: qualifier → input
    cells, ``column_keys``: qualifier → cells to name, ``column_titles``: qualifier → how a message names it;
    ``amount``: amount column → its unit ("万元") or "@<cell key>" (the cell the clerk chose it in); ``row``:
    a row of 表二 (its columns differ in meaning, and a statement names one of them), ``label`` its label.
    """

    __slots__ = ()


@cache
def narrative_figures(form) -> dict[str, NarrativeFigure]:
    """Every figure the narrative may state, by name: the declared figures of 表三 and 表四 (``[figures]``),
    with their columns and blocks as qualifiers, and the rows of 表二 — derived from the form's grids."""
    figures: dict[str, NarrativeFigure] = {}
    where = {grid.cell_key(r, c): (grid, r, c) for grid in form.grids() for r in grid.rows for c in grid.columns}
    for name, declared in form.figures.items():
        keys = tuple(form.figure_keys(name))
        if all(k in where for k in keys):  # figures of a table (六's fee figures are fields: not read here)
            figures[name] = _declared(form, declared, keys, where)
    proactive = form.role("proactive")
    for table, part in form.table_parts.items():
        if part == proactive:
            for grid in form.grids(table):
                _row_figures(form, grid, figures)
    return figures


def _inputs(form, keys) -> tuple[str, ...]:
    """The input cells whose sum the cells are (totals expanded, as their formulas add them up)."""
    out: list[str] = []
    for key in keys:
        cell = form.cells[key]
        out.extend(_inputs(form, cell.sum_of) if cell.sum_of else (key,))
    return tuple(out)


def _declared(form, declared, keys: tuple[str, ...], where) -> NarrativeFigure:
    qualified: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for key in keys:
        grid, row, column = where[key]
        for label in column.group:  # the figure's own block (表四: 未经复议直接起诉)
            if label in QUALIFIER_LABELS:
                qualified.setdefault(QUALIFIER_LABELS[label], []).append(key)
                labels[QUALIFIER_LABELS[label]] = label
        operands = [c for c in grid.columns if c.key in column.sum_of]
        for operand in operands:  # a total over columns: each column, and each group of them (法人或其他组织)
            for label in (operand.label, *operand.group):
                if label in QUALIFIER_LABELS and label not in column.group:
                    qualified.setdefault(QUALIFIER_LABELS[label], []).append(grid.cell_key(row, operand))
                    labels[QUALIFIER_LABELS[label]] = label
    base = re.sub(r"（[^（）]*）$", "", declared.title)  # 本年新收申请（表三 一、总计） → 本年新收申请
    return NarrativeFigure(
        declared.name,
        declared.title,
        keys,
        _inputs(form, keys),
        columns={q: _inputs(form, cells) for q, cells in qualified.items()},
        column_keys={q: tuple(cells) for q, cells in qualified.items()},
        column_titles={q: f"{base}中“{labels[q]}”一栏" for q in qualified},
        amount={},
    )


def _row_figures(form, grid, figures: dict[str, NarrativeFigure]) -> None:
    """Each row of a 表二 grid the vocabulary knows: its columns by meaning, amounts with their unit."""
    table = form.table_names.get(grid.table, "").split("（")[0]  # 表二（主动公开） → 表二
    for row in grid.rows:
        if row.label not in T2_ROW_LABELS:
            continue
        name = ROW_PREFIX + T2_ROW_LABELS[row.label]
        old = figures.get(name)
        columns = dict(old.columns) if old else {}
        titles = dict(old.column_titles) if old else {}
        amount = dict(old.amount) if old else {}
        for column in grid.columns:  # a column no word names (上一年项目数量) keeps its label: it makes a bare
            meaning = T2_COLUMN_LABELS.get(column.label, column.label)  # statement of the row unclear
            key = grid.cell_key(row, column)
            columns[meaning] = (key,)
            titles[meaning] = f"{table}“{row.label}”{column.label}"
            if column.kind == "amount":  # the unit in the label, or chosen by the clerk in another cell
                unit = re.search(r"单位：\s*(万元|元|亿元)", column.label)
                chosen = next((u.unit for u in form.units if u.cell == key), None)
                amount[meaning] = unit.group(1) if unit else f"@{chosen}" if chosen else ""
        if not columns:
            continue
        default = [c for c in columns if c in T2_DEFAULT_COLUMNS] or (list(columns) if len(columns) == 1 else [])
        keys = columns[default[0]] if default else ()
        figures[name] = NarrativeFigure(
            name,
            titles[default[0]] if default else f"{table}“{row.label}”",
            keys,
            keys,
            columns=columns,
            column_keys=columns,
            column_titles=titles,
            amount=amount,
            row=True,
            label=row.label,
        )


__all__ = ["NarrativeFigure", "narrative_figures"]
