"""The tables: T3-*, T4-SUM, T2-* (checks.md, sections 三, 四, 二).

Totals are always recomputed from the input cells (``Context.full``); what a total
cell *shows* is compared with that recomputation only to name a total that no longer
adds up (a formula overwritten by a typed number). Which relations exist is declared
by the edition file: equations in its grids (``checks``), plausibility relations
(``[[relations]]``) and unit limits (``[[limits]]``).
"""

from __future__ import annotations

from typing import ClassVar

from ...common.findings import ERROR, WARNING
from ...edition.form import Form
from ...workbook.cellexpr import as_number, format_number
from .base import Context, Rule, register


@register
class T3Identity(Rule):
    id, severity = "T3-IDENTITY", ERROR
    title = "表三每一列：第一项（本年新收）加第二项（上年结转）之和，等于第三项（（七）总计）加第四项（结转下年度继续办理）之和。"
    filling = True
    messages = {
        "default": "“{column}”一列不平：{left_parts} = {left}，而 {right_parts} = {right}，相差 {difference}。"
        "{relation}，请核对这一列的数字。"
    }

    def applies(self, form: Form) -> bool:
        return any(c.rule == self.id for c in form.checks)

    def check(self, context: Context):
        form = context.form
        for check in form.checks:
            if check.rule != self.id:
                continue
            left = sum(context.n(k) for k in check.left)
            right = sum(context.n(k) for k in check.right)
            if left == right:
                continue

            def parts(keys):
                return " + ".join(f"{form.cells[k].row_label} {format_number(context.n(k))}" for k in keys)

            yield self.finding(
                cells=context.refs(check.left + check.right),
                values={"left": left, "right": right, "difference": left - right, "column": check.column},
                column=check.column,
                left_parts=parts(check.left),
                left=format_number(left),
                right_parts=parts(check.right),
                right=format_number(right),
                difference=format_number(left - right),
                relation=check.message,
            )


class TotalRule(Rule):
    """A total whose formula was typed over with a number that is not the sum of its parts.

    An intact formula whose cached result is stale is not the clerk's error (any
    spreadsheet recalculates it), so only typed-over totals are compared.
    """

    severity = ERROR
    filling = True
    messages = {"default": "{label}显示 {shown}，但各项之和是 {truth}，相差 {difference}。"}

    def applies(self, form: Form) -> bool:
        return any(c.sum_rule == self.id for c in form.totals)

    def check(self, context: Context):
        form = context.form
        typed_over = context.shared("tables.typed_over", _typed_over)
        if not typed_over:  # intact formulas: nothing to compare
            return
        for cell in form.totals:
            shown = as_number(typed_over.get(cell.key))
            if cell.sum_rule != self.id or shown is None:
                continue
            truth = context.full[cell.key]
            if abs(shown - truth) < 1e-9:
                continue
            yield self.finding(
                cells=context.refs((cell.key, *cell.sum_of)),
                values={"left": shown, "right": truth, "difference": shown - truth},
                label=cell.label,
                shown=format_number(shown),
                truth=format_number(truth),
                difference=format_number(shown - truth),
            )


@register
class T3ResultSum(TotalRule):
    id = "T3-RESULT-SUM"
    title = "表三（七）总计等于（一）至（六）各行之和。"


@register
class T3RowSum(TotalRule):
    id = "T3-ROW-SUM"
    title = "表三每一行：总计等于自然人加五类法人或其他组织之和。"


