"""Text-based PDF reports → ``Document``, with pdfplumber (pdfminer.six underneath).

Ruled tables are read as tables, cell by cell, with merged cells (pdfplumber
gives ``None`` for the positions a merged cell covers). Text outside the tables is
regrouped into paragraphs by indentation; page numbers (``- 4 -``, ``第 4 页``) are
dropped. A table that continues on the next page simply continues: ``tables``
matches rows by their labels, not by their page. A PDF without a text layer (a
scan) cannot be imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .document import MAX_TEXT_CHARS, Document, ImportFailed, Paragraph, Table, read_source
from .text import CJK, PAGE_NUMBER, join_lines

MAX_PAGES = 300
#: Limits checked while pdfminer reads, before anything grows: the bytes all compressed streams inflate to
#: (淮安市's 6-page report: 2 MB), the characters and drawn objects (lines, rectangles, images) of one page (a dense
#: page has 2,000–4,000 characters) and of the whole document (pages × characters: pdfplumber keeps about 2 KB
#: and 30 µs for each).
MAX_INFLATED_BYTES = 32 << 20
MAX_PAGE_OBJECTS = 20_000
MAX_OBJECTS = 100_000
#: Tokens of all content streams (operators and operands), which bound the interpreter's time (about 5 µs
#: each): 淮安市's 6-page report has 38,000.
MAX_TOKENS = 500_000
INDENT = 12.0  # points: a line starting this far right of the page's text margin opens a paragraph
WIDE = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"  # CJK characters and punctuation
SPACE_BETWEEN = re.compile(rf"(?<=[{WIDE}]) (?=[0-9A-Za-z])|(?<=[0-9A-Za-z%]) (?=[{WIDE}])")


def read_pdf(source, name: str | None = None) -> Document:
    """A PDF report: its path, or its bytes called ``name``."""
    data, path = read_source(source, name)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ImportFailed(f"“{path.name}”不是 PDF 文件，无法读取。")
    with _Limits(path.name) as limits:
        return _read_pdf(path, data, limits)


def _read_pdf(path: Path, data: bytes, limits: _Limits) -> Document:
    import io

    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds on damaged or encrypted files (pdfplumber wraps them)
        _reraise_limit(exc)
        if _encrypted(exc):
            raise ImportFailed(
                f"“{path.name}”已加密（设置了打开密码），无法读取。请取消密码（或另存为不加密的 PDF）后重试。"
            ) from None
        raise ImportFailed(f"“{path.name}”已损坏或不是 PDF 文件，无法读取。") from None
    blocks: list = []
    chars = 0
    try:
        with pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ImportFailed(f"“{path.name}”有 {len(pdf.pages)} 页，远多于一份年度报告，已停止读取。")
            title = (pdf.metadata or {}).get("Title")
            lines_out: list = []
            for number, page in enumerate(pdf.pages, 1):
                limits.new_page(number)
                page_blocks, page_chars = _page_blocks(page)
                page.close()  # pdfplumber keeps each page's objects until closed
                chars += page_chars
                if chars > MAX_TEXT_CHARS:
                    raise ImportFailed(f"“{path.name}”中的文字过长，不像一份年度报告，已停止读取。")
                lines_out.extend(page_blocks)
    except ImportFailed:
        raise
    except Exception as exc:
        _reraise_limit(exc)
        if _encrypted(exc):
            raise ImportFailed(f"“{path.name}”已加密，无法读取其中的文字。请取消加密后重试。") from None
        raise ImportFailed(f"“{path.name}”已损坏，无法读取其中的文字。") from None
    if chars == 0:
        raise ImportFailed(
            f"“{path.name}”中没有文字层（可能是扫描件或图片），无法导入。请使用可复制文字的 PDF、Word 或网页版本。"
        )
    blocks = _paragraphs(lines_out)
    return Document(path, "pdf", blocks, title=title if isinstance(title, str) else None)


def _chain(exc: BaseException):
    """The exception, what it wraps (pdfplumber's PdfminerException(e) holds e in its args) and its causes."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]


def _reraise_limit(exc: BaseException) -> None:
    """A limit reached inside pdfminer comes out wrapped: raise it as it was raised."""
    for e in _chain(exc):
        if isinstance(e, ImportFailed):
            raise e from None


def _encrypted(exc: BaseException) -> bool:
    names = " ".join(f"{type(e).__name__} {e}" for e in _chain(exc)).lower()
    return "password" in names or "encrypt" in names


class _Limits:
    """pdfminer with limits checked before expansion, for one document: the bytes its streams inflate to
    (FlateDecode, LZWDecode, RunLengthDecode, counted as they come out, never inflated beyond the limit), the
    tokens of its content streams, and the characters and drawn objects of each page and of all pages (counted
    as the interpreter makes them, before the layout analysis and pdfplumber's objects multiply them).
    pdfminer's functions are swapped for bounded ones while the document is read, and put back afterwards."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.inflated = 0
        self.page = 0
        self.page_objects = 0
        self.objects = 0
        self.tokens = 0
        self._saved: list = []

    # -- the limits ------------------------------------------------------------------
    def inflate(self, count: int) -> None:
        self.inflated += count
        if self.inflated > MAX_INFLATED_BYTES:
            raise ImportFailed(
                f"“{self.name}”中的压缩数据解压后超过 {MAX_INFLATED_BYTES >> 20} MB（每份报告的上限；一份年度报告"
                "的 PDF 解压后只有几 MB），不像一份年度报告（可能是损坏或恶意构造的文件），已停止读取。"
            )

    def room(self) -> int:
        return MAX_INFLATED_BYTES - self.inflated

    def new_page(self, number: int) -> None:
        self.page, self.page_objects = number, 0

    def drawn(self) -> None:
        self.page_objects += 1
        self.objects += 1
        if self.page_objects > MAX_PAGE_OBJECTS:
            raise ImportFailed(
                f"“{self.name}”第 {self.page} 页的文字和图形超过 {MAX_PAGE_OBJECTS:,} 个（每页的上限；"
                "一页报告约有 2,000–4,000 个字），不像一份年度报告，已停止读取。"
            )
        if self.objects > MAX_OBJECTS:
            raise ImportFailed(
                f"“{self.name}”的文字和图形超过 {MAX_OBJECTS:,} 个（页数 × 每页字数的上限），"
                "不像一份年度报告，已停止读取。"
            )

    def token(self) -> None:
        self.tokens += 1
        if self.tokens > MAX_TOKENS:
            raise ImportFailed(
                f"“{self.name}”的页面内容超过 {MAX_TOKENS:,} 个绘制指令（每份报告的上限；一份年度报告约几万个），"
                "不像一份年度报告，已停止读取。"
            )

    # -- pdfminer, bounded -------------------------------------------------------------
    def __enter__(self) -> _Limits:
        from pdfminer import converter, pdfinterp, pdftypes

        from . import pdfbounds

        analyzer, content = converter.PDFLayoutAnalyzer, pdfinterp.PDFContentParser
        replaced = {
            (pdftypes, "zlib"): pdfbounds.zlib_module(self),
            (pdftypes, "decompress_corrupted"): pdfbounds.corrupted(self),
            (pdftypes, "lzwdecode"): pdfbounds.lzw(self),
            (pdftypes, "rldecode"): pdfbounds.runlength(self),
            (content, "nexttoken"): pdfbounds.counted(content.nexttoken, self.token),
            **{
                (analyzer, name): pdfbounds.counted(getattr(analyzer, name), self.drawn)
                for name in ("render_char", "paint_path", "render_image")
            },
        }
        for (owner, name), value in replaced.items():
            self._saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, value)
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, value in reversed(self._saved):
            setattr(owner, name, value)
        self._saved.clear()


def _page_blocks(page) -> tuple[list, int]:
    """A page as ("line", top, x0, margin, text), ("row", top, cells), ("table", top, Table) items, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes)

    rest = page.filter(outside) if boxes else page
    lines = [ln for ln in rest.extract_text_lines(strip=True, return_chars=True) if ln["text"].strip()]
    lines = [ln for ln in lines if not PAGE_NUMBER.match(ln["text"])]
    margin = min((ln["x0"] for ln in lines), default=0.0)
    chars = sum(len(ln["text"]) for ln in lines)
    items = _unruled(lines, margin)
    for table in tables:
        rows = table.extract()
        width = max((len(r) for r in rows), default=0)
        chars += sum(len(c or "") for r in rows for c in r)
        if width <= 1:  # a box drawn around text, not a table: its lines are one paragraph
            text = ""
            for r in rows:
                for c in r:
                    for part in (c or "").split("\n"):
                        if part.strip():
                            text = join_lines(text, part.strip()) if text else part.strip()
            if text:
                items.append(("line", table.bbox[1], margin + INDENT * 2, margin, text))
            continue
        items.append(("table", table.bbox[1], Table([list(r) for r in rows])))
    items.sort(key=lambda item: item[1])
    return items, chars


