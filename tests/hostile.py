"""Helpers for the hostile-input tests: hostile workbooks built as a tester builds them, and the checks
that every output of xlrep stays safe where it goes (terminal, CSV, JSON, .xlsx, HTML, Markdown, Word).

The checks are written independently of ``xlrep.common.safetext``: they say what a safe output is (no control
character on a terminal, no cell a spreadsheet would evaluate, no element a browser would run), not how
xlrep makes it so.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import zipfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from crafted import address, filled, read_part, rewrite, sheet_parts

from xlrep.edition.form import load_form

# -- building hostile workbooks ------------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def ooxml_text(text: str) -> str:
    """``text`` as Excel stores it in a cell's XML: ``_xHHHH_`` for what XML cannot hold (controls, lone
    surrogates), ``_x005F_`` before a literal ``_xHHHH_``, then XML escapes (CR kept as a character reference)."""
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    text = _XML_INVALID.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return escape(text).replace("\r", "&#13;")


def inline_cell(text: str) -> str:
    return f'<is><t xml:space="preserve">{ooxml_text(text)}</t></is>'


def with_texts(data: bytes, texts: dict[str, str], edition: str = "2021") -> bytes:
    """A workbook (bytes) whose cells named by form key hold ``texts`` as inline strings, stored as Excel would."""
    by_part: dict[str, list[tuple[str, str]]] = {}
    parts = sheet_parts(data)
    for key, text in texts.items():
        sheet, a1 = address(key, edition)
        by_part.setdefault(parts[sheet], []).append((a1, text))
    replaced = {}
    for member, cells in by_part.items():
        xml = read_part(data, member).decode()
        for a1, text in cells:
            m = re.search(rf'<c r="{a1}"( [^>]*?)?(/>|>.*?</c>)', xml)
            assert m, f"{a1} not in {member}"
            attrs = re.sub(r' t="[^"]*"', "", m.group(1) or "")
            xml = xml[: m.start()] + f'<c r="{a1}"{attrs} t="inlineStr">{inline_cell(text)}</c>' + xml[m.end() :]
        replaced[member] = xml.encode()
    return rewrite(data, parts=replaced)


def hostile_workbook(texts: dict[str, str], edition: str = "2021", year: int = 2021) -> bytes:
    """A clean filled workbook (consistent numbers) with ``texts`` (form key → text) in its text cells."""
    return with_texts(filled(edition=edition, year=year), texts, edition)


def text_keys(edition: str = "2021") -> list[str]:
    """Every text input a clerk types into: 机关名称, 机关类型, contact fields, dates, every narrative part."""
    form = load_form(edition)
    year = form.role("report_year")
    return [c.key for c in form.inputs if not c.is_numeric and c.key != year]


# -- running the command line in-process -------------------------------------------------------------------


def xlrep(*args) -> tuple[int, str, str]:
    """``xlrep ARGS…`` in-process: (exit code, stdout, stderr). Usable inside Hypothesis tests (no fixtures)."""
    from xlrep.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([a if isinstance(a, str) else str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def assert_answered(code: int, out: str, err: str, allowed=(0, 1, 2)) -> None:
    """No bug exit, no traceback, and everything printed is safe on a terminal."""
    assert "Traceback" not in out + err, err
    assert "内部错误" not in err, err
    assert code in allowed, (code, err)
    assert_terminal_safe(out)
    assert_terminal_safe(err)


# -- terminal ----------------------------------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_TERMINAL_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + BIDI + "]")


def assert_terminal_safe(text: str) -> None:
    """No control character (ESC, CR, BEL, C1 …), no bidi control, no lone surrogate: only tab and newline."""
    m = _TERMINAL_FORBIDDEN.search(text)
    assert m is None, f"U+{ord(m.group()):04X} printed raw near {text[max(0, m.start() - 40) : m.end() + 40]!r}"
    text.encode("utf-8")


# -- CSV, JSON ---------------------------------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows of a CSV written by xlrep: strictly UTF-8 (with BOM), parsed by the csv module."""
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def starts_like_a_formula(cell: str) -> bool:
    """What Excel, WPS or LibreOffice (with "trim spaces") would evaluate: a trigger after any blank lead."""
    stripped = cell.lstrip(" \u3000\xa0\u200b\ufeff\n\x0b\x0c")
    return stripped.startswith(TRIGGERS) or cell.startswith(TRIGGERS)


