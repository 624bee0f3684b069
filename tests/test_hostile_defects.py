"""Issue 13 "Reliability, round two": every defect the hostile tester reported, rebuilt the way the tester built it.

Each test names its defect (D1 … D14, ENOSPC). Workbooks a clerk would have made are filled and saved by
LibreOffice (the ``calc`` fixture) where the clerk's action produced the file; crafted files are built
as the tester built them (openpyxl, or the stored XML rewritten). Anything that could hang runs the
command line in a subprocess with a timeout. ``tests/test_hostile_fuzz.py`` closes each class with
property tests; ``tests/bad_inputs.py`` carries one case per class into the README's reliability table.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from filling import clean_values, fill_workbook
from hostile import (
    assert_answered,
    assert_csv_safe,
    assert_docx_safe,
    assert_markdown_safe,
    assert_no_foreign_formula,
    assert_report_safe,
    assert_terminal_safe,
    hostile_workbook,
    json_of,
    render_markdown,
    text_keys,
    xlrep,
)

from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template

ROOT = Path(__file__).resolve().parents[1]
FORMATS = (".txt", ".md", ".html", ".docx", ".json")
ORG = "info.org_name"
NARRATIVE = "s1.management"


def a1(key: str, edition: str = "2021") -> tuple[str, str]:
    sheet, row, col = build_layout(load_form(edition)).addresses[key]
    return sheet, cell_ref(row, col)


def lo_units(calc, folder: Path, units: dict[str, dict[str, object]], edition="2021", year=2021) -> list[Path]:
    """One workbook per file name, typed into the template in LibreOffice and saved as .xlsx, as a clerk does."""
    template = folder.parent / f"template-{edition}-{year}.xlsx"
    template.write_bytes(build_template(year, load_form(edition)))
    doc = calc.open(template)
    paths = []
    try:
        for name, changes in units.items():
            values = {**clean_values(edition, year), **changes}
            calc.fill(doc, [[*a1(k, edition), v] for k, v in values.items()], recalc=True)
            paths.append(Path(calc.save(doc, folder / name)))
    finally:
        calc.close(doc)
    return paths


def xlrep_process(*args, timeout: float = 60, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command line in its own process (bytes arguments allowed), bounded in time."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8")
    cmd = [os.fsencode(sys.executable), b"-m", b"xlrep", *(os.fsencode(a) for a in args)]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, cwd=cwd)


def no_partial_files(folder: Path) -> None:
    assert [p.name for p in folder.rglob("*.part")] == []


# -- D1: CSV / formula injection ----------------------------------------------------------------------------

INJECTIONS = [
    '=HYPERLINK("http://example.invalid/x","点我")县人民政府',
    "+1+1县人民政府",
    "-2+3县人民政府",
    "@SUM(1+1)县人民政府",
    "\t=1+1县人民政府",
    "\r=2+2乡人民政府",
]


@pytest.fixture(scope="module")
def injected_folder(calc, tmp_path_factory) -> Path:
    """Six units whose 机关名称 and narrative a clerk typed (LibreOffice) starting with a formula sign."""
    folder = tmp_path_factory.mktemp("d1") / "各单位"
    folder.mkdir()
    units = {
        f"单位{i}.xlsx": {ORG: name, NARRATIVE: "=cmd|' /C calc'!A0 " + name, "info.address": "@" + name}
        for i, name in enumerate(INJECTIONS)
    }
    lo_units(calc, folder, units)
    return folder


@pytest.mark.libreoffice
def test_d1_check_csv_never_writes_a_formula(injected_folder, tmp_path):
    out = tmp_path / "问题清单.csv"
    code, stdout, err = xlrep("check", injected_folder, "--csv", out, "--json")
    assert_answered(code, stdout, err)
    rows = assert_csv_safe(out.read_bytes(), numbers={3})
    units = {row[0] for row in rows[1:]}
    assert len(units) == len(INJECTIONS)
    assert '\'=HYPERLINK("http://example.invalid/x","点我")县人民政府' in units
    # the JSON keeps the names as typed (it is data, not a spreadsheet)
    names = {u["unit"] for u in json_of(stdout)["units"]}
    assert '=HYPERLINK("http://example.invalid/x","点我")县人民政府' in names


@pytest.mark.libreoffice
def test_d1_merge_detail_sheet_and_annotated_copy_hold_no_formula(injected_folder, tmp_path):
    out = tmp_path / "汇总.xlsx"
    code, stdout, err = xlrep("merge", injected_folder, "-o", out, "--org", "=1+1某某县人民政府")
    assert_answered(code, stdout, err)
    assert code == 0
    assert_no_foreign_formula(out, neutral_sheets=("汇总明细",))
    wb = openpyxl.load_workbook(out)
    sheet, cell = a1(ORG)
    assert wb[sheet][cell].data_type == "s" and wb[sheet][cell].value == "=1+1某某县人民政府"
    detail = [str(c.value) for row in wb["汇总明细"].iter_rows(min_row=2) for c in row if c.value is not None]
    assert any(v.startswith("'=HYPERLINK") for v in detail) and any(v.startswith("'@SUM") for v in detail)

    for unit in sorted(injected_folder.iterdir()):
        annotated = tmp_path / f"标注-{unit.name}"
        code, stdout, err = xlrep("ingest", unit, "-q", "--annotate", annotated)
        assert_answered(code, stdout, err)
        assert_no_foreign_formula(annotated)


def test_d1_template_org_is_stored_as_text(tmp_path):
    name = '=HYPERLINK("http://example.invalid","点我")'
    target = tmp_path / "t.xlsx"
    code, out, err = xlrep("template", "2021", "--org", name, "-o", target)
    assert_answered(code, out, err)
    wb = openpyxl.load_workbook(target)
    sheet, cell = a1(ORG)
    assert wb[sheet][cell].data_type == "s" and wb[sheet][cell].value == name
    assert_no_foreign_formula(target)


# -- D2, D3: no output is ever one of the inputs -------------------------------------------------------------


def unit(folder: Path, name: str, org: str, **changes) -> Path:
    values = {**clean_values("2021", 2022), ORG: org, **changes}
    return fill_workbook(folder / name, "2021", 2022, values)


def digests(paths) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths}


def aliases(target: Path, tmp_path: Path) -> dict[str, Path]:
    """The same file reached other ways: ``..``, a symlink, a hard link, a symlinked folder."""
    links = tmp_path / "links"
    links.mkdir(exist_ok=True)
    (links / "符号链接.xlsx").symlink_to(target)
    os.link(target, links / "硬链接.xlsx")
    (links / "文件夹链接").symlink_to(target.parent, target_is_directory=True)
    return {
        "same path": target,
        "dot-dot": target.parent / ".." / target.parent.name / target.name,
        "symlink": links / "符号链接.xlsx",
        "hard link": links / "硬链接.xlsx",
        "symlinked folder": links / "文件夹链接" / target.name,
    }


@pytest.mark.parametrize("how", ["same path", "dot-dot", "symlink", "hard link", "symlinked folder"])
def test_d2_merge_output_onto_one_of_its_inputs_is_refused_even_with_force(tmp_path, how):
    folder = tmp_path / "各单位"
    folder.mkdir()
    inputs = [unit(folder, "甲.xlsx", "甲局"), unit(folder, "乙.xlsx", "乙局")]
    before = digests(inputs)
    target = aliases(inputs[0], tmp_path)[how]
    code, out, err = xlrep("merge", folder, "-o", target, "--force")
    assert_answered(code, out, err)
    assert code == 2 and "不能写到" in err and "原文件没有改动" in err
    assert digests(inputs) == before
    no_partial_files(tmp_path)


def test_d2_an_earlier_summary_at_the_output_is_replaced_with_force_not_counted(tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    unit(folder, "甲.xlsx", "甲局", **{"t3.new_received.natural_person": 1000})
    target = folder / "汇总.xlsx"
    assert xlrep("merge", folder, "-o", target)[0] == 0
    first = target.stat().st_ino
    code, out, err = xlrep("merge", folder, "-o", target, "--force")
    assert_answered(code, out, err)
    assert code == 0 and "已汇总 1 个单位" in out
    assert target.stat().st_ino != first  # replaced by a new file …
    sheet, cell = a1("t3.new_received.natural_person")
    assert openpyxl.load_workbook(target)[sheet][cell].value == 1000  # … and not counted as a second unit


@pytest.mark.parametrize("how", ["same path", "dot-dot", "symlink", "hard link", "symlinked folder"])
def test_d3_annotate_onto_the_previous_workbook_is_refused_even_with_overwrite(tmp_path, how):
    current = unit(tmp_path, "2022.xlsx", "甲局")
    previous = fill_workbook(tmp_path / "2021.xlsx", "2021", 2021, clean_values("2021", 2021))
    before = digests([current, previous])
    target = aliases(previous, tmp_path)[how]
    code, out, err = xlrep("ingest", current, "-q", "--previous", previous, "--annotate", target, "--overwrite")
    assert_answered(code, out, err)
    assert code == 2 and "上年填报表" in err
    assert digests([current, previous]) == before


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "{cur}", "-q", "--previous", "{prev_md}", "-o", "{prev_md}"],
        ["ingest", "{cur}", "-q", "--previous", "{prev_md}", "-o", "{prev_md_link}"],
        ["ingest", "{cur}", "-q", "--annotate", "{cur}", "--overwrite"],
        ["template", "2022", "--from", "{prev}", "-o", "{prev}", "--force"],
        ["template", "2022", "--from", "{prev}", "-o", "{prev_link}", "--force"],
        ["check", "{folder}", "--csv", "{csv_input}"],
    ],
    ids=[
        "ingest-o-previous",
        "ingest-o-previous-hard-link",
        "annotate-self",
        "template-from",
        "template-from-link",
        "check-csv-input",
    ],
)
def test_d2_no_command_writes_over_an_input(tmp_path, command):
    folder = tmp_path / "各单位"
    folder.mkdir()
    cur = unit(folder, "2022.xlsx", "甲局")
    prev = fill_workbook(tmp_path / "2021.xlsx", "2021", 2021, clean_values("2021", 2021))
    prev_md = tmp_path / "上年.md"  # last year's workbook under a report's suffix: still read as a workbook
    prev_md.write_bytes(prev.read_bytes())
    os.link(prev_md, tmp_path / "硬链接.md")
    (tmp_path / "链接.xlsx").symlink_to(prev)
    csv_input = folder / "误交.csv"
    csv_input.write_text("单位,数量\n某局,3\n", encoding="utf-8")
    names = {"cur": cur, "prev": prev, "prev_md": prev_md, "prev_md_link": tmp_path / "硬链接.md"}
    names.update(prev_link=tmp_path / "链接.xlsx", folder=folder, csv_input=csv_input)
    before = digests([cur, prev, prev_md, csv_input])
    code, out, err = xlrep(*[a.format(**names) for a in command])
    assert_answered(code, out, err)
    assert code == 2 and "不能写到" in err, err
    assert digests([cur, prev, prev_md, csv_input]) == before


# -- D4: lone surrogates -----------------------------------------------------------------------------------


@pytest.fixture
def surrogate_units(tmp_path) -> Path:
    """``_xD800_`` (and its kin) in every text cell, as a tampered or damaged workbook stores them."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    texts = {key: f"文字\ud800{key}\udfff尾\udbff" for key in text_keys()}
    texts[ORG] = "某\ud800局"
    texts["info.org_type"] = "县级以上人民政府部门"
    (folder / "代理码.xlsx").write_bytes(hostile_workbook(texts))
    fill_workbook(folder / "正常.xlsx", "2021", 2021, clean_values("2021", 2021))
    return folder


