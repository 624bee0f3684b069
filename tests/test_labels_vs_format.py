"""Every label of the generated workbook, compared with the official format.

The expectations are the repository's own statement of the official forms,
``tests/reference/official_forms.toml`` (facts: labels, merges, counts); the actual labels
are *read* from the cells of a freshly generated workbook with openpyxl. Neither side is
taken from xlrep's form or layout objects, so the tests fail when either drifts. Where the
product's format reference is available (``format.md`` beside ``XLREP_CORPUS``), the
reference file is also held against it: the expectations are *parsed* from format.md and
must equal the file.

Positions are compared relative to each table's top-left corner; a placement is
``(text, row offset, column offset, rows spanned, columns spanned)``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import reference_dir
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlrep.edition.form import load_form
from xlrep.writer.template import build_template

OFFICIAL_FORMS = Path(__file__).resolve().parent / "reference" / "official_forms.toml"

#: Edition → the report year used to generate its workbook.
EDITION_YEARS = {"2019": 2020, "2021": 2021}

#: xlrep's own live check row under table 三 (not part of the official format).
XLREP_CHECK_ROW = "勾稽校验"

#: Half-width punctuation that must never appear in a written label (format.md: labels use ``（）：，``).
HALF_WIDTH = "():,"

#: Row 2 of every form sheet is xlrep's fill-in note, not a label.
NOTE_ROW = 2

NUMBER_WORDS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), start=1)}

Placement = tuple[str, int, int, int, int]


# --------------------------------------------------------------------------- format.md


def format_md() -> str:
    """The product's format reference (skipped without it: see corpus.py)."""
    return (reference_dir() / "format.md").read_text(encoding="utf-8")


def number(word: str) -> int:
    """``"5"`` or ``"five"`` → 5."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def md_section(md: str, heading: str) -> str:
    """The text under the markdown heading starting with ``heading``, up to the next heading of the same or higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = md.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    assert start is not None, f"format.md has no heading {heading!r}"
    body = []
    for line in lines[start + 1 :]:
        m = re.match(r"(#+) ", line)
        if m and len(m.group(1)) <= level:
            break
        body.append(line)
    return "\n".join(body)


def fenced_block(text: str) -> list[str]:
    """The lines of the first fenced code block in ``text``."""
    m = re.search(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert m, "expected a fenced code block"
    return [line.rstrip() for line in m.group(1).splitlines() if line.strip()]


def md_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The first markdown table in ``text`` as (header cells, body rows of cells)."""
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    assert rows, "expected a markdown table"
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    header, body = cells[0], [r for r in cells[1:] if not re.fullmatch(r"[-:| ]*", "|".join(r))]
    return header, body


def backticked(text: str) -> list[str]:
    """Every `backticked` string in ``text``, in order."""
    return re.findall(r"`([^`]+)`", text)


def display_width(text: str) -> int:
    """Monospace width: CJK characters count two columns (how the ASCII art in format.md is aligned)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def section_headings(md: str) -> list[tuple[str, str]]:
    """§1: (numeral, official heading) of the six sections, in order."""
    text = md_section(md, "## 1.")
    _, body = md_table(text)
    headings = [(row[0], backticked(row[1])[0]) for row in body]
    count = re.match(r"## 1\. The (\w+) sections", md[md.index("## 1.") :])
    assert count and len(headings) == number(count.group(1)), "format.md §1: section count does not match its table"
    return headings


@dataclass(frozen=True)
class SmallTable:
    """§2: one small table of section 二."""

    caption: str
    lead: str  # the first header cell, 信息内容
    columns: tuple[str, ...]
    rows: tuple[str, ...]

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(self.rows))


def active_disclosure_tables(md: str, edition: str) -> list[SmallTable]:
    """§2: the small tables of one edition, in documented order."""
    text = md_section(md, f"### {edition} edition")
    header, body = md_table(text)
    i_caption = next(i for i, h in enumerate(header) if h.startswith("caption"))
    i_columns = next(i for i, h in enumerate(header) if h.startswith("columns"))
    i_rows = next(i for i, h in enumerate(header) if h.startswith("rows"))
    (lead,) = backticked(header[i_columns])
    return [
        SmallTable(backticked(r[i_caption])[0], lead, backticked(r[i_columns]), backticked(r[i_rows])) for r in body
    ]


