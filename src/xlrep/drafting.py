"""Drafted sentences: the standard 依申请公开 and 主动公开 statements, built from the tables.

One description of each paragraph (a small tree of text, numbers, shares and
conditions over table figures) is rendered two ways: ``draft_on_request`` /
``draft_proactive`` evaluate it in Python, and ``draft_formula`` writes it as one
Excel formula (IF, AND, OR, ROUND, SUM, FIXED and ``&`` only — no TEXTJOIN/IFS/LET/CONCAT;
numbers through FIXED, never ``&`` alone, whose digits differ by program — so Excel, WPS, LibreOffice and
Gnumeric compute the same text as Python, docs/compatibility.md). The template puts
the formula in a locked 参考表述 cell beside each part; the clerk copies it into the
narrative, and an empty （二）依申请公开 is published as the draft.

Figures come from ``figures.narrative_figures`` (the declared figures of the
edition file, and the rows of 表二); the parts are found by their roles
(``proactive``, ``on_request``): nothing here knows an edition.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from .engine import MOST_DECIMALS, as_number, format_number, number_text, number_text_formula

#: The parts (by role) that have a drafted paragraph, and those that an empty part is published as.
DRAFTED_PARTS = ("proactive", "on_request")
FILLS_EMPTY = ("on_request",)
#: The drafted cell of part ``key`` is ``draft.<key>`` (in the layout, the expected formulas, the reader).
DRAFT_PREFIX = "draft."
DRAFT_LABEL = "参考表述（自动生成）"
#: The hint beside each drafted cell: ``{tables}`` the tables the part speaks of, ``{label}`` the part.
DRAFT_HINTS = {
    "proactive": "根据{tables}自动生成，随填写实时更新。可复制到上面的“{label}”中，再补充其他内容。",
    "on_request": "根据{tables}自动生成，随填写实时更新。可复制到上面的“{label}”中；上面留空时，报告直接采用这段文字。",
}
LITERAL_LIMIT = 255  # Excel: the longest string literal in a formula
FORMULA_LIMIT = 8192  # Excel: the longest formula

# ----------------------------------------------------------------------------------- the description


class _Node:
    """A piece of the description: its fields are set once (plain slotted classes: no start-up cost)."""

    __slots__ = ()

    def __init__(self, *args) -> None:
        for name, value in zip(self.__slots__, args, strict=True):
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(getattr(self, n)) for n in self.__slots__)})"


class Sum(_Node):
    """The sum of some cells (as SUM adds them: numbers only)."""

    __slots__ = ("keys",)

    def __add__(self, other: Sum) -> Sum:
        return Sum(self.keys + other.keys)


class Text(_Node):
    __slots__ = ("text",)


class Number(_Node):
    """A sum of counts shown as text: a whole number (``most`` decimals: 0)."""

    __slots__ = ("of",)
    most = 0


class Amount(Number):
    """A sum of amounts shown as text with the decimals it has (at most ``MOST_DECIMALS``); its fields are
    Number's (``__slots__`` is inherited, so the description is walked alike)."""

    most = MOST_DECIMALS


class CellText(_Node):
    """A text cell shown as typed (the unit of the 2019 procurement amount)."""

    __slots__ = ("key",)


class Percent(_Node):
    """num / den × 100 rounded to 2 decimals, shown without trailing zeros (51.85, 37.5, 100)."""

    __slots__ = ("num", "den")


class Zero(_Node):
    __slots__ = ("of",)


class Positive(_Node):
    __slots__ = ("of",)


class Not(_Node):
    __slots__ = ("cond",)


class All(_Node):
    __slots__ = ("conds",)


class Any(_Node):
    __slots__ = ("conds",)


class When(_Node):
    __slots__ = ("cond", "then", "otherwise")

    def __init__(self, cond, then: tuple, otherwise: tuple = ()) -> None:
        super().__init__(cond, then, otherwise)


