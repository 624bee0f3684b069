"""Cell values: VALUE-BLANK, VALUE-TEXT, VALUE-NEGATIVE, VALUE-FRACTION, VALUE-FORMULA, VALUE-INVALID.

Each number input was recorded as stored and interpreted (``cellvalue``); these
rules say what is wrong with it, in words a clerk understands, naming the cell.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from ...common.findings import ERROR, WARNING
from ...edition.cellvalue import (
    BOOLEAN,
    DATE,
    ERROR_VALUE,
    IMPLAUSIBLE,
    MALFORMED,
    MAX_TEXT,
    MIN_MAGNITUDE,
    NO_RESULT,
    NOT_FINITE,
    NUMBER,
    TEXT,
    TINY,
    Interpreted,
)
from .base import Context, Rule, register


def _readings(context: Context, kinds: tuple[str, ...]):
    """(key, CellRef, reading) of the number inputs whose content is of one of ``kinds``."""
    result = context.result
    for key, reading in result.readings.items():
        if reading.kind in kinds:
            yield key, result.ref(key), reading


def _number_readings(context: Context):
    """(key, reading) of the number inputs holding a number: most of them, so no CellRef is made until asked."""
    for key, reading in context.result.readings.items():
        if reading.kind == NUMBER:
            yield key, reading


@register
class ValueBlank(Rule):
    id, severity = "VALUE-BLANK", WARNING
    title = "没有的数字填 0，不要留空。"
    filling = True
    messages = {
        "default": "{table}有 {count} 个单元格空着，已按 0 计。没有的数字请填 0，不要留空（评估时空格会被扣分）。"
    }

    def check(self, context: Context):
        form, result = context.form, context.result
        imported = result.imported_from is not None
        doubted = _doubted_cells(result) if imported else set()
        for table in form.value_tables:
            inputs = form.table_inputs(table)
            keys = [c.key for c in inputs if c.key in result.blank]
            if imported:
                if not form.grids(table) or len(keys) == len(inputs):
                    continue  # figures a published report has no table for (六's fees), or a table it lacks
                keys = [
                    k for k, ref in zip(keys, context.refs(keys), strict=True) if (ref.sheet, ref.cell) not in doubted
                ]
            if keys:
                yield self.finding(
                    cells=context.refs(keys),
                    values={"count": len(keys)},
                    table=form.table_names[table],
                    count=len(keys),
                )


def _doubted_cells(result) -> set[tuple[str, str]]:
    """The cells an import left blank on purpose and already said why (IMPORT-AMBIGUOUS, IMPORT-MISSING …)."""
    return {(c.sheet, c.cell) for f in result.findings if f.rule.startswith("IMPORT-") for c in f.cells}


UNITS = "件个条项次起元万元份"
NOTHING = ("无", "-", "—", "/", "／", "没有", "0件", "零")


@register
class ValueText(Rule):
    id, severity = "VALUE-TEXT", ERROR
    title = "数字单元格只填阿拉伯数字：不要填“１２”（全角）、“12件”、“-”、“/”、“无”、“1,234”等文字。"
    filling = True
    messages = {"default": "{label}：“{shown}”是文字，不是数字，表格的总计会忽略它，报告与表格就会对不上。{advice}"}

    def check(self, context: Context):
        for _, ref, reading in _readings(context, (TEXT,)):
            raw = reading.shown
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            yield self.finding(cells=[ref], values={"raw": raw}, label=ref.label, shown=shown, advice=_advice(raw))


def _advice(raw: str) -> str:
    cleaned = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace("，", "")
    cleaned = cleaned.rstrip(UNITS).strip()
    try:
        number = float(cleaned)
    except ValueError:
        return "没有请填数字 0。" if cleaned in NOTHING else "请填写阿拉伯数字，没有请填 0。"
    if number.is_integer():
        number = int(number)
    return f"请改为数字 {number}（直接输入阿拉伯数字，不带单位或逗号）。"


@register
class ValueNegative(Rule):
    id, severity = "VALUE-NEGATIVE", ERROR
    title = "件数和金额不能为负数（只有 2019年版的“本年增/减”可以为负）。"
    filling = True
    messages = {"default": "{label}：{value} 是负数，件数和金额不能为负。"}

    def check(self, context: Context):
        form = context.form
        for key, reading in _number_readings(context):
            if reading.number < 0 and form.cells[key].kind != "signed":
                ref = context.ref(key)
                yield self.finding(cells=[ref], values={"value": reading.number}, label=ref.label, value=reading.number)


@register
class ValueFraction(Rule):
    id, severity = "VALUE-FRACTION", ERROR
    title = "件数须为整数；金额可以有小数。"
    filling = True
    messages = {"default": "{label}：{value} 不是整数，件数只能填整数。"}

    def check(self, context: Context):
        form = context.form
        for key, reading in _number_readings(context):
            if form.cells[key].kind in ("count", "signed") and not float(reading.number).is_integer():
                ref = context.ref(key)
                yield self.finding(cells=[ref], values={"value": reading.number}, label=ref.label, value=reading.number)


@register
class ValueFormula(Rule):
    id, severity = "VALUE-FORMULA", WARNING
    title = "填写区请直接填数字，不要填公式。"
    messages = {
        "no_result": "{label}：填写区里是公式 {formula}，且文件中没有它的计算结果。请直接填数字。",
        "default": "{label}：填写区里是公式 {formula}，已按其结果 {cached} 读取。请直接填数字。",
        "text_no_result": "{label}：这里应填文字，却是公式 {formula}，且文件中没有它的计算结果，报告中这一项为空。"
        "请直接填写文字。",
        "text": "{label}：这里应填文字，却是公式 {formula}，报告中用的是它的结果“{cached}”。请直接填写文字。",
    }

    def check(self, context: Context):
        yield from self._numbers(context)
        result = context.result
        for key, raw in result.text_formulas.items():
            ref, formula = result.ref(key), str(raw.value)
            shown = _clip(result.values.get(key))
            if shown:
                yield self.finding(
                    "text",
                    [ref],
                    {"formula": formula, "cached": shown},
                    label=ref.label,
                    formula=_clip(formula),
                    cached=shown,
                )
            else:
                yield self.finding(
                    "text_no_result",
                    [ref],
                    {"formula": formula},
                    severity=ERROR,
                    label=ref.label,
                    formula=_clip(formula),
                )

    def _numbers(self, context: Context):
        result = context.result
        for key, reading in result.readings.items():
            if reading.formula is None or reading.kind not in KINDS:
                continue
            ref = result.ref(key)
            if reading.kind == NO_RESULT:  # nothing to use: an error, not a hint
                yield self.finding(
                    "no_result",
                    [ref],
                    {"formula": reading.formula},
                    severity=ERROR,
                    label=ref.label,
                    formula=reading.formula,
                )
            else:
                cached = reading.shown
                values = {"formula": reading.formula, "cached": _plain(cached)}
                yield self.finding(cells=[ref], values=values, label=ref.label, formula=reading.formula, cached=cached)


def _clip(value: object, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


KINDS = (NUMBER, TEXT, BOOLEAN, DATE, ERROR_VALUE, NO_RESULT, NOT_FINITE, IMPLAUSIBLE)


def _plain(value: object) -> object:
    return str(value) if isinstance(value, (datetime, date)) else value


@register
class ValueInvalid(Rule):
    id, severity = "VALUE-INVALID", ERROR
    title = "数字单元格不能是日期、逻辑值或错误值（如 #REF!）。"
    messages = {
        ERROR_VALUE: "{label}：单元格是错误值 {raw}，不是数字。请填写数字，没有请填 0。",
        BOOLEAN: "{label}：单元格是逻辑值 {raw}，不是数字。",
        DATE: "{label}：单元格是日期或时间（{raw}），不是数字。可能输入时被自动转换成了日期；请把单元格改回数字后重填。",
        NOT_FINITE: "{label}：单元格内容不是有效数字。",
        IMPLAUSIBLE: "{label}：{raw:g} 大得不合常理（超过 {limit:,.0f}），可能是误输入或粘贴错了。请填写实际数字。",
        TINY: "{label}：{raw:g} 小得不合常理（不是 0，却小于 {limit:g}），可能是公式计算留下的误差或误输入。"
        "请填写实际数字，没有请填 0。",
        MALFORMED: "{label}：单元格{problem}。请在 Excel 或 WPS 中重新输入这个{what}后保存。",
    }

    def check(self, context: Context):
        form, result = context.form, context.result
        kinds = (ERROR_VALUE, BOOLEAN, DATE, NOT_FINITE, IMPLAUSIBLE, TINY, MALFORMED)
        for key, ref, reading in _readings(context, kinds):
            yield self._finding(reading, ref, form.cells[key], result.anomalies.get(key))
        for key, anomaly in result.anomalies.items():  # text cells the file stores unreadably
            if anomaly.kind != "unicode" and not form.cells[key].is_numeric:
                ref = result.ref(key)
                values = {"raw": anomaly.raw, "anomaly": anomaly.kind}
                yield self.finding(MALFORMED, [ref], values, label=ref.label, problem=anomaly.message, what="内容")

    def _finding(self, reading: Interpreted, ref, cell, anomaly):
        raw = reading.shown
        if reading.kind == MALFORMED:
            values = {"raw": anomaly.raw if anomaly else str(raw), "anomaly": anomaly.kind if anomaly else "type"}
            problem = anomaly.message if anomaly else f"存的“{raw}”无法读取"
            return self.finding(MALFORMED, [ref], values, label=ref.label, problem=problem, what="数字")
        if reading.kind == TINY:
            return self.finding(
                TINY, [ref], {"raw": raw, "limit": MIN_MAGNITUDE}, label=ref.label, raw=raw, limit=MIN_MAGNITUDE
            )
        if reading.kind == BOOLEAN:
            return self.finding(BOOLEAN, [ref], {"raw": raw}, label=ref.label, raw="TRUE" if raw else "FALSE")
        if reading.kind == IMPLAUSIBLE:
            limit = reading.limit(cell)
            return self.finding(IMPLAUSIBLE, [ref], {"raw": raw, "limit": limit}, label=ref.label, raw=raw, limit=limit)
        return self.finding(reading.kind, [ref], {"raw": str(raw)}, label=ref.label, raw=raw)


@register
class ValueUnicode(Rule):
    id, severity = "VALUE-UNICODE", WARNING
    title = "文字里不能有乱码（无法显示的字符已替换为“\ufffd”）。"
    messages = {"default": "{label}：{problem}。请在 Excel 或 WPS 中检查这段文字，删去乱码后保存。"}

    def check(self, context: Context):
        result = context.result
        for key, anomaly in result.anomalies.items():
            if anomaly.kind == "unicode":
                ref = result.ref(key)
                yield self.finding(cells=[ref], values={"raw": anomaly.raw}, label=ref.label, problem=anomaly.message)


@register
class ValueTooLong(Rule):
    id, severity = "VALUE-TOO-LONG", ERROR
    title = "一个单元格的文字不能超过 32767 个字符（Excel 单元格的上限）。"
    messages = {
        "default": "{label}：文字有 {length} 个字符，超过了 Excel 单元格的上限 {limit} 个，这样的内容不是在 Excel 或 WPS 中"
        "正常填写保存的。请删减文字后用 Excel 或 WPS 重新保存。"
    }

    def check(self, context: Context):
        result = context.result
        for key, raw in result.raw.items():
            text = raw.cached if raw.data_type == "f" else raw.value
            if isinstance(text, str) and len(text) > MAX_TEXT:
                ref = result.ref(key)
                yield self.finding(
                    cells=[ref],
                    values={"length": len(text), "limit": MAX_TEXT},
                    label=ref.label,
                    length=len(text),
                    limit=MAX_TEXT,
                )
