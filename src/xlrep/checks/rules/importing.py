"""A published report read back into a workbook (``xlrep import``): IMPORT-AMBIGUOUS, IMPORT-TOTAL,
IMPORT-MISSING, IMPORT-TEXT-LONG, IMPORT-LABEL, IMPORT-SOURCE.

Raised by ``importing`` while it reads a report, not by a check of a workbook: they say where the
workbook it writes is in doubt, so that ``ingest`` and ``check`` list them beside their own.
"""

from __future__ import annotations

from ...common.findings import INFO, WARNING
from .base import Rule, register

_ASK = "请对照原报告或原始台账填写。"
_LEFT_BLANK = "这 {blank} 格已留空（原样数字写在批注里）。" + _ASK


@register
class ImportAmbiguous(Rule):
    id, severity = "IMPORT-AMBIGUOUS", WARNING
    title = "导入的报告中连在一起的数字有多种拆法（或无法拆开），相关单元格已留空，须对照原报告填写。"
    uses_values = False
    messages = {
        "unsplittable": "{table}{row}的数字在报告中是“{raw}”，无法按表格的 {columns} 列拆开"
        "（数字个数或格式与表格对不上），无法确定，" + _LEFT_BLANK,
        "too_many": "{table}{row}的数字在报告中是“{raw}”，可以拆成的读法太多，无法逐一核对，无法确定，" + _LEFT_BLANK,
        "no_totals": "{table}{row}的数字在报告中是“{raw}”，有 {count} 种拆法，这张表没有总计可以核对"
        "（如 {readings}），无法确定，" + _LEFT_BLANK,
        "default": "{table}{row}的数字在报告中是“{raw}”，有 {count} 种拆法，表格中的总计和勾稽关系都排除不了"
        "（如 {readings}），无法确定，" + _LEFT_BLANK,
        "other_layout": "{table}按{other}格式只有一行“{label}”（{columns}），{edition}分为 {rows} 行，无法拆分；"
        "这几格已留空，其余为 0 的列已填 0。请对照原始台账填写这 {rows} 行。",
    }


@register
class ImportTotal(Rule):
    id, severity = "IMPORT-TOTAL", WARNING
    title = "导入的报告中印出的总计与各单元格之和不符；填报表保留各单元格，总计重新计算，须核对原报告。"
    uses_values = False
    messages = {
        "default": "{table}中有 {count} 处印出的总计与各单元格之和不符：{totals}。"
        "填报表保留报告中各单元格的数字，总计由公式重新计算；请核对原报告哪一个数字是对的。"
    }


@register
class ImportMissing(Rule):
    id, severity = "IMPORT-MISSING", WARNING
    title = "导入的报告中找不到某张表格、某一行或某个部分，相关单元格留空，须对照原报告填写。"
    uses_values = False
    messages = {
        "table": "没有找到{table}（按官方表格的行标签查找）。填报表中这张表留空，请对照原报告填写。",
        "rows": "{table}中没有找到这些行：{rows}。填报表中这些格留空，请对照原报告填写。",
        "section": "没有找到“{heading}”这一部分。",
        "year": "报告标题、统计期限和正文中找不到报告年度（如“2024年政府信息公开工作年度报告”），可用 --year 指定。",
        "year_signed": "报告标题、统计期限和正文中找不到报告年度，按落款日期推定为 {year} 年度；"
        "请核对，或用 --year 指定。",
        "year_body": "报告标题、统计期限和开头说明中找不到报告年度，按“一、总体情况”开头所说的年份推定为 {year} 年度；"
        "请核对，或用 --year 指定。",
        "year_opening": "报告标题、统计期限和正文中找不到报告年度，按开头说明第一句所说的年份推定为 {year} 年度；"
        "请核对，或用 --year 指定。",
        "org": "报告标题、编制说明（由……编制）和落款中找不到机关名称，填报表中机关名称留空；可用 --org 指定。",
    }


@register
class ImportTextLong(Rule):
    """A part of the report longer than one cell holds (Excel: 32,767 characters): nothing is cut in silence. The
    cell holds its beginning (up to a sentence end), the cell's comment the rest; the clerk is told both lengths."""

    id, severity = "IMPORT-TEXT-LONG", WARNING
    title = (
        "导入的报告中一部分文字超过 Excel 一格的上限（32,767 字）：单元格中是前面的部分，其余写在该格的批注里，须精简。"
    )
    uses_values = False
    messages = {
        "default": "“{part}”有 {length} 字，超过 Excel 一格的上限 {limit} 字。填报表中这一格是前 {kept} 字，"
        "其余 {rest} 字写在这一格的批注里（全文都保留了）。请把这一部分精简到 {limit} 字以内后再填报。"
    }


@register
class ImportLabel(Rule):
    id, severity = "IMPORT-LABEL", INFO
    title = "导入的报告中有标签与官方写法不完全相同，已按最接近的官方标签读取（仅提示）。"
    uses_values = False
    messages = {
        "default": "{where}中有 {count} 处标签与官方写法不完全相同，按最接近的官方标签读取：{labels}。",
        "other_layout_blank": "{table}按{other}格式只有一行“{label}”，各列都是 0 或空白，已按{edition}的 {rows} 行填写。",
        "other_layout_rows": "{table}按{other}格式把“{label}”分 {rows} 行列出，已相加填入{edition}的一行。",
    }


@register
class ImportSource(Rule):
    id, severity = "IMPORT-SOURCE", INFO
    title = "已发布的报告（Word、网页、PDF、文本）可以直接校验：先按官方标签导入成填报表，再逐条校验（仅提示）。"
    uses_values = False
    messages = {
        "default": "“{name}”是已发布的报告（{format}），不是填报表：已按官方标签自动导入成{edition}填报表后校验。"
        "单元格位置指导入后的填报表；要修改数字或文字，请用 xlrep import 生成填报表后在其中修改。"
    }
