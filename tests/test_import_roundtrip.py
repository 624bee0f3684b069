"""Our own reports, in every format, import back to the workbook they were made from.

For 50 random filled workbooks of each edition, the report xlrep writes (.docx, .html, .md, .txt)
is imported and compared with the workbook's values: every figure of 二, 三, 四, the 信息处理费 the
report states, the narrative parts and the contact details. Then, for a smaller sample, the same
pages converted by LibreOffice (another producer's layout: its own Word tables, and a PDF whose
tables have no rules) import to the same figures.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from import_pages import random_values, report_bytes, reports, table_keys, write_filled

from xlrep.edition.form import load_form
from xlrep.importing import import_report, read_published, to_workbook

EDITIONS = [("2021", 2023), ("2019", 2020)]
FORMATS = (".docx", ".html", ".md", ".txt")
TEXTS = ("s1.proactive", "s1.on_request", "s1.management", "s1.platforms", "s1.oversight", "s5.problems", "s5.measures")
INFO = ("info.org_name", "info.address", "info.postcode", "info.phone", "info.email", "info.download_url")


def _expected_figures(form, values: dict) -> dict:
    out = {k: values[k] for k in table_keys(form)}
    if "s6.fee_notices" in form.cells:  # the report states the fees it can: a notice amount only with notices
        out["s6.fee_notices"] = values["s6.fee_notices"]
        out["s6.fee_collected"] = values["s6.fee_collected"]
        if values["s6.fee_notices"]:
            out["s6.fee_notice_amount"] = values["s6.fee_notice_amount"]
    return out


def _check(imported, form, values: dict, *, exact_text: bool = True) -> None:
    expected = _expected_figures(form, values)
    assert {k: imported.values.get(k) for k in expected} == expected
    assert imported.edition == form.edition
    texts = TEXTS + ("s5.last_year_fixes", "s6.other")
    squash = (lambda t: t) if exact_text else (lambda t: re.sub(r"\s", "", t or ""))
    assert {k: squash(imported.narrative.get(k)) for k in texts} == {k: squash(values[k]) for k in texts}
    assert {k: imported.fields.get(k) for k in INFO} == {k: values[k] for k in INFO}


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_fifty_random_reports_in_every_format_import_back_to_their_figures(tmp_path, edition, year):
    form = load_form(edition)
    for seed in range(50):
        values = random_values(edition, year, random.Random(f"{edition}-{seed}"))
        workbook = write_filled(tmp_path / f"{seed}.xlsx", edition, year, values)
        for suffix, data in reports(workbook, FORMATS).items():
            report = tmp_path / f"{seed}{suffix}"
            report.write_bytes(data)
            imported = import_report(report)
            assert imported.year == year and imported.tables == ["t2", "t3", "t4"], (seed, suffix)
            assert not imported.findings, (seed, suffix, [f.message for f in imported.findings])
            _check(imported, form, values)


@pytest.mark.parametrize(("edition", "year"), EDITIONS)
def test_the_written_workbook_reads_back_with_the_same_figures(tmp_path, edition, year):
    from xlrep.workbook.reader import read_workbook

    values = random_values(edition, year, random.Random(f"wb-{edition}"))
    workbook = write_filled(tmp_path / "filled.xlsx", edition, year, values)
    report = tmp_path / "report.docx"
    report.write_bytes(report_bytes(workbook, ".docx"))
    imported = import_report(report)
    (tmp_path / "imported.xlsx").write_bytes(to_workbook(imported))
    again = read_workbook(tmp_path / "imported.xlsx")
    assert (again.edition, again.year) == (edition, year)
    for key, want in _expected_figures(load_form(edition), values).items():
        assert again.values[key] == want, key
    published = read_published(report)
    assert published.path == report and published.values == again.values
    assert [f.rule for f in published.findings] == ["IMPORT-SOURCE"]  # says it was imported, and nothing else


# -- another producer: LibreOffice converts our web page to Word and to PDF -------------------------------


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Five reports of each edition as our .html, converted by LibreOffice (one soffice run per target format)."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    if not Path(soffice).exists():
        pytest.fail("LibreOffice (soffice) is needed: bash scripts/test.sh installs it", pytrace=False)
    base = tmp_path_factory.mktemp("lo-convert")
    profile = base / "profile"
    cases = []
    for edition, year in EDITIONS:
        for seed in range(5):
            values = random_values(edition, year, random.Random(f"lo-{edition}-{seed}"))
            workbook = write_filled(base / f"{edition}-{seed}.xlsx", edition, year, values)
            page = base / "html" / f"{edition}-{seed}.html"
            page.parent.mkdir(exist_ok=True)
            page.write_bytes(report_bytes(workbook, ".html"))
            cases.append((edition, year, values, page))
    pages = [str(c[3]) for c in cases]
    for target, outdir in (("docx:MS Word 2007 XML", "docx"), ("pdf:writer_web_pdf_Export", "pdf")):
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", target]
        done = subprocess.run(cmd + ["--outdir", str(base / outdir)] + pages, capture_output=True, timeout=600)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
    return base, cases


@pytest.mark.libreoffice
@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_libreoffice_conversions_of_our_web_page_import_to_the_same_figures(converted, suffix):
    base, cases = converted
    for edition, _year, values, page in cases:
        path = base / suffix[1:] / (page.stem + suffix)
        assert path.exists(), f"LibreOffice did not write {path}"
        imported = import_report(path)
        assert [f for f in imported.findings if f.severity != "info"] == [], (path.name, imported.findings)
        _check(imported, load_form(edition), values, exact_text=suffix == ".docx")
