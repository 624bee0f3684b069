"""Across years: PREV-CARRY, PREV-IN-FORCE, PREV-SAME-DATA, PREV-TEXT-COPY (needs last year's workbook).

What relates the two years is declared by the edition files (``[across_years]``);
``previous`` evaluates it, these rules word what does not hold.
"""

from __future__ import annotations

import re

from ...common.findings import WARNING
from ...edition.form import Form
from ...workbook.cellexpr import as_number, format_number
from ...workbook.engine import all_values
from ..previous import TEXT_COPY_RATIO, CarriedCell, carried_cells, comparable_figures, text_similarity
from .base import Context, Rule, register

# PREV-SAME-DATA only when at least this many entered figures (not totals) are non-zero and all repeat.
SAME_DATA_MIN_FIGURES = 5


class CarryRule(Rule):
    """A declared carry-over (``[[across_years.carry]]`` naming this rule) that does not hold."""

    severity = WARNING
    needs_previous = True

    def applies(self, form: Form) -> bool:
        return any(c.rule == self.id for c in form.carries)

    def check(self, context: Context):
        previous = context.previous
        last_full = all_values(previous.form, previous.values)
        for cell in carried_cells(context.form, previous.form):
            if cell.carry.rule != self.id:
                continue
            last = sum(as_number(last_full.get(k)) or 0 for k in cell.last)
            expected = last + sum(context.n(k) for k in cell.plus) - sum(context.n(k) for k in cell.minus)
            actual = context.n(cell.key)
            if actual != expected:
                yield self.word(context, cell, actual, expected, last)

    def word(self, context: Context, cell: CarriedCell, actual, expected, last):
        raise NotImplementedError


@register
class PrevCarry(CarryRule):
    """One finding per row of 表三: every column whose 上年结转 differs is named in it."""

    id = "PREV-CARRY"
    title = "本年“上年结转”须等于上年报告的“结转下年度继续办理”。"
    messages = {
        "default": "“{column}”列：本年“上年结转”是 {actual}，但上年报告的“结转下年度继续办理”是 {expected}。"
        "两者应相等，请核对。",
        "columns": "本年“上年结转”与上年报告的“结转下年度继续办理”有 {count} 列不同：{parts}。两者应相等，请核对。",
    }

    def check(self, context: Context):
        previous = context.previous
        last_full = all_values(previous.form, previous.values)
        rows: dict[str, list[tuple[CarriedCell, object, object]]] = {}
        for cell in carried_cells(context.form, previous.form):
            if cell.carry.rule != self.id:
                continue
            last = sum(as_number(last_full.get(k)) or 0 for k in cell.last)
            expected = last + sum(context.n(k) for k in cell.plus) - sum(context.n(k) for k in cell.minus)
            actual = context.n(cell.key)
            if actual != expected:
                rows.setdefault(context.form.cells[cell.key].row_label, []).append((cell, actual, expected))
        for differing in rows.values():
            yield self.word_row(context, differing)

    def word_row(self, context: Context, differing: list[tuple[CarriedCell, object, object]]):
        form = context.form
        columns = [
            {"column": form.cells[cell.key].column_label, "this_year": actual, "last_year": expected}
            for cell, actual, expected in differing
        ]
        values = {"columns": columns, "previous_file": str(context.previous.path)}
        cells = [context.ref(cell.key) for cell, _, _ in differing]
        if len(columns) == 1:
            (one,) = columns
            return self.finding(
                cells=cells,
                values=values,
                column=one["column"],
                actual=format_number(one["this_year"]),
                expected=format_number(one["last_year"]),
            )
        parts = "；".join(
            f"“{c['column']}”本年 {format_number(c['this_year'])}、上年 {format_number(c['last_year'])}"
            for c in columns
        )
        return self.finding("columns", cells=cells, values=values, count=len(columns), parts=parts)


