"""Published reports (Word, web page, PDF, text) back into workbooks: ``xlrep import``.

``import_report(source)`` reads one published 政府信息公开工作年度报告 and returns an
``ImportedReport``: the edition (from the labels of its tables, not its year), year
and agency (from the title), every figure of tables 二, 三 and 四 as published, the
narrative by part, and a finding for every doubt (IMPORT-AMBIGUOUS, IMPORT-TOTAL,
IMPORT-MISSING, IMPORT-LABEL). ``to_workbook`` writes it into xlrep's own template of
that edition, so everything downstream (live checks, ``ingest``, ``--from``,
``--previous``, ``check``, ``merge``) works on it; ``read_published`` does both and
returns what ``reader.read_workbook`` returns for such a workbook. Each takes a path, or the report's bytes with
the name it is called by (``suffix`` tells the format): nothing is written to disk, not even the workbook made.

Pipeline: one reader per format (``text``, ``html``, ``docx``, ``pdf``) → a common
``Document`` (paragraphs and tables) → a ``labels.Stream`` → ``sections`` (headings,
parts, title) and ``tables`` (rows by label, figures split under the form's relations).
Heavy libraries (python-docx, pdfplumber) are imported only when such a file is read.

Everything about the form comes from the edition (``Form``): the tables printed as
tables and their sections, the narrative parts of each section, the cells with a role
(机关名称, 主动公开 …), the contact fields by label, 六's fee figures, the amount whose unit
the clerk picks, and which part speaks of each table's figures (``[narrative] tables``).
The rules are in ``rules.importing``; ``import_summary`` is what ``xlrep import --json`` prints.

May import: common, edition, workbook, checks, writer
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from ..checks.rules import rule
from ..common.findings import Finding, summarize
from ..common.published_formats import ACCEPTED, FORMAT_NAMES, NOT_IMPORTED, PUBLISHED_SUFFIXES, SUFFIX_FORMATS
from ..common.safetext import display_path
from ..edition.form import Cell, Form, Grid, Sheet, editions, form_for_year
from .document import Document, ImportFailed, check_report_file
from .labels import Stream, norm

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "ImportFailed",
    "ImportOutcome",
    "ImportedReport",
    "import_report",
    "import_summary",
    "read_published",
    "to_workbook",
]

FORMATS = PUBLISHED_SUFFIXES
FEES = ("fee_notices", "fee_notice_amount", "fee_collected")  # 六's 信息处理费 figures ([figures] of the edition)


@dataclass
class ImportedReport:
    """One published report, read. ``values`` are the figures as published (text such as ``-`` stays text)."""

    source: Path
    format: str  # docx, html, pdf, txt, md
    form: Form  # the edition whose labels the report uses
    year: int | None
    org: str | None
    org_type: str | None
    values: dict[str, object] = field(default_factory=dict)  # numeric input cells by form key (None: blank)
    narrative: dict[str, str] = field(default_factory=dict)  # longtext parts by form key
    fields: dict[str, object] = field(default_factory=dict)  # 基本信息: 机关名称, 联系方式 …
    findings: list[Finding] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)  # cell comments for the workbook, by form key
    printed: dict[str, object] = field(default_factory=dict)  # totals as printed in the report, by form key
    tables: list[str] = field(default_factory=list)  # groups of [tables] found: t2, t3, t4
    sections: list[str] = field(default_factory=list)  # section headings found: 一 … 六
    year_source: str | None = None  # title, period, opening; guessed: signature, body, opening_sentence; option

    @property
    def edition(self) -> str:
        return self.form.edition

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


@dataclass
class ImportOutcome:
    """One report of an ``xlrep import`` run: imported and written to ``output``, or refused with ``error``."""

    source: Path
    imported: ImportedReport | None = None
    output: Path | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        if self.imported is None or self.error is not None:
            return {"source": str(self.source), "status": "failed", "error": self.error}
        return {"source": str(self.source), "status": "imported", "output": str(self.output), **self.imported.as_dict()}


def import_summary(outcomes: list[ImportOutcome]) -> dict:
    """The run as ``xlrep import --json`` prints it: counts, then each report (its figures, findings, output)."""
    failed = sum(1 for o in outcomes if o.as_dict()["status"] == "failed")
    return {
        "summary": {"reports": len(outcomes), "imported": len(outcomes) - failed, "failed": failed},
        "reports": [o.as_dict() for o in outcomes],
    }


# -- what of the form a report prints ----------------------------------------------------------


def table_sections(form: Form) -> dict[str, str]:
    """The groups of [tables] printed as tables, in form order, with the section they are printed in (t2 → 二 …)."""
    out: dict[str, str] = {}
    for sheet in form.sheets:
        for block in sheet.blocks:
            if sheet.section and isinstance(block, Grid):
                out.setdefault(block.table, sheet.section)
    return out


def narrative_sheets(form: Form) -> list[tuple[Sheet, list[Cell]]]:
    """The sections written as text, each with its parts in form order."""
    out = []
    for sheet in form.sheets:
        parts = [c for c in form.narrative_parts if c.sheet == sheet.name]
        if sheet.section and parts:
            out.append((sheet, parts))
    return out


def neighbour(form: Form) -> Form | None:
    """The edition next to this one (the one before it, or after the first): a report may print its table shapes."""
    known = list(editions())
    if form not in known or len(known) < 2:
        return None
    i = known.index(form)
    return known[i - 1] if i > 0 else known[1]


# -- reading ------------------------------------------------------------------------------


def read_document(source, suffix: str | None = None, *, name: str | None = None) -> Document:
    """The report as paragraphs and tables, by its format (``suffix``, else the suffix of ``name`` or of the path);
    unreadable input raises ``ImportFailed``. ``source`` is a path, or the report's bytes called ``name``."""
    from ..common.files import is_data, source_name

    path = source_name(source, name, "报告")
    suffix = (suffix or path.suffix).lower()
    if not is_data(source):
        check_report_file(Path(source))
    readers = {"txt": ("text", "read_text"), "md": ("text", "read_text")}
    readers |= {"html": ("html", "read_html"), "docx": ("docx", "read_docx"), "pdf": ("pdf", "read_pdf")}
    fmt = SUFFIX_FORMATS.get(suffix)
    if fmt is not None:
        from importlib import import_module

        module, function = readers[fmt]
        reader = getattr(import_module(f"{__name__}.{module}"), function)
        if module == "text":
            return reader(source, str(path), markdown=fmt == "md")
        return reader(source, str(path))
    if suffix in NOT_IMPORTED:
        raise ImportFailed(f"“{path.name}”{NOT_IMPORTED[suffix]}。", path)
    raise ImportFailed(f"不认识“{path.name}”的格式（扩展名 {suffix or '无'}）：可以导入{ACCEPTED}。", path)


