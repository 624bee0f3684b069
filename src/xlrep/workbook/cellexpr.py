"""The language computed cells are described in, and its two renderings: a Python value and an Excel formula.

A computed cell of the workbook (a total, an equation check, a count of bad values, the overall status, a
drafted paragraph) is described once as a small tree of the nodes below, over cell keys; ``computed``
holds every description. ``evaluate`` gives what a spreadsheet program shows in the cell, ``formula``
writes the formula that makes it show that, given where each key sits (``addresses``: key → (sheet, row,
col), zero-based). Only classic functions are written (SUM, IF, AND, OR, NOT, ROUND, FIXED, COUNTIF,
ISTEXT and ``&``), so Excel, WPS, LibreOffice and Gnumeric compute the same text as Python
(docs/compatibility.md). ``portable=False`` writes a formula as template 1.1 wrote it (numbers joined with
``&`` alone, a check passing at an exact 0, text numbers counted with SUMPRODUCT): the reader accepts
those in an older workbook.

The numbers joined into text, the A1 references, and the pass/fail words live here too: both renderings
need them; of xlrep this module imports only the A1 arithmetic (``a1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from ..common.a1 import column_letters

PASS = "✔"
FAIL = "✘"
ALL_PASSED = "全部通过"

# ----------------------------------------------------------------------------------- numbers


def as_number(value: object) -> float | int | None:
    """The value a spreadsheet's SUM would add: numbers only (not booleans, text or blanks)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


#: Below this a fraction is written with an exponent (LibreOffice writes 1E-015 from 1e-15 on, 0.0000000001 above).
EXPONENT_BELOW = 1e-10


def format_number(value: float | int) -> str:
    """A number as a spreadsheet shows it when joined to text with ``&``: 15 significant digits, no exponent
    for fractions down to ``EXPONENT_BELOW`` (no figure of a report comes near; a crafted 1e-300 stays short)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    text = format(value, ".15g")
    if "e" in text and EXPONENT_BELOW <= abs(value) < 1:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text


#: The most decimals a number joined into text is shown with (amounts as typed: 万元 to 6 decimals is 1 分).
MOST_DECIMALS = 6


def number_text(value: float | int, most: int = MOST_DECIMALS) -> str:
    """A number as the template's formulas write it into text (``number_text_formula``): with as many
    decimals as it has, at most ``most`` (0: rounded to a whole number), never a binary-float artefact
    (73745.65, not 73745.64999999999) and the same in every spreadsheet program.

    The formula scales the number by 10^most and rounds it to a whole number ``r`` (ROUND), counts the
    trailing zeros of ``r`` (ROUND(r,-k)=r), and shows r / 10^most with FIXED to the decimals left.
    """
    from decimal import ROUND_HALF_UP, Decimal

    if most == 0:
        shown = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return "0" if shown == 0 else format(shown, "f")
    r = int(Decimal(value * 10**most).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if r == 0:
        return "0"
    decimals = most
    while decimals and r % 10 ** (most - decimals + 1) == 0:
        decimals -= 1
    return format(Decimal(r).scaleb(-most).quantize(Decimal(1).scaleb(-decimals)), "f")


def number_text_formula(expr: str, most: int = MOST_DECIMALS) -> str:
    """The formula text of ``expr`` shown as ``number_text`` shows it: FIXED, ROUND and IF only (classic
    functions every spreadsheet program computes alike; ``&`` alone writes 15 to 17 digits, by program)."""
    if most == 0:
        return f"FIXED({expr},0,TRUE)"
    r = f"ROUND(({expr})*1{'0' * most},0)"
    decimals = str(most)
    for k in range(most - 1, -1, -1):  # k decimals when r ends in (most - k) zeros
        decimals = f"IF({r}=ROUND({r},-{most - k}),{k},{decimals})"
    return f"FIXED({r}/1{'0' * most},{decimals},TRUE)"  # r, not expr: a binary tie is rounded once, by ROUND


def shown_zero(value: float | int, most: int = MOST_DECIMALS) -> bool:
    """Whether ``value`` rounds to 0 at ``most`` decimals (a check whose difference is only float noise passes)."""
    from decimal import ROUND_HALF_UP, Decimal

    return Decimal(value * 10**most).quantize(Decimal(1), rounding=ROUND_HALF_UP) == 0


def _percent(num: float | int, den: float | int) -> str:
    """ROUND(num*10000/den, 0)/100 shown to its (at most 2) decimals, as the formula shows it."""
    from decimal import ROUND_HALF_UP, Decimal

    q = num * 10000 / den
    r = int(Decimal(q).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return number_text(r / 100, 2)


# ----------------------------------------------------------------------------------- A1 references


@cache
def col_letters(col: int) -> str:
    """The letters of a zero-based column (0 → A, 26 → AA): ``a1.column_letters`` (why not xlsxwriter's or
    openpyxl's helper: see there; ``tests/test_formula_text.py`` holds them together over every column)."""
    return column_letters(col + 1)


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letters(col)}{d}{row + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


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


Addresses = Mapping[str, tuple[str, int, int]]


def _by_sheet(addresses: Addresses, keys) -> dict[str, list[tuple[int, int]]]:
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for key in keys:
        s, r, c = addresses[key]
        by_sheet.setdefault(s, []).append((r, c))
    return by_sheet


def packed_refs(addresses: Addresses, keys, sheet: str | None) -> list[str]:
    """The cells as few rectangles, sheet by sheet (qualified unless on ``sheet``; None: always)."""
    parts = []
    for s, cells in _by_sheet(addresses, keys).items():
        prefix = "" if s == sheet else quote_sheet(s) + "!"
        parts.extend(prefix + ref for ref in ranges(cells))
    return parts


def run_refs(addresses: Addresses, keys, sheet: str) -> list[str]:
    """The cells in their order: runs along a row or down a column become ranges (qualified unless on ``sheet``)."""
    runs: list[list] = []  # [sheet, first row, first col, last row, last col]
    for s, r, c in (addresses[k] for k in keys):
        last = runs[-1] if runs else None
        if last and last[0] == s and last[1] == last[3] == r and last[4] == c - 1:
            last[4] = c  # along a row
        elif last and last[0] == s and last[2] == last[4] == c and last[3] == r - 1:
            last[3] = r  # down a column
        else:
            runs.append([s, r, c, r, c])
    out = []
    for s, r1, c1, r2, c2 in runs:
        prefix = "" if s == sheet else quote_sheet(s) + "!"
        first, last_ref = cell_ref(r1, c1), cell_ref(r2, c2)
        out.append(prefix + (first if first == last_ref else f"{first}:{last_ref}"))
    return out


def _ref(addresses: Addresses, key: str, sheet: str | None) -> str:
    s, r, c = addresses[key]
    return ("" if s == sheet else quote_sheet(s) + "!") + cell_ref(r, c)


# ----------------------------------------------------------------------------------- the nodes


class Node:
    """A piece of a description: its fields are set once (plain slotted classes: no start-up cost)."""

    __slots__ = ()

    def __init__(self, *args) -> None:
        for name, value in zip(self.__slots__, args, strict=True):
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(getattr(self, n)) for n in self.__slots__)})"


