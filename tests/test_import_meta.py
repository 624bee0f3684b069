"""The year and the agency of a published report: from the title wherever the year stands, the statistics period,
“XXXX年度”, “由…编制” and the signature; never a clause (现公布, 现将, 根据…); an opening that lists the parts is
not a heading; ``--year --org --org-type`` for what a report does not say; what is not found is IMPORT-MISSING.

The openings are our own, written in the style of published reports (the real ones are in tests/openings).
"""

from __future__ import annotations

import json

import pytest

from xlrep.importing import ImportFailed, ImportHints, import_report, to_workbook

PARTS = "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项等六个部分。"
BODY = (
    "\n一、总体情况\n本年度未收到政府信息公开申请。\n五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n"
)


def _import(tmp_path, text: str, hints: ImportHints | None = None):
    path = tmp_path / "报告.txt"
    path.write_text(text, encoding="utf-8")
    return import_report(path, hints=hints)


def _missing(imported) -> list[str]:
    return [f.values["missing"] for f in imported.findings if f.rule == "IMPORT-MISSING"]


@pytest.mark.parametrize(
    "opening, year, org",
    [
        # the year before the agency in the title
        ("2022年某某市人民政府参事室政府信息公开工作年度报告\n本年度报告根据条例编制。", 2022, "某某市人民政府参事室"),
        ("2023年度某某市某某区政府信息公开工作年度报告\n", 2023, "某某市某某区"),
        # the year after the title, in brackets; a 年报
        ("某某区人民政府信息公开工作年度报告（2023年度）\n", 2023, "某某区人民政府"),
        ("某某区人民政府办公室2022年度政府信息公开年报\n", 2022, "某某区人民政府办公室"),
        # no title: the statistics period and 由…编制
        (
            "政府信息公开工作年度报告\n本报告依据条例，由某某镇人民政府编制。"
            + PARTS
            + "本报告中所列数据的统计期限从2021年1月1日起到2021年12月31日止。",
            2021,
            "某某镇人民政府",
        ),
        ("本报告由某某县农业农村局编制。统计时限从2021年1月1日至2021年12月31日。", 2021, "某某县农业农村局"),
        # a clause is not the agency
        ("根据条例规定，现公布某某区发改局2022年度信息公开工作，报告主要分为六个部分。", 2022, "某某区发改局"),
        ("根据条例，现将某某物流区2022年政府信息公开工作年度报告总结如下：", 2022, "某某物流区"),
        (
            "根据条例要求，特编制某某自治州人民政府办公室2021年政府信息公开工作年度报告。",
            2021,
            "某某自治州人民政府办公室",
        ),
        ("根据条例，现向社会公布2024年度本级政府信息公开年度报告。" + PARTS, 2024, None),
        ("根据条例，现公布我局2022年政府信息公开工作年度报告。", 2022, None),
        # openings, round four: a notice the opening quotes is not the report, nor its clause the agency
        (
            "根据《某某区人民政府办公室关于做好2023年政府信息公开工作年度报告编制工作的通知》的要求，编制本报告。"
            "本报告中所列数据的统计期限为2023年1月1日至2023年12月31日。",
            2023,
            None,
        ),
        (
            "根据条例和州政府办《关于做好2022年度政府信息公开工作年度报告编制及发布工作提示》要求，"
            "现公布某某街道办事处2022年政府信息公开工作年度报告。",
            2022,
            "某某街道办事处",
        ),
        (
            "现发布《某某市民族事务委员会（宗教事务局）2024年政府信息公开工作年度报告》。",
            2024,
            "某某市民族事务委员会（宗教事务局）",
        ),
        (
            "某某区某某镇2024年政府信息公开年度工作报告\n根据条例要求，某某镇参照2024年相关指标编制本年度政府信息公开工作报告。",
            2024,
            "某某区某某镇",
        ),
        ("某某自治区审计厅2025年政务信息公开工作开展年度报告\n", 2025, "某某自治区审计厅"),
        ("本年度报告根据条例要求，汇总2024年某某镇的政府信息公开年度报告编制而成。", 2024, "某某镇"),
        ("特向社会公布2024年某某乡人民政府政府信息公开工作情况报告。", 2024, "某某乡人民政府"),
        ("现对某某市人民政府外事办公室2023年度政府信息公开工作情况报告如下：", 2023, "某某市人民政府外事办公室"),
        ("根据条例，现就本局2023年政府信息公开工作情况报告如下：", 2023, None),
        ("现将全市2023年政府信息公开工作情况报告如下：", 2023, None),
    ],
)
def test_year_and_agency_from_the_opening(tmp_path, opening, year, org):
    imported = _import(tmp_path, opening + BODY)
    assert (imported.year, imported.org) == (year, org)
    assert ("org" in _missing(imported)) is (org is None)
    assert "year" not in _missing(imported)