@dataclass(frozen=True)
class ImportHints:
    """What the user states for what a report may not say (``xlrep import --year --org --org-type``); given, it
    is taken over what the report says. ``org_type`` as the form's choice or a short alias (政府, 部门, 乡镇, 街道)."""

    year: int | None = None
    org: str | None = None
    org_type: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.year, self.org, self.org_type))


def import_report(
    source, suffix: str | None = None, hints: ImportHints | None = None, *, name: str | None = None
) -> ImportedReport:
    """Read one published report: its path, or its bytes called ``name`` (an upload's file name), in the format of
    ``suffix`` (default: the suffix of ``name`` or of the path). Raises ``ImportFailed`` (Chinese message) if it
    cannot be read or is not a report."""
    from ..common.files import source_name

    path = source_name(source, name, "报告")
    try:
        return _import(source, suffix, path, hints or ImportHints())
    except ImportFailed as exc:
        exc.path = path  # raised deep inside a format reader, it concerns this report
        raise


def _import(source, suffix: str | None, path: Path, hints: ImportHints) -> ImportedReport:
    from .sections import find_meta, find_sections
    from .tables import read_table

    doc = read_document(source, suffix, name=str(path))
    if not doc.has_text:
        raise ImportFailed(f"“{path.name}”中没有文字，无法导入。", path)
    stream = Stream(doc)
    sections = find_sections(stream)
    first = sections.headings["一"].start if "一" in sections.headings else _first_heading(sections, len(stream))
    meta = find_meta(stream, doc.title, first, first, (editions()[0].first_year, date.today().year + 1))
    if hints.year is not None:
        meta.year, meta.year_source = hints.year, "option"
    if hints.org:
        meta.org, meta.org_source = hints.org, "option"
    form = detect_edition(stream, meta.year)
    imported = ImportedReport(
        source=path,
        format=doc.format,
        form=form,
        year=meta.year,
        org=meta.org,
        org_type=None,
        sections=list(sections.headings),
    )
    _take_meta(imported, form, meta, hints)
    other = neighbour(form)
    reads = {}
    for table, section in table_sections(form).items():
        lo, hi = _region(sections, section, len(stream))
        reads[table] = read_table(stream, form, table, lo, hi, other)
    if not sections.headings and not any(r.found for r in reads.values()):
        raise ImportFailed(
            f"“{path.name}”中找不到政府信息公开工作年度报告的六个部分或统计表格，不像是年度报告，无法导入。", path
        )
    for read in reads.values():
        _take_table(imported, form, read)
    _narrative(stream, sections, form, reads, imported)
    _check_meta(imported, form, sections)
    _check_lengths(imported, form)
    return imported


