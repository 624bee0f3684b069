"""汇总: add many units' tables up into one workbook of the same template.

The sum is exact: decimal arithmetic on the numbers as typed (amounts such as
96171.6 万元 stay exact), blanks count as 0, and the 2019 edition's procurement
amounts typed in 元 are converted to 万元 before adding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from ..checks.rules import rule
from ..common.findings import CellRef, Finding
from ..edition.form import load_form
from ..workbook.cellexpr import as_number
from ..workbook.engine import all_values
from .batch import UnitResult
from .rollup import (
    DATA_SHEET,
    INCLUDE_NAMES,
    PROP_INCLUDE,
    PROP_LISTED,
    PROP_OFFICE,
    Leaf,
    data_sheet,
    join_path,
)

DETAIL_SHEET = "汇总明细"


@dataclass
class MergeOutcome:
    edition: str | None
    year: int | None
    findings: list[Finding] = field(default_factory=list)
    included: list[UnitResult] = field(default_factory=list)  # workbooks added up: units and lower 汇总s
    excluded: list[tuple[UnitResult, str]] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    office: str = ""
    leaves: list[Leaf] = field(default_factory=list)  # every unit added up, those of lower 汇总s included
    dropped: list[tuple[Leaf, str]] = field(default_factory=list)  # units of lower 汇总s counted elsewhere
    carries_units: bool = True  # the 汇总 written carries each unit's numbers (``rollup``): it can be added up again

    @property
    def mixed(self) -> bool:
        return any(f.rule == "MERGE-MIXED" for f in self.findings)

    @property
    def lowers(self) -> list[UnitResult]:
        return [u for u in self.included if u.merged]


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
    """One workbook per 机关名称: the last modified is kept, the others excluded (MERGE-DUPLICATE). A lower
    汇总 is told apart from a unit of the same name (a county's 汇总 and its government's own report)."""
    by_name: dict[tuple[bool, str], list[UnitResult]] = {}
    for u in readable:
        # a blank 机关名称 says nothing about which unit it is, nor a 汇总 that does not say which office made it
        if u.named and not u.merged or u.merged and u.lower.office:
            by_name.setdefault((u.merged, _office_of(u) if u.merged else u.unit), []).append(u)
    for (_, name), same in by_name.items():
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


def _office_of(u: UnitResult) -> str:
    """The office a lower 汇总 says made it (its 机关名称 when it does not say)."""
    return (u.lower.office if u.lower is not None else "") or u.unit


def _lowers(outcome: MergeOutcome, merged: list[UnitResult], office: str) -> list[UnitResult]:
    """The 汇总s that can be added up again; the others are excluded (HIER-NO-DETAIL), and this office's own
    earlier 汇总 (a 汇总 of the same office) is never a lower one: it is left out, as before."""
    usable = []
    for u in merged:
        lower = u.lower
        if lower is not None and lower.office == office:
            outcome.excluded.append((u, "是汇总结果"))
        elif lower is None or lower.problem:
            problem = lower.problem if lower is not None else "没有各单位的数据"
            outcome.excluded.append((u, f"是汇总结果，{problem}"))
            outcome.findings.append(_no_detail(u, problem))
        else:
            usable.append(u)
    return usable


def _other_year(outcome: MergeOutcome, lowers: list[UnitResult], direct_groups: dict) -> list[UnitResult]:
    """Lower 汇总s of the edition and year added up (that of the units, else of most units): the others are
    excluded with HIER-OTHER-YEAR."""
    if direct_groups:
        ((reference, _),) = direct_groups.items()
    else:
        weight: dict[tuple, int] = {}
        for u in lowers:
            weight[(u.edition, u.year)] = weight.get((u.edition, u.year), 0) + len(u.lower.leaves)
        reference = max(sorted(weight, key=str), key=weight.get)
    kept = []
    for u in lowers:
        if (u.edition, u.year) == reference:
            kept.append(u)
            continue
        outcome.excluded.append((u, "年度或格式版本不同"))
        outcome.findings.append(_other_year_finding(u, *reference))
    return kept


def _no_detail(u: UnitResult, problem: str) -> Finding:
    return rule("HIER-NO-DETAIL").finding(
        cells=[_unit_ref(u)],
        values={"office": _office_of(u), "file": u.file, "problem": problem},
        office=_office_of(u),
        problem=problem,
    )


def _other_year_finding(u: UnitResult, edition: str, year: int | None) -> Finding:
    return rule("HIER-OTHER-YEAR").finding(
        cells=[_unit_ref(u)],
        values={"office": _office_of(u), "file": u.file, "edition": u.edition, "year": u.year},
        office=_office_of(u),
        found=f"{u.edition}年版、{u.year} 年度",
        expected=f"{edition}年版、{year} 年度",
        year=year,
    )


def check_lower(u: UnitResult, edition: str, year: int) -> list[Finding]:
    """The HIER-* findings of one lower office's 汇总 entering an upper round of ``edition`` and ``year`` (a site,
    on upload: ``u`` is ``batch.audit_unit(data, keep_values=True, name=…)`` of a workbook that is a 汇总):
    of another year or edition, without per-unit data, not equal to the sum of its units, fewer units than
    its round. A unit in two lower 汇总s is found when they are merged (``merge_units``: HIER-DUPLICATE)."""
    if not u.merged:
        return []
    if (u.edition, u.year) != (edition, year):
        return [_other_year_finding(u, edition, year)]
    if u.lower is None or u.lower.problem:
        return [_no_detail(u, u.lower.problem if u.lower is not None else "没有各单位的数据")]
    return lower_findings(u)


def merge_units(units: list[UnitResult], *, office: str = "") -> MergeOutcome:
    """Which units are added up (readable, one per 机关名称, same edition and year), the findings, the sums.

    A 汇总 among them (``UnitResult.lower``) of another office is a lower 汇总: its units are added up one by one,
    each unit once however many times it is given (HIER-DUPLICATE), and it is checked (HIER-*). ``office`` is
    the office merging: its own earlier 汇总 is never a lower one.
    """
    outcome = MergeOutcome(None, None, office=office)
    outcome.excluded.extend((u, "无法读取") for u in units if not u.readable)
    lowers = _lowers(outcome, [u for u in units if u.readable and u.merged], office)
    readable = [u for u in units if u.readable and not u.merged]
    groups: dict[tuple[str, int | None], list[UnitResult]] = {}
    for u in readable:
        groups.setdefault((u.edition, u.year), []).append(u)
    if len(groups) > 1:
        outcome.findings.append(_mixed(readable, groups))
        return outcome
    if lowers:
        lowers = _other_year(outcome, lowers, groups)
    if not readable and not lowers:
        return outcome
    outcome.edition, outcome.year = (readable or lowers)[0].edition, (readable or lowers)[0].year
    _drop_duplicates(outcome, readable + lowers)
    excluded_files = {id(u) for u, _ in outcome.excluded}
    outcome.included = [u for u in readable + lowers if id(u) not in excluded_files]
    for u in outcome.included:
        if u.summary["errors"] and not u.merged:
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
    for u in outcome.lowers:
        outcome.findings.extend(lower_findings(u))
    _leaves(outcome)
    outcome.values = _sum_leaves(outcome.edition, outcome.leaves)
    return outcome


def unit_leaf(edition: str, u: UnitResult, office: str = "") -> Leaf:
    """A unit's own workbook as one unit added up: its numbers in the base unit, non-zero ones only."""
    values = {k: v for k, v in _scaled(load_form(edition), u).items() if v != 0}
    return Leaf(
        join_path(office, u.unit),
        1,
        u.unit,
        u.named,
        u.org_type or "",
        u.state,
        u.summary["errors"],
        u.summary["warnings"],
        values,
        u.file,
    )


