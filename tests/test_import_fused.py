"""Fused digits: split by every relation the form gives, never guessed; printed totals that lie are reported.

The pages are generated (import_pages.py): a Word-style web page of random figures, and the same page as
a crawler's text dump whose table cells run together. Whatever the import cannot decide stays blank and
is reported; it never writes a number that is not the published one.
"""

from __future__ import annotations

import random

import pytest
from import_pages import crawler_text, random_values, table_keys, word_html

from xlrep.edition.form import load_form
from xlrep.importing import import_report
from xlrep.importing.splitting import Column, Text, Token, parse_piece, splits
from xlrep.workbook.engine import all_values


def _columns(kinds):
    return [Column(f"c{i}", kind, None) for i, kind in enumerate(kinds)]


def _dump(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- one figure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("piece", "kind", "value"),
    [
        ("0", "count", 0),
        ("217", "count", 217),
        ("1,234", "count", 1234),
        ("12件", "count", 12),
        ("-", "count", Text("-")),
        ("无", "count", Text("无")),
        ("-18", "signed", -18),
        ("+1", "signed", 1),
        ("96171.6", "amount", 96171.6),
    ],
)
def test_a_published_figure_is_read_as_itself(piece, kind, value):
    got = parse_piece(piece, Column("k", kind, "万元" if kind == "amount" else None))
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("piece", "kind"),
    [("05", "count"), ("-3", "count"), ("2.5", "count"), ("-0", "signed"), ("1.2.3", "amount"), ("12元", "count")],
)
def test_what_cannot_be_a_published_figure_is_refused(piece, kind):
    from xlrep.importing.splitting import UNSET

    assert parse_piece(piece, Column("k", kind, None)) is UNSET


def test_an_amount_in_another_unit_than_its_column_stays_text():
    assert parse_piece("251000元", Column("k", "amount", "万元")) == Text("251000元")


def test_every_split_is_enumerated_and_leading_zeros_cut_them_down():
    options, complete = splits([Token("run", "21710000218")], _columns(["count"] * 7))
    assert complete
    assert (217, 1, 0, 0, 0, 0, 218) in options
    assert all(len(o) == 7 for o in options)
    assert all(not str(v).startswith("0") or v == 0 for o in options for v in o)
    # zeros never merge: a row of zeros has exactly one reading
    assert splits([Token("run", "0000000")], _columns(["count"] * 7))[0] == [(0,) * 7]


def test_a_sign_starts_a_figure_of_a_signed_column_only():
    options, _ = splits([Token("run", "0+11")], _columns(["count", "signed", "count"]))
    assert options == [(0, 1, 1)]
    options, _ = splits([Token("run", "2648-18538")], _columns(["count", "signed", "count"]))
    assert {o[0] for o in options} == {2648} and len(options) > 1  # the first figure is certain, the rest is not


# -- whole reports -------------------------------------------------------------------------------------

T3_2021 = [
    ("一、本年新收政府信息公开申请数量", [12, 11, 0, 0, 0, 0]),
    ("二、上年结转政府信息公开申请数量", [0, 0, 0, 0, 0, 0]),
    ("（一）予以公开", [1, 11, 0, 0, 0, 0]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [11, 0, 0, 0, 0, 0]),
]


def _t3_text(
    rows: dict[str, list[int]], printed: dict[str, int] | None = None, spaced=("new_received", "result_total")
) -> str:
    """表三 of a 2021 report as a crawler dumps it: labels and figures with no separator (but in ``spaced`` rows)."""
    form = load_form("2021")
    grid = form.grids("t3")[0]
    out = [
        "某某县教育局2022年政府信息公开工作年度报告",
        "一、总体情况本年度工作平稳。",
        "三、收到和处理政府信息公开申请情况",
    ]
    out.append(grid.corner + "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他")
    done = set()
    for row in grid.rows:
        for group in row.group:
            if group not in done:
                done.add(group)
                out.append(group)
        figures = rows.get(row.key, [0] * 6)
        total = (printed or {}).get(row.key, sum(figures))
        out.append(row.label + (" " if row.key in spaced else "").join(str(v) for v in figures + [total]))
    out.append("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼" + "0" * 15)
    out.append("五、存在的主要问题及改进情况问题是宣传不够。下一步加强宣传。六、其他需要报告的事项无。")
    return "".join(out)


def _consistent(rows: dict[str, list[int]]) -> dict[str, list[int]]:
    form = load_form("2021")
    grid = form.grids("t3")[0]
    result = [r.key for r in grid.rows if r.result]
    seven = [sum(rows.get(k, [0] * 6)[i] for k in result) for i in range(6)]
    rows = dict(rows)
    rows["result_total"] = seven
    new = rows.get("new_received", [0] * 6)
    carried = rows.get("carried_in", [0] * 6)
    rows["carried_forward"] = [new[i] + carried[i] - seven[i] for i in range(6)]
    return rows


