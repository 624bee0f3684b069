"""Batch results as files: the CSV of findings (``xlrep check --csv``, the site's download), why a unit was unreadable.

No terminal here: the summary table, the progress bar and the merge outcome are the command line's (``xlrep.cli.show``).
"""

from __future__ import annotations

from ..common.findings import BATCH_CSV_HEADER
from ..common.safetext import display_path, path_text
from ..outputs.csvtable import csv_bytes, finding_columns
from .batch import UnitResult


def unreadable_reason(unit: UnitResult) -> str:
    """The FILE-UNREADABLE message of a unit that could not be read (it names the file)."""
    reasons = [f["message"] for f in unit.findings if f["rule"] == "FILE-UNREADABLE"]
    return reasons[0] if reasons else display_path(unit.file)


def findings_csv(results: list[UnitResult]) -> bytes:
    """Every finding of every unit, one per line (``csvtable``: never a formula, UTF-8 with BOM for Excel and WPS);
    a unit with none has one line saying so."""
    rows: list[list[object]] = [BATCH_CSV_HEADER]
    for r in results:
        whose = [r.unit, path_text(r.file), f"{r.edition}年版" if r.edition else "", r.year or ""]
        rows.extend([*whose, *finding_columns(f)] for f in r.findings)
        if not r.findings:
            rows.append([*whose, "", "", "没有发现问题", "", ""])
    return csv_bytes(rows)
