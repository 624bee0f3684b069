"""`xlrep ingest` on the command line: exit codes, --json, --strict, the human audit, --annotate, unreadable files.

Every run goes through ``xlrep.cli.main`` and must never print a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from filling import clean_values, fill_workbook

from xlrep.cli import main
from xlrep.edition.form import load_form
from xlrep.workbook.formulas import TEMPLATE_VERSION
from xlrep.writer.template import build_template

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
CLOSING = re.compile(r"^(\d+) 项错误，(\d+) 项提示(?:，(\d+) 项信息)?")


@pytest.fixture
def run(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)

    def _run(*args):
        code = main(["ingest", *map(str, args)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert 'File "' not in err  # no Python frames either
        return code, out, err

    return _run


def workbook(tmp_path: Path, name: str = "填报表.xlsx", changes: dict | None = None, edition="2021", year=2021) -> Path:
    values = clean_values(edition, year)
    values.update(changes or {})
    return fill_workbook(tmp_path / name, edition, year, values)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ERRORS_AND_WARNINGS = {"t4.review.pending": "12件", "t2.rules.in_force": 0}  # VALUE-TEXT (四) + T2-IN-FORCE (二)
WARNING_ONLY = {"t2.rules.in_force": 0}


# -- exit codes -------------------------------------------------------------------------


def test_a_clean_workbook_exits_0_and_prints_the_report(run, tmp_path):
    code, out, err = run(workbook(tmp_path))
    assert code == 0
    assert "政府信息公开工作年度报告" in out
    assert CLOSING.match(err.strip().splitlines()[-1]).groups()[:2] == ("0", "0")


def test_errors_exit_1(run, tmp_path):
    code, _, err = run(workbook(tmp_path, changes=ERRORS_AND_WARNINGS))
    assert code == 1
    assert "VALUE-TEXT" in err and "未生成报告" in err


def test_warnings_alone_exit_0_but_1_with_strict(run, tmp_path):
    path = workbook(tmp_path, changes=WARNING_ONLY)
    assert run(path)[0] == 0
    assert run(path, "--strict")[0] == 1


def test_strict_ignores_information(run, tmp_path):
    path = workbook(tmp_path)

    wb = openpyxl.load_workbook(path)
    wb["三、依申请公开"].protection.sheet = False
    wb.save(path)
    code, _, err = run(path, "--strict")
    assert code == 0 and "TEMPLATE-UNPROTECTED" in err
    assert CLOSING.match(err.strip().splitlines()[-1]).groups() == ("0", "0", "1")


def test_a_workbook_not_made_by_xlrep_is_an_error_not_unreadable(run, tmp_path):
    path = tmp_path / "自制表格.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "收到申请"
    wb.save(path)
    code, _, err = run(path)
    assert code == 1 and "TEMPLATE-UNKNOWN" in err and "xlrep template" in err


# -- JSON -------------------------------------------------------------------------------


def test_json_has_the_documented_shape(run, tmp_path, where):
    path = workbook(tmp_path, changes=ERRORS_AND_WARNINGS)
    code, out, _ = run(path, "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"file", "edition", "year", "template_version", "summary", "findings"}
    assert (data["file"], data["edition"], data["year"], data["template_version"]) == (
        str(path),
        "2021",
        2021,
        TEMPLATE_VERSION,
    )
    assert set(data["summary"]) == {"errors", "warnings", "infos"}
    for finding in data["findings"]:
        assert set(finding) == {"rule", "severity", "message", "cells", "values"}
        assert finding["severity"] in ("error", "warning", "info")
        for c in finding["cells"]:
            assert set(c) == {"sheet", "cell", "label"}
    counts = {s: sum(f["severity"] == s for f in data["findings"]) for s in ("error", "warning", "info")}
    assert data["summary"] == {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"]}
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert set(by_rule) == {"VALUE-TEXT", "T2-IN-FORCE"}
    text = by_rule["VALUE-TEXT"]
    assert text["severity"] == "error" and text["values"] == {"raw": "12件"}
    assert text["cells"] == [
        {"sheet": "四、复议诉讼", "cell": where("t4.review.pending")[1], "label": "行政复议·尚未审结"}
    ]
    assert by_rule["T2-IN-FORCE"]["severity"] == "warning"


def test_json_of_a_clean_workbook_has_no_findings_and_no_report_text(run, tmp_path):
    code, out, _ = run(workbook(tmp_path), "--json")
    data = json.loads(out)  # stdout is JSON only
    assert code == 0 and data["findings"] == [] and data["summary"] == {"errors": 0, "warnings": 0, "infos": 0}


def test_json_keeps_chinese_readable(run, tmp_path):
    _, out, _ = run(workbook(tmp_path, changes=WARNING_ONLY), "--json")
    assert "现行有效件数" in out and "\\u" not in out


# -- the human audit ----------------------------------------------------------------------


def test_the_audit_lists_errors_first_then_warnings_each_by_sheet_and_ends_with_the_counts(run, tmp_path, where):
    path = workbook(tmp_path, changes=ERRORS_AND_WARNINGS)  # a warning in 二, an error in 四 (a later sheet)
    code, _, err = run(path)
    lines = err.splitlines()
    headers = [line for line in lines if line.startswith(("【", "━━"))]
    assert headers == ["━━ 错误（1 项）", "【四、复议诉讼】", "━━ 提示（1 项）", "【二、主动公开】"]
    section_of = {}
    current = None
    for line in lines:
        if line.startswith("【"):
            current = line
        for rule in ("T2-IN-FORCE", "VALUE-TEXT"):
            if rule in line and current:
                section_of[rule] = current
    assert section_of == {"T2-IN-FORCE": "【二、主动公开】", "VALUE-TEXT": "【四、复议诉讼】"}
    assert "四、复议诉讼!" + where("t4.review.pending")[1] in err  # the cell, as sheet!A1 with its label
    closing = [line for line in lines if CLOSING.match(line)]
    assert closing and CLOSING.match(closing[-1]).groups()[:2] == ("1", "1")
    assert lines.index(closing[-1]) > max(lines.index(h) for h in headers)


def test_findings_without_a_cell_are_listed_for_the_whole_file(run, tmp_path):
    path = workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    for prop in wb.custom_doc_props.props:
        if prop.name == "xlrep.template_version":
            prop.value = "0.9"
    wb.save(path)
    code, _, err = run(path)
    assert code == 0
    assert "【整个文件】" in err and "TEMPLATE-VERSION" in err and "0.9" in err
    assert CLOSING.match(err.strip().splitlines()[-1]).groups()[:2] == ("0", "1")


# -- --annotate -------------------------------------------------------------------------


def _comments(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for xl in row:
                if xl.comment is not None:
                    fill = xl.fill.fgColor.rgb if xl.fill.fill_type == "solid" else ""
                    out[(ws.title, xl.coordinate)] = (xl.comment.text, fill)
    return out


def test_annotate_writes_a_copy_with_a_comment_and_a_fill_on_each_offending_cell(run, tmp_path, where):
    path = workbook(tmp_path, changes=ERRORS_AND_WARNINGS)
    before = digest(path)
    target = tmp_path / "标注.xlsx"
    code, _, err = run(path, "--annotate", target)
    assert code == 1 and target.exists() and "已写出标注副本" in err
    assert digest(path) == before  # the input is byte-for-byte unchanged
    notes = _comments(target)
    text_cell = where("t4.review.pending")
    assert set(notes) == {text_cell, where("t2.rules.in_force"), where("t2.rules.issued")}
    comment, fill = notes[text_cell]
    assert "VALUE-TEXT" in comment and "12件" in comment
    assert fill.endswith("FFC7CE")  # error: red
    comment, fill = notes[where("t2.rules.in_force")]
    assert "T2-IN-FORCE" in comment and fill.endswith("FFEB9C")  # warning: yellow
    assert _comments(path) == {}


def test_the_annotated_copy_still_audits_the_same(run, tmp_path):
    path = workbook(tmp_path, changes=ERRORS_AND_WARNINGS)
    target = tmp_path / "标注.xlsx"
    run(path, "--annotate", target)
    _, first, _ = run(path, "--json")
    _, second, _ = run(target, "--json")
    strip = lambda data: [(f["rule"], f["cells"], f["values"]) for f in data["findings"]]  # noqa: E731
    assert strip(json.loads(second)) == strip(json.loads(first))


def test_annotate_refuses_to_write_onto_the_input(run, tmp_path):
    path = workbook(tmp_path, changes=ERRORS_AND_WARNINGS)
    before = digest(path)
    (tmp_path / "sub").mkdir()
    for spelling in (path, Path(".") / path.name, tmp_path / "sub" / ".." / path.name):  # the fixture runs in tmp_path
        code, _, err = run(path, "--annotate", spelling)
        assert code == 2 and "原文件" in err and err.startswith("错误：")
        assert digest(path) == before


def test_annotate_needs_overwrite_to_replace_an_existing_file(run, tmp_path):
    path = workbook(tmp_path, changes=ERRORS_AND_WARNINGS)
    target = tmp_path / "标注.xlsx"
    target.write_bytes(b"an earlier copy")
    code, _, err = run(path, "--annotate", target)
    assert code == 2 and "--overwrite" in err
    assert target.read_bytes() == b"an earlier copy"
    code, _, _ = run(path, "--annotate", target, "--overwrite")
    assert code == 1 and zipfile.is_zipfile(target) and _comments(target)


@pytest.mark.parametrize(("target", "message"), [("标注.txt", ".xlsx"), ("没有的文件夹/标注.xlsx", "不存在")])
def test_annotate_target_must_be_an_xlsx_in_an_existing_folder(run, tmp_path, target, message):
    code, _, err = run(workbook(tmp_path), "--annotate", tmp_path / target)
    assert code == 2 and message in err
    assert not (tmp_path / target).exists()


def test_annotate_is_not_written_for_an_unreadable_file(run, tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"")
    code, _, _ = run(bad, "--annotate", tmp_path / "标注.xlsx")
    assert code == 2 and not (tmp_path / "标注.xlsx").exists()


# -- FILE-UNREADABLE ------------------------------------------------------------------------


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")


def _ole(path: Path, encrypted: bool = False) -> None:
    body = bytearray(OLE_MAGIC + bytes(504) + bytes(2048))
    if encrypted:
        marker = "EncryptedPackage".encode("utf-16-le")
        body[1024 : 1024 + len(marker)] = marker
    path.write_bytes(bytes(body))


def _truncated(path: Path) -> None:
    data = build_template(2021, load_form("2021"))
    path.write_bytes(data[: len(data) * 2 // 3])


def _not_a_workbook_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")


UNREADABLE = {
    "empty": ("空.xlsx", lambda p: p.write_bytes(b""), "空文件"),
    "random-bytes": ("乱码.xlsx", lambda p: p.write_bytes(bytes(range(256)) * 4), "不是 Excel 工作簿"),
    "directory": ("文件夹.xlsx", lambda p: p.mkdir(), "文件夹"),
    "missing": ("没有这个文件.xlsx", lambda p: None, "找不到文件"),
    "xls": ("旧格式.xls", _ole, "旧版 Excel（.xls）"),
    "et": ("金山.et", _ole, "WPS 表格（.et）"),
    "xls-named-xlsx": ("改了扩展名.xlsx", _ole, "另存为"),
    "encrypted": ("加密.xlsx", lambda p: _ole(p, encrypted=True), "密码"),
    "ods": ("开放格式.ods", _ods, "OpenDocument"),
    "ods-named-xlsx": ("开放格式.xlsx", _ods, ".ods"),
    "csv-named-xlsx": ("表格.xlsx", lambda p: p.write_text("org,requests\nA,12\n", encoding="utf-8"), "文本"),
    "csv-chinese-utf8": ("表格2.xlsx", lambda p: p.write_text("机关,件数\n某局,12\n", encoding="utf-8"), "文本"),
    "csv-chinese-gbk": ("表格3.xlsx", lambda p: p.write_bytes("机关,件数\n某局,12\n".encode("gbk")), "文本"),
    "csv-utf8-bom": ("表格4.xlsx", lambda p: p.write_text("\ufeff机关,件数\n", encoding="utf-8"), "文本"),
    "csv": ("表格.csv", lambda p: p.write_text("机关,件数\n", encoding="utf-8"), "文本"),
    "truncated": ("截断.xlsx", _truncated, "损坏"),
    "zip-not-workbook": ("文档.xlsx", _not_a_workbook_zip, "不是 Excel 工作簿"),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_unreadable_files_exit_2_with_a_chinese_message(run, tmp_path, case):
    name, make, expected = UNREADABLE[case]
    path = tmp_path / name
    make(path)
    code, out, err = run(path)
    assert code == 2
    assert err.startswith("错误：") and expected in err
    assert re.search(r"[\u4e00-\u9fff]", err)
    assert out == ""


def test_an_encrypted_workbook_says_it_has_a_password_and_how_to_remove_it(run, tmp_path):
    path = tmp_path / "加密.xlsx"
    _ole(path, encrypted=True)
    _, _, err = run(path)
    assert "密码" in err and "删除密码" in err and "旧版" not in err


@pytest.mark.parametrize("case", ["empty", "encrypted", "ods-named-xlsx", "truncated"])
def test_unreadable_files_give_a_json_finding_too(run, tmp_path, case):
    name, make, expected = UNREADABLE[case]
    path = tmp_path / name
    make(path)
    code, out, err = run(path, "--json")
    assert code == 2
    data = json.loads(out)
    assert data["summary"] == {"errors": 1, "warnings": 0, "infos": 0}
    (finding,) = data["findings"]
    assert finding["rule"] == "FILE-UNREADABLE" and finding["severity"] == "error" and expected in finding["message"]
    assert finding["values"] == {"file": str(path)}


def test_an_unreadable_file_is_left_untouched(run, tmp_path):
    path = tmp_path / "截断.xlsx"
    _truncated(path)
    before = digest(path)
    run(path)
    assert digest(path) == before


def test_a_real_template_copied_under_another_name_is_readable(run, tmp_path):
    path = workbook(tmp_path)
    copy = tmp_path / "副本.XLSX"
    shutil.copy(path, copy)
    assert run(copy)[0] == 0


# -- misuse -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [((), "缺少参数"), (("x.xlsx", "--no-such-option"), "没有这个选项"), (("x.xlsx", "--annotate"), "--annotate")],
)
def test_misuse_exits_2_with_a_chinese_message(run, args, message):
    code, _, err = run(*args)
    assert code == 2 and message in err and "错误" in err
