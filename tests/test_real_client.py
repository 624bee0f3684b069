"""The workbook in a real spreadsheet program: LibreOffice Calc, headless, via UNO.

What xlrep computes in Python (``engine``) must be what the clerk's spreadsheet
shows: the cached results written into the template, the totals and the live
check texts after typing numbers (and the wrong things clerks type: "12件", "无",
"-", negative counts), the defined names, the protection, and the cached values
of a file the spreadsheet saved (which ``xlrep ingest`` reads).

Every fill is generated from its seed alone (``make_fill(form, seed)``), so a
reported failure can be replayed.
"""

from __future__ import annotations

import time

import openpyxl
import pytest
import xlsxwriter
from filling import MODES, SEED_BASE, YEAR, make_fill, numeric_inputs, ref

from xlrep.edition.form import Form, load_form
from xlrep.workbook.cellexpr import ALL_PASSED, PASS
from xlrep.workbook.computed import live_items
from xlrep.workbook.engine import compute_totals, live_states, overall_status
from xlrep.workbook.layout import CHECKS_SHEET, LABEL_KINDS, META_SHEET, build_layout, cell_ref
from xlrep.writer.template import build_template

pytestmark = pytest.mark.libreoffice

EDITIONS = ("2019", "2021")
FILLS_PER_EDITION = 200
XLSX_FILTER = "Calc MS Excel 2007 XML"


# -- helpers ---------------------------------------------------------------------
def status_ref(layout) -> tuple[str, str]:
    sheet, row, col = layout.status_cell
    return sheet, cell_ref(row, col)


def watched(layout) -> list[tuple[str, str, tuple[str, str]]]:
    """(what, key, address) of every computed cell: totals, declared checks, 校验 rows, status."""
    form = layout.form
    out = [("total", c.key, ref(layout, c.key)) for c in form.totals]
    out += [("check", c.id, ref(layout, c.id)) for c in form.checks]
    out += [("live", item.id, ref(layout, "live." + item.id)) for item in live_items(form)]
    out.append(("status", "status", status_ref(layout)))
    return out


def expected(form: Form, values) -> dict[tuple[str, str], object]:
    totals = compute_totals(form, values)
    states = live_states(form, values)
    out: dict[tuple[str, str], object] = {("total", k): v for k, v in totals.items()}
    out.update({("check", c.id): states[c.id] for c in form.checks})
    out.update({("live", item.id): states[item.id] for item in live_items(form)})
    out[("status", "status")] = overall_status(states)
    return out


def differences(layout, values, answers) -> list[str]:
    """Where LibreOffice's results (``answers``, in ``watched`` order) differ from Python's."""
    want = expected(layout.form, values)
    bad = []
    for (what, key, (sheet, a1)), got in zip(watched(layout), answers, strict=True):
        py = want[(what, key)]
        where = f"{what} {key} [{sheet}!{a1}]"
        if got["type"] != "FORMULA" or got["error"]:
            bad.append(f"{where}: not a working formula in LibreOffice ({got})")
        elif what == "total":
            if got["value"] != py:
                bad.append(f"{where}: LibreOffice {got['value']!r} ({got['formula']}), Python {py!r}")
        elif got["string"] != py:
            bad.append(f"{where}: LibreOffice {got['string']!r} ({got['formula']}), Python {py!r}")
    return bad


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, str]:
    """The template of each edition, as ``build_template`` writes it."""
    folder = tmp_path_factory.mktemp("templates")
    out = {}
    for edition in EDITIONS:
        path = folder / f"template-{edition}.xlsx"
        path.write_bytes(build_template(YEAR[edition], load_form(edition)))
        out[edition] = str(path)
    return out


# -- the bridge itself -------------------------------------------------------------
def test_bridge_reads_cached_results_without_recalculating(calc, tmp_path):
    """A stale cached result is read as stored, until calculateAll: so test (a) really checks the cache."""
    path = tmp_path / "stale.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # sets fullCalcOnLoad, like the template
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 2)
    ws.write_formula("B1", "=A1+1", None, 7)
    ws.write_formula("C1", '=IF(A1=2,"ok","no")', None, "stale")
    wb.close()
    cells = [("S", "A1"), ("S", "B1"), ("S", "C1"), ("S", "D1")]
    with calc.opened(path) as doc:
        a1, b1, c1, d1 = calc.read(doc, cells)
        assert (a1["type"], a1["value"]) == ("VALUE", 2.0)
        assert (b1["type"], b1["value"], b1["formula"]) == ("FORMULA", 7.0, "=A1+1")
        assert c1["string"] == "stale"
        assert d1["type"] == "EMPTY"
        calc.calculate_all(doc)
        _, b1, c1, _ = calc.read(doc, cells)
        assert (b1["value"], c1["string"]) == (3.0, "ok")
        _, b1, c1, d1 = calc.fill(doc, [("S", "A1", "2件"), ("S", "D1", 5), ("S", "D1", None)], read=cells)
        assert b1["error"] != 0  # "2件"+1 is #VALUE!
        assert (c1["string"], d1["type"]) == ("no", "EMPTY")
    with pytest.raises(Exception, match="unknown doc"):
        calc.read("no-such-doc", [("S", "A1")])


