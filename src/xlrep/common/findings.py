"""Findings: what a check found, where, and with which values (the audit's data model).

The data model knows the severities (their order and their Chinese names: the one registry of them) but not the
rule catalogue: a finding is made by ``rules.rule(id).finding(...)``, which fails on an unknown ID (KeyError) and
gives the rule's catalogue severity; ``tests/test_catalogue.py`` holds every rule ID written in ``src/`` against
the catalogue and allows no other constructor of ``Finding`` there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"
#: The severities, most serious first (findings are sorted by this order), and how the clerk reads them.
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
SEVERITY_NAMES = {ERROR: "错误", WARNING: "提示", INFO: "信息"}


@dataclass(frozen=True)
class CellRef:
    sheet: str
    cell: str  # A1 address
    label: str  # human label, e.g. "（七）总计 × 自然人"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "label": self.label}

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.label}".rstrip()


@dataclass
class Finding:
    """One finding of one rule, made by ``rules.rule(id).finding(...)`` (the rule's severity unless it says
    another): ``severity`` must be one of ``SEVERITY_ORDER``."""

    rule: str
    message: str
    cells: list[CellRef] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    severity: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITY_ORDER:
            raise ValueError(
                f"finding of {self.rule}: severity {self.severity!r} is none of {', '.join(SEVERITY_ORDER)}"
            )

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "cells": [c.as_dict() for c in self.cells],
            "values": self.values,
        }


def summarize(findings: list[Finding]) -> dict[str, int]:
    return {
        "errors": sum(1 for f in findings if f.severity == ERROR),
        "warnings": sum(1 for f in findings if f.severity == WARNING),
        "infos": sum(1 for f in findings if f.severity == INFO),
    }


#: The findings tables (CSV): the columns of one finding, after those that say whose it is, and the two tables —
#: ``xlrep check --csv`` (``check_output.findings_csv``) and the office's download (``serve.office``).
FINDING_COLUMNS = ("规则", "严重程度", "说明", "单元格", "数值")
BATCH_CSV_HEADER = ["单位", "文件", "格式版本", "年度", *FINDING_COLUMNS]
OFFICE_CSV_HEADER = ["单位", "状态", "上传版本", "格式版本", *FINDING_COLUMNS, "单位说明", "核实"]


#: What a finding's ``values`` keys mean, in the words of the form (the CSV and the pages show them this way).
VALUE_NAMES = {
    "actual": "实际",
    "anomaly": "异常",
    "cached": "保存的结果",
    "compared": "比较的个数",
    "computed": "计算结果",
    "declared": "文件自称",
    "draft": "参考表述",
    "expected_edition": "应为的格式版本",
    "expected_formula": "应有的公式",
    "format": "格式",
    "formula": "公式",
    "notices": "收费通知",
    "raw": "原样",
    "sentence": "句子",
    "sheets": "工作表",
    "units": "单位数",
    "unpaid": "未收取",
    "amount": "金额",
    "carried_forward": "结转下年度",
    "carried_in": "上年结转",
    "cell": "单元格",
    "change": "变化",
    "claim": "说法",
    "column": "列",
    "columns": "各列",
    "count": "个数",
    "difference": "差额",
    "edition": "格式版本",
    "errors": "错误数",
    "expected": "应为",
    "figure": "数字",
    "found": "填写的",
    "granted": "予以公开",
    "in_force": "现行有效",
    "issued": "本年制发",
    "issued_to": "下发给",
    "label": "单元格",
    "last_year": "上年",
    "last_year_in_force": "上年现行有效",
    "left": "左边",
    "length": "长度",
    "limit": "上限",
    "new_received": "本年新收",
    "org_name": "机关名称",
    "org_type": "机关类型",
    "part": "栏目",
    "repealed": "本年废止",
    "result_total": "办结",
    "right": "右边",
    "rules": "规则",
    "share": "比例",
    "sheet": "工作表",
    "similarity": "相似度",
    "stated": "文中所写",
    "statement": "原句",
    "sum": "合计",
    "table": "表格",
    "text": "文字",
    "this_year": "本年",
    "threshold": "界限",
    "topic": "事项",
    "unit": "单位",
    "value": "数值",
    "year": "年度",
}
_INTERNAL = {"previous_file", "file", "files", "issued_round", "used"}  # paths and codes: not for a clerk


def values_text(values: object) -> str:
    """A finding's ``values`` as a clerk reads them: 本年 3；上年 5 — Chinese names, no JSON, no file paths."""
    if isinstance(values, dict):
        parts = []
        for key, value in values.items():
            if key in _INTERNAL or value in (None, "", [], {}):
                continue
            shown = values_text(value)
            parts.append(f"{VALUE_NAMES.get(key, key)} {shown}" if not isinstance(value, (list, dict)) else shown)
        return "，".join(parts)
    if isinstance(values, list):
        return "；".join(values_text(v) for v in values)
    if isinstance(values, float) and values.is_integer():
        return str(int(values))
    return str(values)
