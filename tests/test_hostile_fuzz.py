"""Property tests closing the hostile tester's classes: any text in any text cell, any file name, any 机关名称.

Text is drawn from every Unicode plane, mixed with lone surrogates, C0/C1 controls, bidi controls, formula
signs, Markdown/HTML markup and newlines, and stored in the workbook as Excel stores it (``_xHHHH_``).
Whatever it is, ``ingest`` (every report format, the annotated copy, ``--json``), ``check --json --csv``,
``merge`` and ``template --org`` answer without a bug exit or traceback, print nothing that acts on a
terminal, and write valid UTF-8/JSON/CSV, no live formula, no markup, and safe file names.

Example counts are bounded so the module runs in about a minute; ``XLREP_FUZZ_EXAMPLES`` multiplies them.
"""

from __future__ import annotations

import collections
import os
import tempfile
from pathlib import Path

import openpyxl
from hostile import (
    BIDI,
    Elements,
    assert_answered,
    assert_csv_safe,
    assert_no_foreign_formula,
    assert_report_safe,
    hostile_workbook,
    json_of,
    render_markdown,
    text_keys,
    xlrep,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlrep.workbook.layout import build_layout, cell_ref

SCALE = max(1, int(os.environ.get("XLREP_FUZZ_EXAMPLES", "1")))
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
FORMATS = (".txt", ".md", ".html", ".json")  # .docx has its own property: python-docx takes ~3 s a report

SPECIAL = (
    "=+-@'\"\t\r\n\0\x01\x07\x0b\x0c\x1b\x7f\x85\x9b\xa0\u3000\u200b\ufeff\u2028\u2029＝＋－＠"
    "\ud800\udbff\udc80\udfff\ufffe\uffff" + BIDI + "\\/:*?<>|.#[]()!`*_~&%$;{} 0123456789"
)
CHARS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(SPECIAL))
PIECES = st.one_of(
    st.text(CHARS, max_size=30),
    st.sampled_from(
        [
            '=HYPERLINK("javascript:alert(1)")',
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[点此](javascript:alert(1))",
            "# 标题",
            "\x1b[2J\x1b]0;标题\x07",
            "_xD800_",
            "_x0007_",
            "收到申请12件",
            "\r\n",
        ]
    ),
)
TEXTS = st.lists(PIECES, max_size=4).map("".join)
KEYS = text_keys("2021")


# -- what a clean report is made of, to compare the hostile one's structure with -------------------------


def tag_counts(page: str) -> collections.Counter:
    """Every element of a page but paragraphs and line breaks (text may have more or fewer of them)."""
    parser = Elements()
    parser.feed(page)
    parser.close()
    return collections.Counter(tag for tag, _ in parser.tags if tag not in ("p", "br"))


_REFERENCE: dict[tuple[str, bool], collections.Counter] = {}


def reference_tags(suffix: str, draft: bool) -> collections.Counter:
    """The elements of the report of a workbook with plain text in every text cell (a draft or not)."""
    if (suffix, draft) not in _REFERENCE:
        from xlrep.auditing.ingest import audit
        from xlrep.outputs.report import build_report, render

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "plain.xlsx"
            path.write_bytes(hostile_workbook(dict.fromkeys(KEYS, "本年度依法做好相关工作。")))
            page = render(build_report(audit(path), draft=draft), suffix).decode("utf-8")
        _REFERENCE[suffix, draft] = tag_counts(render_markdown(page) if suffix == ".md" else page)
    return _REFERENCE[suffix, draft]


def assert_no_element_added(report: Path, draft: bool) -> None:
    """Hostile text stays text: the page has no element (heading, table cell …) the clean report has not.

    (Fewer is fine: an empty part has no sub-heading.)
    """
    page = report.read_text("utf-8")
    rendered = render_markdown(page) if report.suffix == ".md" else page
    extra = tag_counts(rendered) - reference_tags(report.suffix, draft)
    assert not extra, (report.name, extra)


# -- any text in every text cell -----------------------------------------------------------------------------


