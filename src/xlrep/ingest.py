"""Audit a filled workbook: read it, run the rule catalogue in one pass, and summarise.

``audit(path)`` is the library entry point behind ``xlrep ingest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UnreadableFile
from .findings import SEVERITY_ORDER, Finding, summarize
from .form import Form
from .reader import read_workbook
from .readresult import ReadResult


@dataclass
class Audit:
    """A workbook's findings: errors first, then warnings, then infos; each in workbook order (file-level first)."""

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

    def as_dict(self) -> dict:
        """What ``xlrep ingest --json`` prints."""
        return {
            "file": str(self.file),
            "edition": self.edition,
            "year": self.year,
            "template_version": self.result.template_version,
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
        }


#: Published reports (``xlrep import`` reads them): given where a workbook is expected, they are imported on the fly.
PUBLISHED_SUFFIXES = (".docx", ".html", ".htm", ".pdf", ".txt", ".md")


def read_any(path: str | Path, forms: tuple[Form, ...] | None = None, hints=None) -> ReadResult:
    """A filled workbook as read, or a published report imported on the fly (with an IMPORT-SOURCE note);
    ``hints`` (``importing.ImportHints``) state what such a report may not say (its year, agency, agency type)."""
    if Path(path).suffix.lower() in PUBLISHED_SUFFIXES:
        from .importing import read_published  # python-docx, pdfplumber: only for such a file

        return read_published(path, hints)
    return read_workbook(path, forms)


def audit(
    path: str | Path, previous: ReadResult | None = None, forms: tuple[Form, ...] | None = None, hints=None
) -> Audit:
    """Read and check a workbook (or a published report, imported on the fly), and against last year's
    when ``previous`` is given.

    Raises ``errors.UnreadableFile`` if it cannot be read at all; ``unreadable(path, exc)``
    gives the same shape of answer for such a file.
    """
    from .rules import Context, run

    result = read_any(path, forms, hints)
    findings = list(result.findings) + list(run(Context(result, previous)))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], *_position(result, f)))
    return Audit(Path(path), result, findings)


def unreadable(path: str | Path, exc: UnreadableFile) -> Audit:
    """The audit of a file that could not be read: one FILE-UNREADABLE finding."""
    path = Path(path)
    return Audit(path, ReadResult(path, None, None, None, None, "none"), [exc.finding])


def _position(result: ReadResult, finding: Finding) -> tuple:
    if result.form is None or not finding.cells:
        return (-1, 0, 0)
    order = {s.name: i for i, s in enumerate(result.layout.sheets)}
    first = finding.cells[0]
    m = re.match(r"([A-Z]+)(\d+)", first.cell)
    col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(m.group(1)))) if m else 0
    row = int(m.group(2)) if m else 0
    return (order.get(first.sheet, 99), row, col)
