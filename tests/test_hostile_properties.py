"""Properties of the classes of issue 22 (Hypothesis): bounded work and no traceback, whatever the shape.

- random long runs of digits, punctuation, spaces and label fragments in every narrative part, through every
  text rule (the whole audit, with last year's workbook so that the rules comparing with it run too): the CPU
  time stays within a budget scaled to the machine;
- random rowspan/colspan values and nesting depths through the HTML reader, and random gridSpan/gridBefore/
  vMerge values and nesting through the Word reader: a table is read or the file is refused with a Chinese
  message (``ImportFailed``), never a traceback, and no expanded table exceeds the document's grid budget.

Budgets are CPU seconds (tests/machine.py), never wall-clock time; Hypothesis has no deadline.
"""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from pathlib import Path

from filling import clean_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from machine import cpu_budget

from xlrep.auditing.ingest import audit, read_any
from xlrep.edition.cellvalue import MAX_TEXT
from xlrep.edition.form import load_form
from xlrep.importing.document import MAX_GRID_CELLS, ImportFailed, Table
from xlrep.writer.template import build_template

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# -- text rules ------------------------------------------------------------------------------------------------

FRAGMENTS = [
    "0123456789",
    "1,234,",
    "１２３，",
    "12.5%",
    "，。；：、（）“”《》！？",
    ",.;:()-/",
    "  \u3000\t",
    "\n",
    "收到申请",
    "予以公开",
    "件",
    "较上年增长",
    "占",
    "办结率",
    "2020年，",
    "行政复议",
    "未收到",
    "一二三四五六七八九十",
    "（一）",
]


@st.composite
def hostile_text(draw) -> str:
    """Up to a cell's worth of runs: each a fragment repeated up to thousands of times, or once."""
    runs = draw(
        st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, 6_000)), min_size=1, max_size=8),
    )
    text = "".join(fragment * count for fragment, count in runs)
    return text[: draw(st.integers(1_000, MAX_TEXT))]


def _write(folder: Path, name: str, values: dict, year: int = 2021) -> Path:
    path = folder / name
    path.write_bytes(build_template(year, load_form("2021"), values=values))
    return path