# numbers


class Sum(Node):
    """The sum of some cells (as SUM adds them: numbers only); written as runs in the order of ``keys``."""

    __slots__ = ("keys",)

    def __add__(self, other: Sum) -> Sum:
        return Sum(self.keys + other.keys)


class Packed(Sum):
    """A sum written with its cells packed into as few rectangles as possible, sheet by sheet (totals, checks)."""


class Minus(Node):
    """``(a-b)``, as plain subtraction (a check's difference)."""

    __slots__ = ("left", "right")


class Const(Node):
    __slots__ = ("value",)


class CountText(Node):
    """How many of the cells hold text (``ISTEXT`` cell by cell; SUMPRODUCT per range in template 1.1)."""

    __slots__ = ("keys",)


class CountIf(Node):
    """How many of the cells hold a number that compares so with a number (``COUNTIF(range,"<0")``):
    ``op`` one of ``< <= > >= = <>``."""

    __slots__ = ("keys", "op", "value")


_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
}


class CountPassed(Node):
    """How many of the cells (one column, first to last) show ``PASS``."""

    __slots__ = ("keys",)


# text


class Text(Node):
    __slots__ = ("text",)


class Number(Node):
    """A number shown as text: a whole number (``most`` decimals: 0)."""

    __slots__ = ("of",)
    most = 0


class Amount(Number):
    """A number shown as text with the decimals it has (at most ``MOST_DECIMALS``); its fields are
    Number's (``__slots__`` is inherited, so the description is walked alike)."""

    most = MOST_DECIMALS


class Plain(Node):
    """A whole number joined to text as it is (``&``: exact for counts)."""

    __slots__ = ("of",)


class CellText(Node):
    """A text cell shown as typed (the unit of the 2019 procurement amount)."""

    __slots__ = ("key",)


class Ref(Node):
    """What another computed cell shows (a 校验 row showing its check's cell); always sheet-qualified."""

    __slots__ = ("key",)


