"""The generated report: its tables against the published 淮安 report and the 托里 seed, and its content.

Tables are checked as a reader sees them: the HTML is parsed (stdlib ``html.parser``)
and its row/column spans expanded into a grid; the .docx is read back with
python-docx, whose ``table.cell(r, c)`` repeats a merged cell over its span. Both
grids are compared, position by position, with the official layout
(``xlrep.workbook.layout``) and with the published figures (``tests/huaian.py``) or the
seed report (``seed-tuoli-2021.txt`` beside ``XLREP_CORPUS``; skipped without it). Formats and the command
line are in ``test_report_formats.py``.
"""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import huaian
import pytest
from corpus import samples_dir
from filling import clean_values, fill_workbook
from reports import (
    BOX,
    HEADINGS,
    HUAIAN_XLSX,
    SUBHEADINGS_ONE,
    TUOLI_XLSX,
    Src,
    docx_grid,
    html_tables,
    model_grid,
    number,
    reading_order,
    spans,
    squash,
)

from xlrep.auditing.ingest import audit
from xlrep.common.terminal import display_width
from xlrep.edition.form import load_form
from xlrep.outputs.report import Heading, Paragraph, Table, build_report, render
from xlrep.outputs.report.html import render_html
from xlrep.outputs.report.text import render_text, table_as_text
from xlrep.workbook.layout import build_layout

# -- the official layout, as the template was written from it ------------------------------


def expected_tables(edition: str) -> list[dict]:
    """Each official table of the form: its caption, and every grid position -> ("label", text) or ("value", key);
    the merged label cells as (top, left) -> (rowspan, colspan)."""
    layout = build_layout(load_form(edition))
    out = []
    for sheet in layout.form.sheets:
        if sheet.section not in ("二", "三", "四"):
            continue
        sl = layout.sheet(sheet.name)
        for region in sl.grids:
            positions: dict[tuple[int, int], tuple[str, str]] = {}
            merged = {}
            for item in sl.items:
                if not (
                    region.first_row <= item.row <= region.last_row and region.first_col <= item.col <= region.last_col
                ):
                    continue
                if item.kind in ("check", "check_label"):
                    continue
                last_row = item.last_row if item.last_row is not None else item.row
                last_col = item.last_col if item.last_col is not None else item.col
                r, c = item.row - region.first_row, item.col - region.first_col
                merged[(r, c)] = (last_row - item.row + 1, last_col - item.col + 1)
                entry = ("value", item.key) if item.kind in ("input", "total") else ("label", item.text or "")
                for i in range(item.row, last_row + 1):
                    for j in range(item.col, last_col + 1):
                        positions[(i - region.first_row, j - region.first_col)] = entry
            rows = region.last_row - region.first_row + 1
            cols = region.last_col - region.first_col + 1
            assert len(positions) == rows * cols
            out.append(
                {
                    "table": region.grid.table,
                    "caption": region.grid.caption,
                    "rows": rows,
                    "cols": cols,
                    "positions": positions,
                    "merged": merged,
                }
            )
    return out


def check_grid(grid: list[list[Src]], expected: dict, figures: dict, where: str, keyed: bool) -> None:
    assert (len(grid), len(grid[0])) == (expected["rows"], expected["cols"]), where
    for (r, c), (kind, what) in sorted(expected["positions"].items()):
        src = grid[r][c]
        if kind == "label":
            assert squash(src.text) == squash(what), f"{where} ({r},{c}): label {src.text!r}, expected {what!r}"
        else:
            if keyed:
                assert src.key == what, f"{where} ({r},{c}): data-key {src.key!r}, expected {what!r}"
            assert number(src.text) == figures[what], f"{where} {what}: {src.text!r}, published {figures[what]!r}"
    assert spans(grid) == expected["merged"], f"{where}: merged cells differ from the official layout"


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huaian_report():
    result = audit(HUAIAN_XLSX)
    assert result.summary["errors"] == 0, [f.as_dict() for f in result.findings]
    return build_report(result)


@pytest.fixture(scope="module")
def huaian_figures():
    return huaian.figures()


@pytest.fixture(scope="module")
def huaian_docx(huaian_report):
    return docx.Document(io.BytesIO(render(huaian_report, ".docx")))


@pytest.fixture(scope="module")
def tuoli_report():
    return build_report(audit(TUOLI_XLSX))