# -- tables without rules -------------------------------------------------------------------

COLUMN_GAP = 8.0  # points between two columns of a table (words of running text are ~4 pt apart at most)
LABEL_GAP = 3.5  # between two label columns squeezed together (a group label beside a row label)
FIGURE = re.compile(r"[+\-]?\d[\d.,]*(?:万元|元|件)?|[-—–/无]")
CELL_START = re.compile(
    r"^(?:\d{1,2}[.、．]|[（(][一二三四五六七八九十]{1,2}(?:[）)]|$)|[一二三四五六七八九十]{1,2}、)"
)


@dataclass
class _Seg:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def _segments(line: dict, gap: float = COLUMN_GAP, before: float | None = None) -> list[_Seg]:
    """The parts of one printed line that stand apart by ``gap``: the cells of a table row (left of ``before``)."""
    glyphs = [c for c in line["chars"] if c["text"].strip() and (before is None or c["x1"] <= before)]
    out: list[_Seg] = []
    for char in glyphs:
        if out and char["x0"] - out[-1].x1 <= gap:
            seg = out[-1]
            seg.text += char["text"]
            seg.x1 = max(seg.x1, char["x1"])
            seg.bottom = max(seg.bottom, char["bottom"])
        else:
            out.append(_Seg(char["text"], char["x0"], char["x1"], char["top"], char["bottom"]))
    return out


