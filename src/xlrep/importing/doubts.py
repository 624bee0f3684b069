"""The import's doubts as findings (IMPORT-AMBIGUOUS, IMPORT-TOTAL, IMPORT-MISSING, IMPORT-LABEL).

Each names the workbook cells it concerns (sheet, address, label), as every other
finding does, so that ``ingest`` and ``check`` list them beside their own.
"""

from __future__ import annotations

from ..findings import CellRef, Finding
from ..form import TABLE_NAMES, Form
from ..layout import build_layout, cell_ref

SHORT_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四", "s6": "六（信息处理费）"}


def refs(form: Form, keys) -> list[CellRef]:
    layout = build_layout(form.edition)
    out = []
    for key in keys:
        if key in layout.addresses and key in form.cells:
            sheet, row, col = layout.addresses[key]
            out.append(CellRef(sheet, cell_ref(row, col), form.cells[key].label))
    return out


def _row_name(spec) -> str:
    return f"“{spec.label}”一行" if spec.label else "数字行"


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def ambiguous_finding(form, table, spec, keys, raw, shown, count, complete) -> Finding:
    name = SHORT_NAMES.get(table, table)
    if count == 0:
        why = f"无法按表格的 {len(spec.columns)} 列拆开（数字个数或格式与表格对不上）"
    elif not complete:
        why = "可以拆成的读法太多，无法逐一核对"
    elif table == "t2":
        why = f"有 {count} 种拆法，表二没有总计可以核对（如 {'；'.join(shown[:2])}）"
    else:
        why = f"有 {count} 种拆法，表格中的总计和勾稽关系都排除不了（如 {'；'.join(shown[:2])}）"
    return Finding(
        "IMPORT-AMBIGUOUS",
        f"{name}{_row_name(spec)}的数字在报告中是“{raw}”，{why}，无法确定，"
        f"这 {len(keys)} 格已留空（原样数字写在批注里）。请对照原报告或原始台账填写。",
        refs(form, keys),
        {"raw": raw, "readings": shown, "count": count},
    )


def missing_rows_finding(form, table, specs) -> Finding:
    name = TABLE_NAMES.get(table, table)
    labels = "、".join(f"“{s.label}”" for s in specs)
    keys = [k for s in specs for k in s.keys()]
    return Finding(
        "IMPORT-MISSING",
        f"{name}中没有找到这些行：{labels}。填报表中这些格留空，请对照原报告填写。",
        refs(form, [k for k in keys if not form.cells[k].is_total]) if all(k in form.cells for k in keys) else [],
        {"table": table, "rows": [s.label for s in specs]},
    )


def missing_finding(form, what: str, message: str, keys=()) -> Finding:
    return Finding("IMPORT-MISSING", message, refs(form, keys), {"missing": what})


def total_finding(form, table, contradictions) -> Finding:
    name = TABLE_NAMES.get(table, table)
    parts = []
    values = []
    for rel, printed, total in contradictions:
        label = form.cells[rel.left[0]].label if rel.left[0] in form.cells else rel.left[0]
        parts.append(f"“{label}”印为 {_fmt(printed)}，各单元格相加为 {_fmt(total)}")
        values.append({"cell": label, "printed": printed, "sum": total, "difference": total - printed})
    return Finding(
        "IMPORT-TOTAL",
        f"{name}中有 {len(contradictions)} 处印出的总计与各单元格之和不符：{'；'.join(parts[:6])}"
        + ("；……" if len(parts) > 6 else "")
        + "。填报表保留报告中各单元格的数字，总计由公式重新计算；请核对原报告哪一个数字是对的。",
        refs(form, [rel.left[0] for rel, _, _ in contradictions]),
        {"totals": values},
    )


def layout_finding(form, spec, others, unsplit) -> Finding:
    """A 表三 printed in the other edition's shape of （六）其他处理."""
    if spec.foreign:  # 2019's single row in a 2021 report
        keys = [k for r in others for k in r.spec.keys() if k in form.cells and not form.cells[k].is_total]
        if unsplit:
            cols = "、".join(f"{c.label} {_fmt(v)}" for c, _, v in unsplit)
            return Finding(
                "IMPORT-AMBIGUOUS",
                f"表三按 2019 年版格式只有一行“{spec.label}”（{cols}），2021 年版分为三行，无法拆分；"
                "这几格已留空，其余为 0 的列已填 0。请对照原始台账填写三行。",
                refs(form, [k for _, ks, _ in unsplit for k in ks]),
                {"published": {c.label: v for c, _, v in unsplit}},
            )
        return Finding(
            "IMPORT-LABEL",
            f"表三按 2019 年版格式只有一行“{spec.label}”，各列都是 0 或空白，已按 2021 年版的三行填写。",
            refs(form, keys),
            {"layout": "2019"},
        )
    keys = [k for k in spec.keys() if k in form.cells and not form.cells[k].is_total]
    return Finding(
        "IMPORT-LABEL",
        f"表三按 2021 年版格式把“{spec.label}”分三行列出，已相加填入 2019 年版的一行。",
        refs(form, keys),
        {"layout": "2021"},
    )


def label_finding(form, table: str, loose) -> Finding:
    """Labels found only by a variant or a near spelling: the import relied on them, a person may check."""
    parts = []
    for match, _where in loose:
        parts.append(f"“{match.found}”（官方写法：“{match.label}”）")
    where = SHORT_NAMES.get(table, "报告")
    return Finding(
        "IMPORT-LABEL",
        f"{where}中有 {len(parts)} 处标签与官方写法不完全相同，按最接近的官方标签读取：{'；'.join(parts[:8])}"
        + ("；……" if len(parts) > 8 else "")
        + "。",
        [],
        {"labels": [{"published": m.found, "official": m.label} for m, _ in loose]},
    )