@pytest.fixture(scope="module")
def tuoli_docx(tuoli_report):
    return docx.Document(io.BytesIO(render(tuoli_report, ".docx")))


def sections(report) -> dict[str, list]:
    out: dict[str, list] = {}
    current = None
    for block in report.blocks:
        if isinstance(block, Heading) and block.level == 1:
            current = block.text
            out[current] = []
        else:
            out[current].append(block)
    return out


# -- 1. 淮安: the published figures, in the HTML and in Word ---------------------------------


def test_every_value_cell_of_the_model_is_a_published_figure(huaian_report, huaian_figures):
    values = {}
    for table in huaian_report.tables:
        values.update(table.values())
    table_figures = {k: v for k, v in huaian_figures.items() if not k.startswith("s6.")}
    assert len(table_figures) == 200 and set(values) == set(table_figures)
    assert {k: number(v) for k, v in values.items()} == table_figures


def test_html_tables_read_back_as_the_published_report(huaian_report, huaian_figures):
    tables = html_tables(render_html(huaian_report))
    expected = expected_tables("2021")
    assert [t["id"] for t in tables] == [e["table"] for e in expected] == ["t2"] * 4 + ["t3", "t4"]
    seen = {}
    for t, e in zip(tables, expected, strict=True):
        where = f"HTML {t['id']} {t['caption'] or ''}"
        assert t["caption"] == e["caption"]
        check_grid(t["grid"], e, huaian_figures, where, keyed=True)
        for row in t["grid"]:
            for src in row:
                if src.key:
                    seen[src.key] = number(src.text)
    assert seen == {k: v for k, v in huaian_figures.items() if not k.startswith("s6.")}


def test_docx_tables_read_back_as_the_published_report(huaian_docx, huaian_figures):
    expected = expected_tables("2021")
    assert len(huaian_docx.tables) == len(expected)
    for table, e in zip(huaian_docx.tables, expected, strict=True):
        grid = docx_grid(table)
        where = f"Word {e['table']} {e['caption'] or ''}"
        if e["caption"]:  # 二's small tables: a caption row merged across the table
            caption = grid[0]
            assert all(src is caption[0] for src in caption) and caption[0].text == e["caption"], where
            grid = grid[1:]
        check_grid(grid, e, huaian_figures, where, keyed=False)


@pytest.mark.parametrize("source", ["model", "html", "docx"])
def test_table_shapes_and_merges_follow_the_2021_format(source, huaian_report, huaian_docx):
    if source == "model":
        grids = {t.table: model_grid(t) for t in huaian_report.tables if t.table in ("t3", "t4")}
    elif source == "html":
        grids = {t["id"]: t["grid"] for t in html_tables(render_html(huaian_report)) if t["id"] in ("t3", "t4")}
    else:
        grids = {"t3": docx_grid(huaian_docx.tables[4]), "t4": docx_grid(huaian_docx.tables[5])}

    def find(grid, text):
        hits = [
            (r, c)
            for r, row in enumerate(grid)
            for c, src in enumerate(row)
            if src.text == text and (r == 0 or grid[r - 1][c] is not src) and (c == 0 or row[c - 1] is not src)
        ]
        assert len(hits) == 1, f"{text!r} found {len(hits)} times"
        return hits[0]

    t3 = grids["t3"]
    assert (len(t3), len(t3[0])) == (3 + 25, 3 + 7)
    t3_spans = spans(t3)
    # the header: 3 rows under a corner 3 columns wide
    assert t3_spans[(0, 0)] == (3, 3)
    assert t3_spans[find(t3, "申请人情况")] == (1, 7)
    assert t3_spans[find(t3, "法人或其他组织")] == (1, 5)
    assert t3_spans[find(t3, "自然人")] == (2, 1) and t3_spans[find(t3, "总计")] == (2, 1)
    # the vertical 三、本年度办理结果 covers every result row: （一）予以公开 to （七）总计
    top, left = find(t3, "三、本年度办理结果")
    first, last = find(t3, "（一）予以公开")[0], find(t3, "（七）总计")[0]
    assert left == 0 and top == first and t3_spans[(top, left)] == (last - first + 1, 1) == (22, 1)
    assert find(t3, "四、结转下年度继续办理")[0] == last + 1 == len(t3) - 1
    for label, rows in (("（三）不予公开", 8), ("（四）无法提供", 3), ("（五）不予处理", 5), ("（六）其他处理", 3)):
        assert t3_spans[find(t3, label)] == (rows, 1), label
    for label in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "四、结转下年度继续办理"):
        assert t3_spans[find(t3, label)] == (1, 3), label

    t4 = grids["t4"]
    assert (len(t4), len(t4[0])) == (3 + 1, 15)
    t4_spans = spans(t4)
    assert t4_spans[find(t4, "行政复议")] == (1, 5) and find(t4, "行政复议") == (0, 0)
    assert t4_spans[find(t4, "行政诉讼")] == (1, 10) and find(t4, "行政诉讼") == (0, 5)
    assert t4_spans[find(t4, "未经复议直接起诉")] == (1, 5) and t4_spans[find(t4, "复议后起诉")] == (1, 5)
    for c in range(5):  # 行政复议's five columns reach down over the second and third header rows
        assert t4_spans[(1, c)] == (2, 1)
    assert all(t4_spans[(3, c)] == (1, 1) for c in range(15))


