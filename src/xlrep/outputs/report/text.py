"""The report as plain text: tables aligned by display width, paragraphs wrapped with 禁则."""

from __future__ import annotations

import re

from ...common.terminal import display_width
from .model import DRAFT, Heading, Paragraph, Report, Table

TEXT_WIDTH = 72  # display columns for wrapped paragraphs


def _pad(text: str, width: int, align: str = "left") -> str:
    gap = max(0, width - display_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


NO_LINE_START = set("，。、；：？！）」』”’》〉】．,.;:?!)%")
NO_LINE_END = set("（「『“‘《〈【(")


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,@:/_%+\-]*|.", re.S)


def wrap(text: str, width: int) -> list[str]:
    """Wrap by display width: numbers and Latin words stay whole, Chinese punctuation keeps off the wrong end of a line (禁则)."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if display_width(token) > width:  # a very long word (a URL): break it anywhere
            tokens.extend(token)
        else:
            tokens.append(token)
    lines, line = [], ""
    for token in tokens:
        if line and display_width(line + token) > width and token[0] not in NO_LINE_START:
            carry = ""
            while line and line[-1] in NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            lines.append(line)
            line = carry
        line += token
    if line or not lines:
        lines.append(line)
    return lines


def table_as_text(table: Table) -> str:
    """An aligned grid (display-width aware) for a terminal or a plain-text box.

    The label columns fold into one, indented by level, with group labels
    (（三）不予公开 …) on a line of their own; header spans are centred over
    their columns.
    """
    return "\n".join(_TextTable(table).lines())


class _TextTable:
    def __init__(self, table: Table):
        self.table = table
        self.by_pos = {(c.row, c.col): c for c in table.cells}
        self.lc, self.nv = table.label_cols, table.cols - table.label_cols
        self.body = self._body()
        corner = self.by_pos.get((0, 0))
        self.corner = corner.text if self.lc and corner and table.header_rows == 1 else ""
        labels = [display_width(label) for label, _ in self.body] + [display_width(self.corner)]
        self.label_width = min(40, max(labels)) if self.lc else 0
        self.widths = self._widths()

    def _body(self) -> list[tuple[str, list[str] | None]]:
        """(label indented by level, values) per row; a group label on a line of its own (values None)."""
        body: list[tuple[str, list[str] | None]] = []
        for r in range(self.table.header_rows, self.table.rows):
            own = ""
            for c in range(self.lc):
                cell = self.by_pos.get((r, c))
                if cell is not None and c + cell.colspan < self.lc:  # a group label: its own line
                    body.append(("  " * c + cell.text, None))
                elif cell is not None:
                    own = "  " * c + cell.text
            cells = (self.by_pos.get((r, self.lc + j)) for j in range(self.nv))
            body.append((own, [cell.text if cell else "" for cell in cells]))
        return body

    def _widths(self) -> list[int]:
        widths = [4] * self.nv
        for _, values in self.body:
            for j, v in enumerate(values or []):
                widths[j] = max(widths[j], display_width(v))
        headers = [c for c in self.table.cells if c.row < self.table.header_rows and c.col >= self.lc]
        for cell in headers:
            if cell.colspan == 1:
                widths[cell.col - self.lc] = max(widths[cell.col - self.lc], display_width(cell.text))
        for cell in headers:  # a spanning header wider than its columns widens the last of them
            j, span = cell.col - self.lc, cell.colspan
            room = sum(widths[j : j + span]) + 3 * (span - 1)
            if display_width(cell.text) > room:
                widths[j + span - 1] += display_width(cell.text) - room
        return widths

    def line(self, label: str, cols: list[tuple[str, int, str]]) -> str:
        left = ("│ " + _pad(label, self.label_width) + " ") if self.lc else ""
        return left + "│ " + " │ ".join(_pad(t, w, a) for t, w, a in cols) + " │"

    def border(self, left_end: str, middle: str, right_end: str) -> str:
        left = (left_end + "─" * (self.label_width + 2)) if self.lc else ""
        return left + (middle if self.lc else left_end) + middle.join("─" * (w + 2) for w in self.widths) + right_end

    def header_line(self, r: int) -> str:
        cols, j = [], 0
        while j < self.nv:
            cell = self.by_pos.get((r, self.lc + j))
            span = cell.colspan if cell else 1  # no cell: covered by a label merged down from above
            cols.append((cell.text if cell else "", sum(self.widths[j : j + span]) + 3 * (span - 1), "center"))
            j += span
        return self.line(self.corner if r == 0 else "", cols)

    def lines(self) -> list[str]:
        table = self.table
        out = [table.caption] if table.caption else []
        out.append(self.border("┌", "┬", "┐"))
        out.extend(self.header_line(r) for r in range(table.header_rows))
        out.append(self.border("├", "┼", "┤"))
        for label, values in self.body:
            indent = " " * (len(label) - len(label.lstrip(" ")))
            room = self.label_width - len(indent)  # a label that fits stays whole; a longer one wraps, indented
            text = label.lstrip(" ")
            lines = ([text] if display_width(text) <= room else wrap(text, room - 2)) if self.lc else [""]
            row_values = values if values is not None else [""] * self.nv
            out.append(
                self.line(indent + lines[0], [(v, w, "right") for v, w in zip(row_values, self.widths, strict=True)])
            )
            out.extend(self.line(indent + "  " + extra, [("", w, "right") for w in self.widths]) for extra in lines[1:])
        out.append(self.border("└", "┴", "┘"))
        if table.note:
            out.append(f"注：{table.note.strip('（）')}")
        return out


def render_text(report: Report) -> str:
    out = []
    if report.draft:
        out.append(_pad(f"【{DRAFT}：报告中仍有错误，仅供核对，不得发布】", TEXT_WIDTH, "center").rstrip())
        out.append("")
    out.append(_pad(report.title, TEXT_WIDTH, "center").rstrip())
    out.append("")
    for p in report.preamble:
        out.extend(_indent_wrap(p))
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append("")
            out.append(block.text if block.level == 1 else "  " + block.text)
        elif isinstance(block, Paragraph):
            out.extend(_indent_wrap(block.text))
        else:
            out.append("")
            out.append(table_as_text(block))
    out.append("")
    out.append(_pad(report.org, TEXT_WIDTH, "right"))
    out.append(_pad(report.closing_date, TEXT_WIDTH, "right"))
    return "\n".join(out) + "\n"


def _indent_wrap(text: str) -> list[str]:
    return wrap("　　" + text, TEXT_WIDTH)