@dataclass(frozen=True)
class HeaderLabel:
    """A header cell described in format.md, placed relative to the table's top-left corner."""

    text: str
    row: int
    col: int
    rows: int
    cols: int

    @property
    def placement(self) -> Placement:
        return (self.text, self.row, self.col, self.rows, self.cols)


@dataclass(frozen=True)
class RowLabel:
    """§3: one label of the rows block; ``level`` is its indentation level, ``group`` whether it heads sub-rows."""

    text: str
    level: int
    group: bool


def request_header_depth(md: str) -> int:
    """§3: the number of header rows ("Header (three rows)")."""
    m = re.search(r"Header \((\w+) rows\)", md_section(md, "## 3."))
    assert m, "format.md §3: no 'Header (N rows)'"
    return number(m.group(1))


def request_value_columns(md: str) -> int:
    """§3: the number of value columns ("**7 value columns**")."""
    m = re.search(r"\*\*(\w+) value columns\*\*", md_section(md, "## 3."))
    assert m, "format.md §3: no '**N value columns**'"
    return number(m.group(1))


def request_header_bullets(md: str) -> list[str]:
    """§3: the bullets of the "Header (three rows)" list, continuation lines joined."""
    text = md_section(md, "## 3.")
    block = text[text.index("Header (") :].split("\n\n")[0]
    bullets: list[str] = []
    for line in block.splitlines()[1:]:
        if line.startswith("- "):
            bullets.append(line[2:].strip())
        else:
            bullets[-1] += " " + line.strip()
    return bullets


def request_header(md: str) -> list[HeaderLabel]:
    """§3: the header labels in reading order, with their documented spans.

    The first bullet is the top-left block, merged over the label columns and the header
    rows. Each later bullet holds the labels "under" the previous one (or under the label
    it names): they sit one row lower, side by side from the parent's first column, each
    as wide and as tall as its "(spans …)" note says (default one cell).
    """
    depth = request_header_depth(md)
    n_values = request_value_columns(md)
    n_labels = max(r.level for edition in EDITION_YEARS for r in request_rows(md, edition)) + 1  # label columns
    bullets = request_header_bullets(md)

    corner_bullet = bullets[0]
    m = re.search(r"merged over the label columns and the (\w+) header rows", corner_bullet)
    assert m and number(m.group(1)) == depth, "format.md §3: the top-left block's merge is not as expected"
    (corner,) = backticked(corner_bullet)
    labels = [HeaderLabel(corner, 0, -n_labels, depth, n_labels)]

    by_text: dict[str, HeaderLabel] = {}
    previous: HeaderLabel | None = None  # the first label of the previous bullet ("under it")
    for bullet in bullets[1:]:
        parent = None
        under = re.match(r"under (it|`([^`]+)`):\s*", bullet)
        if under:
            parent = previous if under.group(1) == "it" else by_text[under.group(2)]
            bullet = bullet[under.end() :]
        row, col = (parent.row + parent.rows, parent.col) if parent else (0, 0)
        first = None
        for m in re.finditer(r"`([^`]+)`([^`]*)", bullet):
            text, note = m.groups()
            rows = cols = 1
            spans = re.search(r"spans (all value columns|(\w+) (header rows|columns))", note)
            if spans and spans.group(1) == "all value columns":
                cols = n_values
            elif spans and spans.group(3) == "header rows":
                rows = number(spans.group(2))
            elif spans:
                cols = number(spans.group(2))
            label = HeaderLabel(text, row, col, rows, cols)
            labels.append(label)
            by_text[text] = label
            first = first or label
            col += cols
        if parent:
            assert col - parent.col == parent.cols, f"format.md §3: labels under {parent.text} do not fill its columns"
        previous = first
    return labels


def _strip_annotation(text: str) -> tuple[str, str]:
    """``"（三）不予公开   (group label over 8 rows)"`` → (label, annotation).

    Only a trailing *half-width* ``(…)`` is an annotation; full-width ``（…）`` is label text.
    """
    m = re.search(r"\s+\(([^()]*)\)\s*$", text)
    return (text[: m.start()].strip(), m.group(1)) if m else (text.strip(), "")


