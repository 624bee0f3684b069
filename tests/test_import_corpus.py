"""Real published reports (the corpus) imported: every figure as transcribed, or reported in doubt; never wrong.

Each ``NNN.txt`` is a crawler's text dump of a real report page (table cells fused, no separators);
``NNN.json`` is the same report transcribed by hand. A cell the import fills must equal the
transcription. A cell it leaves blank must be reported (IMPORT-AMBIGUOUS / IMPORT-MISSING) and be one
the text alone cannot decide: marked uncertain in the transcription (``t2_unverified``,
``t3_unverified``), or a 表二 row the transcriber read from the web page's HTML, whose fused digits the
test shows here to split more than one way. The 淮安 2024 PDF (and its ``pdftotext -layout`` text)
imports figure for figure.

The corpus is read through ``corpus.py`` (``XLREP_CORPUS``, default ``../shared/corpus``); without it these tests
skip with the reason.
"""

from __future__ import annotations

import re
import tomllib
from itertools import combinations

import pytest
from corpus import ROOT, corpus_dir, report, report_names, samples_dir
from import_pages import table_keys

from xlrep.edition.form import load_form
from xlrep.importing import import_report

#: The reports of the corpus that have a crawler's text dump beside their transcription (the ``NNN`` ones).
REPORTS = [name for name in report_names() if name.isdigit()] or ["corpus-missing"]  # skips with the reason

S1 = ("s1.proactive", "s1.on_request", "s1.management", "s1.platforms", "s1.oversight")


def _text(stem: str):
    path = corpus_dir() / f"{stem}.txt"
    if not path.exists():
        pytest.skip(f"{path} not found: the corpus has no text dump of report {stem}")
    return path


def _row(form, table: str, label: str):
    """The form's row for a transcribed label (a 2021 report may print 2019's 规范性文件 for 行政规范性文件)."""
    for grid in form.grids(table):
        for row in grid.rows:
            if row.label == label or (label == "规范性文件" and row.label == "行政规范性文件"):
                return grid, row
    return None, None


def _doubted(imported, form) -> set[str]:
    """Keys of the cells the import reports as ambiguous or missing."""
    by_ref = {(c.sheet, c.label): k for k, c in form.cells.items()}
    return {
        by_ref[(c.sheet, c.label)]
        for f in imported.findings
        if f.rule in ("IMPORT-AMBIGUOUS", "IMPORT-MISSING")
        for c in f.cells
        if (c.sheet, c.label) in by_ref
    }


def _readings(digits: str, cells: int) -> int:
    """Ways a fused run of digits splits into ``cells`` figures without leading zeros (independent of xlrep)."""
    count = 0
    for cuts in combinations(range(1, len(digits)), cells - 1):
        parts = [digits[a:b] for a, b in zip((0,) + cuts, cuts + (len(digits),), strict=True)]
        if all(p == "0" or not p.startswith("0") for p in parts):
            count += 1
    return count


def _published_digits(stem: str, label: str) -> str:
    """The digits printed after a 表二 row label in the text dump (up to the next label)."""
    text = _text(stem).read_text(encoding="utf-8")
    text = text[text.find("二、主动公开政府信息") :]
    m = re.search(re.escape(label) + r"\s*([0-9.+\-\s]+)", text)
    return re.sub(r"\s", "", m.group(1)) if m else ""


class _Comparison:
    """One imported report against its transcription, cell by cell."""

    def __init__(self, stem: str, truth: dict, imported, form):
        self.stem, self.truth, self.imported, self.form = stem, truth, imported, form
        self.doubted = _doubted(imported, form)
        self.checked = 0

    def cell(self, key: str, want, may_doubt: bool) -> None:
        cell = self.form.cells[key]
        got = self.imported.printed.get(key) if cell.is_total else self.imported.values.get(key)
        if got is None and want is not None:
            assert may_doubt, f"{key}: blank, but the text decides it ({want})"
            assert cell.is_total or key in self.doubted, f"{key}: left blank without a finding"
        else:
            assert got == want, f"{key}: imported {got!r}, published {want!r}"
            self.checked += 1

    def uncertain(self, key: str) -> None:
        """A cell the transcriber could not read: blank and reported (a printed total is not written at all)."""
        if not self.form.cells[key].is_total:
            assert self.imported.values.get(key) is None and key in self.doubted, f"{key} is uncertain"

    def table2(self) -> None:
        for label, figures in self.truth["t2"].items():
            grid, row = _row(self.form, "t2", label)
            digits = _published_digits(self.stem, label)
            split = _readings(digits.split(".")[0].rstrip("元"), len(figures)) > 1 if digits else False
            for column, want in zip(grid.columns, figures, strict=True):
                self.cell(grid.cell_key(row, column), want, may_doubt=split)
        for label in self.truth.get("t2_unverified", {}):
            if label != "note":
                grid, row = _row(self.form, "t2", label)
                for column in grid.columns:
                    self.uncertain(grid.cell_key(row, column))

    def table3(self) -> None:
        grid = self.form.grids("t3")[0]
        for label, figures in self.truth["t3"].items():
            _, row = _row(self.form, "t3", label)
            if row is None:  # 2019's single （六）其他处理 row in a 2021 report: the three rows add up to it
                assert label == "（六）其他处理" and self.truth.get("t3_layout")
                subs = [r for r in grid.rows if r.group and r.group[-1] == label]
                for i, column in enumerate(grid.columns[:6]):
                    got = [self.imported.values.get(grid.cell_key(r, column)) for r in subs]
                    assert None not in got and sum(got) == (figures[i] or 0)
                continue
            for column, want in zip(grid.columns, figures, strict=True):
                key = grid.cell_key(row, column)
                if label in self.truth.get("t3_unverified", {}):
                    self.uncertain(key)
                else:
                    self.cell(key, want, may_doubt=False)

    def table4(self) -> None:
        grid = self.form.grids("t4")[0]
        for column, want in zip(grid.columns, self.truth["t4"], strict=True):
            self.cell(grid.cell_key(grid.rows[0], column), want, may_doubt=False)


