"""The drafted paragraphs described: the standard 依申请公开 and 主动公开 statements, built from the tables.

Each paragraph is a small tree of text, numbers, shares and conditions over table figures, in the
language of ``cellexpr``; ``computed`` lists it among the workbook's computed cells, ``engine`` evaluates
it (``drafting`` gives the texts) and ``formulas`` writes it as one Excel formula in the locked 参考表述
cell beside its part. The clerk copies it into the narrative, and an empty （二）依申请公开 is published as
the draft.

Figures come from ``figures.narrative_figures`` (the declared figures of the edition file, and the rows of
表二); the parts are found by their roles (``proactive``, ``on_request``): nothing here knows an edition.
"""

from __future__ import annotations

from functools import cache

from .cellexpr import All, Amount, CellText, Not, Number, Percent, Positive, Sum, Text, When, Zero

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
    from ..common.figures import narrative_figures

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


def drafted_parts(form) -> dict[str, str]:
    """The parts of ``form`` that have a drafted paragraph: part key → role."""
    return {form.role(role): role for role in DRAFTED_PARTS if form.role(role) in form.cells}


def draft_hint(form, key: str) -> str:
    """The hint beside the drafted cell of part ``key``: which tables it is made from, where to copy it."""
    tables = [form.table_names[t].split("（")[0] for t, part in form.table_parts.items() if part == key]
    return DRAFT_HINTS[drafted_parts(form)[key]].format(tables="、".join(tables), label=form.cells[key].label)


@cache
def description(form, role: str) -> tuple:
    """The description of the paragraph of the part playing ``role`` (``on_request``, ``proactive``)."""
    return DESCRIPTIONS[role](form)
