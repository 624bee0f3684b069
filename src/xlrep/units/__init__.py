"""Many units at once: audit a folder on all cores (``batch``), their findings as one CSV (``check_output``), and
the exact 汇总 of their tables (``aggregate.merge_workbook``).

May import: common, edition, workbook, checks, writer, auditing, outputs
"""
