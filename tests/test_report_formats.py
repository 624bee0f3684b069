"""The report's files (.html .md .json .docx .txt) and ``xlrep ingest -o/--force`` on the command line."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from filling import clean_values, fill_workbook
from reports import HEADINGS, HUAIAN_XLSX, html_tables, number

from xlrep.auditing.ingest import audit
from xlrep.cli import main
from xlrep.edition.form import load_form
from xlrep.outputs.report import DRAFT, Heading, build_report, render
from xlrep.outputs.report.html import render_html
from xlrep.outputs.report.jsondoc import render_json
from xlrep.outputs.report.markdown import render_markdown
from xlrep.outputs.report.text import render_text

FORMATS = (".txt", ".md", ".html", ".docx", ".json")
TYPED = clean_values("2021", 2021)  # a clean fill: what the clerk typed


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbooks")
    clean = fill_workbook(folder / "clean.xlsx", "2021", 2021, TYPED)
    broken = dict(TYPED)
    broken["t3.new_received.natural_person"] += 1  # 表三's identity no longer holds: an error
    wrong = fill_workbook(folder / "wrong.xlsx", "2021", 2021, broken)
    return {"clean": clean, "wrong": wrong}


@pytest.fixture(scope="module")
def report(workbooks):
    result = audit(workbooks["clean"])
    assert result.summary["errors"] == 0, [f.as_dict() for f in result.findings]
    return build_report(result)


@pytest.fixture(scope="module")
def huaian_report():
    return build_report(audit(HUAIAN_XLSX))


def docx_xml(data: bytes, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(part).decode("utf-8")


def docx_text(data: bytes) -> str:
    """Every text of the package: body, tables, headers and footers."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        return "".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", z.read(n).decode("utf-8"))) for n in parts)


# -- HTML ----------------------------------------------------------------------------------


def test_html_is_one_standalone_utf8_page(report):
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert page.count("<html") == page.count("<body") == page.count("</html>") == 1
    rest = page
    for key in ("info.download_url", "info.email", "info.address"):  # text the clerk typed may name a web address
        rest = rest.replace(html.escape(str(TYPED[key])), "")
    lowered = rest.lower()
    for banned in ("<link", "<script", "<img", "<iframe", "src=", "@import", "url(", "http:", "https:", "//"):
        assert banned not in lowered, banned
    assert "http://www.example.gov.cn/gk" in page  # the clerk's own words are kept


def test_html_title_headings_and_closing(report):
    page = render_html(report)
    assert f"<title>{report.title}</title>" in page and f"<h1>{report.title}</h1>" in page
    h2 = re.findall(r"<h2>(.*?)</h2>", page)
    assert h2 == HEADINGS
    assert re.search(r'<div class="closing">.*' + re.escape(report.org), page, re.S)


# -- Markdown --------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["clean", "huaian"])
def test_markdown_has_the_headings_and_the_tables(sample, report, huaian_report):
    rep = report if sample == "clean" else huaian_report
    md = render_markdown(rep)
    lines = md.splitlines()
    assert lines[0] == f"# {rep.title}"
    assert [line[3:] for line in lines if line.startswith("## ")] == HEADINGS
    subs = [b.text for b in rep.blocks if isinstance(b, Heading) and b.level == 2]
    assert [line[4:] for line in lines if line.startswith("### ")] == subs
    tables = html_tables(md)
    assert [t["id"] for t in tables] == [t.table for t in rep.tables]
    for parsed, table in zip(tables, rep.tables, strict=True):
        values = {src.key: src.text for row in parsed["grid"] for src in row if src.key}
        assert values == table.values()


# -- JSON ------------------------------------------------------------------------------------