def _lower_leaves(u: UnitResult, office: str) -> list[Leaf]:
    """The units of a lower 汇总, their paths under ``office`` (and the lower office, when the lower 汇总's
    paths do not start with it)."""
    lower_office = _office_of(u)
    out = []
    for leaf in u.lower.leaves:
        path = leaf.path if leaf.path.split("/", 1)[0] == lower_office else join_path(lower_office, leaf.path)
        out.append(
            Leaf(
                join_path(office, path),
                leaf.depth + 1,
                leaf.unit,
                leaf.named,
                leaf.org_type,
                leaf.state,
                leaf.errors,
                leaf.warnings,
                leaf.values,
                u.file,
            )
        )
    return out


def _leaves(outcome: MergeOutcome) -> None:
    """Every unit added up, once: a unit given directly is taken as given; one in several lower 汇总s from the
    first of them (in the order given). A name counts twice only when the units wrote it (``named``) and with the
    same numbers: units that only share a name (each county's “教育局”, as its roster names it) are two units,
    each counted (HIER-DUPLICATE: a note, a warning when one of them was given directly)."""
    direct = [unit_leaf(outcome.edition, u, outcome.office) for u in outcome.included if not u.merged]
    lower = [leaf for u in outcome.lowers for leaf in _lower_leaves(u, outcome.office)]
    kept: dict[str, list[Leaf]] = {}  # each name: the units of that name counted (their numbers differ)
    same: dict[int, list[Leaf]] = {}  # a counted unit (its id): it, and the leaves that are it again
    for leaf in direct + lower:
        if not leaf.named:
            outcome.leaves.append(leaf)
            continue
        named = kept.setdefault(leaf.unit, [])
        twin = next((k for k in named if k.values == leaf.values), None)
        if twin is None:
            named.append(leaf)
            outcome.leaves.append(leaf)
        else:
            same.setdefault(id(twin), [twin]).append(leaf)
    for group in same.values():
        first, dropped = group[0], group[1:]
        where = [_place(leaf, outcome.office) for leaf in group]
        outcome.dropped.extend((leaf, f"重复，已按{where[0]}计入") for leaf in dropped)
        outcome.findings.append(
            rule("HIER-DUPLICATE").finding(
                cells=[CellRef(leaf.source, "", leaf.unit) for leaf in group],
                values={"unit": first.unit, "paths": [leaf.path for leaf in group], "used": first.path},
                unit=first.unit,
                count=len(group),
                places="；".join(where),
                used=where[0],
            )
        )
    for name, named in kept.items():
        if len(named) > 1:
            outcome.findings.append(
                rule("HIER-DUPLICATE").finding(
                    "distinct",
                    cells=[CellRef(leaf.source, "", leaf.unit) for leaf in named],
                    values={"unit": name, "paths": [leaf.path for leaf in named]},
                    # one given directly: as likely the same unit sent twice (a county government's report) as
                    # another of the same short name; only in lower 汇总s: each county's own
                    severity="warning" if any(leaf.depth == 1 for leaf in named) else "info",
                    unit=name,
                    count=len(named),
                    places="；".join(_place(leaf, outcome.office) for leaf in named),
                )
            )