def request_rows(md: str, edition: str) -> list[RowLabel]:
    """§3: the row labels of one edition in order, from the "Rows, in order" code block.

    Indentation gives the level; trailing half-width ``(…)`` annotations are dropped (and
    cross-checked: "group label … over N rows" must match the parsed tree). A line
    ``2019: …`` / ``2021: …`` opens an edition-specific scope: the lines after it, at its
    indentation or deeper, belong only to that edition.
    """
    text = md_section(md, "## 3.")
    lines = fenced_block(text[text.index("Rows, in order") :])
    entries: list[tuple[str, int, str]] = []  # (label, indent, annotation)
    scope: tuple[str, int] | None = None  # (edition, indent)
    notes: dict[int, str] = {}  # entry index → annotation of an edition marker about that entry
    for line in lines:
        indent = len(line) - len(line.lstrip())
        label, annotation = _strip_annotation(line)
        if scope and indent < scope[1]:
            scope = None
        marker = re.match(r"(\d{4}):\s*(.*?):?$", label)
        if marker:
            scope = (marker.group(1), indent)
            if marker.group(1) == edition:
                notes[len(entries) - 1] = marker.group(2)
            continue
        if scope and scope[0] != edition:
            continue
        entries.append((label, indent, annotation))

    indents = sorted({indent for _, indent, _ in entries})
    rows = []
    for i, (label, indent, _) in enumerate(entries):
        level = indents.index(indent)
        group = i + 1 < len(entries) and indents.index(entries[i + 1][1]) > level
        rows.append(RowLabel(label, level, group))

    for i, (label, _, annotation) in enumerate(entries):
        note = " ".join(filter(None, (annotation, notes.get(i, ""))))
        if "group label" in note:
            assert rows[i].group, f"format.md §3: {label} is annotated as a group label but has no sub-rows"
            over = re.search(r"over (\d+) rows", note)
            if over:
                assert len(leaves_under(rows, i)) == int(over.group(1)), f"format.md §3: {label} row count"
        if "single data row" in note:
            assert not rows[i].group, f"format.md §3: {label} should be a single data row in {edition}"
    return rows


def leaves_under(rows: list[RowLabel], i: int) -> list[int]:
    """Indices of the data rows (leaves) under group ``i`` (or ``[i]`` for a data row)."""
    if not rows[i].group:
        return [i]
    out = []
    for j in range(i + 1, len(rows)):
        if rows[j].level <= rows[i].level:
            break
        if not rows[j].group:
            out.append(j)
    return out


def request_row_placements(rows: list[RowLabel]) -> list[Placement]:
    """§3: where each row label goes: a group label merged down over its data rows in its own
    column; a data-row label from its level's column to the last label column."""
    n_labels = max(r.level for r in rows) + 1
    leaf_row = {}
    for i, r in enumerate(rows):
        if not r.group:
            leaf_row[i] = len(leaf_row)
    out = []
    for i, r in enumerate(rows):
        leaves = leaves_under(rows, i)
        top = leaf_row[leaves[0]]
        if r.group:
            out.append((r.text, top, r.level, len(leaves), 1))
        else:
            out.append((r.text, top, r.level, 1, n_labels - r.level))
    return out


def documented_result_rows(md: str) -> tuple[dict[str, int], str, str]:
    """§3: ({edition: result data rows}, first label prefix, last label prefix) from
    "The result block has 20 data rows in 2019 and 22 in 2021 (（一） to （七）)"."""
    m = re.search(
        r"(\d+) data rows in (\d{4}) and (\d+) in (\d{4}) \((\S+) to (\S+)\)", " ".join(md_section(md, "## 3.").split())
    )
    assert m, "format.md §3: result row counts not found"
    return {m.group(2): int(m.group(1)), m.group(4): int(m.group(3))}, m.group(5), m.group(6)


def review_header_art(md: str) -> list[str]:
    """§4: the lines of the header ASCII art."""
    return fenced_block(md_section(md, "## 4."))


def review_header_tokens(md: str) -> list[str]:
    """§4: every header label in the art (split on ``|`` and whitespace)."""
    return [tok for line in review_header_art(md) for tok in re.split(r"[|\s]+", line) if tok]