def test_json_has_values_narrative_draft_and_findings(report, huaian_report):
    data = json.loads(render_json(report))
    form = load_form("2021")
    numeric = {k for k, c in form.cells.items() if c.is_numeric}
    assert set(data["values"]) == numeric
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in data["values"].values())
    for table in report.tables:
        for key, text in table.values().items():
            assert data["values"][key] == number(text)
    assert data["values"]["t3.new_received.total"] == sum(
        TYPED[f"t3.new_received.{c}"]
        for c in ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")
    )
    assert data["narrative"]["s1.proactive"] == TYPED["s1.proactive"]
    assert data["narrative"]["s5.measures"] == TYPED["s5.measures"]
    assert data["draft"] is False and isinstance(data["findings"], list)
    assert data["title"] == report.title
    assert [s["heading"] for s in data["sections"] if s.get("level") == 1] == HEADINGS

    published = json.loads(render_json(huaian_report))
    assert (
        published["values"]["t3.new_received.total"] == 3119 and published["values"]["t2.admin_fees.amount"] == 96171.6
    )
    assert published["findings"] and all({"rule", "severity", "message"} <= set(f) for f in published["findings"])


# -- Word ------------------------------------------------------------------------------------


def _east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts")) if run._element.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _paragraph(document, text):
    found = [p for p in document.paragraphs if p.text == text]
    assert found, text
    return found[0]


def test_docx_page_footer_and_fonts(report):
    data = render(report, ".docx")
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.05 and abs(section.page_height.cm - 29.7) < 0.05
    footer = section.footer._element.xml
    assert re.search(r'w:instr="\s*PAGE\b', footer) or re.search(r"<w:instrText[^>]*>\s*PAGE\b", footer)

    title = _paragraph(document, report.title)
    assert title.alignment == 1  # centred
    for run in title.runs:
        assert _east_asian(run) == "方正小标宋简体" and run.font.size.pt == 22
    body = _paragraph(document, report.preamble[0])
    for run in body.runs:
        assert _east_asian(run) == "仿宋_GB2312" and run.font.size.pt == 16
    for block in report.blocks:
        if isinstance(block, Heading):
            expected = "黑体" if block.level == 1 else "楷体_GB2312"
            for run in _paragraph(document, block.text).runs:
                assert _east_asian(run) == expected, block.text
                assert run.font.size.pt == 16
    narrative = _paragraph(document, TYPED["s1.management"])
    assert all(_east_asian(run) == "仿宋_GB2312" for run in narrative.runs)
    assert [p.text for p in document.paragraphs if p.text.strip()][-1] == report.closing_date


# -- the command line ------------------------------------------------------------------------


