"""汇总: add many units' tables up into one workbook of the same template.

The sum is exact: decimal arithmetic on the numbers as typed (amounts such as
96171.6 万元 stay exact), blanks count as 0, and the 2019 edition's procurement
amounts typed in 元 are converted to 万元 before adding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .batch import UnitResult
from .engine import all_values, as_number
from .findings import CellRef, Finding
from .form import load_form

DETAIL_SHEET = "汇总明细"
KEY_FIGURES = (
    ("t3.new_received.total", "本年新收"),
    ("t3.carried_in.total", "上年结转"),
    ("t3.result_total.total", "办理结果总计"),
    ("t3.carried_forward.total", "结转下年度"),
    ("t4.review.total", "行政复议"),
    ("t4.suit_direct.total", "行政诉讼（直接起诉）"),
    ("t4.suit_after_review.total", "行政诉讼（复议后起诉）"),
)


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


def merge_units(units: list[UnitResult]) -> MergeOutcome:
    readable = [u for u in units if u.readable]
    outcome = MergeOutcome(None, None)
    for u in units:
        if not u.readable:
            outcome.excluded.append((u, "无法读取"))
    groups: dict[tuple[str, int | None], list[UnitResult]] = {}
    for u in readable:
        groups.setdefault((u.edition, u.year), []).append(u)
    if len(groups) > 1:
        described = "；".join(
            f"{edition}年版、{year} 年度 {len(us)} 份（{'、'.join(u.unit for u in us[:5])}{'等' if len(us) > 5 else ''}）"
            for (edition, year), us in sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
        )
        outcome.findings.append(
            Finding(
                "MERGE-MIXED",
                f"这些填报表的格式版本或年度不一致，不能汇总：{described}。请只汇总同一年度、同一格式的填报表。",
                [_unit_ref(u) for u in readable],
                {"groups": [{"edition": e, "year": y, "count": len(us)} for (e, y), us in groups.items()]},
            )
        )
        return outcome
    if not readable:
        return outcome
    ((outcome.edition, outcome.year),) = groups.keys()

    by_name: dict[str, list[UnitResult]] = {}
    for u in readable:
        if u.named:  # a blank 机关名称 says nothing about which unit it is: never a duplicate
            by_name.setdefault(u.unit, []).append(u)
    for name, same in by_name.items():
        if len(same) > 1:
            same.sort(key=lambda u: (u.modified, u.file), reverse=True)
            kept, dropped = same[0], same[1:]
            for d in dropped:
                outcome.excluded.append((d, "重复"))
            outcome.findings.append(
                Finding(
                    "MERGE-DUPLICATE",
                    f"“{name}”有 {len(same)} 份填报表：已采用最后修改的 {kept.file}，未计入 "
                    + "、".join(d.file for d in dropped)
                    + "。如不对，请删去多余的文件后重新汇总。",
                    [_unit_ref(u) for u in same],
                    {"unit": name, "files": [u.file for u in same], "used": kept.file},
                )
            )
    excluded_files = {u.file for u, _ in outcome.excluded}
    outcome.included = [u for u in readable if u.file not in excluded_files]
    for u in outcome.included:
        if u.summary["errors"]:
            errors = sorted({f["rule"] for f in u.findings if f["severity"] == "error"})
            outcome.findings.append(
                Finding(
                    "MERGE-UNIT-ERRORS",
                    f"“{u.unit}”的填报表有 {u.summary['errors']} 项错误（{'、'.join(errors)}），其数字已计入汇总，"
                    "请退回该单位改正后重新汇总。",
                    [_unit_ref(u)],
                    {"unit": u.unit, "file": u.file, "errors": u.summary["errors"], "rules": errors},
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
    """Every numeric input summed over the units, exactly."""
    form = load_form(edition)
    out: dict[str, object] = {}
    for cell in form.inputs:
        if not cell.is_numeric:
            continue
        total = Decimal(0)
        for u in units:
            value = _decimal(u.values.get(cell.key))
            if cell.key == "t2.procurement.amount" and u.values.get("t2.procurement.amount_unit") == "元":
                value = value / Decimal(10000)
            total += value
        out[cell.key] = _plain(total)
    if "t2.procurement.amount_unit" in form.cells:
        out["t2.procurement.amount_unit"] = "万元"
    return out


def detail_rows(outcome: MergeOutcome) -> tuple[list[str], list[list[object]]]:
    """The 汇总明细 sheet: one row per unit, its key figures and audit state."""
    header = ["序号", "机关名称", "文件", "机关类型", "是否计入", "校验状态", "错误", "提示"] + [
        label for _, label in KEY_FIGURES
    ]
    rows: list[list[object]] = []
    reasons = {u.file: why for u, why in outcome.excluded}
    form = load_form(outcome.edition) if outcome.edition else None
    for i, u in enumerate(outcome.included + [u for u, _ in outcome.excluded], start=1):
        figures: list[object] = [""] * len(KEY_FIGURES)
        if form is not None and u.values:
            full = all_values(form, u.values)
            figures = [as_number(full.get(k)) or 0 for k, _ in KEY_FIGURES]
        included = "计入" if u.file not in reasons else f"未计入（{reasons[u.file]}）"
        rows.append(
            [
                i,
                u.unit,
                u.file,
                u.org_type or "",
                included,
                u.state,
                u.summary["errors"],
                u.summary["warnings"],
                *figures,
            ]
        )
    return header, rows


def merge_workbook(
    results: list[UnitResult], *, org: str | None = None, org_type: str | None = None
) -> tuple[MergeOutcome, bytes | None]:
    """The 汇总 workbook of audited units (``batch.audit_unit(..., keep_values=True)``), as ``xlrep merge`` writes it.

    Returns the outcome and the workbook bytes; ``None`` when nothing can be merged (mixed editions or years,
    or no readable workbook). ``org`` defaults to “汇总”; ``org_type`` must already be one of the form's choices.
    """
    from .template import build_template

    outcome = merge_units(results)
    if outcome.mixed or outcome.edition is None:
        return outcome, None
    values = dict(outcome.values)
    values["info.org_name"] = org or "汇总"
    if org_type:
        values["info.org_type"] = org_type
    header, rows = detail_rows(outcome)
    data = build_template(
        outcome.year,
        outcome.edition,
        values=values,
        extra_sheets=[(DETAIL_SHEET, header, rows)],
        properties={"xlrep.merged_units": str(len(outcome.included))},
    )
    return outcome, data
