"""The 淮安市人民政府 2024 report: its figures as the repository's sample holds them, and as published.

``figures()`` reads ``samples/huaian-2024.toml`` (the published figures, typed into
the repository as facts) and recomputes the totals. ``published()`` reads the
corpus's transcription of the published tables, totals as printed; the narrative
comes from the corpus and the published text beside it (``corpus.py``).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from corpus import report, samples_dir

from xlrep.edition.form import load_form
from xlrep.workbook.engine import all_values

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "huaian-2024.toml"
FORM = load_form("2021")


@cache
def sample() -> dict:
    return tomllib.loads(SAMPLE.read_text(encoding="utf-8"))


def figures() -> dict[str, object]:
    """Every table figure of the sample, inputs and recomputed totals, by form key."""
    values = {k: v for k, v in sample()["values"].items() if FORM.cells[k].is_numeric}
    full = all_values(FORM, values)
    return {k: v for k, v in full.items() if FORM.cells[k].table}


def published() -> dict[str, object]:
    """The published tables by form key, totals as printed (corpus ``huaian-2024.json``)."""
    data = report("huaian-2024")
    values: dict[str, object] = {}
    for grid in FORM.grids("t2"):
        for row in grid.rows:
            for column, value in zip(grid.columns, data["t2"].get(row.label, ()), strict=False):
                values[grid.cell_key(row, column)] = value
    (t3,) = FORM.grids("t3")
    for row in t3.rows:
        for column, value in zip(t3.columns, data["t3"][row.label], strict=False):  # 总计 column when printed
            values[t3.cell_key(row, column)] = value
    (t4,) = FORM.grids("t4")
    for column, value in zip(t4.columns, data["t4"], strict=True):
        values[t4.cell_key(t4.rows[0], column)] = value
    return values


def request_paragraph() -> str:
    """（二）依申请公开 as published: the requests received and answered, and the 复议/诉讼 figures."""
    return report("huaian-2024")["narrative_apply"]


def fee_sentence() -> str:
    """六's paragraph on the 信息处理费, from the published text (``samples/huaian-2024.layout.txt``)."""
    text = (samples_dir() / "huaian-2024.layout.txt").read_text(encoding="utf-8")
    start, end = "2024 年，市政府严格落实《政府信息公开信息处理费", "-6-"
    body = text[text.index(start) : text.index(end)]
    body = re.sub(r"^\s*-\d+-\s*$", "", body, flags=re.M)  # page markers
    return "".join(line.strip() for line in body.splitlines())