def _run(capsys, *args):
    code = main(["ingest", *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_no_errors_prints_the_report_and_writes_every_file(tmp_path, capsys, workbooks, report):
    targets = [tmp_path / f"报告{suffix}" for suffix in FORMATS]
    code, out, err = _run(capsys, workbooks["clean"], *[x for t in targets for x in ("-o", t)])
    assert code == 0
    assert out == render_text(report)
    for target in targets:
        assert target.exists() and target.stat().st_size > 0, target
        assert str(target) in err
    assert targets[0].read_text(encoding="utf-8") == out
    assert json.loads(targets[4].read_text(encoding="utf-8"))["draft"] is False
    assert docx.Document(str(targets[3])).paragraphs  # a document Word can open
    for target in targets[:3] + targets[4:]:
        assert DRAFT not in target.read_text(encoding="utf-8")
    assert DRAFT not in docx_text(targets[3].read_bytes())


def test_quiet_prints_nothing_but_writes(tmp_path, capsys, workbooks):
    target = tmp_path / "r.md"
    code, out, _ = _run(capsys, workbooks["clean"], "-q", "-o", target)
    assert code == 0 and out == "" and target.read_text(encoding="utf-8").startswith("# ")


def test_errors_write_nothing_and_point_to_force(tmp_path, capsys, workbooks):
    targets = [tmp_path / f"r{suffix}" for suffix in FORMATS]
    code, out, err = _run(capsys, workbooks["wrong"], *[x for t in targets for x in ("-o", t)])
    assert code == 1
    assert not any(t.exists() for t in targets)
    assert list(tmp_path.iterdir()) == []  # no temporary leftovers either
    assert "--force" in err and "未生成报告" in err
    assert "政府信息公开工作年度报告" not in out


def test_force_writes_a_draft_marked_in_every_format(tmp_path, capsys, workbooks):
    targets = {suffix: tmp_path / f"草稿{suffix}" for suffix in FORMATS}
    code, out, err = _run(capsys, workbooks["wrong"], "--force", *[x for t in targets.values() for x in ("-o", t)])
    assert code == 1  # still failing: the draft is only for checking
    assert DRAFT in out
    for suffix in (".txt", ".md", ".html"):  # marked at the top, above the title
        text = targets[suffix].read_text(encoding="utf-8")
        body = text.split("<body>")[-1]
        assert DRAFT in body.split("政府信息公开工作年度报告")[0], suffix
    assert "<title>【草稿】" in targets[".html"].read_text(encoding="utf-8")
    data = json.loads(targets[".json"].read_text(encoding="utf-8"))
    assert data["draft"] is True and any(f["severity"] == "error" for f in data["findings"])
    document = docx.Document(str(targets[".docx"]))
    assert any(DRAFT in p.text for p in document.paragraphs)
    assert any(DRAFT in p.text for p in document.sections[0].header.paragraphs)


def test_an_existing_report_file_is_replaced(tmp_path, capsys, workbooks):
    html_target, docx_target = tmp_path / "old.html", tmp_path / "old.docx"
    html_target.write_text("旧内容", encoding="utf-8")
    docx_target.write_bytes(b"not a document")
    code, _, _ = _run(capsys, workbooks["clean"], "-q", "-o", html_target, "-o", docx_target)
    assert code == 0
    assert html_target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert docx.Document(str(docx_target)).paragraphs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.docx", "old.html"]


def _chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _copy(workbooks, tmp_path):
    path = tmp_path / "填报表.xlsx"
    path.write_bytes(workbooks["clean"].read_bytes())
    return path, path.read_bytes()


def test_output_onto_the_input_workbook_is_refused(tmp_path, capsys, workbooks):
    path, before = _copy(workbooks, tmp_path)
    code, out, err = _run(capsys, path, "-o", path)
    assert code == 2 and _chinese(err) and "错误" in err and out == ""
    assert path.read_bytes() == before


def test_output_through_a_link_to_the_input_workbook_is_refused(tmp_path, capsys, workbooks):
    path, before = _copy(workbooks, tmp_path)
    link = tmp_path / "报告.html"
    link.symlink_to(path)
    code, out, err = _run(capsys, path, "-o", link)
    assert code == 2 and "填报表本身" in err and out == ""
    assert path.read_bytes() == before and link.is_symlink()


def test_an_unknown_extension_is_refused_before_anything_is_written(tmp_path, capsys, workbooks):
    path, before = _copy(workbooks, tmp_path)
    good, bad = tmp_path / "报告.html", tmp_path / "报告.pdf"
    code, out, err = _run(capsys, path, "-o", good, "-o", bad)
    assert code == 2 and _chinese(err) and ".pdf" not in err.split("扩展名")[-1] and "报告.pdf" in err
    assert ".docx" in err and ".html" in err
    assert not good.exists() and not bad.exists() and out == ""
    assert path.read_bytes() == before


def test_a_missing_folder_is_refused(tmp_path, capsys, workbooks):
    path, before = _copy(workbooks, tmp_path)
    target = tmp_path / "没有的文件夹" / "报告.docx"
    code, out, err = _run(capsys, path, "-o", target)
    assert code == 2 and "不存在" in err and _chinese(err) and out == ""
    assert not target.parent.exists()
    assert path.read_bytes() == before


def test_every_format_renders_the_published_report(huaian_report):
    for suffix in FORMATS:
        data = render(huaian_report, suffix)
        assert data, suffix
        text = docx_text(data) if suffix == ".docx" else data.decode("utf-8")
        assert "3119" in text and "96171.6" in text and "淮安市人民政府" in text, suffix
