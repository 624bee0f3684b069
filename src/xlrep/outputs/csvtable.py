"""Tables of findings as CSV, for Excel and WPS: the one place that writes a CSV (``xlrep check --csv`` and the
site's downloads), so every such file has the same columns for a finding and the same protection.

Workbook text (unit names, file names, messages quoting cells) is untrusted: a cell that starts like a formula
is prefixed with ' so Excel and WPS show it as text and never evaluate it (OWASP CSV injection). The file is
UTF-8 with a BOM so Excel shows the Chinese.
"""

from __future__ import annotations

import csv
import io

from ..common.findings import SEVERITY_NAMES, values_text
from ..common.safetext import for_spreadsheet, valid_unicode


def csv_cell(value: object) -> object:
    """A CSV cell: text made valid Unicode and never a formula; numbers as they are."""
    if isinstance(value, str):
        return for_spreadsheet(valid_unicode(value))
    return value


def csv_bytes(rows: list[list[object]]) -> bytes:
    """``rows`` (the header first) as a CSV file: every cell through ``csv_cell``, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def finding_columns(finding: dict) -> list[object]:
    """A finding (``Finding.as_dict()``) as ``FINDING_COLUMNS``: rule, severity, message, cells, values."""
    cells = "；".join(f"{c['sheet']}!{c['cell']} {c['label']}".strip() for c in finding["cells"])
    return [
        finding["rule"],
        SEVERITY_NAMES[finding["severity"]],
        finding["message"],
        cells,
        values_text(finding["values"]),
    ]
