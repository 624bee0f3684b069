"""The reader's shortcuts read exactly what a full parse reads.

A batch reads hundreds of workbooks saved from one template: the package parts that are byte for
byte the same (relationships, workbook, styles) are parsed once per process and what was found is
reused for the same bytes, with their elements counted against the budget each time; defined-name
texts are remembered, the short ones. Shared formulas are expanded with xlsxwriter's A1 helpers, and a
reference moved past the grid is ``#REF!`` as in Excel (before, a column left of A never ended).
"""

from __future__ import annotations

import sys

import pytest
from crafted import add_rows, book, filled, read_part, rewrite, sheet_parts
from machine import cpu_budget, run_measured

from xlrep.workbook import xlsx
from xlrep.workbook.reader import read_workbook

SHEET = "六、其他事项"


@pytest.fixture(scope="module")
def base() -> bytes:
    return filled()


def everything(workbook: xlsx.Workbook) -> tuple:
    return (
        workbook.sheetnames,
        workbook.sheet_states,
        workbook.sheet_paths,
        workbook.skipped_sheets,
        workbook.defined_names,
        workbook.structure_locked,
        workbook.date1904,
        workbook.shared_strings,
        workbook.properties,
        workbook.cells,
        workbook.protected,
        workbook.anomalies,
        workbook.usage,
    )


def test_a_second_read_of_the_same_bytes_finds_and_counts_the_same(base):
    xlsx._memo.clear()
    first = book(base)
    assert xlsx._memo  # the package parts were remembered …
    second = book(base)  # … and reused
    assert everything(second) == everything(first)
    assert second.usage["xml_elements"] == first.usage["xml_elements"] > 2000  # reused parts counted again


def test_a_part_that_differs_is_parsed_again(base):
    book(base)
    workbook = read_part(base, "xl/workbook.xml").replace(SHEET.encode(), "其他".encode())  # sheet and its names
    styles = read_part(base, "xl/styles.xml").replace(b'numFmtId="0"', b'numFmtId="14"')  # every style a date
    changed = book(rewrite(base, parts={"xl/workbook.xml": workbook, "xl/styles.xml": styles}))
    assert "其他" in changed.sheetnames and SHEET not in changed.sheetnames
    assert changed.skipped_sheets == ["填报说明"] and "其他" in changed.cells  # read, through its defined names
    again = book(base)  # and the template's bytes still read as the template
    assert SHEET in again.sheetnames and len(changed._dates) > len(again._dates) + 10


def test_the_element_budget_counts_reused_parts(base, monkeypatch):
    xlsx._memo.clear()
    used = book(base).usage["xml_elements"]
    monkeypatch.setattr(xlsx, "MAX_XML_ELEMENTS", used - 1)
    for _ in range(2):  # parsed, then reused: refused both times
        with pytest.raises(xlsx.XlsxError, match="结构过于复杂"):
            book(base)


def test_what_is_remembered_is_bounded(base):
    xlsx._memo.clear()
    workbook = read_part(base, "xl/workbook.xml")
    for i in range(xlsx.MEMO_PARTS + 5):
        variant = workbook.replace(b"<sheets>", f"<!-- {i} --><sheets>".encode())
        book(rewrite(base, parts={"xl/workbook.xml": variant}))
    assert len(xlsx._memo) <= xlsx.MEMO_PARTS
    long = "'" + "长" * 10_000 + "'!$A$1"
    assert xlsx._destination(long) == ("长" * 10_000, "A1") and long not in xlsx._destinations


@pytest.mark.parametrize(
    ("formula", "origin", "target", "expected"),
    [
        ("SUM(D7:I7)", "J7", "J8", "SUM(D8:I8)"),
        ("$A$1+B2", "B2", "C3", "$A$1+C3"),
        ('"A1"&A1', "A1", "A3", '"A1"&A3'),
        ("Z1*2", "A1", "B1", "AA1*2"),
        ("A2", "A2", "A1", "A1"),
    ],
)
def test_a_shared_formula_reads_as_in_each_cell(formula, origin, target, expected):
    assert xlsx.translate(formula, origin, target) == expected


def test_a_shared_formula_moved_off_the_grid_is_a_ref_error_and_ends(tmp_path, base):
    """A formula shared from C to A moves its A1 two columns left of A: Excel shows #REF!."""
    row = (
        '<row r="300"><c r="C300"><f t="shared" ref="A300:C300" si="77">A1+1</f><v>1</v></c>'
        '<c r="A300"><f t="shared" si="77"/><v>1</v></c>'
        '<c r="B300"><f t="shared" si="78" ref="B300:B301">B1</f><v>1</v></c></row>'
        '<row r="301"><c r="B301"><f t="shared" si="78"/><v>1</v></c></row>'
    )
    member = sheet_parts(base)[SHEET]
    path = rewrite(base, tmp_path / "shared.xlsx", {member: add_rows(base, SHEET, lambda: [row.encode()])})
    done = run_measured([sys.executable, "-m", "xlrep", "ingest", path], timeout=120)  # before: never ended
    assert done.returncode in (0, 1) and "Traceback" not in done.text
    assert done.cpu_seconds < cpu_budget(5.0)
    workbook = xlsx.Workbook(path)
    assert workbook.value(SHEET, "A300") == "=#REF!+1"
    assert workbook.value(SHEET, "B301") == "=B2"
    assert read_workbook(path).form is not None


def test_each_workbook_has_its_own_names_and_sheets(base):
    first = book(base)
    first.defined_names.clear()
    first.sheetnames.append("加的")
    first.sheet_paths.clear()
    second = book(base)  # what the workbook part says is remembered, never handed out
    assert second.defined_names and "加的" not in second.sheetnames and second.sheet_paths


def test_what_the_workbook_part_says_is_remembered_bounded(base):
    workbook = read_part(base, "xl/workbook.xml")
    for i in range(xlsx.MEMO_PARTS + 5):
        variant = workbook.replace(b"<sheets>", f"<!-- {i} --><sheets>".encode())
        assert book(rewrite(base, parts={"xl/workbook.xml": variant})).sheetnames == book(base).sheetnames
    assert len(xlsx._workbooks) <= xlsx.MEMO_PARTS


def test_a_workbook_is_read_from_disk_once_and_its_zip_opened_once(tmp_path, base, monkeypatch):
    import io  # here: the module's own imports may change
    import zipfile

    path = tmp_path / "单位.xlsx"
    path.write_bytes(base)
    opened = []
    real = zipfile.ZipFile

    def counting(source, *args, **kwargs):
        opened.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", counting)
    result = read_workbook(path)
    assert result.form is not None and result.values
    assert len(opened) == 1 and isinstance(opened[0], io.BytesIO)  # the sniffing's zip is the reading's


def test_the_directory_guard_comes_before_any_zip_is_opened(tmp_path, base, monkeypatch):
    import zipfile

    from xlrep.common.errors import UnreadableFile

    path = tmp_path / "单位.xlsx"
    path.write_bytes(base)
    monkeypatch.setattr(xlsx, "MAX_MEMBERS", 3)

    def refused(*args, **kwargs):
        raise AssertionError("zip opened before the directory guard")

    monkeypatch.setattr(zipfile, "ZipFile", refused)
    with pytest.raises(UnreadableFile, match="压缩包中的文件过多"):
        read_workbook(path)
