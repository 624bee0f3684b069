"""Hostile published reports (issue 22), built on the fly for ``bad_inputs`` rows and the bounded-work tests.

Each builder writes one file into a folder and returns its path. They are the attacks of the issue, made small
enough to build in a fraction of a second: merged cells that expand to gigabytes, tables nested 80 deep, prose
after a table's last label, near-miss labels by the ten thousand, PDF content streams that inflate to a
gigabyte, a section longer than a cell holds.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

TITLE = "某某县人民政府2021年政府信息公开工作年度报告"
PAGE_HEAD = f"<html><head><meta charset=utf-8><title>{TITLE}</title></head><body><p>{TITLE}</p>"


def html_spans(folder: Path, cells: int = 1000) -> Path:
    """``<td rowspan=200 colspan=200>`` repeated: 34 KB that expand to 40 million positions."""
    path = folder / "合并单元格.html"
    body = "<table><tr>" + "<td rowspan=200 colspan=200>1</td>" * cells + "</tr></table>"
    path.write_text(PAGE_HEAD + body + "</body></html>", encoding="utf-8")
    return path


def _word(rows: int, cols: int, paragraphs: list[str] | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    for text in paragraphs or []:
        document.add_paragraph(text)
    if rows and cols:
        table = document.add_table(rows=rows, cols=cols)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "1"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_body(data: bytes, edit) -> bytes:
    """The package with word/document.xml replaced by ``edit(xml)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            raw = source.read(info.filename)
            if info.filename == "word/document.xml":
                raw = edit(raw.decode("utf-8")).encode("utf-8")
            target.writestr(info, raw)
    return out.getvalue()


def word_spans(folder: Path) -> Path:
    """Every cell of a 40 × 100 table spans 64 grid columns (256,000 positions)."""
    path = folder / "合并单元格.docx"
    path.write_bytes(_with_body(_word(40, 100), lambda x: x.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="64"/>')))
    return path


def word_grid_before(folder: Path) -> Path:
    """A row that skips 300 million grid columns before its first cell (w:gridBefore)."""
    path = folder / "跳过列.docx"
    row = '<w:tr><w:trPr><w:gridBefore w:val="300000000"/></w:trPr>'
    path.write_bytes(_with_body(_word(3, 3), lambda x: x.replace("<w:tr>", row, 1)))
    return path


# -- PDF, written by hand (a few objects, an xref table) -----------------------------------------------------


def _pdf(contents: list[bytes], *, compress: bool = True, encrypt: bool = False) -> bytes:
    """A PDF with one page per content stream (Helvetica, A4), optionally with a password (an /Encrypt
    dictionary whose empty user password does not open it)."""
    import zlib

    pages = len(contents)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (5 + 2 * i)
        )
        data = zlib.compress(content, 9) if compress else content
        flate = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(data), flate) + data + b"\nendstream")
    if encrypt:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"ab" * 32, b"cd" * 32))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"01" * 16, b"01" * 16) if encrypt else b""
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, extra, xref))
    return out.getvalue()


def _text_content(lines: list[str]) -> bytes:
    body = [b"BT /F1 10 Tf 50 800 Td 12 TL"]
    for line in lines:
        body.append(b"(" + line.encode("latin-1") + b") Tj T*")
    body.append(b"ET")
    return b"\n".join(body)


def pdf_stream_bomb(folder: Path, inflated: int = 1 << 30) -> Path:
    """One page whose content stream inflates to ``inflated`` bytes of spaces (a gigabyte from about a MB)."""
    import zlib

    path = folder / "膨胀.pdf"
    block = b" " * (1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)  # one flushed block of a MB of spaces, repeated
    chunk = raw.compress(block) + raw.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(inflated >> 20):
        adler = zlib.adler32(block, adler)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    data = b"\x78\xda" + chunk * (inflated >> 20) + tail + adler.to_bytes(4, "big")
    pdf = _pdf([b""], compress=False)
    # the one content stream, swapped for the crafted deflate data
    empty = b"<< /Length 0 >>\nstream\n\nendstream"
    pdf = pdf.replace(empty, b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
    path.write_bytes(_fix_xref(pdf))
    return path


def _fix_xref(pdf: bytes) -> bytes:
    """Rewrite the xref offsets after an object changed size."""
    import re

    head, _, _ = pdf.partition(b"xref\n")
    offsets = [m.start() for m in re.finditer(rb"(?m)^\d+ 0 obj\n", head)]
    table = b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1) + b"".join(
        b"%010d 00000 n \n" % o for o in offsets
    )
    trailer = pdf[pdf.index(b"trailer\n") :]
    trailer = re.sub(rb"startxref\n\d+", b"startxref\n%d" % len(head), trailer)
    return head + table + trailer