#: Said before the rest of a text too long for its cell, in the cell's comment.
CONTINUED = "【接单元格中的文字，以下是原文的其余部分】\n"


def _split_text(text: str, limit: int) -> tuple[str, str]:
    """``text`` cut to fit a cell: at the last sentence end within ``limit`` (or at ``limit`` when there is none
    in its last fifth), and the rest."""
    from ..common.sentences import STOPS as SENTENCE_END

    cut = limit
    for i in range(limit, int(limit * 0.8), -1):
        if text[i - 1] in SENTENCE_END or text[i - 1] == "\n":
            cut = i
            break
    return text[:cut], text[cut:]


def _long_texts(imported: ImportedReport, form: Form) -> dict[str, tuple[str, str, str]]:
    """Texts over a cell's limit: key → (what the cell holds, the comment that holds the rest, the full text)."""
    from ..edition.cellvalue import MAX_TEXT

    out = {}
    for key, value in {**imported.fields, **imported.narrative}.items():
        if isinstance(value, str) and len(value) > MAX_TEXT and key in form.cells:
            head, rest = _split_text(value, MAX_TEXT)
            note = imported.comments.get(key, "")
            out[key] = (head, (note + "\n\n" if note else "") + CONTINUED + rest, value)
    return out


def _check_lengths(imported: ImportedReport, form: Form) -> None:
    """IMPORT-TEXT-LONG for each text longer than a cell holds; refused when even the cell and its comment cannot
    hold it (more than about 65,000 characters in one part: nothing is ever cut in silence)."""
    from ..edition.cellvalue import MAX_TEXT
    from .doubts import refs

    for key, (head, note, full) in _long_texts(imported, form).items():
        label = form.cells[key].label
        if len(note) > MAX_TEXT:
            raise ImportFailed(
                f"“{imported.source.name}”中“{label}”有 {len(full):,} 字，填报表的一格加上它的批注最多能完整保存"
                f" {2 * MAX_TEXT - len(CONTINUED):,} 字（Excel 一格最多 {MAX_TEXT:,} 字），无法不删减地导入。"
                "请把这一部分精简后重新导出报告。",
                imported.source,
            )
        imported.findings.append(
            rule("IMPORT-TEXT-LONG").finding(
                cells=refs(form, [key]),
                values={"part": key, "length": len(full), "kept": len(head), "limit": MAX_TEXT},
                part=label,
                length=f"{len(full):,}",
                limit=f"{MAX_TEXT:,}",
                kept=f"{len(head):,}",
                rest=f"{len(full) - len(head):,}",
            )
        )


def _take_meta(imported: ImportedReport, form: Form, meta, hints: ImportHints) -> None:
    """What the title and the opening say: contact details, download address, agency and its type."""
    from .sections import org_type

    for key in form.contact:
        label = form.cells[key].label
        if label in meta.contact:
            imported.fields[key] = meta.contact[label]
    if meta.download_url and form.role("download_url"):
        imported.fields[form.role("download_url")] = meta.download_url
    if meta.org and form.role("org_name"):
        imported.fields[form.role("org_name")] = meta.org
    imported.org_type = org_type(meta.org, form.org_types, form.government, meta.whole_area) if meta.org else None
    if hints.org_type:
        try:
            imported.org_type = form.org_type(hints.org_type)
        except ValueError:
            aliases = "、".join(form.org_aliases)
            raise ImportFailed(
                f"机关类型“{hints.org_type}”无效，只能是：{'、'.join(form.org_types)}（也可写 {aliases}）。",
                imported.source,
            ) from None
    imported.year_source = meta.year_source
    if imported.org_type and form.role("org_type"):
        imported.fields[form.role("org_type")] = imported.org_type


def _take_table(imported: ImportedReport, form: Form, read) -> None:
    from .doubts import label_finding, missing_table_finding

    if not read.found:
        imported.findings.append(missing_table_finding(form, read.table))
        return
    imported.tables.append(read.table)
    imported.values.update(read.values)
    imported.printed.update(read.printed)
    imported.comments.update(read.comments)
    imported.findings.extend(read.findings)
    for unit in form.units:  # the unit a printed amount states, where the clerk picks it in another cell
        if read.units.get(unit.cell) in form.cells[unit.unit].choices:
            imported.fields[unit.unit] = read.units[unit.cell]
    if read.loose:
        imported.findings.append(label_finding(form, read.table, read.loose))