FIGURE_GAP = 2.0  # between two figures in narrow columns (the glyphs of one figure touch)


def _value_line(line: dict) -> list[_Seg] | None:
    """A table row printed as ``label … figure figure …``: its parts, figures split apart; else None.

    The label must stand a column gap away from the first figure and hold no figure itself
    (but its ordinal), so that a sentence ending in a number is never taken for a row.
    """
    words = _segments(line, FIGURE_GAP)
    k = len(words)
    while k > 0 and FIGURE.fullmatch(words[k - 1].text):
        k -= 1
    if k == len(words):
        return None
    if k and words[k].x0 - words[k - 1].x1 < COLUMN_GAP:
        return None
    label = _segments(line, COLUMN_GAP, words[k].x0 - 0.5)
    if any(re.search(r"\d", CELL_START.sub("", s.text)) for s in label):
        return None  # a sentence with a number in it, not a row label
    return label + words[k:]


def _unruled(lines: list[dict], margin: float) -> list:
    """Lines → items; rows of figures gather the label text printed above and below them in the label columns.

    A table without rules (a web page printed to PDF) prints a row's label over several lines around
    its figures, next to the group label of the column before it. Reading line by line would glue
    the two columns together and hand the figures to the wrong label; here each label cell is
    rebuilt in its own column and given to the row whose figures are nearest its middle.
    """
    return _Unruled(lines, margin).items()


