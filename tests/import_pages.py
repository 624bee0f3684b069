"""Helpers for the import tests: random filled reports, and published pages made in the shapes seen in the wild.

Nothing here is copied from a real report: pages are generated from random figures, in the
shapes the import must survive — our own report formats, a Word "save as web page" export
(a kilobyte of style per cell, numbers split over two <span>s, &nbsp; for blank cells, GB2312),
and a crawler's text dump with the cells fused together.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

from filling import NARRATIVE, balanced_t3

from xlrep.edition.form import load_form
from xlrep.writer.template import build_template

ORGS = ["某某县人民政府办公室", "某某市自然资源局", "某某镇人民政府", "某某区市场监督管理局", "某某县教育局"]


def random_values(edition: str, year: int, rng: random.Random) -> dict[str, object]:
    """A complete fill: a consistent 表三, random 表二 and 表四, fees, texts; every input cell has a figure."""
    form = load_form(edition)
    values: dict[str, object] = {}
    for cell in form.inputs:
        if not cell.is_numeric:
            continue
        if cell.kind == "count":
            values[cell.key] = rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 999), rng.randint(1000, 9_999_999)])
        elif cell.kind == "signed":
            values[cell.key] = rng.choice([0, rng.randint(-50, -1), rng.randint(1, 50)])
        else:  # amount
            digits = rng.choice([0, 1, 2, 4, 6])
            amount = round(rng.uniform(0, 100_000), digits)
            values[cell.key] = int(amount) if digits == 0 else amount
    values.update(balanced_t3(rng, form))
    for block in ("review", "suit_direct", "suit_after_review"):
        for part in ("upheld", "corrected", "other", "pending"):
            values[f"t4.{block}.{part}"] = rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 400)])
    if edition == "2019":
        values["t2.procurement.amount_unit"] = rng.choice(["万元", "元"])
    org = rng.choice(ORGS)
    values.update(
        {
            "info.org_name": org,
            "info.address": f"某某县人民路{rng.randint(1, 300)}号",
            "info.postcode": f"{rng.randint(100000, 899999)}",
            "info.phone": f"0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}",
            "info.email": f"gk{rng.randint(1, 99)}@example.gov.cn",
            "info.download_url": "http://www.example.gov.cn/zfxxgk",
        }
    )
    new = sum(values[f"t3.new_received.{c.key}"] for c in form.grids("t3")[0].columns if not c.sum_of)
    forward = sum(values[f"t3.carried_forward.{c.key}"] for c in form.grids("t3")[0].columns if not c.sum_of)
    carried = sum(values[f"t3.carried_in.{c.key}"] for c in form.grids("t3")[0].columns if not c.sum_of)
    for key, text in NARRATIVE.items():
        values[key] = text.format(year=year, new=new, done=new + carried - forward, forward=forward)
    values["s5.last_year_fixes"] = "针对上年度报告提出的问题，已逐项整改到位。"
    values["s6.other"] = f"{year}年，认真落实上级政务公开工作要点，各项任务按期完成。"
    return values


def table_keys(form) -> list[str]:
    """The numeric inputs of the tables a report prints as tables (表二, 表三, 表四; not 六's fee figures)."""
    return [c.key for c in form.inputs if c.is_numeric and c.table and form.grids(c.table)]


def write_filled(path: Path, edition: str, year: int, values: dict[str, object]) -> Path:
    path.write_bytes(build_template(year, load_form(edition), values=values))
    return path


def report_bytes(workbook: Path, suffix: str) -> bytes:
    return reports(workbook, (suffix,))[suffix]


def reports(workbook: Path, suffixes) -> dict[str, bytes]:
    """Our own report of a filled workbook, in each format asked for (one audit, one report model)."""
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    report = build_report(audit(workbook))
    return {suffix: render(report, suffix) for suffix in suffixes}


# -- a Word "save as web page" export ------------------------------------------------------------

WORD_CELL_STYLE = (
    "width:{w}pt;border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt;"
    "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:{h}pt;mso-pattern:auto;"
    "mso-yfti-irow:{r};background:white"
)
WORD_SPAN_STYLE = (
    "font-size:10.5pt;font-family:仿宋_GB2312;mso-ascii-font-family:&quot;Times New Roman&quot;;"
    "mso-hansi-font-family:&quot;Times New Roman&quot;;color:black;mso-font-kerning:0pt;mso-bidi-font-size:11.0pt"
)


def _word_cell(text: str, rng: random.Random, *, rowspan: int = 1, colspan: int = 1, split: bool = True) -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f" rowspan={rowspan}"
    if colspan > 1:
        attrs += f" colspan={colspan}"
    style = WORD_CELL_STYLE.format(w=rng.randint(30, 90), h=rng.randint(14, 40), r=rng.randint(0, 40))
    if text == "":
        body = "<span lang=EN-US>&nbsp;<o:p></o:p></span>"
    elif split and re.fullmatch(r"\d{2,}", text) and rng.random() < 0.7:
        cut = rng.randint(1, len(text) - 1)  # Word splits a number over two runs (a spelling mark, an edit)
        body = (
            f"<span lang=EN-US style='{WORD_SPAN_STYLE}'>{text[:cut]}</span>"
            f"<span lang=EN-US style='{WORD_SPAN_STYLE}'>{text[cut:]}<o:p></o:p></span>"
        )
    else:
        body = f"<span style='{WORD_SPAN_STYLE}'>{html.escape(text)}<o:p></o:p></span>"
    return (
        f"<td{attrs} width={rng.randint(40, 120)} valign=top style='{style}'>\n"
        f"<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>{body}</p>\n</td>"
    )


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def word_html(
    edition: str,
    year: int,
    values: dict[str, object],
    rng: random.Random,
    *,
    printed: dict[str, object] | None = None,
    repeat_header: bool = True,
    cells: dict[str, str] | None = None,
) -> str:
    """A report as Word exports it to a web page: tables with merged cells, styled runs, blank cells as &nbsp;.

    ``printed`` overrides the printed totals (key -> figure), to plant a total that contradicts its cells;
    ``cells`` overrides what a cell shows (key -> text, e.g. "-" or "251000元").
    """
    from xlrep.workbook.engine import all_values

    form = load_form(edition)
    full = all_values(form, {k: v for k, v in values.items() if isinstance(v, (int, float))})
    shown = {k: _fmt(v) for k, v in full.items() if k in form.cells and form.cells[k].is_numeric}
    shown.update({k: _fmt(v) for k, v in (printed or {}).items()})
    shown.update(cells or {})
    org = values["info.org_name"]
    out = [
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">',
        '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">',
        '<meta name=Generator content="Microsoft Word 15 (filtered)">',
        f"<title>{org}{year}年政府信息公开工作年度报告</title>",
        "<style><!-- /* Font Definitions */ @font-face {font-family:宋体;} p.MsoNormal {margin:0cm;} --></style>",
        "<![if !supportMisalignedColumns]><![endif]></head><body lang=ZH-CN style='tab-interval:21.0pt'>",
        "<div class=WordSection1>",
        f"<p class=MsoNormal align=center><b><span style='font-size:22.0pt'>{org}</span></b></p>",
        "<p class=MsoNormal align=center><b><span style='font-size:22.0pt'>"
        f"{year}年政府信息公开工作年度报告</span></b></p>",
        f"<p class=MsoNormal>本报告由{org}根据《中华人民共和国政府信息公开条例》编制。"
        f"报告所列统计期限自{year}年1月1日至{year}年12月31日。</p>",
    ]
    for sheet in form.sheets:
        if not sheet.section:
            continue
        out.append(f"<p class=MsoNormal><b><span style='font-family:黑体'>{sheet.title}</span></b></p>")
        if sheet.section == "一":
            for key in ("s1.proactive", "s1.on_request", "s1.management", "s1.platforms", "s1.oversight"):
                out.append(f"<p class=MsoNormal><span style='font-family:楷体'>{form.cells[key].label}</span></p>")
                out.append(f"<p class=MsoNormal style='text-indent:32.0pt'>{html.escape(str(values[key]))}</p>")
        elif sheet.section == "二":
            for grid in form.grids("t2"):
                out.append(_word_t2(grid, shown, rng))
        elif sheet.section == "三":
            out.append(_word_t3(form.grids("t3")[0], shown, rng, repeat_header))
        elif sheet.section == "四":
            out.append(_word_t4(form.grids("t4")[0], shown, rng))
        elif sheet.section == "五":
            for key, label in (("s5.problems", "（一）存在的主要问题"), ("s5.measures", "（二）改进措施")):
                out.append(f"<p class=MsoNormal>{label}</p><p class=MsoNormal>{html.escape(str(values[key]))}</p>")
        elif sheet.section == "六":
            out.append(f"<p class=MsoNormal>{html.escape(str(values.get('s6.other', '无。')))}</p>")
    out.append(f"<p class=MsoNormal align=right>{org}</p><p class=MsoNormal align=right>{year + 1}年1月20日</p>")
    out.append("</div></body></html>")
    return "\n".join(out)


def _table_open(rng) -> str:
    return (
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
        f"style='border-collapse:collapse;mso-table-layout-alt:fixed;mso-yfti-tbllook:{rng.randint(1, 1184)}'>"
    )


def _word_t2(grid, shown, rng) -> str:
    rows = [f"<tr>{_word_cell(grid.caption, rng, colspan=len(grid.columns) + 1)}</tr>"]
    rows.append(
        "<tr>" + _word_cell(grid.corner, rng) + "".join(_word_cell(c.label, rng) for c in grid.columns) + "</tr>"
    )
    for row in grid.rows:
        cells = "".join(_word_cell(shown.get(grid.cell_key(row, c), ""), rng) for c in grid.columns)
        rows.append(f"<tr>{_word_cell(row.label, rng)}{cells}</tr>")
    return _table_open(rng) + "\n".join(rows) + "</table>"


def _word_t3(grid, shown, rng, repeat_header: bool) -> str:
    header = [
        "<tr>"
        + _word_cell(grid.corner, rng, rowspan=3, colspan=3)
        + _word_cell("申请人情况", rng, colspan=7)
        + "</tr>",
        "<tr>"
        + _word_cell("自然人", rng, rowspan=2)
        + _word_cell("法人或其他组织", rng, colspan=5)
        + _word_cell("总计", rng, rowspan=2)
        + "</tr>",
        "<tr>" + "".join(_word_cell(c.label, rng) for c in grid.columns[1:6]) + "</tr>",
    ]
    body = []
    spans: dict[str, int] = {}
    for row in grid.rows:
        for group in row.group:
            spans[group] = spans.get(group, 0) + 1
    done: set[str] = set()
    for i, row in enumerate(grid.rows):
        label_cells = ""
        depth = len(row.group)
        for group in row.group:
            if group not in done:
                done.add(group)
                label_cells += _word_cell(group, rng, rowspan=spans[group], colspan=1)
        if not row.group:
            label_cells = _word_cell(row.label, rng, colspan=3)
        else:
            label_cells += _word_cell(row.label, rng, colspan=3 - depth)
        values = "".join(_word_cell(shown.get(grid.cell_key(row, c), ""), rng) for c in grid.columns)
        body.append(f"<tr>{label_cells}{values}</tr>")
        if repeat_header and i == 11:  # a page break: Word starts a new table and repeats the header rows
            body.append("</table>\n<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>\n" + _table_open(rng))
            body.extend(header)
    return _table_open(rng) + "\n".join(header + body) + "</table>"


def _word_t4(grid, shown, rng) -> str:
    rows = [
        "<tr>" + _word_cell("行政复议", rng, colspan=5) + _word_cell("行政诉讼", rng, colspan=10) + "</tr>",
        "<tr>"
        + "".join(_word_cell(c.label, rng, rowspan=2) for c in grid.columns[:5])
        + _word_cell("未经复议直接起诉", rng, colspan=5)
        + _word_cell("复议后起诉", rng, colspan=5)
        + "</tr>",
        "<tr>" + "".join(_word_cell(c.label, rng) for c in grid.columns[5:]) + "</tr>",
        "<tr>"
        + "".join(_word_cell(shown.get(grid.cell_key(grid.rows[0], c), ""), rng) for c in grid.columns)
        + "</tr>",
    ]
    return _table_open(rng) + "\n".join(rows) + "</table>"


# -- a crawler's text dump --------------------------------------------------------------------------

TAG = re.compile(r"<[^>]*>", re.S)
CELL_END = re.compile(r"</t[dh]\s*>", re.I)


def crawler_text(page: str, rng: random.Random, space: float = 0.2) -> str:
    """A page's text as a crawler stores it: no line breaks, table cells fused (a space between some of them)."""
    page = re.sub(r"<(script|style|head)\b.*?</\1\s*>", "", page, flags=re.S | re.I)
    page = CELL_END.sub(lambda m: "\x00", page)
    text = html.unescape(TAG.sub("", page)).replace("\xa0", "")
    text = re.sub(r"\s+", "", text)
    return "".join(" " if ch == "\x00" and rng.random() < space else "" if ch == "\x00" else ch for ch in text)
