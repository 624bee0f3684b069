"""Published reports (Word, web page, PDF, text) back into workbooks: ``xlrep import``.

``import_report(path)`` reads one published 政府信息公开工作年度报告 and returns an
``ImportedReport``: the edition (from the labels of its tables, not its year), year
and agency (from the title), every figure of tables 二, 三 and 四 as published, the
narrative by part, and a finding for every doubt (IMPORT-AMBIGUOUS, IMPORT-TOTAL,
IMPORT-MISSING, IMPORT-LABEL). ``to_workbook`` writes it into xlrep's own template of
that edition, so everything downstream (live checks, ``ingest``, ``--from``,
``--previous``, ``check``, ``merge``) works on it; ``read_published`` does both and
returns what ``reader.read_workbook`` returns for such a workbook.

Pipeline: one reader per format (``text``, ``html``, ``docx``, ``pdf``) → a common
``Document`` (paragraphs and tables) → a ``labels.Stream`` → ``sections`` (headings,
parts, title) and ``tables`` (rows by label, figures split under the form's relations).
Heavy libraries (python-docx, pdfplumber) are imported only when such a file is read.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..findings import Finding, summarize
from ..form import EDITIONS, TABLE_NAMES, Form, edition_for_year, load_form
from .document import Document, ImportFailed
from .labels import Stream, norm

__all__ = ["ImportedReport", "ImportFailed", "import_report", "to_workbook", "read_published", "FORMATS"]

FORMATS = (".docx", ".html", ".htm", ".pdf", ".txt", ".md")
TABLES = ("t2", "t3", "t4")
TABLE_SECTIONS = {"t2": "二", "t3": "三", "t4": "四"}
S1 = ["s1.proactive", "s1.on_request", "s1.management", "s1.platforms", "s1.oversight"]
S5 = ["s5.problems", "s5.measures", "s5.last_year_fixes"]
S6 = ["s6.other", "s6.work_points", "s6.proposals", "s6.innovation"]


@dataclass
class ImportedReport:
    """One published report, read. ``values`` are the figures as published (text such as ``-`` stays text)."""

    source: Path
    format: str  # docx, html, pdf, txt, md
    edition: str
    year: int | None
    org: str | None
    org_type: str | None
    values: dict[str, object] = field(default_factory=dict)  # numeric input cells by form key (None: blank)
    narrative: dict[str, str] = field(default_factory=dict)  # longtext parts by form key
    fields: dict[str, object] = field(default_factory=dict)  # 基本信息: 机关名称, 联系方式 …
    findings: list[Finding] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)  # cell comments for the workbook, by form key
    printed: dict[str, object] = field(default_factory=dict)  # totals as printed in the report, by form key
    tables: list[str] = field(default_factory=list)  # tables found: t2, t3, t4
    sections: list[str] = field(default_factory=list)  # section headings found: 一 … 六

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.findings)

    def as_dict(self) -> dict:
        return {
            "source": str(self.source),
            "format": self.format,
            "edition": self.edition,
            "year": self.year,
            "org": self.org,
            "org_type": self.org_type,
            "tables": self.tables,
            "sections": self.sections,
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
            "values": {k: _json(v) for k, v in self.values.items()},
            "printed_totals": {k: _json(v) for k, v in self.printed.items()},
            "fields": {k: _json(v) for k, v in self.fields.items()},
            "narrative": self.narrative,
        }


def _json(v):
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return str(v)
    return v


# -- reading ------------------------------------------------------------------------------


def read_document(path: str | Path) -> Document:
    """The report as paragraphs and tables, by its extension; unreadable input raises ``ImportFailed``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportFailed(f"找不到文件“{path}”。")
    if path.is_dir():
        raise ImportFailed(f"“{path}”是文件夹，不是报告文件。")
    if suffix in (".txt", ".md"):
        from .text import read_text

        return read_text(path)
    if suffix in (".html", ".htm"):
        from .html import read_html

        return read_html(path)
    if suffix == ".docx":
        from .docx import read_docx

        return read_docx(path)
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(path)
    hints = {
        ".doc": "是旧版 Word 文档：请在 Word 或 WPS 中另存为 .docx 后重试",
        ".wps": "是 WPS 文字文档：请在 WPS 中另存为 .docx 后重试",
        ".xlsx": "是 Excel 工作簿：填报表请用 xlrep ingest 校验",
        ".xls": "是 Excel 工作簿：填报表请用 xlrep ingest 校验",
        ".mht": "是网页存档：请在浏览器中另存为“网页，仅 HTML”后重试",
        ".mhtml": "是网页存档：请在浏览器中另存为“网页，仅 HTML”后重试",
        ".rtf": "是 RTF 文档：请另存为 .docx 后重试",
    }
    if suffix in hints:
        raise ImportFailed(f"“{path.name}”{hints[suffix]}。")
    raise ImportFailed(
        f"不认识“{path.name}”的格式（扩展名 {suffix or '无'}）："
        "可以导入 Word（.docx）、网页（.html/.htm）、PDF（.pdf）和文本（.txt/.md）。"
    )