def review_header(md: str) -> list[HeaderLabel]:
    """§4: the header labels with their spans, read from the art's column alignment.

    The last art line holds the leaf headers, one value column each. An upper cell spans
    the leaf columns that lie under it (by display column). An empty upper cell belongs to
    the leaves below it: they span upward through it ("行政复议's five headers span the two
    lower header rows").
    """
    art = review_header_art(md)

    def segments(line: str) -> list[tuple[int, int, str]]:
        cuts = [display_width(line[:i]) for i, ch in enumerate(line) if ch == "|"]
        parts = line.split("|")[1:-1]
        return [(cuts[k], cuts[k + 1], parts[k].strip()) for k in range(len(parts))]

    lines = [segments(line) for line in art]
    depth = len(lines)
    leaves: list[tuple[int, int, str]] = []  # (start, end, text) of the segment each leaf sits in
    for start, end, text in lines[-1]:
        leaves += [(start, end, tok) for tok in text.split()]

    labels = []
    for level, segs in enumerate(lines[:-1]):
        for start, end, text in segs:
            if not text:
                continue
            cols = [j for j, (s, e, _) in enumerate(leaves) if start <= s and e <= end]
            labels.append(HeaderLabel(text, level, cols[0], 1, len(cols)))
    for j, (start, end, text) in enumerate(leaves):
        top = depth - 1
        while top > 0 and any(s <= start and end <= e and not t for s, e, t in lines[top - 1]):
            top -= 1
        labels.append(HeaderLabel(text, top, j, depth - top, 1))
    return labels


# --------------------------------------------------------------------------- the expectations


@dataclass(frozen=True)
class Official:
    """What the official forms say, from the reference file or parsed from format.md (they must agree)."""

    sections: tuple[tuple[str, str], ...]  # (numeral, heading)
    active_tables: dict[str, tuple[SmallTable, ...]]
    request_header: tuple[HeaderLabel, ...]
    request_rows: dict[str, tuple[RowLabel, ...]]
    result_rows: dict[str, int]
    result_first: str
    result_last: str
    review_header: tuple[HeaderLabel, ...]
    review_depth: int
    review_value_cells: int

    @staticmethod
    def from_file(path: Path = OFFICIAL_FORMS) -> Official:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        editions = data["editions"]
        return Official(
            sections=tuple((n, h) for n, h in data["sections"]),
            active_tables={
                ed: tuple(SmallTable(t["caption"], t["lead"], t["columns"], t["rows"]) for t in e["active_tables"])
                for ed, e in editions.items()
            },
            request_header=tuple(HeaderLabel(*h) for h in data["request"]["header"]),
            request_rows={ed: tuple(RowLabel(*r) for r in e["request_rows"]) for ed, e in editions.items()},
            result_rows={ed: e["result_rows"] for ed, e in editions.items()},
            result_first=data["request"]["result_first"],
            result_last=data["request"]["result_last"],
            review_header=tuple(HeaderLabel(*h) for h in data["review"]["header"]),
            review_depth=data["review"]["header_rows"],
            review_value_cells=data["review"]["value_cells"],
        )

    @staticmethod
    def from_format_md(md: str) -> Official:
        counts, first, last = OFFICIAL.result_rows, OFFICIAL.result_first, OFFICIAL.result_last
        value_cells = re.search(r"(\d+) value cells", md_section(md, "## 4."))
        return Official(
            sections=tuple(section_headings(md)),
            active_tables={ed: tuple(active_disclosure_tables(md, ed)) for ed in EDITION_YEARS},
            request_header=tuple(request_header(md)),
            request_rows={ed: tuple(request_rows(md, ed)) for ed in EDITION_YEARS},
            result_rows=counts,
            result_first=first,
            result_last=last,
            review_header=tuple(review_header(md)),
            review_depth=len(review_header_art(md)),
            review_value_cells=int(value_cells.group(1)),
        )


OFFICIAL = Official.from_file()


# --------------------------------------------------------------------------- workbook


@dataclass(frozen=True)
class Generated:
    edition: str
    book: Workbook


@pytest.fixture(scope="module", params=sorted(EDITION_YEARS))
def generated(request, tmp_path_factory) -> Generated:
    """The workbook of one edition, written to disk and read back with openpyxl."""
    edition = request.param
    path = tmp_path_factory.mktemp(f"edition{edition}") / f"template-{edition}.xlsx"
    path.write_bytes(build_template(EDITION_YEARS[edition], load_form(edition)))
    return Generated(edition, load_workbook(path))


def is_text(cell) -> bool:
    """A non-empty string that is not a formula."""
    return cell.data_type != "f" and isinstance(cell.value, str) and cell.value.strip() != ""