def test_d4_ingest_writes_every_output_with_lone_surrogates(surrogate_units, tmp_path):
    path = surrogate_units / "代理码.xlsx"
    outputs = [tmp_path / f"报告{s}" for s in FORMATS]
    args = ["ingest", path, "--annotate", tmp_path / "标注.xlsx"] + [x for o in outputs for x in ("-o", o)]
    code, out, err = xlrep(*args)
    assert_answered(code, out, err)
    assert code == 0, err
    assert "VALUE-UNICODE" in err and "\ufffd" in out
    for target in outputs:
        assert_report_safe(target)
    assert "某\ufffd局" in json_of((tmp_path / "报告.json").read_bytes())["title"]
    assert_no_foreign_formula(tmp_path / "标注.xlsx")
    code, out, err = xlrep("ingest", path, "--json")
    assert_answered(code, out, err)
    assert {f["rule"] for f in json_of(out)["findings"]} == {"VALUE-UNICODE"}


def test_d4_check_and_merge_go_on_over_lone_surrogates(surrogate_units, tmp_path):
    code, out, err = xlrep("check", surrogate_units, "--json", "--csv", tmp_path / "c.csv")
    assert_answered(code, out, err)
    assert code == 0
    assert {u["unit"] for u in json_of(out)["units"]} == {"某\ufffd局", "某某县人民政府办公室"}
    assert_csv_safe((tmp_path / "c.csv").read_bytes(), numbers={3})
    code, out, err = xlrep("merge", surrogate_units, "-o", tmp_path / "汇总.xlsx")
    assert_answered(code, out, err)
    assert code == 0
    assert_no_foreign_formula(tmp_path / "汇总.xlsx", neutral_sheets=("汇总明细",))


