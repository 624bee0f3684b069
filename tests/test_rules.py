"""One planted problem per rule of checks.md, in both editions where the rule applies.

Each test starts from ``clean_values`` (a complete, consistent fill that gives no
finding at all), plants exactly one problem, and asserts the rule ID, its severity
as checks.md gives it, the cells named (sheet + A1), the key ``values`` — and that
nothing else was found. Workbooks are written with openpyxl (no cached formula
results), so no spreadsheet program is needed.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from filling import NARRATIVE, clean_values, fill_workbook
from openpyxl.packaging.custom import CustomPropertyList

from xlrep.auditing.ingest import audit
from xlrep.checks.rules import registry
from xlrep.edition.form import load_form
from xlrep.workbook.engine import compute_totals
from xlrep.workbook.formulas import TEMPLATE_VERSION

# Severities from the rule registry, the one source (test_catalogue.py holds it against checks.md).
SEVERITY = {rule_id: r.severity for rule_id, r in registry().items()}

EDITIONS = [pytest.param("2021", 2021, id="2021"), pytest.param("2019", 2020, id="2019")]
GOVERNMENT, DEPARTMENT, TOWNSHIP = "县级以上地方人民政府", "县级以上人民政府部门", "乡镇人民政府、街道办事处"
T2, T3, T4, S6 = "二、主动公开", "三、依申请公开", "四、复议诉讼", "六、其他事项"


# -- helpers ----------------------------------------------------------------------


def cells(finding) -> list[tuple[str, str]]:
    return [(c.sheet, c.cell) for c in finding.cells]


def with_consistent_narrative(values: dict, edition: str, year: int) -> dict:
    """Rewrite （二）依申请公开 so the figures it states (新收/办结/结转) match table 三 again."""
    totals = compute_totals(load_form(edition), values)
    values["s1.on_request"] = NARRATIVE["s1.on_request"].format(
        year=year,
        new=totals["t3.new_received.total"],
        done=totals["t3.result_total.total"],
        forward=totals["t3.carried_forward.total"],
    )
    return values


def planted(edition: str, year: int, changes: dict | None = None, blank: tuple = ()) -> dict:
    values = clean_values(edition, year)
    values.update(changes or {})
    for key in blank:
        values[key] = None
    if "s1.on_request" not in (changes or {}):
        with_consistent_narrative(values, edition, year)
    return values


def audit_fill(tmp_path: Path, edition: str, year: int, changes=None, *, blank=(), overrides=None, name="filled.xlsx"):
    path = fill_workbook(tmp_path / name, edition, year, planted(edition, year, changes, blank), overrides)
    return audit(path)


def only(result, rule: str, *, also: tuple[str, ...] = ()) -> list:
    """The findings of ``rule``; fails if anything else was found (except the rules in ``also``)."""
    others = [f for f in result.findings if f.rule != rule and f.rule not in also]
    assert not others, "unexpected findings:\n" + "\n".join(f"{f.rule} {f.severity} {f.message}" for f in others)
    found = [f for f in result.findings if f.rule == rule]
    assert found, f"no {rule} finding"
    for f in found:
        if not (rule == "VALUE-FORMULA" and f.severity == "error"):
            assert f.severity == SEVERITY[rule], f"{rule} is {f.severity}, the catalogue says {SEVERITY[rule]}"
    return found


def edit_workbook(path: Path, change) -> Path:
    """Open a filled workbook with openpyxl, apply ``change(wb)`` and save it in place."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def put_cell_xml(path: Path, sheet: str, a1: str, inner: str, cell_type: str | None = None) -> None:
    """Rewrite one cell's XML (what openpyxl cannot write: a formula with its cached result, an error value)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels
    )
    member = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
    xml = parts[member].decode()
    pattern = re.compile(rf'<c r="{a1}"([^>]*?)(/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    assert match, f"{sheet}!{a1} not in {member}"
    attrs = re.sub(r'\s+t="[^"]*"', "", match.group(1)) + (f' t="{cell_type}"' if cell_type else "")
    xml = xml[: match.start()] + f'<c r="{a1}"{attrs}>{inner}</c>' + xml[match.end() :]
    parts[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


# -- the catalogue and the clean fill ----------------------------------------------------


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_the_clean_fill_gives_no_finding_at_all(tmp_path, edition, year):
    """The baseline every other test plants its one problem into."""
    result = audit_fill(tmp_path, edition, year)
    assert result.findings == []
    assert (result.edition, result.year, result.result.template_version) == (edition, year, TEMPLATE_VERSION)


# -- 三 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_t3_identity_names_the_four_cells_of_each_unbalanced_column(tmp_path, edition, year, where):
    values = clean_values(edition, year)
    key = "t3.carried_in.natural_person"
    done = compute_totals(load_form(edition), values)["t3.result_total.natural_person"]
    assert values[key] + 1 <= done  # so T3-CARRYOVER-OPEN stays quiet
    result = audit_fill(tmp_path, edition, year, {key: values[key] + 1})
    found = {f.values["column"]: f for f in only(result, "T3-IDENTITY")}
    assert set(found) == {"自然人", "总计"}  # the column and, through the row totals, the 总计 column
    person = found["自然人"]
    rows = ("new_received", "carried_in", "result_total", "carried_forward")
    assert cells(person) == [where(f"t3.{r}.natural_person", edition) for r in rows]
    assert person.values["difference"] == 1 and person.values["left"] - person.values["right"] == 1
    assert cells(found["总计"]) == [where(f"t3.{r}.total", edition) for r in rows]
    assert person.cells[2].label == "（七）总计 × 自然人"


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_t3_result_sum_flags_a_typed_over_result_total(tmp_path, edition, year, where):
    values = planted(edition, year)
    key = "t3.result_total.natural_person"
    form = load_form(edition)
    truth = compute_totals(form, values)[key]
    sheet, a1 = where(key, edition)
    result = audit_fill(tmp_path, edition, year, overrides={(sheet, a1): truth + 5})
    (finding,) = only(result, "T3-RESULT-SUM", also=("TEMPLATE-TAMPERED",))
    assert cells(finding)[0] == (sheet, a1)
    assert cells(finding)[1:] == [where(k, edition) for k in form.cells[key].sum_of]
    assert finding.values == {"left": truth + 5, "right": truth, "difference": 5}
    (tampered,) = [f for f in result.findings if f.rule == "TEMPLATE-TAMPERED"]
    assert cells(tampered) == [(sheet, a1)] and tampered.values["found"] == truth + 5


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_a_total_typed_over_with_the_right_number_is_only_tampering(tmp_path, edition, year, where):
    values = planted(edition, year)
    key = "t3.result_total.natural_person"
    truth = compute_totals(load_form(edition), values)[key]
    result = audit_fill(tmp_path, edition, year, overrides={where(key, edition): truth})
    (tampered,) = only(result, "TEMPLATE-TAMPERED")
    assert cells(tampered) == [where(key, edition)]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_t3_row_sum_flags_a_typed_over_row_total(tmp_path, edition, year, where):
    values = planted(edition, year)
    key = "t3.new_received.total"
    form = load_form(edition)
    truth = compute_totals(form, values)[key]
    result = audit_fill(tmp_path, edition, year, overrides={where(key, edition): truth - 1})
    (finding,) = only(result, "T3-ROW-SUM", also=("TEMPLATE-TAMPERED",))
    assert cells(finding) == [where(key, edition)] + [where(k, edition) for k in form.cells[key].sum_of]
    assert [c.cell[0] for c in finding.cells] == list("JDEFGHI")  # 总计, then 自然人 and the five 法人或其他组织
    assert finding.values == {"left": truth - 1, "right": truth, "difference": -1}


def _one_column(edition: str, column: str, *, new: int, carried_in: int, granted: int, forward: int) -> dict:
    """A balanced column of table 三: new + carried_in = granted + forward, every other result row 0."""
    assert new + carried_in == granted + forward
    grid = load_form(edition).grids("t3")[0]
    changes = {f"t3.{r.key}.{column}": 0 for r in grid.rows if r.result}
    changes.update(
        {
            f"t3.new_received.{column}": new,
            f"t3.carried_in.{column}": carried_in,
            f"t3.granted.{column}": granted,
            f"t3.carried_forward.{column}": forward,
        }
    )
    return changes


# Under the identity (new + carried_in = done + forward), done < carried_in holds exactly when forward > new:
# the two warnings always come together in a balanced column, so each test expects both.


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_t3_carryover_open_when_fewer_finished_than_carried_in(tmp_path, edition, year, where):
    changes = _one_column(edition, "natural_person", new=0, carried_in=5, granted=2, forward=3)
    result = audit_fill(tmp_path, edition, year, changes)
    (finding,) = only(result, "T3-CARRYOVER-OPEN", also=("T3-CARRYFORWARD-LARGE",))
    keys = ("t3.result_total.natural_person", "t3.carried_in.natural_person")
    assert cells(finding) == [where(k, edition) for k in keys]
    assert finding.values == {"columns": [{"part": "自然人", "result_total": 2, "carried_in": 5}]}
    assert result.summary["errors"] == 0


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_t3_carryforward_large_when_more_carried_forward_than_received(tmp_path, edition, year, where):
    changes = _one_column(edition, "research", new=1, carried_in=4, granted=2, forward=3)
    result = audit_fill(tmp_path, edition, year, changes)
    (finding,) = only(result, "T3-CARRYFORWARD-LARGE", also=("T3-CARRYOVER-OPEN",))
    assert cells(finding) == [where("t3.carried_forward.research", edition), where("t3.new_received.research", edition)]
    assert finding.values == {"columns": [{"part": "科研机构", "carried_forward": 3, "new_received": 1}]}
    assert finding.cells[0].label == "四、结转下年度继续办理 × 科研机构"
    assert result.summary["errors"] == 0


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_t3_relation_failing_in_several_columns_of_one_row_is_one_finding(tmp_path, edition, year, where):
    changes = _one_column(edition, "natural_person", new=0, carried_in=5, granted=2, forward=3)
    changes.update(_one_column(edition, "research", new=1, carried_in=4, granted=2, forward=3))
    result = audit_fill(tmp_path, edition, year, changes)
    (finding,) = only(result, "T3-CARRYOVER-OPEN", also=("T3-CARRYFORWARD-LARGE",))
    assert [c["part"] for c in finding.values["columns"]] == ["自然人", "科研机构"]
    keys = [f"t3.{row}.{column}" for column in ("natural_person", "research") for row in ("result_total", "carried_in")]
    assert cells(finding) == [where(k, edition) for k in keys]
    assert "有 2 列" in finding.message and "“科研机构”办结 2 件、上年结转 4 件" in finding.message
    assert len([f for f in result.findings if f.rule == "T3-CARRYFORWARD-LARGE"]) == 1


# -- 四 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
@pytest.mark.parametrize("block", ["review", "suit_direct", "suit_after_review"])
def test_t4_sum_flags_a_typed_over_block_total(tmp_path, edition, year, block, where):
    values = planted(edition, year)
    key = f"t4.{block}.total"
    truth = compute_totals(load_form(edition), values)[key]
    result = audit_fill(tmp_path, edition, year, overrides={where(key, edition): truth + 2})
    (finding,) = only(result, "T4-SUM", also=("TEMPLATE-TAMPERED",))
    parts = ("upheld", "corrected", "other", "pending")
    assert cells(finding) == [where(key, edition)] + [where(f"t4.{block}.{p}", edition) for p in parts]
    assert all(sheet == T4 for sheet, _ in cells(finding))
    assert finding.values == {"left": truth + 2, "right": truth, "difference": 2}


# -- 二 (2021) -------------------------------------------------------------------------


@pytest.mark.parametrize("row", ["rules", "normative_docs"])
def test_t2_in_force_below_issued_this_year(tmp_path, row, where):
    issued = clean_values("2021", 2021)[f"t2.{row}.issued"]
    result = audit_fill(tmp_path, "2021", 2021, {f"t2.{row}.in_force": issued - 1})
    (finding,) = only(result, "T2-IN-FORCE")
    assert cells(finding) == [where(f"t2.{row}.in_force", "2021"), where(f"t2.{row}.issued", "2021")]
    (column,) = finding.values["columns"]
    assert (column["in_force"], column["issued"]) == (issued - 1, issued)


@pytest.mark.parametrize(
    ("org_type", "amount", "threshold"),
    [
        (DEPARTMENT, 16220.85, None),  # a 行政审批局's real figure (2021, in the corpus)
        (DEPARTMENT, 99999.5, None),
        (DEPARTMENT, 100000, 100000),
        (TOWNSHIP, 250000, 100000),
        (GOVERNMENT, 100000, None),
        (GOVERNMENT, 96171.6, None),  # 淮安市人民政府 2024: a real city figure, in 万元
        (GOVERNMENT, 1000000, 1000000),
    ],
    ids=[
        "department-real",
        "department-below",
        "department-at-100000",
        "township",
        "government-100000",
        "government-huaian",
        "government-at-1000000",
    ],
)
def test_t2_fee_unit_threshold_depends_on_the_kind_of_agency(tmp_path, org_type, amount, threshold, where):
    changes = {"t2.admin_fees.amount": amount, "info.org_type": org_type}
    result = audit_fill(tmp_path, "2021", 2021, changes)
    if threshold is None:
        assert result.findings == []
        return
    (finding,) = only(result, "T2-FEE-UNIT")
    assert cells(finding) == [(T2, where("t2.admin_fees.amount", "2021")[1])]
    assert finding.values == {"amount": amount, "threshold": threshold, "org_type": org_type}


def test_2019_edition_has_no_t2_rules(tmp_path):
    # 2019: 本年新制作/本年新公开/对外公开总数量 — no 现行有效 column, no 收费金额 in 万元.
    result = audit_fill(tmp_path, "2019", 2020, {"t2.rules.produced": 9, "t2.rules.public_total": 0})
    assert result.findings == []


# -- cell values ------------------------------------------------------------------------


def _zero_inputs(edition: str, table: str, values: dict, n: int) -> list[str]:
    form = load_form(edition)
    return [c.key for c in form.table_inputs(table) if values.get(c.key) == 0][:n]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_value_blank_is_one_finding_per_table_listing_its_cells(tmp_path, edition, year, where):
    values = clean_values(edition, year)
    blanks = {
        "t2": _zero_inputs(edition, "t2", values, 2),
        "t3": _zero_inputs(edition, "t3", values, 3),
        "t4": _zero_inputs(edition, "t4", values, 1),
    }
    result = audit_fill(tmp_path, edition, year, blank=tuple(k for keys in blanks.values() for k in keys))
    found = only(result, "VALUE-BLANK")
    assert len(found) == 3
    by_sheet = {f.cells[0].sheet: f for f in found}
    for table, sheet in (("t2", T2), ("t3", T3), ("t4", T4)):
        finding = by_sheet[sheet]
        assert cells(finding) == [where(k, edition) for k in blanks[table]]
        assert finding.values == {"count": len(blanks[table])}
        assert f"{len(blanks[table])} 个单元格空着" in finding.message


def test_value_blank_covers_the_fee_fields_of_section_six(tmp_path, where):
    result = audit_fill(tmp_path, "2021", 2021, blank=("s6.fee_notice_amount",))
    (finding,) = only(result, "VALUE-BLANK")
    assert cells(finding) == [where("s6.fee_notice_amount", "2021")]
    assert finding.cells[0].sheet == S6


TEXT_NUMBERS = ["12件", "１２", "无", "-", "/", "1,234", "12 "]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
@pytest.mark.parametrize("raw", TEXT_NUMBERS)
def test_value_text_shows_the_raw_text(tmp_path, edition, year, raw, where):
    key = "t4.review.pending"  # 0 in the clean fill: the ignored text changes no total
    result = audit_fill(tmp_path, edition, year, {key: raw})
    (finding,) = only(result, "VALUE-TEXT")
    assert cells(finding) == [where(key, edition)]
    assert finding.values == {"raw": raw}
    assert f"“{raw}”" in finding.message
    assert finding.cells[0].label == "行政复议·尚未审结"


def test_value_text_in_an_amount_field(tmp_path, where):
    result = audit_fill(tmp_path, "2021", 2021, {"t2.admin_fees.amount": "12.5万元"})
    (finding,) = only(result, "VALUE-TEXT")
    assert cells(finding) == [where("t2.admin_fees.amount", "2021")] and finding.values == {"raw": "12.5万元"}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_value_negative_in_a_count(tmp_path, edition, year, where):
    key = "t4.review.pending"
    result = audit_fill(tmp_path, edition, year, {key: -1})
    (finding,) = only(result, "VALUE-NEGATIVE")
    assert cells(finding) == [where(key, edition)] and finding.values == {"value": -1}


def test_value_negative_in_an_amount(tmp_path, where):
    result = audit_fill(tmp_path, "2021", 2021, {"s6.fee_collected": -20.5})
    (finding,) = only(result, "VALUE-NEGATIVE")
    assert cells(finding) == [where("s6.fee_collected", "2021")] and finding.values == {"value": -20.5}


@pytest.mark.parametrize("key", ["t2.licensing.change", "t2.penalty.change", "t2.admin_fees.change"])
def test_2019_change_column_may_be_negative(tmp_path, key):
    assert load_form("2019").cells[key].kind == "signed"
    result = audit_fill(tmp_path, "2019", 2020, {key: -3})
    assert result.findings == []
    assert result.result.values[key] == -3


def test_2019_counts_beside_the_change_column_may_not_be_negative(tmp_path, where):
    result = audit_fill(tmp_path, "2019", 2020, {"t2.licensing.prev_items": -3})
    (finding,) = only(result, "VALUE-NEGATIVE")
    assert cells(finding) == [where("t2.licensing.prev_items", "2019")]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_value_fraction_in_a_count(tmp_path, edition, year, where):
    key = "t4.review.pending"
    result = audit_fill(tmp_path, edition, year, {key: 1.5})
    (finding,) = only(result, "VALUE-FRACTION")
    assert cells(finding) == [where(key, edition)] and finding.values == {"value": 1.5}


def test_value_fraction_in_the_2019_signed_change_column(tmp_path, where):
    result = audit_fill(tmp_path, "2019", 2020, {"t2.licensing.change": -2.5})
    (finding,) = only(result, "VALUE-FRACTION")
    assert cells(finding) == [where("t2.licensing.change", "2019")]


@pytest.mark.parametrize(
    ("edition", "year", "changes"),
    [
        pytest.param(
            "2021",
            2021,
            {"t2.admin_fees.amount": 12.75, "s6.fee_notice_amount": 30.5, "s6.fee_collected": 30.5},
            id="2021",
        ),
        pytest.param("2019", 2020, {"t2.procurement.amount": 1234.56}, id="2019"),
    ],
)
def test_amounts_may_have_decimals(tmp_path, edition, year, changes):
    result = audit_fill(tmp_path, edition, year, changes)
    assert result.findings == []


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_value_formula_without_a_cached_result_is_an_error(tmp_path, edition, year, where):
    key = "t4.review.pending"
    result = audit_fill(tmp_path, edition, year, {key: "=1+1"})  # openpyxl stores no result
    (finding,) = only(result, "VALUE-FORMULA")
    assert finding.severity == "error"  # checks.md: "its cached value is used if present, otherwise error"
    assert cells(finding) == [where(key, edition)] and finding.values == {"formula": "=1+1"}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_value_formula_with_a_cached_result_is_a_warning_and_the_result_is_used(tmp_path, edition, year, where):
    key = "t4.review.pending"
    path = fill_workbook(tmp_path / "f.xlsx", edition, year, planted(edition, year))
    put_cell_xml(path, *where(key, edition), "<f>1+1</f><v>2</v>")
    result = audit(path)
    (finding,) = only(result, "VALUE-FORMULA")
    assert finding.severity == "warning"
    assert cells(finding) == [where(key, edition)]
    assert finding.values == {"formula": "=1+1", "cached": 2}
    assert result.result.values[key] == 2


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (True, True),
        (False, False),
        (date(2021, 3, 12), "2021-03-12"),
        (datetime(2021, 3, 12, 8, 30), "2021-03-12 08:30"),
    ],
    ids=["TRUE", "FALSE", "date", "datetime"],
)
def test_value_invalid_for_booleans_and_dates(tmp_path, edition, year, raw, shown, where):
    key = "t4.review.pending"
    result = audit_fill(tmp_path, edition, year, {key: raw})
    (finding,) = only(result, "VALUE-INVALID")
    assert cells(finding) == [where(key, edition)]
    if isinstance(raw, bool):
        assert finding.values == {"raw": raw} and ("TRUE" if raw else "FALSE") in finding.message
    else:  # the date as the clerk typed it, not a serial number or a rounding artefact
        assert str(finding.values["raw"]).startswith(shown) and shown in finding.message


@pytest.mark.parametrize(
    ("edition", "year", "error"),
    [("2021", 2021, "#REF!"), ("2019", 2020, "#REF!"), ("2021", 2021, "#DIV/0!"), ("2021", 2021, "#N/A")],
)
def test_value_invalid_for_an_excel_error_value(tmp_path, edition, year, error, where):
    key = "t4.review.pending"
    path = fill_workbook(tmp_path / "e.xlsx", edition, year, planted(edition, year))
    put_cell_xml(path, *where(key, edition), f"<v>{error}</v>", cell_type="e")
    result = audit(path)
    (finding,) = only(result, "VALUE-INVALID")
    assert cells(finding) == [where(key, edition)] and finding.values == {"raw": error}
    assert error in finding.message


def test_value_invalid_for_an_error_value_written_by_openpyxl(tmp_path, where):
    key = "t4.review.pending"
    result = audit_fill(tmp_path, "2021", 2021, {key: "#REF!"})  # openpyxl stores "#REF!" as an error cell (t="e")
    (finding,) = only(result, "VALUE-INVALID")
    assert cells(finding) == [where(key, "2021")] and finding.values == {"raw": "#REF!"}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_value_invalid_for_a_formula_whose_cached_result_is_an_error(tmp_path, edition, year, where):
    key = "t4.review.pending"
    path = fill_workbook(tmp_path / "e.xlsx", edition, year, planted(edition, year))
    put_cell_xml(path, *where(key, edition), "<f>#REF!+1</f><v>#REF!</v>", cell_type="e")
    result = audit(path)
    assert [f.rule for f in result.findings] in (["VALUE-INVALID"], ["VALUE-FORMULA"])
    assert result.summary["errors"] == 1 and cells(result.findings[0]) == [where(key, edition)]


# -- narrative against the tables ----------------------------------------------------------


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
@pytest.mark.parametrize(
    ("key", "empty"),
    [
        ("info.org_name", None),
        ("info.org_name", "   "),
        ("s1.proactive", None),
        ("s1.oversight", "\n"),
        ("s5.problems", None),
        ("s5.measures", None),
    ],
)
def test_text_missing_names_the_empty_required_part(tmp_path, edition, year, key, empty, where):
    result = audit_fill(tmp_path, edition, year, {key: empty})
    (finding,) = only(result, "TEXT-MISSING")
    assert cells(finding) == [where(key, edition)] and finding.values == {"part": key}
    assert load_form(edition).cells[key].label in finding.message


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_section_six_texts_and_last_years_fixes_may_stay_empty(tmp_path, edition, year):
    keys = ["s5.last_year_fixes", "s6.work_points", "s6.proposals", "s6.innovation", "s6.other"]
    result = audit_fill(tmp_path, edition, year, {k: None for k in keys})
    assert result.findings == []


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_number_flags_a_wrong_count_of_requests_received(tmp_path, edition, year, where):
    table = compute_totals(load_form(edition), planted(edition, year))["t3.new_received.total"]
    sentence = f"{year}年，本机关共收到政府信息公开申请{table + 7}件"
    result = audit_fill(tmp_path, edition, year, {"s1.on_request": sentence + "。"})
    (finding,) = only(result, "TEXT-NUMBER")
    assert cells(finding) == [where("s1.on_request", edition), where("t3.new_received.total", edition)]
    assert finding.values["stated"] == table + 7 and finding.values["table"] == table
    assert finding.values["figure"] == "new_received" and finding.values["sentence"] == sentence
    assert str(table + 7) in finding.message and str(table) in finding.message


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_number_leaves_correct_statements_alone(tmp_path, edition, year):
    values = planted(edition, year)
    t = compute_totals(load_form(edition), values)
    text = (
        f"{year}年，本机关共收到政府信息公开申请{t['t3.new_received.total']}件，上年结转{t['t3.carried_in.total']}件；"
        f"办结{t['t3.result_total.total']}件，其中予以公开{t['t3.granted.total']}件，部分公开{t['t3.partly_granted.total']}件；"
        f"结转下年度继续办理{t['t3.carried_forward.total']}件。"
        f"因政府信息公开被申请行政复议{t['t4.review.total']}件。"
    )
    result = audit_fill(tmp_path, edition, year, {"s1.on_request": text})
    assert result.findings == []


def _claim(result, claim: str):
    (finding,) = only(result, "TEXT-CLAIM")
    assert finding.values["claim"] == claim
    return finding


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_claim_no_requests_while_table_three_has_some(tmp_path, edition, year, where):
    result = audit_fill(tmp_path, edition, year, {"s1.on_request": f"{year}年，本机关未收到政府信息公开申请。"})
    finding = _claim(result, "no_requests")
    assert cells(finding) == [where("s1.on_request", edition), where("t3.new_received.total", edition)]
    table = compute_totals(load_form(edition), planted(edition, year))["t3.new_received.total"]
    assert finding.values["table"] == table > 0


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_claim_all_upheld_while_a_review_was_corrected(tmp_path, edition, year, where):
    result = audit_fill(tmp_path, edition, year, {"t4.review.corrected": 1, "s6.other": "本年度行政复议案件均获维持。"})
    finding = _claim(result, "all_upheld_review")
    assert cells(finding) == [where(k, edition) for k in ("s6.other", "t4.review.corrected", "t4.review.pending")]
    assert finding.values["table"] == 1


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_claim_upheld_or_pending_while_a_review_was_corrected(tmp_path, edition, year, where):
    changes = {"t4.review.corrected": 1, "t4.review.pending": 1, "s6.other": "本年度行政复议案件均获维持或尚在审理。"}
    finding = _claim(audit_fill(tmp_path, edition, year, changes), "no_correction_review")
    assert cells(finding) == [where(k, edition) for k in ("s6.other", "t4.review.corrected")]
    assert finding.values["table"] == 1


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_claim_no_review_while_table_four_has_reviews(tmp_path, edition, year, where):
    changes = {"t4.review.upheld": 2, "t4.review.other": 0, "s6.other": "本年度未发生政府信息公开行政复议案件。"}
    result = audit_fill(tmp_path, edition, year, changes)
    finding = _claim(result, "no_review")
    assert cells(finding) == [where("s6.other", edition), where("t4.review.total", edition)]
    assert finding.values["table"] == 2


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_claim_a_denial_listing_review_and_suit_with_a_pause_mark_covers_both(tmp_path, edition, year, where):
    # the common phrasing "未发生…行政复议、行政诉讼案件" denies both (、 does not end the claim)
    changes = {
        "t4.review.upheld": 2,
        "t4.review.other": 0,
        "t4.suit_direct.upheld": 1,
        "s6.other": "本年度未发生政府信息公开行政复议、行政诉讼案件。",
    }
    found = {f.values["claim"]: f for f in only(audit_fill(tmp_path, edition, year, changes), "TEXT-CLAIM")}
    assert set(found) == {"no_review", "no_suit"}
    keys = ("s6.other", "t4.suit_direct.total", "t4.suit_after_review.total")
    assert cells(found["no_suit"]) == [where(k, edition) for k in keys]
    assert found["no_suit"].values["table"] == 1 and found["no_review"].values["table"] == 2


def test_text_claim_no_fee_while_a_fee_was_collected(tmp_path, where):
    result = audit_fill(tmp_path, "2021", 2021, {"s6.fee_collected": 50, "s6.other": "本年度未收取信息处理费。"})
    finding = _claim(result, "no_fees")
    assert cells(finding) == [where("s6.other", "2021"), where("s6.fee_collected", "2021")]
    assert finding.values["table"] == 50


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
@pytest.mark.parametrize(
    "changes",
    [
        {"t4.review.corrected": 0, "t4.review.pending": 0, "s6.other": "本年度行政复议案件均获维持。"},
        {"t4.review.upheld": 0, "t4.review.other": 0, "s6.other": "本年度未发生政府信息公开行政复议案件。"},
        {"t4.review.corrected": 0, "t4.review.pending": 1, "s6.other": "本年度行政复议案件均获维持或尚在审理。"},
    ],
    ids=["all-upheld", "no-review", "upheld-or-pending"],
)
def test_text_claims_that_the_tables_support_are_not_flagged(tmp_path, edition, year, changes):
    assert audit_fill(tmp_path, edition, year, changes).findings == []


@pytest.mark.parametrize(
    "sentence",
    [
        "对于合理范围内的申请，不收取信息处理费。",
        "本年度依法收取信息处理费50元，其余申请均未收取费用。",
        "本年度除1件外，未收取信息处理费。",
        "按规定免收的申请，不收取信息处理费。",
    ],
    ids=["policy", "the-rest", "but-one", "exempt-ones"],
)
def test_text_claim_denying_fees_for_some_requests_only_is_not_flagged(tmp_path, sentence):
    changes = {"s6.fee_collected": 50, "s6.fee_notice_amount": 50, "s6.other": sentence}
    assert audit_fill(tmp_path, "2021", 2021, changes).findings == []


@pytest.mark.parametrize(
    ("table", "sentence"),
    [
        ({"t4.review.pending": 1}, "本年度已审结的行政复议案件均获维持。"),
        ({"t4.review.pending": 1}, "行政复议案件2件，1件未结。其余均获维持。"),
        ({"t4.review.corrected": 1}, "上年结转的行政复议案件均获维持。"),
        ({"t4.review.corrected": 1}, "除1件被纠正外，其余行政复议案件均获维持。"),
        ({"t4.review.corrected": 1}, "行政复议案件除1件被纠错外均获维持。"),
    ],
    ids=["decided-ones", "the-rest", "carried-in", "but-one", "but-one-inside"],
)
def test_text_claim_all_upheld_of_some_cases_only_is_not_flagged(tmp_path, table, sentence):
    changes = {"t4.review.upheld": 1, "t4.review.corrected": 0, "t4.review.other": 0, "t4.review.pending": 0}
    assert audit_fill(tmp_path, "2021", 2021, {**changes, **table, "s6.other": sentence}).findings == []


def test_text_claim_all_decided_cases_upheld_while_one_was_corrected(tmp_path):
    # "已审结的…均获维持" still says that no case was corrected
    changes = {"t4.review.upheld": 1, "t4.review.corrected": 1, "t4.review.other": 0, "t4.review.pending": 0}
    result = audit_fill(tmp_path, "2021", 2021, {**changes, "s6.other": "本年度已审结的行政复议案件均获维持。"})
    _claim(result, "no_correction_review")


def test_text_claim_no_fee_with_no_fee_collected_is_not_flagged(tmp_path):
    assert (
        audit_fill(tmp_path, "2021", 2021, {"s6.fee_collected": 0, "s6.other": "本年度未收取信息处理费。"}).findings
        == []
    )


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_year_flags_a_sentence_opening_with_last_year(tmp_path, edition, year, where):
    sentence = f"{year - 1}年，我局主动公开政府信息120条。"
    result = audit_fill(tmp_path, edition, year, {"s1.proactive": sentence})
    (finding,) = only(result, "TEXT-YEAR")
    assert cells(finding) == [where("s1.proactive", edition)]
    assert finding.values == {"stated": year - 1, "year": year, "sentence": sentence}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_text_year_allows_next_years_plans_and_this_year(tmp_path, edition, year):
    changes = {
        "s5.measures": f"{year + 1}年，我局将加强业务培训。",
        "s1.proactive": f"{year}年，我局主动公开政府信息120条。",
    }
    assert audit_fill(tmp_path, edition, year, changes).findings == []


@pytest.mark.parametrize(
    "sentence",
    [
        "{last}年，上级通报的问题，我局已于{year}年全部整改到位。",
        "{last}年，市政府出台了实施办法，本年我局继续抓好落实。",
        "{early}年，新修订的《条例》施行以来，我局不断完善制度。",
    ],
    ids=["names-this-year", "this-year-word", "since"],
)
def test_text_year_leaves_earlier_background_written_this_year_alone(tmp_path, sentence):
    text = sentence.format(last=2022, year=2023, early=2019)
    assert audit_fill(tmp_path, "2021", 2023, {"s1.proactive": text}).findings == []


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        ("s1.on_request", "一季度未收到政府信息公开申请，二季度起申请逐月增加。"),
        ("s1.on_request", "本年度未收到申请人的投诉。"),
        ("s1.on_request", "因属于信访事项，未受理申请2件。"),
        ("s1.on_request", "本年度无申请被撤回。"),
        ("s1.on_request", "各乡镇均未收到申请，县直部门共收到申请120件。"),
        ("s6.other", "本年度未发生因不予公开引起的行政复议。"),
        ("s6.other", "未发生因政府信息公开被确认违法的行政诉讼。"),
        ("s6.other", "本年度没有因答复超期引起的行政复议和行政诉讼。"),
        ("s6.other", "无行政复议被撤销的情况。"),
    ],
    ids=[
        "one-quarter",
        "applicant-complaint",
        "not-accepted",
        "withdrawn",
        "other-bodies",
        "one-cause",
        "unlawful-only",
        "late-replies-only",
        "revoked-only",
    ],
)
def test_text_claim_limited_to_a_period_cause_or_result_is_not_flagged(tmp_path, key, sentence):
    # the clean fill has requests, a review and a suit: each sentence denies only some of them
    changes = {"t4.review.upheld": 1, "t4.suit_direct.upheld": 1, key: sentence}
    assert audit_fill(tmp_path, "2021", 2021, changes).findings == []


@pytest.mark.parametrize(
    "oversight",
    [
        "将政务公开工作纳入全县绩效目标管理，定期通报，对工作不力的单位予以约谈。",
        "建立督查通报机制，开展社会评价，年内未出现需要追究责任的情形。",
        "引入第三方评估，组织群众满意度测评。",
    ],
    ids=["target-management", "inverted-wording", "third-party"],
)
def test_gov_accountability_reported_in_other_words_is_not_flagged(tmp_path, oversight):
    changes = {"info.org_type": GOVERNMENT, "s1.oversight": oversight}
    assert audit_fill(tmp_path, "2021", 2021, changes).findings == []


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_gov_accountability_reported_in_six_is_not_flagged(tmp_path, edition, year):
    changes = {
        "info.org_type": GOVERNMENT,
        "s1.oversight": "加强组织领导，完善制度建设。",
        "s6.other": "本年度将政务公开纳入年度绩效考核，开展社会评议，未发生责任追究情形。",
    }
    assert audit_fill(tmp_path, edition, year, changes).findings == []


def test_fee_notice_when_requests_were_dropped_for_unpaid_fees_but_no_notice_was_sent(tmp_path, where):
    values = clean_values("2021", 2021)
    unpaid = compute_totals(load_form("2021"), values)["t3.other_fee_unpaid.total"]
    assert unpaid > 0
    result = audit_fill(tmp_path, "2021", 2021, {"s6.fee_notices": 0})
    (finding,) = only(result, "FEE-NOTICE")
    assert cells(finding) == [where("t3.other_fee_unpaid.total", "2021"), where("s6.fee_notices", "2021")]
    assert finding.values == {"unpaid": unpaid, "notices": 0}


def test_fee_notice_is_quiet_when_nothing_was_dropped_for_unpaid_fees(tmp_path):
    values = clean_values("2021", 2021)
    # move the (六)2 requests to (一)予以公开 in each column: totals and identity unchanged
    changes = {}
    for column in ("natural_person", "commercial", "research", "public_interest", "legal_service", "other"):
        changes[f"t3.other_fee_unpaid.{column}"] = 0
        changes[f"t3.granted.{column}"] = values[f"t3.granted.{column}"] + values[f"t3.other_fee_unpaid.{column}"]
    changes["s6.fee_notices"] = 0
    assert audit_fill(tmp_path, "2021", 2021, changes).findings == []


def test_fee_notice_is_quiet_when_the_unpaid_requests_may_be_last_years(tmp_path):
    # a request carried in from last year had its fee notice last year and lapsed this year: no notice this year
    values = clean_values("2021", 2021)
    changes = {}
    for column in ("natural_person", "commercial", "research", "public_interest", "legal_service", "other"):
        changes[f"t3.other_fee_unpaid.{column}"] = 0
        changes[f"t3.granted.{column}"] = values[f"t3.granted.{column}"] + values[f"t3.other_fee_unpaid.{column}"]
    changes["t3.other_fee_unpaid.natural_person"] = 1
    changes["t3.granted.natural_person"] -= 1
    changes["s6.fee_notices"] = 0
    assert values["t3.carried_in.natural_person"] >= 1
    assert audit_fill(tmp_path, "2021", 2021, changes).findings == []


OVERSIGHT_WITHOUT_ACCOUNTABILITY = "加强组织领导，完善制度建设，组织业务培训两次。"


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_gov_accountability_for_a_government_silent_on_assessment(tmp_path, edition, year, where):
    changes = {"info.org_type": GOVERNMENT, "s1.oversight": OVERSIGHT_WITHOUT_ACCOUNTABILITY}
    result = audit_fill(tmp_path, edition, year, changes)
    (finding,) = only(result, "GOV-ACCOUNTABILITY")
    assert cells(finding) == [where("s1.oversight", edition)]
    assert finding.values == {"org_type": GOVERNMENT}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_gov_accountability_does_not_apply_to_a_department(tmp_path, edition, year):
    changes = {"info.org_type": DEPARTMENT, "s1.oversight": OVERSIGHT_WITHOUT_ACCOUNTABILITY}
    assert audit_fill(tmp_path, edition, year, changes).findings == []


@pytest.mark.parametrize("words", ["纳入绩效考核", "开展社会评议", "未发生责任追究情形"])
def test_gov_accountability_is_met_by_any_of_the_three(tmp_path, words):
    changes = {"info.org_type": GOVERNMENT, "s1.oversight": f"加强组织领导，{words}。"}
    assert audit_fill(tmp_path, "2021", 2021, changes).findings == []


# -- file and template -----------------------------------------------------------------------


@pytest.mark.parametrize(("edition", "year", "expected"), [("2021", 2020, "2019"), ("2019", 2021, "2021")])
def test_edition_year_when_the_edition_does_not_fit_the_year(tmp_path, edition, year, expected, where):
    path = fill_workbook(
        tmp_path / "w.xlsx", edition, year, planted(edition, year)
    )  # build_template(year, load_form(edition))
    result = audit(path)
    (finding,) = only(result, "EDITION-YEAR")
    assert cells(finding) == [("基本信息", where("info.report_year", edition)[1])]
    assert finding.values == {"year": year, "edition": edition, "expected_edition": expected}


def _filled(tmp_path: Path, edition: str = "2021", year: int = 2021, name: str = "w.xlsx") -> Path:
    return fill_workbook(tmp_path / name, edition, year, planted(edition, year))


def _set_property(name: str, value: str):
    def change(wb):
        for prop in wb.custom_doc_props.props:
            if prop.name == name:
                prop.value = value

    return change


@pytest.mark.parametrize(("version", "advice"), [("0.9", "生成新的填报表"), ("2.0", "升级 xlrep")])
def test_template_version_says_which_version_made_the_workbook(tmp_path, version, advice):
    path = edit_workbook(_filled(tmp_path), _set_property("xlrep.template_version", version))
    result = audit(path)
    (finding,) = only(result, "TEMPLATE-VERSION")
    assert finding.values == {"found": version, "expected": TEMPLATE_VERSION}
    assert version in finding.message and TEMPLATE_VERSION in finding.message and advice in finding.message
    assert result.result.template_version == version


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_template_unprotected_is_only_information(tmp_path, edition, year):
    def unprotect(wb):
        wb[T3].protection.sheet = False
        wb[T4].protection.sheet = False

    result = audit(edit_workbook(_filled(tmp_path, edition, year), unprotect))
    (finding,) = only(result, "TEMPLATE-UNPROTECTED")
    assert finding.values == {"sheets": [T3, T4]}
    assert cells(finding) == [(T3, "A1"), (T4, "A1")]
    assert result.summary == {"errors": 0, "warnings": 0, "infos": 1}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_template_tampered_when_a_label_is_edited(tmp_path, edition, year):
    sheet, a1 = T3, "A7"
    result = audit(
        edit_workbook(_filled(tmp_path, edition, year), lambda wb: wb[sheet].__setitem__(a1, "一、本年新收申请"))
    )
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert cells(finding) == [(sheet, a1)]
    assert finding.cells[0].label == "一、本年新收政府信息公开申请数量"
    assert finding.values == {"found": {a1: "一、本年新收申请"}}


def test_label_spacing_and_width_do_not_count_as_tampering(tmp_path):
    path = edit_workbook(_filled(tmp_path), lambda wb: wb[T3].__setitem__("A7", "一、本年新收政府信息公开申请数量 "))
    assert audit(path).findings == []


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_template_tampered_when_a_formula_is_changed(tmp_path, edition, year):
    result = audit(edit_workbook(_filled(tmp_path, edition, year), lambda wb: wb[T3].__setitem__("J7", "=SUM(D7:H7)")))
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert cells(finding) == [(T3, "J7")]
    assert finding.values == {"found": "=SUM(D7:H7)", "expected_formula": "=SUM(D7:I7)"}
    assert "（七）" not in finding.message and "公式被改动" in finding.message


@pytest.mark.parametrize(
    ("edition", "year", "sheet"),
    [("2021", 2021, T3), ("2019", 2020, T3), ("2021", 2021, T4), ("2021", 2021, S6), ("2019", 2020, "一、总体情况")],
)
def test_template_tampered_when_a_sheet_is_renamed(tmp_path, edition, year, sheet):
    # openpyxl renames the sheet but leaves the defined names pointing at the old name: its values are unknown
    def rename(wb):
        wb[sheet].title = "Sheet1"

    result = audit(edit_workbook(_filled(tmp_path, edition, year), rename))
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert cells(finding) == [(sheet, "A1")] and finding.values == {"sheet": sheet}
    assert "改名" in finding.message
    # nothing is concluded from the unknown values (no "收到申请 N 件 但表格是 0", no 未填写)


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_a_sheet_renamed_in_excel_is_read_under_its_new_name(tmp_path, edition, year):
    # Excel and WPS carry the defined names and every formula's references along: the numbers can still be
    # read, the formulas still match (under the new name), and the message says "renamed"
    def rename(wb):
        wb[T3].title = "三"
        for dn in wb.defined_names.values():
            dn.attr_text = dn.attr_text.replace(f"'{T3}'!", "三!")
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        c.value = c.value.replace(f"'{T3}'!", "三!")

    path = _filled(tmp_path, edition, year)
    result = audit(edit_workbook(path, rename))
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert cells(finding) == [("三", "A1")]
    assert finding.values == {"sheet": T3, "renamed_to": "三"}
    assert "被改名为“三”" in finding.message
    key = "t3.new_received.natural_person"
    assert result.result.values[key] == clean_values(edition, year)[key]


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_template_tampered_when_a_sheet_is_deleted(tmp_path, edition, year):
    def delete(wb):
        del wb[S6]

    result = audit(edit_workbook(_filled(tmp_path, edition, year), delete))
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert finding.values == {"sheet": S6} and "不见了" in finding.message


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_rows_inserted_by_openpyxl_make_the_sheet_unreadable_not_wrong(tmp_path, edition, year):
    # openpyxl's insert_rows moves cells but not the defined names, so the names still point at the
    # template's addresses, which now hold the neighbours' numbers. Only the labels show it: the reader
    # must say the sheet was changed and must not check (or report on) the numbers it would misread.
    result = audit(edit_workbook(_filled(tmp_path, edition, year), lambda wb: wb[T3].insert_rows(8, 2)))
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert "插入或删除了行列" in finding.message and "未作校验" in finding.message
    assert all(sheet == T3 for sheet, _ in cells(finding))
    assert (T3, "A8") in cells(finding)  # 二、上年结转… is no longer on its row
    assert finding.values["found"]["A8"] == ""
    assert T3 in result.result.unread_sheets
    assert result.summary["errors"] == 1


def test_columns_inserted_by_openpyxl_are_caught_the_same_way(tmp_path):
    result = audit(edit_workbook(_filled(tmp_path), lambda wb: wb[T4].insert_cols(3)))
    (finding,) = only(result, "TEMPLATE-TAMPERED")
    assert all(sheet == T4 for sheet, _ in cells(finding)) and "插入或删除了行列" in finding.message


def test_one_edited_label_does_not_stop_the_sheet_being_checked(tmp_path):
    path = fill_workbook(tmp_path / "w.xlsx", "2021", 2021, planted("2021", 2021, {"t4.review.pending": "12件"}))
    result = audit(edit_workbook(path, lambda wb: wb[T4].__setitem__("A5", "复议结果维持")))
    # the planted text still counts
    assert sorted(f.rule for f in result.findings) == ["TEMPLATE-TAMPERED", "VALUE-TEXT"]


def test_template_unknown_for_a_plain_workbook(tmp_path):
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["机关", "件数"])
    wb.active.append(["某局", 12])
    wb.save(path)
    result = audit(path)
    (finding,) = only(result, "TEMPLATE-UNKNOWN")
    assert finding.cells == [] and finding.values == {"file": str(path)}
    assert (result.edition, result.year) == (None, None)
    assert "xlrep template" in finding.message


def _drop_properties(wb):
    wb.custom_doc_props = CustomPropertyList()


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_identity_comes_from_the_very_hidden_sheet_when_the_properties_are_gone(tmp_path, edition, year):
    path = edit_workbook(_filled(tmp_path, edition, year), _drop_properties)
    assert openpyxl.load_workbook(path)["_xlrep"].sheet_state == "veryHidden"
    result = audit(path)
    assert result.result.identity_source == "hidden sheet"
    assert (result.edition, result.year, result.result.template_version) == (edition, year, TEMPLATE_VERSION)
    (lost,) = only(result, "TEMPLATE-PROPERTIES-LOST")  # said, as information: the audit is not affected
    assert lost.cells == [] and "_xlrep" in lost.message


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_the_hidden_sheet_also_reports_an_old_template_version(tmp_path, edition, year):
    def change(wb):
        _drop_properties(wb)
        ws = wb["_xlrep"]
        for row in ws.iter_rows(min_row=2, max_col=2):
            if row[0].value == "xlrep.template_version":
                row[1].value = "0.9"

    result = audit(edit_workbook(_filled(tmp_path, edition, year), change))
    assert result.result.identity_source == "hidden sheet"
    (finding,) = only(result, "TEMPLATE-VERSION", also=("TEMPLATE-PROPERTIES-LOST",))
    assert finding.values == {"found": "0.9", "expected": TEMPLATE_VERSION}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_without_properties_or_hidden_sheet_the_labels_identify_the_edition(tmp_path, edition, year):
    def change(wb):
        _drop_properties(wb)
        del wb["_xlrep"]

    result = audit(edit_workbook(_filled(tmp_path, edition, year), change))
    assert result.result.identity_source == "labels"
    assert (result.edition, result.year) == (edition, year)  # the year from 基本信息
    assert result.findings == []


def test_workbook_is_read_not_written(tmp_path):
    path = _filled(tmp_path)
    before = path.read_bytes()
    audit(path)
    assert path.read_bytes() == before
    assert zipfile.ZipFile(io.BytesIO(before)).testzip() is None


# -- what a trip through another program loses (issue 19) ---------------------------------------------
def _unlock(wb):
    wb.security = None


def _show_meta(state):
    def change(wb):
        wb["_xlrep"].sheet_state = state

    return change


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_a_lost_structure_lock_is_said_and_the_file_still_read(tmp_path, edition, year):
    result = audit(edit_workbook(_filled(tmp_path, edition, year), _unlock))
    (finding,) = only(result, "TEMPLATE-UNLOCKED")
    assert finding.cells == [] and finding.values == {"structure_locked": False}
    assert result.result.values == audit(_filled(tmp_path, edition, year, name="locked.xlsx")).result.values


@pytest.mark.parametrize(("state", "message"), [("visible", "现在可以看到"), ("hidden", "普通隐藏")])
def test_the_identity_sheet_made_visible_or_hidden_is_said(tmp_path, state, message):
    result = audit(edit_workbook(_filled(tmp_path, "2021", 2021), _show_meta(state)))
    (finding,) = only(result, "TEMPLATE-META-VISIBLE")
    assert cells(finding) == [("_xlrep", "A1")] and finding.values == {"state": state} and message in finding.message


def test_all_three_losses_together_as_gnumeric_saves(tmp_path):
    def everything(wb):
        _unlock(wb)
        _show_meta("visible")(wb)
        _drop_properties(wb)

    result = audit(edit_workbook(_filled(tmp_path, "2021", 2021), everything))
    assert sorted(f.rule for f in result.findings) == [
        "TEMPLATE-META-VISIBLE",
        "TEMPLATE-PROPERTIES-LOST",
        "TEMPLATE-UNLOCKED",
    ]
    assert all(f.severity == "info" for f in result.findings)
    assert (result.edition, result.result.identity_source) == ("2021", "hidden sheet")


def test_a_workbook_known_only_by_its_labels_gets_no_round_trip_notes(tmp_path):
    def strip(wb):
        _unlock(wb)
        _drop_properties(wb)
        del wb["_xlrep"]

    result = audit(edit_workbook(_filled(tmp_path, "2021", 2021), strip))
    assert result.result.identity_source == "labels"
    assert not {f.rule for f in result.findings} & {
        "TEMPLATE-UNLOCKED",
        "TEMPLATE-META-VISIBLE",
        "TEMPLATE-PROPERTIES-LOST",
    }
