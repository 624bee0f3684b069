"""Audit a filled workbook: read it, run the rule catalogue in one pass, and summarise.

``audit(source)`` is the library entry point behind ``xlrep ingest``, the batch and the site: ``source`` is a
file's path or its bytes (an upload) with ``name=`` (what the results and messages call it). Nothing is written
to disk, not even for a published report imported on the fly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..common.a1 import split_a1
from ..common.errors import UnreadableFile
from ..common.files import Source, is_data, source_name
from ..common.findings import SEVERITY_ORDER, Finding, summarize
from ..common.published_formats import PUBLISHED_SUFFIXES
from ..edition.form import Form
from ..workbook.reader import read_workbook
from ..workbook.readresult import ReadResult


@dataclass
class Audit:
    """A workbook's findings: errors first, then warnings, then infos; each in workbook order (file-level first)."""

    file: Path  # the path, or the name the bytes were given
    result: ReadResult
    findings: list[Finding] = field(default_factory=list)
    data: bytes | None = field(default=None, repr=False)  # the workbook's bytes, when it was given as bytes

    def workbook(self) -> bytes | Path:
        """The workbook as read: its bytes, or its path (for the annotated copy)."""
        return self.data if self.data is not None else self.file

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


def read_any(
    source: Source, forms: tuple[Form, ...] | None = None, hints=None, *, name: str | None = None
) -> ReadResult:
    """A filled workbook as read, or a published report imported on the fly (with an IMPORT-SOURCE note);
    ``hints`` (``importing.ImportHints``) state what such a report may not say (its year, agency, agency type).
    ``source`` is a path or bytes named by ``name`` (whose suffix then tells a published report)."""
    if source_name(source, name).suffix.lower() in PUBLISHED_SUFFIXES:
        from ..importing import read_published  # python-docx, pdfplumber: only for such a file

        return read_published(source, hints, name=name)
    return read_workbook(source, forms, name=name)


def audit(
    source: Source,
    previous: ReadResult | None = None,
    forms: tuple[Form, ...] | None = None,
    hints=None,
    *,
    name: str | None = None,
) -> Audit:
    """Read and check a workbook (or a published report, imported on the fly), and against last year's
    when ``previous`` is given. ``source``: its path, or its bytes called ``name`` (an upload's file name).

    Raises ``errors.UnreadableFile`` if it cannot be read at all; ``unreadable(path, exc)``
    gives the same shape of answer for such a file.
    """
    from ..checks.rules import Context, run

    result = read_any(source, forms, hints, name=name)
    findings = list(result.findings) + list(run(Context(result, previous)))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], *_position(result, f)))
    data = bytes(source) if is_data(source) else None
    return Audit(source_name(source, name), result, findings, data)


def unreadable(path: str | Path, exc: UnreadableFile) -> Audit:
    """The audit of a file that could not be read: one FILE-UNREADABLE finding."""
    path = Path(path)
    return Audit(path, ReadResult(path, None, None, None, None, "none"), [unreadable_finding(exc)])


def unreadable_finding(exc: UnreadableFile) -> Finding:
    """FILE-UNREADABLE for a file that could not be read, naming the file."""
    from ..checks.rules import rule

    return rule("FILE-UNREADABLE").finding(text=exc.message, values={"file": str(exc.path)})


def _position(result: ReadResult, finding: Finding) -> tuple:
    if result.form is None or not finding.cells:
        return (-1, 0, 0)
    order = {s.name: i for i, s in enumerate(result.layout.sheets)}
    first = finding.cells[0]
    row, col = split_a1(first.cell) or (0, 0)
    return (order.get(first.sheet, 99), row, col)
