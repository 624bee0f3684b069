"""Where the tests find real published reports: ``XLREP_CORPUS`` (default ``../shared/corpus``).

The repository carries no report texts. Tests that need them call ``corpus_dir()``
(or ``samples_dir()``, the published samples beside the corpus; ``reference_dir()``,
the official format description beside it): without the folder they are skipped
with the reason, and ``.ci/run`` sets the variable and fails if it is missing.

``typed_values(report)`` types a report into our template the way a clerk would: its
published figures go into the input cells of table 二, 三 and 四 through the form's own
grid labels (totals are left to the workbook, blank stays blank). ``published_text``
is the page's text; ``proactive_text`` the published sentences that hold the listed
statements not in ``narrative_apply`` (the 依申请公开 part as published).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

from xlrep.edition.form import load_form
from xlrep.workbook.reader import normalize_label

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus"


def _corpus() -> Path:
    return Path(os.environ.get("XLREP_CORPUS") or DEFAULT)


def corpus_dir() -> Path:
    path = _corpus()
    if not path.is_dir():
        pytest.skip(f"the real-report corpus is not at {path} (set XLREP_CORPUS to it; CI does)")
    return path


def samples_dir() -> Path:
    """The published samples (淮安 2024 PDF and text, the 托里 seed), beside the corpus."""
    path = corpus_dir().parent / "samples"
    if not path.is_dir():
        pytest.skip(f"the published samples are not at {path} (beside XLREP_CORPUS)")
    return path


def reference_dir() -> Path:
    """The official format description and rule catalogue (format.md, checks.md), beside the corpus."""
    path = corpus_dir().parent / "reference"
    if not path.is_dir():
        pytest.skip(f"the format reference is not at {path} (beside XLREP_CORPUS)")
    return path


@cache
def report(name: str) -> dict:
    """One report's transcription (``NNN.json``)."""
    return json.loads((corpus_dir() / f"{name}.json").read_text(encoding="utf-8"))


def report_names() -> list[str]:
    """Every report of the corpus (an empty list without it: parametrised tests then skip)."""
    path = _corpus()
    return sorted(p.stem for p in path.glob("*.json")) if path.is_dir() else []


# -- a report typed into the template ------------------------------------------------------------


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
    """The report's page as the crawler stored it ("" when the corpus has none)."""
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