def test_d4_one_bad_file_never_stops_the_batch(surrogate_units, tmp_path):
    (surrogate_units / "坏.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(500))
    (surrogate_units / "空.xlsx").write_bytes(b"")
    code, out, err = xlrep("check", surrogate_units, "--json", "--csv", tmp_path / "c.csv")
    assert_answered(code, out, err)
    assert code == 1
    states = {Path(u["file"]).name: (u["state"], u["findings"]) for u in json_of(out)["units"]}
    assert states["代理码.xlsx"][0] == "有提示" and states["正常.xlsx"][0] == "通过"
    for name in ("坏.xlsx", "空.xlsx"):
        state, findings = states[name]
        assert state == "无法读取" and findings[0]["rule"] == "FILE-UNREADABLE" and findings[0]["message"]
    code, out, err = xlrep("merge", surrogate_units, "-o", tmp_path / "汇总.xlsx")
    assert_answered(code, out, err)
    assert code == 0 and "已汇总 2 个单位" in out and "未计入（无法读取）" in err


# -- D5: file names that are not UTF-8 -----------------------------------------------------------------------


@pytest.fixture
def gbk_folder(tmp_path) -> Path:
    """A folder unpacked from a Windows zip: file (and sub-folder) names in GBK, not valid UTF-8."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    raw = os.fsencode(folder)
    sub = raw + b"/" + "二级单位".encode("gbk")
    os.mkdir(sub)
    values = {**clean_values("2021", 2021), ORG: "某某局"}
    for target, org in (
        (raw + b"/" + "某某局.xlsx".encode("gbk"), "某某局"),
        (sub + b"/" + "乙局.xlsx".encode("gbk"), "乙局"),
    ):
        with open(target, "wb") as handle:
            handle.write(build_template(2021, load_form("2021"), values={**values, ORG: org}))
    with open(raw + b"/" + "坏了.xlsx".encode("gbk"), "wb") as handle:
        handle.write(b"not a workbook")
    return folder


def test_d5_check_csv_and_json_with_gbk_file_names(gbk_folder, tmp_path):
    code, out, err = xlrep("check", gbk_folder, "--json", "--csv", tmp_path / "c.csv")
    assert_answered(code, out, err)
    assert code == 1
    report = json_of(out.encode("utf-8"))
    assert len(report["units"]) == 3 and all("\ufffd" in u["file"] for u in report["units"])
    rows = assert_csv_safe((tmp_path / "c.csv").read_bytes(), numbers={3})
    assert len(rows) >= 4


def test_d5_merge_with_gbk_file_names(gbk_folder, tmp_path):
    code, out, err = xlrep("merge", gbk_folder, "-o", tmp_path / "汇总.xlsx", "--org", "某某县")
    assert_answered(code, out, err)
    assert code == 0 and "已汇总 2 个单位" in out
    assert_no_foreign_formula(tmp_path / "汇总.xlsx", neutral_sheets=("汇总明细",))
    wb = openpyxl.load_workbook(tmp_path / "汇总.xlsx")
    files = [row[2].value for row in wb["汇总明细"].iter_rows(min_row=2)]
    assert len(files) == 3 and all("\ufffd" in f for f in files)


def test_d5_ingest_of_a_gbk_named_file_writes_valid_utf8(gbk_folder, tmp_path):
    path = next(p for p in gbk_folder.iterdir() if p.is_file() and os.fsencode(p).endswith("局.xlsx".encode("gbk")))
    code, out, err = xlrep("ingest", path, "--json", "-o", tmp_path / "r.json", "-o", tmp_path / "r.md")
    assert_answered(code, out, err)
    assert code == 0
    assert "\ufffd" in json_of(out)["file"]
    json_of((tmp_path / "r.json").read_bytes())
    (tmp_path / "r.md").read_bytes().decode("utf-8")
    # an unreadable one: the message names it safely, the JSON is still valid
    bad = next(p for p in gbk_folder.iterdir() if os.fsencode(p).endswith("坏了.xlsx".encode("gbk")))
    code, out, err = xlrep("ingest", bad, "--json")
    assert_answered(code, out, err)
    assert code == 2 and json_of(out)["findings"][0]["rule"] == "FILE-UNREADABLE"


def test_d5_gbk_names_in_a_real_process(gbk_folder, tmp_path):
    """The process's own stdout/stderr (UTF-8, strict): what a clerk's terminal or a pipe receives."""
    for args in (["check", gbk_folder, "--json"], ["merge", gbk_folder, "-o", tmp_path / "m.xlsx"]):
        result = xlrep_process(*args)
        assert result.returncode in (0, 1), result.stderr.decode("utf-8", "replace")
        out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
        assert_answered(result.returncode, out, err)
        if "--json" in args:
            json_of(out)


# -- D6: a formula typed into a text cell --------------------------------------------------------------------

ORG_FORMULA = '="某某"&"县人民政府"'
REPT = '=REPT("公开";3)'  # as typed in LibreOffice (its API grammar separates arguments with ;)
REPT_XLSX = '=REPT("公开",3)'  # as stored in .xlsx (openpyxl writes it as given)


def published_text(report: Path) -> str:
    """What a report publishes as the unit's text (the JSON's findings, which quote cells, left out)."""
    if report.suffix == ".docx":
        return assert_docx_safe(report.read_bytes())
    text = report.read_text("utf-8")
    if report.suffix == ".json":
        data = json_of(text)
        return json.dumps({k: v for k, v in data.items() if k != "findings"}, ensure_ascii=False)
    return text


@pytest.mark.libreoffice
def test_d6_formula_typed_in_libreoffice_publishes_its_result(calc, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (path,) = lo_units(calc, folder, {"公式.xlsx": {ORG: {"formula": ORG_FORMULA}, NARRATIVE: {"formula": REPT}}})
    outputs = [tmp_path / f"报告{s}" for s in FORMATS]
    code, out, err = xlrep("ingest", path, "--json", *[x for o in outputs for x in ("-o", o)])
    assert_answered(code, out, err)
    assert code == 0, err
    findings = [f for f in json_of(out)["findings"] if f["rule"] == "VALUE-FORMULA"]
    assert len(findings) == 2 and {f["severity"] for f in findings} == {"warning"}
    for target in outputs:
        assert_report_safe(target)
        text = published_text(target)
        assert "某某县人民政府" in text and "公开公开公开" in text, target
        assert "REPT" not in text and '"某某"' not in text, target


def test_d6_formula_without_a_cached_result_publishes_nothing(tmp_path):
    path = fill_workbook(
        tmp_path / "公式.xlsx", "2021", 2021, {**clean_values("2021", 2021), ORG: ORG_FORMULA, NARRATIVE: REPT_XLSX}
    )
    code, out, err = xlrep("ingest", path, "--json", "-o", tmp_path / "r.md")
    assert_answered(code, out, err)
    assert code == 1 and not (tmp_path / "r.md").exists()
    findings = [f for f in json_of(out)["findings"] if f["rule"] == "VALUE-FORMULA"]
    assert len(findings) == 2 and {f["severity"] for f in findings} == {"error"}
    # a draft (--force) still never shows the formula's source as the unit's text
    outputs = [tmp_path / f"草稿{s}" for s in FORMATS]
    code, out, err = xlrep("ingest", path, "--force", *[x for o in outputs for x in ("-o", o)])
    assert_answered(code, out, err)
    assert code == 1
    for target in outputs:
        text = published_text(target)
        assert "REPT" not in text and '某某"&' not in text, target
    assert "REPT" not in out


# -- D8: markup in the Markdown and HTML reports --------------------------------------------------------------

MARKUP = {
    ORG: "<b>某</b># 局 [x](javascript:alert(1))",
    NARRATIVE: "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "s1.platforms": "[点此](javascript:alert(1)) ![x](http://example.invalid/t.png)\n# 伪标题\n<iframe src=x>",
    "s5.problems": "<a href='javascript:alert(1)'>链接</a>\n    缩进\n- 列表\n> 引用\n| a | b |\n|---|---|",
}


@pytest.mark.libreoffice
def test_d8_every_renderer_escapes_for_its_format(calc, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (path,) = lo_units(calc, folder, {"标记.xlsx": MARKUP})
    outputs = [tmp_path / f"报告{s}" for s in FORMATS]
    code, out, err = xlrep("ingest", path, *[x for o in outputs for x in ("-o", o)])
    assert_answered(code, out, err)
    assert code == 0, err
    for target in outputs:
        assert_report_safe(target)
    markdown = (tmp_path / "报告.md").read_text("utf-8")
    title = render_markdown(markdown.split("\n", 2)[0])
    assert title.startswith("<h1>") and "&lt;b&gt;某&lt;/b&gt;# 局" in title
    assert_markdown_safe(markdown)
    page = (tmp_path / "报告.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    words = assert_docx_safe((tmp_path / "报告.docx").read_bytes())
    assert "<script>alert(1)</script>" in words  # Word shows the text as typed, in runs


# -- D9: names too long for the file system ------------------------------------------------------------------

LONG = "很长的文件名" * 50  # 900 bytes in UTF-8: ENAMETOOLONG on every usual file system


@pytest.fixture
def clean(tmp_path) -> Path:
    return fill_workbook(tmp_path / "填报表.xlsx", "2021", 2021, clean_values("2021", 2021))


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "{clean}", "-q", "-o", "{long}.docx"],
        ["ingest", "{clean}", "-q", "--annotate", "{long}.xlsx"],
        ["ingest", "{long}.xlsx", "-q"],
        ["ingest", "{clean}", "-q", "--previous", "{long}.xlsx"],
        ["merge", "{dir}", "-o", "{long}.xlsx"],
        ["merge", "{long}", "-o", "{dir}/m.xlsx"],
        ["check", "{dir}", "--csv", "{long}.csv"],
        ["check", "{long}.xlsx"],
        ["template", "2021", "-o", "{long}.xlsx"],
        ["template", "2021", "--from", "{long}.xlsx", "-o", "{dir}/t.xlsx"],
    ],
    ids=lambda a: "-".join(x.strip("{}") for x in a if not x.startswith("{clean") and x != "-q"),
)
def test_d9_too_long_names_get_a_chinese_exit_2(tmp_path, clean, args):
    names = {"clean": clean, "long": tmp_path / LONG, "dir": tmp_path}
    code, out, err = xlrep(*[a.format(**names) for a in args])
    assert_answered(code, out, err)
    assert code == 2, err
    assert "文件名太长" in err, err
    no_partial_files(tmp_path)


def test_d9_serve_with_a_data_folder_name_too_long(tmp_path):
    result = xlrep_process("serve", "--data", tmp_path / LONG, "--port", "0", "--no-browser", timeout=60)
    err = result.stderr.decode("utf-8")
    assert_answered(result.returncode, result.stdout.decode("utf-8"), err)
    assert result.returncode == 2 and "文件名太长" in err, err


def test_d9_template_org_of_100_chinese_characters_gets_a_short_default_name(tmp_path):
    code, out, err = xlrep("template", "2021", "--org", "某" * 100 + "人民政府", "-o", tmp_path)
    assert_answered(code, out, err)
    assert code == 0
    (made,) = tmp_path.glob("*.xlsx")
    assert len(made.name.encode("utf-8")) <= 255 and made.name.startswith("某某某") and made.suffix == ".xlsx"


# -- D10: a FIFO (or any non-regular file) as input ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "{fifo}"],
        ["ingest", "{clean}", "-q", "--previous", "{fifo}"],
        ["template", "2022", "--from", "{fifo}", "-o", "{dir}/t.xlsx"],
        ["check", "{folder}"],
        ["merge", "{folder}", "-o", "{dir}/m.xlsx"],
        ["ingest", "/dev/zero"],
    ],
    ids=["ingest", "previous", "template-from", "check-folder", "merge-folder", "device"],
)
def test_d10_a_fifo_is_refused_before_opening(tmp_path, clean, args):
    folder = tmp_path / "各单位"
    folder.mkdir()
    fill_workbook(folder / "甲.xlsx", "2021", 2021, clean_values("2021", 2021))
    os.mkfifo(folder / "管道.xlsx")
    names = {"fifo": folder / "管道.xlsx", "clean": clean, "dir": tmp_path, "folder": folder}
    result = xlrep_process(*[a.format(**names) for a in args], timeout=60)  # opening a FIFO would hang
    err = result.stderr.decode("utf-8")
    assert_answered(result.returncode, result.stdout.decode("utf-8"), err)
    assert "不是普通文件" in err, err
    assert result.returncode == (0 if args[0] == "merge" else 1 if args[0] == "check" else 2), err


# -- D11: terminal escape injection ----------------------------------------------------------------------------

ESCAPES = "\x1b[2J\x1b]0;被改的标题\x07\x1b[31m红\u202e局\x9b1m\r伪造一行"


def test_d11_nothing_printed_acts_on_the_terminal(tmp_path):
    folder = tmp_path / ("各单位" + ESCAPES)
    folder.mkdir()
    texts = {ORG: "某局" + ESCAPES, NARRATIVE: ESCAPES + "。"}
    (folder / f"甲{ESCAPES}.xlsx").write_bytes(hostile_workbook(texts))
    (folder / "乙.xlsx").write_bytes(hostile_workbook(texts))  # the same 机关名称: MERGE-DUPLICATE quotes it
    (folder / f"坏{ESCAPES}.xlsx").write_bytes(b"")
    path = folder / f"甲{ESCAPES}.xlsx"
    runs = [
        ("ingest", path),
        ("ingest", path, "--json", "--strict"),
        ("ingest", path, "-q", "-o", tmp_path / f"报告{ESCAPES}.md"),
        ("ingest", folder / f"坏{ESCAPES}.xlsx"),
        ("ingest", tmp_path / f"没有{ESCAPES}.xlsx"),
        ("ingest", path, "-o", tmp_path / f"没有{ESCAPES}" / "r.md"),
        ("check", folder),
        ("check", folder, "--csv", tmp_path / f"清单{ESCAPES}.csv"),
        ("merge", folder, "-o", tmp_path / f"汇总{ESCAPES}.xlsx"),
        ("template", "2021", "--org", "某局" + ESCAPES, "-o", tmp_path),
        ("template", "2022", "--from", path, "-o", tmp_path / "t.xlsx"),
        ("template", "2021", "--org-type", ESCAPES),
        ("merge", folder, "-o", tmp_path / "m2.xlsx", "--org-type", ESCAPES),
        ("check", tmp_path / f"没有{ESCAPES}"),
    ]
    for args in runs:
        code, out, err = xlrep(*args)
        assert_answered(code, out, err)
        assert err.strip(), args
    assert any(p.name.startswith("汇总") for p in tmp_path.iterdir())


def test_d11_serve_prints_nothing_raw(tmp_path):
    """The site's own terminal lines quote the data folder; a hostile (or non-UTF-8) name prints visibly."""
    data = os.fsencode(tmp_path) + b"/" + ESCAPES.encode("utf-8") + "数据".encode("gbk")
    proc = subprocess.Popen(
        [os.fsencode(sys.executable), b"-m", b"xlrep", b"serve", b"--data", data, b"--port", b"0", b"--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1"),
        start_new_session=True,
    )
    lines: list[bytes] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if b"Ctrl+C" in line:
                break
    finally:
        os.killpg(proc.pid, 2)
        try:
            rest, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            rest, _ = proc.communicate()
    text = b"".join(lines + [rest]).decode("utf-8")
    assert "已启动" in text and "数据文件夹" in text, text
    assert_answered(proc.returncode or 0, text, "", allowed=(0, 130))


