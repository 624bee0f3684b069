"""A 汇总 of 汇总s (an upper office adds up its lower offices' 汇总s): HIER-*.

Raised by ``aggregate.merge_units`` when one of the workbooks added up is itself a 汇总 (``units.rollup``: it
lists every unit it adds up, with their numbers), and by a site when a lower office's 汇总 enters an upper round;
not by a check of one workbook on its own. A correct 汇总 of 汇总s raises none of them.
"""

from __future__ import annotations

from ...common.findings import ERROR, WARNING
from .base import Rule, register


@register
class HierSum(Rule):
    id, severity = "HIER-SUM", ERROR
    title = "下级的汇总表须等于其所列各单位之和。"
    messages = {
        "default": "“{office}”的汇总表中，{cell}为 {found}，而其所列 {count} 个单位之和为 {expected}"
        "{more}。汇总表的数字不能手工改动：本次汇总按各单位的数字相加；请“{office}”改正单位的填报表后重新汇总。"
    }


@register
class HierIncomplete(Rule):
    id, severity = "HIER-INCOMPLETE", WARNING
    title = "下级的汇总须包括其收集的全部单位。"
    messages = {
        "default": "“{office}”的汇总只计入了其收集的 {listed} 个单位中的 {count} 个（{include}）。"
        "其余单位的数字不在本次汇总中；如需计入，请“{office}”收齐后重新汇总上报。"
    }


@register
class HierDuplicate(Rule):
    id, severity = "HIER-DUPLICATE", WARNING
    title = "同一单位只能计入一次：不能既直接报送又在下级汇总中，也不能在两份下级汇总中。"
    messages = {
        "default": "“{unit}”出现了 {count} 次（{places}）：只计入一次（按{used}计入），其余未计入。"
        "请确认该单位属于哪一级，由另一方去掉后重新汇总。",
        "distinct": "“{unit}”有 {count} 个（{places}），各处数字不同，按不同的单位分别计入。"
        "如果其实是同一个单位报了不同的版本，请确认它属于哪一级，由另一方去掉后重新汇总。",
    }


@register
class HierOtherYear(Rule):
    id, severity = "HIER-OTHER-YEAR", ERROR
    title = "下级的汇总须与本次汇总为同一年度、同一格式版本。"
    messages = {
        "default": "“{office}”的汇总是 {found}，本次汇总的是 {expected}：未计入。请“{office}”上报 {year} 年度的汇总。"
    }


@register
class HierNoDetail(Rule):
    id, severity = "HIER-NO-DETAIL", WARNING
    title = "下级的汇总表须带有各单位的数据（由 xlrep 汇总写出），才能核对和再汇总。"
    messages = {
        "default": "“{office}”的汇总表{problem}，无法核对其所列单位，未计入。"
        "请“{office}”用新版 xlrep 重新汇总（写明 --office），或改为提交各单位的填报表。"
    }
