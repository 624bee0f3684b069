"""Showing batch results: the per-unit summary table, the progress bar, the CSV of findings, the merge outcome."""

from __future__ import annotations

import contextlib
import csv
import io
import sys

import click

from .aggregate import MergeOutcome
from .batch import STATE_ERR, STATE_OK, STATE_UNREADABLE, STATE_WARN, UnitResult
from .findings import BATCH_CSV_HEADER, values_text
from .findings import SEVERITY_NAMES as names
from .layout import display_width
from .safetext import display_path, for_spreadsheet, path_text, valid_unicode
from .terminal import say

STATE_COLOURS = {STATE_OK: "green", STATE_WARN: "yellow", STATE_ERR: "red", STATE_UNREADABLE: "red"}


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


@contextlib.contextmanager
def progress_bar(total: int):
    """A progress bar on a terminal (stderr); nothing when output is redirected."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda result: None
        return
    with click.progressbar(length=total, label="校验中", file=sys.stderr, show_pos=True) as bar:
        yield lambda result: bar.update(1)


def print_table(results: list[UnitResult]) -> None:
    """One row per unit: 单位 版本 年度 错误 提示 状态, aligned for Chinese text; counts at the end."""
    header = ["单位", "版本", "年度", "错误", "提示", "状态"]
    rows = [
        [
            r.unit,
            f"{r.edition}年版" if r.edition else "-",
            str(r.year or "-"),
            str(r.summary["errors"]),
            str(r.summary["warnings"]),
            r.state,
        ]
        for r in results
    ]
    widths = [min(36, max(display_width(row[i]) for row in rows + [header])) for i in range(len(header))]
    echo = say
    echo("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)), bold=True)
    for r, row in zip(results, rows, strict=True):
        unit = row[0] if display_width(row[0]) <= widths[0] else row[0][: widths[0] // 2 - 1] + "…"
        echo("  ".join(_pad(c, w) for c, w in zip([unit] + row[1:-1], widths[:-1], strict=True)) + "  ", nl=False)
        echo(row[-1], fg=STATE_COLOURS[r.state], bold=r.state != STATE_OK)
    with_errors = sum(1 for r in results if r.summary["errors"])
    echo()
    echo(
        f"共 {len(results)} 个单位：{len(results) - with_errors} 个没有错误，{with_errors} 个有错误"
        f"（其中 {sum(1 for r in results if r.state == STATE_UNREADABLE)} 个无法读取）。",
        fg="red" if with_errors else "green",
        bold=True,
    )
    for r in results:  # why a file could not be read: the table has no room for it
        if r.state == STATE_UNREADABLE:
            echo(f"无法读取：{unreadable_reason(r)}", fg="red")


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
    writer.writerow(BATCH_CSV_HEADER)
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


def print_merge(outcome: MergeOutcome) -> None:
    echo = say
    for finding in outcome.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        echo(
            f"{'✘ 错误' if finding.severity == 'error' else '! 提示'} {finding.rule}  ", fg=colour, bold=True, nl=False
        )
        echo(finding.message)
    for unit, why in outcome.excluded:
        if why != "重复":  # duplicates are explained by their MERGE-DUPLICATE finding
            echo(f"! 未计入（{why}）：{display_path(unit.file)}", fg="yellow")
            if why == "无法读取":
                echo(f"    {unreadable_reason(unit)}", fg="yellow")
    if outcome.edition:
        echo(f"计入 {len(outcome.included)} 个单位（{outcome.edition}年版，{outcome.year} 年度）。", bold=True)