def _place(leaf: Leaf, office: str) -> str:
    """Where a unit came by, as the message says it: 直接报送, or “某县”的汇总 (the path below ``office``)."""
    if leaf.depth == 1:
        return "直接报送"
    below = leaf.path[len(office) + 1 :] if office and leaf.path.startswith(office + "/") else leaf.path
    return f"“{below.rsplit('/', 1)[0]}”的汇总"


def lower_findings(u: UnitResult) -> list[Finding]:
    """HIER-SUM and HIER-INCOMPLETE of one lower 汇总 (``UnitResult`` with ``lower`` and ``values``): whether
    its tables equal the sum of the units it lists, and whether it lists every unit of its round. A site
    calls this when a lower office's 汇总 enters an upper round."""
    lower, office = u.lower, _office_of(u)
    if lower is None or lower.problem or u.edition is None:
        return []
    found: list[Finding] = []
    form = load_form(u.edition)
    own = _scaled(form, u)
    summed = _sum_leaves(u.edition, lower.leaves)
    # as written: the 汇总's cells hold the exact sums as numbers (``_plain``)
    wrong = [c.key for c in form.inputs if c.is_numeric and _plain(own[c.key]) != summed.get(c.key)]
    if wrong:
        layout = _layout(u.edition)
        refs = [_cell_ref(form, layout, key) for key in wrong]
        first = wrong[0]
        found.append(
            rule("HIER-SUM").finding(
                cells=refs,
                values={
                    "office": office,
                    "file": u.file,
                    "cells": [{"key": k, "found": _plain(own[k]), "expected": summed.get(k)} for k in wrong],
                },
                office=office,
                cell=f"{refs[0].sheet} {refs[0].cell}（{refs[0].label}）",
                found=_number_text(own[first]),
                count=len(lower.leaves),
                expected=_number_text(_decimal(summed.get(first))),
                more=f"，另有 {len(wrong) - 1} 格也不相符" if len(wrong) > 1 else "",
            )
        )
    listed = lower.listed
    if listed is not None and len(lower.leaves) < listed:
        found.append(
            rule("HIER-INCOMPLETE").finding(
                cells=[_unit_ref(u)],
                values={
                    "office": office,
                    "file": u.file,
                    "listed": listed,
                    "count": len(lower.leaves),
                    "include": lower.include,
                },
                office=office,
                listed=listed,
                count=len(lower.leaves),
                # (what the 汇总 says it took; units it could not read, or found twice, are not counted either)
                include="只取" + INCLUDE_NAMES[lower.include] + "，无法读取或重复的单位也不计入"
                if lower.include != "all"
                else "未计入的单位无法读取或重复",
            )
        )
    return found


