"""Properties over random fills (Hypothesis), and a bounded fuzz of the reader with mutated real workbooks.

- any consistent fill of either edition gives no error and no table finding;
- one planted inconsistency (an input off by k in 三, or a total typed over with
  its sum + k in 三 or 四) gives exactly the expected findings, at the planted cells;
- mutated workbooks never crash the reader: each is read or refused with FILE-UNREADABLE.

XLREP_FUZZ_EXAMPLES raises the fuzz budget for a longer local run.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from filling import NARRATIVE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlrep.auditing.ingest import audit
from xlrep.common.errors import UnreadableFile
from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template

EDITIONS = {"2019": 2020, "2021": 2021}
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def consistent_fill(draw, edition: str) -> dict[str, object]:
    """A complete fill whose tables are consistent and raise no warning either."""
    form = load_form(edition)
    values: dict[str, object] = {c.key: 0 for c in form.inputs if c.is_numeric}
    grid = form.grids("t3")[0]
    results = [r for r in grid.rows if r.result]
    for column in grid.columns:
        if column.sum_of:
            continue
        done = 0
        for row in results:
            v = draw(st.integers(0, 60) | st.just(0))
            values[grid.cell_key(row, column)] = v
            done += v
        carried_in = draw(st.integers(0, done))
        forward = draw(st.integers(0, 20))
        values[f"t3.carried_in.{column.key}"] = carried_in
        values[f"t3.carried_forward.{column.key}"] = forward
        values[f"t3.new_received.{column.key}"] = done + forward - carried_in
    for cell in form.table_inputs("t4"):
        values[cell.key] = draw(st.integers(0, 30))
    if edition == "2021":
        for row in ("rules", "normative_docs"):
            issued = draw(st.integers(0, 20))
            values[f"t2.{row}.issued"] = issued
            values[f"t2.{row}.in_force"] = issued + draw(st.integers(0, 100))
        values["t2.admin_fees.amount"] = draw(st.decimals(0, 9999, places=2).map(float))
        unpaid = sum(values[f"t3.other_fee_unpaid.{c.key}"] for c in grid.columns if not c.sum_of)
        values["s6.fee_notices"] = unpaid + draw(st.integers(0, 5))
    else:
        values["t2.procurement.amount_unit"] = "万元"
    values.update({"info.org_name": "某某县某某局", "info.org_type": "县级以上人民政府部门"})
    year = EDITIONS[edition]
    values.update(
        {k: v.format(year=year, new=0, done=0, forward=0) for k, v in NARRATIVE.items() if k != "s1.on_request"}
    )
    values["s1.on_request"] = "本年度依申请公开工作依法有序开展。"
    return values


def _audit(edition: str, values: dict, overrides: dict | None = None):
    data = build_template(EDITIONS[edition], load_form(edition), values=values)
    if overrides:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        for (sheet, a1), raw in overrides.items():
            wb[sheet][a1].value = raw
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fill.xlsx"
        path.write_bytes(data)
        return audit(path)


TABLE_RULES = ("T3-", "T4-", "T2-", "VALUE-")


@SETTINGS
@given(st.sampled_from(sorted(EDITIONS)).flatmap(lambda e: st.tuples(st.just(e), consistent_fill(e))))
def test_any_consistent_fill_gives_no_error(case):
    edition, values = case
    result = _audit(edition, values)
    assert result.summary["errors"] == 0, [f.message for f in result.findings if f.severity == "error"]
    assert not [f for f in result.findings if f.rule.startswith(TABLE_RULES)], [f.message for f in result.findings]


@SETTINGS
@given(st.sampled_from(sorted(EDITIONS)).flatmap(lambda e: st.tuples(st.just(e), consistent_fill(e))), st.data())
def test_one_input_off_by_k_in_table_three_breaks_exactly_its_column(case, data):
    edition, values = case
    form = load_form(edition)
    grid = form.grids("t3")[0]
    column = data.draw(st.sampled_from([c for c in grid.columns if not c.sum_of]))
    row = data.draw(st.sampled_from([r for r in grid.rows if r.result or r.key == "new_received"]))
    k = data.draw(st.integers(1, 100))
    key = grid.cell_key(row, column)
    values = dict(values)
    values[key] += k
    result = _audit(edition, values)
    found = [f for f in result.findings if f.rule.startswith(TABLE_RULES)]
    assert sorted(f.rule for f in found) == ["T3-IDENTITY", "T3-IDENTITY"], [f.message for f in found]
    expected_difference = k if row.key == "new_received" else -k
    by_column = {f.values["column"]: f for f in found}
    total_label = next(c.label for c in grid.columns if c.sum_of)
    assert set(by_column) == {column.label, total_label}
    for f in found:
        assert f.values["difference"] == expected_difference
    layout = build_layout(load_form(edition))
    named = {(c.sheet, c.cell) for c in by_column[column.label].cells}
    for planted_row in ("new_received", "carried_in", "result_total", "carried_forward"):
        sheet, r, c = layout.addresses[f"t3.{planted_row}.{column.key}"]
        assert (sheet, cell_ref(r, c)) in named
    assert result.summary["errors"] == 2


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(EDITIONS)).flatmap(lambda e: st.tuples(st.just(e), consistent_fill(e))), st.data())
def test_a_total_typed_over_with_a_wrong_number_is_named_at_that_cell(case, data):
    edition, values = case
    form = load_form(edition)
    total = data.draw(st.sampled_from([c for c in form.totals if c.table in ("t3", "t4")]))
    k = data.draw(st.integers(1, 50))
    layout = build_layout(load_form(edition))
    sheet, r, c = layout.addresses[total.key]
    a1 = cell_ref(r, c)
    from xlrep.workbook.engine import compute_totals

    wrong = compute_totals(form, values)[total.key] + k
    result = _audit(edition, values, {(sheet, a1): wrong})
    rules = sorted(f.rule for f in result.findings if f.severity == "error")
    assert rules == sorted(["TEMPLATE-TAMPERED", total.sum_rule]), [f.message for f in result.findings]
    for f in result.findings:
        if f.severity == "error":
            assert (f.cells[0].sheet, f.cells[0].cell) == (sheet, a1)
    sum_finding = next(f for f in result.findings if f.rule == total.sum_rule)
    assert sum_finding.values["difference"] == k


# -- fuzz ---------------------------------------------------------------------------------------

FUZZ_EXAMPLES = int(os.environ.get("XLREP_FUZZ_EXAMPLES", "120"))
_SEED_WORKBOOK = build_template(2021, load_form("2021"))
_MEMBERS = zipfile.ZipFile(io.BytesIO(_SEED_WORKBOOK)).namelist()


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@st.composite
def mutated_workbook(draw) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_SEED_WORKBOOK))
    members = {name: source.read(name) for name in _MEMBERS}
    how = draw(st.sampled_from(["xml-bytes", "xml-truncate", "xml-splice", "drop-member", "zip-bytes"]))
    if how == "zip-bytes":
        data = bytearray(_SEED_WORKBOOK)
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    name = draw(st.sampled_from(_MEMBERS))
    body = bytearray(members[name])
    if how == "drop-member":
        del members[name]
    elif how == "xml-truncate":
        members[name] = bytes(body[: draw(st.integers(0, len(body)))])
    elif how == "xml-bytes":
        for _ in range(draw(st.integers(1, 10))):
            body[draw(st.integers(0, len(body) - 1))] = draw(st.integers(0, 255))
        members[name] = bytes(body)
    else:  # splice text that real files contain: other values, formulas, odd attributes
        snippet = draw(
            st.sampled_from(
                [
                    b'<c r="D7" t="s"><v>99999</v></c>',
                    b'<c r="D7" t="e"><v>#REF!</v></c>',
                    b'<f t="shared" si="7"/>',
                    b' t="inlineStr"',
                    b"<v>1e400</v>",
                    b'r="XFD1048577"',
                    b"<definedName name=\"t3_x\">'x'!$A$0</definedName>",
                    b"\x00",
                    b"&amp;",
                    b"]]>",
                ]
            )
        )
        at = draw(st.integers(0, len(body)))
        members[name] = bytes(body[:at]) + snippet + bytes(body[at:])
    return _rezip(members)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_workbook())
def test_mutated_workbooks_never_crash_the_reader(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.xlsx"
        path.write_bytes(data)
        try:
            result = audit(path)
        except UnreadableFile as exc:
            assert exc.message
            return
        assert result.summary["errors"] >= 0
        for f in result.findings:
            assert f.message and f.rule
