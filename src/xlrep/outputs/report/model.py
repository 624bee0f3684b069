"""The report model: one structure every format renders (text, HTML, Markdown, JSON, Word)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DRAFT = "草稿"


@dataclass(frozen=True)
class TableCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    vertical: bool = False  # a group label written top to bottom
    key: str | None = None  # form key of a value cell
    group: bool = False  # a group label (（三）不予公开 …), centred; row labels are left-aligned


@dataclass
class Table:
    table: str  # t2 / t3 / t4
    caption: str | None
    rows: int
    cols: int
    header_rows: int
    label_cols: int
    cells: list[TableCell]
    note: str | None = None

    def values(self) -> dict[str, str]:
        return {c.key: c.text for c in self.cells if c.key}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: 一、…  2: （一）…


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Heading | Paragraph | Table


@dataclass
class Report:
    title: str
    org: str
    year: int
    edition: str
    draft: bool
    preamble: list[str]
    blocks: list[Block]
    closing_date: str
    values: dict[str, object] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    source: str = ""

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


# Control characters (invalid in Word and XML, acting on terminals), C1 controls, bidi overrides, isolates
# and marks (they reorder what a reader sees), and the non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def clean_text(value: object) -> str:
    """Typed text as it can be published: valid Unicode, control and bidi characters removed, CRLF as LF."""
    from ...common.safetext import valid_unicode

    if value is None:
        return ""
    text = re.sub("\r\n|[\r\u2028\u2029]", "\n", valid_unicode(str(value)))
    return _CONTROL.sub("", text).strip()