@cache
def _layout(edition: str):
    from ..workbook.layout import build_layout

    return build_layout(load_form(edition))


def _cell_ref(form, layout, key: str) -> CellRef:
    from ..workbook.cellexpr import cell_ref

    sheet, row, col = layout.addresses[key]
    return CellRef(sheet, cell_ref(row, col), form.cells[key].label)


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"


def _decimal(value: object) -> Decimal:
    number = as_number(value)
    return Decimal(0) if number is None else Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _scaled(form, u: UnitResult) -> dict[str, Decimal]:
    """A unit's numeric inputs as exact decimals, amounts typed in another unit converted to the base unit."""
    scaled = {c.cell: c for c in form.units}
    out: dict[str, Decimal] = {}
    for cell in form.inputs:
        if not cell.is_numeric:
            continue
        value = _decimal(u.values.get(cell.key))
        choice = scaled.get(cell.key)
        if choice is not None and u.values.get(choice.unit) in choice.scale:
            value *= Decimal(repr(choice.scale[u.values[choice.unit]]))
        out[cell.key] = value
    return out


def _sum_leaves(edition: str, leaves: list[Leaf]) -> dict[str, object]:
    form = load_form(edition)
    out: dict[str, object] = {}
    for cell in form.inputs:
        if cell.is_numeric:
            out[cell.key] = _plain(sum((leaf.values.get(cell.key, Decimal(0)) for leaf in leaves), Decimal(0)))
    for choice in form.units:
        out[choice.unit] = choice.base
    return out


def sum_values(edition: str, units: list[UnitResult]) -> dict[str, object]:
    """Every numeric input summed over the units, exactly; amounts in a chosen unit are added in the base unit."""
    return _sum_leaves(edition, [unit_leaf(edition, u) for u in units])