@pytest.mark.parametrize("stem", REPORTS)
def test_a_real_report_imports_figure_for_figure_or_says_it_cannot(stem):
    truth = report(stem)
    imported = import_report(_text(stem))
    form = load_form(truth["edition"])
    assert (imported.edition, imported.year) == (truth["edition"], truth["year"])
    assert imported.org and imported.org in truth["org"]
    assert imported.tables == ["t2", "t3", "t4"]
    comparison = _Comparison(stem, truth, imported, form)
    comparison.table2()
    comparison.table3()
    comparison.table4()
    assert comparison.checked > 40
    # the transcriptions find every published table consistent with itself: nothing to report
    assert truth["table_checks"]["identity_per_column_ok"] and truth["table_checks"]["row_totals_ok"]
    assert not [f for f in imported.findings if f.rule == "IMPORT-TOTAL"]


@pytest.mark.parametrize("stem", REPORTS)
def test_the_narrative_is_found_by_its_headings(stem):
    truth = report(stem)
    imported = import_report(_text(stem))
    assert imported.sections == ["一", "二", "三", "四", "五", "六"]
    one = re.sub(r"\s", "", "".join(imported.narrative.get(k, "") for k in S1))
    on_request = re.sub(r"\s", "", imported.narrative.get("s1.on_request", ""))
    heading = re.compile(r"^（[一二三四五六七]）依申请公开(?:方面|情况)?。?")
    for fragment in truth["narrative_apply"].split("…"):
        fragment = re.sub(r"\s", "", fragment)
        if not fragment:
            continue
        if heading.match(fragment):  # the report has a 依申请公开 part: it is that part, without its heading
            assert heading.sub("", fragment) in on_request
        else:
            assert fragment in one
    assert imported.narrative.get("s5.problems")


@pytest.mark.parametrize("name", ["huaian-2024.pdf", "huaian-2024.layout.txt"])
def test_the_huaian_pdf_imports_figure_for_figure(name):
    path = samples_dir() / name
    if not path.exists():
        pytest.skip(f"{path} not found")
    truth = report("huaian-2024")
    sample = tomllib.loads((ROOT / "samples" / "huaian-2024.toml").read_text(encoding="utf-8"))
    imported = import_report(path)
    form = load_form("2021")
    assert (imported.edition, imported.year, imported.org, imported.org_type) == (
        "2021",
        2024,
        "淮安市人民政府",
        "县级以上地方人民政府",
    )
    assert not [f for f in imported.findings if f.severity != "info"], [f.message for f in imported.findings]
    numeric = set(table_keys(form))
    expected = {k: v for k, v in sample["values"].items() if k in numeric}
    assert len(expected) == len(numeric)
    assert {k: imported.values.get(k) for k in numeric} == expected
    grid = form.grids("t3")[0]
    for label, figures in truth["t3"].items():
        _, row = _row(form, "t3", label)
        keys = [grid.cell_key(row, c) for c in grid.columns]
        printed = [imported.printed[k] if form.cells[k].is_total else imported.values[k] for k in keys]
        assert printed == figures + [sum(figures)]  # the printed 总计 too
    assert imported.values["s6.fee_collected"] == 3940
    on_request = re.sub(r"\s", "", imported.narrative["s1.on_request"])
    assert re.sub(r"\s", "", truth["narrative_apply"]) in on_request
    assert imported.fields["info.phone"] == "0517-83605210"
