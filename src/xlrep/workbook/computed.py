"""Every computed cell of the workbook, described once: totals, equation checks, value counts, the 校验 rows,
the overall status and the drafted paragraphs.

``computed_cells(form)`` lists them in the order they are computed, each with its id (where ``layout``
places it: a total's form key, a check's id, ``live.<id>`` for a row of the 校验 sheet, ``status``,
``draft.<part key>``) and its description in the language of ``cellexpr``. From that one description
``engine`` computes what the cell shows and ``formulas`` writes its formula; ``layout`` only gives each id
its place. A new live check is one entry here (a ``TableCheck``, or a ``[[checks]]`` of the edition file)
and its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from ..edition.form import Cell, Form
from .cellexpr import (
    ALL_PASSED,
    PASS,
    Amount,
    Const,
    CountIf,
    CountPassed,
    CountText,
    Equals,
    Minus,
    NearZero,
    Packed,
    Plain,
    Ref,
    Text,
    When,
    Zero,
)
from .paragraphs import DRAFT_PREFIX, description, drafted_parts

#: The template version that first wrote the drafted paragraphs: a workbook of an earlier one has none.
DRAFTS_SINCE = "1.1"
#: The id of the overall status cell (on the 校验 sheet).
STATUS = "status"
#: The 校验 row of live check ``id`` is the cell ``live.<id>``.
LIVE_PREFIX = "live."


@dataclass(frozen=True)
class TableCheck:
    """A live check of the values of each group of [tables]: how many of its cells are wrong."""

    what: str  # the id is ``<table>.<what>``
    rule: str
    label: str  # ``{name}``: the table's name
    message: str
    count: object  # keys → the cellexpr node that counts the wrong ones (CountText, CountIf …)
    watches: object = None  # which of the table's numeric inputs it counts (None: all)


#: The value checks, in the order of their rows on the 校验 sheet (after the declared checks).
TABLE_CHECKS = (
    TableCheck(
        "value_text",
        "VALUE-TEXT",
        "{name}文本数字",
        "数字单元格中不得填入文字（如“１２”“12件”“无”“-”），公式会忽略它们",
        CountText,
    ),
    TableCheck(
        "value_negative",
        "VALUE-NEGATIVE",
        "{name}负数",
        "件数和金额不得为负数",
        lambda keys: CountIf(keys, "<", 0),
        lambda cell: cell.kind != "signed",
    ),
)


@dataclass(frozen=True)
class LiveItem:
    """A row of the 校验 sheet: the live check it shows, and how it is described there."""

    id: str
    rule: str
    label: str
    message: str
    expr: object = field(default=None, compare=False)  # what the row shows (a declared check's: its cell)


def live_items(form: Form) -> list[LiveItem]:
    """Every live check of the workbook, in the order of the 校验 sheet."""
    items = [LiveItem(c.id, c.rule, c.label, c.message, (Ref(c.id),)) for c in form.checks]
    for table in form.value_tables:
        name = form.table_names[table]
        for check in TABLE_CHECKS:
            cells = [c for c in form.table_inputs(table) if check.watches is None or check.watches(c)]
            if not cells:
                continue
            count = check.count(tuple(c.key for c in cells))
            shows = (When(Zero(count), (Text(PASS),), (Text("✘ "), Plain(count), Text("个"))),)
            items.append(
                LiveItem(f"{table}.{check.what}", check.rule, check.label.format(name=name), check.message, shows)
            )
    return items


@dataclass(frozen=True)
class Computed:
    """One computed cell: its id, what it is, its label (in findings), its description, since when it exists."""

    key: str
    kind: str  # total, check, live, status, draft
    label: str
    expr: object  # a numeric node (a total) or a tuple of text pieces
    since: str | None = None  # the template version that first wrote it (older workbooks do not have it)


def total(cell: Cell):
    return Packed(cell.sum_of)


def check(left: tuple[str, ...], right: tuple[str, ...]) -> tuple:
    """✔ when the sides are equal (to 6 decimals), else ✘ 差 and the difference."""
    diff = Minus(Packed(left), Packed(right))
    return (When(NearZero(diff), (Text(PASS),), (Text("✘ 差"), Amount(diff))),)


def status(rows: tuple[str, ...]) -> tuple:
    """全部通过 when every row shows ✔, else how many do not."""
    n = Const(len(rows))
    passed = CountPassed(rows)
    return (When(Equals(passed, n), (Text(ALL_PASSED),), (Plain(Minus(n, passed)), Text(" 项未通过"))),)


@cache
def computed_cells(form: Form) -> tuple[Computed, ...]:
    """Every computed cell of ``form``, each after the cells it reads."""
    out = [Computed(cell.key, "total", cell.label, total(cell)) for cell in form.totals]
    out += [Computed(c.id, "check", c.label, check(c.left, c.right)) for c in form.checks]
    items = live_items(form)
    out += [Computed(LIVE_PREFIX + i.id, "live", i.label, i.expr) for i in items]
    out.append(Computed(STATUS, "status", "总体状态", status(tuple(LIVE_PREFIX + i.id for i in items))))
    for key, role in drafted_parts(form).items():
        label = f"参考表述（{form.cells[key].label}）"
        out.append(Computed(DRAFT_PREFIX + key, "draft", label, description(form, role), DRAFTS_SINCE))
    return tuple(out)
