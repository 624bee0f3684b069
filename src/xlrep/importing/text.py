"""Plain text (.txt) and Markdown (.md) reports → ``Document``.

Text reaches us as a crawler's dump (one long line, table cells fused), as text copied
from a web page (one cell per line), as ``pdftotext -layout`` output (columns by
spaces, page numbers between rows) or as xlrep's own report (tables drawn with box
characters). Line breaks and runs of spaces are kept: they are the only cell
boundaries such text has. Box-drawn and pipe tables become real tables; the HTML
tables of a Markdown report are read by the HTML reader.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .document import MAX_TEXT_CHARS, Document, ImportFailed, Paragraph, Table, read_limited

BOX_ROW = re.compile(r"^\s*│")
BOX_BORDER = re.compile(r"^\s*[┌├└][─┬┼┴┐┤┘\s]*$")
PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
PIPE_RULE = re.compile(r"^\s*+\|?\s*+:?-{3,}+:?\s*+(\|\s*+:?-{3,}+:?\s*+)*+\|?\s*$")
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
HEADING_LINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200f\ufeff]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

MAGIC = {
    b"%PDF": "PDF 文件",
    b"PK\x03\x04": "压缩文件（可能是 .docx 或 .xlsx）",
    b"\xd0\xcf\x11\xe0": "旧版 Office 文件（.doc/.xls）",
    b"\x89PNG": "图片（PNG）",
    b"\xff\xd8\xff": "图片（JPEG）",
}


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> str:
    """Text from bytes: a BOM, then the declared encoding, then UTF-8, then GB18030 (which covers GBK and GB2312)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                break
    tries = []
    if declared:
        declared = declared.strip().lower()
        if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn"):
            declared = "gb18030"
        try:
            codecs.lookup(declared)
            tries.append(declared)
        except LookupError:
            pass
    tries += ["utf-8", "gb18030"]
    head = data[:4096]
    if b"\x00" in head:
        kind = next((v for k, v in MAGIC.items() if data.startswith(k)), "二进制文件")
        raise ImportFailed(f"“{name}”不是文本，而是{kind}，无法作为文本报告导入。")
    for codec in tries:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ImportFailed(
        f"“{name}”的文字编码无法识别（既不是 UTF-8，也不是 GBK/GB18030），请另存为 UTF-8 编码的文本后重试。"
    )


def clean(text: str) -> str:
    """Text without control characters, with Windows and old-Mac line ends as ``\\n``, bounded in length."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\t", "    ")
    text = CONTROL.sub("", text)
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFailed("文件中的文字过长（超过 400 万字），不像一份年度报告，已停止读取。")
    return text


def read_text(path: Path) -> Document:
    data = read_limited(path)
    for magic, kind in MAGIC.items():
        if data.startswith(magic):
            raise ImportFailed(f"“{path.name}”不是文本，而是{kind}。请检查文件扩展名。")
    text = clean(decode_bytes(data, path.name))
    doc = Document(path, "md" if path.suffix.lower() == ".md" else "txt")
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