def assert_csv_safe(data: bytes, numbers: set[int] = frozenset()) -> list[list[str]]:
    """Every cell of the CSV is text a spreadsheet shows as text (columns in ``numbers`` may be plain numbers)."""
    rows = csv_rows(data)
    for row in rows:
        for i, cell in enumerate(row):
            if i in numbers and re.fullmatch(r"-?\d+(\.\d+)?", cell):
                continue
            assert not starts_like_a_formula(cell), (i, cell)
    return rows


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def json_of(data: bytes | str):
    """Strict JSON: valid UTF-8, and no string in it a lone surrogate (``\\ud800`` escapes are valid JSON syntax)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    text.encode("utf-8")
    value = json.loads(text)
    for string in _strings(value):
        string.encode("utf-8")  # a lone surrogate escape decodes to a str that cannot be encoded
    return value


# -- spreadsheets ------------------------------------------------------------------------------------------


@cache
def template_formula_cells(edition: str = "2021") -> frozenset[tuple[str, str]]:
    """(sheet, A1) of every formula the pristine template holds."""
    import openpyxl

    from xlrep.writer.template import build_template

    wb = openpyxl.load_workbook(io.BytesIO(build_template(2021 if edition == "2021" else 2020, load_form(edition))))
    return frozenset((ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f")


def assert_no_foreign_formula(path: Path, edition: str = "2021", neutral_sheets: tuple[str, ...] = ()) -> None:
    """No cell is a formula except the template's own; in ``neutral_sheets`` no text even starts like one."""
    import openpyxl

    allowed = template_formula_cells(edition)
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert (ws.title, c.coordinate) in allowed, (ws.title, c.coordinate, c.value)
                if ws.title in neutral_sheets and isinstance(c.value, str):
                    assert c.data_type == "s" and not starts_like_a_formula(c.value), (ws.title, c.coordinate, c.value)


# -- HTML, Markdown, Word ----------------------------------------------------------------------------------

#: What the report's own HTML is made of (xlrep.outputs.report.html, and the Markdown renderer's HTML tables).
REPORT_TAGS = frozenset(
    "html head meta title style body h1 h2 h3 p table caption tr th td div br blockquote strong".split()
)
REPORT_ATTRIBUTES = frozenset("lang charset rowspan colspan class data-key data-table align".split())


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_html_safe(page: str) -> None:
    """Only the report's own elements and attributes: nothing a browser would load, run or link."""
    parser = Elements()
    parser.feed(page)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in REPORT_TAGS, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name in REPORT_ATTRIBUTES, (tag, name, value)
            assert "javascript:" not in (value or "").lower().replace(" ", ""), (tag, name, value)


def render_markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    # the most permissive common setup: raw HTML passed through, GFM tables and strikethrough on
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)


def assert_markdown_safe(text: str) -> None:
    assert_html_safe(render_markdown(text))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def assert_docx_safe(data: bytes) -> str:
    """The Word document parses, holds text only in runs (no fields, hyperlinks or embedded objects); its text."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        root = ElementTree.fromstring(z.read("word/document.xml"))
        rels = z.read("word/_rels/document.xml.rels").decode()
    for bad in ("fldSimple", "instrText", "hyperlink", "object", "altChunk"):
        assert root.find(f".//{W}{bad}") is None, bad
    assert 'TargetMode="External"' not in rels
    return "".join(t.text or "" for t in root.iter(f"{W}t"))


def assert_report_safe(path: Path) -> None:
    """The report file in its format: valid UTF-8 text, escaped markup, parseable JSON, a Word file of runs."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".docx":
        assert_docx_safe(data)
        return
    text = data.decode("utf-8")
    if suffix == ".json":
        json_of(text)
    elif suffix == ".html":
        assert_html_safe(text)
    elif suffix == ".md":
        assert_markdown_safe(text)
    elif suffix == ".txt":
        assert_terminal_safe(text.replace("\f", ""))
