"""``xlrep import`` on the command line: summaries, JSON, refusals, exit codes, and hostile input.

Every refusal is a Chinese message and exit code 2, never a traceback (the ``run`` fixture checks
that); nothing is ever overwritten without --force, and no output is ever one of the inputs.
"""

from __future__ import annotations

import io
import json
import os
import random
import zipfile
from pathlib import Path

import pytest
from corpus import samples_dir
from import_pages import random_values, report_bytes, word_html, write_filled

from xlrep.importing import ImportFailed, import_report

NAME = "某某县教育局2023年政府信息公开工作年度报告填报表（导入）.xlsx"


@pytest.fixture
def report(tmp_path) -> Path:
    """A published report (our Word report of a random workbook) of 某某县教育局, 2023."""
    values = random_values("2021", 2023, random.Random(7))
    values["info.org_name"] = "某某县教育局"
    workbook = write_filled(tmp_path / "filled.xlsx", "2021", 2023, values)
    path = tmp_path / "报告.docx"
    path.write_bytes(report_bytes(workbook, ".docx"))
    return path


def test_import_writes_the_workbook_and_prints_a_summary(run, report, tmp_path):
    code, out, err = run("import", report)
    assert code == 0, err
    written = tmp_path / NAME  # the run fixture works in tmp_path
    assert written.exists()
    assert f"已导入：{report} → {written}" in out
    assert (
        "2021年版，2023 年度，某某县教育局；表二（主动公开）、表三（依申请公开）、表四（复议诉讼）；六个部分齐全" in out
    )
    assert "0 项提示，0 项信息。" in out
    code, out, err = run("ingest", written, "-q")
    # No published report states its 机关类型: the imported workbook leaves it blank (the clerk picks it when
    # the workbook is used), and a workbook imported from a report is not flagged for it.
    assert code == 0 and "TEXT-MISSING" not in err


def test_json_describes_each_report(run, report, tmp_path):
    code, out, _ = run("import", report, "--json", "-o", tmp_path / "out.xlsx")
    assert code == 0
    data = json.loads(out)
    assert data["summary"] == {"reports": 1, "imported": 1, "failed": 0}
    (entry,) = data["reports"]
    assert entry["status"] == "imported" and entry["output"] == str(tmp_path / "out.xlsx")
    assert (entry["edition"], entry["year"], entry["org"]) == ("2021", 2023, "某某县教育局")
    assert entry["tables"] == ["t2", "t3", "t4"] and entry["findings"] == []
    assert entry["values"]["t3.new_received.natural_person"] >= 0


def test_never_overwrites_without_force(run, report, tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"a clerk's work")
    code, _, err = run("import", report, "-o", target)
    assert code == 2 and "已存在，未做任何改动" in err and "--force" in err
    assert target.read_bytes() == b"a clerk's work"
    code, _, _ = run("import", report, "-o", target, "--force")
    assert code == 0 and zipfile.is_zipfile(target)


def test_an_output_is_never_an_input(run, tmp_path):
    workbook = tmp_path / "x.xlsx"
    workbook.write_bytes(b"PK\x03\x04 a clerk's workbook")
    code, _, err = run("import", workbook, "-o", workbook, "--force")
    assert code == 2 and "不能写到要导入的报告“x.xlsx”上" in err  # refused before anything is read
    assert workbook.read_bytes() == b"PK\x03\x04 a clerk's workbook"


def test_the_output_may_not_be_a_report_being_imported(run, tmp_path):
    values = random_values("2021", 2022, random.Random(2))
    values["info.org_name"] = "某某县教育局"
    page = tmp_path / "某某县教育局2022年政府信息公开工作年度报告填报表（导入）.xlsx.html"
    page.write_bytes(word_html("2021", 2022, values, random.Random(2)).encode("gb18030"))
    same = tmp_path / "某某县教育局2022年政府信息公开工作年度报告填报表（导入）.xlsx"
    same.write_bytes(b"PK not really")
    code, _, err = run("import", page, same, "--force")  # the second input is where the first would be written
    assert code == 2
    assert same.read_bytes() == b"PK not really"
    assert "填报表不能写到要导入的报告“某某县教育局2022年政府信息公开工作年度报告填报表（导入）.xlsx”上" in err


