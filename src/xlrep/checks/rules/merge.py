"""Aggregation (汇总) of many units: MERGE-MIXED, MERGE-DUPLICATE, MERGE-UNIT-ERRORS (a 汇总 of 汇总s: hierarchy).

Raised by ``aggregate.merge_units`` over many workbooks, not by a check of one.
"""

from __future__ import annotations

from ...common.findings import ERROR, WARNING
from .base import Rule, register


@register
class MergeMixed(Rule):
    id, severity = "MERGE-MIXED", ERROR
    title = "汇总的填报表须为同一格式版本、同一年度。"
    messages = {"default": "这些填报表的格式版本或年度不一致，不能汇总：{groups}。请只汇总同一年度、同一格式的填报表。"}


@register
class MergeDuplicate(Rule):
    id, severity = "MERGE-DUPLICATE", WARNING
    title = "同一机关不要重复提交。"
    messages = {
        "default": "“{unit}”有 {count} 份填报表：已采用最后修改的 {used}，未计入 {dropped}。"
        "如不对，请删去多余的文件后重新汇总。"
    }


@register
class MergeUnitErrors(Rule):
    id, severity = "MERGE-UNIT-ERRORS", WARNING
    title = "有错误的单位须先改正再汇总。"
    messages = {
        "default": "“{unit}”的填报表有 {count} 项错误（{rules}），其数字已计入汇总，请退回该单位改正后重新汇总。"
    }