def test_html_marks_value_cells_and_the_vertical_label(huaian_report):
    t3 = next(t for t in html_tables(render_html(huaian_report)) if t["id"] == "t3")
    label = next(src for row in t3["grid"] for src in row if src.text == "三、本年度办理结果")
    assert "vertical" in label.classes
    keyed = {src.key for row in t3["grid"] for src in row if src.key}
    assert len(keyed) == 25 * 7


# -- 2. 托里: the seed report, heading for heading and cell for cell -------------------------


def seed_sections() -> dict[str, list[str]]:
    """The seed's 一、…六、 heading lines (not tab-indented), each with the tab-indented cell lines under it."""
    seed = samples_dir() / "seed-tuoli-2021.txt"  # the published text: from beside the corpus, or skipped
    out: dict[str, list[str]] = {}
    current = None
    for line in seed.read_text(encoding="utf-8").splitlines():
        if line.startswith("\t"):
            if current is not None:
                out[current].append(squash(line))
        elif re.match(r"\s*[一二三四五六]、", line):
            current = squash(line)
            out[current] = []
    return out


def test_the_seed_has_six_sections_with_tables_in_two_three_and_four():
    seed = seed_sections()
    assert len(seed) == 6
    assert [bool(cells) for cells in seed.values()] == [False, True, True, True, False, False]


def test_headings_are_those_of_the_seed_in_order(tuoli_report):
    level1 = [squash(b.text) for b in tuoli_report.blocks if isinstance(b, Heading) and b.level == 1]
    assert level1 == list(seed_sections()) == HEADINGS


@pytest.mark.parametrize("source", ["model", "html", "docx"])
def test_tables_read_as_the_seed_cell_for_cell(source, tuoli_report, tuoli_docx):
    seed = seed_sections()
    ours: dict[str, list[str]] = {h: [] for h in seed}
    if source == "docx":  # a caption row merged across the table is part of the Word table
        tables = iter(tuoli_docx.tables)
        for heading, blocks in sections(tuoli_report).items():
            for block in blocks:
                if isinstance(block, Table):
                    ours[heading] += reading_order(docx_grid(next(tables)))
        assert next(tables, None) is None
    else:
        html = iter(html_tables(render_html(tuoli_report))) if source == "html" else None
        for heading, blocks in sections(tuoli_report).items():
            for block in blocks:
                if isinstance(block, Table):
                    if html is not None:
                        parsed = next(html)
                        caption, grid = parsed["caption"], parsed["grid"]
                    else:
                        caption, grid = block.caption, model_grid(block)
                    ours[heading] += ([caption] if caption else []) + reading_order(grid)
    for heading in seed:
        mine = [squash(t) for t in ours[heading]]
        if mine != seed[heading]:
            first = next(
                (i for i, (a, b) in enumerate(zip(mine, seed[heading], strict=False)) if a != b),
                min(len(mine), len(seed[heading])),
            )
            pytest.fail(
                f"{source} {heading}: cell {first}: ours {mine[first : first + 3]!r}, seed {seed[heading][first : first + 3]!r} "
                f"({len(mine)} cells, seed {len(seed[heading])})"
            )


