"""A 汇总 of 汇总s: a province adds up its cities' 汇总s, each of its counties' 汇总s and its 市直 units.

The upper 汇总 equals the sum over every unit below it (every table cell, exactly), lists every unit with its
path, counts each unit once, and checks its lower 汇总s (HIER-*): a correct tree raises none of them.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from filling import clean_values

from xlrep.checks.rules import registry
from xlrep.edition.form import load_form
from xlrep.units.aggregate import DETAIL_SHEET, merge_workbook
from xlrep.units.batch import audit_unit
from xlrep.units.rollup import DATA_SHEET
from xlrep.workbook.engine import all_values, compute_totals
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.workbook.reader import read_workbook
from xlrep.writer.template import build_template

EDITION, YEAR = "2021", 2022
FORM = load_form(EDITION)
NUMERIC = [c.key for c in FORM.inputs if c.is_numeric]


def unit(name: str, seed: int, year: int = YEAR, **changes) -> dict:
    values = clean_values(EDITION, year, seed)
    values["info.org_name"] = name
    values["t2.admin_fees.amount"] = round(0.1 * seed + 0.01, 2)  # decimals that a float sum would get wrong
    values.update(changes)
    return values


def workbook(values: dict, year: int = YEAR) -> bytes:
    return build_template(year, FORM, values=values)


def audited(data: bytes, name: str):
    return audit_unit(data, keep_values=True, name=name)


def merge(parts: list[tuple[bytes, str]], office: str, **kw):
    outcome, data = merge_workbook([audited(d, n) for d, n in parts], org=f"{office}人民政府", office=office, **kw)
    return outcome, data


def exact(values) -> Decimal:
    total = Decimal(0)
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    return total


def table_cells(data: bytes) -> dict[str, object]:
    """Every input and total cell of the 汇总 as written (totals: their cached results)."""
    layout = build_layout(FORM)
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    out = {}
    for key in NUMERIC + [c.key for c in FORM.totals]:
        sheet, row, col = layout.addresses[key]
        out[key] = wb[sheet][cell_ref(row, col)].value
    return out


def detail(data: bytes) -> list[list]:
    rows = list(openpyxl.load_workbook(io.BytesIO(data))[DETAIL_SHEET].iter_rows(values_only=True))
    return [list(r) for r in rows]


@pytest.fixture(scope="module")
def tree():
    """省 ← 2 市 (each ← 2 县 of 3 units, and 2 市直 units) and 1 省直 unit: 17 leaf units, three levels."""
    leaves: dict[str, dict] = {}
    paths: dict[str, str] = {}
    seed = 1
    cities = []
    for c in ("甲市", "乙市"):
        county_sums = []
        for k in ("东县", "西县"):
            county = f"{c[0]}{k}"
            units = []
            for i in range(3):
                name = f"{county}第{i}局"
                leaves[name] = unit(name, seed)
                paths[name] = f"某省/{c}/{county}/{name}"
                units.append((workbook(leaves[name]), f"{county}/{name}.xlsx"))
                seed += 1
            outcome, data = merge(units, county)
            assert outcome.findings == [] and data is not None
            county_sums.append((data, f"{c}/{county}汇总.xlsx"))
        direct = []
        for i in range(2):
            name = f"{c}市直{i}局"
            leaves[name] = unit(name, seed)
            paths[name] = f"某省/{c}/{name}"
            direct.append((workbook(leaves[name]), f"{c}/{name}.xlsx"))
            seed += 1
        outcome, data = merge(county_sums + direct, c)
        assert outcome.findings == [], [f.message for f in outcome.findings]
        cities.append((data, f"{c}汇总.xlsx"))
    leaves["省直局"] = unit("省直局", seed)
    paths["省直局"] = "某省/省直局"
    province_in = cities + [(workbook(leaves["省直局"]), "省直局.xlsx")]
    return leaves, paths, province_in, cities


def test_the_upper_sum_is_the_sum_over_every_unit_below_it_cell_by_cell(tree):
    leaves, paths, province_in, _ = tree
    outcome, data = merge(province_in, "某省")
    assert outcome.findings == [], [f.message for f in outcome.findings]
    assert len(outcome.leaves) == len(leaves) == 17
    cells = table_cells(data)
    fulls = [all_values(FORM, v) for v in leaves.values()]
    for key, value in cells.items():
        expected = exact(f.get(key) for f in fulls)
        assert isinstance(value, (int, float)), (key, value)
        assert Decimal(repr(value)) == expected, (key, value, expected)
    assert Decimal(repr(cells["t2.admin_fees.amount"])) == sum(
        Decimal(repr(v["t2.admin_fees.amount"])) for v in leaves.values()
    )
    # the 汇总 reads back as a clean 汇总 of 17 units, and audits like any 汇总
    read = read_workbook(data)
    assert read.merged_units == 17


def test_the_upper_detail_lists_every_unit_with_its_path_and_level(tree):
    leaves, paths, province_in, _ = tree
    _, data = merge(province_in, "某省")
    header, *body = detail(data)
    assert header[-2:] == ["路径", "层级"]
    by_name = {r[1]: r for r in body}
    assert set(by_name) == set(leaves)
    for name, row in by_name.items():
        assert row[4] == "计入" and row[-2] == paths[name]
        assert row[-1] == paths[name].count("/")  # 省直 1, 市直 2, a county's unit 3
    for name, values in leaves.items():  # key figures of each unit, as on a county's own 汇总明细
        full = {**values, **compute_totals(FORM, values)}
        assert by_name[name][8] == full["t3.new_received.total"]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb[DATA_SHEET].sheet_state == "hidden" and wb[DETAIL_SHEET].sheet_state == "visible"


def test_a_unit_given_directly_and_in_a_lower_summary_is_counted_once(tree):
    leaves, _, province_in, cities = tree
    twice = "甲东县第0局"
    again = (workbook(leaves[twice]), "另报/甲东县第0局.xlsx")
    outcome, data = merge([*province_in, again], "某省")
    dup = [f for f in outcome.findings if f.rule == "HIER-DUPLICATE"]
    assert len(dup) == 1 and twice in dup[0].message and "直接报送" in dup[0].message
    assert [f.rule for f in outcome.findings] == ["HIER-DUPLICATE"]
    assert len(outcome.leaves) == 17
    key = "t3.new_received.total"
    assert table_cells(data)[key] == sum(all_values(FORM, v)[key] for v in leaves.values())
    rows = [r for r in detail(data)[1:] if r[1] == twice]
    assert sorted(r[4] for r in rows) == ["未计入（重复，已按直接报送计入）", "计入"]


def test_a_unit_in_two_lower_summaries_is_counted_once(tree):
    leaves, _, _, _ = tree
    shared = unit("共用局", 99)
    a = merge([(workbook(shared), "甲/共用局.xlsx"), (workbook(leaves["甲东县第1局"]), "甲/1.xlsx")], "甲区")[1]
    b = merge([(workbook(shared), "乙/共用局.xlsx"), (workbook(leaves["甲西县第1局"]), "乙/1.xlsx")], "乙区")[1]
    outcome, data = merge([(a, "甲区汇总.xlsx"), (b, "乙区汇总.xlsx")], "某市")
    assert [f.rule for f in outcome.findings] == ["HIER-DUPLICATE"]
    assert "“甲区”的汇总" in outcome.findings[0].message and "“乙区”的汇总" in outcome.findings[0].message
    assert len(outcome.leaves) == 3
    key = "t3.new_received.total"
    counted = [shared, leaves["甲东县第1局"], leaves["甲西县第1局"]]
    assert table_cells(data)[key] == sum(all_values(FORM, v)[key] for v in counted)


def test_a_lower_summary_changed_by_hand_is_flagged_with_the_cell_and_not_trusted(tree):
    _, _, _, cities = tree
    data, name = cities[0]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet, row, col = build_layout(FORM).addresses["t3.granted.other"]
    ws = wb[sheet]
    before = ws[cell_ref(row, col)].value
    ws[cell_ref(row, col)].value = before + 5
    changed = io.BytesIO()
    wb.save(changed)
    lower = audited(changed.getvalue(), name)
    assert lower.merged and lower.lower.problem is None
    outcome, merged = merge([(changed.getvalue(), name)], "某省")
    hier = [f for f in outcome.findings if f.rule == "HIER-SUM"]
    assert len(hier) == 1 and hier[0].severity == "error"
    message = hier[0].message
    assert "“甲市”" in message and f"{cell_ref(row, col)}" in message
    assert f"为 {before + 5}" in message and f"之和为 {before}" in message
    assert table_cells(merged)["t3.granted.other"] == before  # the units' sum, not the changed figure


def test_a_summary_of_fewer_units_than_its_round_says_so(tree):
    leaves, _, _, _ = tree
    names = ["甲东县第0局", "甲东县第1局"]
    _, lower = merge([(workbook(leaves[n]), f"{n}.xlsx") for n in names], "甲东县", listed=5, include="passed")
    outcome, _ = merge([(lower, "甲东县汇总.xlsx")], "甲市")
    found = [f for f in outcome.findings if f.rule == "HIER-INCOMPLETE"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "5 个单位中的 2 个" in found[0].message and "已通过" in found[0].message
    # the other cause is named too: the shortfall may be units found twice or unreadable, not only not passed
    assert "（只取已通过的单位，无法读取或重复的单位也不计入）" in found[0].message


def test_a_lower_summary_of_another_year_is_left_out(tree):
    leaves, _, province_in, _ = tree
    old = merge([(workbook(unit("旧局", 7, year=2023), year=2023), "旧局.xlsx")], "丙县")[1]
    outcome, data = merge([*province_in, (old, "丙县汇总.xlsx")], "某省")
    found = [f for f in outcome.findings if f.rule == "HIER-OTHER-YEAR"]
    assert len(found) == 1 and "“丙县”" in found[0].message and "2023 年度" in found[0].message
    assert len(outcome.leaves) == 17 and data is not None


def test_a_summary_without_per_unit_data_is_left_out_with_a_reason(tree):
    leaves, _, _, _ = tree
    old = build_template(YEAR, FORM, values=leaves["甲东县第0局"], properties={"xlrep.merged_units": "3"})
    outcome, _ = merge([(old, "旧汇总.xlsx"), (workbook(leaves["甲市市直0局"]), "市直.xlsx")], "甲市")
    assert [f.rule for f in outcome.findings] == ["HIER-NO-DETAIL"]
    assert len(outcome.leaves) == 1


def test_the_office_own_earlier_summary_is_not_a_lower_one(tree):
    leaves, _, _, cities = tree
    data, _ = cities[0]
    outcome, _ = merge([(data, "甲市汇总.xlsx"), (workbook(leaves["甲市市直0局"]), "市直.xlsx")], "甲市")
    assert outcome.findings == [] and len(outcome.leaves) == 1
    assert [why for _, why in outcome.excluded] == ["是汇总结果"]


def test_hierarchy_rules_are_in_the_catalogue_after_merge():
    ids = list(registry())
    hier = [i for i in ids if i.startswith("HIER-")]
    assert hier == ["HIER-SUM", "HIER-INCOMPLETE", "HIER-DUPLICATE", "HIER-OTHER-YEAR", "HIER-NO-DETAIL"]
    assert ids.index("HIER-SUM") == ids.index("MERGE-UNIT-ERRORS") + 1


def test_merge_cli_office_and_a_lower_summary(run, tmp_path, tree):
    leaves, _, _, _ = tree
    county = tmp_path / "东县"
    county.mkdir()
    for n in ("甲东县第0局", "甲东县第1局"):
        (county / f"{n}.xlsx").write_bytes(workbook(leaves[n]))
    lower = tmp_path / "东县汇总.xlsx"
    code, out, err = run("merge", county, "-o", lower, "--org", "东县人民政府", "--office", "东县")
    assert code == 0, err
    city = tmp_path / "市直"
    city.mkdir()
    (city / "市直.xlsx").write_bytes(workbook(leaves["甲市市直0局"]))
    upper = tmp_path / "市汇总.xlsx"
    code, out, err = run("merge", lower, city, "-o", upper, "--office", "甲市")
    assert code == 0, err
    assert "已汇总 3 个单位" in out
    paths = {r[1]: r[-2] for r in detail(upper.read_bytes())[1:]}
    assert paths == {
        "甲东县第0局": "甲市/东县/甲东县第0局",
        "甲东县第1局": "甲市/东县/甲东县第1局",
        "甲市市直0局": "甲市/甲市市直0局",
    }


def test_a_changed_per_unit_sheet_is_never_half_read(tree):
    """The per-unit numbers are untrusted text: anything but the form's keys and decimal numbers makes the whole
    sheet unusable (HIER-NO-DETAIL), never a 汇总 read in part."""
    _, _, _, cities = tree
    data, name = cities[0]
    for bad in ("0=1e999999", "0=1E+5", "0=abc", "0=1" + "0" * 30, "99999=1", "0=1;0=2", "=1", "x=1"):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        wb[DATA_SHEET]["I2"].value = bad
        changed = io.BytesIO()
        wb.save(changed)
        outcome, merged = merge([(changed.getvalue(), name)], "某省")
        assert [f.rule for f in outcome.findings] == ["HIER-NO-DETAIL"], bad
        assert "第 2 行无法识别" in outcome.findings[0].message and merged is None


def test_a_summary_of_too_many_units_is_written_without_per_unit_data(tree, monkeypatch):
    from xlrep.units import rollup

    leaves, _, province_in, _ = tree
    monkeypatch.setattr(rollup, "MAX_LEAVES", 16)
    outcome, data = merge(province_in, "某省")
    assert not outcome.carries_units and DATA_SHEET not in openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(detail(data)) == 1 + 17  # the 汇总明细 still lists every unit


def test_2019_amounts_in_yuan_roll_up_exactly():
    form = load_form("2019")

    def u(name, seed, amount, unit_name):
        values = clean_values("2019", 2020, seed)
        values.update({"info.org_name": name, "t2.procurement.amount": amount, "t2.procurement.amount_unit": unit_name})
        return build_template(2020, form, values=values)

    county = merge_workbook(
        [audited(u("甲", 1, 123456, "元"), "甲.xlsx"), audited(u("乙", 2, 3.5, "万元"), "乙.xlsx")], office="某县"
    )[1]
    outcome, city = merge_workbook(
        [audited(county, "某县汇总.xlsx"), audited(u("丙", 3, 98765.4, "元"), "丙.xlsx")], office="某市"
    )
    assert outcome.findings == []
    sheet, row, col = build_layout(form).addresses["t2.procurement.amount"]
    value = openpyxl.load_workbook(io.BytesIO(city))[sheet][cell_ref(row, col)].value
    assert Decimal(repr(value)) == Decimal("12.3456") + Decimal("3.5") + Decimal("9.87654")


def test_merge_cli_writes_the_sum_of_the_units_and_exits_1_when_a_lower_summary_does_not_add_up(run, tmp_path, tree):
    _, _, _, cities = tree
    data, _ = cities[1]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet, row, col = build_layout(FORM).addresses["t4.review.corrected"]
    wb[sheet][cell_ref(row, col)].value = (wb[sheet][cell_ref(row, col)].value or 0) + 1
    wb.save(tmp_path / "乙市汇总.xlsx")
    out = tmp_path / "省汇总.xlsx"
    code, stdout, err = run("merge", tmp_path / "乙市汇总.xlsx", "-o", out, "--office", "某省")
    assert code == 1 and "HIER-SUM" in err and "“乙市”" in err and out.exists()
    assert "已汇总 8 个单位" in stdout
    assert table_cells(out.read_bytes())["t4.review.corrected"] == table_cells(data)["t4.review.corrected"]


def test_check_lower_is_what_a_site_asks_of_an_uploaded_lower_summary(tree):
    from xlrep.units.aggregate import check_lower

    leaves, _, _, cities = tree
    data, name = cities[0]
    assert check_lower(audited(data, name), EDITION, YEAR) == []  # a correct 汇总 is never flagged
    assert [f.rule for f in check_lower(audited(data, name), EDITION, YEAR + 1)] == ["HIER-OTHER-YEAR"]
    old = build_template(YEAR, FORM, values=leaves["甲东县第0局"], properties={"xlrep.merged_units": "3"})
    assert [f.rule for f in check_lower(audited(old, "旧.xlsx"), EDITION, YEAR)] == ["HIER-NO-DETAIL"]
    assert check_lower(audited(workbook(leaves["甲东县第0局"]), "单位.xlsx"), EDITION, YEAR) == []
