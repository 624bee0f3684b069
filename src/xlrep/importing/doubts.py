"""The import's doubts as findings (IMPORT-AMBIGUOUS, IMPORT-TOTAL, IMPORT-MISSING, IMPORT-LABEL).

Each names the workbook cells it concerns (sheet, address, label), as every other
finding does, so that ``ingest`` and ``check`` list them beside their own. The rules and
their message templates are in ``rules.importing``; tables are named as the edition names
them (``[tables]``), editions by their names.
"""

from __future__ import annotations

from ..checks.rules import rule
from ..common.findings import CellRef, Finding
from ..edition.form import Form
from ..workbook.layout import build_layout, cell_ref


def refs(form: Form, keys) -> list[CellRef]:
    layout = build_layout(form)
    out = []
    for key in keys:
        if key in layout.addresses and key in form.cells:
            sheet, row, col = layout.addresses[key]
            out.append(CellRef(sheet, cell_ref(row, col), form.cells[key].label))
    return out


def table_name(form: Form, table: str) -> str:
    return form.table_names.get(table, table)


def _row_name(spec) -> str:
    return f"“{spec.label}”一行" if spec.label else "数字行"


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def _has_totals(form: Form, table: str) -> bool:
    return any(c.is_total for c in form.cells.values() if c.table == table) or any(
        form.cells[c.left[0]].table == table for c in form.checks if c.left
    )


def ambiguous_finding(form: Form, table, spec, keys, raw, shown, count, complete) -> Finding:
    if count == 0:
        message = "unsplittable"
    elif not complete:
        message = "too_many"
    elif not _has_totals(form, table):
        message = "no_totals"
    else:
        message = "default"
    return rule("IMPORT-AMBIGUOUS").finding(
        message,
        refs(form, keys),
        {"raw": raw, "readings": shown, "count": count},
        table=table_name(form, table),
        row=_row_name(spec),
        raw=raw,
        columns=len(spec.columns),
        count=count,
        readings="；".join(shown[:2]),
        blank=len(keys),
    )


def missing_rows_finding(form: Form, table, specs) -> Finding:
    keys = [k for s in specs for k in s.keys()]
    cells = refs(form, [k for k in keys if not form.cells[k].is_total]) if all(k in form.cells for k in keys) else []
    return rule("IMPORT-MISSING").finding(
        "rows",
        cells,
        {"table": table, "rows": [s.label for s in specs]},
        table=table_name(form, table),
        rows="、".join(f"“{s.label}”" for s in specs),
    )


def missing_table_finding(form: Form, table: str) -> Finding:
    keys = [c.key for c in form.table_inputs(table)]
    return rule("IMPORT-MISSING").finding("table", refs(form, keys), {"missing": table}, table=table_name(form, table))


def missing_finding(form: Form, what: str, message: str, keys=(), **fields) -> Finding:
    """Something of the report not found: ``message`` is a template of IMPORT-MISSING (``section``, ``year``, ``org``)."""
    return rule("IMPORT-MISSING").finding(message, refs(form, keys), {"missing": what}, **fields)


def total_finding(form: Form, table, contradictions) -> Finding:
    parts = []
    values = []
    for rel, printed, total in contradictions:
        label = form.cells[rel.left[0]].label if rel.left[0] in form.cells else rel.left[0]
        parts.append(f"“{label}”印为 {_fmt(printed)}，各单元格相加为 {_fmt(total)}")
        values.append({"cell": label, "printed": printed, "sum": total, "difference": total - printed})
    return rule("IMPORT-TOTAL").finding(
        "default",
        refs(form, [rel.left[0] for rel, _, _ in contradictions]),
        {"totals": values},
        table=table_name(form, table),
        count=len(contradictions),
        totals="；".join(parts[:6]) + ("；……" if len(parts) > 6 else ""),
    )


def layout_finding(form: Form, other: Form, table: str, spec, others, unsplit) -> Finding:
    """A table printed in the other edition's shape of one row (表三's （六）其他处理)."""
    names = {"table": table_name(form, table), "other": other.name, "edition": form.name, "label": spec.label}
    if spec.foreign:  # the other edition's single row, where this edition has several
        keys = [k for r in others for k in r.spec.keys() if k in form.cells and not form.cells[k].is_total]
        if unsplit:
            return rule("IMPORT-AMBIGUOUS").finding(
                "other_layout",
                refs(form, [k for _, ks, _ in unsplit for k in ks]),
                {"published": {c.label: v for c, _, v in unsplit}},
                columns="、".join(f"{c.label} {_fmt(v)}" for c, _, v in unsplit),
                rows=len(others),
                **names,
            )
        return rule("IMPORT-LABEL").finding(
            "other_layout_blank", refs(form, keys), {"layout": other.edition}, rows=len(others), **names
        )
    keys = [k for k in spec.keys() if k in form.cells and not form.cells[k].is_total]
    return rule("IMPORT-LABEL").finding(
        "other_layout_rows", refs(form, keys), {"layout": other.edition}, rows=len(others), **names
    )


def label_finding(form: Form, table: str, loose) -> Finding:
    """Labels found only by a variant or a near spelling: the import relied on them, a person may check."""
    parts = [f"“{match.found}”（官方写法：“{match.label}”）" for match, _where in loose]
    return rule("IMPORT-LABEL").finding(
        "default",
        [],
        {"labels": [{"published": m.found, "official": m.label} for m, _ in loose]},
        where=form.table_names.get(table, "报告"),
        count=len(parts),
        labels="；".join(parts[:8]) + ("；……" if len(parts) > 8 else ""),
    )