@register
class PrevInForce(CarryRule):
    id = "PREV-IN-FORCE"
    title = "现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数。"
    messages = {
        "default": "{row}：现行有效件数 {actual}，但按上年现行有效 {last} + 本年制发 {plus} − 本年废止 {minus}"
        " 应为 {expected}。请核对。"
    }

    def word(self, context: Context, cell: CarriedCell, actual, expected, last):
        return self.finding(
            cells=context.refs((cell.key, *cell.plus, *cell.minus)),
            values={"this_year": actual, "expected": expected, "last_year_in_force": last},
            row=context.form.cells[cell.key].row_label,
            actual=format_number(actual),
            last=format_number(last),
            plus=format_number(sum(context.n(k) for k in cell.plus)),
            minus=format_number(sum(context.n(k) for k in cell.minus)),
            expected=format_number(expected),
        )


@register
class PrevSameData(Rule):
    id, severity = "PREV-SAME-DATA", WARNING
    title = "表格数字与上年完全相同，请核实。"
    needs_previous = True
    messages = {
        "default": "表三、表四等 {count} 个数字与上年报告完全相同。很可能沿用了上年的表格，请按本年实际数字填写。"
    }

    def check(self, context: Context):
        now, last = comparable_figures(context.result), comparable_figures(context.previous)
        common = sorted(set(now) & set(last))
        if common and all(now[k] == last[k] for k in common) and self._enough(context.result.form, now, common):
            yield self.finding(
                values={"compared": len(common), "previous_file": str(context.previous.path)}, count=len(common)
            )

    @staticmethod
    def _enough(form: Form, now: dict, common: list[str]) -> bool:
        """Enough non-zero figures (totals not counted) that their all repeating is unlikely to be chance.

        A small unit's one or two requests (1 received, 1 granted) can repeat exactly in a correct report.
        """
        filled = [k for k in common if now[k] and (k not in form.cells or form.cells[k].is_input)]
        return len(filled) >= SAME_DATA_MIN_FIGURES


@register
class PrevTextCopy(Rule):
    id, severity = "PREV-TEXT-COPY", WARNING
    title = "文字与上年报告高度雷同，请按本年度实际情况撰写。"
    needs_previous = True
    messages = {
        "default": "“{part}”与上年报告的同一部分有 {ratio:.0%} 相同。评估时内容雷同会被扣分，请按本年度实际情况撰写。"
    }

    def check(self, context: Context):
        previous = context.previous
        drafts_now = _drafts(context.form, context.result.values, context.full)  # totals already computed
        drafts_before = _drafts(previous.form, previous.values)
        for cell in context.form.narrative_parts:
            if cell.key not in previous.form.cells:
                continue
            now_text = _without(str(context.result.values.get(cell.key) or ""), drafts_now.get(cell.key))
            prev_text = _without(str(previous.values.get(cell.key) or ""), drafts_before.get(cell.key))
            if len(now_text) < 20 or not prev_text or _says_nothing(now_text):
                continue
            ratio = text_similarity(now_text, prev_text)
            if ratio >= TEXT_COPY_RATIO:
                yield self.finding(
                    cells=[context.ref(cell.key)],
                    values={"similarity": round(ratio, 3), "part": cell.key},
                    part=cell.label,
                    ratio=ratio,
                )


def _drafts(form, values, totals=None) -> dict[str, str]:
    """Each year's 参考表述 by part key: the standard sentences xlrep drafts from that year's tables."""
    from ...workbook.drafting import DRAFT_PREFIX, draft_texts

    return {k.removeprefix(DRAFT_PREFIX): v for k, v in draft_texts(form, values, totals).items()}


def _without(text: str, draft: str | None) -> str:
    """``text`` without the sentences of its year's draft: copying the draft each year, as the template invites,
    is not copying last year's text (the figures in it are this year's)."""
    text = text.strip()
    for sentence in re.findall(r"[^。；]+[。；]?", draft or ""):
        if len(sentence.strip()) >= 8:
            text = text.replace(sentence.strip(), "")
    return text.strip()


def _says_nothing(text: str) -> bool:
    """One short sentence that there is nothing to report (本单位无…任务。): repeating a fact is not a copy."""
    body = text.rstrip("。．.；;！! ")
    return len(body) < 40 and not re.search(r"[。；;\n]", body) and bool(re.search(r"无|未|没有|不涉及|不适用", body))