def test_the_procurement_unit_is_a_note_beside_the_table_not_a_cell(tuoli_report, tuoli_docx):
    procurement = next(t for t in tuoli_report.tables if t.caption == "第二十条第（九）项")
    assert all("万元" not in c.text for c in procurement.cells)
    assert procurement.note and "万元" in procurement.note
    text = render_text(tuoli_report)
    assert "采购总金额单位：万元" in text
    assert any("采购总金额单位：万元" in p.text for p in tuoli_docx.paragraphs)
    assert "万元" not in "".join(c.text for t in tuoli_docx.tables for row in t.rows for c in row.cells)


# -- 3. text output --------------------------------------------------------------------------


def grid_blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith(BOX):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


@pytest.mark.parametrize("sample", ["huaian", "tuoli"])
def test_every_text_table_is_a_rectangle_in_display_width(sample, huaian_report, tuoli_report):
    report = huaian_report if sample == "huaian" else tuoli_report
    for table in report.tables:
        lines = [line for line in table_as_text(table).splitlines() if line.startswith(BOX)]
        widths = {display_width(line) for line in lines}
        assert len(widths) == 1, f"{table.table} {table.caption}: widths {sorted(widths)}"
        assert lines[0].startswith("┌") and lines[-1].startswith("└")
    blocks = grid_blocks(render_text(report))
    assert len(blocks) == len(report.tables)
    for block in blocks:
        assert len({display_width(line) for line in block}) == 1
        # the column rules line up: every │ sits under a ┬/┼ of the borders
        positions = lambda line, chars: {display_width(line[:i]) for i, ch in enumerate(line) if ch in chars}  # noqa: E731
        rules = positions(block[0], "┌┬┐")
        assert positions(block[-1], "└┴┘") == rules
        for line in block:
            if line.startswith("├"):
                assert positions(line, "├┼┤") == rules
            elif line.startswith("│"):
                assert positions(line, "│") <= rules


@pytest.mark.parametrize("sample", ["huaian", "tuoli"])
def test_short_row_labels_are_not_broken(sample, huaian_report, tuoli_report):
    """A label no wider than 30 columns sits whole on one line (e.g. 规范性文件, 行政处罚)."""
    report = huaian_report if sample == "huaian" else tuoli_report
    for table in report.tables:
        text = table_as_text(table)
        for cell in table.cells:
            if cell.row >= table.header_rows and cell.key is None and display_width(cell.text) <= 30:
                assert re.search(r"│ +" + re.escape(cell.text) + " ", text) or ("│ " + cell.text) in text, (
                    f"{table.table}: {cell.text!r} is broken over lines"
                )


@pytest.mark.parametrize("sample", ["huaian", "tuoli"])
def test_text_has_the_six_headings_in_order(sample, huaian_report, tuoli_report):
    report = huaian_report if sample == "huaian" else tuoli_report
    lines = [line.strip() for line in render_text(report).splitlines()]
    at = [lines.index(h) for h in HEADINGS]
    assert at == sorted(at)
    assert lines[0] == report.title or lines[next(i for i, x in enumerate(lines) if x)] == report.title


def _t4_row(text: str) -> list[str]:
    block = grid_blocks(text)[-1]  # 四, the last table: top, 3 header lines, rule, 1 data row, bottom
    assert len(block) == 7
    return [v.strip() for v in block[-2].strip("│").split("│")]


def test_text_figures_come_from_the_workbook(tmp_path):
    form = load_form("2021")
    values = clean_values("2021", 2022)
    values.update(
        {
            "t4.review.upheld": 7,
            "t4.review.corrected": 4,
            "t4.review.other": 0,
            "t4.review.pending": 2,
            "t4.suit_direct.upheld": 1,
        }
    )
    grid = form.grids("t4")[0]
    keys = [grid.cell_key(grid.rows[0], column) for column in grid.columns]
    first = fill_workbook(tmp_path / "a.xlsx", "2021", 2022, values)
    report = build_report(audit(first))
    text = render_text(report)
    row = _t4_row(text)
    assert row[:5] == ["7", "4", "0", "2", "13"] and row[5] == "1"
    assert [number(v) for v in row] == [report.values[k] for k in keys]

    values["t4.review.corrected"] = 41  # one input changed: the cell and the totals change, nothing else
    second = fill_workbook(tmp_path / "b.xlsx", "2021", 2022, values)
    changed = render_text(build_report(audit(second)))
    row2 = _t4_row(changed)
    assert row2[:5] == ["7", "41", "0", "2", "50"] and row2[5:] == row[5:]
    assert [a for a, b in zip(text.splitlines(), changed.splitlines(), strict=False) if a != b]
    t3_a = [b for b in grid_blocks(text) if len(b) > 20]
    t3_b = [b for b in grid_blocks(changed) if len(b) > 20]
    assert t3_a == t3_b