def test_d11_serve_log_lines_are_made_safe():
    import logging

    from xlrep.serve import TerminalFormatter

    record = logging.LogRecord(
        "xlrep.serve", logging.ERROR, __file__, 1, "内部错误：%s", ("/单位/\x1b[2J\u202e",), None
    )
    line = TerminalFormatter("%(message)s").format(record)
    assert_terminal_safe(line)
    assert "␛[2J" in line


def test_ctrl_c_during_check_prints_no_traceback(tmp_path):
    """Ctrl+C in a terminal reaches the whole process group, worker processes included.

    The check runs on a terminal (a pseudo-terminal, so its progress bar is drawn) and the interrupt is sent
    the moment the bar shows a first workbook checked: the check is then certainly running, with thousands of
    workbooks still to go, on a slow machine and on a fast one alike. Each step waits with a deadline."""
    import pty
    import threading

    folder = tmp_path / "各单位"
    folder.mkdir()
    first = fill_workbook(folder / "单位0000.xlsx", "2021", 2021, clean_values("2021", 2021))
    files = 3000  # at the ~300 workbooks/s the open work aims for, ten seconds of checking
    for i in range(1, files):
        os.link(first, folder / f"单位{i:04}.xlsx")  # distinct files to `check`, no disk
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8", COLUMNS="100")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlrep", "check", str(folder), "-j", "2"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    drawn = bytearray()
    progress = re.compile(rb"(\d+)/" + str(files).encode())
    started = threading.Event()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the check ended: the terminal is closed
                return
            if not chunk:
                return
            drawn.extend(chunk)
            if any(int(n) >= 1 for n in progress.findall(bytes(drawn[-400:]))):
                started.set()

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        assert started.wait(timeout=180), f"no progress drawn: {drawn.decode('utf-8', 'replace')[-500:]}"
        assert proc.poll() is None, f"{files} workbooks checked before the interrupt could be sent"
        os.killpg(proc.pid, 2)
        out, _ = proc.communicate(timeout=120)  # a hang guard, not a timing claim
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        reader.join(timeout=30)
        os.close(controller)
    text = out.decode("utf-8") + drawn.decode("utf-8", "replace")
    assert proc.returncode == 130, text[-2000:]
    assert "Traceback" not in text and "已中断" in text, text[-2000:]
    assert "共 3000 个单位" not in text  # interrupted: no summary of units that were never checked


