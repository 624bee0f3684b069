"""Batch results as files: the CSV of findings (``xlrep check --csv``, the site's download), why a unit was unreadable.

No terminal here: the summary table, the progress bar and the merge outcome are the command line's (``xlrep.cli.show``).
"""

from __future__ import annotations

import csv
import io

from .batch import UnitResult
from .findings import values_text
from .safetext import display_path, for_spreadsheet, path_text, valid_unicode


def unreadable_reason(unit: UnitResult) -> str:
    """The FILE-UNREADABLE message of a unit that could not be read (it names the file)."""
    reasons = [f["message"] for f in unit.findings if f["rule"] == "FILE-UNREADABLE"]
    return reasons[0] if reasons else display_path(unit.file)


def csv_cell(value: object) -> object:
    """A CSV cell: text made valid Unicode and never a formula (OWASP CSV injection); numbers as they are."""
    if isinstance(value, str):
        return for_spreadsheet(valid_unicode(value))
    return value


def findings_csv(results: list[UnitResult]) -> bytes:
    """Every finding of every unit, one per line; UTF-8 with BOM so Excel shows the Chinese.

    Workbook text (unit names, file names, messages quoting cells) is untrusted: a cell that starts
    like a formula is prefixed with ' so Excel and WPS show it as text and never evaluate it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["单位", "文件", "格式版本", "年度", "规则", "严重程度", "说明", "单元格", "数值"])
    names = {"error": "错误", "warning": "提示", "info": "信息"}
    for r in results:
        for f in r.findings:
            cells = "；".join(f"{c['sheet']}!{c['cell']} {c['label']}".strip() for c in f["cells"])
            row = [
                r.unit,
                path_text(r.file),
                f"{r.edition}年版" if r.edition else "",
                r.year or "",
                f["rule"],
                names[f["severity"]],
                f["message"],
                cells,
                values_text(f["values"]),
            ]
            writer.writerow([csv_cell(c) for c in row])
        if not r.findings:
            row = [
                r.unit,
                path_text(r.file),
                f"{r.edition}年版" if r.edition else "",
                r.year or "",
                "",
                "",
                "没有发现问题",
                "",
                "",
            ]
            writer.writerow([csv_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