def section_sheet(book: Workbook, numeral: str) -> Worksheet:
    """The only sheet whose name starts with ``{numeral}、``."""
    names = [n for n in book.sheetnames if n.startswith(f"{numeral}、")]
    assert len(names) == 1, f"expected exactly one sheet for section {numeral}, found {names}"
    return book[names[0]]


def span(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    """(rows, columns) covered by the cell at (row, col): its merged range, or 1×1."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row == row and rng.min_col == col:
            return rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1
    return 1, 1


def text_cells(ws: Worksheet, rows: range, cols: range | None = None) -> list[tuple[int, int, str]]:
    """(row, column, text) of the text cells in the given rows (and columns), row by row, left to right."""
    cols = cols or range(1, ws.max_column + 1)
    return [(r, c, ws.cell(r, c).value) for r in rows for c in cols if is_text(ws.cell(r, c))]


def placements(ws: Worksheet, cells: list[tuple[int, int, str]], top: int, left: int) -> list[Placement]:
    """The workbook counterpart of ``HeaderLabel.placement``, relative to (top, left)."""
    return [(text, r - top, c - left, *span(ws, r, c)) for r, c, text in cells]


def find_cells(ws: Worksheet, text: str, col: int | None = None) -> list[tuple[int, int]]:
    """(row, column) of every cell whose value is exactly ``text``."""
    return [
        (cell.row, cell.column)
        for row in ws.iter_rows()
        for cell in row
        if cell.value == text and (col is None or cell.column == col)
    ]


def request_table(ws: Worksheet) -> tuple[int, int, int]:
    """Table 三's (header top row, first value column, first data row), found via the corner text."""
    corner = OFFICIAL.request_header[0]
    found = find_cells(ws, corner.text)
    assert len(found) == 1, f"{ws.title}: corner text {corner.text!r} found at {found}"
    top, left = found[0]
    return top, left + corner.cols, top + corner.rows


def review_table_top(ws: Worksheet) -> tuple[int, int]:
    """Table 四's top-left: the first text cell below the title and note rows."""
    cells = text_cells(ws, range(NOTE_ROW + 1, ws.max_row + 1))
    assert cells, f"{ws.title}: no table found"
    top = cells[0][0]
    return top, min(c for r, c, _ in cells if r == top)


# --------------------------------------------------------------------------- tests


def test_the_reference_file_states_what_format_md_states():
    """The repository's reference file against the product's format reference (when it is there)."""
    assert Official.from_format_md(format_md()) == OFFICIAL


def test_section_sheets_start_with_the_official_headings_in_order(generated):
    headings = OFFICIAL.sections
    sheets = [section_sheet(generated.book, numeral) for numeral, _ in headings]
    assert [ws["A1"].value for ws in sheets] == [h for _, h in headings]
    positions = [generated.book.sheetnames.index(ws.title) for ws in sheets]
    assert positions == sorted(positions), f"section sheets out of order: {[ws.title for ws in sheets]}"


def test_active_disclosure_tables_have_documented_captions_columns_and_rows(generated):
    tables = OFFICIAL.active_tables[generated.edition]
    ws = section_sheet(generated.book, "二")
    caption_rows = []
    for t in tables:
        found = find_cells(ws, t.caption)
        assert len(found) == 1 and found[0][1] == 1, f"caption {t.caption!r} expected once in column A, found {found}"
        r = found[0][0]
        caption_rows.append(r)
        header = [ws.cell(r + 1, c).value for c in range(1, ws.max_column + 1)]
        while header and header[-1] is None:
            header.pop()
        assert header == [t.lead, *t.columns], f"header row under {t.caption}"
        labels = [ws.cell(r + 2 + i, 1).value for i in range(len(t.rows) + 1)]
        assert labels == [*t.rows, None], f"row labels under {t.caption} (then an empty row)"
    assert caption_rows == sorted(caption_rows), "captions are not in the documented order"
    leads = find_cells(ws, tables[0].lead)
    assert len(leads) == len(tables), f"{len(leads)} tables with a {tables[0].lead!r} header, {len(tables)} documented"


def test_request_header_labels_read_in_documented_order(generated):
    expected = [h.text for h in OFFICIAL.request_header]
    ws = section_sheet(generated.book, "三")
    top, _, data = request_table(ws)
    assert [text for _, _, text in text_cells(ws, range(top, data))] == expected


def test_request_header_merges_match_format(generated):
    """Corner over label columns × header rows; 申请人情况 over all 7 value columns; 自然人 and
    总计 two rows tall; 法人或其他组织 five columns wide, its five sub-columns beneath it."""
    ws = section_sheet(generated.book, "三")
    top, left, data = request_table(ws)
    actual = placements(ws, text_cells(ws, range(top, data)), top, left)
    assert actual == [h.placement for h in OFFICIAL.request_header]
    assert left == 1 + OFFICIAL.request_header[0].cols, "the corner must start in column A"


def test_request_row_labels_read_in_documented_order(generated):
    rows = OFFICIAL.request_rows[generated.edition]
    ws = section_sheet(generated.book, "三")
    _, left, data = request_table(ws)
    labels = [text for _, _, text in text_cells(ws, range(data, ws.max_row + 1), range(1, left))]
    assert labels == [r.text for r in rows] + [XLREP_CHECK_ROW]


def test_request_row_label_merges_match_format(generated):
    """Level-0 labels span all label columns; group labels are merged down over their data rows."""
    rows = OFFICIAL.request_rows[generated.edition]
    ws = section_sheet(generated.book, "三")
    _, left, data = request_table(ws)
    assert left - 1 == max(r.level for r in rows) + 1, "label columns = indentation levels of the rows block"
    cells = text_cells(ws, range(data, ws.max_row + 1), range(1, left))
    actual = placements(ws, cells, data, 1)
    n_data = sum(not r.group for r in rows)
    assert actual == request_row_placements(rows) + [(XLREP_CHECK_ROW, n_data, 0, 1, left - 1)]


def test_request_result_block_has_documented_row_count(generated):
    counts, first, last = OFFICIAL.result_rows, OFFICIAL.result_first, OFFICIAL.result_last
    rows = OFFICIAL.request_rows[generated.edition]
    start = next(i for i, r in enumerate(rows) if r.text.startswith(first))
    end = next(i for i, r in enumerate(rows) if r.text.startswith(last))
    documented = sum(not r.group for r in rows[start : end + 1])
    assert documented == counts[generated.edition], "format.md: the rows block disagrees with the stated count"

    ws = section_sheet(generated.book, "三")
    _, left, data = request_table(ws)
    cells = text_cells(ws, range(data, ws.max_row + 1), range(1, left))
    first_row = next(r for r, _, t in cells if t.startswith(first))
    last_row = next(r for r, _, t in cells if t.startswith(last))
    assert last_row - first_row + 1 == counts[generated.edition]


def test_review_litigation_header_labels_match_format(generated):
    ws = section_sheet(generated.book, "四")
    top, _ = review_table_top(ws)
    depth = OFFICIAL.review_depth
    actual = [text for _, _, text in text_cells(ws, range(top, top + depth))]
    assert Counter(actual) == Counter(h.text for h in OFFICIAL.review_header)


def test_review_litigation_header_spans_match_format(generated):
    """行政复议 5 columns, 行政诉讼 10, 未经复议直接起诉 and 复议后起诉 5 each; 行政复议's five
    sub-headers two rows tall — as the official header is drawn."""
    expected = OFFICIAL.review_header
    assert sum(h.cols for h in expected if h.row == 0) == OFFICIAL.review_value_cells

    ws = section_sheet(generated.book, "四")
    top, left = review_table_top(ws)
    actual = placements(ws, text_cells(ws, range(top, top + OFFICIAL.review_depth)), top, left)
    assert sorted(actual) == sorted(h.placement for h in expected)
    data_row = text_cells(ws, range(top + OFFICIAL.review_depth, ws.max_row + 1))
    assert data_row == [], "table 四 has no row label and no text below its header"


@pytest.mark.parametrize("numeral", ["二", "三", "四"])
def test_labels_use_official_fullwidth_punctuation(generated, numeral):
    ws = section_sheet(generated.book, numeral)
    rows = [r for r in range(1, ws.max_row + 1) if r != NOTE_ROW]
    bad = [(ws.cell(r, c).coordinate, t) for r, c, t in text_cells(ws, rows) if any(ch in t for ch in HALF_WIDTH)]
    assert bad == [], f"half-width punctuation {HALF_WIDTH!r} in labels of {ws.title}"
