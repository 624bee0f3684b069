"""The report as one standalone HTML page (no external resources), tables with real rowspan/colspan."""

from __future__ import annotations

import html

from .model import DRAFT, Heading, Paragraph, Report, Table

CSS = """
body{font-family:"FangSong","仿宋","仿宋_GB2312","STFangsong","Noto Serif CJK SC",serif;font-size:16pt;line-height:1.75;
max-width:46em;margin:2em auto;padding:0 1em;color:#000}
h1{font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun","宋体","Noto Serif CJK SC",serif;font-size:22pt;
text-align:center;font-weight:normal;margin:1em 0}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;margin:.8em 0 .2em;text-indent:2em}
h3{font-family:"KaiTi","楷体","楷体_GB2312","STKaiti",serif;font-size:16pt;font-weight:normal;margin:.4em 0 .1em;text-indent:2em}
p{text-indent:2em;margin:.2em 0}
table{border-collapse:collapse;margin:.6em auto;font-family:"SimSun","宋体","Noto Serif CJK SC",serif;font-size:10.5pt;line-height:1.4}
td,th{border:1px solid #000;padding:2px 6px;text-align:center;vertical-align:middle}
th{font-weight:normal}
td.num{text-align:center}
td.label{text-align:left}
.vertical{writing-mode:vertical-rl;letter-spacing:.2em}
caption{font-weight:bold;padding:.2em}
.closing{text-align:right;margin-top:2em}
.closing p{text-indent:0}
.draft{color:#c00;border:2px solid #c00;text-align:center;font-weight:bold;padding:.3em;text-indent:0}
.note{font-size:10.5pt;text-indent:0;text-align:center}
"""


def table_as_html(table: Table, marks: dict[str, str] | None = None) -> str:
    """A table with real spans; a cell whose key is in ``marks`` gets the class ``mark-<severity>`` (the site
    shows a version's findings on its tables)."""
    rows: list[list[str]] = [[] for _ in range(table.rows)]
    for cell in table.cells:
        attrs = ""
        if cell.rowspan > 1:
            attrs += f' rowspan="{cell.rowspan}"'
        if cell.colspan > 1:
            attrs += f' colspan="{cell.colspan}"'
        tag = "th" if cell.header else "td"
        classes = []
        if cell.key:
            classes.append("num")
            attrs += f' data-key="{cell.key}"'
            if marks and cell.key in marks:
                classes.append(f"mark-{marks[cell.key]}")
        elif cell.group:
            classes.append("group")
        elif not cell.header:
            classes.append("label")
        if cell.vertical:
            classes.append("vertical")
        if classes:
            attrs += f' class="{" ".join(classes)}"'
        rows[cell.row].append(f"<{tag}{attrs}>{html.escape(cell.text)}</{tag}>")
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table data-table="{table.table}">{caption}\n{body}\n</table>'


def html_body(report: Report, marks: dict[str, str] | None = None) -> str:
    """The report's body as HTML (everything escaped), for a page of the site; ``marks`` as for ``table_as_html``."""
    return _html_body(report, marks)


def _html_body(report: Report, marks: dict[str, str] | None = None) -> str:
    out = []
    if report.draft:
        out.append(f'<p class="draft">{DRAFT}：报告中仍有错误，仅供核对，不得发布</p>')
    out.append(f"<h1>{html.escape(report.title)}</h1>")
    out.extend(f"<p>{html.escape(p)}</p>" for p in report.preamble)
    for block in report.blocks:
        if isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            out.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{html.escape(block.text)}</p>")
        else:
            out.append(table_as_html(block, marks))
    out.append(f'<div class="closing"><p>{html.escape(report.org)}</p><p>{html.escape(report.closing_date)}</p></div>')
    return "\n".join(out)


def render_html(report: Report) -> str:
    title = (f"【{DRAFT}】" if report.draft else "") + report.title
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{_html_body(report)}\n</body>\n</html>\n"
    )
