"""The final report: composed once from an audited workbook (``compose``), rendered in each format.

The one table of report formats is ``common.report_formats.RENDERERS`` (a leaf module: the command line's help
reads it without loading the report code); adding a format is one line there and its renderer module here.
Renderers are imported only when used (python-docx costs ~0.1 s to import).
"""

from __future__ import annotations

from importlib import import_module

from ...common.report_formats import (  # noqa: F401  (the registry, read through this package too)
    RENDERERS,
    REPORT_FORMATS,
    REPORT_SUFFIXES,
    Renderer,
    media_type,
    suffixes_help,
)
from .compose import build_report
from .model import DRAFT, Heading, Paragraph, Report, Table, TableCell, clean_text


def render(report: Report, suffix: str) -> bytes:
    """The report in the format of a file suffix (``.docx``, ``.html`` …) as bytes (text is UTF-8)."""
    from ...common.safetext import valid_unicode

    renderer = RENDERERS[suffix.lower()]
    output = getattr(import_module(f"{__name__}.{renderer.module}"), renderer.function)(report)
    return output if isinstance(output, bytes) else valid_unicode(output).encode("utf-8")


def render_text(report: Report) -> str:
    """The report as the text printed on a terminal."""
    from .text import render_text as text

    return text(report)


__all__ = [
    "DRAFT",
    "RENDERERS",
    "REPORT_FORMATS",
    "REPORT_SUFFIXES",
    "Heading",
    "Paragraph",
    "Renderer",
    "Report",
    "Table",
    "TableCell",
    "build_report",
    "clean_text",
    "media_type",
    "render",
    "render_text",
    "suffixes_help",
]
