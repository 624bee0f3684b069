"""A collection round of the site (``xlrep serve``): ROUND-* — a file must belong to the unit and the round.

Raised by the site when a unit uploads, from what the workbook says of itself (its year, edition, 机关名称 and
the round and unit the site issued it to, kept in its properties and on its hidden sheet), not by a check of one
workbook on its own: the same file is correct on one unit's link and wrong on another's.
"""

from __future__ import annotations

from ...common.findings import ERROR, INFO
from .base import Rule, register


@register
class RoundYear(Rule):
    id, severity = "ROUND-YEAR", ERROR
    title = "上传到收集网站的填报表，报告年度和格式版本须与本次收集一致。"
    filling = True
    messages = {
        "default": "这份填报表是 {found}，本次收集的是 {expected}。请从本单位的链接下载 {year} 年度的填报表填写后再上传。"
    }


@register
class RoundOtherUnit(Rule):
    id, severity = "ROUND-OTHER-UNIT", ERROR
    title = "只能上传发给本单位的填报表，不能上传其他单位的。"
    filling = True
    messages = {
        "default": "这份填报表是发给“{other}”的，不是本单位（“{unit}”）的。"
        "请上传本单位的填报表；如果两个单位共用了一份，请从本单位的链接重新下载填写。"
    }


@register
class RoundOtherRound(Rule):
    id, severity = "ROUND-OTHER-ROUND", ERROR
    title = "只能上传本次收集下发的填报表，不能上传以往收集或其他网站的。"
    messages = {
        "default": "这份填报表是另一次收集（或另一个网站）下发的，不属于本次收集“{round}”。"
        "请从本单位的链接下载本次的填报表，把数字填进去后再上传。"
    }


@register
class RoundOrgName(Rule):
    id, severity = "ROUND-ORG-NAME", ERROR
    title = "填报表的机关名称须是本单位的名称。"
    filling = True
    messages = {
        "default": "填报表的机关名称是“{found}”，而这是“{unit}”的填报链接。"
        "如果选错了文件，请上传本单位的填报表；如果本单位改了名称，请联系政务公开办修改单位名单。",
        "partial": "填报表的机关名称是“{found}”，单位名单上是“{unit}”，两者不完全相同。"
        "报告中应写本机关的全称；确是本单位的，上报时说明即可。",
        "own_summary": "这是“{found}”自己的汇总表，不是下级机构“{unit}”的汇总表：它不会计入本机构的汇总，"
        "“{unit}”的单位就一个也没有计入。请上传“{unit}”的汇总表。",
        "other_office": "这份汇总表是“{found}”的汇总，而这是“{unit}”的报送链接。如果选错了文件，请上传“{unit}”的汇总表"
        "（否则“{found}”的单位会重复计入）；确是本机构的（如机构改了名称），上报时说明即可。",
    }


@register
class RoundMerged(Rule):
    id, severity = "ROUND-MERGED", ERROR
    title = "单位上报的须是本单位的填报表，不是几个单位的汇总表。"
    messages = {
        "default": "这是 {count} 个单位的汇总表（xlrep merge 或收集网站生成），不是本单位的填报表，不能在这里上报。"
        "请上传本单位自己的填报表。"
    }


@register
class RoundNotMerged(Rule):
    id, severity = "ROUND-NOT-MERGED", ERROR
    title = "下级机构报送的须是本机构的汇总表，不是一个单位的填报表。"
    messages = {
        "default": "“{unit}”是下级机构，应报送其汇总表（收集网站的“向上级上报”、“下载汇总表”或 xlrep merge 生成），"
        "这是一个单位的填报表。请上传本机构的汇总表；本级政府自己的报告请作为单位另行报送。"
    }


@register
class RoundOutside(Rule):
    id, severity = "ROUND-OUTSIDE", INFO
    title = "不是从本单位链接下载的填报表，年度、格式版本和机关名称相符时也可上传。"
    messages = {
        "default": "这份填报表不是从本单位的链接下载的（没有本次收集的标识）。报告年度、格式版本和机关名称与本次收集"
        "相符，已照常校验。"
    }


@register
class RoundPublished(Rule):
    id, severity = "ROUND-PUBLISHED", ERROR
    title = "收集网站上报的须是填报表，不是已发布的报告。"
    messages = {
        "default": "上传的是已发布的报告（{kind}），已导入并校验供参考，但不能上报。"
        "请下载本单位的填报表，用 Excel 或 WPS 填好后上传（.xlsx）。"
    }