def _join(items: list[tuple[Sum, tuple]], sep: str) -> tuple:
    """Figures said only when not 0, separated by ``sep`` (without TEXTJOIN): a separator goes before an item
    when the figures before it add up to something (for counts, which are not negative: when one of them is)."""
    out = []
    earlier = Sum(())
    for x, parts in items:
        lead = (When(Not(Zero(earlier)), (Text(sep),)),) if earlier.keys else ()
        out.append(When(Not(Zero(x)), lead + parts))
        earlier = earlier + x
    return tuple(out)


def _figures(form):
    from .figures import narrative_figures

    return narrative_figures(form)


def _on_request(form) -> tuple:
    f = _figures(form)

    def s(name: str, column: str | None = None) -> Sum:
        figure = f[name]
        return Sum(figure.columns[column] if column else figure.keys)

    new, carried_in, done, forward = s("new_received"), s("carried_in"), s("result_total"), s("carried_forward")
    persons, others = s("new_received", "natural_person"), s("new_received", "legal_persons")
    opened = s("granted") + s("partly")
    results = [
        ("予以公开", s("granted")),
        ("部分公开", s("partly")),
        ("不予公开", s("refused")),
        ("无法提供", s("unable")),
        ("不予处理", s("not_handled")),
        ("其他处理", s("other_handling")),
    ]
    review, suit = s("review_total"), s("suit_total")
    nonzero = lambda x: Not(Zero(x))  # noqa: E731
    received = (
        When(
            Zero(new),
            (
                When(
                    Zero(carried_in),
                    (Text("本年度未收到政府信息公开申请"),),
                    (Text("本年度未收到新的政府信息公开申请"),),
                ),
            ),
            (
                Text("本年度共收到政府信息公开申请"),
                Number(new),
                Text("件"),
                When(
                    All((nonzero(persons), nonzero(others))),
                    (Text("，其中自然人"), Number(persons), Text("件、法人或其他组织"), Number(others), Text("件")),
                    (When(Zero(others), (Text("，均为自然人提出的申请"),), (Text("，均为法人或其他组织提出的申请"),)),),
                ),
            ),
        ),
        When(nonzero(carried_in), (Text("；上年结转申请"), Number(carried_in), Text("件"))),
        Text("。"),
    )
    listed = _join([(x, (Text(label), Number(x), Text("件"))) for label, x in results], "、")
    handled = (
        When(
            nonzero(done),
            (
                Text("全年办结"),
                Number(done),
                Text("件"),
                Text("，其中"),
                *listed,
                When(
                    All((nonzero(opened), Positive(done))),
                    (Text("，予以公开和部分公开占办结总数的"), Percent(opened, done), Text("%")),
                ),
                Text("。"),
            ),
        ),
        When(nonzero(forward), (Text("结转下年度继续办理"), Number(forward), Text("件。"))),
    )
    cases = (
        When(
            All((Zero(review), Zero(suit))),
            (Text("本年度未发生政府信息公开行政复议、行政诉讼案件。"),),
            (
                When(
                    Zero(review),
                    (Text("本年度未发生政府信息公开行政复议案件"),),
                    (Text("本年度因政府信息公开被申请行政复议"), Number(review), Text("件")),
                ),
                When(
                    Zero(suit),
                    (Text("，未发生政府信息公开行政诉讼案件。"),),
                    (Text("，被提起行政诉讼"), Number(suit), Text("件。")),
                ),
            ),
        ),
    )
    return received + handled + cases