def test_an_opening_list_of_the_parts_is_not_a_heading(tmp_path):
    imported = _import(
        tmp_path,
        "政府信息公开工作年度报告\n由某某镇人民政府编制。" + PARTS + "统计期限为2021年1月1日至12月31日。" + BODY,
    )
    assert imported.sections[0] == "一" and imported.year == 2021
    assert "本年度未收到政府信息公开申请" in next(iter(imported.narrative.values()))


def test_the_agency_and_year_from_the_signature(tmp_path):
    text = "政府信息公开工作年度报告" + BODY + "某某镇人民政府\n2022年1月20日\n"
    imported = _import(tmp_path, text)
    assert (imported.org, imported.year) == ("某某镇人民政府", 2021)
    (guess,) = [f for f in imported.findings if f.rule == "IMPORT-MISSING" and f.values["missing"] == "year"]
    assert "按落款日期推定为 2021 年度" in guess.message


def test_the_year_the_first_sentence_of_the_overview_names_is_a_guess_to_check(tmp_path):
    imported = _import(
        tmp_path,
        "政府信息公开工作年度报告\n一、总体情况\n2023年，我局收到申请3件。\n五、存在的主要问题及改进情况\n无。",
    )
    assert imported.year == 2023
    (guess,) = [f for f in imported.findings if f.rule == "IMPORT-MISSING" and f.values["missing"] == "year"]
    assert "推定为 2023 年度" in guess.message and "--year" in guess.message
    text = "政府信息公开工作年度报告\n一、总体情况\n2019年以来，我局持续推进公开。\n五、存在的主要问题及改进情况\n无。"
    assert _import(tmp_path, text).year is None  # 以来: not the year reported on
    # the opening's first sentence, where nothing under 一 gives it
    text = "2024年，某某街道办事处稳步推进政务公开工作，现将本年度工作情况报告如下：\n一、总体情况\n本年度未收到申请。"
    imported = _import(tmp_path, text + "\n五、存在的主要问题及改进情况\n无。")
    assert imported.year == 2024 and "year" in _missing(imported)
    (guess,) = [f for f in imported.findings if f.rule == "IMPORT-MISSING" and f.values["missing"] == "year"]
    assert "开头说明第一句" in guess.message and "推定为 2024 年度" in guess.message


def test_what_a_report_does_not_say_is_missing_and_the_options_give_it(tmp_path):
    imported = _import(tmp_path, "政府信息公开工作年度报告" + BODY)
    assert imported.year is None and imported.org is None
    assert {"year", "org"} <= set(_missing(imported))
    with pytest.raises(ImportFailed, match="--year"):
        to_workbook(imported)
    imported = _import(tmp_path, "政府信息公开工作年度报告" + BODY, ImportHints(2023, "某某镇人民政府", "乡镇"))
    assert (imported.year, imported.org, imported.org_type) == (2023, "某某镇人民政府", "乡镇人民政府、街道办事处")
    assert not {"year", "org"} & set(_missing(imported))
    assert to_workbook(imported)


def test_the_options_on_import_ingest_and_check(run, tmp_path):
    report = tmp_path / "报告.txt"
    report.write_text("政府信息公开工作年度报告" + BODY, encoding="utf-8")
    code, _, err = run("import", report, "-o", tmp_path)
    assert code == 2 and "--year" in err
    code, out, _ = run("import", report, "-o", tmp_path, "--year", "2023", "--org", "某某镇人民政府", "--json")
    assert code == 0
    (done,) = json.loads(out)["reports"]
    assert (done["year"], done["org"]) == (2023, "某某镇人民政府")
    code, out, _ = run("ingest", report, "--year", "2023", "--org-type", "乡镇", "--json", "-q")
    assert json.loads(out)["year"] == 2023
    code, out, _ = run("check", report, "--year", "2023", "--json")
    assert json.loads(out)["units"][0]["year"] == 2023
    code, _, err = run("import", report, "--year", "二〇二三")
    assert code == 2 and "--year 2023" in err
    code, _, err = run("check", report, "--org-type", "学校")
    assert code == 2 and "机关类型无效" in err


def test_a_body_acting_as_the_local_government_and_a_report_for_the_whole_area(tmp_path):
    imported = _import(tmp_path, "某某综合实验区2023年政府信息公开工作年度报告\n" + BODY)
    assert imported.org_type == "县级以上地方人民政府"
    text = (
        "某某县2023年政府信息公开工作年度报告\n本报告由县政府办公室汇总全县各乡镇、各部门政府信息公开工作情况编制而成。"
    )
    assert _import(tmp_path, text + BODY).org_type == "县级以上地方人民政府"
    text = "某某县教育局2023年政府信息公开工作年度报告\n本报告汇总局属各单位情况编制。"
    assert _import(tmp_path, text + BODY).org_type is None
