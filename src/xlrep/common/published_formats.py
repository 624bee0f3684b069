"""The formats of published reports xlrep imports (``xlrep import``, and on the fly wherever a workbook is
expected): the one list, read by the importer, the audit, the command line and the site.

A leaf module (no imports from xlrep): the audit asks "is this a published report?" of every file without
importing the importer.
"""

from __future__ import annotations

#: suffix → the format's code (``ImportedReport.format``, ``Document.format``).
SUFFIX_FORMATS = {".docx": "docx", ".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "txt", ".md": "md"}
#: Published reports (``xlrep import`` reads them): given where a workbook is expected, they are imported on the fly.
PUBLISHED_SUFFIXES = tuple(SUFFIX_FORMATS)
#: Each format as a clerk calls it (the IMPORT-SOURCE note).
FORMAT_NAMES = {"docx": "Word", "html": "网页", "pdf": "PDF", "txt": "文本", "md": "Markdown"}
#: What a file of another kind is, and what to do with it, when it is given to the importer.
NOT_IMPORTED = {
    ".doc": "是旧版 Word 文档：请在 Word 或 WPS 中另存为 .docx 后重试",
    ".wps": "是 WPS 文字文档：请在 WPS 中另存为 .docx 后重试",
    ".xlsx": "是 Excel 工作簿：填报表请用 xlrep ingest 校验",
    ".xls": "是 Excel 工作簿：填报表请用 xlrep ingest 校验",
    ".mht": "是网页存档：请在浏览器中另存为“网页，仅 HTML”后重试",
    ".mhtml": "是网页存档：请在浏览器中另存为“网页，仅 HTML”后重试",
    ".rtf": "是 RTF 文档：请另存为 .docx 后重试",
}
#: The formats in one sentence (messages and help).
ACCEPTED = "Word（.docx）、网页（.html/.htm）、PDF（.pdf）和文本（.txt/.md）"