#: How each 表二 column is said (by its meaning, ``figures.T2_COLUMN_LABELS``; ``{row}`` is the row's
#: label): first in its row, later in its row, the unit (None: an amount, unit from the form), and what is said
#: when the figure is 0 (None: nothing). The first phrase of a row is always said; the others only when they
#: have something to say.
T2_PHRASES = {
    "issued": ("制发{row}", "制发", "件", "未制发{row}"),
    "produced": ("新制作{row}", "新制作", "件", "未新制作{row}"),
    "published": ("新公开{row}", "新公开", "件", None),
    "repealed": ("废止{row}", "废止", "件", None),
    "in_force": ("现行有效{row}", "现行有效{row}", "件", "无现行有效{row}"),
    "public_total": ("对外公开{row}总数", "对外公开总数", "件", None),
    "decisions": ("作出{row}决定", "作出决定", "件", "未作出{row}决定"),
    "amount": ("{row}金额", "金额", None, None),
    "items": ("{row}项目", "项目", "个", "无{row}项目"),
}


def _proactive(form) -> tuple:
    rows = []
    for figure in _figures(form).values():
        if not figure.row:
            continue
        phrases = []
        for meaning, cells in figure.columns.items():  # in the order of the table's columns
            if meaning not in T2_PHRASES:
                continue
            first, later, unit, zero = T2_PHRASES[meaning]
            x = Sum(cells)
            if unit is None:  # an amount: its unit from the column label, or from the cell the clerk chose it in
                where = figure.amount.get(meaning, "")
                shown = (CellText(where[1:]),) if where.startswith("@") else (Text(where),)
            else:
                shown = (Text(unit),)
            said = (first if not phrases else later).format(row=figure.label)
            number = (Text(said), (Number if unit else Amount)(x), *shown)
            zero_text = Text(zero.format(row=figure.label)) if zero and not phrases else None
            phrases.append((x, number, zero_text))
        if not phrases:
            continue
        first_x, first_number, first_zero = phrases[0]
        parts = [When(Zero(first_x), (first_zero,), first_number) if first_zero else first_number]
        for x, number, _ in phrases[1:]:
            parts.append(When(Not(Zero(x)), (Text("，"), *number)))
        rows.append(tuple(_flatten(parts)))
    out: list = [Text("本年度")]
    for i, row in enumerate(rows):
        if i:
            out.append(Text("；"))
        out.extend(row)
    out.append(Text("。"))
    return tuple(out)


def _flatten(parts):
    for p in parts:
        if isinstance(p, tuple):
            yield from p
        else:
            yield p


#: The description of each drafted part, by role.
DESCRIPTIONS = {"on_request": _on_request, "proactive": _proactive}

# ----------------------------------------------------------------------------------- Python


def _sum(x: Sum, values: Mapping[str, object]) -> float | int:
    total: float | int = 0
    for key in x.keys:
        v = as_number(values.get(key))
        if v is not None:
            total += v
    return total