def import_report(path: str | Path) -> ImportedReport:
    """Read one published report. Raises ``ImportFailed`` (Chinese message) if it cannot be read or is not a report."""
    from .sections import find_meta, find_sections
    from .tables import read_table

    path = Path(path)
    doc = read_document(path)
    if not doc.has_text:
        raise ImportFailed(f"“{path.name}”中没有文字，无法导入。")
    stream = Stream(doc)
    sections = find_sections(stream)
    first = sections.headings["一"].start if "一" in sections.headings else _first_heading(sections, len(stream))
    meta = find_meta(stream, doc.title, first, first, date.today().year + 1)
    edition = detect_edition(stream, meta.year)
    form, other = load_form(edition), load_form(next(e for e in EDITIONS if e != edition))
    imported = ImportedReport(
        source=path,
        format=doc.format,
        edition=edition,
        year=meta.year,
        org=meta.org,
        org_type=meta.fields.get("info.org_type"),
        fields=dict(meta.fields),
        sections=list(sections.headings),
    )
    reads = {}
    for table in TABLES:
        lo, hi = _region(sections, TABLE_SECTIONS[table], len(stream))
        reads[table] = read_table(stream, form, table, lo, hi, other)
    if not sections.headings and not any(r.found for r in reads.values()):
        raise ImportFailed(
            f"“{path.name}”中找不到政府信息公开工作年度报告的六个部分或统计表格，不像是年度报告，无法导入。"
        )
    for table in TABLES:
        _take_table(imported, form, reads[table])
    _narrative(stream, sections, form, reads, imported)
    _check_meta(imported, form, sections)
    return imported


def _take_table(imported: ImportedReport, form: Form, read) -> None:
    from .doubts import label_finding, missing_finding

    if not read.found:
        imported.findings.append(
            missing_finding(
                form,
                read.table,
                f"没有找到{TABLE_NAMES[read.table]}（按官方表格的行标签查找）。填报表中这张表留空，请对照原报告填写。",
                [c.key for c in form.table_inputs(read.table)],
            )
        )
        return
    imported.tables.append(read.table)
    imported.values.update(read.values)
    imported.printed.update(read.printed)
    imported.comments.update(read.comments)
    imported.findings.extend(read.findings)
    if read.extra and "t2.procurement.amount_unit" in form.cells:  # the unit a 采购总金额 cell states
        imported.fields["t2.procurement.amount_unit"] = next(iter(read.extra.values()))
    if read.loose:
        imported.findings.append(label_finding(form, read.table, read.loose))


