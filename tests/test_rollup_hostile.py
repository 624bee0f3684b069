"""A hand-made 汇总 is untrusted: what its hidden sheet 汇总单位数据 says (names, paths, counts, numbers) stays text,
is bounded, and never crashes the audit of a lower office's line (``audits.check_lower_office``) nor the 汇总 of the
office above, whose 汇总明细 and 汇总单位数据 never hold a formula (``safetext.for_spreadsheet``)."""

from __future__ import annotations

import io
import tracemalloc

import openpyxl
import pytest
from filling import clean_values

from xlrep.edition.form import load_form
from xlrep.serve import audits
from xlrep.units.aggregate import DETAIL_SHEET, merge_workbook
from xlrep.units.batch import audit_unit
from xlrep.units.rollup import DATA_SHEET, MAX_LEAVES, read_lower
from xlrep.writer.template import build_template

EDITION, YEAR = "2021", 2025
FORM = load_form(EDITION)
COUNTY = "甲县政务公开办"


@pytest.fixture(scope="module")
def summary() -> bytes:
    """甲县's 汇总 of two units, as ``xlrep merge`` writes it."""
    units = []
    for seed in (1, 2):
        values = clean_values(EDITION, YEAR, seed)
        values["info.org_name"] = f"甲县{seed}局"
        data = build_template(YEAR, FORM, values=values)
        units.append(audit_unit(data, keep_values=True, name=f"甲县/{seed}.xlsx"))
    outcome, data = merge_workbook(units, org="甲县人民政府", office=COUNTY)
    assert outcome.findings == [] and data is not None
    return data


def changed(data: bytes, change) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book[DATA_SHEET])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_far_row_on_the_per_unit_sheet_is_not_read_up_to_it(summary):
    """One cell at the sheet's last row (1,048,576) must not make the reader build a million empty rows: the sheet
    is refused as it is at any row past ``MAX_LEAVES``, in the memory of a small 汇总."""
    far = changed(summary, lambda s: s.__setitem__("A1048576", "x"))
    near = changed(summary, lambda s: s.__setitem__(f"A{MAX_LEAVES + 10}", "x"))
    peaks, problems = [], []
    for data in (near, far):
        tracemalloc.start()
        try:
            problems.append(read_lower(data, EDITION).problem)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 2 * peaks[0] + 5_000_000, peaks
    assert all(problems), problems


def test_a_summary_with_a_bad_row_is_never_half_read(summary):
    """A row that cannot be read makes the whole sheet unusable: no unit before it is shown or added up."""
    lower = read_lower(changed(summary, lambda s: s.__setitem__("I3", "0=abc")), EDITION)
    assert lower.problem == "汇总单位数据第 3 行无法识别" and lower.leaves == []


HOSTILE = {
    "<script>alert(1)</script>": "an HTML tag",
    '=HYPERLINK("http://example.invalid","点我")': "a formula",
    "@SUM(A1)": "a formula (@)",
    "+1-2": "a formula (+)",
    "甲_x0001_乙_x001B_丙": "control characters (as the xlsx escapes them)",
}


@pytest.mark.parametrize("text", list(HOSTILE), ids=list(HOSTILE.values()))
def test_hostile_text_on_the_per_unit_sheet_stays_text(summary, text):
    def change(sheet):
        sheet["A2"].value = f"{COUNTY}/{text}"
        sheet["C2"].value = text
        sheet["C2"].data_type = "s"  # (openpyxl would otherwise write a text starting with = as a formula)
        sheet["A2"].data_type = "s"
        sheet["E2"].value = text
        sheet["E2"].data_type = "s"

    data = changed(summary, change)
    outcome = audits.check_lower_office(data, "甲县汇总.xlsx", EDITION, YEAR)
    lower = outcome["audit"]["lower"]
    assert lower["problem"] is None and len(lower["units"]) == 2
    assert all(isinstance(cell, str) for cell in lower["units"][0][:4])
    # added up by the office above: its 汇总明细 and 汇总单位数据 hold the names as text, never as a formula
    upper = audit_unit(data, keep_values=True, name="某市/甲县汇总.xlsx")
    merged, written = merge_workbook([upper], org="某市人民政府", office="某市政务公开办")
    assert written is not None, [f.message for f in merged.findings]
    book = openpyxl.load_workbook(io.BytesIO(written))
    for name in (DETAIL_SHEET, DATA_SHEET):
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@"), (name, cell.coordinate)
    # and read back by the office above that (the province): the same text as the county wrote
    again = read_lower(written, EDITION)
    assert again.problem is None and any(leaf.unit == read_lower(data, EDITION).leaves[0].unit for leaf in again.leaves)


@pytest.mark.parametrize(
    ("cell", "value"),
    [("G2", 10**30), ("H2", -5), ("B2", 10**30), ("I2", "0=-5"), ("I2", "0=NaN"), ("I2", "0=inf"), ("G2", "NaN")],
)
def test_odd_counts_and_numbers_never_crash_the_audit(summary, cell, value):
    data = changed(summary, lambda s: s.__setitem__(cell, value))
    outcome = audits.check_lower_office(data, "甲县汇总.xlsx", EDITION, YEAR)
    assert not outcome.get("error")
    rules = {f["rule"] for f in outcome["audit"]["findings"]}
    lower = outcome["audit"]["lower"]
    if lower["problem"]:
        assert "HIER-NO-DETAIL" in rules and lower["units"] == []
    if value == -5:  # (a negative count of warnings is no count)
        assert lower["problem"] == "汇总单位数据第 2 行无法识别"
    elif value == "0=-5":  # a number the tables do not add up to: the 汇总 is not trusted
        assert "HIER-SUM" in rules


