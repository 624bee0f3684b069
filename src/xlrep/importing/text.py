"""Plain text (.txt) and Markdown (.md) reports → ``Document``.

Text reaches us as a crawler's dump (one long line, table cells fused), as text copied
from a web page (one cell per line), as ``pdftotext -layout`` output (columns by
spaces, page numbers between rows) or as xlrep's own report (tables drawn with box
characters). Line breaks and runs of spaces are kept: they are the only cell
boundaries such text has. Box-drawn and pipe tables become real tables; the HTML
tables of a Markdown report are read by the HTML reader.
"""

from __future__ import annotations

import re

from .decoding import MAGIC, clean, decode_bytes
from .document import Document, ImportFailed, Paragraph, Table, read_source

BOX_ROW = re.compile(r"^\s*│")
BOX_BORDER = re.compile(r"^\s*[┌├└][─┬┼┴┐┤┘\s]*$")
PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
PIPE_RULE = re.compile(r"^\s*+\|?\s*+:?-{3,}+:?\s*+(\|\s*+:?-{3,}+:?\s*+)*+\|?\s*$")
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
HEADING_LINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def read_text(source, name: str | None = None, *, markdown: bool | None = None) -> Document:
    """A text report: its path, or its bytes called ``name``; Markdown when ``markdown`` says so, else when the
    name ends in .md."""
    data, path = read_source(source, name)
    for magic, kind in MAGIC.items():
        if data.startswith(magic):
            raise ImportFailed(f"“{path.name}”不是文本，而是{kind}。请检查文件扩展名。")
    text = clean(decode_bytes(data, path.name))
    if markdown is None:
        markdown = path.suffix.lower() == ".md"
    doc = Document(path, "md" if markdown else "txt")
    if doc.format == "md":
        doc.blocks = markdown_blocks(text)
    else:
        doc.blocks = text_blocks(text.split("\n"))
    return doc


def text_blocks(lines: list[str]) -> list:
    """Lines → paragraphs and tables: box-drawn and pipe tables become tables, page numbers are dropped."""
    blocks: list = []
    prose: list[str] = []
    table: list[list[str]] = []

    def flush_table() -> None:
        if table:
            width = max(len(r) for r in table)
            blocks.append(Table([r + [""] * (width - len(r)) for r in table]))
            table.clear()

    for line in lines:
        if PAGE_NUMBER.match(line):
            continue
        if BOX_BORDER.match(line) or (PIPE_RULE.match(line) and table):
            if prose:
                blocks.extend(paragraphs(prose))
                prose = []
            continue
        if BOX_ROW.match(line) or PIPE_ROW.match(line):
            if prose:
                blocks.extend(paragraphs(prose))
                prose = []
            sep = "│" if BOX_ROW.match(line) else "|"
            table.append([c.strip() for c in line.strip().strip(sep).split(sep)])
            continue
        flush_table()
        prose.append(line)
    flush_table()
    if prose:
        blocks.extend(paragraphs(prose))
    return blocks


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Lines → paragraphs. Where paragraphs are marked by indentation (wrapped text), continuation lines are joined."""
    body = [line for line in lines if line.strip()]
    indented = sum(1 for line in body if re.match(r"^(\u3000|\s{2,})\S", line))
    wrapped = indented >= 2 and indented < len(body)
    out: list[Paragraph] = []
    current = ""
    for line in lines:
        if not line.strip():
            if current:
                out.append(Paragraph(current))
                current = ""
            continue
        starts = not wrapped or re.match(r"^(\u3000|\s{2,})\S", line) or HEADING_LINE.match(line) or not current
        if starts:
            if current:
                out.append(Paragraph(current))
            current = line.strip()
        else:
            current = join_lines(current, line.strip())
    if current:
        out.append(Paragraph(current))
    return out


def join_lines(left: str, right: str) -> str:
    """A wrapped line continued: without a gap, except between two Latin words or numbers (a space was there)."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right


# An HTML table in Markdown: from <table to the first </table> after it, found by two forward searches (one
# lazy pattern <table.*?</table> searched again from every <table of a file with no </table> is quadratic).
TABLE_OPEN = re.compile(r"<table\b", re.I)
TABLE_CLOSE = re.compile(r"</table\s*+>", re.I)
MD_TAG = re.compile(r"<[^>\n]{0,2000}>")


def markdown_blocks(text: str) -> list:
    """Markdown: HTML tables through the HTML reader, headings and quotes without their marks, tags removed."""
    from .document import GridBudget
    from .html import html_blocks

    budget = GridBudget("文本中的网页表格")  # one for all the tables of the file
    blocks: list = []
    pos = 0
    while (opening := TABLE_OPEN.search(text, pos)) and (closing := TABLE_CLOSE.search(text, opening.end())):
        blocks.extend(_markdown_prose(text[pos : opening.start()]))
        blocks.extend(html_blocks(text[opening.start() : closing.end()], budget))
        pos = closing.end()
    blocks.extend(_markdown_prose(text[pos:]))
    return blocks


def _markdown_prose(text: str) -> list:
    import html as html_lib

    lines = []
    for line in text.split("\n"):
        line = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?)", "", line)
        line = MD_TAG.sub("\n", line)
        line = html_lib.unescape(line.replace("**", ""))
        lines.extend(line.split("\n"))
    return text_blocks(lines)