# -- D13: long text, newlines and tabs in 机关名称 ------------------------------------------------------------


@pytest.mark.libreoffice
def test_d13_libreoffice_saves_at_most_32767_characters_in_a_cell(calc, tmp_path):
    """A clerk pasting 42,000 characters in LibreOffice: it saves the first 32,767 (Excel's cell limit), and xlrep
    reads and publishes them; Excel and WPS cut at entry. So only a crafted file can hold more (next test)."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    (path,) = lo_units(calc, folder, {"长.xlsx": {NARRATIVE: "依申请公开工作" * 6000}})
    code, out, err = xlrep("ingest", path, "-q", "-o", tmp_path / "r.json")
    assert_answered(code, out, err)
    assert code == 0, err
    report = json_of((tmp_path / "r.json").read_bytes())
    assert len(report["narrative"][NARRATIVE]) == 32_767


def test_d13_a_crafted_narrative_over_32767_characters_is_value_too_long_where_it_is(tmp_path):
    """More than a cell can hold (only a crafted file has it): VALUE-TOO-LONG names the cell, an error, so no
    report is written; ``check`` lists the unit with its error."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    path = folder / "长.xlsx"
    path.write_bytes(hostile_workbook({NARRATIVE: "公" * 32_768}))
    code, out, err = xlrep("ingest", path, "--json", "-o", tmp_path / "r.md")
    assert_answered(code, out, err)
    assert code == 1 and not (tmp_path / "r.md").exists()
    (finding,) = [f for f in json_of(out)["findings"] if f["rule"] == "VALUE-TOO-LONG"]
    assert finding["severity"] == "error" and finding["values"] == {"length": 32_768, "limit": 32_767}
    assert [(c["sheet"], c["cell"]) for c in finding["cells"]] == [a1(NARRATIVE)]
    assert "32768 个字符" in finding["message"] and "32767" in finding["message"]
    fill_workbook(folder / "正常.xlsx", "2021", 2021, clean_values("2021", 2021))
    code, out, err = xlrep("check", folder)
    assert_answered(code, out, err)
    assert code == 1 and "有错误" in err


