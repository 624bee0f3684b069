"""The rule catalogue (shared/reference/checks.md): stable IDs, severities, plain-Chinese text.

The IDs are the contract with users, tests and the JSON output: never rename one.
The template's 填报说明 sheet lists the rules a clerk can act on from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_NAMES = {ERROR: "错误", WARNING: "提示", INFO: "信息"}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str  # what the clerk must make true, in plain Chinese
    edition: str | None = None  # the only edition the rule applies to, if any


RULES: tuple[Rule, ...] = (
    Rule(
        "FILE-UNREADABLE",
        ERROR,
        "文件须是能打开的 .xlsx 工作簿（.xls、.et、.ods 请在 Excel 或 WPS 中另存为 .xlsx），且不能设置打开密码。",
    ),
    Rule("TEMPLATE-UNKNOWN", ERROR, "须使用 xlrep 生成的填报表，不要自行制作表格。"),
    Rule("TEMPLATE-VERSION", WARNING, "请使用与程序版本一致的填报表。"),
    Rule("TEMPLATE-TAMPERED", ERROR, "不要改动灰色公式、表头和标签，不要插入或删除行列、重命名或删除工作表。"),
    Rule("TEMPLATE-UNPROTECTED", INFO, "工作表保护被取消（仅提示）。"),
    Rule("TEMPLATE-EXTRA-SHEET", INFO, "填报表里添加的工作表不会被读取（仅提示）。"),
    Rule("EDITION-YEAR", WARNING, "2019、2020 年度使用 2019年版格式；2021 年度起使用 2021年版格式。"),
    Rule("VALUE-BLANK", WARNING, "没有的数字填 0，不要留空。"),
    Rule(
        "VALUE-TEXT", ERROR, "数字单元格只填阿拉伯数字：不要填“１２”（全角）、“12件”、“-”、“/”、“无”、“1,234”等文字。"
    ),
    Rule("VALUE-NEGATIVE", ERROR, "件数和金额不能为负数（只有 2019年版的“本年增/减”可以为负）。"),
    Rule("VALUE-FRACTION", ERROR, "件数须为整数；金额可以有小数。"),
    Rule("VALUE-FORMULA", WARNING, "填写区请直接填数字，不要填公式。"),
    Rule("VALUE-INVALID", ERROR, "数字单元格不能是日期、逻辑值或错误值（如 #REF!）。"),
    Rule("VALUE-UNICODE", WARNING, "文字里不能有乱码（无法显示的字符已替换为“\ufffd”）。"),
    Rule(
        "T3-IDENTITY",
        ERROR,
        "表三每一列：第一项（本年新收）加第二项（上年结转）之和，等于第三项（（七）总计）加第四项（结转下年度继续办理）之和。",
    ),
    Rule("T3-RESULT-SUM", ERROR, "表三（七）总计等于（一）至（六）各行之和。"),
    Rule("T3-ROW-SUM", ERROR, "表三每一行：总计等于自然人加五类法人或其他组织之和。"),
    Rule("T3-CARRYOVER-OPEN", WARNING, "上年结转的申请一般应在本年办结：（七）总计不应小于上年结转数。"),
    Rule("T3-CARRYFORWARD-LARGE", WARNING, "结转下年度的申请一般不应多于本年新收的申请。"),
    Rule("T4-SUM", ERROR, "表四每一栏：总计等于结果维持、结果纠正、其他结果、尚未审结之和。"),
    Rule("T2-IN-FORCE", WARNING, "现行有效件数一般不少于本年制发件数。", edition="2021"),
    Rule("T2-FEE-UNIT", WARNING, "行政事业性收费金额的单位是万元，不要按元填写。", edition="2021"),
    Rule("TEXT-MISSING", ERROR, "机关名称、一、总体情况、五、存在的主要问题及改进情况不能为空。"),
    Rule("TEXT-NUMBER", WARNING, "文字中写到的件数（如“收到申请N件”）须与表格一致。"),
    Rule("TEXT-CLAIM", WARNING, "文字说法须与表格一致（如写“未收到申请”，表三新收须为 0）。"),
    Rule("TEXT-YEAR", WARNING, "不要沿用上年文字：句首年份须为本报告年度。"),
    Rule("FEE-NOTICE", WARNING, "表三（六）2 有数字时，六中须报告发出的收费通知。", edition="2021"),
    Rule("GOV-ACCOUNTABILITY", WARNING, "人民政府的“监督保障”须写明工作考核、社会评议和责任追究结果情况。"),
    Rule("PREV-CARRY", WARNING, "本年“上年结转”须等于上年报告的“结转下年度继续办理”。"),
    Rule("PREV-IN-FORCE", WARNING, "现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数。", edition="2021"),
    Rule("PREV-SAME-DATA", WARNING, "表格数字与上年完全相同，请核实。"),
    Rule("PREV-TEXT-COPY", WARNING, "文字与上年报告高度雷同，请按本年度实际情况撰写。"),
    Rule("MERGE-MIXED", ERROR, "汇总的填报表须为同一格式版本、同一年度。"),
    Rule("MERGE-DUPLICATE", WARNING, "同一机关不要重复提交。"),
    Rule("MERGE-UNIT-ERRORS", WARNING, "有错误的单位须先改正再汇总。"),
)

BY_ID = {rule.id: rule for rule in RULES}

#: The rules a clerk acts on while filling in the workbook (listed on 填报说明).
FILLING_RULES = (
    "T3-IDENTITY",
    "T3-RESULT-SUM",
    "T3-ROW-SUM",
    "T4-SUM",
    "VALUE-BLANK",
    "VALUE-TEXT",
    "VALUE-NEGATIVE",
    "VALUE-FRACTION",
    "T2-IN-FORCE",
    "T2-FEE-UNIT",
    "T3-CARRYOVER-OPEN",
    "T3-CARRYFORWARD-LARGE",
    "TEXT-MISSING",
    "TEXT-NUMBER",
    "TEXT-CLAIM",
    "TEXT-YEAR",
    "FEE-NOTICE",
    "GOV-ACCOUNTABILITY",
    "TEMPLATE-TAMPERED",
    "EDITION-YEAR",
)