def _check_meta(imported: ImportedReport, form: Form, sections) -> None:
    from .doubts import label_finding, missing_finding

    if imported.year is None:
        imported.findings.append(missing_finding(form, "year", "year"))
    elif imported.year_source in ("signature", "body", "opening_sentence"):
        keys = [k for k in [form.role("report_year")] if k]
        message = {"signature": "year_signed", "body": "year_body"}.get(imported.year_source, "year_opening")
        imported.findings.append(missing_finding(form, "year", message, keys, year=imported.year))
    if not imported.org:
        imported.findings.append(missing_finding(form, "org", "org", [k for k in [form.role("org_name")] if k]))
    loose = [(m, "heading") for m in sections.headings.values() if m.quality in ("approx", "suffix", "prefix")]
    if loose:
        imported.findings.append(label_finding(form, "sections", loose))
    for unit in form.units:
        if unit.unit not in imported.fields and imported.values.get(unit.cell):
            amount, choice = form.cells[unit.cell], form.cells[unit.unit]
            imported.comments[unit.unit] = (
                f"报告没有注明{amount.column_label or amount.label}的单位，"
                f"这里默认按{choice.default or unit.base}；请核对原报告。"
            )


def _first_heading(sections, end: int) -> int:
    return min((m.start for m in sections.headings.values()), default=min(end, 4000))


def _region(sections, section: str, end: int) -> tuple[int, int]:
    """Compact bounds of a section; where its heading is missing, between the neighbouring headings found."""
    from .sections import SECTIONS

    if section in sections.bounds:
        return sections.bounds[section]
    i = SECTIONS.index(section)
    lo = max((sections.headings[s].end for s in SECTIONS[:i] if s in sections.headings), default=0)
    hi = min((sections.headings[s].start for s in SECTIONS[i + 1 :] if s in sections.headings), default=end)
    return lo, hi


@cache
def edition_markers(form: Form, others: tuple[Form, ...], table: str) -> list[str]:
    """Labels of one table that only this edition has (format.md §5), compact."""

    def labels(f: Form) -> set[str]:
        out: set[str] = set()
        for grid in f.grids(table):
            out |= {grid.caption or "", *(c.label for c in grid.columns), *(r.label for r in grid.rows)}
            out |= {g for r in grid.rows for g in r.group}
        return {norm(x) for x in out if x}

    theirs = set().union(*(labels(o) for o in others))
    return sorted(x for x in labels(form) if not any(x in t for t in theirs) and len(x) >= 4)


def detect_edition(stream: Stream, year: int | None) -> Form:
    """The edition whose own labels the report uses, table by table in the order printed (表二's decide, format.md
    §5, then 表三's …); where no table tells, the edition in force for the year (the latest without one)."""
    known = list(editions())
    tables = dict.fromkeys(t for f in known for t in table_sections(f))
    for table in tables:
        scores = {}
        for form in known:
            markers = edition_markers(form, tuple(f for f in known if f is not form), table)
            scores[form] = sum(1 for m in markers if m in stream.compact)
        best = max(scores.values())
        leaders = [f for f, score in scores.items() if score == best]
        if best and len(leaders) == 1:
            return leaders[0]
    try:
        return form_for_year(year) if year else known[-1]
    except KeyError:
        return known[-1]


# -- the narrative ---------------------------------------------------------------------------


def _default_part(form: Form, parts: list[Cell]) -> Cell:
    """Where a section's text that names no part goes: its part for anything else (六), or else its first part."""
    return next((c for c in parts if c.key == form.role("other_matters")), parts[0])


def _narrative(stream: Stream, sections, form: Form, reads, imported: ImportedReport) -> None:
    from .doubts import missing_finding
    from .sections import region_text

    narrative: dict[str, str] = {}
    written = narrative_sheets(form)
    last = max((s.section for s in form.sheets if s.section in sections.bounds), default=None, key=_order)
    for sheet, parts in written:
        default = _default_part(form, parts)
        if sheet.section in sections.bounds:
            text = region_text(stream, *sections.bounds[sheet.section])
            narrative.update(_section_text(text, sheet, parts, form, imported, closing=sheet.section == last))
        else:
            keys = [default.key] if any(c.required for c in parts) else []
            imported.findings.append(missing_finding(form, sheet.section, "section", keys, heading=sheet.title))
    _table_sentences(stream, sections, form, reads, imported, narrative)
    imported.narrative = {k: v for k, v in narrative.items() if v and k in form.cells}