def _percent(num: float | int, den: float | int) -> str:
    """ROUND(num*10000/den, 0)/100 shown to its (at most 2) decimals, as the formula shows it."""
    q = num * 10000 / den
    r = int(Decimal(q).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return number_text(r / 100, 2)


def _holds(cond, values) -> bool:
    if isinstance(cond, Zero):
        return _sum(cond.of, values) == 0
    if isinstance(cond, Positive):
        return _sum(cond.of, values) > 0
    if isinstance(cond, Not):
        return not _holds(cond.cond, values)
    if isinstance(cond, All):
        return all(_holds(c, values) for c in cond.conds)
    if isinstance(cond, Any):
        return any(_holds(c, values) for c in cond.conds)
    raise TypeError(cond)


def _render(parts, values) -> str:
    out = []
    for p in parts:
        if isinstance(p, Text):
            out.append(p.text)
        elif isinstance(p, Number):
            out.append(number_text(_sum(p.of, values), p.most))
        elif isinstance(p, Percent):
            out.append(_percent(_sum(p.num, values), _sum(p.den, values)))
        elif isinstance(p, CellText):
            v = values.get(p.key)
            out.append("" if v is None else (format_number(v) if isinstance(v, (int, float)) else str(v)))
        elif isinstance(p, When):
            out.append(_render(p.then if _holds(p.cond, values) else p.otherwise, values))
        else:
            raise TypeError(p)
    return "".join(out)


def _full(form, values: Mapping[str, object], totals: Mapping[str, object] | None = None) -> dict[str, object]:
    from .engine import all_values

    if totals is None:
        return all_values(form, values)
    return {**values, **totals}


def drafted_parts(form) -> dict[str, str]:
    """The parts of ``form`` that have a drafted paragraph: part key → role."""
    return {form.role(role): role for role in DRAFTED_PARTS if form.role(role) in form.cells}


def draft_hint(form, key: str) -> str:
    """The hint beside the drafted cell of part ``key``: which tables it is made from, where to copy it."""
    tables = [form.table_names[t].split("（")[0] for t, part in form.table_parts.items() if part == key]
    return DRAFT_HINTS[drafted_parts(form)[key]].format(tables="、".join(tables), label=form.cells[key].label)


def draft_on_request(form, values: Mapping[str, object]) -> str:
    """The standard （二）依申请公开 paragraph for these input values (totals recomputed)."""
    return _render(_description(form, "on_request"), _full(form, values))


def draft_proactive(form, values: Mapping[str, object]) -> str:
    """The standard 表二 sentence of （一）主动公开 for these input values."""
    return _render(_description(form, "proactive"), _full(form, values))


def draft_texts(form, values: Mapping[str, object], totals: Mapping[str, object] | None = None) -> dict[str, str]:
    """Every drafted part, by ``draft.<part key>`` (as the layout names the cells); ``totals`` if already computed."""
    full = _full(form, values, totals)
    return {DRAFT_PREFIX + key: _render(_description(form, role), full) for key, role in drafted_parts(form).items()}


def published_drafts(result) -> dict[str, str]:
    """The empty parts a report publishes as their drafted paragraph (（二）依申请公开): part key → text.

    Not in a workbook made from a published report whose section holds text elsewhere: a report printed
    without sub-headings has all of it in the first part, and what it did not state is not added to it. Nor,
    in such a workbook, a sentence from a table the import did not find (all its cells blank): imported
    without 表四, the report says nothing of 行政复议 and 行政诉讼; without 表三, nothing is drafted.
    """
    form, values = result.form, result.values
    imported = result.imported_from is not None
    unfound = _unfound_tables(form, values) if imported else set()
    out = {}
    for key, role in drafted_parts(form).items():
        if role not in FILLS_EMPTY or values.get(key) not in (None, ""):
            continue
        sheet = form.cells[key].sheet
        if imported and any(values.get(c.key) for c in form.narrative_parts if c.sheet == sheet):
            continue
        description = _description(form, role)
        if unfound:
            kept = tuple(p for p in description if not {_table_of(k) for k in _keys_of(p)} & unfound)
            if not any(_keys_of(p) for p in kept):
                continue  # no figure left to say
            description = kept
        out[key] = _render(description, _full(form, values))
    return out


def _table_of(key: str) -> str:
    return key.split(".", 1)[0]


def _unfound_tables(form, values: Mapping[str, object]) -> set[str]:
    """Tables of which every numeric input is blank: in an imported workbook, the tables the report did not have."""
    filled: dict[str, bool] = {}
    for cell in form.inputs:
        if cell.is_numeric:
            table = _table_of(cell.key)
            filled[table] = filled.get(table, False) or values.get(cell.key) not in (None, "")
    return {table for table, any_filled in filled.items() if not any_filled}


def _keys_of(node) -> set[str]:
    """The cells a piece of the description reads."""
    if isinstance(node, tuple):
        return set().union(*(_keys_of(n) for n in node)) if node else set()
    if isinstance(node, Sum):
        return set(node.keys)
    if isinstance(node, Text):
        return set()
    if isinstance(node, CellText):
        return {node.key}
    return set().union(*(_keys_of(getattr(node, name)) for name in node.__slots__))


@cache
def _description(form, role: str) -> tuple:
    return DESCRIPTIONS[role](form)


# ----------------------------------------------------------------------------------- the formula


def _literal(text: str) -> str:
    chunks = [text[i : i + LITERAL_LIMIT] for i in range(0, len(text), LITERAL_LIMIT)] or [""]
    return "&".join('"' + c.replace('"', '""') + '"' for c in chunks)


def _refs(keys: tuple[str, ...], layout, sheet: str) -> str:
    """The cells as references from ``sheet``: runs down one column become ranges."""
    from .layout import cell_ref, quote_sheet

    runs: list[list] = []  # [sheet, first row, first col, last row, last col]
    for s, r, c in (layout.addresses[k] for k in keys):
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
    return ",".join(out)


def _merged(parts) -> list:
    """Adjacent texts as one (one literal in the formula)."""
    out: list = []
    for p in parts:
        if isinstance(p, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + p.text)
        else:
            out.append(p)
    return out


def _formula(parts, layout, sheet: str, portable: bool = True) -> str:
    """``portable=False``: as template 1.1 wrote it (numbers joined with ``&`` alone, which some programs
    write with binary-float artefacts)."""
    pieces = []
    for p in _merged(parts):
        if isinstance(p, Text):
            pieces.append(_literal(p.text))
        elif isinstance(p, Number):
            total = f"SUM({_refs(p.of.keys, layout, sheet)})"
            pieces.append(number_text_formula(total, p.most) if portable else total)
        elif isinstance(p, Percent):
            num, den = _refs(p.num.keys, layout, sheet), _refs(p.den.keys, layout, sheet)
            share = f"ROUND(SUM({num})*10000/SUM({den}),0)/100"
            pieces.append(number_text_formula(share, 2) if portable else share)
        elif isinstance(p, CellText):
            from .layout import cell_ref, quote_sheet

            s, r, c = layout.addresses[p.key]
            pieces.append(("" if s == sheet else quote_sheet(s) + "!") + cell_ref(r, c) + '&""')
        elif isinstance(p, When):
            then = _formula(p.then, layout, sheet, portable) or '""'
            otherwise = _formula(p.otherwise, layout, sheet, portable) or '""'
            pieces.append(f"IF({_condition(p.cond, layout, sheet)},{then},{otherwise})")
        else:
            raise TypeError(p)
    return "&".join(pieces)


def _condition(cond, layout, sheet: str) -> str:
    if isinstance(cond, Zero):
        return f"SUM({_refs(cond.of.keys, layout, sheet)})=0"
    if isinstance(cond, Positive):
        return f"SUM({_refs(cond.of.keys, layout, sheet)})>0"
    if isinstance(cond, Not):
        inner = cond.cond
        if isinstance(inner, Zero):
            return f"SUM({_refs(inner.of.keys, layout, sheet)})<>0"
        return f"NOT({_condition(inner, layout, sheet)})"
    if isinstance(cond, (All, Any)):
        name = "AND" if isinstance(cond, All) else "OR"
        return f"{name}({','.join(_condition(c, layout, sheet) for c in cond.conds)})"
    raise TypeError(cond)


def draft_formula(form, layout, key: str, portable: bool = True) -> str:
    """The Excel formula of the 参考表述 cell of part ``key`` (the part playing ``on_request`` …);
    ``portable=False``: as template 1.1 wrote it."""
    sheet = layout.addresses[DRAFT_PREFIX + key][0]
    formula = "=" + _formula(_description(form, drafted_parts(form)[key]), layout, sheet, portable)
    if len(formula) > FORMULA_LIMIT:
        raise ValueError(f"the draft formula of {key} is {len(formula)} characters long")
    return formula


__all__ = [
    "DRAFTED_PARTS",
    "DRAFT_PREFIX",
    "FILLS_EMPTY",
    "draft_formula",
    "draft_hint",
    "draft_on_request",
    "draft_proactive",
    "draft_texts",
    "drafted_parts",
    "published_drafts",
]
