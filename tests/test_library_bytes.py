"""The library takes bytes: ``audit``, ``import_report`` and ``reader.read_workbook`` read a file's bytes (named
by ``name=``) exactly as they read the file, and nothing on the way writes a temporary file — not the import of
a published report, not the site's worker functions, not the batch.
"""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import hostile_reports
import pytest
from crafted import filled
from filling import clean_values, fill_workbook
from hostile import hostile_workbook

from xlrep.auditing.ingest import audit, unreadable_finding
from xlrep.common.errors import UnreadableFile
from xlrep.importing import ImportFailed, import_report, read_published

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_temporary_files(monkeypatch, tmp_path):
    """Every way to make a temporary file or folder fails, and the temporary folder is an empty one watched."""
    watched = tmp_path / "tmp"
    watched.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(watched))

    def refuse(*args, **kwargs):
        raise AssertionError("a temporary file was made")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "TemporaryDirectory"):
        monkeypatch.setattr(tempfile, name, refuse)
    yield
    assert list(watched.iterdir()) == []


def _audit_dict(source, **kw) -> dict:
    try:
        return audit(source, **kw).as_dict()
    except UnreadableFile as exc:
        return {"unreadable": exc.message, "path": str(exc.path)}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """A clean workbook, one with errors, a hostile one (formula-like and control-character texts) and files
    that are no workbook at all."""
    folder = tmp_path_factory.mktemp("bytes")
    values = clean_values("2021", 2023)
    out = {
        "clean": fill_workbook(folder / "干净.xlsx", "2021", 2023, values),
        "errors": fill_workbook(
            folder / "有错.xlsx", "2021", 2023, {**values, "t2.rules.issued": -5, "t2.rules.in_force": "许多"}
        ),
    }
    hostile = hostile_workbook(
        {"info.address": '=HYPERLINK("http://x")\x1b[31m', "info.org_name": "<script>x</script>"}
    )
    out["hostile"] = folder / "恶意.xlsx"
    out["hostile"].write_bytes(hostile)
    out["empty"] = folder / "空.xlsx"
    out["empty"].write_bytes(b"")
    out["xls"] = folder / "旧版.xls"
    out["xls"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    out["csv"] = folder / "文本.csv"
    out["csv"].write_text("单位,数字\n某局,3\n", encoding="utf-8")
    out["zip"] = folder / "压缩.xlsx"
    import zipfile

    with zipfile.ZipFile(out["zip"], "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    out["truncated"] = folder / "截断.xlsx"
    out["truncated"].write_bytes(filled()[:3000])
    return out


@pytest.mark.parametrize("kind", ["clean", "errors", "hostile", "empty", "xls", "csv", "zip", "truncated"])
def test_audit_of_bytes_is_the_audit_of_the_file(workbooks, kind):
    path = workbooks[kind]
    from_file = _audit_dict(path)
    from_bytes = _audit_dict(path.read_bytes(), name=str(path))
    assert from_bytes == from_file
    if kind == "errors":
        assert from_file["summary"]["errors"] >= 1


def test_bytes_are_named_by_the_name_given(workbooks):
    """Results and messages name the upload as it was called, never a path on the server."""
    result = audit(workbooks["clean"].read_bytes(), name="某某局填报表.xlsx")
    assert result.as_dict()["file"] == "某某局填报表.xlsx"
    assert result.result.path == Path("某某局填报表.xlsx")
    with pytest.raises(UnreadableFile) as info:
        audit(workbooks["truncated"].read_bytes(), name="某某局填报表.xlsx")
    assert "“某某局填报表.xlsx”" in info.value.message
    assert unreadable_finding(info.value).values["file"] == "某某局填报表.xlsx"


@pytest.fixture(scope="module")
def published(tmp_path_factory, workbooks) -> dict[str, Path]:
    """Our own report of a clean workbook as Word, web page, text and Markdown; two PDFs (text, no report)."""
    from xlrep.outputs.report import build_report, render

    folder = tmp_path_factory.mktemp("published")
    report = build_report(audit(workbooks["clean"]))
    out = {}
    for suffix in (".docx", ".html", ".txt", ".md"):
        out[suffix] = folder / f"2023年报告{suffix}"
        out[suffix].write_bytes(render(report, suffix))
    out[".pdf"] = hostile_reports.pdf_many_chars(folder, pages=2, per_page=2_000)
    return out


@pytest.mark.parametrize("suffix", [".docx", ".html", ".txt", ".md"])
def test_import_of_bytes_is_the_import_of_the_file(published, suffix):
    path = published[suffix]
    from_file = import_report(path)
    from_bytes = import_report(path.read_bytes(), suffix, name=str(path))
    assert from_bytes.as_dict() == from_file.as_dict()
    assert from_file.values and from_file.year == 2023
    # the suffix alone tells the format: a name without one is read the same
    unnamed = import_report(path.read_bytes(), suffix, name="上传的报告")
    assert unnamed.values == from_file.values and unnamed.narrative == from_file.narrative


def test_import_of_a_pdf_as_bytes_reads_and_refuses_as_the_file(published):
    from xlrep.importing.pdf import read_pdf

    path = published[".pdf"]
    assert read_pdf(path.read_bytes(), str(path)).blocks == read_pdf(path).blocks
    with pytest.raises(ImportFailed) as from_file:
        import_report(path)
    with pytest.raises(ImportFailed) as from_bytes:
        import_report(path.read_bytes(), ".pdf", name=str(path))
    assert from_bytes.value.message == from_file.value.message
    assert from_bytes.value.path == from_file.value.path == path


@pytest.mark.parametrize("suffix", [".docx", ".html", ".txt"])
def test_a_published_report_is_imported_on_the_fly_without_a_temporary_file(published, suffix, no_temporary_files):
    path = published[suffix]
    result = read_published(path.read_bytes(), name=path.name)
    assert result.path == Path(path.name) and result.form is not None
    assert any(f.rule == "IMPORT-SOURCE" for f in result.findings)
    from_file = audit(path)
    assert audit(path.read_bytes(), name=str(path)).as_dict() == from_file.as_dict()


def test_the_sites_work_makes_no_temporary_file(workbooks, published, no_temporary_files):
    """Each function the site's workers run (an upload's audit, its report, annotated copy, view, comparison, a
    unit's template from last year's, the 汇总's unit results) works on bytes alone."""
    from xlrep.serve import audits

    data, name = workbooks["clean"].read_bytes(), "某某局.xlsx"
    checked = audits.check(data, name)
    assert checked["audit"]["file"] == name and checked["org_name"]
    unreadable = audits.check(b"PK\x03\x04broken", name)
    assert "“某某局.xlsx”" in unreadable["error"] and unreadable["audit"]["file"] == name
    assert audits.report_file(data, name, ".docx", (data, "上年.xlsx")).startswith(b"PK")
    assert audits.annotated(workbooks["errors"].read_bytes(), "有错.xlsx").startswith(b"PK")
    assert audits.version_view(data, name)["html"]
    assert audits.compare((data, name), (workbooks["errors"].read_bytes(), "有错.xlsx"))["changes"]
    html = published[".html"]
    assert audits.compare((html.read_bytes(), html.name), (data, name))["compared"]
    template, carried = audits.unit_template(2024, "2021", "某某局", "县级以上人民政府部门", (data, "上年.xlsx"))
    assert template.startswith(b"PK") and carried > 0
    unit = audits.unit_result(data, "某某局", "填报表.xlsx", 1.5)
    assert unit.file == "某某局/填报表.xlsx" and unit.modified == 1.5 and unit.values


def test_the_batch_audits_bytes_as_it_audits_files(workbooks, no_temporary_files):
    from xlrep.units.batch import audit_unit

    for kind in ("clean", "errors", "truncated"):
        path = workbooks[kind]
        from_file = audit_unit(path, keep_values=True, modified=0.0)
        from_bytes = audit_unit(path.read_bytes(), keep_values=True, name=str(path), modified=0.0)
        assert from_bytes == from_file


def test_no_temporary_files_in_import_serve_or_batch():
    """The modules that read uploads and reports never reach for a temporary file (writing an output uses one
    beside the target, in files.write_atomically — that is not reading)."""
    src = ROOT / "src" / "xlrep"
    modules = [src / "auditing" / "ingest.py", src / "units" / "batch.py", src / "workbook" / "reader.py"]
    modules += sorted((src / "importing").glob("*.py")) + sorted((src / "serve").glob("*.py"))
    for path in modules:
        names = {
            alias.name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        modules_named = {
            node.module
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom)
        }
        assert "tempfile" not in names | modules_named, path


def test_one_registry_of_report_formats():
    """The site's routes, links and media types come from the report registry: a format added there is offered
    everywhere, and no page or module lists the formats again."""
    from xlrep.outputs.report import RENDERERS, REPORT_FORMATS, REPORT_SUFFIXES, media_type, suffixes_help
    from xlrep.serve.unit import REPORT_KINDS

    assert REPORT_KINDS == tuple(f"report{s}" for s in REPORT_SUFFIXES)
    assert set(REPORT_SUFFIXES) == {s for s, r in RENDERERS.items() if r.offered}
    assert ".htm" in RENDERERS and ".htm" not in REPORT_SUFFIXES
    assert [s for s, _ in REPORT_FORMATS] == list(REPORT_SUFFIXES)
    assert suffixes_help().split() == list(REPORT_SUFFIXES)
    assert media_type(".DOCX").endswith("wordprocessingml.document") and media_type(".xlsx") is None
    serve = ROOT / "src" / "xlrep" / "serve"
    for path in [*serve.glob("*.py"), *(serve / "templates").glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert "report.docx" not in text and "wordprocessingml" not in text, path


def test_supported_years_are_said_once():
    from datetime import date

    from xlrep.common.errors import XlrepError
    from xlrep.edition.form import editions
    from xlrep.writer.template_inputs import check_year, year_range

    first, latest = year_range()
    assert first == editions()[0].first_year and latest == date.today().year + 1
    assert check_year(first) == first and check_year(latest) == latest
    for year in (first - 1, latest + 1):
        with pytest.raises(XlrepError, match=f"不支持 {year} 年度"):
            check_year(year)


def test_template_values_carry_over_and_take_the_agency_given(workbooks):
    from xlrep.common.errors import XlrepError
    from xlrep.edition.form import load_form
    from xlrep.workbook.reader import read_workbook
    from xlrep.writer.template_inputs import template_values

    form = load_form("2021")
    last_year = read_workbook(workbooks["clean"])
    values, notes, references = template_values(form, previous=last_year, org="新名称", org_type="部门")
    assert values[form.role("org_name")] == "新名称" and form.role("org_name") not in notes
    assert values[form.role("org_type")] == "县级以上人民政府部门" and form.role("org_type") not in notes
    assert notes and references
    assert template_values(form) == ({}, {}, {})
    with pytest.raises(XlrepError, match="机关类型无效"):
        template_values(form, org_type="公司")


def test_column_letters():
    from openpyxl.utils.cell import column_index_from_string, get_column_letter

    from xlrep.common.a1 import column_letters, column_number, split_a1

    for n in (1, 26, 27, 52, 702, 703, 16384):
        assert column_letters(n) == get_column_letter(n) and column_number(get_column_letter(n)) == n
        assert column_index_from_string(column_letters(n)) == n
    assert split_a1("AB12") == (12, 28) and split_a1("$C$3:D4") == (3, 3) and split_a1("汇总") is None
