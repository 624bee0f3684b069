"""Form + values → findings: the table rules of checks.md (三, 四, 二, values), all in one pass.

Totals are always recomputed from the input cells (``engine``); what a total
cell *shows* is compared with that recomputation only to name a total that no
longer adds up (a formula overwritten by a typed number).
"""

from __future__ import annotations

from .engine import all_values, as_number, format_number
from .findings import Finding
from .form import TABLE_NAMES
from .reader import ReadResult

GOVERNMENT = "县级以上地方人民政府"


def table_rules(result: ReadResult) -> list[Finding]:
    form = result.layout.form
    full = all_values(form, result.values)
    out: list[Finding] = []
    out += _blank_cells(result)
    out += _declared_checks(result, full)
    out += _shown_totals(result, full)
    out += _carry_rules(result, full)
    if form.edition == "2021":
        out += _t2_rules(result, full)
    return result.trusted(out)  # an unread sheet's values are unknown: no finding may rest on them


def _n(full: dict, key: str) -> float | int:
    value = as_number(full.get(key))
    return 0 if value is None else value


def _blank_cells(result: ReadResult) -> list[Finding]:
    form = result.layout.form
    out = []
    for table in form.value_tables:
        keys = [c.key for c in form.table_inputs(table) if c.key in result.blank]
        if keys:
            out.append(
                Finding(
                    "VALUE-BLANK",
                    f"{TABLE_NAMES[table]}有 {len(keys)} 个单元格空着，已按 0 计。没有的数字请填 0，不要留空（评估时空格会被扣分）。",
                    [result.ref(k) for k in keys],
                    {"count": len(keys)},
                )
            )
    return out


def _declared_checks(result: ReadResult, full: dict) -> list[Finding]:
    """Each relation declared in the form (T3-IDENTITY per column)."""
    out = []
    for check in result.layout.form.checks:
        left = sum(_n(full, k) for k in check.left)
        right = sum(_n(full, k) for k in check.right)
        if left == right:
            continue
        cells = [result.ref(k) for k in check.left + check.right]
        column = check.label.split(" × ", 1)[-1]
        parts_left = " + ".join(
            f"{result.layout.form.cells[k].label.split(' × ')[0]} {format_number(_n(full, k))}" for k in check.left
        )
        parts_right = " + ".join(
            f"{result.layout.form.cells[k].label.split(' × ')[0]} {format_number(_n(full, k))}" for k in check.right
        )
        out.append(
            Finding(
                check.rule,
                f"“{column}”一列不平：{parts_left} = {format_number(left)}，"
                f"而 {parts_right} = {format_number(right)}，相差 {format_number(left - right)}。"
                f"{check.message}，请核对这一列的数字。",
                cells,
                {"left": left, "right": right, "difference": left - right, "column": column},
            )
        )
    return out


def _shown_totals(result: ReadResult, full: dict) -> list[Finding]:
    """A total typed over with a number that is not the sum of its parts.

    An intact formula whose cached result is stale is not the clerk's error (any
    spreadsheet recalculates it), so only typed-over totals are compared.
    """
    out = []
    for cell in result.layout.form.totals:
        shown = as_number(result.shown.get(cell.key))
        if cell.key not in result.typed_over or shown is None:
            continue
        truth = full[cell.key]
        if abs(shown - truth) < 1e-9:
            continue
        out.append(
            Finding(
                cell.sum_rule,
                f"{cell.label}显示 {format_number(shown)}，但各项之和是 {format_number(truth)}，相差 {format_number(shown - truth)}。",
                [result.ref(cell.key)] + [result.ref(k) for k in cell.sum_of],
                {"left": shown, "right": truth, "difference": shown - truth},
            )
        )
    return out


def _carry_rules(result: ReadResult, full: dict) -> list[Finding]:
    form = result.layout.form
    out = []
    grid = form.grids("t3")[0]
    rows = {r.key: r for r in grid.rows}
    for column in grid.columns:
        key = lambda row: grid.cell_key(rows[row], column)  # noqa: E731
        done, carried_in = _n(full, key("result_total")), _n(full, key("carried_in"))
        new, forward = _n(full, key("new_received")), _n(full, key("carried_forward"))
        if done < carried_in:
            out.append(
                Finding(
                    "T3-CARRYOVER-OPEN",
                    f"“{column.label}”列：本年办结（（七）总计 {format_number(done)}）少于上年结转的 {format_number(carried_in)} 件。"
                    "上年结转的申请按法定期限（20 个工作日，可延长 20 个工作日）应已在本年办结，请核实。",
                    [result.ref(key("result_total")), result.ref(key("carried_in"))],
                    {"result_total": done, "carried_in": carried_in},
                )
            )
        if forward > new:
            out.append(
                Finding(
                    "T3-CARRYFORWARD-LARGE",
                    f"“{column.label}”列：结转下年度的 {format_number(forward)} 件多于本年新收的 {format_number(new)} 件，请核实。",
                    [result.ref(key("carried_forward")), result.ref(key("new_received"))],
                    {"carried_forward": forward, "new_received": new},
                )
            )
    return out


def _t2_rules(result: ReadResult, full: dict) -> list[Finding]:
    out = []
    for row in ("rules", "normative_docs"):
        issued, in_force = f"t2.{row}.issued", f"t2.{row}.in_force"
        if _n(full, in_force) < _n(full, issued):
            label = result.layout.form.cells[issued].label.split(" × ")[0]
            out.append(
                Finding(
                    "T2-IN-FORCE",
                    f"{label}：现行有效件数 {format_number(_n(full, in_force))} 少于本年制发件数 {format_number(_n(full, issued))}。"
                    "本年制发的文件一般仍然有效，请核实。",
                    [result.ref(in_force), result.ref(issued)],
                    {"in_force": _n(full, in_force), "issued": _n(full, issued)},
                )
            )
    amount = _n(full, "t2.admin_fees.amount")
    government = result.values.get("info.org_type") == GOVERNMENT
    limit = 1_000_000 if government else 10_000
    if amount >= limit:
        out.append(
            Finding(
                "T2-FEE-UNIT",
                f"行政事业性收费 {format_number(amount)} 万元，数额很大，像是按“元”填写的。此栏单位是万元（1 万元 = 10000 元），请核实。",
                [result.ref("t2.admin_fees.amount")],
                {"amount": amount, "threshold": limit, "org_type": result.values.get("info.org_type")},
            )
        )
    return out