def pdf_many_chars(folder: Path, pages: int = 4, per_page: int = 100_000) -> Path:
    """``pages`` pages of ``per_page`` characters each (400,000 characters in about a MB)."""
    path = folder / "密集.pdf"
    line = "1" * 200
    contents = [_text_content([line] * (per_page // len(line))) for _ in range(pages)]
    path.write_bytes(_pdf(contents))
    return path


def pdf_encrypted(folder: Path) -> Path:
    """A PDF with an open password (the empty password does not open it)."""
    path = folder / "加密.pdf"
    path.write_bytes(_pdf([_text_content([TITLE.encode("unicode_escape").decode()])], encrypt=True))
    return path


# -- text reports ---------------------------------------------------------------------------------------------

MARK = "【此处换成长文字】"


def text_report(folder: Path, parts: dict[str, str], name: str = "报告.txt") -> Path:
    """Our own text report of a complete random fill (2021), with ``parts`` (form key → text) put in place of the
    parts' texts after rendering: a cell could not hold them."""
    import random

    from import_pages import random_values, report_bytes, write_filled

    values = random_values("2021", 2021, random.Random(22))
    values["info.org_name"] = "某某县人民政府办公室"
    marks = {key: f"{MARK}{i}" for i, key in enumerate(parts)}
    values.update(marks)
    workbook = write_filled(folder / "原表.xlsx", "2021", 2021, values)
    text = report_bytes(workbook, ".txt").decode("utf-8")
    workbook.unlink()
    for key, mark in marks.items():
        assert mark in text, key
        text = text.replace(mark, parts[key])
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def long_section_text(length: int = 44_009) -> str:
    sentence = "我局将进一步加强政府信息公开工作，完善制度，规范流程，提升公开质量。"
    return ((sentence * (length // len(sentence) + 1))[: length - 1]) + "。"


def long_section(folder: Path, length: int = 44_009) -> Path:
    """A report whose 五（一）存在的主要问题 has ``length`` characters (a cell holds 32,767)."""
    return text_report(folder, {"s5.problems": long_section_text(length)}, "长段落.txt")


def word_nested(folder: Path, depth: int = 80, rows: int = 3) -> Path:
    """Tables nested ``depth`` deep, each level with a few rows of text and figures (about 600 KB)."""
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=rows, cols=2)
    for _ in range(depth):
        for r in range(rows):
            table.cell(r, 0).text = "一、本年新收政府信息公开申请数量"
            table.cell(r, 1).text = "12"
        table = table.cell(rows - 1, 1).add_table(rows=rows, cols=2)
    out = io.BytesIO()
    document.save(out)
    path = folder / "嵌套表格.docx"
    path.write_bytes(out.getvalue())
    return path


def _report_lines(folder: Path) -> str:
    return text_report(folder, {}, "原报告.txt").read_text(encoding="utf-8")


def prose_after_last_label(folder: Path, size: int = 254_000) -> Path:
    """表三's last label with no figures, then ``size`` bytes of prose (the text runs on past the table)."""
    text = _report_lines(folder)
    sentence = "本机关持续推进政务公开工作，不断提升公开质量和水平。"
    prose = sentence * (size // len(sentence.encode()))
    lines = [
        "四、结转下年度继续办理\n" + prose if "四、结转下年度继续办理" in line else line for line in text.split("\n")
    ]
    (folder / "原报告.txt").unlink()
    path = folder / "长文字.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def near_miss_labels(folder: Path, count: int = 32_000) -> Path:
    """表三 replaced by ``count`` labels one character off the official ones (about 500 KB)."""
    text = _report_lines(folder)
    near = ["（七）总汁", "（一）予以公幵", "四、结转下年度继续力理", "（三）不予公幵", "1.属于国家秘蜜"]
    body = "".join(f"{near[k % len(near)]}{k % 7}\n" for k in range(count))
    start, end = text.index("三、收到和处理政府信息公开申请情况"), text.index("四、政府信息公开行政复议")
    (folder / "原报告.txt").unlink()
    path = folder / "近似标签.txt"
    path.write_text(text[:start] + "三、收到和处理政府信息公开申请情况\n" + body + text[end:], encoding="utf-8")
    return path
