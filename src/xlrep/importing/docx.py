"""Word documents (.docx) → ``Document``, with python-docx.

The package is checked before python-docx opens it: declared sizes bound what
can be inflated (zipfile never inflates past a member's declared size), and a
document part with a DOCTYPE is refused. Tables keep their merged cells
(``gridSpan``, ``vMerge``); a table that holds other tables is page layout and is
read as the paragraphs and tables it contains.
"""

from __future__ import annotations

import io
import zipfile

from .document import MAX_TABLE_CELLS, MAX_TEXT_CHARS, Document, GridBudget, ImportFailed, Paragraph, Table, read_source

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
MAX_GRID_SPAN = 64  # grid columns one cell (or gridBefore) may cover: Word allows 63
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_package(data: bytes, name: str) -> None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed(
            f"“{name}”是旧版 Word（.doc）或加密的文档，无法读取。"
            "请在 Word 或 WPS 中打开，另存为“Word 文档（*.docx）”后重试。"
        )
    if not data.startswith(b"PK"):
        raise ImportFailed(f"“{name}”不是 Word 文档（.docx），无法读取。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailed(f"“{name}”已损坏（压缩结构不完整），无法读取。请重新保存后重试。") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if (
            info.file_size > MAX_MEMBER_BYTES
            or total > MAX_TOTAL_BYTES
            or (info.file_size > 1 << 20 and ratio > MAX_RATIO)
        ):
            raise ImportFailed(
                f"“{name}”中的“{info.filename}”解压后过大（{info.file_size // (1 << 20)} MB），"
                "不像正常的 Word 文档（可能是损坏或恶意构造的文件），已停止读取。"
            )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise ImportFailed(f"“{name}”是 Excel 工作簿，不是 Word 文档。填报表请用 xlrep ingest 校验。")
        raise ImportFailed(f"“{name}”不是 Word 文档（.docx），无法读取。")
    try:
        with archive.open("word/document.xml") as handle:
            head = handle.read(65536)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise ImportFailed(f"“{name}”已损坏，无法解压。") from None
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ImportFailed(
            f"“{name}”含有 DOCTYPE/实体声明，正常的 Word 文档不会有，已拒绝读取（可能是恶意构造的文件）。"
        )


def read_docx(source, name: str | None = None) -> Document:
    """A Word report: its path, or its bytes called ``name``."""
    data, path = read_source(source, name)
    _check_package(data, path.name)
    import docx

    try:
        word = docx.Document(io.BytesIO(data))
        body = word.element.body
        title = word.core_properties.title or None
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        if "excessive depth" in str(exc).lower():  # libxml2 refuses XML nested more than 256 elements deep
            raise ImportFailed(
                f"“{path.name}”中的表格或其他内容嵌套过深（超过 XML 的 256 层，约 60 层表格套表格），"
                "不像一份年度报告（可能是损坏或恶意构造的文件），已停止读取。"
            ) from None
        raise ImportFailed(f"“{path.name}”已损坏或不是 Word 文档，无法读取。") from None
    walker = _Walker(path.name)
    blocks = walker.blocks(body)
    return Document(path, "docx", blocks, title=title)


class _Walker:
    def __init__(self, name: str = ""):
        self.chars = 0
        self.cells = 0
        self.budget = GridBudget(f"Word 文档“{name}”" if name else "Word 文档")

    def blocks(self, container) -> list:
        out: list = []
        for child in container.iterchildren():
            tag = child.tag
            if tag == W + "p":
                text = self.paragraph(child)
                if text.strip():
                    out.append(Paragraph(text))
            elif tag == W + "tbl":
                out.extend(self.table(child))
            elif tag in (W + "sdt", W + "customXml", W + "ins", W + "smartTag"):
                content = child.find(W + "sdtContent")
                out.extend(self.blocks(content if content is not None else child))
        return out

    def paragraph(self, p) -> str:
        parts = []
        for node in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
            if node.tag == W + "t":
                parts.append(node.text or "")
            elif node.tag == W + "tab":
                parts.append("\t")
            else:
                parts.append("\n")
        text = "".join(parts)
        self.chars += len(text)
        if self.chars > MAX_TEXT_CHARS:
            raise ImportFailed("Word 文档中的文字过长（超过 400 万字），不像一份年度报告，已停止读取。")
        return text

    def table(self, tbl) -> list:
        """A table as a grid (merged cells expanded), or, when it holds other tables, the blocks it holds."""
        rows = [self.row(tr) for tr in _own_rows(tbl)]
        nested = any(isinstance(b, Table) for row in rows for content, _, _ in row for b in content)
        if nested or sum(len(r) for r in rows) <= 1:  # page layout: the cells' content in reading order
            return [b for row in rows for content, _, cont in row if not cont for b in content]
        self.budget.spend(sum(span for row in rows for _, span, _ in row))  # before expanding the spans
        grid: list[list[str | None]] = []
        for row in rows:
            line: list[str | None] = []
            for content, span, cont in row:
                if cont:  # covered by the cell above (vMerge)
                    line.extend([None] * span)
                else:
                    line.append("\n".join(b.text for b in content if isinstance(b, Paragraph)))
                    line.extend([None] * (span - 1))
            grid.append(line)
        return [Table(grid)] if grid else []

    def row(self, tr) -> list[tuple[list, int, bool]]:
        """(content blocks, grid span, continues a vertical merge) for each cell of a row."""
        cells: list[tuple[list, int, bool]] = []
        trpr = tr.find(W + "trPr")
        before = trpr.find(W + "gridBefore") if trpr is not None else None
        if before is not None:  # grid columns skipped before the first cell (as many as a span may cover)
            cells.extend([([], 1, False)] * max(0, min(_int(before.get(W + "val"), 1), MAX_GRID_SPAN)))
        for tc in tr.iterchildren(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span = _int(_val(tcpr, "gridSpan"), 1)
            vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
            cont = vmerge is not None and vmerge.get(W + "val") != "restart"
            cells.append((self.blocks(tc), max(1, min(span, MAX_GRID_SPAN)), cont))
            self.cells += 1
            if self.cells > MAX_TABLE_CELLS:
                raise ImportFailed("Word 文档中的表格单元格过多，不像一份年度报告，已停止读取。")
        return cells


def _own_rows(tbl):
    """The rows of this table (also those inside a content control), not those of a table nested in one of its
    cells: its children are looked at, never all its descendants (each level of 80 nested tables re-read every
    deeper row)."""
    for child in tbl.iterchildren(W + "tr", W + "sdt"):
        if child.tag == W + "tr":
            yield child
        else:
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from content.iterchildren(W + "tr")


def _val(props, name: str):
    node = props.find(W + name) if props is not None else None
    return node.get(W + "val") if node is not None else None


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