class _Unruled:
    def __init__(self, lines: list[dict], margin: float):
        self.margin = margin
        self.parsed: list[tuple[dict, list[_Seg]]] = []
        self.values: dict[int, int] = {}  # line index -> index of its first figure
        for i, ln in enumerate(lines):
            row = _value_line(ln)
            self.parsed.append((ln, row if row is not None else _segments(ln)))
            if row is not None:
                self.values[i] = next(j for j, seg in enumerate(row) if _after_label(row, j))
        heights = sorted(ln["bottom"] - ln["top"] for ln in lines) or [12.0]
        self.lh = max(heights[len(heights) // 2], 6.0)
        self.attached: dict[int, list[_Seg]] = {}  # value line index -> its label cells
        self.used: set[int] = set()  # lines whose text went into label cells
        self.loose: list = []  # label cells of the next page's rows, left in the running text

    def items(self) -> list:
        for zone in _zones(list(self.values.items()), self.parsed, self.lh):
            self.zone(zone)
        items: list = []
        for i, (ln, segs) in enumerate(self.parsed):
            if i in self.used:
                continue
            if i in self.values:
                labels = [s.text for s in _reading_order(self.attached.get(i, []))]
                items.append(("row", ln["top"], labels + [s.text for s in segs[self.values[i] :]]))
            elif len(segs) >= 2:
                items.append(("row", ln["top"], [s.text for s in segs]))
            else:
                items.append(("line", ln["top"], ln["x0"], self.margin, ln["text"]))
        return items + self.loose

    def label_only(self, m: int, num_x0: float) -> bool:
        return m not in self.values and all(s.x1 <= num_x0 - 2 for s in self.parsed[m][1])

    def members(self, first: int, last: int, num_x0: float) -> list[int]:
        """Label lines among the zone's figures, and the label lines just above and below them."""
        members = [m for m in range(first, last + 1) if self.label_only(m, num_x0)]
        for step, m in ((-1, first - 1), (1, last + 1)):
            edge = self.parsed[first if step < 0 else last][0]
            while 0 <= m < len(self.parsed) and self.label_only(m, num_x0):
                ln = self.parsed[m][0]
                if (edge["top"] - ln["bottom"] if step < 0 else ln["top"] - edge["bottom"]) > 3 * self.lh:
                    break
                members.append(m)
                edge = ln
                m += step
        return members

    def zone(self, zone: list[tuple[int, int]]) -> None:
        num_x0 = min(self.parsed[i][1][k].x0 for i, k in zone)
        first, last = zone[0][0], zone[-1][0]
        fragments: list[tuple[_Seg, int | None]] = []
        for i, k in zone:
            fragments.extend((s, i) for s in _segments(self.parsed[i][0], LABEL_GAP, self.parsed[i][1][k].x0 - 0.5))
        for m in self.members(first, last, num_x0):
            fragments.extend((s, None) for s in _segments(self.parsed[m][0], LABEL_GAP))
            self.used.add(m)
        centers = {i: (self.parsed[i][0]["top"] + self.parsed[i][0]["bottom"]) / 2 for i, _ in zone}
        bottom = self.parsed[last][0]["bottom"]
        for (left, right), cell in _label_cells(fragments, self.lh):
            text = "".join(s.text for s, _ in cell)
            top = min(s.top for s, _ in cell)
            owner = next((i for _, i in cell if i is not None), None)
            if owner is None and top > bottom and CELL_START.match(text):
                self.loose.append(("line", top, left, self.margin, text))  # a row whose figures are overleaf
                continue
            if owner is None:
                middle = (top + max(s.bottom for s, _ in cell)) / 2
                owner = min(centers, key=lambda i: abs(centers[i] - middle))
            self.attached.setdefault(owner, []).append(_Seg(text, left, right, top, 0))


def _after_label(row: list[_Seg], j: int) -> bool:
    return all(FIGURE.fullmatch(seg.text) for seg in row[j:])


def _zones(values: list[tuple[int, int]], parsed, lh: float) -> list[list[tuple[int, int]]]:
    """Runs of figure rows that are one table: only label text (left of the figures) between them, no wide gap."""
    zones: list[list[tuple[int, int]]] = []
    for i, k in values:
        if zones:
            j, jk = zones[-1][-1]
            left = min(parsed[i][1][k].x0, parsed[j][1][jk].x0) - 2
            between = [parsed[m][0] for m in range(j + 1, i)]
            edges = [parsed[j][0]["bottom"]] + [b["top"] for b in between] + [parsed[i][0]["top"]]
            tight = all(b - a <= 6 * lh for a, b in zip(edges, edges[1:], strict=False))
            if tight and all(b["x1"] <= left for b in between):
                zones[-1].append((i, k))
                continue
        zones.append([(i, k)])
    return zones


def _label_cells(fragments: list[tuple[_Seg, int | None]], lh: float) -> list[tuple[tuple[float, float], list]]:
    """Label fragments → cells: each fragment continues the cell just above it in its column, unless it opens one.

    A fragment opens a cell when it starts with an ordinal (``2.``, ``（三）``, ``四、``) or nothing above it
    lines up with it. Lining up means overlapping by half the narrower width, so a label printed across
    two columns (（七）总计) does not pull the group column and the row-label column into one.
    """
    chains: list[list[tuple[_Seg, int | None]]] = []
    for frag in sorted(fragments, key=lambda f: (f[0].top, f[0].x0)):
        seg = frag[0]
        best = None
        if not CELL_START.match(seg.text):
            for chain in chains:
                last = chain[-1][0]
                overlap = min(last.x1, seg.x1) - max(last.x0, seg.x0)
                gap = seg.top - last.bottom
                wider = max(last.x1 - last.x0, seg.x1 - seg.x0)
                aligned = (
                    abs((last.x0 + last.x1) - (seg.x0 + seg.x1)) / 2 <= 0.25 * wider or abs(last.x0 - seg.x0) <= 1.5
                )
                if aligned and overlap >= 0.5 * min(last.x1 - last.x0, seg.x1 - seg.x0) and -lh < gap <= 3 * lh:
                    if frag[1] is not None and any(i is not None and i != frag[1] for _, i in chain):
                        continue  # two rows' own labels are never one cell
                    if best is None or gap < best[0]:
                        best = (gap, chain)
        if best is None:
            chains.append([frag])
        else:
            best[1].append(frag)
    return [((min(s.x0 for s, _ in chain), max(s.x1 for s, _ in chain)), chain) for chain in chains]


def _reading_order(cells: list[_Seg]) -> list[_Seg]:
    """A row's label cells column by column (cells that overlap side to side are one column), top to bottom."""
    columns: list[list[_Seg]] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        for column in columns:
            if any(cell.x0 < c.x1 and c.x0 < cell.x1 for c in column):
                column.append(cell)
                break
        else:
            columns.append([cell])
    return [c for column in columns for c in sorted(column, key=lambda c: c.top)]


def _paragraphs(items: list) -> list:
    blocks: list = []
    current = ""
    rows: list[list[str]] = []

    def flush_rows() -> None:
        if rows:
            width = max(len(r) for r in rows)
            blocks.append(Table([r + [""] * 0 for r in rows] if width > 1 else [[r[0]] for r in rows]))
            rows.clear()

    for item in items:
        if item[0] in ("table", "row"):
            if current:
                blocks.append(Paragraph(current))
                current = ""
            if item[0] == "table":
                flush_rows()
                blocks.append(item[2])
            else:
                rows.append(item[2])
            continue
        flush_rows()
        _, _, x0, margin, text = item
        text = SPACE_BETWEEN.sub("", text.strip())
        if not current:
            current = text
        elif x0 > margin + INDENT or _ends_heading(current):
            blocks.append(Paragraph(current))
            current = text
        else:
            current = (
                join_lines(current, text) if not (CJK.match(current[-1]) and CJK.match(text[0])) else current + text
            )
    flush_rows()
    if current:
        blocks.append(Paragraph(current))
    return blocks


def _ends_heading(text: str) -> bool:
    """A short line such as 一、总体情况 stands alone even when the next line is not indented."""
    return len(text) <= 30 and bool(re.match(r"^[一二三四五六七八九十]+、", text)) and not text.endswith(("，", "、"))