@pytest.mark.libreoffice
def test_d13_newlines_and_tabs_in_the_org_name_never_break_a_title_or_a_file_name(calc, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    org = "某某县\n人民政府\t办公室\r\n"
    (path,) = lo_units(calc, folder, {"换行.xlsx": {ORG: org}}, year=2021)
    outputs = [tmp_path / f"报告{s}" for s in FORMATS]
    code, out, err = xlrep("ingest", path, *[x for o in outputs for x in ("-o", o)])
    assert_answered(code, out, err)
    assert code == 0, err
    title = "某某县 人民政府 办公室2021年政府信息公开工作年度报告"
    assert out.splitlines()[0].strip() == title
    assert (tmp_path / "报告.md").read_text("utf-8").startswith(f"# {title}\n")
    assert f"<h1>{title}</h1>" in (tmp_path / "报告.html").read_text("utf-8")
    assert json_of((tmp_path / "报告.json").read_bytes())["title"] == title
    assert title in assert_docx_safe((tmp_path / "报告.docx").read_bytes())
    # the next year's template, prefilled from this workbook, is named on one line
    made = tmp_path / "下年"
    made.mkdir()
    code, out, err = xlrep("template", "2022", "--from", path, "-o", made)
    assert_answered(code, out, err)
    (name,) = [p.name for p in made.iterdir()]
    assert name == "某某县 人民政府 办公室2022年政府信息公开工作年度报告填报表.xlsx"


# -- D14: control and bidi characters in default file names ---------------------------------------------------


@pytest.mark.parametrize(
    "org", ["某局\x1b[31m红", "某局\u202egpj.exe", "某局\x07\x00\x7f\x85", "某局\u2066\u2069\u200f"]
)
def test_d14_default_file_names_keep_only_printable_characters(tmp_path, org):
    code, out, err = xlrep("template", "2021", "--org", org, "-o", tmp_path)
    assert_answered(code, out, err)
    assert code == 0
    (made,) = tmp_path.glob("*.xlsx")
    assert made.name.isprintable() and not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", made.name)
    assert made.name.startswith("某局") and made.name.endswith("2021年政府信息公开工作年度报告填报表.xlsx")


def test_d14_a_carried_over_org_name_with_controls_is_cleaned_from_the_file_name(tmp_path):
    last = tmp_path / "2021.xlsx"
    last.write_bytes(hostile_workbook({ORG: "某局\x1b[31m\u202e\x07\n办公室"}))
    made = tmp_path / "新"
    made.mkdir()
    code, out, err = xlrep("template", "2022", "--from", last, "-o", made)
    assert_answered(code, out, err)
    (name,) = [p.name for p in made.iterdir()]
    assert (
        name.isprintable() and "\u202e" not in name and name.startswith("某局_[31m_ 办公室2022年")
    )  # controls shown as _


# -- the full disk -----------------------------------------------------------------------------------------------


def enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "{clean}", "-q", "-o", "{dir}/报告.docx"],
        ["ingest", "{clean}", "-q", "-o", "{dir}/已有.md"],
        ["ingest", "{clean}", "-q", "--annotate", "{dir}/标注.xlsx"],
        ["template", "2021", "-o", "{dir}/t.xlsx"],
        ["merge", "{clean}", "-o", "{dir}/汇总.xlsx"],
        ["check", "{clean}", "--csv", "{dir}/清单.csv"],
    ],
    ids=["report", "report-replaced", "annotate", "template", "merge", "check-csv"],
)
@pytest.mark.parametrize("where", ["fsync", "write"])
def test_enospc_is_said_in_chinese_and_leaves_nothing_behind(tmp_path, clean, monkeypatch, args, where):
    out_dir = tmp_path / "输出"
    out_dir.mkdir()
    (out_dir / "已有.md").write_text("上次的报告", encoding="utf-8")
    if where == "fsync":
        monkeypatch.setattr("xlrep.common.files.os.fsync", enospc)
    else:
        real_fdopen = os.fdopen

        class Full:
            """An open file on a full disk: every write fails as the OS says it."""

            def __init__(self, handle):
                self.handle = handle

            def write(self, data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __getattr__(self, name):
                return getattr(self.handle, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

        def fdopen(fd, mode="r", *a, **k):
            handle = real_fdopen(fd, mode, *a, **k)
            return Full(handle) if "w" in mode else handle

        monkeypatch.setattr("xlrep.common.files.os.fdopen", fdopen)
    code, out, err = xlrep(*[a.format(clean=clean, dir=out_dir) for a in args])
    assert_answered(code, out, err)
    assert code == 2 and "磁盘空间不足" in err, err
    assert "No space" not in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["已有.md"]
    assert (out_dir / "已有.md").read_text("utf-8") == "上次的报告"


def test_enospc_in_a_real_process_on_a_full_file_system(tmp_path):
    """A real full disk where one can be had (a tiny tmpfs needs root and mount); else the in-process ones suffice."""
    mount = tmp_path / "满"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + made.stderr.decode("utf-8", "replace").strip())
    try:
        (mount / "填满").write_bytes(b"\0" * 60_000)
        clean = fill_workbook(tmp_path / "f.xlsx", "2021", 2021, clean_values("2021", 2021))
        result = xlrep_process("ingest", clean, "-q", "-o", mount / "报告.docx")
        err = result.stderr.decode("utf-8")
        assert result.returncode == 2 and "磁盘空间不足" in err, err
        assert sorted(p.name for p in mount.iterdir()) == ["填满"]
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
