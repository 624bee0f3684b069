"""The report as Markdown (tables as HTML, which Markdown allows)."""

from __future__ import annotations

import html

from ...common.safetext import markdown_text
from .html import table_as_html
from .model import DRAFT, Heading, Paragraph, Report


def render_markdown(report: Report) -> str:
    """Every text from the workbook escaped (``safetext.markdown_text``): it reads as typed, never as markup."""
    out = []
    if report.draft:
        out.append(f"> **{DRAFT}**：报告中仍有错误，仅供核对，不得发布。\n")
    out.append(f"# {markdown_text(report.title)}\n")
    out.extend(f"{markdown_text(p)}\n" for p in report.preamble)
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append(("## " if block.level == 1 else "### ") + markdown_text(block.text) + "\n")
        elif isinstance(block, Paragraph):
            out.append(markdown_text(block.text) + "\n")
        else:
            out.append(table_as_html(block) + "\n")
    out.append(f'<p align="right">{html.escape(report.org)}<br>{html.escape(report.closing_date)}</p>\n')
    return "\n".join(out)
