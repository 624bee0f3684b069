"""Names by bytes through every command (issue 22, row 6 and the CLI half of row 5).

File names that are not UTF-8 (GBK, unpacked from a Windows zip) given to, or asked of, every command —
template, ingest (reports and drafts), check, merge, import — and 机关名称 of 100 characters that make
file names longer than Linux's 255 bytes: every command answers (no 内部错误), every name it prints or
writes is valid UTF-8 with the undecodable bytes shown as �, every file it names is ≤ 255 bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from filling import clean_values, fill_workbook
from hostile import assert_answered, json_of, xlrep

ROOT = Path(__file__).resolve().parents[1]
ORG = "info.org_name"
LONG_ORG = "某" * 60 + "县人民政府办公室" * 5  # 100 characters, 300 bytes


def gbk(folder: Path, name: str) -> Path:
    """``folder/name`` with the name in GBK bytes (as a ``surrogateescape`` str, as Python lists it)."""
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name.encode("gbk")))


def workbook(path: Path, org: str = "某某局", year: int = 2021, **changes) -> Path:
    values = {**clean_values("2021", year), ORG: org, **changes}
    fill_workbook(Path(path.parent, "tmp.xlsx"), "2021", year, values).rename(path)
    return path


def report(path: Path, org: str = "某某局") -> Path:
    """A published report as xlrep writes it."""
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    source = workbook(path.parent / "源.xlsx", org)
    path.write_bytes(render(build_report(audit(source)), path.suffix))
    source.unlink()
    return path


def valid_names(folder: Path) -> list[str]:
    """Every name under ``folder``, each checked to be at most 255 bytes on disk."""
    names = []
    for path in folder.rglob("*"):
        raw = os.fsencode(path.name)
        assert len(raw) <= 255
        names.append(path.name)
    return names


@pytest.fixture
def gbk_inputs(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "各单位"
    folder.mkdir()
    return {
        "this": workbook(gbk(folder, "某某局2021.xlsx"), year=2021),
        "wrong": workbook(gbk(tmp_path, "有错.xlsx"), year=2021, **{"t4.review.pending": "12件"}),  # VALUE-TEXT
        "last": workbook(gbk(tmp_path, "某某局2020.xlsx"), year=2020),
        "html": report(gbk(tmp_path, "某某局报告.html")),
        "docx": report(gbk(tmp_path, "某某局报告.docx")),
    }


def test_template_from_a_gbk_named_workbook_and_to_a_gbk_name(gbk_inputs, tmp_path):
    out = tmp_path / "出"
    out.mkdir()
    code, stdout, err = xlrep("template", "2021", "--from", gbk_inputs["last"], "-o", out)
    assert_answered(code, stdout, err, allowed=(0,))
    assert "\ufffd" * 6 + "2020.xlsx”预填" in err and "ĳ" not in err  # the name shown, each GBK byte as �
    target = gbk(out, "填报表.xlsx")
    code, stdout, err = xlrep("template", "2021", "-o", target)
    assert_answered(code, stdout, err, allowed=(0,))
    assert os.path.exists(target) and "\ufffd" in stdout


def test_last_years_published_report_under_a_gbk_name(gbk_inputs, tmp_path):
    """template --from and ingest --previous take a published report; its GBK name was the same exit 3."""
    report_2020 = report(gbk(tmp_path, "去年报告.html"), org="某某局")  # a 2021 report: the year notice is expected
    code, out, err = xlrep("template", "2022", "--from", report_2020, "-o", tmp_path / "新.xlsx")
    assert_answered(code, out, err, allowed=(0,))
    assert "\ufffd" * 8 + ".html" in err and "ĳ" not in err
    code, out, err = xlrep("ingest", gbk_inputs["this"], "-q", "--previous", gbk_inputs["html"])
    assert_answered(code, out, err, allowed=(0, 1))


def test_template_for_an_org_of_100_characters_is_named_within_255_bytes(tmp_path):
    code, out, err = xlrep("template", "2021", "--org", LONG_ORG, "-o", tmp_path)
    assert_answered(code, out, err, allowed=(0,))
    (made,) = tmp_path.glob("*.xlsx")
    assert len(os.fsencode(made.name)) <= 255 and made.name.endswith("年政府信息公开工作年度报告填报表.xlsx")
    assert made.name.startswith("某" * 60)
    assert openpyxl.load_workbook(made)["基本信息"]["B4"].value == LONG_ORG  # the name itself is whole


def test_ingest_of_gbk_names_with_every_output_and_a_draft(gbk_inputs, tmp_path):
    out = tmp_path / "出"
    out.mkdir()
    outputs = [gbk(out, "报告.docx"), gbk(out, "报告.md"), gbk(out, "报告.html"), out / "r.json"]
    args = ["ingest", gbk_inputs["this"], "--previous", gbk_inputs["last"], "--json", "--force"]
    args += ["--annotate", gbk(out, "标注.xlsx")] + [a for o in outputs for a in ("-o", o)]
    code, stdout, err = xlrep(*args)
    assert_answered(code, stdout, err, allowed=(0, 1))
    audit = json_of(stdout)
    shown = "\ufffd" * 6 + "2021.xlsx"  # 某某局2021.xlsx: six GBK bytes, each one �, never half-decoded
    assert audit["file"].endswith("/" + shown) and "ĳ" not in stdout + err
    written = (out / "r.json").read_text("utf-8")
    json_of(written)
    assert shown in written and "ĳ" not in written
    for path in outputs:
        assert os.path.getsize(path) > 0
    assert os.path.getsize(gbk(out, "标注.xlsx")) > 0
    valid_names(out)


def test_a_draft_of_a_gbk_named_workbook_with_errors(gbk_inputs, tmp_path):
    outputs = [gbk(tmp_path, "草稿.docx"), gbk(tmp_path, "草稿.md"), tmp_path / "草稿.json"]
    code, out, err = xlrep("ingest", gbk_inputs["wrong"], "--force", *[a for o in outputs for a in ("-o", o)])
    assert_answered(code, out, err, allowed=(1,))
    assert "VALUE-TEXT" in err and err.count("已写出草稿") == 3 and "\ufffd" in err and "ĳ" not in err
    assert "草稿" in Path(outputs[1]).read_text("utf-8")
    json_of((tmp_path / "草稿.json").read_bytes())


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_ingest_and_check_of_a_gbk_named_published_report(gbk_inputs, tmp_path, kind):
    """Row 6: exit 3 (UnicodeEncodeError writing the name into the imported workbook's properties) before."""
    path = gbk_inputs[kind]
    code, out, err = xlrep("ingest", path, "--json", "-o", tmp_path / "r.docx")
    assert_answered(code, out, err, allowed=(0,))
    shown = "\ufffd" * 10 + f".{kind}"  # 某某局报告: ten GBK bytes, each one �, in the message and the JSON
    assert "IMPORT-SOURCE" in out and json_of(out)["file"].endswith("/" + shown)
    assert f"“{shown}”是已发布的报告" in out and "ĳ" not in out + err
    code, out, err = xlrep("check", path, gbk_inputs["this"].parent, "--json", "--csv", gbk(tmp_path, "结果.csv"))
    assert_answered(code, out, err, allowed=(0,))
    units = json_of(out)["units"]
    assert len(units) == 2 and all(u["state"] == "通过" for u in units)
    table = Path(gbk(tmp_path, "结果.csv")).read_text("utf-8-sig")
    assert "\ufffd" * 10 + f".{kind}" in table and "ĳ" not in table + out + err


def test_merge_of_gbk_names_onto_a_gbk_name(gbk_inputs, tmp_path):
    target = gbk(tmp_path, "汇总.xlsx")
    code, out, err = xlrep("merge", gbk_inputs["this"].parent, "-o", target, "--org", LONG_ORG)
    assert_answered(code, out, err, allowed=(0,))
    wb = openpyxl.load_workbook(target)
    files = [row[2].value for row in wb["汇总明细"].iter_rows(min_row=2)]
    assert files and all("\ufffd" in f for f in files)


def test_import_of_gbk_named_reports_names_each_output_apart(gbk_inputs, tmp_path):
    out = tmp_path / "导入"
    out.mkdir()
    reports = [gbk_inputs[k] for k in ("html", "docx")]
    code, stdout, err = xlrep("import", *reports, "-o", out, "--json")
    assert_answered(code, stdout, err, allowed=(0,))
    summary = json_of(stdout)
    assert all("\ufffd" in r["source"] for r in summary["reports"])
    names = sorted(valid_names(out))
    # two reports of 某某局: the second is told apart
    assert names == [
        "某某局2021年政府信息公开工作年度报告填报表（导入）.xlsx",
        "某某局2021年政府信息公开工作年度报告填报表（导入）（2）.xlsx",
    ]
    for name in names:
        custom = zipfile.ZipFile(out / name).read("docProps/custom.xml").decode("utf-8")
        assert "xlrep.imported_from" in custom and "\ufffd" in custom


def test_a_report_without_a_name_is_imported_under_its_gbk_file_name_shown_with_replacement_characters(tmp_path):
    """Without a 机关名称 the output is named after the report: its GBK bytes each show as �, as on the
    terminal; two such names of the same length are told apart (（2）), and a long one is cut to 255 bytes."""
    from types import SimpleNamespace

    from xlrep.cli.values import free_name as _free_name

    taken: list[Path] = []
    for stem in ("无名报告", "另一报告", "报" * 100):
        imported = SimpleNamespace(org=None, year=2021, source=gbk(tmp_path, stem + ".html"))
        taken.append(_free_name(tmp_path, imported, taken))
    names = [p.name for p in taken]
    assert names[:2] == ["\ufffd" * 8 + "（导入）.xlsx", "\ufffd" * 8 + "（导入）（2）.xlsx"]
    assert len(names[2].encode("utf-8")) <= 255 and names[2].endswith("（导入）.xlsx") and "…（" in names[2]


def test_import_of_reports_of_an_org_of_100_characters(tmp_path):
    reports = [report(tmp_path / f"{n}.html", org=LONG_ORG) for n in ("一", "二")]
    out = tmp_path / "导入"
    out.mkdir()
    code, stdout, err = xlrep("import", *reports, "-o", out)
    assert_answered(code, stdout, err, allowed=(0,))
    names = valid_names(out)
    first, second = sorted(names, key=len)
    assert first.endswith("2021年政府信息公开工作年度报告填报表（导入）.xlsx") and first.startswith("某某某")
    # the second one's （2） would pass 255 bytes: the 机关名称 is cut, the year, the kind and （2） kept
    assert "…（" in second and second.endswith("填报表（导入）（2）.xlsx")


def test_gbk_names_through_import_ingest_and_check_in_a_real_process(gbk_inputs, tmp_path):
    """The process's own stdout/stderr (strict UTF-8): what a clerk's terminal or a pipe receives."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("PYTHONIOENCODING", None)
    path = gbk_inputs["html"]
    for args in (["import", path, "-o", tmp_path, "--json"], ["ingest", path, "--json"], ["check", path, "--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "xlrep", *map(str, args)], capture_output=True, env=env, timeout=120
        )
        out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        assert_answered(done.returncode, out, err, allowed=(0,))
        json_of(out)


@pytest.mark.parametrize(
    "command",
    [
        ["template", "2021", "-o", "{long}.xlsx"],
        ["ingest", "{workbook}", "-q", "-o", "{long}.docx"],
        ["ingest", "{workbook}", "-q", "--annotate", "{long}.xlsx"],
        ["check", "{workbook}", "--csv", "{long}.csv"],
        ["merge", "{workbook}", "-o", "{long}.xlsx"],
        ["import", "{report}", "-o", "{long}.xlsx"],
        ["ingest", "{long}.xlsx"],
    ],
    ids=["template", "ingest-o", "annotate", "check-csv", "merge", "import", "input"],
)
def test_a_name_the_disk_cannot_hold_is_refused_in_chinese(tmp_path, command):
    """A name a clerk types that is over 255 bytes (100 Chinese characters): 文件名太长, exit 2, nothing written."""
    names = {
        "long": str(tmp_path / ("报" * 100)),
        "workbook": str(workbook(tmp_path / "某某局.xlsx")),
        "report": str(report(tmp_path / "某某局.html")),
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = xlrep(*[part.format(**names) for part in command])
    assert_answered(code, out, err, allowed=(2,))
    assert "文件名太长" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