def _order(section: str) -> int:
    from .sections import SECTIONS

    return SECTIONS.index(section) if section in SECTIONS else -1


def _section_text(text: str, sheet: Sheet, parts: list[Cell], form: Form, imported: ImportedReport, closing: bool):
    """One section's text cut into its parts; the closing signature (last section) and the 信息处理费 taken out."""
    from .sections import closing as signature
    from .sections import fee_figures, part_words, split_parts, split_problems, without_our_fee_sentence

    if closing:
        text, published = signature(text, imported.org)
        if published is not None and form.role("publish_date"):
            imported.fields[form.role("publish_date")] = published
    fees = _fee_keys(form, sheet)
    if fees:
        imported.values.update({fees[name]: v for name, v in fee_figures(text).items() if name in fees})
        text = without_our_fee_sentence(text)
    if text.strip() in ("无", "无。"):
        return {}
    default = _default_part(form, parts)
    found, headed = split_parts(text, [(c.key, part_words(c.label)) for c in parts], default.key)
    catch_all = default.key == form.role("other_matters")
    if headed:
        if headed[0] != default.key and found.get(default.key) and not catch_all:
            imported.comments[default.key] = f"报告的“{sheet.title}”中第一个小标题之前的总述放在此处。"
        return found
    problems, measures = form.role("problems"), form.role("measures")
    if {problems, measures} <= {c.key for c in parts}:
        found, split = split_problems(text, problems, measures)
        if text and not split:
            imported.comments[problems] = f"报告的“{sheet.title}”没有分开写问题和改进措施，全文放在此处，请分别整理。"
    elif text and len(parts) > 1 and not catch_all:
        imported.comments[default.key] = (
            f"报告的“{sheet.title}”没有按{parts[0].label}至{parts[-1].label}分部分的小标题，"
            "全文放在此处，请按部分整理。"
        )
    return found


def _fee_keys(form: Form, sheet: Sheet) -> dict[str, str]:
    """六's 信息处理费 figures on this sheet: figure name → its one cell."""
    out = {}
    for name in FEES:
        keys = form.figure_keys(name) if name in form.figures else []
        if len(keys) == 1 and form.cells[keys[0]].sheet == sheet.name:
            out[name] = keys[0]
    return out


def _table_sentences(stream: Stream, sections, form: Form, reads, imported: ImportedReport, narrative) -> None:
    """Sentences printed under the headings of 二, 三, 四, before their tables: kept with the part about the table."""
    for table, section in table_sections(form).items():
        key = form.table_parts.get(table)
        if key is None or section not in sections.bounds or table not in reads or reads[table].first is None:
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
    from ..writer.template import build_template

    if imported.year is None:
        raise ImportFailed(
            f"“{imported.source.name}”中找不到报告年度，无法生成填报表。请用 --year 指定年度（如 --year 2023）。",
            imported.source,
        )
    form = imported.form
    values: dict[str, object] = {}
    for key, value in {**imported.fields, **imported.values, **imported.narrative}.items():
        if key in form.cells and form.cells[key].is_input and value is not None:
            values[key] = str(value) if isinstance(value, str) else value
    comments = {k: v for k, v in imported.comments.items() if k in form.cells}
    # The report's name as text: a name that is not UTF-8 (GBK from a Windows zip) shows its bytes as �.
    source = display_path(imported.source.name)[:200]
    for key, (head, note, _) in _long_texts(imported, form).items():  # the cell and its comment hold it all
        values[key], comments[key] = head, note
    return build_template(
        imported.year,
        form,
        values=values,
        comments=comments,
        properties={"xlrep.imported_from": source, "xlrep.imported_format": imported.format},
    )


def read_published(source, hints: ImportHints | None = None, *, name: str | None = None, suffix: str | None = None):
    """Import a published report on the fly and read the workbook it makes, in memory: a ``ReadResult`` with the
    import's findings. ``source`` is a path, or the report's bytes called ``name``.

    ``result.path`` is the published report. Raises ``ImportFailed`` (an ``UnreadableFile``) if it cannot be imported.
    """
    from ..common.files import source_name
    from ..workbook.reader import read_workbook

    path = source_name(source, name, "报告")
    imported = import_report(source, suffix, hints, name=name)
    result = read_workbook(to_workbook(imported), forms=(imported.form,), name=str(path))
    result.path = path
    result.findings.append(
        rule("IMPORT-SOURCE").finding(
            values={"file": str(path), "format": imported.format},
            name=path.name,
            format=FORMAT_NAMES.get(imported.format, imported.format),
            edition=imported.form.name,
        )
    )
    result.findings.extend(imported.findings)
    return result