class Percent(Node):
    """num / den × 100 rounded to 2 decimals, shown without trailing zeros (51.85, 37.5, 100)."""

    __slots__ = ("num", "den")


# conditions


class Zero(Node):
    __slots__ = ("of",)


class NearZero(Node):
    """Rounds to 0 at ``MOST_DECIMALS`` decimals (float noise is no difference); exactly 0 in template 1.1."""

    __slots__ = ("of",)


class Equals(Node):
    __slots__ = ("of", "value")


class Positive(Node):
    __slots__ = ("of",)


class Not(Node):
    __slots__ = ("cond",)


class All(Node):
    __slots__ = ("conds",)


class Any(Node):
    __slots__ = ("conds",)


class When(Node):
    """``then`` when ``cond`` holds, else ``otherwise`` (both tuples of text pieces)."""

    __slots__ = ("cond", "then", "otherwise")

    def __init__(self, cond, then: tuple, otherwise: tuple = ()) -> None:
        super().__init__(cond, then, otherwise)


def keys_of(node) -> set[str]:
    """The cells a piece of a description reads."""
    if isinstance(node, tuple):
        return set().union(*(keys_of(n) for n in node)) if node else set()
    if isinstance(node, (Sum, CountText, CountIf, CountPassed)):
        return set(node.keys)
    if isinstance(node, (Text, Const)):
        return set()
    if isinstance(node, (CellText, Ref)):
        return {node.key}
    return set().union(*(keys_of(getattr(node, name)) for name in node.__slots__))


# ----------------------------------------------------------------------------------- Python


def evaluate(node, values: Mapping[str, object]):
    """What the cell shows: a number for a numeric node, the text for a tuple of text pieces."""
    if isinstance(node, tuple):
        return "".join(_text(p, values) for p in node)
    return _number(node, values)


def _number(node, values: Mapping[str, object]) -> float | int:
    if isinstance(node, Sum):
        total: float | int = 0
        for key in node.keys:
            v = as_number(values.get(key))
            if v is not None:
                total += v
        return total
    if isinstance(node, Minus):
        return _number(node.left, values) - _number(node.right, values)
    if isinstance(node, Const):
        return node.value
    if isinstance(node, CountText):
        return sum(1 for k in node.keys if isinstance(values.get(k), str))
    if isinstance(node, CountIf):
        compare = _COMPARE[node.op]
        return sum(1 for k in node.keys if (v := as_number(values.get(k))) is not None and compare(v, node.value))
    if isinstance(node, CountPassed):
        return sum(1 for k in node.keys if values.get(k) == PASS)
    raise TypeError(node)


def _text(p, values: Mapping[str, object]) -> str:
    if isinstance(p, Text):
        return p.text
    if isinstance(p, Number):
        return number_text(_number(p.of, values), p.most)
    if isinstance(p, Plain):
        return format_number(_number(p.of, values))
    if isinstance(p, Percent):
        return _percent(_number(p.num, values), _number(p.den, values))
    if isinstance(p, CellText):
        v = values.get(p.key)
        return "" if v is None else (format_number(v) if isinstance(v, (int, float)) else str(v))
    if isinstance(p, Ref):
        return str(values[p.key])
    if isinstance(p, When):
        return evaluate(p.then if holds(p.cond, values) else p.otherwise, values)
    raise TypeError(p)


def holds(cond, values: Mapping[str, object]) -> bool:
    if isinstance(cond, Zero):
        return _number(cond.of, values) == 0
    if isinstance(cond, NearZero):
        return shown_zero(_number(cond.of, values))
    if isinstance(cond, Equals):
        return _number(cond.of, values) == _number(cond.value, values)
    if isinstance(cond, Positive):
        return _number(cond.of, values) > 0
    if isinstance(cond, Not):
        return not holds(cond.cond, values)
    if isinstance(cond, All):
        return all(holds(c, values) for c in cond.conds)
    if isinstance(cond, Any):
        return any(holds(c, values) for c in cond.conds)
    raise TypeError(cond)


# ----------------------------------------------------------------------------------- Excel

#: Excel: the longest string literal in a formula, and the longest formula.
LITERAL_LIMIT = 255
FORMULA_LIMIT = 8192


def formula(node, addresses: Addresses, sheet: str, portable: bool = True) -> str:
    """The formula (with its ``=``) that shows in a cell of ``sheet`` what ``evaluate`` gives."""
    text = "=" + (_text_formula if isinstance(node, tuple) else _expr)(node, addresses, sheet, portable)
    if len(text) > FORMULA_LIMIT:
        raise ValueError(f"a formula of {len(text)} characters (Excel takes {FORMULA_LIMIT}): {text[:80]}…")
    return text