# -- (a) the cached results of the template ---------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_template_cached_results_are_correct(calc, templates, edition):
    layout = build_layout(load_form(edition))
    form = layout.form
    cells = [a for _, _, a in watched(layout)]
    want = expected(form, {})
    assert all(v == 0 for (what, _), v in want.items() if what == "total")
    assert want[("status", "status")] == ALL_PASSED
    with calc.opened(templates[edition]) as doc:
        cached = calc.read(doc, cells)  # as stored: LibreOffice does not recalculate on load
        assert differences(layout, {}, cached) == []
        calc.calculate_all(doc)
        recalculated = calc.read(doc, cells)
        assert differences(layout, {}, recalculated) == []
    assert [c["string"] for c in cached] == [c["string"] for c in recalculated]
    for (what, _, _), answer in zip(watched(layout), cached, strict=True):
        if what in ("check", "live"):
            assert answer["string"] == PASS


# -- (b) random fills --------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_random_fills_compute_like_python(calc, templates, edition):
    layout = build_layout(load_form(edition))
    form = layout.form
    inputs = numeric_inputs(form)
    assert {c.table or c.key.split(".")[0] for c in inputs} == set(form.value_tables)
    reads = [a for _, _, a in watched(layout)]
    failures: list[str] = []
    seen_modes: dict[str, int] = {}
    seen_status: set[str] = set()
    seen_fail_kinds: set[str] = set()
    started = time.perf_counter()
    with calc.opened(templates[edition]) as doc:
        for i in range(FILLS_PER_EDITION):
            seed = SEED_BASE[edition] + i
            mode, values = make_fill(form, seed)
            states = live_states(form, values)
            identity = [s for k, s in states.items() if k.startswith("t3.identity.")]
            if mode == "balanced":  # the generator does what it says
                assert all(s == PASS for s in identity), (seed, states)
            if mode == "unbalanced":
                assert any(s != PASS for s in identity), (seed, states)
            seen_modes[mode] = seen_modes.get(mode, 0) + 1
            seen_status.add(overall_status(states))
            seen_fail_kinds.update(k.split(".", 1)[1].split(".")[0] for k, s in states.items() if s != PASS)
            fill = [(*ref(layout, c.key), values[c.key]) for c in inputs]  # every input, blanks cleared
            answers = calc.fill(doc, fill, read=reads)
            bad = differences(layout, values, answers)
            if bad:
                failures.append(
                    f"seed {seed} ({mode}, make_fill(load_form({edition!r}), {seed})): " + "; ".join(bad[:8])
                )
    elapsed = time.perf_counter() - started
    print(
        f"\n{edition}: {FILLS_PER_EDITION} fills in {elapsed:.1f} s ({seen_modes}); statuses seen: {len(seen_status)}"
    )
    assert not failures, f"{len(failures)} of {FILLS_PER_EDITION} fills differ:\n" + "\n".join(failures[:25])
    # The fills exercised what they should.
    assert seen_modes["balanced"] >= 0.35 * FILLS_PER_EDITION
    assert seen_modes["unbalanced"] >= 0.35 * FILLS_PER_EDITION
    assert seen_modes["dirty"] >= 0.15 * FILLS_PER_EDITION
    assert ALL_PASSED in seen_status and len(seen_status) > 3
    assert {"identity", "value_text", "value_negative"} <= seen_fail_kinds


# -- (c) defined names -------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_defined_names_resolve_to_the_layout(calc, templates, edition):
    layout = build_layout(load_form(edition))
    with calc.opened(templates[edition]) as doc:
        names = calc.names(doc)
    wrong = []
    for cell in layout.form.cells.values():
        want = list(ref(layout, cell.key))
        got = names.get(cell.defined_name)
        if got != want:
            wrong.append(f"{cell.defined_name}: LibreOffice {got}, layout {want}")
    assert not wrong, f"{len(wrong)} defined names wrong:\n" + "\n".join(wrong[:25])