def test_columns_decide_what_the_row_total_cannot(tmp_path):
    # 111000012 is 1|11|…|12 or 11|1|…|12 (or 1|1|10|…): all add up to the row's 总计; only one fits the columns
    rows = _consistent(
        {"new_received": [4, 11, 0, 0, 0, 0], "granted": [1, 11, 0, 0, 0, 0], "partly_granted": [3, 0, 0, 0, 0, 0]}
    )
    assert all(v >= 0 for v in rows["carried_forward"])
    columns = _columns(["count"] * 7)
    by_row_sum = [o for o in splits([Token("run", "111000012")], columns)[0] if sum(o[:6]) == o[6]]
    assert len(by_row_sum) >= 2
    imported = import_report(_dump(tmp_path, "r.txt", _t3_text(rows)))
    assert [imported.values[f"t3.granted.{c}"] for c in ("natural_person", "commercial")] == [1, 11]
    assert not [f for f in imported.findings if f.rule in ("IMPORT-AMBIGUOUS", "IMPORT-TOTAL")]


def test_two_readings_that_fit_every_relation_are_ambiguous_not_guessed(tmp_path):
    # the same digits in two rows whose columns can be swapped: both readings fit the whole table
    rows = _consistent(
        {"new_received": [12, 12, 0, 0, 0, 0], "granted": [1, 11, 0, 0, 0, 0], "partly_granted": [11, 1, 0, 0, 0, 0]}
    )
    imported = import_report(_dump(tmp_path, "r.txt", _t3_text(rows)))
    ambiguous = [f for f in imported.findings if f.rule == "IMPORT-AMBIGUOUS"]
    assert ambiguous, imported.findings
    assert imported.values["t3.granted.natural_person"] is None
    assert imported.values["t3.granted.commercial"] is None
    assert "111000012" in ambiguous[0].values["raw"].replace(" ", "")
    assert imported.values["t3.new_received.natural_person"] == 12  # what is certain is kept
    assert "t3.granted.natural_person" in imported.comments


def test_a_printed_total_that_contradicts_its_cells_is_reported_with_both_numbers(tmp_path):
    rows = _consistent({"new_received": [20, 7, 0, 0, 0, 0], "granted": [20, 7, 0, 0, 0, 0]})
    imported = import_report(_dump(tmp_path, "r.txt", _t3_text(rows, printed={"result_total": 21})))
    totals = [f for f in imported.findings if f.rule == "IMPORT-TOTAL"]
    assert len(totals) == 1
    assert totals[0].values["totals"] == [{"cell": "（七）总计 × 总计", "printed": 21, "sum": 27, "difference": 6}]
    assert imported.values["t3.granted.natural_person"] == 20 and imported.values["t3.granted.commercial"] == 7
    assert "21" in imported.comments["t3.result_total.total"] and "27" in imported.comments["t3.result_total.total"]


def test_a_total_column_of_zeros_under_figures_is_reported_and_not_used_to_split(tmp_path):
    rows = _consistent({"new_received": [5, 0, 0, 0, 0, 0], "granted": [5, 0, 0, 0, 0, 0]})
    printed = {k: 0 for k in ("new_received", "granted", "result_total")}
    imported = import_report(_dump(tmp_path, "r.txt", _t3_text(rows, printed=printed)))
    totals = [f for f in imported.findings if f.rule == "IMPORT-TOTAL"]
    assert totals and len(totals[0].values["totals"]) == 3
    assert imported.values["t3.granted.natural_person"] == 5


@pytest.mark.parametrize("seed", range(30))
def test_random_reports_as_web_pages_and_as_fused_text_never_give_a_wrong_number(tmp_path, seed):
    rng = random.Random(seed)
    edition, year = rng.choice([("2021", 2022), ("2019", 2020)])
    values = random_values(edition, year, rng)
    form = load_form(edition)
    full = all_values(form, values)
    printed = {}
    if seed % 3 == 1:  # a printed total that lies
        key = rng.choice([c.key for c in form.cells.values() if c.is_total and c.table == "t3"])
        printed[key] = full[key] + rng.choice([1, 2, 9])
    page = word_html(edition, year, values, rng, printed=printed)
    (tmp_path / "r.html").write_bytes(page.encode("gb18030"))
    (tmp_path / "r.txt").write_text(crawler_text(page, rng, space=rng.choice([0.0, 0.1, 0.5])), encoding="utf-8")
    for name in ("r.html", "r.txt"):
        imported = import_report(tmp_path / name)
        assert imported.edition == edition and imported.year == year
        blanks = set()
        for finding in imported.findings:
            assert finding.rule in ("IMPORT-AMBIGUOUS", "IMPORT-TOTAL"), finding.message
        for key in table_keys(form):
            got = imported.values.get(key)
            if got is None:
                blanks.add(key)
            else:
                assert got == values[key], (name, key)
        if name == "r.html":  # a page with cells leaves nothing in doubt
            assert not blanks
        doubted = {c.label for f in imported.findings if f.rule == "IMPORT-AMBIGUOUS" for c in f.cells}
        assert {form.cells[k].label for k in blanks} <= doubted  # every blank is reported
        reported = bool([f for f in imported.findings if f.rule == "IMPORT-TOTAL"])
        if name == "r.html":
            assert reported == bool(printed)
        else:  # in fused text a lying total is found unless the cells it adds up are themselves in doubt
            assert reported <= bool(printed) and (reported or not printed or blanks)


