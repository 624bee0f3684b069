"""汇总: add many units' tables up into one workbook of the same template.

The sum is exact: decimal arithmetic on the numbers as typed (amounts such as
96171.6 万元 stay exact), blanks count as 0, and the 2019 edition's procurement
amounts typed in 元 are converted to 万元 before adding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..checks.rules import rule
from ..common.findings import CellRef, Finding
from ..edition.form import load_form
from ..workbook.cellexpr import as_number
from ..workbook.engine import all_values
from .batch import UnitResult

DETAIL_SHEET = "汇总明细"


@dataclass
class MergeOutcome:
    edition: str | None
    year: int | None
    findings: list[Finding] = field(default_factory=list)
    included: list[UnitResult] = field(default_factory=list)
    excluded: list[tuple[UnitResult, str]] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)

    @property
    def mixed(self) -> bool:
        return any(f.rule == "MERGE-MIXED" for f in self.findings)


def _unit_ref(unit: UnitResult) -> CellRef:
    return CellRef(unit.file, "", unit.unit)


def _mixed(readable: list[UnitResult], groups: dict) -> Finding:
    described = "；".join(
        f"{edition}年版、{year} 年度 {len(us)} 份（{'、'.join(u.unit for u in us[:5])}{'等' if len(us) > 5 else ''}）"
        for (edition, year), us in sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
    )
    return rule("MERGE-MIXED").finding(
        cells=[_unit_ref(u) for u in readable],
        values={"groups": [{"edition": e, "year": y, "count": len(us)} for (e, y), us in groups.items()]},
        groups=described,
    )


def _drop_duplicates(outcome: MergeOutcome, readable: list[UnitResult]) -> None:
    """One workbook per 机关名称: the last modified is kept, the others excluded (MERGE-DUPLICATE)."""
    by_name: dict[str, list[UnitResult]] = {}
    for u in readable:
        if u.named:  # a blank 机关名称 says nothing about which unit it is: never a duplicate
            by_name.setdefault(u.unit, []).append(u)
    for name, same in by_name.items():
        if len(same) < 2:
            continue
        same.sort(key=lambda u: (u.modified, u.file), reverse=True)
        kept, dropped = same[0], same[1:]
        outcome.excluded.extend((d, "重复") for d in dropped)
        outcome.findings.append(
            rule("MERGE-DUPLICATE").finding(
                cells=[_unit_ref(u) for u in same],
                values={"unit": name, "files": [u.file for u in same], "used": kept.file},
                unit=name,
                count=len(same),
                used=kept.file,
                dropped="、".join(d.file for d in dropped),
            )
        )


def merge_units(units: list[UnitResult]) -> MergeOutcome:
    """Which units are added up (readable, one per 机关名称, same edition and year), the findings, the sums."""
    outcome = MergeOutcome(None, None)
    outcome.excluded.extend((u, "无法读取") for u in units if not u.readable)
    outcome.excluded.extend((u, "是汇总结果") for u in units if u.readable and u.merged)  # never counted twice
    readable = [u for u in units if u.readable and not u.merged]
    groups: dict[tuple[str, int | None], list[UnitResult]] = {}
    for u in readable:
        groups.setdefault((u.edition, u.year), []).append(u)
    if len(groups) > 1:
        outcome.findings.append(_mixed(readable, groups))
        return outcome
    if not readable:
        return outcome
    ((outcome.edition, outcome.year),) = groups.keys()
    _drop_duplicates(outcome, readable)
    excluded_files = {u.file for u, _ in outcome.excluded}
    outcome.included = [u for u in readable if u.file not in excluded_files]
    for u in outcome.included:
        if u.summary["errors"]:
            errors = sorted({f["rule"] for f in u.findings if f["severity"] == "error"})
            outcome.findings.append(
                rule("MERGE-UNIT-ERRORS").finding(
                    cells=[_unit_ref(u)],
                    values={"unit": u.unit, "file": u.file, "errors": u.summary["errors"], "rules": errors},
                    unit=u.unit,
                    count=u.summary["errors"],
                    rules="、".join(errors),
                )
            )
    outcome.values = sum_values(outcome.edition, outcome.included)
    return outcome


def _decimal(value: object) -> Decimal:
    number = as_number(value)
    return Decimal(0) if number is None else Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def sum_values(edition: str, units: list[UnitResult]) -> dict[str, object]:
    """Every numeric input summed over the units, exactly; amounts in a chosen unit are added in the base unit."""
    form = load_form(edition)
    scaled = {u.cell: u for u in form.units}
    out: dict[str, object] = {}
    for cell in form.inputs:
        if not cell.is_numeric:
            continue
        total = Decimal(0)
        for u in units:
            value = _decimal(u.values.get(cell.key))
            choice = scaled.get(cell.key)
            if choice is not None and u.values.get(choice.unit) in choice.scale:
                value *= Decimal(repr(choice.scale[u.values[choice.unit]]))
            total += value
        out[cell.key] = _plain(total)
    for choice in form.units:
        out[choice.unit] = choice.base
    return out


def detail_rows(outcome: MergeOutcome) -> tuple[list[str], list[list[object]]]:
    """The 汇总明细 sheet: one row per unit, its key figures and audit state.

    Unit names and file names are untrusted: a file name shows as ``safetext.display_path`` does (a GBK
    name from a Windows zip cannot be written as it is), and no text starts like a formula
    (``safetext.for_spreadsheet``): the sheet is often saved as CSV or copied on.
    """
    from ..common.safetext import display_path, for_spreadsheet

    form = load_form(outcome.edition) if outcome.edition else None
    figures = [form.figures[name] for name in form.key_figures] if form else []
    header = ["序号", "机关名称", "文件", "机关类型", "是否计入", "校验状态", "错误", "提示"] + [
        f.short for f in figures
    ]
    rows: list[list[object]] = []
    reasons = {u.file: why for u, why in outcome.excluded}
    for i, u in enumerate(outcome.included + [u for u, _ in outcome.excluded], start=1):
        numbers: list[object] = [""] * len(figures)
        if form is not None and u.values:
            full = all_values(form, u.values)
            numbers = [sum(as_number(full.get(k)) or 0 for k in form.figure_keys(f.name)) for f in figures]
        included = "计入" if u.file not in reasons else f"未计入（{reasons[u.file]}）"
        texts = [u.unit, display_path(u.file), u.org_type or "", included, u.state]
        rows.append([i, *map(for_spreadsheet, texts), u.summary["errors"], u.summary["warnings"], *numbers])
    return header, rows


def merge_workbook(
    results: list[UnitResult], *, org: str | None = None, org_type: str | None = None
) -> tuple[MergeOutcome, bytes | None]:
    """The 汇总 of audited units (``audit_many(..., keep_values=True)``): the outcome and the new workbook.

    The workbook is ``None`` when nothing can be added up (mixed editions or years, nothing readable).
    ``org_type`` may be a full type or an alias; an unknown one raises ``ValueError``.
    """
    from ..writer.template import build_template

    outcome = merge_units(results)
    if outcome.mixed or outcome.edition is None:
        return outcome, None
    form = load_form(outcome.edition)
    values = dict(outcome.values)
    values[form.role("org_name")] = org or "汇总"
    if org_type:
        values[form.role("org_type")] = form.org_type(org_type)
    header, rows = detail_rows(outcome)
    data = build_template(
        outcome.year,
        form,
        values=values,
        extra_sheets=[(DETAIL_SHEET, header, rows)],
        properties={"xlrep.merged_units": str(len(outcome.included))},
    )
    return outcome, data
