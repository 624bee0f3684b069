"""The command line's screens: an audit listed by severity, the batch table, the merge outcome, an import,
the progress bar. Everything goes through ``xlrep.common.terminal`` (safe lines, colour only on a terminal)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..common.findings import ERROR, INFO, SEVERITY_NAMES, WARNING
from ..common.safetext import display_path, one_line
from ..common.terminal import display_width, out, say

if TYPE_CHECKING:  # the batch modules are imported by check and merge only, not by ingest
    from ..auditing.ingest import Audit
    from ..units.aggregate import MergeOutcome
    from ..units.batch import UnitResult

MARKS = {ERROR: ("✘", "red"), WARNING: ("!", "yellow"), INFO: ("i", "cyan")}
MAX_CELLS_SHOWN = 8


def print_audit(audit: Audit) -> None:
    """Errors first, then warnings, then infos, each grouped by sheet and coloured on a terminal; then the counts."""
    echo = say
    r = audit.result
    meta = []
    if audit.edition:
        meta.append(f"{audit.edition}年版")
    if audit.year:
        meta.append(f"{audit.year} 年度")
    if r.template_version:
        meta.append(f"模板版本 {r.template_version}")
    echo(f"文件：{display_path(audit.file)}" + (f"（{'，'.join(meta)}）" if meta else ""), bold=True)
    for severity in (ERROR, WARNING, INFO):  # errors first, then warnings, then infos; each by sheet
        findings = [f for f in audit.findings if f.severity == severity]
        if not findings:
            continue
        mark, colour = MARKS[severity]
        echo()
        echo(f"━━ {SEVERITY_NAMES[severity]}（{len(findings)} 项）", fg=colour, bold=True)
        groups: dict[str, list] = {}
        for finding in findings:
            groups.setdefault(finding.cells[0].sheet if finding.cells else "整个文件", []).append(finding)
        for sheet, items in groups.items():
            echo(f"【{sheet}】", bold=True)
            for f in items:
                echo(f"  {mark} {SEVERITY_NAMES[f.severity]} {f.rule}  ", fg=colour, bold=True, nl=False)
                echo(f.message)
                for cell in f.cells[:MAX_CELLS_SHOWN]:
                    echo(f"      {cell}", dim=True)
                if len(f.cells) > MAX_CELLS_SHOWN:
                    echo(f"      … 共 {len(f.cells)} 个单元格", dim=True)
    s = audit.summary
    echo()
    closing = f"{s['errors']} 项错误，{s['warnings']} 项提示" + (f"，{s['infos']} 项信息" if s["infos"] else "")
    colour = "red" if s["errors"] else ("yellow" if s["warnings"] else "green")
    echo(closing + ("" if s["errors"] else "。没有错误。"), fg=colour, bold=True)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


@contextlib.contextmanager
def progress_bar(total: int):
    """A progress bar on a terminal (stderr); nothing when output is redirected."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda result: None
        return
    import typer

    with typer.progressbar(length=total, label="校验中", file=sys.stderr, show_pos=True) as bar:
        yield lambda result: bar.update(1)


def print_table(results: list[UnitResult]) -> None:
    """One row per unit: 单位 版本 年度 错误 提示 状态, aligned for Chinese text; counts at the end."""
    from ..units.batch import STATE_ERR, STATE_OK, STATE_UNREADABLE, STATE_WARN
    from ..units.check_output import unreadable_reason

    colours = {STATE_OK: "green", STATE_WARN: "yellow", STATE_ERR: "red", STATE_UNREADABLE: "red"}
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
        echo(row[-1], fg=colours[r.state], bold=r.state != STATE_OK)
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


def print_merge(outcome: MergeOutcome) -> None:
    """The merge's findings, the units left out and why, and how many were added up."""
    from ..units.check_output import unreadable_reason

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
        echo(f"计入 {len(outcome.leaves)} 个单位（{outcome.edition}年版，{outcome.year} 年度）。", bold=True)


def print_import(imported, path: Path, *, to_stderr: bool) -> None:
    """What one imported report gave: edition, year, 机关, the tables and parts found, its findings."""
    echo = say if to_stderr else out
    form = imported.form
    tables = "、".join(form.table_names.get(t, t) for t in imported.tables) or "没有找到表格"
    sections = [s.section for s in form.sheets if s.section]
    missing = [s for s in sections if s not in imported.sections]
    parts = f"{sections[-1]}个部分齐全" if not missing else "缺少部分：" + "、".join(missing)
    summary = imported.summary
    echo(f"已导入：{display_path(imported.source)} → {display_path(path)}")
    echo(f"  {form.name}，{imported.year} 年度，{one_line(imported.org or '（未找到机关名称）')}；{tables}；{parts}")
    echo(f"  {summary['warnings']} 项提示，{summary['infos']} 项信息" + ("：" if imported.findings else "。"))
    for finding in imported.findings:
        echo(f"    {SEVERITY_NAMES[finding.severity]} {finding.rule}  {one_line(finding.message)}")