@SETTINGS
@given(st.lists(hostile_text(), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_long_runs_in_every_text_part_are_audited_with_bounded_work(texts, rng):
    form = load_form("2021")
    parts = [c.key for c in form.narrative_parts]
    values = clean_values("2021", 2021)
    for i, key in enumerate(parts):
        values[key] = texts[i % len(texts)] if rng.random() < 0.7 else values.get(key, "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        current = _write(folder, "本年.xlsx", values)
        previous = read_any(_write(folder, "上年.xlsx", {**values, **clean_values("2021", 2021)}, 2021))
        previous.year = 2020  # last year's workbook: the rules comparing with it (TEXT-CHANGE, PREV-TEXT-COPY) run
        start = time.process_time()
        result = audit(current, previous=previous)
        spent = time.process_time() - start
    assert result.result.values  # read, and every rule ran
    # A workbook of 12 parts of 32,767 characters each: linear reading takes about a second.
    assert spent < cpu_budget(4.0), f"{spent:.1f} s of CPU"


# -- HTML tables ------------------------------------------------------------------------------------------------

SPANS = st.one_of(
    st.integers(-5, 3).map(str),
    st.integers(0, 10**9).map(str),
    st.sampled_from(["", "abc", "2.5", "1e9", " 7 ", "０", "-0", "99999999999999999999"]),
)


@st.composite
def html_table(draw, depth: int = 0) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = []
        for _ in range(draw(st.integers(0, 4))):
            attrs = ""
            if draw(st.booleans()):
                attrs += f' rowspan="{draw(SPANS)}"'
            if draw(st.booleans()):
                attrs += f' colspan="{draw(SPANS)}"'
            inner = draw(html_table(depth + 1)) if depth < 3 and draw(st.integers(0, 4)) == 0 else "12"
            cells.append(f"<td{attrs}>{inner}</td>" if draw(st.integers(0, 5)) else f"<td{attrs}>{inner}")
        rows.append("<tr>" + "".join(cells) + ("</tr>" if draw(st.booleans()) else ""))
    return "<table>" + "".join(rows) + ("</table>" if draw(st.integers(0, 5)) else "")


def _grid_cells(blocks) -> int:
    return sum(len(row) for b in blocks if isinstance(b, Table) for row in b.rows)


@SETTINGS
@given(st.lists(html_table(), min_size=1, max_size=8), st.integers(0, 60), st.integers(1, 400))
def test_random_spans_and_nesting_through_the_html_reader(tables, depth, repeat):
    from xlrep.importing.html import html_blocks

    body = "<table><tr><td>" * depth + "".join(tables) * repeat + "</td></tr></table>" * depth
    markup = "<html><body><p>某某县人民政府2021年政府信息公开工作年度报告</p>" + body + "</body></html>"
    start = time.process_time()
    try:
        blocks = html_blocks(markup)
    except ImportFailed as exc:
        assert "展开后超过" in str(exc) or "过多" in str(exc) or "过长" in str(exc), str(exc)
    else:
        assert _grid_cells(blocks) <= MAX_GRID_CELLS
    assert time.process_time() - start < cpu_budget(3.0)


# -- Word tables ------------------------------------------------------------------------------------------------

W_VALUES = st.one_of(
    st.integers(-3, 70).map(str), st.integers(0, 10**10).map(str), st.sampled_from(["", "x", "1.5", "restart"])
)


@st.composite
def word_table(draw, depth: int = 0) -> str:
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        props = ""
        if draw(st.integers(0, 3)) == 0:
            props = f'<w:trPr><w:gridBefore w:val="{draw(W_VALUES)}"/></w:trPr>'
        cells = []
        for _ in range(draw(st.integers(1, 5))):
            tcpr = ""
            if draw(st.booleans()):
                tcpr += f'<w:gridSpan w:val="{draw(W_VALUES)}"/>'
            if draw(st.integers(0, 3)) == 0:
                tcpr += f'<w:vMerge w:val="{draw(st.sampled_from(["restart", "continue", ""]))}"/>'
            inner = draw(word_table(depth + 1)) if depth < 3 and draw(st.integers(0, 5)) == 0 else ""
            cells.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{inner}<w:p><w:r><w:t>12</w:t></w:r></w:p></w:tc>")
        rows.append(f"<w:tr>{props}{''.join(cells)}</w:tr>")
    return "<w:tbl><w:tblPr/>" + "".join(rows) + "</w:tbl>"


def _docx(body: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("某某县人民政府2021年政府信息公开工作年度报告")
    base = io.BytesIO()
    document.save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            raw = source.read(info.filename)
            if info.filename == "word/document.xml":
                xml = raw.decode("utf-8")
                cut = xml.index("<w:sectPr")
                raw = (xml[:cut] + body + xml[cut:]).encode("utf-8")
            target.writestr(info, raw)
    return out.getvalue()


@SETTINGS
@given(st.lists(word_table(), min_size=1, max_size=8), st.integers(0, 90), st.integers(1, 200))
def test_random_spans_merges_and_nesting_through_the_word_reader(tables, depth, repeat):
    from xlrep.importing.docx import read_docx

    cell = "<w:tbl><w:tr><w:tc>"
    body = cell * depth + "".join(tables) * repeat + "<w:p/></w:tc></w:tr></w:tbl>" * depth
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "报告.docx"
        path.write_bytes(_docx(body))
        start = time.process_time()
        try:
            document = read_docx(path)
        except ImportFailed as exc:
            assert "展开后超过" in str(exc) or "过多" in str(exc) or "嵌套过深" in str(exc), str(exc)
        else:
            assert _grid_cells(document.blocks) <= MAX_GRID_CELLS
        assert time.process_time() - start < cpu_budget(3.0)