def _check_meta(imported: ImportedReport, form: Form, sections) -> None:
    from .doubts import label_finding, missing_finding

    if imported.year is None:
        imported.findings.append(
            missing_finding(form, "year", "报告标题和正文中找不到报告年度（如“2024年政府信息公开工作年度报告”）。")
        )
    if not imported.org:
        imported.findings.append(missing_finding(form, "org", "报告标题中找不到机关名称。", ["info.org_name"]))
    loose = [(m, "heading") for m in sections.headings.values() if m.quality in ("approx", "suffix", "prefix")]
    if loose:
        imported.findings.append(label_finding(form, "sections", loose))
    unit = "t2.procurement.amount_unit"
    if unit in form.cells and unit not in imported.fields and imported.values.get("t2.procurement.amount"):
        imported.comments[unit] = "报告没有注明采购总金额的单位，这里默认按万元；请核对原报告。"


def _first_heading(sections, end: int) -> int:
    return min((m.start for m in sections.headings.values()), default=min(end, 4000))


def _region(sections, section: str, end: int) -> tuple[int, int]:
    """Compact bounds of a section; where its heading is missing, between the neighbouring headings found."""
    if section in sections.bounds:
        return sections.bounds[section]
    order = ["一", "二", "三", "四", "五", "六"]
    i = order.index(section)
    lo = max((sections.headings[s].end for s in order[:i] if s in sections.headings), default=0)
    hi = min((sections.headings[s].start for s in order[i + 1 :] if s in sections.headings), default=end)
    return lo, hi


def edition_markers(form: Form, other: Form, table: str) -> list[str]:
    """Labels of one table that only this edition has (format.md §5), compact."""

    def labels(f: Form) -> set[str]:
        out: set[str] = set()
        for grid in f.grids(table):
            out |= {grid.caption or "", *(c.label for c in grid.columns), *(r.label for r in grid.rows)}
            out |= {g for r in grid.rows for g in r.group}
        return {norm(x) for x in out if x}

    mine, theirs = labels(form), labels(other)
    return sorted(x for x in mine if not any(x in t for t in theirs) and len(x) >= 4)


def detect_edition(stream: Stream, year: int | None) -> str:
    """The edition whose own labels the report uses: 表二's decide (format.md §5), then 表三's, then the year."""
    for table in ("t2", "t3"):
        scores = {}
        for edition in EDITIONS:
            other = next(e for e in EDITIONS if e != edition)
            markers = edition_markers(load_form(edition), load_form(other), table)
            scores[edition] = sum(1 for m in markers if m in stream.compact)
        best = max(scores.values())
        leaders = [e for e, score in scores.items() if score == best]
        if best and len(leaders) == 1:
            return leaders[0]
    return edition_for_year(year) if year else EDITIONS[-1]


MISSING_SECTIONS = {
    "一": ("一、总体情况", "s1.proactive"),
    "五": ("五、存在的主要问题及改进情况", "s5.problems"),
    "六": ("六、其他需要报告的事项", None),
}


def _narrative(stream: Stream, sections, form: Form, reads, imported: ImportedReport) -> None:
    from .doubts import missing_finding
    from .sections import region_text

    narrative: dict[str, str] = {}
    readers = {"一": _section_one, "五": _section_five, "六": _section_six}
    for section, reader in readers.items():
        if section in sections.bounds:
            narrative.update(reader(region_text(stream, *sections.bounds[section]), form, imported))
        else:
            heading, key = MISSING_SECTIONS[section]
            imported.findings.append(
                missing_finding(form, section, f"没有找到“{heading}”这一部分。", [key] if key else [])
            )
    _table_sentences(stream, sections, form, reads, imported, narrative)
    imported.narrative = {k: v for k, v in narrative.items() if v and k in form.cells}


def _section_one(text: str, form: Form, imported: ImportedReport) -> dict[str, str]:
    from .sections import split_parts

    parts, found = split_parts(text, S1)
    if not found and text:
        imported.comments["s1.proactive"] = (
            "报告的“一、总体情况”没有按（一）主动公开至（五）监督保障分部分的小标题，全文放在此处，请按部分整理。"
        )
    elif found and found[0] != S1[0] and parts.get(S1[0]):
        imported.comments["s1.proactive"] = "报告中“（一）”小标题之前的总述放在此处。"
    return parts


