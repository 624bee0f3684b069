"""The final report: composed once from an audited workbook (``compose``), rendered in each format.

``RENDERERS`` is the one table of formats, keyed by file suffix; the command line
takes its list of accepted suffixes from it. Renderers are imported only when used
(python-docx costs ~0.1 s to import).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from .compose import build_report
from .model import DRAFT, Heading, Paragraph, Report, Table, TableCell, clean_text


@dataclass(frozen=True)
class Renderer:
    name: str  # what the format is called, for messages: "Word"
    module: str  # the module under xlrep.report with its ``render(report) -> str | bytes``
    function: str


RENDERERS: dict[str, Renderer] = {
    ".txt": Renderer("文本", "text", "render_text"),
    ".md": Renderer("Markdown", "markdown", "render_markdown"),
    ".html": Renderer("网页", "html", "render_html"),
    ".htm": Renderer("网页", "html", "render_html"),
    ".docx": Renderer("Word", "word", "render_docx"),
    ".json": Renderer("JSON", "jsondoc", "render_json"),
}


def render(report: Report, suffix: str) -> bytes:
    """The report in the format of a file suffix (``.docx``, ``.html`` …) as bytes (text is UTF-8)."""
    from ..safetext import valid_unicode

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
    "Heading",
    "Paragraph",
    "Renderer",
    "Report",
    "Table",
    "TableCell",
    "build_report",
    "clean_text",
    "render",
    "render_text",
]
