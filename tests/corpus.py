"""The real-report corpus (``$XLREP_CORPUS``, default ``../shared/corpus``): each report typed into our template.

Every report is typed the same way: its published figures go into the input cells of
table 二, 三 and 四 through the form's own grid labels (totals are left to the
workbook, blank stays blank); ``narrative_apply`` (the 依申请公开 part as published)
is （二）依申请公开 verbatim; the sentences of the published text that hold the other
listed statements (e.g. 表二 figures in 主动公开) become （一）主动公开. Nothing of the
reports is stored in this repository.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from xlrep.form import load_form
from xlrep.reader import normalize_label

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("XLREP_CORPUS") or ROOT.parent / "shared" / "corpus")
SENTENCE = re.compile(r"[^。！？\n]*")


def corpus_dir() -> Path:
    """The corpus folder; the calling test is skipped (with the reason) when it is not there."""
    if not (CORPUS / "README.md").exists():
        pytest.skip(f"the real-report corpus is not at {CORPUS} (set XLREP_CORPUS to its folder)")
    return CORPUS


def report_names() -> list[str]:
    """The reports of the corpus (file stems), or [] when the corpus is missing."""
    if not CORPUS.is_dir():
        return []
    return sorted(p.stem for p in CORPUS.glob("*.json"))


def load(name: str) -> dict:
    return json.loads((corpus_dir() / f"{name}.json").read_text(encoding="utf-8"))


def _row(grid, label: str):
    """The grid row with this official label (compared as published labels vary), else None."""
    wanted = normalize_label(label)
    exact = [r for r in grid.rows if normalize_label(r.label) == wanted]
    if exact:
        return exact[0]
    ending = [r for r in grid.rows if normalize_label(r.label).endswith(wanted)]
    return ending[0] if len(ending) == 1 else None


def typed_values(report: dict) -> dict[str, object]:
    """The report's figures by form key, as a clerk types them: input cells only, blank (null) left blank."""
    form = load_form(report["edition"])
    values: dict[str, object] = {}
    for label, numbers in report.get("t2", {}).items():
        grid, row = next(((g, r) for g in form.grids("t2") if (r := _row(g, label))), (None, None))
        assert row is not None, f"表二 row {label!r} is not in the {report['edition']} form"
        _type_row(values, grid, row, numbers)
    grid = form.grids("t3")[0]
    for label, numbers in report["t3"].items():
        row = _row(grid, label)
        if row is None:  # a group kept as one row (2019 （六）其他处理 in a 2021 report): its last row
            rows = [r for r in grid.rows if r.group and normalize_label(r.group[-1]) == normalize_label(label)]
            assert rows, f"表三 row {label!r} is not in the {report['edition']} form"
            row = rows[-1]
        if not row.sum_of_rows:
            _type_row(values, grid, row, numbers)  # six applicant columns (then 总计, if printed)
    t4 = form.grids("t4")[0]
    _type_row(values, t4, t4.rows[0], report["t4"])
    return values


def _type_row(values: dict, grid, row, numbers: list) -> None:
    """The row's numbers into its input cells, column by column (totals are the workbook's)."""
    for column, value in zip(grid.columns, numbers, strict=False):  # a printed 总计 may be missing
        if not column.sum_of:
            values[grid.cell_key(row, column)] = value


def published_text(name: str) -> str:
    path = corpus_dir() / f"{name}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def proactive_text(name: str, report: dict) -> str:
    """The published sentences holding the listed statements that are not in ``narrative_apply``."""
    text = published_text(name)
    spans: list[tuple[int, int]] = []
    for statement in report["statements"]:
        if statement["text"] in report["narrative_apply"]:
            continue
        at = text.find(statement["text"])
        assert at >= 0, f"{name}: statement {statement['text']!r} is neither in narrative_apply nor in the text"
        start = max(text.rfind(mark, 0, at) for mark in "。！？\n") + 1
        end = min((i for i in (text.find(mark, at) for mark in "。！？\n") if i >= 0), default=len(text))
        spans.append((start, end + 1))
    sentences = []
    for start, end in sorted(set(spans)):
        sentence = text[start:end].strip()
        if sentence not in sentences:
            sentences.append(sentence)
    return "".join(sentences)