# -- 4. content ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled_2021(tmp_path_factory):
    """A clean 2021-edition fill for 2021, with all three fee figures 0, some contact fields and a publish date."""
    values = clean_values("2021", 2021)
    for key in ("info.postcode", "info.email", "info.download_url"):
        values.pop(key)
    values.update(
        {"s6.fee_notices": 0, "s6.fee_notice_amount": 0, "s6.fee_collected": 0, "info.publish_date": date(2022, 1, 20)}
    )
    for column in load_form("2021").grids("t3")[0].columns:  # no request dropped for an unpaid fee: no fee notice
        unpaid = f"t3.other_fee_unpaid.{column.key}"
        if unpaid in values:  # an input column: move the count to 3.其他, the column still balances
            values[f"t3.other_other.{column.key}"] += values[unpaid]
            values[unpaid] = 0
    path = fill_workbook(tmp_path_factory.mktemp("content") / "filled.xlsx", "2021", 2021, values)
    result = audit(path)
    return values, result


def test_title_preamble_and_contacts(filled_2021):
    values, result = filled_2021
    report = build_report(result)
    org = values["info.org_name"]
    assert report.title == f"{org}2021年政府信息公开工作年度报告"
    preamble = "".join(report.preamble)
    assert "《中华人民共和国政府信息公开条例》" in preamble
    assert "2021年1月1日至2021年12月31日" in preamble
    assert values["info.address"] in preamble and values["info.phone"] in preamble
    assert "邮编" not in preamble and "电子邮箱" not in preamble and "下载" not in preamble  # not filled: not stated
    text = render_text(report)
    assert report.title in text and "2021年1月1日至2021年12月31日" in text.replace("\n", "")


def test_section_one_has_the_five_subheadings_in_order(filled_2021, huaian_report, tuoli_report):
    for report in (build_report(filled_2021[1]), huaian_report, tuoli_report):
        one = sections(report)["一、总体情况"]
        assert [b.text for b in one if isinstance(b, Heading)] == SUBHEADINGS_ONE
        assert all(isinstance(b, (Heading, Paragraph)) for b in one)


def test_section_six_states_no_fees_when_all_three_figures_are_zero(filled_2021):
    report = build_report(filled_2021[1])
    six = sections(report)["六、其他需要报告的事项"]
    assert [b.text for b in six] == ["本年度未发出收费通知，未收取信息处理费。"]
    assert "本年度未发出收费通知，未收取信息处理费。" in render_text(report)


def test_section_six_is_none_for_a_2019_agency_with_nothing_to_add(tuoli_report):
    six = sections(tuoli_report)["六、其他需要报告的事项"]
    assert [(type(b), b.text) for b in six] == [(Paragraph, "无。")]


def test_closing_block_has_the_agency_and_the_publish_date(filled_2021):
    values, result = filled_2021
    report = build_report(result)
    assert report.closing_date == "2022年1月20日"
    tail = [line.strip() for line in render_text(report).splitlines() if line.strip()][-2:]
    assert tail == [values["info.org_name"], "2022年1月20日"]
    closing = render_html(report).split('class="closing"')[1]
    assert values["info.org_name"] in closing and "2022年1月20日" in closing
    document = docx.Document(io.BytesIO(render(report, ".docx")))
    body = [p.text for p in document.paragraphs if p.text.strip()]
    assert body[-2:] == [values["info.org_name"], "2022年1月20日"]


@pytest.mark.parametrize("typed", ["2022-01-20", "2022/1/20", "2022年1月20日"])
def test_a_publish_date_typed_as_text_is_written_the_chinese_way(tmp_path, typed):
    values = clean_values("2019", 2021)
    values["info.publish_date"] = typed
    report = build_report(audit(fill_workbook(tmp_path / "d.xlsx", "2019", 2021, values)))
    assert report.closing_date == "2022年1月20日"


def test_without_a_publish_date_the_closing_leaves_room_for_one(tuoli_report):
    assert tuoli_report.org == "托里县商务和工业信息化局"
    assert "年" in tuoli_report.closing_date and not re.search(r"\d", tuoli_report.closing_date)
