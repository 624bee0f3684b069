"""xlrep — 政府信息公开工作年度报告：填报表生成、校验与报告生成。

A library first; the ``xlrep`` command is a thin layer over these functions::

    from xlrep import audit, build_report, build_template, form_for_year, render

    form = form_for_year(2021)                       # the edition in force for that year
    data = build_template(2021, form, values={form.role("org_name"): "某某县人民政府"})  # the workbook
    result = audit("填好的.xlsx")                    # read + every rule: result.findings, result.summary
    report = build_report(result)                    # the report model
    open("报告.docx", "wb").write(render(report, ".docx"))

Names are imported on first use, so ``import xlrep`` stays cheap.
"""

__version__ = "0.2.0"

_EXPORTS = {
    "build_template": ("writer.template", "build_template"),
    "audit": ("auditing.ingest", "audit"),
    "Audit": ("auditing.ingest", "Audit"),
    "build_report": ("outputs.report", "build_report"),
    "render": ("outputs.report", "render"),
    "audit_many": ("units.batch", "audit_many"),
    "merge": ("units.aggregate", "merge_workbook"),
    "read_workbook": ("workbook.reader", "read_workbook"),
    "load_form": ("edition.form", "load_form"),
    "form_for_year": ("edition.form", "form_for_year"),
    "editions": ("edition.form", "editions"),
    "XlrepError": ("common.errors", "XlrepError"),
    "UnreadableFile": ("common.errors", "UnreadableFile"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'xlrep' has no attribute {name!r}")
    from importlib import import_module

    module, attribute = _EXPORTS[name]
    value = getattr(import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value