def _literal(text: str) -> str:
    chunks = [text[i : i + LITERAL_LIMIT] for i in range(0, len(text), LITERAL_LIMIT)] or [""]
    return "&".join('"' + c.replace('"', '""') + '"' for c in chunks)


def _expr(node, addresses: Addresses, sheet: str, portable: bool) -> str:
    if isinstance(node, Packed):
        return f"SUM({','.join(packed_refs(addresses, node.keys, sheet))})"
    if isinstance(node, Sum):
        return f"SUM({','.join(run_refs(addresses, node.keys, sheet))})"
    if isinstance(node, Minus):
        return f"({_expr(node.left, addresses, sheet, portable)}-{_expr(node.right, addresses, sheet, portable)})"
    if isinstance(node, Const):
        return str(node.value)
    if isinstance(node, CountText):
        if portable:  # cell by cell: SUMPRODUCT(--ISTEXT(range)) needs array evaluation, which Gnumeric lacks
            return "(" + "+".join(f"ISTEXT({_ref(addresses, k, None)})" for k in node.keys) + ")"
        refs = packed_refs(addresses, node.keys, None)
        return "(" + "+".join(f"SUMPRODUCT(--ISTEXT({r}))" for r in refs) + ")"
    if isinstance(node, CountIf):
        criterion = f'"{node.op}{format_number(node.value)}"'
        return "(" + "+".join(f"COUNTIF({r},{criterion})" for r in packed_refs(addresses, node.keys, None)) + ")"
    if isinstance(node, CountPassed):
        first, last = (_ref(addresses, k, sheet) for k in (node.keys[0], node.keys[-1]))
        return f'COUNTIF({first}:{last},"{PASS}")'
    raise TypeError(node)


def _merged(parts) -> list:
    """Adjacent texts as one (one literal in the formula)."""
    out: list = []
    for p in parts:
        if isinstance(p, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + p.text)
        else:
            out.append(p)
    return out


def _text_formula(parts, addresses: Addresses, sheet: str, portable: bool) -> str:
    pieces = []
    for p in _merged(parts):
        if isinstance(p, Text):
            pieces.append(_literal(p.text))
        elif isinstance(p, Number):
            total = _expr(p.of, addresses, sheet, portable)
            pieces.append(number_text_formula(total, p.most) if portable else total)
        elif isinstance(p, Plain):
            pieces.append(_expr(p.of, addresses, sheet, portable))
        elif isinstance(p, Percent):
            num, den = (_expr(x, addresses, sheet, portable) for x in (p.num, p.den))
            share = f"ROUND({num}*10000/{den},0)/100"
            pieces.append(number_text_formula(share, 2) if portable else share)
        elif isinstance(p, CellText):
            pieces.append(_ref(addresses, p.key, sheet) + '&""')
        elif isinstance(p, Ref):
            pieces.append(_ref(addresses, p.key, None))
        elif isinstance(p, When):
            then = _text_formula(p.then, addresses, sheet, portable) or '""'
            otherwise = _text_formula(p.otherwise, addresses, sheet, portable) or '""'
            pieces.append(f"IF({_condition(p.cond, addresses, sheet, portable)},{then},{otherwise})")
        else:
            raise TypeError(p)
    return "&".join(pieces)


def _condition(cond, addresses: Addresses, sheet: str, portable: bool) -> str:
    expr = lambda x: _expr(x, addresses, sheet, portable)  # noqa: E731
    if isinstance(cond, Zero):
        return f"{expr(cond.of)}=0"
    if isinstance(cond, NearZero):
        return f"ROUND({expr(cond.of)}*1{'0' * MOST_DECIMALS},0)=0" if portable else f"{expr(cond.of)}=0"
    if isinstance(cond, Equals):
        return f"{expr(cond.of)}={expr(cond.value)}"
    if isinstance(cond, Positive):
        return f"{expr(cond.of)}>0"
    if isinstance(cond, Not):
        inner = cond.cond
        if isinstance(inner, Zero):
            return f"{expr(inner.of)}<>0"
        return f"NOT({_condition(inner, addresses, sheet, portable)})"
    if isinstance(cond, (All, Any)):
        name = "AND" if isinstance(cond, All) else "OR"
        return f"{name}({','.join(_condition(c, addresses, sheet, portable) for c in cond.conds)})"
    raise TypeError(cond)
