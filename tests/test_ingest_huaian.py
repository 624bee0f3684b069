"""The published 淮安市人民政府 2024 report, typed into a 2024 workbook: its true statements stay unflagged.

The figures are the repository's sample (``samples/huaian-2024.toml``); the published narrative and
printed totals come from the real-report corpus (``XLREP_CORPUS``): without it those tests skip.
"""

from __future__ import annotations

import json
import re

import huaian
import pytest
from filling import NARRATIVE, fill_workbook

from xlrep.cli import main
from xlrep.edition.form import load_form
from xlrep.workbook.engine import compute_totals

FORM = load_form("2021")


def _values(on_request: str | None = None) -> dict[str, object]:
    figures = huaian.figures()
    values = {k: v for k, v in figures.items() if k in FORM.cells and FORM.cells[k].is_input}
    values.update(
        {k: v.format(year=2024, new=0, done=0, forward=0) for k, v in NARRATIVE.items() if k != "s1.on_request"}
    )
    values["s1.on_request"] = on_request if on_request is not None else huaian.request_paragraph()
    values["s6.other"] = huaian.fee_sentence()
    values.update(
        {
            "info.org_name": "淮安市人民政府",
            "info.org_type": "县级以上地方人民政府",
            "s6.fee_notices": 6,
            "s6.fee_notice_amount": 3940,
            "s6.fee_collected": huaian.sample()["values"]["s6.fee_collected"],
        }
    )
    return values


def _audit(tmp_path, capsys, values):
    path = fill_workbook(tmp_path / "huaian-2024.xlsx", "2021", 2024, values)
    code = main(["ingest", str(path), "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out)


def test_the_published_tables_add_up_and_our_totals_match_theirs():
    published = huaian.published()
    printed = {k: v for k, v in published.items() if FORM.cells[k].is_total}
    totals = compute_totals(FORM, published)
    assert len(printed) == 9 and {k: totals[k] for k in printed} == printed


def test_the_sample_holds_the_published_figures():
    published = huaian.published()
    assert {k: v for k, v in huaian.figures().items() if k in published} == published


def test_true_statements_are_not_flagged_and_no_fee_unit_warning_for_a_government(tmp_path, capsys):
    code, report = _audit(tmp_path, capsys, _values())
    rules = [f["rule"] for f in report["findings"]]
    assert "TEXT-NUMBER" not in rules and "TEXT-CLAIM" not in rules
    assert "T2-FEE-UNIT" not in rules  # 96171.6 万元 is a real city government's figure
    assert report["summary"]["errors"] == 0 and code == 0


@pytest.mark.parametrize("index", range(14))
def test_changing_one_stated_number_flags_exactly_that_statement(tmp_path, capsys, index):
    text = huaian.request_paragraph()
    matches = list(re.finditer(r"(\d+)(\s*件)", text))
    assert len(matches) == 14  # the published paragraph states 14 numbers
    m = matches[index]
    stated = int(m.group(1)) + 1
    changed = text[: m.start()] + str(stated) + text[m.end(1) :]
    code, report = _audit(tmp_path, capsys, _values(changed))
    found = [f for f in report["findings"] if f["rule"] == "TEXT-NUMBER"]
    assert len(found) == 1, [f["message"] for f in found]
    assert found[0]["values"]["stated"] == stated
    assert found[0]["values"]["table"] == stated - 1
    assert str(stated) in found[0]["values"]["sentence"]
    assert not [f for f in report["findings"] if f["rule"] == "TEXT-CLAIM"]
    assert code == 0  # TEXT-NUMBER is a warning


def test_the_paragraph_states_fourteen_figures():
    stated = re.findall(r"(\d+)\s*件", huaian.request_paragraph())
    assert stated == "3119 3050 34 103 351 72 64 178 37 46 25 5 9 7".split()
