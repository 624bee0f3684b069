"""Web pages as they are published: Word's "save as web page", GBK pages, odd cells, typos, LibreOffice's export.

The pages are generated here (import_pages.word_html) in the shapes seen on government sites, from
random figures; LibreOffice's own HTML export is made from our Word report by ``soffice --convert-to``.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from import_pages import random_values, report_bytes, table_keys, word_html, write_filled

from xlrep.auditing.ingest import audit
from xlrep.edition.form import load_form
from xlrep.importing import import_report, read_published, to_workbook
from xlrep.importing.splitting import Text


def _figures(form, values):
    return {k: values[k] for k in table_keys(form)}


def _page(tmp_path, name: str, edition="2021", year=2022, seed=1, encoding="gb18030", **kw) -> tuple[Path, dict]:
    rng = random.Random(seed)
    values = random_values(edition, year, rng)
    page = word_html(edition, year, values, rng, **kw)
    if encoding != "gb18030":
        page = page.replace("charset=gb2312", f"charset={encoding}")
    path = tmp_path / name
    path.write_bytes(page.encode(encoding))
    return path, values


@pytest.mark.parametrize("edition", ["2021", "2019"])
def test_a_word_web_page_imports_every_figure(tmp_path, edition):
    path, values = _page(tmp_path, "report.htm", edition=edition, year=2022 if edition == "2021" else 2020)
    imported = import_report(path)
    assert imported.edition == edition and not imported.findings
    figures = _figures(load_form(edition), values)
    assert {k: imported.values.get(k) for k in figures} == figures
    assert imported.narrative["s1.on_request"] == values["s1.on_request"]
    assert imported.org == values["info.org_name"]


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [("gb2312", "gb18030"), ("gbk", "gbk"), ("utf-8", "utf-8"), (None, "gbk"), (None, "utf-8")],
)
def test_the_page_encoding_declared_or_not(tmp_path, declared, encoding):
    rng = random.Random(5)
    values = random_values("2021", 2022, rng)
    page = word_html("2021", 2022, values, rng)
    if declared is None:
        page = page.replace('<meta http-equiv=Content-Type content="text/html; charset=gb2312">', "")
    else:
        page = page.replace("charset=gb2312", f"charset={declared}")
    (tmp_path / "p.html").write_bytes(page.encode(encoding))
    imported = import_report(tmp_path / "p.html")
    assert imported.org == values["info.org_name"]
    assert imported.values["t3.new_received.natural_person"] == values["t3.new_received.natural_person"]


def test_a_number_split_over_two_spans_is_one_figure(tmp_path):
    path, values = _page(tmp_path, "p.html", seed=11)
    text = path.read_bytes().decode("gb18030")
    assert text.count("</span><span lang=EN-US") > 20  # the page really splits numbers
    imported = import_report(path)
    assert imported.values["t2.licensing.decisions"] == values["t2.licensing.decisions"]


def test_blank_cells_stay_blank_and_dashes_stay_text(tmp_path):
    cells = {"t3.granted.research": "", "t3.granted.public_interest": "-", "t2.rules.repealed": "无"}
    path, values = _page(tmp_path, "p.html", seed=3, cells=cells)
    imported = import_report(path)
    assert imported.values["t3.granted.research"] is None
    assert imported.values["t3.granted.public_interest"] == Text("-")
    assert imported.values["t2.rules.repealed"] == Text("无")
    assert not [f for f in imported.findings if f.rule == "IMPORT-AMBIGUOUS"]
    result = read_published(path)  # the workbook says what the page published: a text, a blank
    assert "t3.granted.research" in result.blank
    assert result.values["t3.granted.public_interest"] is None and result.raw["t3.granted.public_interest"]
    workbook = tmp_path / "imported.xlsx"
    workbook.write_bytes(to_workbook(imported))
    text_cells = {c.label for f in audit(workbook).findings if f.rule == "VALUE-TEXT" for c in f.cells}
    assert text_cells == {"（一）予以公开 × 社会公益组织", "规章 × 本年废止件数"}


def test_units_inside_cells(tmp_path):
    cells = {"t2.admin_fees.amount": "251000元", "t2.licensing.decisions": "35件"}
    path, _ = _page(tmp_path, "p.html", seed=4, cells=cells)
    imported = import_report(path)
    assert imported.values["t2.admin_fees.amount"] == Text("251000元")  # 元 in a 万元 column: as published
    assert imported.values["t2.licensing.decisions"] == 35
    path, _ = _page(
        tmp_path, "q.html", edition="2019", year=2020, seed=4, cells={"t2.procurement.amount": "75394432.52元"}
    )
    imported = import_report(path)
    assert imported.values["t2.procurement.amount"] == 75394432.52
    assert imported.fields["t2.procurement.amount_unit"] == "元"


def test_a_missing_row_and_misspelt_labels(tmp_path):
    path, values = _page(tmp_path, "p.html", seed=8)
    text = path.read_bytes().decode("gb18030")
    start = text.index(">规章<")
    row_start = text.rindex("<tr>", 0, start)
    row_end = text.index("</tr>", start) + 5
    text = text[:row_start] + text[row_end:]  # 表二 without its 规章 row
    text = (
        text.replace("现行有效件数", "先行有效件数")
        .replace("勾稽关系", "钩稽关系")
        .replace(">行政复议<", ">行政法复议<")
    )
    text = text.replace("三、本年度办理结果", "三、本年度办 理结果")
    path.write_bytes(text.encode("gb18030"))
    imported = import_report(path)
    missing = [f for f in imported.findings if f.rule == "IMPORT-MISSING"]
    assert len(missing) == 1 and missing[0].values["rows"] == ["规章"]
    labels = [m for f in imported.findings if f.rule == "IMPORT-LABEL" for m in f.values["labels"]]
    assert {"published": "先行有效件数", "official": "现行有效件数"} in labels
    assert {"published": "行政法复议", "official": "行政复议"} in labels
    form = load_form("2021")
    figures = {k: v for k, v in _figures(form, values).items() if not k.startswith("t2.rules.")}
    assert {k: imported.values.get(k) for k in figures} == figures
    assert imported.values.get("t2.rules.issued") is None


def test_a_layout_table_around_the_article_is_not_a_table(tmp_path):
    path, values = _page(tmp_path, "p.html", seed=9)
    text = path.read_bytes().decode("gb18030")
    text = text.replace("<div class=WordSection1>", "<table width=900><tr><td>导航</td></tr><tr><td><div>", 1)
    text = text.replace("</div></body>", "</div></td></tr></table></body>")
    path.write_bytes(text.encode("gb18030"))
    imported = import_report(path)
    assert not imported.findings
    assert imported.values["t3.granted.natural_person"] == values["t3.granted.natural_person"]


def test_deeply_nested_markup_is_bounded(tmp_path):
    path = tmp_path / "deep.html"
    body = "<div><table><tr><td>" * 3000 + "一、总体情况" + "</td></tr></table></div>" * 3000
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    imported = import_report(path)  # no recursion error, no hang: read as text
    assert "一" in imported.sections


# -- LibreOffice's export of a real-looking report ---------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_html(tmp_path_factory):
    """Our Word report of two random workbooks, exported to HTML by LibreOffice Writer (one soffice run)."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    if not Path(soffice).exists():
        pytest.fail("LibreOffice (soffice) is needed: bash scripts/test.sh installs it", pytrace=False)
    base = tmp_path_factory.mktemp("lo-html")
    cases = []
    for edition, year in (("2021", 2023), ("2019", 2020)):
        values = random_values(edition, year, random.Random(f"lohtml-{edition}"))
        workbook = write_filled(base / f"{edition}.xlsx", edition, year, values)
        doc = base / "docx" / f"{edition}.docx"
        doc.parent.mkdir(exist_ok=True)
        doc.write_bytes(report_bytes(workbook, ".docx"))
        cases.append((edition, values, doc))
    cmd = [soffice, f"-env:UserInstallation=file://{base / 'profile'}", "--headless", "--norestore"]
    cmd += ["--convert-to", "html:HTML (StarWriter)", "--outdir", str(base / "html")] + [str(c[2]) for c in cases]
    done = subprocess.run(cmd, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return [(e, v, base / "html" / f"{d.stem}.html") for e, v, d in cases]


@pytest.mark.libreoffice
def test_libreoffice_html_export_of_a_word_report_imports_every_figure(libreoffice_html):
    for edition, values, page in libreoffice_html:
        assert page.exists()
        imported = import_report(page)
        assert [f for f in imported.findings if f.severity != "info"] == []
        form = load_form(edition)
        assert {k: imported.values.get(k) for k in _figures(form, values)} == _figures(form, values)
        assert imported.narrative["s1.on_request"] == values["s1.on_request"]


def test_a_wrong_block_total_of_table_four_is_reported(tmp_path):
    rng = random.Random(12)
    values = random_values("2021", 2022, rng)
    from xlrep.workbook.engine import all_values

    full = all_values(load_form("2021"), values)
    printed = {"t4.review.total": full["t4.review.total"] + 3}
    path = tmp_path / "p.html"
    path.write_bytes(word_html("2021", 2022, values, rng, printed=printed).encode("gb18030"))
    imported = import_report(path)
    (finding,) = [f for f in imported.findings if f.rule == "IMPORT-TOTAL"]
    assert finding.values["totals"] == [
        {
            "cell": "行政复议·总计",
            "printed": full["t4.review.total"] + 3,
            "sum": full["t4.review.total"],
            "difference": -3,
        }
    ]
    assert imported.values["t4.review.upheld"] == values["t4.review.upheld"]  # the cells are what was published


# -- sentences printed with a table --------------------------------------------------------------------


def test_sentences_before_a_table_go_to_the_part_the_edition_names_for_its_figures(tmp_path):
    rng = random.Random(8)
    values = random_values("2021", 2022, rng)
    page = word_html("2021", 2022, values, rng)
    form = load_form("2021")
    notes = {"二": "本年度主动公开文件共计一百二十件，均已在专栏发布。", "三": "本年度收到的申请以自然人为主。"}
    for section, sentence in notes.items():
        heading = f"<span style='font-family:黑体'>{form.section_headings[section]}</span></b></p>"
        assert heading in page
        page = page.replace(heading, heading + f"\n<p class=MsoNormal>{sentence}</p>", 1)
    path = tmp_path / "p.html"
    path.write_bytes(page.encode("gb18030"))
    imported = import_report(path)
    assert form.table_parts == {"t2": "s1.proactive", "t3": "s1.on_request", "t4": "s1.on_request"}
    assert imported.narrative["s1.proactive"] == values["s1.proactive"] + "\n" + notes["二"]
    assert imported.narrative["s1.on_request"] == values["s1.on_request"] + "\n" + notes["三"]
    assert imported.comments["s1.on_request"] == "报告在“三、收到和处理政府信息公开申请情况”表格前的文字说明附在此处。"
    assert {k: imported.values.get(k) for k in table_keys(form)} == _figures(form, values)


def test_the_part_named_for_a_table_must_be_a_part_of_a_table_of_the_edition(tmp_path):
    from xlrep.edition.form import FormError, load_form_file

    text = load_form("2021").source.read_text(encoding="utf-8")
    declared = 'tables = { t2 = "s1.proactive", t3 = "s1.on_request", t4 = "s1.on_request" }'
    assert declared in text
    for wrong, message in (
        ('tables = { t9 = "s1.proactive" }', "unknown table t9"),
        ('tables = { t2 = "s1.nothing" }', "unknown cell s1.nothing"),
    ):
        path = tmp_path / f"{len(message)}.toml"
        path.write_text(text.replace(declared, wrong), encoding="utf-8")
        with pytest.raises(FormError, match=message):
            load_form_file(path)
