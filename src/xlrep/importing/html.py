"""Saved web pages (.html/.htm) → ``Document``, with the standard library's ``html.parser``.

Pages come from government sites and from Word's "save as web page": tables with
``rowspan``/``colspan``, a number split over two ``<span>``s, ``&nbsp;`` for blank
cells, a kilobyte of inline style per cell, GBK pages that declare their encoding
in a ``<meta>`` (or do not), and layout tables that wrap the whole article. The
parser keeps its own small stack (no recursion), so deeply nested markup cannot
exhaust it; tables nested deeper than ``MAX_TABLE_DEPTH`` are read as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .decoding import clean, decode_bytes
from .document import (
    MAX_TABLE_CELLS,
    MAX_TEXT_CHARS,
    Document,
    GridBudget,
    ImportFailed,
    Paragraph,
    TableBuilder,
    read_source,
)

BLOCK_TAGS = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 section article header footer nav aside blockquote pre hr "
    "form fieldset address center main figure figcaption caption".split()
)
SKIP_TAGS = frozenset("script style noscript template object svg math iframe".split())
MAX_TABLE_DEPTH = 16
#: Start tags of one page: parsing costs about 5 µs a tag, so this bounds it at a second or two. A report saved
#: by Word as a web page has some tens of thousands.
MAX_TAGS = 400_000
LAYOUT_CELL_CHARS = 600  # a cell holding more text than this is page layout, not a table cell

META_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,40})""", re.I)


class _Cell:
    __slots__ = ("blocks", "buf", "rowspan", "colspan")

    def __init__(self, rowspan: int, colspan: int):
        self.blocks: list = []
        self.buf: list[str] = []
        self.rowspan = rowspan
        self.colspan = colspan


class _Table:
    __slots__ = ("rows", "parent", "nested")

    def __init__(self, parent):
        self.rows: list[list[_Cell]] = []
        self.parent = parent  # the container (_Cell or the root) that holds this table
        self.nested = False


class _Root:
    __slots__ = ("blocks", "buf")

    def __init__(self):
        self.blocks: list = []
        self.buf: list[str] = []


def _span(value: str | None) -> int:
    try:
        return int(str(value).strip().split(".")[0])
    except (TypeError, ValueError):
        return 1