def detail_rows(outcome: MergeOutcome) -> tuple[list[str], list[list[object]]]:
    """The 汇总明细 sheet: one row per unit, its key figures and audit state, its path and level (1: given
    directly; 2: in a lower 汇总; 3: in a 汇总 within it …); units of lower 汇总s included, each once counted.

    Unit names and file names are untrusted: a file name shows as ``safetext.display_path`` does (a GBK
    name from a Windows zip cannot be written as it is), and no text starts like a formula
    (``safetext.for_spreadsheet``): the sheet is often saved as CSV or copied on.
    """
    from ..common.safetext import display_path, for_spreadsheet

    form = load_form(outcome.edition) if outcome.edition else None
    figures = [form.figures[name] for name in form.key_figures] if form else []
    header = ["序号", "机关名称", "文件", "机关类型", "是否计入", "校验状态", "错误", "提示"]
    header += [f.short for f in figures] + ["路径", "层级"]

    def numbers(values: dict) -> list[object]:
        if form is None or not values:
            return [""] * len(figures)
        full = all_values(form, values)
        return [sum(as_number(full.get(k)) or 0 for k in form.figure_keys(f.name)) for f in figures]

    rows: list[list[object]] = []

    def add(unit, file, org_type, included, state, errors, warnings, values, path, depth) -> None:
        texts = [unit, display_path(file), org_type or "", included, state]
        rows.append(
            [len(rows) + 1, *map(for_spreadsheet, texts), errors, warnings, *numbers(values)]
            + [for_spreadsheet(path), depth]
        )

    reasons = {id(u): why for u, why in outcome.excluded}
    direct = [u for u in outcome.included if not u.merged]
    for u in direct + [u for u, _ in outcome.excluded]:
        merged = u.merged
        why = reasons.get(id(u))
        name = _office_of(u) if merged else u.unit
        included = "计入" if why is None else f"未计入（{why}）"
        s = u.summary
        add(
            u.unit,
            u.file,
            u.org_type,
            included,
            u.state,
            s["errors"],
            s["warnings"],
            u.values,
            join_path(outcome.office, name),
            2 if merged else 1,
        )
    counted = [(leaf, None) for leaf in outcome.leaves if leaf.depth > 1] + list(outcome.dropped)
    for leaf, why in counted:
        values = {k: _plain(v) for k, v in leaf.values.items()}
        included = "计入" if why is None else f"未计入（{why}）"
        add(
            leaf.unit,
            leaf.source,
            leaf.org_type,
            included,
            leaf.state,
            leaf.errors,
            leaf.warnings,
            values,
            leaf.path,
            leaf.depth,
        )
    return header, rows


def _listed(outcome: MergeOutcome) -> int:
    """How many units the merge was given: those added up, the unreadable ones, and those a lower 汇总's round
    listed but did not add up."""
    unreadable = sum(1 for _, why in outcome.excluded if why == "无法读取")
    short = sum(max(0, (u.lower.listed or 0) - len(u.lower.leaves)) for u in outcome.lowers)
    return len(outcome.leaves) + unreadable + short


def merge_workbook(
    results: list[UnitResult],
    *,
    org: str | None = None,
    org_type: str | None = None,
    office: str | None = None,
    listed: int | None = None,
    include: str = "all",
) -> tuple[MergeOutcome, bytes | None]:
    """The 汇总 of audited units (``audit_many(..., keep_values=True)``): the outcome and the new workbook.

    The workbook is ``None`` when nothing can be added up (mixed editions or years, nothing readable).
    ``org_type`` may be a full type or an alias; an unknown one raises ``ValueError``.

    A 汇总 among ``results`` made by another office is a lower 汇总: its units are added up one by one (a 汇总 of
    汇总s, ``rollup``). ``office`` names the office merging (default: ``org``): the 汇总 records it, with
    ``listed`` (how many units its round lists; default: how many it was given) and ``include`` (``all``,
    ``passed`` or ``submitted``: which of them a site took), so that the office above can check it.
    """
    from ..writer.template import build_template

    if include not in INCLUDE_NAMES:
        raise ValueError(f"unknown include {include!r}")
    office = (office if office is not None else org or "").strip()
    outcome = merge_units(results, office=office)
    if outcome.mixed or outcome.edition is None:
        return outcome, None
    form = load_form(outcome.edition)
    values = dict(outcome.values)
    values[form.role("org_name")] = org or "汇总"
    if org_type:
        values[form.role("org_type")] = form.org_type(org_type)
    header, rows = detail_rows(outcome)
    extra = [(DETAIL_SHEET, header, rows)]
    per_unit = data_sheet(outcome.leaves, [c.key for c in form.inputs if c.is_numeric])
    if per_unit is not None:
        extra.append((DATA_SHEET, *per_unit, True))
    outcome.carries_units = per_unit is not None
    from ..common.safetext import for_spreadsheet

    data = build_template(
        outcome.year,
        form,
        values=values,
        extra_sheets=extra,
        properties={
            "xlrep.merged_units": str(len(outcome.leaves)),
            PROP_OFFICE: for_spreadsheet(office),
            PROP_LISTED: str(listed if listed is not None else _listed(outcome)),
            PROP_INCLUDE: include,
        },
    )
    return outcome, data