# -- 表三 printed in the other edition's shape of （六）其他处理 ------------------------------------------------


def _t3_with_six(edition: str, year: int, six: dict[str, list[int]], others: dict[str, list[int]]) -> str:
    """A 表三 whose （六） part is printed as ``six`` (label -> figures), the rest from ``others`` by row key."""
    form = load_form(edition)
    grid = form.grids("t3")[0]
    out = [
        f"某某县教育局{year}年政府信息公开工作年度报告一、总体情况本年度工作平稳。三、收到和处理政府信息公开申请情况"
    ]
    done = set()
    for row in grid.rows:
        if "（六）其他处理" in (row.label, *row.group):
            if "six" not in done:
                done.add("six")
                for label, figures in six.items():
                    out.append(label + " ".join(str(v) for v in figures + [sum(figures)]))
            continue
        for group in row.group:
            if group not in done:
                done.add(group)
                out.append(group)
        figures = others.get(row.key, [0] * 6)
        out.append(row.label + " ".join(str(v) for v in figures + [sum(figures)]))
    out.append("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼" + " ".join("0" * 15))
    out.append("五、存在的主要问题及改进情况问题是宣传不够。下一步加强宣传。六、其他需要报告的事项无。")
    return "".join(out)


def test_a_2021_report_with_2019s_single_other_row(tmp_path):
    six = {"（六）其他处理": [0, 0, 0, 0, 0, 0]}
    path = _dump(
        tmp_path,
        "r.txt",
        _t3_with_six(
            "2021",
            2022,
            six,
            {"new_received": [3, 0, 0, 0, 0, 0], "granted": [3, 0, 0, 0, 0, 0], "result_total": [3, 0, 0, 0, 0, 0]},
        ),
    )
    imported = import_report(path)
    assert imported.edition == "2021"
    for key in ("other_no_correction", "other_fee_unpaid", "other_other"):
        assert imported.values[f"t3.{key}.natural_person"] == 0  # a row of zeros is three rows of zeros
    assert [f.rule for f in imported.findings if f.rule != "IMPORT-MISSING"] == ["IMPORT-LABEL"]
    six = {"（六）其他处理": [2, 0, 0, 0, 0, 0]}
    others = {"new_received": [5, 0, 0, 0, 0, 0], "granted": [3, 0, 0, 0, 0, 0], "result_total": [5, 0, 0, 0, 0, 0]}
    imported = import_report(_dump(tmp_path, "s.txt", _t3_with_six("2021", 2022, six, others)))
    ambiguous = [f for f in imported.findings if f.rule == "IMPORT-AMBIGUOUS"]
    assert len(ambiguous) == 1 and ambiguous[0].values["published"] == {"自然人": 2}
    for key in ("other_no_correction", "other_fee_unpaid", "other_other"):
        assert imported.values[f"t3.{key}.natural_person"] is None  # 2 cannot be split into three rows
        assert imported.values[f"t3.{key}.commercial"] == 0


def test_a_2019_report_with_2021s_three_other_rows(tmp_path):
    six = {
        "（六）其他处理": [],
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": [1, 0, 0, 0, 0, 0],
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": [0, 2, 0, 0, 0, 0],
        "3.其他": [4, 0, 0, 0, 0, 0],
    }
    others = {"new_received": [5, 2, 0, 0, 0, 0], "result_total": [5, 2, 0, 0, 0, 0]}
    table2 = "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章 0 0 0"
    text = _t3_with_six("2019", 2020, six, others).replace("（六）其他处理0", "（六）其他处理")
    text = text.replace("三、收到和处理", table2 + "三、收到和处理")
    imported = import_report(_dump(tmp_path, "r.txt", text))
    assert imported.edition == "2019"
    assert imported.values["t3.other_handling.natural_person"] == 5
    assert imported.values["t3.other_handling.commercial"] == 2
    assert "IMPORT-LABEL" in [f.rule for f in imported.findings]
    assert not [f for f in imported.findings if f.rule in ("IMPORT-AMBIGUOUS", "IMPORT-TOTAL")]