def _section_five(text: str, form: Form, imported: ImportedReport) -> dict[str, str]:
    from .sections import split_parts, split_problems

    parts, found = split_parts(text, S5)
    if found:
        return parts
    parts, split = split_problems(text, S5)
    if text and not split:
        imported.comments["s5.problems"] = "报告的“五”没有分开写问题和改进措施，全文放在此处，请分别整理。"
    return parts


def _section_six(text: str, form: Form, imported: ImportedReport) -> dict[str, str]:
    from .sections import closing, fee_figures, split_parts, without_our_fee_sentence

    body, published = closing(text, imported.org)
    if published is not None:
        imported.fields["info.publish_date"] = published
    if "s6.fee_notices" in form.cells:
        imported.values.update(fee_figures(body))
    body = without_our_fee_sentence(body)
    return {} if body.strip() in ("无", "无。") else split_parts(body, S6)[0]


def _table_sentences(stream: Stream, sections, form: Form, reads, imported: ImportedReport, narrative) -> None:
    """Sentences printed under the headings of 二, 三, 四, before their tables: kept with 一's parts."""
    for table, key in (("t2", "s1.proactive"), ("t3", "s1.on_request"), ("t4", "s1.on_request")):
        section = TABLE_SECTIONS[table]
        if section not in sections.bounds or reads[table].first is None:
            continue
        extra = _leading_sentences(stream, sections.bounds[section][0], reads[table].first)
        if extra:
            narrative[key] = (narrative.get(key, "") + "\n" + extra).strip()
            heading = form.section_headings.get(section, section)
            note = f"报告在“{heading}”表格前的文字说明附在此处。"
            imported.comments[key] = (imported.comments.get(key, "") + note).strip()


def _leading_sentences(stream: Stream, lo: int, first: int) -> str:
    """Narrative between a section heading and its table, ended at a sentence end."""
    import re

    from .sections import region_text

    if first <= lo:
        return ""
    text = region_text(stream, lo, first)
    if not re.search(r"[\u4e00-\u9fff]{6,}", text):
        return ""
    if not text.endswith(("。", "！", "？", "；")):
        tail = region_text(stream, first, min(len(stream), first + 80))
        stop = tail.find("。")
        if stop == -1:
            return text if "。" in text else ""
        text = text + tail[: stop + 1]
    return text.strip()


# -- writing ------------------------------------------------------------------------------


def to_workbook(imported: ImportedReport) -> bytes:
    """The report in xlrep's template of its edition (``build_template``): figures, texts, comments on every doubt."""
    from ..template import build_template

    if imported.year is None:
        raise ImportFailed(f"“{imported.source.name}”中找不到报告年度，无法生成填报表。")
    form = load_form(imported.edition)
    values: dict[str, object] = {}
    for key, value in {**imported.fields, **imported.values, **imported.narrative}.items():
        if key in form.cells and form.cells[key].is_input and value is not None:
            values[key] = str(value) if isinstance(value, str) else value
    comments = {k: v for k, v in imported.comments.items() if k in form.cells}
    return build_template(
        imported.year,
        imported.edition,
        values=values,
        comments=comments,
        properties={"xlrep.imported_from": imported.source.name[:200], "xlrep.imported_format": imported.format},
    )


def read_published(path: str | Path):
    """Import a published report on the fly and read the workbook it makes: a ``ReadResult`` with the import's findings.

    ``result.path`` is the published report. Raises ``ImportFailed`` (exit 2) if it cannot be imported.
    """
    from ..reader import read_workbook

    imported = import_report(path)
    data = to_workbook(imported)
    fd, name = tempfile.mkstemp(prefix="xlrep-import-", suffix=".xlsx")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        result = read_workbook(name)
    finally:
        Path(name).unlink(missing_ok=True)
    result.path = Path(path)
    result.findings.extend(imported.findings)
    return result