class _Parser(HTMLParser):
    def __init__(self, budget: GridBudget | None = None):
        super().__init__(convert_charrefs=True)
        self.budget = budget if budget is not None else GridBudget("网页")
        self.root = _Root()
        self.stack: list = []  # _Table and _Cell frames, innermost last
        self.skip = 0  # inside <script>, <style>, <head> …
        self.title: list[str] | None = None
        self.title_text = ""
        self.chars = 0
        self.cells = 0
        self.ignored_tables = 0  # <table> tags beyond MAX_TABLE_DEPTH, read as text
        self.tags = 0

    # -- containers ---------------------------------------------------------------
    def _container(self):
        if self.stack and isinstance(self.stack[-1], _Cell):
            return self.stack[-1]
        if self.stack:  # text between cells, directly inside <table>/<tr>: not content
            return None
        return self.root

    def _flush(self, container=None) -> None:
        container = container if container is not None else self._container()
        if container is None or not container.buf:
            return
        text = re.sub(r"\s+", " ", "".join(container.buf)).strip()
        container.buf.clear()
        if text:
            container.blocks.append(Paragraph(text))

    def _table(self) -> _Table | None:
        for frame in reversed(self.stack):
            if isinstance(frame, _Table):
                return frame
        return None

    def _close_cell(self) -> None:
        while self.stack and isinstance(self.stack[-1], _Cell):
            self._flush(self.stack.pop())

    # -- parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        self.tags += 1
        if self.tags > MAX_TAGS:
            raise ImportFailed(
                f"网页中的标记过多（超过 {MAX_TAGS:,} 个），不像一份年度报告（可能是损坏或恶意构造的文件），已停止读取。"
            )
        if tag == "title" and self.title is None:
            self.title = []
        if tag in SKIP_TAGS:
            self.skip += 1
        elif not self.skip:
            handler = {"table": self._open_table, "tr": self._open_row, "td": self._open_cell, "th": self._open_cell}
            if tag in handler:
                handler[tag](attrs)
            elif tag in BLOCK_TAGS:
                self._flush()

    def handle_endtag(self, tag):
        if tag == "title" and self.title is not None and not self.title_text:
            self.title_text = re.sub(r"\s+", " ", "".join(self.title)).strip()
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif not self.skip:
            if tag == "table":
                self._close_table()
            elif tag in ("td", "th", "tr"):
                if self._table() is not None and not self.ignored_tables:
                    self._close_cell()
            elif tag in BLOCK_TAGS:
                self._flush()

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr") and not self.skip:
            self._flush()
        elif tag not in SKIP_TAGS:
            self.handle_starttag(tag, attrs)
            if tag in ("td", "th", "table", "tr"):
                self.handle_endtag(tag)

    def _open_table(self, attrs) -> None:
        if sum(1 for f in self.stack if isinstance(f, _Table)) >= MAX_TABLE_DEPTH or self.ignored_tables:
            self.ignored_tables += 1  # nested too deep: its text is read, its structure is not
            self._flush()
            return
        parent = self._container()
        if parent is None:  # a table directly inside a row: give it a cell of its own
            self._start_cell(1, 1)
            parent = self.stack[-1]
        self._flush(parent)
        if isinstance(parent, _Cell):
            self._table().nested = True
        self.stack.append(_Table(parent))

    def _open_row(self, attrs) -> None:
        if self._table() is not None and not self.ignored_tables:
            self._close_cell()
            self._table().rows.append([])

    def _open_cell(self, attrs) -> None:
        if self._table() is not None and not self.ignored_tables:
            a = dict(attrs)
            self._close_cell()
            self._start_cell(_span(a.get("rowspan")), _span(a.get("colspan")))

    def _close_table(self) -> None:
        if self.ignored_tables:
            self.ignored_tables -= 1
            self._flush()
            return
        if self._table() is None:
            return
        self._close_cell()
        while self.stack and not isinstance(self.stack[-1], _Table):
            self.stack.pop()
        self._finish(self.stack.pop())

    def _start_cell(self, rowspan: int, colspan: int) -> None:
        table = self._table()
        if not table.rows:
            table.rows.append([])
        cell = _Cell(rowspan, colspan)
        table.rows[-1].append(cell)
        self.stack.append(cell)
        self.cells += 1
        if self.cells > MAX_TABLE_CELLS:
            raise ImportFailed("网页中的表格单元格过多，不像一份年度报告，已停止读取。")

    def handle_data(self, data):
        if self.title is not None and not self.title_text:
            self.title.append(data)
        if self.skip:
            return
        container = self._container()
        if container is None:
            return
        self.chars += len(data)
        if self.chars > MAX_TEXT_CHARS:
            raise ImportFailed("网页中的文字过长（超过 400 万字），不像一份年度报告，已停止读取。")
        container.buf.append(data)

    # -- tables -----------------------------------------------------------------
    def _finish(self, table: _Table) -> None:
        parent = table.parent
        for row in table.rows:
            for cell in row:
                self._flush(cell)
        if table.nested or _is_layout(table):
            for row in table.rows:  # page layout: its cells' content, in reading order
                for cell in row:
                    parent.blocks.extend(cell.blocks)
            return
        builder = TableBuilder(self.budget)
        for row in table.rows:
            builder.new_row()
            for cell in row:
                builder.add(_cell_text(cell), cell.rowspan, cell.colspan)
        grid = builder.grid()
        if grid.rows:
            parent.blocks.append(grid)

    def finish(self) -> list:
        while self.stack:
            frame = self.stack[-1]
            if isinstance(frame, _Cell):
                self._close_cell()
            else:
                self._finish(self.stack.pop())
        self._flush(self.root)
        return self.root.blocks


def _cell_text(cell: _Cell) -> str:
    parts = []
    for block in cell.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:  # a table nested in a data table cannot happen (it would be layout); keep its text
            parts.extend(c for row in block.rows for c in row if c)
    return "\n".join(parts)


def _is_layout(table: _Table) -> bool:
    cells = [c for row in table.rows for c in row]
    if len(cells) <= 1:
        return True
    return any(sum(len(b.text) for b in c.blocks if isinstance(b, Paragraph)) > LAYOUT_CELL_CHARS for c in cells)


def html_blocks(markup: str, budget: GridBudget | None = None) -> list:
    parser = _Parser(budget)
    parser.feed(markup)
    parser.close()
    return parser.finish()


def read_html(source, name: str | None = None) -> Document:
    """A web page: its path, or its bytes called ``name``."""
    data, path = read_source(source, name)
    if data.startswith(b"%PDF") or data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed(f"“{path.name}”不是网页文件（扩展名是 {path.suffix}，内容却是别的格式）。")
    match = META_CHARSET.search(data[:16384])
    declared = match.group(1).decode("ascii", "replace") if match else None
    markup = clean(decode_bytes(data, path.name, declared))
    parser = _Parser(GridBudget(f"网页“{path.name}”"))
    try:
        parser.feed(markup)
        parser.close()
    except ImportFailed:
        raise
    except Exception:  # html.parser is lenient; anything else is a malformed page
        raise ImportFailed(f"“{path.name}”不是可以读取的网页文件。") from None
    doc = Document(path, "html", parser.finish())
    doc.title = parser.title_text or None
    return doc
