"""Narrative against the tables: TEXT-MISSING, TEXT-NUMBER, TEXT-CLAIM, TEXT-YEAR, FEE-NOTICE, GOV-ACCOUNTABILITY.

``narrative`` reads the statements, claims and years a text makes; these rules
compare them with the figures the edition file declares and word the finding.
"""

from __future__ import annotations

from .. import narrative
from ..engine import format_number
from ..findings import ERROR, WARNING
from ..form import Form
from .base import Context, Rule, register


def _parts(context: Context):
    """(key, label, text) of every narrative part that has text."""
    values = context.result.values
    for cell in context.form.narrative_parts:
        if values.get(cell.key):
            yield cell.key, cell.label, str(values[cell.key])


@register
class TextMissing(Rule):
    id, severity = "TEXT-MISSING", ERROR
    title = "机关名称、一、总体情况、五、存在的主要问题及改进情况不能为空。"
    filling = True
    messages = {"default": "“{section}”的“{label}”没有填写。这是报告必需的内容。"}

    def check(self, context: Context):
        result, form = context.result, context.form
        values = result.values
        # A workbook made from a published report holds what the report states: its parts may have no
        # sub-headings (the text is then in the first part), and no report states its 机关类型.
        imported = result.imported_from is not None
        filled_sheets = {c.sheet for c in form.narrative_parts if values.get(c.key)}
        for cell in form.cells.values():
            if not (cell.required and cell.is_input and not cell.is_numeric) or values.get(cell.key) not in (None, ""):
                continue
            if imported and (cell.key == form.role("org_type") or cell.sheet in filled_sheets):
                continue
            yield self.finding(
                cells=[context.ref(cell.key)], values={"part": cell.key}, section=cell.sheet, label=cell.label
            )


@register
class TextNumber(Rule):
    id, severity = "TEXT-NUMBER", WARNING
    title = "文字中写到的件数（如“收到申请N件”）须与表格一致。"
    filling = True
    messages = {
        "default": "“{part}”中写道“{sentence}”，其中 {stated} {unit}与表格不符：{figure}是 {actual}。请改正文字或表格。"
    }

    def check(self, context: Context):
        figures = context.form.figures
        for key, label, text in _parts(context):
            for s in narrative.statements(text):
                if s.figure not in figures:
                    continue
                actual = context.figure(s.figure)
                if s.stated == actual:
                    continue
                keys = context.form.figure_keys(s.figure)
                yield self.finding(
                    cells=[context.ref(key), *context.refs(keys)],
                    values={"stated": s.stated, "table": actual, "figure": s.figure, "sentence": s.sentence},
                    part=label,
                    sentence=s.sentence,
                    stated=s.stated,
                    unit=s.unit,
                    figure=figures[s.figure].title,
                    actual=format_number(actual),
                )


@register
class TextClaim(Rule):
    id, severity = "TEXT-CLAIM", WARNING
    title = "文字说法须与表格一致（如写“未收到申请”，表三新收须为 0）。"
    filling = True
    messages = {
        "default": "“{part}”中写道“{sentence}”，但{what}。请改正文字或表格。",
        "no_requests": "表三本年新收申请是 {a} 件",
        "no_review": "表四行政复议总计是 {a} 件",
        "no_suit": "表四行政诉讼总计是 {a} 件",
        "no_fees": "六中填写的实际收取信息处理费是 {a} 元",
        "all_upheld_review": "表四行政复议有结果纠正 {a} 件、尚未审结 {b} 件",
        "all_upheld_suit": "表四行政诉讼有结果纠正 {a} 件、尚未审结 {b} 件",
    }

    def check(self, context: Context):
        form = context.form
        for key, label, text in _parts(context):
            for claim in narrative.claims(text):
                if not all(name in form.figures for name in claim.figures):
                    continue
                numbers = [context.figure(name) for name in claim.figures]
                if sum(numbers) <= 0:
                    continue
                what = self.messages[claim.claim].format(**dict(zip("ab", map(format_number, numbers), strict=False)))
                keys = [k for name in claim.figures for k in form.figure_keys(name)]
                yield self.finding(
                    cells=[context.ref(key), *context.refs(keys)],
                    values={"sentence": claim.sentence, "claim": claim.claim, "table": sum(numbers)},
                    part=label,
                    sentence=claim.sentence,
                    what=what,
                )


@register
class TextYear(Rule):
    id, severity = "TEXT-YEAR", WARNING
    title = "不要沿用上年文字：句首年份须为本报告年度。"
    filling = True
    messages = {
        "default": "“{part}”中有一句以“{stated}年”开头：“{opening}”，而本报告是 {year} 年度的。"
        "可能沿用了往年的文字，请核实。"
    }

    def check(self, context: Context):
        year = context.result.year
        if year is None:
            return
        for key, label, text in _parts(context):
            if key in context.form.about_last_year:
                continue
            for stated, sentence in narrative.stale_years(text, year):
                yield self.finding(
                    cells=[context.ref(key)],
                    values={"stated": stated, "year": year, "sentence": sentence},
                    part=label,
                    stated=stated,
                    opening=sentence[:60],
                    year=year,
                )


@register
class FeeNotice(Rule):
    id, severity = "FEE-NOTICE", WARNING
    title = "表三（六）2 有数字时，六中须报告发出的收费通知。"
    filling = True
    messages = {
        "default": "表三（六）2（申请人逾期未按收费通知缴费）有 {unpaid} 件，但六中发出收费通知的件数为 0。"
        "有逾期未缴费，就应发出过收费通知，请核实。"
    }

    def applies(self, form: Form) -> bool:
        return any(x.rule == self.id for x in form.implications)

    def check(self, context: Context):
        for x in context.form.implications:
            if x.rule != self.id:
                continue
            unpaid, notices = context.n(x.if_positive), context.n(x.then_positive)
            if unpaid > 0 and notices <= 0:
                yield self.finding(
                    cells=context.refs((x.if_positive, x.then_positive)),
                    values={"unpaid": unpaid, "notices": notices},
                    unpaid=format_number(unpaid),
                )


@register
class GovAccountability(Rule):
    id, severity = "GOV-ACCOUNTABILITY", WARNING
    title = "人民政府的“监督保障”须写明工作考核、社会评议和责任追究结果情况。"
    filling = True
    messages = {
        "default": "本机关是人民政府，“{part}”须报告工作考核、社会评议和责任追究结果情况（《条例》第五十条），目前没有写到。"
    }

    def applies(self, form: Form) -> bool:
        return any(x.rule == self.id for x in form.mentions)

    def check(self, context: Context):
        result = context.result
        org_type = result.text("org_type")
        for x in context.form.mentions:
            if x.rule != self.id or org_type not in x.org_types:
                continue
            text = str(result.values.get(x.part) or "")
            if not any(w in text for w in x.words):
                yield self.finding(
                    cells=[context.ref(x.part)], values={"org_type": org_type}, part=context.form.cells[x.part].label
                )
