"""Whether the tables agree with the statements: a statement is flagged only when no reading of it fits."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from ...common.figures import NarrativeFigure
from .model import Hint, Mismatch, Statement
from .vocabulary import AMOUNT_UNITS, COUNT_UNITS, HINTS


def compare(
    statements: list[Statement],
    figures: Mapping[str, NarrativeFigure],
    values: Mapping[str, object],
    previous_values: Mapping[str, object] | None = None,
    *,
    year: int | None = None,
    region_is_ours: bool = False,
) -> list[Mismatch]:
    """The statements that no reading fits.

    ``values`` are the input cells by key (blank or unusable: None), optionally with the totals recomputed
    (``engine.all_values``), which saves adding up their cells; ``previous_values`` last year's input cells;
    ``region_is_ours``: the report is a local government's, so what it says of the whole area (全市) is its own.
    """
    out: list[Mismatch] = []
    if not statements:
        return out
    values = _Data(values)
    previous_values = _Data(previous_values) if previous_values is not None else None
    for stmt in statements:
        data = _data_for(stmt, values, previous_values, year, region_is_ours)
        if data is None:
            continue
        last_year = data is not values
        if stmt.kind == "change":
            m = _compare_change(stmt, figures, values, previous_values)
        elif stmt.kind in ("share", "rate"):
            m = _compare_share(stmt, figures, data)
        else:
            m = _compare_count(stmt, figures, data, last_year)
        if m is not None:
            out.append(m)
    return out


def _data_for(stmt: Statement, values, previous_values, year: int | None, region_is_ours: bool):
    """The values a statement speaks of: this year's or last year's; None: it is not compared (another year, a
    scope of its own, the whole area of a unit that is not its government, no workbook of last year)."""
    if stmt.scope == "other" or (stmt.area and not region_is_ours):
        return None
    if stmt.scope.startswith("year:") and year is not None:
        stated_year = int(stmt.scope[5:])
        if stated_year == year - 1:
            return previous_values
        return values if stated_year == year else None
    if stmt.scope == "previous":
        return previous_values
    return values


class _Data:
    """Input values by key, and the figures already added up from them."""

    __slots__ = ("values", "sums")

    def __init__(self, values: Mapping[str, object]):
        self.values = values
        self.sums: dict[tuple[str, str | None], float | int | None] = {}


def _value(figure: NarrativeFigure, data: _Data, column: str | None = None) -> float | int | None:
    """The figure's value (its input cells added up as SUM does); None when it is unknown or all blank."""
    key = (figure.name, column)
    if key not in data.sums:
        total = None
        if column is None and figure.keys != figure.inputs:  # its totals, when the values hold them (and not 0)
            total = _add_up(figure.keys, data.values)
        if not total:  # else its input cells (which also tell whether they are all blank)
            total = _add_up(figure.inputs if column is None else figure.columns.get(column), data.values)
        data.sums[key] = total
    return data.sums[key]


def _add_up(cells, values: Mapping[str, object]) -> float | int | None:
    if not cells:
        return None
    total: float | int = 0
    seen = False
    for key in cells:
        if key not in values:
            return None  # not a cell of that workbook's edition
        v = values[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        total += v
        seen = True
    return total if seen else None


class _Got(namedtuple("_Got", ("value", "parts"))):
    """The value of one reading, and (for messages) the figures and columns it added up."""

    __slots__ = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for f, col in self.parts for k in (f.column_keys.get(col, ()) if col else f.keys))

    @property
    def title(self) -> str:
        titles = [f.column_titles[col] if col else f.title for f, col in self.parts]
        return "与".join(titles) + ("之和" if len(titles) > 1 else "")


def _reading_value(reading, figures, values, column: tuple[str, ...] = ()) -> _Got | None:
    """The value of one reading (a sum of figures, maybe of one column), or None when it cannot be known."""
    total: float | int = 0
    parts = []
    for name in reading:
        figure = figures.get(name)
        if figure is None:
            return None
        col = _column(figure, column)
        if column and col is None:
            return None
        if col is not None and figure.row and col not in figure.columns:
            return None
        v = _value(figure, values, col)
        if v is None:
            return None
        total += v
        parts.append((figure, col))
    return _Got(total, tuple(parts))


def _column(figure: NarrativeFigure, column: tuple[str, ...]) -> str | None:
    if not column:
        if figure.row and not figure.keys:
            return "?"  # a row of several columns, none named: unclear
        return None
    found = [c for c in column if c in figure.columns]
    if figure.row:
        return found[0] if len(found) == 1 else "?"  # none of this edition's columns, or several: unclear
    return found[0] if found else None


def _compare_count(stmt: Statement, figures, values, last_year: bool) -> Mismatch | None:
    candidates = []
    for reading in stmt.readings:
        got = _reading_value(reading, figures, values, stmt.column)
        if got is None:
            continue
        fits, shown = _fits_count(stmt, figures[reading[0]], got.value, values)
        if fits is None:
            continue
        if fits:
            return None
        candidates.append((reading, shown, got))
    if not candidates:
        return None
    reading, table, got = candidates[0]
    figure = "+".join(reading)
    if stmt.kind == "zero":
        claim = f"no_correction_{stmt.topic}"
        return Mismatch("TEXT-CLAIM", stmt, 0, table, figure, got.keys, got.title, claim=claim)
    return Mismatch(
        "TEXT-CHANGE" if last_year else "TEXT-NUMBER",
        stmt,
        stmt.number,
        table,
        figure,
        got.keys,
        got.title,
        unit=stmt.unit if stmt.unit in AMOUNT_UNITS else "件",
        last_year=last_year,
        others=tuple((g.title, v) for _, v, g in candidates[1:]),
        hints=_hints(stmt, figures, values, reading),
    )


