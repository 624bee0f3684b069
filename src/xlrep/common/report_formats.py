"""The report formats xlrep writes, listed once: keyed by file suffix, what each is called, the module under
``xlrep.outputs.report`` that renders it, its media type, and whether it is offered (listed in help and on the
site's pages) or only accepted (``.htm``). The command line (``REPORT_SUFFIXES``, ``suffixes_help``), the site's
pages and downloads (``REPORT_FORMATS``, ``media_type``) and ``report.render`` read it. A leaf module: reading it
loads nothing else of xlrep.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Renderer:
    name: str  # what the format is called, for messages and links: "Word"
    module: str  # the module under xlrep.outputs.report with its ``render(report) -> str | bytes``
    function: str
    media_type: str  # the file's Content-Type when the site sends it
    offered: bool = True  # False: another suffix of an offered format, accepted but not listed (.htm)


#: In the order the formats are offered (the Word document first: what an office publishes).
RENDERERS: dict[str, Renderer] = {
    ".docx": Renderer(
        "Word", "word", "render_docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    ".html": Renderer("网页", "html", "render_html", "text/html; charset=utf-8"),
    ".htm": Renderer("网页", "html", "render_html", "text/html; charset=utf-8", offered=False),
    ".txt": Renderer("文本", "text", "render_text", "text/plain; charset=utf-8"),
    ".md": Renderer("Markdown", "markdown", "render_markdown", "text/markdown; charset=utf-8"),
    ".json": Renderer("数据", "jsondoc", "render_json", "application/json"),
}
#: The suffixes offered (help, the site's links and routes): every format once.
REPORT_SUFFIXES: tuple[str, ...] = tuple(suffix for suffix, r in RENDERERS.items() if r.offered)
#: (suffix, name) of each offered format, for the site's pages: ``报告（Word .docx）``.
REPORT_FORMATS: tuple[tuple[str, str], ...] = tuple((suffix, RENDERERS[suffix].name) for suffix in REPORT_SUFFIXES)


def suffixes_help() -> str:
    """The offered suffixes as the command line's help lists them: ``.docx .html .txt .md .json``."""
    return " ".join(REPORT_SUFFIXES)


def media_type(suffix: str) -> str | None:
    """The Content-Type of a report file with this suffix (None: not a report format)."""
    renderer = RENDERERS.get(suffix.lower())
    return renderer.media_type if renderer else None