# -- (d) protection ----------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_protection(calc, templates, edition):
    layout = build_layout(load_form(edition))
    form = layout.form
    unlocked = [ref(layout, c.key) for c in form.inputs]
    locked = [a for _, _, a in watched(layout)]
    locked += [ref(layout, c.key) for c in form.cells.values() if c.locked]
    locked += [(sl.name, cell_ref(i.row, i.col)) for sl in layout.sheets for i in sl.items if i.kind in LABEL_KINDS]
    with calc.opened(templates[edition]) as doc:
        info = calc.sheets(doc, unlocked + locked)
    sheets = {s["name"]: s for s in info["sheets"]}
    assert set(sheets) >= {sl.name for sl in layout.sheets} | {META_SHEET, CHECKS_SHEET}
    assert [n for n, s in sheets.items() if not s["protected"]] == []
    assert not sheets[META_SHEET]["visible"]
    assert [n for n, s in sheets.items() if n != META_SHEET and not s["visible"]] == []
    flags = info["locked"]
    assert [a for a, f in zip(unlocked, flags[: len(unlocked)], strict=True) if f] == [], "input cells must be unlocked"
    assert [a for a, f in zip(locked, flags[len(unlocked) :], strict=True) if not f] == [], (
        "computed and label cells must be locked"
    )


# -- (e) saved by LibreOffice, read by openpyxl ---------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_saved_by_libreoffice_cached_values_read_by_openpyxl(calc, templates, edition, tmp_path):
    layout = build_layout(load_form(edition))
    form = layout.form
    inputs = numeric_inputs(form)
    reads = [a for _, _, a in watched(layout)]
    # one fill of each mode
    seeds = [SEED_BASE[edition] + 900 + k for k in range(len(MODES))]
    with calc.opened(templates[edition]) as doc:
        for seed in seeds:
            mode, values = make_fill(form, seed)
            answers = calc.fill(doc, [(*ref(layout, c.key), values[c.key]) for c in inputs], read=reads)
            assert differences(layout, values, answers) == [], seed
            path = tmp_path / f"filled-{seed}.xlsx"
            calc.save(doc, path, XLSX_FILTER)

            wb = openpyxl.load_workbook(path, data_only=True)
            want = expected(form, values)
            wrong = []
            for what, key, (sheet, a1) in watched(layout):
                got = wb[sheet][a1].value
                py = want[(what, key)]
                if got != py or (isinstance(py, str) != isinstance(got, str)):
                    wrong.append(f"{what} {key} [{sheet}!{a1}]: cached {got!r}, Python {py!r}")
            for cell in inputs:
                sheet, a1 = ref(layout, cell.key)
                got = wb[sheet][a1].value
                if got != values[cell.key]:
                    wrong.append(f"input {cell.key} [{sheet}!{a1}]: saved {got!r}, typed {values[cell.key]!r}")
            wb.close()
            assert not wrong, f"seed {seed} ({mode}):\n" + "\n".join(wrong[:25])

            formulas = openpyxl.load_workbook(path)  # the formulas survive the round trip
            for what, key, (sheet, a1) in watched(layout):
                assert str(formulas[sheet][a1].value).startswith("="), (what, key, sheet, a1)
            assert formulas[META_SHEET].sheet_state == "veryHidden" or formulas[META_SHEET].sheet_state == "hidden"
            formulas.close()


# -- beyond what the validation allows: fractional and huge counts ---------------------
# Data validation keeps count cells to whole numbers 0..999 999 999, but a paste
# bypasses it. These cases pin down that LibreOffice and ``engine`` still agree (since template 1.2
# the difference is written with FIXED: all digits, no exponent, in every program).
_NR, _CI, _GR = "t3.new_received.natural_person", "t3.carried_in.natural_person", "t3.granted.natural_person"
EDGE_CASES = [
    pytest.param({_NR: 2.5}, id="half"),
    pytest.param({_NR: 0.5, _GR: 0.2}, id="0.5-0.2"),
    pytest.param({_NR: 1 / 3}, id="one-third"),
    pytest.param({_NR: 0.1, _CI: 0.7}, id="0.1+0.7"),
    pytest.param({_NR: 0.0001}, id="1e-4"),
    pytest.param({_NR: 123_456_789_012}, id="12-digits"),
    pytest.param({_NR: 1_234_567_890_123_456}, id="16-digits"),
    pytest.param({_NR: 10.1, _CI: 0.2, _GR: 10.3}, id="cancels-up-to-rounding"),
    pytest.param({_NR: 1000000.1, _CI: 0.2, _GR: 1000000.3}, id="cancels-up-to-rounding-large"),
    pytest.param({_NR: 0.00001}, id="1e-5"),
    pytest.param({_NR: -0.00001, _GR: 0}, id="minus-1e-5"),
    pytest.param({_NR: 1e16}, id="1e16"),
]


@pytest.fixture(scope="module")
def edge_doc(calc, templates):
    doc = calc.open(templates["2021"])
    yield doc
    calc.close(doc)


@pytest.mark.parametrize("typed", EDGE_CASES)
def test_fractional_and_huge_counts(calc, edge_doc, typed):
    layout = build_layout(load_form("2021"))
    inputs = numeric_inputs(layout.form)
    values = {c.key: None for c in inputs} | typed
    answers = calc.fill(
        edge_doc, [(*ref(layout, c.key), values[c.key]) for c in inputs], read=[a for _, _, a in watched(layout)]
    )
    assert differences(layout, values, answers) == []