def _fits_count(stmt: Statement, figure: NarrativeFigure, value, values) -> tuple[bool | None, float | int]:
    """(does the stated number fit the figure — None: not comparable, the figure in the stated unit)."""
    if not figure.row:
        if stmt.unit in AMOUNT_UNITS:
            return None, value
        return stmt.number == value, value
    col = _column(figure, stmt.column)
    if col in (None, "?") and len(figure.columns) == 1:
        col = next(iter(figure.columns))
    scale = _amount_scale(stmt, figure, col, values)
    if scale is None:
        return None, value
    shown = value / scale if scale != 1 else value
    if col in figure.amount:  # an amount fits within the precision stated
        return abs(stmt.number * scale - value) < _tolerance(stmt.decimals) * scale, shown
    return stmt.number == value, shown


def _amount_scale(stmt: Statement, figure: NarrativeFigure, col: str | None, values) -> float | None:
    """How many of the table's units one stated unit is (万元 stated, 元 in the table: 10000); None: not comparable."""
    if col is None or col == "?" or col not in figure.columns:
        return None
    if col not in figure.amount:
        return 1 if stmt.unit in COUNT_UNITS else None
    if stmt.unit not in AMOUNT_UNITS:
        return None
    unit = figure.amount[col]
    if unit.startswith("@"):
        unit = str(values.values.get(unit[1:]) or "")
    if unit not in AMOUNT_UNITS:
        return None
    return AMOUNT_UNITS[stmt.unit] / AMOUNT_UNITS[unit]


def _tolerance(decimals: int) -> float:
    """A number stated with ``decimals`` decimals fits every value it may have been rounded or cut from."""
    return 10.0**-decimals


def _hints(stmt: Statement, figures, values, reading) -> tuple[Hint, ...]:
    """Other figures the stated number happens to equal (自然人 column, 新收 + 结转, 不予公开 + 不掌握)."""
    if stmt.column or len(reading) != 1:
        return ()
    name = reading[0]
    figure = figures.get(name)
    out = []
    if figure is not None and "natural_person" in figure.columns:
        np_value = _value(figure, values, "natural_person")
        total = _value(figure, values)
        if np_value is not None and np_value != total and np_value == stmt.number:
            out.append(Hint("natural_person", ((figure.column_titles["natural_person"], np_value),)))
    for combo, advice in HINTS.get(name, ()):
        parts = [figures.get(n) for n in combo]
        if any(f is None for f in parts):
            continue
        nums = [_value(f, values) for f in parts]
        if any(v is None for v in nums) or not all(nums) or sum(nums) != stmt.number:
            continue
        out.append(Hint("sum", tuple((f.title, v) for f, v in zip(parts, nums, strict=True)), advice))
    return tuple(out)


def _share(num: float | int, den: float | int) -> float:
    return num * 100 / den


def _compare_share(stmt: Statement, figures, values) -> Mismatch | None:
    tried = []
    for reading in stmt.readings:
        got = _reading_value(reading, figures, values, stmt.column)
        if got is None:
            continue
        num = got.value
        for den_reading in stmt.of:
            den = _reading_value(den_reading, figures, values)
            if den is None or not den.value or den.value < 0 or num < 0:
                continue
            exact = _share(num, den.value)
            if abs(stmt.number - exact) < _tolerance(stmt.decimals):
                return None
            tried.append((exact, got, den, reading))
    if not tried:
        return None
    exact, got, den, reading = tried[0]  # named by the first meaning (of （七）总计, where it may be)
    shown = _round(exact, max(2, stmt.decimals))
    return Mismatch(
        "TEXT-SHARE",
        stmt,
        stmt.number,
        shown,
        "+".join(reading) + "/" + "+".join(stmt.of[0]),
        got.keys + den.keys,
        got.title,
        unit="%",
        value=got.value,
        base=(den.title, den.value),
    )


def _round(x: float, decimals: int) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _compare_change(stmt: Statement, figures, values, previous_values) -> Mismatch | None:
    """A change no reading of this year's and last year's figure fits (每一种读法, 两年各自): the first one's."""
    if previous_values is None:
        return None
    first: Mismatch | None = None
    for reading in stmt.readings:
        now = _reading_value(reading, figures, values, stmt.column)
        if now is None:
            continue
        for last in stmt.readings:
            before = _reading_value(last, figures, previous_values, stmt.column)
            if before is None or (stmt.unit == "%" and before.value <= 0):
                continue
            if stmt.unit == "%":
                exact = (now.value - before.value) * 100 / before.value
            else:
                exact = now.value - before.value
            signed = stmt.number * stmt.direction
            if (abs(signed - exact) < _tolerance(stmt.decimals)) if stmt.unit == "%" else signed == exact:
                return None
            if first is None and last == reading:
                shown = _round(exact, max(2, stmt.decimals)) if stmt.unit == "%" else exact
                first = Mismatch(
                    "TEXT-CHANGE",
                    stmt,
                    stmt.number,
                    abs(shown),  # the size of the change (``value`` and ``before`` tell its direction)
                    "+".join(reading),
                    now.keys,
                    now.title,
                    unit="%" if stmt.unit == "%" else "件",
                    value=now.value,
                    before=before.value,
                )
    return first
