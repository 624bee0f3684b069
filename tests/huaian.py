"""Figures and sentences of the published 淮安市人民政府 2024 report, read from ../shared/samples at test time.

The sample is the layout text of the published PDF (``pdftotext -layout``); the
tables are recovered from the lines that end in numbers, the narrative by joining
the wrapped lines of a paragraph.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlrep.form import load_form

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
LAYOUT = SAMPLES / "huaian-2024.layout.txt"


def layout_text() -> str:
    if not LAYOUT.exists():
        pytest.fail(f"the shared sample {LAYOUT} is missing (the repository expects ../shared beside it)")
    return LAYOUT.read_text(encoding="utf-8")


def _numbers_at_end(line: str, n: int) -> list[float] | None:
    m = re.search(r"((?:\s+[\d.]+){%d})\s*$" % n, " " + line)
    if not m:
        return None
    return [float(x) if "." in x else int(x) for x in m.group(1).split()]


def figures() -> dict[str, object]:
    """Every table figure of the report, by form key (2021 edition)."""
    text = layout_text()
    lines = text.splitlines()
    form = load_form("2021")
    values: dict[str, object] = {}
    t2 = {
        "规章": ("rules", ("issued", "repealed", "in_force")),
        "行政规范性文件": ("normative_docs", ("issued", "repealed", "in_force")),
        "行政许可": ("licensing", ("decisions",)),
        "行政处罚": ("penalty", ("decisions",)),
        "行政强制": ("enforcement", ("decisions",)),
        "行政事业性收费": ("admin_fees", ("amount",)),
    }
    for line in lines:
        stripped = line.strip()
        for label, (row, cols) in t2.items():
            if re.match(rf"^{label}\s+[\d.]", stripped):
                numbers = _numbers_at_end(stripped, len(cols))
                for col, value in zip(cols, numbers):
                    values[f"t2.{row}.{col}"] = value
    grid = form.grids("t3")[0]
    rows = [r for r in grid.rows]
    t3_lines = [
        nums for line in lines if (nums := _numbers_at_end(line, 7)) is not None and _numbers_at_end(line, 8) is None
    ]
    t3_lines = [nums for nums in t3_lines if all(isinstance(x, int) for x in nums)]
    assert len(t3_lines) == len(rows), f"expected {len(rows)} rows of table 三, found {len(t3_lines)}"
    for row, nums in zip(rows, t3_lines):
        for column, value in zip(grid.columns, nums):
            values[grid.cell_key(row, column)] = value
    t4 = [nums for line in lines if (nums := _numbers_at_end(line, 15)) is not None]
    assert len(t4) == 1, "expected one row of 15 figures for table 四"
    t4_grid = form.grids("t4")[0]
    for column, value in zip(t4_grid.columns, t4[0]):
        values[t4_grid.cell_key(t4_grid.rows[0], column)] = value
    m = re.search(r"收取政府信息公开信息处理费\s*(\d+)\s*元", re.sub(r"\s*\n\s*", "", text))
    values["s6.fee_collected"] = int(m.group(1))
    return values


def paragraph(start: str, end: str) -> str:
    """A narrative paragraph, unwrapped: from the line with ``start`` up to the one with ``end``."""
    text = layout_text()
    body = text[text.index(start) : text.index(end)]
    body = re.sub(r"^\s*-\d+-\s*$", "", body, flags=re.M)  # page markers
    return "".join(line.strip() for line in body.splitlines())


def request_paragraph() -> str:
    """（二）依申请公开: the requests received and answered, and the 复议/诉讼 figures."""
    return paragraph("（二）依申请公开情况", "（三）政府信息管理情况")


def fee_sentence() -> str:
    return paragraph("2024 年，市政府严格落实《政府信息公开信息处理费", "-6-")
