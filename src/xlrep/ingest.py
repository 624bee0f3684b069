"""Audit a filled workbook: read it, run every rule in one pass, and summarise.

``audit(path)`` is the library entry point behind ``xlrep ingest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import ERROR, INFO, WARNING
from .findings import Finding, summarize
from .reader import ReadResult, read_workbook

SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass
class Audit:
    file: Path
    result: ReadResult
    findings: list[Finding] = field(default_factory=list)

    @property
    def edition(self) -> str | None:
        return self.result.edition

    @property
    def year(self) -> int | None:
        return self.result.year

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.findings)

    @property
    def has_errors(self) -> bool:
        return self.summary["errors"] > 0

    def as_dict(self) -> dict:
        return {
            "file": str(self.file),
            "edition": self.edition,
            "year": self.year,
            "template_version": self.result.template_version,
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
        }


def audit(path: str | Path, previous: ReadResult | None = None) -> Audit:
    """Read and check a workbook (and against last year's, if given).

    Raises ``reader.UnreadableFile`` (exit 2) if it cannot be read.
    """
    from .narrative import narrative_rules
    from .rules import table_rules

    result = read_workbook(path)
    findings = list(result.findings)
    if result.layout is not None:
        findings += table_rules(result)
        findings += narrative_rules(result, previous)
        if previous is not None:
            from .previous import previous_rules

            findings += previous_rules(result, previous)
    # Grouped by sheet in workbook order (file-level findings first), errors first within a sheet.
    findings.sort(key=lambda f: (_position(result, f)[0], SEVERITY_ORDER[f.severity], _position(result, f)[1:]))
    return Audit(Path(path), result, findings)


def _position(result: ReadResult, finding: Finding) -> tuple:
    if result.layout is None or not finding.cells:
        return (-1, 0, 0)
    order = {s.name: i for i, s in enumerate(result.layout.sheets)}
    first = finding.cells[0]
    m = re.match(r"([A-Z]+)(\d+)", first.cell)
    col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(m.group(1)))) if m else 0
    row = int(m.group(2)) if m else 0
    return (order.get(first.sheet, 99), row, col)