def test_more_units_than_a_summary_may_carry_are_refused_whole(summary):
    def change(sheet):
        row = [c.value for c in sheet[2]]
        for r in range(2, MAX_LEAVES + 3):
            for col, value in enumerate(row[:9], start=1):
                sheet.cell(row=r, column=col, value=f"{COUNTY}/单位{r}" if col == 1 else value)
            sheet.cell(row=r, column=3, value=f"单位{r}")

    data = changed(summary, change)
    outcome = audits.check_lower_office(data, "甲县汇总.xlsx", EDITION, YEAR)
    lower = outcome["audit"]["lower"]
    assert lower["units"] == [] and f"超过 {MAX_LEAVES} 行" in lower["problem"]
    assert "HIER-NO-DETAIL" in {f["rule"] for f in outcome["audit"]["findings"]}


def _county_summary(county: str, units: list[tuple[str, int]]):
    audited = []
    for name, seed in units:
        values = clean_values(EDITION, YEAR, seed)
        values["info.org_name"] = name
        data = build_template(YEAR, FORM, values=values)
        audited.append(audit_unit(data, keep_values=True, name=f"{county}/{name}.xlsx"))
    _, data = merge_workbook(audited, org=f"{county}人民政府", office=county)
    return audit_unit(data, keep_values=True, name=f"{county}汇总.xlsx"), audited


def test_two_counties_units_of_the_same_short_name_are_two_units(summary):
    """Each county lists its 教育局 as “教育局” (the site fills the roster's name into the workbook): two units that
    only share a short name, their numbers different, are both counted, not one dropped as a duplicate."""
    from decimal import Decimal

    from xlrep.units.aggregate import sum_values

    a, units_a = _county_summary("甲县政务公开办", [("教育局", 1), ("甲县财政局", 2)])
    b, units_b = _county_summary("乙县政务公开办", [("教育局", 3), ("乙县财政局", 4)])
    outcome, data = merge_workbook([a, b], org="某市人民政府", office="某市政务公开办")
    assert data is not None and len(outcome.leaves) == 4
    assert not [f for f in outcome.findings if f.severity in ("error", "warning")], [
        f.message for f in outcome.findings
    ]
    expected = sum_values(EDITION, units_a + units_b)
    key = "t3.new_received.total"
    assert Decimal(str(outcome.values.get(key) or 0)) == Decimal(str(expected.get(key) or 0))
    # the same report in both (same name, same numbers) is still one unit, said by HIER-DUPLICATE
    c, _ = _county_summary("丙县政务公开办", [("教育局", 1)])
    again, _ = merge_workbook([a, c], org="某市人民政府", office="某市政务公开办")
    assert len(again.leaves) == 2 and [f.rule for f in again.findings] == ["HIER-DUPLICATE"]


@pytest.mark.parametrize("depth", [0, -3])
def test_a_unit_below_the_first_level_cannot_pass_for_one_given_directly(summary, depth):
    """A level under 1 would make the office above take a unit of the lower 汇总 for one it was given directly: left
    out of its 汇总明细 while its numbers are added up. The sheet is refused whole."""
    lower = read_lower(changed(summary, lambda s: s.__setitem__("B2", depth)), EDITION)
    assert lower.problem == "汇总单位数据第 2 行无法识别" and lower.leaves == []


def test_a_unit_given_directly_and_one_of_its_name_with_other_numbers_below_are_both_counted_and_warned():
    """The city's own “教育局” and 甲县's: two units, or the same one sent twice in two versions — both counted,
    and a warning asks which (not a note: one of them came to this office directly)."""
    a, _ = _county_summary("甲县政务公开办", [("教育局", 1)])
    values = clean_values(EDITION, YEAR, 5)
    values["info.org_name"] = "教育局"
    own = audit_unit(build_template(YEAR, FORM, values=values), keep_values=True, name="某市/教育局.xlsx")
    outcome, _ = merge_workbook([a, own], org="某市人民政府", office="某市政务公开办")
    assert len(outcome.leaves) == 2
    assert [(f.rule, f.severity) for f in outcome.findings] == [("HIER-DUPLICATE", "warning")]
    assert "按不同的单位分别计入" in outcome.findings[0].message


def test_a_path_that_names_another_office_is_shown_under_the_office_that_sent_it(summary):
    """甲县's 汇总 may write any path: on the office above's page its units sit under 甲县 (as they are added up),
    never where the 汇总 says (under the province, or 乙县)."""
    data = changed(summary, lambda s: s.__setitem__("A2", "某省政务公开办/乙县政务公开办/乙县教育局"))
    outcome = audits.check_lower_office(data, "甲县汇总.xlsx", EDITION, YEAR)
    paths = [row[0] for row in outcome["audit"]["lower"]["units"]]
    assert paths == [f"{COUNTY}/某省政务公开办/乙县政务公开办/乙县教育局", f"{COUNTY}/甲县2局"], paths
