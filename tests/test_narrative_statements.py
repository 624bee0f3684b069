"""Statement patterns of TEXT-NUMBER (checks.md): each recognised when wrong, never flagged when right."""

from __future__ import annotations

import pytest
from filling import clean_values, fill_workbook

from xlrep.auditing.ingest import audit
from xlrep.edition.form import load_form
from xlrep.workbook.engine import all_values

FORM = load_form("2021")


def _totals(values):
    full = all_values(FORM, values)
    return {
        k: full[k]
        for k in (
            "t3.new_received.total",
            "t3.carried_in.total",
            "t3.result_total.total",
            "t3.carried_forward.total",
            "t3.granted.total",
            "t3.partly_granted.total",
        )
    }


def _text_numbers(tmp_path, sentence):
    values = clean_values("2021", 2021)
    values["s1.on_request"] = sentence.format(**{k.split(".")[1]: v for k, v in _totals(values).items()})
    result = audit(fill_workbook(tmp_path / "f.xlsx", "2021", 2021, values))
    return [f for f in result.findings if f.rule == "TEXT-NUMBER"]


STATEMENTS = [
    "本年度共收到政府信息公开申请{new_received}件。",
    "本年新收政府信息公开申请{new_received}件，上年结转{carried_in}件。",
    "全年办理政府信息公开申请{result_total}件。",
    "共受理申请{new_received}件，办结{result_total}件，结转下年度继续办理{carried_forward}件。",
    "收到申请{new_received}件，其中予以公开{granted}件、部分公开{partly_granted}件。",
    "共答复政府信息公开申请{result_total}件（另有{carried_forward}件顺延至下年度办理）。",
]


@pytest.mark.parametrize("sentence", STATEMENTS)
def test_true_statements_are_not_flagged(tmp_path, sentence):
    assert _text_numbers(tmp_path, sentence) == []


@pytest.mark.parametrize("sentence", STATEMENTS)
def test_each_statement_is_flagged_when_its_number_is_wrong(tmp_path, sentence):
    first = sentence.index("{")
    name = sentence[first + 1 : sentence.index("}", first)]
    wrong = sentence.replace("{" + name + "}", "{" + name + "}1", 1)  # appends a digit: a different number
    found = _text_numbers(tmp_path, wrong)
    assert len(found) == 1
    assert found[0].values["stated"] != found[0].values["table"]


@pytest.mark.parametrize(
    "sentence",
    [
        "本年度办理人大代表建议25件、政协提案12件，均已公开办理结果。",
        "收到群众来信5件，均已办结。",
        "主动公开政府信息3000余件。",
        "全年受理政府信息公开行政复议申请2件。",
    ],
)
def test_numbers_that_are_not_table_figures_are_left_alone(tmp_path, sentence):
    assert _text_numbers(tmp_path, sentence) == []


@pytest.mark.parametrize(
    "org, org_type, preamble, ours",
    [
        ("某某经济开发区管委会", "其他", "", True),
        ("某某综合实验区", None, "", True),
        ("某某新区", "其他", "", True),
        ("某某县", "其他", "本报告由县政府办公室汇总全县各乡镇、各部门的政府信息公开工作情况编制而成。", True),
        ("某某经济开发区财政局", "县级以上人民政府部门", "", False),
        ("某某县教育局", "县级以上人民政府部门", "", False),
    ],
)
def test_the_whole_area_is_the_own_of_a_body_acting_as_its_government(tmp_path, org, org_type, preamble, ours):
    """全区 figures are a 管委会's, a 实验区's, a 新区's own, and those of a report compiled for the whole area."""
    values = clean_values("2021", 2021)
    new = _totals(values)["t3.new_received.total"]
    values["info.org_name"] = org
    values["info.org_type"] = org_type
    values["s1.on_request"] = preamble + f"全区共收到政府信息公开申请{new + 1}件。"
    result = audit(fill_workbook(tmp_path / "f.xlsx", "2021", 2021, values))
    found = [f for f in result.findings if f.rule == "TEXT-NUMBER"]
    assert [f.values["stated"] for f in found] == ([new + 1] if ours else [])
    values["s1.on_request"] = preamble + f"全区共收到政府信息公开申请{new}件。"
    result = audit(fill_workbook(tmp_path / "g.xlsx", "2021", 2021, values))
    assert [f for f in result.findings if f.rule == "TEXT-NUMBER"] == []