class RelationRule(Rule):
    """A declared plausibility relation (``[[relations]]``) that fails: a warning naming both cells.

    Relations between the same two rows that fail in several columns make one finding naming each
    column (message ``columns``), so a clerk reads one row's problem once.
    """

    severity = WARNING
    filling = True
    value_names: ClassVar[tuple[str, str]] = ("left", "right")

    def applies(self, form: Form) -> bool:
        return any(r.rule == self.id for r in form.relations)

    def check(self, context: Context):
        form = context.form
        rows: dict[tuple[str, str], list] = {}
        for relation in form.relations:
            if relation.rule != self.id:
                continue
            left, right = context.n(relation.left), context.n(relation.right)
            if not relation.holds(left, right):
                rows_of = (form.cells[relation.left].row_label, form.cells[relation.right].row_label)
                rows.setdefault(rows_of, []).append((relation, left, right))
        for failing in rows.values():
            if len(failing) > 1 and "columns" in self.messages:
                yield self.word(context, failing)
            else:
                yield from (self.word(context, [one]) for one in failing)

    def word(self, context: Context, failing: list):
        columns = [
            {"part": relation.part, **dict(zip(self.value_names, (left, right), strict=True))}
            for relation, left, right in failing
        ]
        cells = context.refs(key for relation, _, _ in failing for key in (relation.left, relation.right))
        if len(failing) == 1:
            ((relation, left, right),) = failing
            return self.finding(
                cells=cells,
                values={"columns": columns},
                part=relation.part,
                left=format_number(left),
                right=format_number(right),
            )
        parts = "；".join(
            self.messages["part"].format(part=relation.part, left=format_number(left), right=format_number(right))
            for relation, left, right in failing
        )
        return self.finding("columns", cells=cells, values={"columns": columns}, count=len(failing), parts=parts)


@register
class T3CarryoverOpen(RelationRule):
    id = "T3-CARRYOVER-OPEN"
    title = "上年结转的申请一般应在本年办结：（七）总计不应小于上年结转数。"
    value_names = ("result_total", "carried_in")
    messages = {
        "default": "“{part}”列：本年办结（（七）总计 {left}）少于上年结转的 {right} 件。"
        "上年结转的申请按法定期限（20 个工作日，可延长 20 个工作日）应已在本年办结，请核实。",
        "columns": "有 {count} 列本年办结（（七）总计）少于上年结转：{parts}。"
        "上年结转的申请按法定期限（20 个工作日，可延长 20 个工作日）应已在本年办结，请核实。",
        "part": "“{part}”办结 {left} 件、上年结转 {right} 件",
    }


@register
class T3CarryforwardLarge(RelationRule):
    id = "T3-CARRYFORWARD-LARGE"
    title = "结转下年度的申请一般不应多于本年新收的申请。"
    value_names = ("carried_forward", "new_received")
    messages = {
        "default": "“{part}”列：结转下年度的 {left} 件多于本年新收的 {right} 件，请核实。",
        "columns": "有 {count} 列结转下年度的件数多于本年新收：{parts}。请核实。",
        "part": "“{part}”结转 {left} 件、新收 {right} 件",
    }


@register
class T4Sum(TotalRule):
    id = "T4-SUM"
    title = "表四每一栏：总计等于结果维持、结果纠正、其他结果、尚未审结之和。"


@register
class T2InForce(RelationRule):
    id = "T2-IN-FORCE"
    title = "现行有效件数一般不少于本年制发件数。"
    value_names = ("in_force", "issued")
    messages = {"default": "{part}：现行有效件数 {left} 少于本年制发件数 {right}。本年制发的文件一般仍然有效，请核实。"}


@register
class T2FeeUnit(Rule):
    id, severity = "T2-FEE-UNIT", WARNING
    title = "行政事业性收费金额的单位是万元，不要按元填写。"
    filling = True
    messages = {
        "default": "{label} {amount} 万元，数额很大，像是按“元”填写的。此栏单位是万元（1 万元 = 10000 元），请核实。"
    }

    def applies(self, form: Form) -> bool:
        return any(x.rule == self.id for x in form.limits)

    def check(self, context: Context):
        form, result = context.form, context.result
        org_type = result.text("org_type") or None
        # a published report seldom states its 机关类型: the larger limit then (a false flag costs more than a miss)
        government = org_type == form.government if org_type else result.imported_from is not None
        for limit in form.limits:
            if limit.rule != self.id:
                continue
            amount = context.n(limit.cell)
            threshold = limit.government_below if government else limit.below
            if amount >= threshold:
                yield self.finding(
                    cells=[context.ref(limit.cell)],
                    values={"amount": amount, "threshold": threshold, "org_type": org_type},
                    label=form.cells[limit.cell].row_label,
                    amount=format_number(amount),
                )


def _typed_over(context: Context) -> dict[str, object]:
    """Formula cells typed over, by key → what was typed (made once per workbook for the sum rules)."""
    return {f.key: f.found for f in context.result.formulas if f.typed_over}