@settings(max_examples=16 * SCALE, **SETTINGS)
@given(texts=st.fixed_dictionaries({key: TEXTS for key in KEYS}))
def test_any_text_in_every_text_cell_is_answered_and_stays_text(texts):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "单位.xlsx"
        path.write_bytes(hostile_workbook(texts))
        outputs = [folder / f"报告{suffix}" for suffix in FORMATS]
        annotated = folder / "标注.xlsx"
        args = ["ingest", path, "--force", "--annotate", annotated, *[x for o in outputs for x in ("-o", o)]]
        code, out, err = xlrep(*args)
        assert_answered(code, out, err, allowed=(0, 1))
        draft = "草稿" in err
        for report in outputs:
            assert report.exists(), (report.name, err)
            assert_report_safe(report)
            if report.suffix in (".md", ".html"):
                assert_no_element_added(report, draft)
        assert_no_foreign_formula(annotated)
        code, out, err = xlrep("ingest", path, "--json")
        assert_answered(code, out, err, allowed=(0, 1))
        assert json_of(out)["findings"] is not None


@settings(max_examples=4 * SCALE, **SETTINGS)
@given(texts=st.fixed_dictionaries({key: TEXTS for key in KEYS}))
def test_any_text_in_every_text_cell_makes_a_word_report_of_text_runs(texts):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "单位.xlsx"
        path.write_bytes(hostile_workbook(texts))
        report = Path(tmp) / "报告.docx"
        code, out, err = xlrep("ingest", path, "--force", "-q", "-o", report)
        assert_answered(code, out, err, allowed=(0, 1))
        assert_report_safe(report)


# -- any 机关名称 and any file name in a folder: check and merge ----------------------------------------------

FILE_NAMES = (
    st.binary(min_size=1, max_size=120)
    .map(lambda raw: raw.replace(b"/", b"_").replace(b"\0", b"_"))
    .filter(lambda raw: not raw.startswith((b".", b"~$")))
    .map(lambda raw: raw + b".xlsx")
)


@settings(max_examples=12 * SCALE, **SETTINGS)
@given(
    names=st.lists(FILE_NAMES, min_size=2, max_size=3, unique_by=lambda raw: raw.lower()),
    orgs=st.lists(TEXTS, min_size=3, max_size=3),
    narrative=TEXTS,
    summary_org=TEXTS,
    csv_name=FILE_NAMES,
)
def test_any_names_in_a_folder_check_and_merge(names, orgs, narrative, summary_org, csv_name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "各单位"
        folder.mkdir()
        raw_folder = os.fsencode(folder)
        for raw, org in zip(names, orgs, strict=False):
            with open(raw_folder + b"/" + raw, "wb") as handle:
                handle.write(hostile_workbook({"info.org_name": org, "s1.management": narrative}))
        csv_path = Path(os.fsdecode(os.fsencode(tmp) + b"/" + csv_name[:-5] + b".csv"))
        code, out, err = xlrep("check", folder, "--json", "--csv", csv_path)
        assert_answered(code, out, err, allowed=(0, 1))
        report = json_of(out)
        assert len(report["units"]) == len(names)
        assert_csv_safe(csv_path.read_bytes(), numbers={3})

        merged = Path(tmp) / "汇总.xlsx"
        code, out, err = xlrep("merge", folder, "-o", merged, "--org", summary_org)
        assert_answered(code, out, err, allowed=(0, 1, 2))
        if code == 0:
            assert_no_foreign_formula(merged, neutral_sheets=("汇总明细",))
            detail = openpyxl.load_workbook(merged)["汇总明细"]
            assert detail.max_row == len(names) + 1


# -- any 机关名称 on the command line: the default file name and the prefilled cell ----------------------------


@settings(max_examples=15 * SCALE, **SETTINGS)
@given(org=TEXTS)
def test_any_org_gives_a_safe_default_file_name_and_a_text_cell(org):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        code, out, err = xlrep("template", "2021", "--org", org, "-o", folder)
        assert_answered(code, out, err, allowed=(0, 2))
        made = list(folder.iterdir())
        if code == 2:
            assert "机关名称不能为空" in err and made == []
            return
        (path,) = made
        name = path.name
        assert len(os.fsencode(name)) <= 255 and len(name.encode("utf-16-le")) // 2 <= 255
        name.encode("utf-8")  # a real name, not surrogate-escaped bytes
        assert name.isprintable() and not set(name) & set(BIDI + '\\/:*?"<>|'), repr(name)
        assert name.endswith("2021年政府信息公开工作年度报告填报表.xlsx") and not name.startswith((" ", "."))
        wb = openpyxl.load_workbook(path)
        from xlrep.edition.form import load_form

        sheet, row, col = build_layout(load_form("2021")).addresses["info.org_name"]
        cell = wb[sheet][cell_ref(row, col)]
        assert cell.data_type == "s" and cell.value
        assert_no_foreign_formula(path)
