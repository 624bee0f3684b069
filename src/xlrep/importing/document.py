"""The common intermediate form every source format is turned into.

A published report, whatever its format, becomes a ``Document``: a sequence of
paragraphs and tables in reading order. A table is a grid of cells as published,
with merged cells expanded: the text sits at the merged cell's top-left position
and the positions it covers are ``None``; an empty cell is ``""``. Text formats
that have no cells (a crawler's text dump, a PDF without ruling lines) give only
paragraphs; ``tables`` then finds the figures in the running text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..common.errors import UnreadableFile

#: Bounds against hostile or broken input (a real report is well under a megabyte of text).
MAX_FILE_BYTES = 64 * 1024 * 1024  # any input file
MAX_TEXT_CHARS = 4 * 1024 * 1024  # text kept from one document
MAX_TABLE_CELLS = 200_000  # cells of all tables of one document
MAX_SPAN = 200  # rowspan / colspan of one cell
#: Positions of all tables of one document once merged cells are expanded, counted before expanding them
#: (a report's tables have about a thousand; one <td rowspan=200 colspan=200> alone has 40,000).
MAX_GRID_CELLS = 200_000


class ImportFailed(UnreadableFile):
    """The report cannot be imported (FILE-UNREADABLE); ``message`` is Chinese.

    ``path`` is the report; a reader deep inside a format may leave it out, ``import_report`` fills it in.
    """

    def __init__(self, message: str, path: Path | str | None = None):
        super().__init__(path if path is not None else "", message)


@dataclass
class Paragraph:
    text: str


@dataclass
class Table:
    rows: list[list[str | None]]  # None: covered by a merged cell; "": an empty cell


Block = Paragraph | Table


@dataclass
class Document:
    path: Path
    format: str  # "txt", "md", "html", "docx", "pdf"
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None  # from the file's own metadata (HTML <title>, Word/PDF properties)

    @property
    def has_text(self) -> bool:
        return any(
            (b.text.strip() if isinstance(b, Paragraph) else any((c or "").strip() for r in b.rows for c in r))
            for b in self.blocks
        )


class GridBudget:
    """The positions the tables of one document may expand to (``MAX_GRID_CELLS``), spent before expanding:
    a file of merged cells that would expand to gigabytes is refused after reading it, not after expanding it."""

    def __init__(self, source: str, limit: int = MAX_GRID_CELLS) -> None:
        self.source = source  # how the message names the file: 网页, Word 文档
        self.limit = limit
        self.used = 0

    def spend(self, cells: int) -> None:
        self.used += cells
        if self.used > self.limit:
            raise ImportFailed(
                f"{self.source}中的表格把合并单元格展开后超过 {self.limit:,} 格（每份报告的上限；"
                "一份年度报告的表格约 1,000 格），不像一份年度报告（可能是损坏或恶意构造的文件），已停止读取。"
            )


class TableBuilder:
    """Collects rows of (text, rowspan, colspan) cells and expands the spans into a grid.

    Each cell's area (rowspan × colspan, each capped at ``MAX_SPAN``) is spent from ``budget`` as it is added,
    before anything is expanded."""

    def __init__(self, budget: GridBudget | None = None) -> None:
        self.rows: list[list[tuple[str, int, int]]] = []
        self.cells = 0
        self.budget = budget if budget is not None else GridBudget("文档")

    def new_row(self) -> None:
        self.rows.append([])

    def add(self, text: str, rowspan: int = 1, colspan: int = 1) -> None:
        if not self.rows:
            self.new_row()
        rowspan, colspan = max(1, min(rowspan, MAX_SPAN)), max(1, min(colspan, MAX_SPAN))
        self.budget.spend(rowspan * colspan)
        self.rows[-1].append((text, rowspan, colspan))
        self.cells += 1

    def grid(self) -> Table:
        grid: list[list[str | None]] = []
        covered: dict[tuple[int, int], bool] = {}
        for r, cells in enumerate(self.rows):
            row: list[str | None] = []
            c = 0
            for text, rowspan, colspan in cells:
                while covered.pop((r, c), False):
                    row.append(None)
                    c += 1
                row.append(text)
                row.extend([None] * (colspan - 1))
                for dr in range(1, rowspan):
                    for dc in range(colspan):
                        covered[(r + dr, c + dc)] = True
                c += colspan
            while covered.pop((r, c), False):
                row.append(None)
                c += 1
            grid.append(row)
        return Table([row for row in grid if row])


def read_source(source, name: str | None = None, limit: int = MAX_FILE_BYTES) -> tuple[bytes, Path]:
    """The report's bytes and what messages call it (``name``, else its path), refusing what is not a regular file,
    empty or too large to be a report (Chinese messages). ``source`` is a path, or the report's bytes."""
    from ..common.files import read_limited, source_name

    path = source_name(source, name, "报告")
    data = read_limited(source, path, limit, lambda message: ImportFailed(message, path), "报告文件", "报告文件")
    return data, path


def check_report_file(path: Path) -> None:
    """Refuse, before opening it, a path that is not a readable regular file (a FIFO would block forever)."""
    from ..common.files import check_regular_file

    check_regular_file(path, lambda message: ImportFailed(message, path), "报告文件", "报告文件")
