"""Across years: last year's workbook against this year's (PREV-*), and carrying last year over (--from).

Editions map onto each other as format.md §6 says: 三 and 四 are identical except
（六）, whose single 2019 row equals the sum of the three 2021 rows; 本年处理决定数量
and 处理决定数量 are equivalent; 对外公开总数量 and 现行有效件数 are different
concepts, and 2019's fee *item counts* are never compared with 2021's amounts.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from .engine import all_values, as_number, format_number
from .findings import Finding
from .form import load_form
from .reader import ReadResult

TEXT_COPY_RATIO = 0.8
CONTACT_FIELDS = (
    "info.org_name",
    "info.org_type",
    "info.address",
    "info.postcode",
    "info.phone",
    "info.email",
    "info.download_url",
)


def comparable_figures(result: ReadResult) -> dict[str, float | int]:
    """Table figures under edition-neutral keys: 三 (with （六） summed), 四, and the equivalent 二 rows."""
    form = result.layout.form
    full = all_values(form, result.values)
    out: dict[str, float | int] = {}
    grid = form.grids("t3")[0]
    for row in grid.rows:
        target = "other_handling" if row.key.startswith("other_") else row.key
        for column in grid.columns:
            key = f"t3.{target}.{column.key}"
            out[key] = out.get(key, 0) + (as_number(full.get(grid.cell_key(row, column))) or 0)
    for cell in form.cells.values():
        if cell.table == "t4" or cell.key.endswith(".decisions"):
            out[cell.key] = as_number(full.get(cell.key)) or 0
    return out


def previous_rules(current: ReadResult, previous: ReadResult) -> list[Finding]:
    if current.layout is None or previous.layout is None:
        return []
    out: list[Finding] = []
    form, prev_form = current.layout.form, previous.layout.form
    now_full = all_values(form, current.values)
    prev_full = all_values(prev_form, previous.values)
    n = lambda full, key: as_number(full.get(key)) or 0  # noqa: E731

    grid = form.grids("t3")[0]
    for column in grid.columns:
        carried_in = n(now_full, f"t3.carried_in.{column.key}")
        forward = n(prev_full, f"t3.carried_forward.{column.key}")
        if carried_in != forward:
            out.append(
                Finding(
                    "PREV-CARRY",
                    f"“{column.label}”列：本年“上年结转”是 {format_number(carried_in)}，"
                    f"但上年报告的“结转下年度继续办理”是 {format_number(forward)}。两者应相等，请核对。",
                    [current.ref(f"t3.carried_in.{column.key}")],
                    {
                        "this_year": carried_in,
                        "last_year": forward,
                        "column": column.label,
                        "previous_file": str(previous.path),
                    },
                )
            )

    if form.edition == "2021" and prev_form.edition == "2021":
        for row, name in (("rules", "规章"), ("normative_docs", "行政规范性文件")):
            expected = (
                n(prev_full, f"t2.{row}.in_force") + n(now_full, f"t2.{row}.issued") - n(now_full, f"t2.{row}.repealed")
            )
            actual = n(now_full, f"t2.{row}.in_force")
            if actual != expected:
                out.append(
                    Finding(
                        "PREV-IN-FORCE",
                        f"{name}：现行有效件数 {format_number(actual)}，但按上年现行有效 {format_number(n(prev_full, f't2.{row}.in_force'))}"
                        f" + 本年制发 {format_number(n(now_full, f't2.{row}.issued'))} − 本年废止 {format_number(n(now_full, f't2.{row}.repealed'))}"
                        f" 应为 {format_number(expected)}。请核对。",
                        [
                            current.ref(f"t2.{row}.in_force"),
                            current.ref(f"t2.{row}.issued"),
                            current.ref(f"t2.{row}.repealed"),
                        ],
                        {
                            "this_year": actual,
                            "expected": expected,
                            "last_year_in_force": n(prev_full, f"t2.{row}.in_force"),
                        },
                    )
                )

    now_figures, prev_figures = comparable_figures(current), comparable_figures(previous)
    common = sorted(set(now_figures) & set(prev_figures))
    if common and all(now_figures[k] == prev_figures[k] for k in common) and any(now_figures[k] for k in common):
        out.append(
            Finding(
                "PREV-SAME-DATA",
                f"表三、表四等 {len(common)} 个数字与上年报告完全相同。很可能沿用了上年的表格，请按本年实际数字填写。",
                [],
                {"compared": len(common), "previous_file": str(previous.path)},
            )
        )

    for cell in form.cells.values():
        if cell.kind != "longtext" or cell.key not in prev_form.cells:
            continue
        now_text = str(current.values.get(cell.key) or "").strip()
        prev_text = str(previous.values.get(cell.key) or "").strip()
        if len(now_text) < 20 or not prev_text:
            continue
        ratio = text_similarity(now_text, prev_text)
        if ratio >= TEXT_COPY_RATIO:
            out.append(
                Finding(
                    "PREV-TEXT-COPY",
                    f"“{cell.label}”与上年报告的同一部分有 {ratio:.0%} 相同。评估时内容雷同会被扣分，请按本年度实际情况撰写。",
                    [current.ref(cell.key)],
                    {"similarity": round(ratio, 3), "part": cell.key},
                )
            )
    return out


def text_similarity(a: str, b: str) -> float:
    """Share of matching characters (difflib), years masked so a changed year alone does not hide a copy."""
    import re

    mask = lambda s: re.sub(r"20\d\d", "####", re.sub(r"\s+", "", s))  # noqa: E731
    return SequenceMatcher(None, mask(a), mask(b), autojunk=False).ratio()


def carry_over(
    previous: ReadResult, year: int, edition: str
) -> tuple[dict[str, object], dict[str, str], dict[str, object]]:
    """What ``template --from`` pre-fills: values, the note for each pre-filled cell, and reference figures."""
    form = load_form(edition)
    prev_form = previous.layout.form
    prev_full = all_values(prev_form, previous.values)
    values: dict[str, object] = {}
    notes: dict[str, str] = {}
    references: dict[str, object] = {}
    source = f"{previous.year} 年度填报表" if previous.year else "上年填报表"
    for key in CONTACT_FIELDS:
        value = previous.values.get(key)
        if value not in (None, "") and key in form.cells:
            values[key] = value
            notes[key] = f"由{source}预填，请核对。"
    for column in form.grids("t3")[0].columns:
        if column.sum_of:
            continue
        key = f"t3.carried_in.{column.key}"
        value = as_number(prev_full.get(f"t3.carried_forward.{column.key}")) or 0
        values[key] = value
        notes[key] = f"= {source}“四、结转下年度继续办理”（{column.label}）{format_number(value)}。请核对。"
    if edition == "2021" and prev_form.edition == "2021":
        for row in ("rules", "normative_docs"):
            references[f"t2.{row}.in_force"] = as_number(prev_full.get(f"t2.{row}.in_force")) or 0
    if edition == "2019" and prev_form.edition == "2019":
        # 上一年项目数量 this year = last year's 上一年项目数量 + 本年增/减
        for cell in form.cells.values():
            if cell.key.endswith(".prev_items") and cell.is_input:
                change_key = cell.key.replace(".prev_items", ".change")
                value = (as_number(prev_full.get(cell.key)) or 0) + (as_number(prev_full.get(change_key)) or 0)
                values[cell.key] = value
                notes[cell.key] = f"= {source}的上一年项目数量 + 本年增/减 = {format_number(value)}。请核对。"
    return values, notes, references