def test_several_reports_into_a_folder_and_one_bad_one(run, report, tmp_path):
    out = tmp_path / "导入"
    out.mkdir()
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(os.urandom(2000))
    code, out_text, err = run("import", report, bad, "-o", out)
    assert code == 2
    assert (out / NAME).exists()
    assert "错误：“坏.pdf”不是 PDF 文件" in err
    assert "共 2 份报告：导入 1 份，1 份无法导入。" in err
    code, _, err = run("import", report, report, "-o", tmp_path / "one.xlsx")
    assert code == 2 and "须是已有的文件夹" in err


def test_two_reports_of_one_agency_get_two_files(run, report, tmp_path):
    copy = tmp_path / "again.docx"
    copy.write_bytes(report.read_bytes())
    code, _, _ = run("import", report, copy)
    assert code == 0
    assert (tmp_path / NAME).exists()
    assert (tmp_path / NAME.replace("（导入）.xlsx", "（导入）（2）.xlsx")).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("空.txt", b"", "是空文件"),
        ("乱码.txt", os.urandom(4000), "不是文本"),
        ("乱码.docx", os.urandom(4000), "不是 Word 文档"),
        ("乱码.html", b"\xff\xfe\x00\x00" + os.urandom(3000), "不是"),
        ("随便.txt", "今天天气很好。我们去公园散步。".encode(), "不像是年度报告"),
        ("表.xlsx", b"PK\x03\x04", "填报表请用 xlrep ingest"),
        ("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "另存为 .docx"),
        ("报告.odt", b"PK\x03\x04", "不认识"),
        ("扫描.pdf", None, "没有文字层"),
    ],
)
def test_unreadable_input_gets_a_chinese_message_and_exit_2(run, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if content is not None else _pdf_without_text())
    code, out, err = run("import", path)
    assert code == 2, (out, err)
    assert message in err
    assert not list(tmp_path.glob("*.xlsx")) or name.endswith(".xlsx")


def test_missing_file_and_folder(run, tmp_path):
    code, _, err = run("import", tmp_path / "没有.docx")
    assert code == 2 and "找不到文件" in err
    code, _, err = run("import", tmp_path)
    assert code == 2 and "是文件夹" in err


def test_a_control_character_in_a_file_name_is_not_echoed_raw(run, tmp_path):
    path = tmp_path / "报告\x1b[31m.txt"
    path.write_bytes(b"")
    code, out, err = run("import", path)
    assert code == 2 and "\x1b" not in out + err and "报告␛[31m.txt" in err


def test_the_seed_report_imports_as_the_2019_edition_and_ingest_says_so(run, tmp_path):
    seed = samples_dir() / "seed-tuoli-2021.txt"
    if not seed.exists():
        pytest.skip(f"the seed report is not at {seed}")
    code, out, _ = run("import", seed, "-o", tmp_path / "seed.xlsx")
    assert code == 0 and "2019年版（试行），2021 年度，托里县商务和工业信息化局" in out
    code, _, err = run("ingest", tmp_path / "seed.xlsx", "-q")
    assert "EDITION-YEAR" in err


# -- hostile input, straight through the library ------------------------------------------------------


def _docx_bomb() -> bytes:
    """A .docx whose document part claims 200 MB: refused from its declared size, nothing inflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:  # level 1: made in half the time
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document/>" + b" " * (200 * 1024 * 1024))
    return buf.getvalue()


def _pdf_without_text() -> bytes:
    """A valid one-page PDF with a drawn line and no text (what a scan looks like to a text reader)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    stream = b"10 10 m 500 500 l S"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_zip_bomb_in_a_docx_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(_docx_bomb())
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(ImportFailed, match="解压后过大"):
        import_report(path)


def test_a_docx_with_an_entity_declaration_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><w:document/>')
    (tmp_path / "e.docx").write_bytes(buf.getvalue())
    with pytest.raises(ImportFailed, match="DOCTYPE"):
        import_report(tmp_path / "e.docx")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: no disk used
    with pytest.raises(ImportFailed, match="远大于一份年度报告"):
        import_report(path)


def test_a_gbk_text_dump_is_read(tmp_path):
    values = random_values("2021", 2022, random.Random(3))
    page = word_html("2021", 2022, values, random.Random(3))
    import re

    text = re.sub(r"<[^>]+>", "\n", page)
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk", errors="ignore"))
    imported = import_report(tmp_path / "gbk.txt")
    assert imported.org == values["info.org_name"] and imported.year == 2022
