"""A small, strict, fast reader of .xlsx/.xlsm parts: cells (formula and cached value), names, properties.

xlrep reads dozens of workbooks per second when a county office checks a folder,
so it does not build openpyxl's full object model: it streams just the parts it
needs through the C expat parser. It is also the safety boundary for odd files:

- **Only what the form needs is read.** ``Workbook(path, sheets=…, names=…)`` parses the
  listed sheets (and those the listed defined names point to); other sheets are listed
  in ``skipped_sheets`` and never inflated. Sheets and shared strings are inflated in 1 MB
  steps and parsed as they arrive (no DOM of a sheet, no joined part); a small package part
  (relationships, workbook, styles: ≤ 256 KB) is inflated whole, and a batch parses each
  distinct one once (see ``MEMO_PARTS``).
- **Every file has a budget** (the constant block below): the zip directory, the size of
  each part read and of all of them, the number of cells, shared strings, XML elements
  and the length of one text. Past any of them the file is refused with an
  ``XlsxError`` naming what tripped, before the work grows; so any accepted file is read
  in well under a second and a hundred MB, and ``check -j N`` needs N times that at most.
- **defusedxml's guarantees, on the fast parser.** Every part goes through an expat
  parser that refuses a DOCTYPE (anywhere, in any encoding), entity declarations and
  external references, and never reads parameter entities — what
  ``defusedxml`` enforces with ``forbid_dtd=True``. (defusedxml's ElementTree parser is the
  pure-Python one, about twice as slow on a sheet and without a way to stop after <sheetData>,
  so its guarantees are applied here on ``xml.parsers.expat`` directly;
  tests/test_xlsx_strict.py checks both refuse the same inputs and parse the same parts.)
- **Values are read strictly.** A number is read only in the xsd:double form every
  spreadsheet program writes; a shared-string index must exist; a boolean is 0/1. Anything
  else is not guessed: the cell gets data type ``"x"`` (value: the raw text) and an entry in
  ``anomalies``. Text is made valid Unicode here: OOXML ``_xHHHH_`` escapes are decoded and
  a lone surrogate (``_xD800_``) becomes U+FFFD, recorded as a ``"unicode"`` anomaly.
- Shared formulas (Excel and LibreOffice write them for filled-down formulas) are
  expanded to each cell's own formula, so formulas can be compared cell by cell.
"""

from __future__ import annotations

import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from posixpath import dirname, join, normpath
from xml.parsers import expat

from ..common.safetext import valid_unicode

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# -- budget ---------------------------------------------------------------------------------------
# Chosen from what a real filled template holds, with a wide margin. A filled 2021 template is ~35 KB
# on disk; the parts the reader reads are ~170 KB inflated, ~650 cells, ~270 shared strings and ~2,400
# XML elements; its largest part (表三) is 80 KB. A clerk's narrative is a few thousand characters, and
# Excel caps a cell at 32,767 characters: twelve narrative cells at that cap are ~1.2 MB of shared
# strings. A clerk may add a sheet of their own (a 台账 of requests): it is never read, but its strings
# share xl/sharedStrings.xml, hence the room there. Parsing costs ~4-8 µs of CPU per XML element, so the
# element budget bounds the time; tests/test_reader_budget.py audits files at each limit (and at all of
# them at once) in a subprocess and checks the time and peak memory.
MAX_MEMBERS = 10_000  # entries in the zip (a filled template has 20; zipfile holds an object per entry)
MAX_DIRECTORY_BYTES = 4 << 20  # the zip's central directory, which zipfile reads whole
MAX_PART_BYTES = 8 << 20  # one part read, inflated (100× the template's largest)
MAX_READ_BYTES = 16 << 20  # all parts read, inflated (~100× the template's)
MAX_CELLS = 50_000  # <c> elements in all the sheets read (~75× the template's)
MAX_SHARED_STRINGS = 50_000  # <si> entries (~180× the template's)
MAX_XML_ELEMENTS = 250_000  # elements in all parts read, which bounds the parsing time (~100× the template's)
# One text (a cell, a shared string, a name). Excel holds at most 32,767 characters in a cell; a longer text
# (only a crafted file has one) is read and reported by the VALUE-TOO-LONG rule, up to this bound on memory.
MAX_TEXT_CHARS = 2_000_000
CHUNK = 1 << 20  # bytes inflated and parsed at a time (expat rescans an unfinished token on each feed)

REFUSED = "不像正常的填报表（可能是损坏或恶意构造的文件），已停止读取。"
RESAVE = "请用 Excel 或 WPS 重新保存为 .xlsx。"


class XlsxError(Exception):
    """The file is not a workbook xlrep can read safely; ``message`` and ``advice`` are Chinese."""

    def __init__(self, message: str, advice: str = RESAVE):
        super().__init__(message)
        self.message = message
        self.advice = advice


@dataclass(frozen=True)
class Anomaly:
    """A cell whose stored content no spreadsheet program writes, or that had to be changed to be valid text.

    ``kind``: ``"number"`` (a ``<v>`` that is not an xsd:double, e.g. ``1_000``, ``١٢``, `` 12 ``),
    ``"shared-string"`` (an index that is not a number or points past the shared-string table),
    ``"boolean"`` (not 0/1/true/false), ``"date"`` (``t="d"`` that is not an ISO date),
    ``"type"`` (an unknown ``t=`` cell type) — for all these the cell's data type is ``"x"``
    and its value the raw text; ``"unicode"`` — the text held lone surrogates (``_xD800_``),
    replaced by U+FFFD: the value is the repaired text, data type ``"s"``.
    ``raw`` is what the file stores (for ``"unicode"``: the text with each lone surrogate written
    ``\\udXXX``); it is valid Unicode and at most 200 characters.
    """

    kind: str
    raw: str

    @property
    def message(self) -> str:
        """What is wrong, in Chinese (without the cell)."""
        shown = self.raw if len(self.raw) <= 40 else self.raw[:40] + "…"
        return {
            "number": f"存的“{shown}”不是 Excel 或 WPS 会保存的数字格式（文件可能被其他程序改写过），无法按数字读取",
            "shared-string": f"引用的文字（共享字符串第 {shown} 条）在文件中不存在，文件已损坏",
            "boolean": f"存的逻辑值“{shown}”格式不对，无法读取",
            "date": f"存的日期“{shown}”格式不对，无法读取",
            "type": f"单元格类型“{shown}”不是 Excel 的单元格类型，无法读取",
            "unicode": "文字里有无法显示的字符（不成对的 UTF-16 代理码），已替换为“\ufffd”",
        }[self.kind]


# Built-in number formats that display dates or times (ECMA-376 §18.8.30, with the CJK ids).
DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[dmyhs]|[年月日]", re.I)


def _is_date_format(code: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)  # quoted text, [colours]/[conditions], escapes
    return bool(_DATE_CODE.search(stripped)) and "General" not in stripped


# xsd:double's lexical form (ECMA-376 ST_Xstring numbers are written so by every program): ASCII
# digits only, no spaces, no "_" — Python's float() accepts all three and must not decide.
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL_DOUBLES = {"INF": math.inf, "+INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
_INDEX = re.compile(r"[0-9]{1,10}")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def parse_double(text: str) -> float | int | None:
    """The number a ``<v>`` holds, read as xsd:double (``None`` if it is not one). Integers come back as ``int``."""
    if text.isdigit() and text.isascii() and len(text) < 16:
        return int(text)
    if _DOUBLE.fullmatch(text):
        number = float(text)
        if number.is_integer() and abs(number) < 2**53 and "." not in text and "e" not in text and "E" not in text:
            return int(number)
        return number
    return _SPECIAL_DOUBLES.get(text)


# -- the hardened streaming parser ------------------------------------------------------------------


class _Forbidden(Exception):
    """A DOCTYPE, an entity declaration or an external reference: what defusedxml forbids."""


def _refuse(*_args) -> None:
    raise _Forbidden


def new_parser() -> expat.XMLParserType:
    """An expat parser with defusedxml's protections (``forbid_dtd``, ``forbid_entities``, ``forbid_external``).

    Element names arrive as ``namespace}local``. Handlers that raise stop the parse with their exception.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    return parser


class _Stop(Exception):
    """Raised by a handler once it has what it needs: the rest of the part is not parsed."""


def _q(tag: str, ns: str = NS_MAIN) -> str:
    """A qualified element or attribute name as the parser gives it (``namespace}local``)."""
    return f"{ns}}}{tag}"


C, V, F, IS, T, RPH, SI, ROW = map(_q, ("c", "v", "f", "is", "t", "rPh", "si", "row"))
SHEET_DATA, SHEET_PROTECTION, SHEET_CALC_PR = map(_q, ("sheetData", "sheetProtection", "sheetCalcPr"))
R_ID = _q("id", NS_REL)

# The small parts that describe a package (relationships, workbook, styles) are byte for byte the same in every
# workbook one program saved from one template: a batch parses each such part once per process and reuses what
# it found for the same bytes (the budget counts its elements each time, as if it had been parsed again). Only
# small parts are kept, and a few of them: MEMO_PARTS × MEMO_BYTES bounds the memory, MEMO_NODES the kept tree.
MEMO_PARTS = 16
MEMO_BYTES = 256 << 10
MEMO_NODES = 5_000


class _Node:
    """An element of a small part, as far as the reader looks into it (three levels): as ElementTree has it,
    ``text`` is the text before its first child (``None``: there is none)."""

    __slots__ = ("tag", "attrib", "texts", "children")

    def __init__(self, tag: str, attrib: dict[str, str]):
        self.tag, self.attrib = tag, attrib
        self.texts: list[str] = []
        self.children: list[_Node] = []

    @property
    def text(self) -> str | None:
        return "".join(self.texts) if self.texts else None

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def find(self, tag: str) -> _Node | None:
        """The first child named ``tag``."""
        return next((child for child in self.children if child.tag == tag), None)

    def __iter__(self):
        return iter(self.children)


class _ShallowReader:
    """expat handlers for a small part (relationships, workbook, styles, properties).

    Keeps its first three levels as ``_Node``s (all the reader looks at) and only counts the deeper
    elements. As before with a whole ElementTree, an element's text (before its first child) longer than
    ``MAX_TEXT_CHARS`` refuses the file when the element ends; a tail (text after an end tag) is not kept.
    """

    LEVELS = 3

    def __init__(self, book: Workbook, member: str):
        self.book, self.member = book, member
        self.root: _Node | None = None
        self.open: list[_Node] = []  # the open elements of the kept levels
        self.lengths: list[int] = []  # the text length of every open element
        self.tail = False  # the text arriving follows an end tag
        self.elements = self.kept = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        book = self.book
        book._elements += 1
        if book._elements > MAX_XML_ELEMENTS:
            raise book._too_complex(self.member)
        self.elements += 1
        self.tail = False
        if len(self.lengths) < self.LEVELS:
            node = _Node(name, attrs)
            self.kept += 1
            if self.open:
                self.open[-1].children.append(node)
            else:
                self.root = node
            self.open.append(node)
        self.lengths.append(0)

    def end(self, name: str) -> None:
        if self.lengths.pop() > MAX_TEXT_CHARS:
            raise self.book._text_too_long(f"文件中的{self.book._part(self.member)}")
        if len(self.lengths) < self.LEVELS:
            self.open.pop()
        self.tail = True

    def data(self, text: str) -> None:
        if self.tail or not self.lengths:  # a tail, or (never from expat) text outside the root
            return
        self.lengths[-1] += len(text)  # a text is at most one part, MAX_PART_BYTES: bounded
        if len(self.lengths) <= self.LEVELS:
            self.open[-1].texts.append(text)


_memo: dict[tuple[str, bytes], tuple[_Node | None, int]] = {}
# id(workbook part's root) -> (that root, its relationships' root, what they say): see ``_read_workbook``
_workbooks: dict[int, tuple[_Node, _Node | None, tuple]] = {}


def _rels_path(part: str) -> str:
    """The relationships part of ``part`` (``""``: the package's)."""
    return join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels") if part else "_rels/.rels"


def _relationships(part: str, root: _Node | None) -> dict[str, tuple[str, str]]:
    """Id → (relationship type, part path) of the relationships ``root`` of ``part``."""
    out = {}
    for rel in root if root is not None else []:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else normpath(join(dirname(part), target))
        out[rel.get("Id")] = (rel.get("Type", ""), path)
    return out


def _workbook_found(root: _Node, typed: dict[str, tuple[str, str]]) -> tuple:
    """What xl/workbook.xml and its relationships ``typed`` say (``Workbook._read_workbook`` unpacks it)."""
    rels = {rid: path for rid, (_, path) in typed.items()}
    shared_strings_part, styles_part = "xl/sharedStrings.xml", "xl/styles.xml"
    for kind, path in typed.values():
        if kind.endswith("/sharedStrings"):
            shared_strings_part = path
        elif kind.endswith("/styles"):
            styles_part = path
    pr = root.find(_q("workbookPr"))
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    sheetnames: list[str] = []
    sheet_states: dict[str, str] = {}
    sheet_paths: dict[str, str] = {}
    sheets = root.find(_q("sheets"))
    for sheet in sheets if sheets is not None else []:
        name = sheet.get("name", "")
        rid = sheet.get(R_ID)
        sheetnames.append(name)
        sheet_states[name] = sheet.get("state", "visible")
        if rid in rels:
            sheet_paths[name] = rels[rid]
    defined_names: dict[str, str] = {}
    names = root.find(_q("definedNames"))
    for dn in names if names is not None else []:
        if dn.get("localSheetId") is None:
            defined_names[dn.get("name", "")] = (dn.text or "").strip()
    protection = root.find(_q("workbookProtection"))
    structure_locked = protection is not None and protection.get("lockStructure") in ("1", "true")
    return (
        shared_strings_part,
        styles_part,
        date1904,
        sheetnames,
        sheet_states,
        sheet_paths,
        defined_names,
        structure_locked,
    )


class Workbook:
    """The parts of a workbook that xlrep reads.

    ``Workbook(path)`` reads every sheet; ``Workbook(path, sheets=S, names=N)`` reads the sheets
    named in ``S`` and those the workbook-level defined names in ``N`` point to (a sheet renamed in
    Excel or WPS keeps its names), and lists the others in ``skipped_sheets`` without inflating them.
    ``path`` may be a binary file object; ``archive``, its zip already opened by a caller that ran
    ``check_directory`` first (the reader, which looked inside to sniff it). Raises ``XlsxError`` when the
    file is damaged, hostile or over budget.

    Attributes: ``sheetnames``, ``sheet_states``, ``sheet_paths``, ``skipped_sheets``, ``defined_names``,
    ``structure_locked``, ``date1904``, ``shared_strings``, ``properties``, ``cells``
    (sheet → A1 → (value, data type, cached value)), ``protected``, ``anomalies``
    ((sheet, A1) → ``Anomaly``, see there).
    """

    def __init__(self, path, sheets=None, names=(), *, archive: zipfile.ZipFile | None = None):
        self._read_bytes = 0
        self._elements = 0
        self._cells = 0
        self._sheet_cells: dict[str, int] = {}
        self.anomalies: dict[tuple[str, str], Anomaly] = {}
        if archive is not None:  # opened by the caller after ``check_directory``; closed here
            self._open(None, sheets, names, archive)
            return
        try:
            handle = open(path, "rb") if not hasattr(path, "read") else None
        except OSError:
            handle = None  # zipfile will say what is wrong
        try:
            source = handle or path
            check_directory(source)
            self._open(source, sheets, names)
        finally:
            if handle is not None:
                handle.close()

    def _open(self, source, sheets, names, archive: zipfile.ZipFile | None = None) -> None:
        try:
            self._zip = archive if archive is not None else zipfile.ZipFile(source)
        except zipfile.BadZipFile:
            raise XlsxError("文件已损坏（压缩结构不完整，可能没有保存完或传输中断）。") from None
        try:
            if len(self._zip.infolist()) > MAX_MEMBERS:
                raise XlsxError(f"压缩包中的文件过多（超过 {MAX_MEMBERS:,} 个），{REFUSED}")
            # OPC part names are case-insensitive (some writers use "xl/Worksheets/Sheet1.xml"); a leading "/"
            # is the package root. Parts are found by their relationships, not by the names Excel gives them.
            self._members = {info.filename.lower().lstrip("/"): info for info in self._zip.infolist()}
            self._read_package()
            self._read_workbook()
            wanted = self._wanted(sheets, names)
            self.skipped_sheets = [name for name in self.sheetnames if name not in wanted]
            self._read_styles()
            self.properties = self._read_custom_properties()
            self.shared_strings: list[str] = []
            self._repaired_strings: dict[int, str] = {}
            self._read_shared_strings()
            self.cells: dict[str, dict[str, tuple[object, str, object]]] = {}
            self.protected: dict[str, bool] = {}
            for name, member in self.sheet_paths.items():
                if name in wanted:
                    self.cells[name], self.protected[name] = self._read_sheet(name, member)
        finally:
            self._zip.close()

    @property
    def usage(self) -> dict[str, int]:
        """How much of each budget this workbook used (compare with the ``MAX_*`` constants)."""
        return {
            "read_bytes": self._read_bytes,
            "xml_elements": self._elements,
            "cells": self._cells,
            "shared_strings": len(self.shared_strings),
        }

    def _wanted(self, sheets, names) -> set[str]:
        if sheets is None:
            return set(self.sheetnames)
        wanted = {s for s in sheets if s in self.sheet_paths}
        for name in names:
            target = self.name_destination(name)
            if target is not None:
                wanted.add(target[0])
        return wanted

    # -- safety -------------------------------------------------------------------
    def _info(self, member: str) -> zipfile.ZipInfo | None:
        """The zip entry of ``member`` (``None``: the file has no such part), counted against the size budgets."""
        info = self._members.get(member.lower().lstrip("/"))
        if info is None:
            return None
        if info.file_size > MAX_PART_BYTES:
            raise XlsxError(
                f"文件中的{self._part(member)}解压后过大（{_megabytes(info.file_size)} MB，"
                f"每一部分最多 {MAX_PART_BYTES >> 20} MB），{REFUSED}"
            )
        self._read_bytes += info.file_size
        if self._read_bytes > MAX_READ_BYTES:
            raise XlsxError(
                f"文件中需要读取的各部分解压后合计超过 {MAX_READ_BYTES >> 20} MB（填报表不到 1 MB），{REFUSED}"
            )
        return info

    def _stream(self, member: str, parser, info: zipfile.ZipInfo | None = None, data: bytes | None = None) -> bool:
        """Inflate ``member`` in bounded steps into ``parser`` (or parse ``data``, the part already inflated);
        ``False`` if the file has no such part."""
        if info is None and data is None:
            info = self._info(member)
            if info is None:
                return False
        try:
            if data is not None:
                parser.Parse(data, True)
            else:
                total = 0
                with self._zip.open(info) as handle:
                    while chunk := handle.read(CHUNK):
                        total += len(chunk)
                        if total > info.file_size:  # zipfile stops at the declared size; this is belt and braces
                            raise XlsxError(
                                f"文件中的{self._part(member)}解压后超出声明的大小，文件已损坏或是恶意构造的。"
                            )
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
        except _Stop:
            pass
        except expat.ExpatError:
            raise XlsxError(f"文件中的{self._part(member)}不是完整的 XML（文件可能被截断或损坏）。") from None
        except _Forbidden:
            raise XlsxError(
                f"文件中的{self._part(member)}含有 DOCTYPE/实体声明，正常的 Excel 文件不会有，"
                "已拒绝读取（可能是恶意构造的文件）。"
            ) from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError):
            raise self._damaged(member) from None
        return True

    def _inflate(self, member: str, info: zipfile.ZipInfo) -> bytes:
        """A small part, whole (``info`` is within the budget already); zipfile checks its CRC."""
        try:
            with self._zip.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError):
            raise self._damaged(member) from None
        if len(data) > info.file_size:
            raise XlsxError(f"文件中的{self._part(member)}解压后超出声明的大小，文件已损坏或是恶意构造的。")
        return data

    def _damaged(self, member: str) -> XlsxError:
        return XlsxError(f"文件中的{self._part(member)}已损坏，无法解压。")

    def _part(self, member: str) -> str:
        """A part as named in a message: “xl/worksheets/sheet3.xml”（工作表“一、总体情况”）."""
        sheet = next((name for name, path in getattr(self, "sheet_paths", {}).items() if path == member), None)
        return f"“{member}”（工作表“{sheet}”）" if sheet is not None else f"“{member}”"

    def _too_complex(self, member: str) -> XlsxError:
        return XlsxError(
            f"文件中的{self._part(member)}结构过于复杂（各部分合计超过 {MAX_XML_ELEMENTS:,} 个 XML 元素），" + REFUSED
        )

    def _text_too_long(self, where: str) -> XlsxError:
        return XlsxError(
            f"{where}的文字过长（超过 {MAX_TEXT_CHARS:,} 个字符，Excel 一个单元格最多只能容纳 32,767 个），{REFUSED}",
            "请把这段文字缩短后重新保存。",
        )

    def _too_many_cells(self, sheet: str, count: int) -> XlsxError:
        counts = {**self._sheet_cells, sheet: count}
        most = max(counts, key=counts.get)
        return XlsxError(
            f"单元格过多（超过 {MAX_CELLS:,} 个，其中工作表“{most}”有 {counts[most]:,} 个；"
            f"填报表只有几百个），{REFUSED}",
            "如果在表中粘贴或填充了大量数据，请删除后重新保存。",
        )

    def _xml(self, member: str, memo: bool = False) -> _Node | None:
        """A small part's first three levels, within the budget. With ``memo``, bytes parsed before in this
        process are not parsed again: what was found is reused, and its elements counted again."""
        info = self._info(member)
        if info is None:
            return None
        data = self._inflate(member, info) if memo and info.file_size <= MEMO_BYTES else None
        if data is not None and (member, data) in _memo:
            root, elements = _memo[(member, data)]
            self._elements += elements
            if self._elements > MAX_XML_ELEMENTS:
                raise self._too_complex(member)
            return root
        reader = _ShallowReader(self, member)
        parser = new_parser()
        parser.StartElementHandler, parser.EndElementHandler = reader.start, reader.end
        parser.CharacterDataHandler = reader.data
        self._stream(member, parser, info, data)
        if data is not None and reader.kept <= MEMO_NODES:
            if len(_memo) >= MEMO_PARTS:
                _memo.clear()  # full: start again (no iteration, so threads reading at once cannot trip it)
            _memo[(member, data)] = reader.root, reader.elements
        return reader.root

    # -- workbook -----------------------------------------------------------------
    def _read_package(self) -> None:
        """Where the workbook and the custom properties are: the package relationships (``_rels/.rels``)."""
        self._workbook_part, self._custom_part = "xl/workbook.xml", "docProps/custom.xml"
        for kind, path in self._typed_relationships("").values():
            if kind.endswith("/officeDocument"):
                self._workbook_part = path
            elif kind.endswith("/custom-properties"):
                self._custom_part = path

    def _read_workbook(self) -> None:
        root = self._xml(self._workbook_part, memo=True)
        if root is None:
            raise XlsxError("文件里没有工作簿内容（xl/workbook.xml），不是 Excel 工作簿。")
        rels_root = self._xml(_rels_path(self._workbook_part), memo=True)
        made = _workbooks.get(id(root))
        if made is not None and made[0] is root and made[1] is rels_root:  # parts parsed before: same findings
            found = made[2]
        else:
            found = _workbook_found(root, _relationships(self._workbook_part, rels_root))
            if len(root.children) + sum(len(child.children) for child in root.children) <= MEMO_NODES:
                if len(_workbooks) >= MEMO_PARTS:
                    _workbooks.clear()
                _workbooks[id(root)] = root, rels_root, found  # the nodes held: their ids are not reused
        (
            self._shared_strings_part,
            self._styles_part,
            self.date1904,
            sheetnames,
            sheet_states,
            sheet_paths,
            defined_names,
            self.structure_locked,
        ) = found
        # each workbook its own lists and dicts (the memo's are never handed out)
        self.sheetnames, self.sheet_states, self.sheet_paths = list(sheetnames), dict(sheet_states), dict(sheet_paths)
        self.defined_names = dict(defined_names)

    def _typed_relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id → (relationship type, part path) of ``part``'s relationships (``""``: the package's)."""
        return _relationships(part, self._xml(_rels_path(part), memo=True))

    def _read_styles(self) -> None:
        root = self._xml(self._styles_part, memo=True)
        self._dates: set[str] = set()  # the styles that show a date or time, as written in s="…"
        if root is None:
            return
        custom = {}
        fmts = root.find(_q("numFmts"))
        for fmt in fmts if fmts is not None else []:
            fid = fmt.get("numFmtId", "")
            if _INDEX.fullmatch(fid):
                custom[int(fid)] = fmt.get("formatCode", "")
        xfs = root.find(_q("cellXfs"))
        for i, xf in enumerate(xfs if xfs is not None else []):
            fid = xf.get("numFmtId", "0")
            fid = int(fid) if _INDEX.fullmatch(fid) else 0
            if fid in DATE_FORMAT_IDS or (fid in custom and _is_date_format(custom[fid])):
                self._dates.add(str(i))

    def _read_custom_properties(self) -> dict[str, str]:
        root = self._xml(self._custom_part)
        out = {}
        for prop in root if root is not None else []:
            value = next(iter(prop), None)
            out[prop.get("name", "")] = (value.text or "") if value is not None else ""
        return out

    # -- shared strings -------------------------------------------------------------
    def _read_shared_strings(self) -> None:  # noqa: C901 - the handlers, closures for speed
        """xl/sharedStrings.xml: each <si> is its <t> or its runs' <t> joined (not the phonetic runs, <rPh>)."""
        book, member = self, self._shared_strings_part
        out, repaired_strings = self.shared_strings, self._repaired_strings
        parts: list[str] = []
        length = phonetic = 0
        collecting = False

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal length, collecting, phonetic
            book._elements += 1
            if book._elements > MAX_XML_ELEMENTS:
                raise book._too_complex(member)
            if name == SI:
                parts.clear()
                length = 0
                if len(out) >= MAX_SHARED_STRINGS:
                    raise XlsxError(
                        f"文件中的文字条目过多（共享字符串超过 {MAX_SHARED_STRINGS:,} 条；填报表只有几百条），"
                        + REFUSED,
                        "如果在工作簿里添加了工作表或粘贴了大量数据，请删除后重新保存。",
                    )
            elif name == T:
                collecting = phonetic == 0
            elif name == RPH:
                phonetic += 1

        def end(name: str) -> None:
            nonlocal collecting, phonetic
            if name == T:
                collecting = False
            elif name == SI:
                text = parts[0] if len(parts) == 1 else "".join(parts)
                if "_x" in text:
                    text, repaired = _clean_text(text)
                    if repaired is not None:
                        repaired_strings[len(out)] = repaired
                out.append(text)
            elif name == RPH:
                phonetic -= 1

        def data(text: str) -> None:
            nonlocal length
            if collecting:
                parts.append(text)
                length += len(text)
                if length > MAX_TEXT_CHARS:
                    raise book._text_too_long(f"共享字符串第 {len(out)} 条")

        parser = new_parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        self._stream(member, parser)

    # -- sheets -------------------------------------------------------------------
    def _read_sheet(self, sheet: str, member: str) -> tuple[dict[str, tuple[object, str, object]], bool]:  # noqa: C901
        """One worksheet: the cells of <sheetData>, then whether <sheetProtection> protects it; then it stops.

        The handlers are closures over local state: they run for every element of every sheet read.
        """
        book = self
        cells: dict[str, tuple[object, str, object]] = {}
        shared: dict[str, tuple[str, str]] = {}  # si -> (master cell, formula)
        strings, repaired_strings, dates, anomalies = (
            self.shared_strings,
            self._repaired_strings,
            self._dates,
            self.anomalies,
        )
        n_strings = len(strings)
        element_room, cell_room = MAX_XML_ELEMENTS - self._elements, MAX_CELLS - self._cells
        elements = count = 0  # elements and cells of this sheet
        protected = after_data = False
        row = 0
        last: str | None = None  # the previous cell's reference
        ref: str | None = None  # the cell being read
        kind, style = "n", None
        f = v = None
        f_attrs: dict[str, str] = {}
        inline: list[str] | None = None
        text: list[str] | None = None  # the text being collected (<v>, <f>, inline <t>)
        length = phonetic = 0

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal elements, count, ref, last, kind, style, f, v, f_attrs, inline, text, length, phonetic
            elements += 1
            if elements > element_room:
                raise book._too_complex(member)
            if name == C:
                count += 1
                if count > cell_room:
                    raise book._too_many_cells(sheet, count)
                r = attrs.get("r")
                if r is not None and r.isascii() and r.isalnum() and r.isupper() and r[-1].isdigit():
                    ref = last = r  # the usual case: as Excel, WPS and LibreOffice write it
                else:
                    ref = last = _odd_ref(r, last, row)
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                f = v = inline = None
                f_attrs = {}
                phonetic = 0
            elif name == V:
                text, length = [], 0
            elif name == F:
                text, length = [], 0
                f_attrs = attrs
            elif name == T:
                if inline is not None and phonetic == 0:
                    text, length = [], 0
            elif name == IS:
                inline = []
            elif name == RPH:
                phonetic += 1
            else:
                other(name, attrs)

        def other(name: str, attrs: dict[str, str]) -> None:
            nonlocal row, protected
            if name == ROW:
                r = attrs.get("r")
                row = int(r) if r is not None and _INDEX.fullmatch(r) else row + 1
            elif after_data:
                if name == SHEET_PROTECTION:
                    protected = attrs.get("sheet") in ("1", "true")
                    raise _Stop
                if name != SHEET_CALC_PR:  # sheetProtection can only come next (CT_Worksheet's order)
                    raise _Stop

        def end(name: str) -> None:
            nonlocal v, f, text, phonetic, after_data
            if name == C:
                # a cell with no value and no formula (a styled empty cell) holds nothing
                if ref is not None and (v is not None or f is not None or kind == "inlineStr"):
                    cell()
            elif name == V:
                v, text = "".join(text), None
            elif name == F:
                f, text = "".join(text), None
            elif name == T:
                if text is not None and inline is not None:
                    inline.append("".join(text))
                    text = None
            elif name == RPH:
                phonetic -= 1
            elif name == SHEET_DATA:
                after_data = True

        def data(chunk: str) -> None:
            nonlocal length
            if text is not None:
                text.append(chunk)
                length += len(chunk)
                if length > MAX_TEXT_CHARS:
                    raise book._text_too_long(f"工作表“{sheet}”{ref or ''}单元格")

        def cell() -> None:
            data_type = "n"
            if kind == "inlineStr":
                cached, repaired = _clean_text("".join(inline or ()))
                if repaired is not None:
                    anomalies[(sheet, ref)] = Anomaly("unicode", repaired)
                data_type = "s"
            elif v is None or (not v and kind != "str" and kind != "s"):
                cached = None  # an empty <v/>: no value (but "" is no shared-string index)
            elif kind == "s" and v.isdigit() and v.isascii() and len(v) <= 10 and int(v) < n_strings:
                index = int(v)  # the usual text cell
                cached, data_type = strings[index], "s"
                if index in repaired_strings:
                    anomalies[(sheet, ref)] = Anomaly("unicode", repaired_strings[index])
            elif kind == "n" and style not in dates and v.isdigit() and v.isascii() and len(v) < 16:
                cached = int(v)  # the usual number cell
            else:
                cached, data_type = book._value(sheet, ref, kind, v, style)
            if f is not None:
                formula = f
                if f_attrs.get("t") == "shared":
                    si = f_attrs.get("si", "")
                    if formula:
                        shared[si] = (ref, formula)
                    elif si in shared:
                        formula = translate(shared[si][1], shared[si][0], ref)
                cells[ref] = ("=" + formula, "f", cached)
            elif cached is not None:
                cells[ref] = (cached, data_type, cached)

        parser = new_parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        try:
            self._stream(member, parser)
        finally:
            self._elements += elements
            self._cells += count
        self._sheet_cells[sheet] = count
        return cells, protected

    def _anomaly(self, sheet: str, ref: str, kind: str, raw: str) -> tuple[str, str]:
        raw = valid_unicode(raw)[:200]
        self.anomalies[(sheet, ref)] = Anomaly(kind, raw)
        return raw, "x"

    def _value(self, sheet: str, ref: str, kind: str, v: str | None, style: str | None) -> tuple[object, str]:
        """(value, data type) of a non-formula ``<v>``; ``(None, "n")`` for no value."""
        if v is None or (v == "" and kind not in ("str", "s")):  # an empty <v/>: no value (but "" is no index)
            return None, "n"
        if kind == "n":
            number = parse_double(v)
            if number is None:
                return self._anomaly(sheet, ref, "number", v)
            if style in self._dates:
                date = self._date(number)
                return date, "d" if isinstance(date, datetime) else "n"
            return number, "n"
        if kind == "s" or kind == "str":
            return self._string(sheet, ref, kind, v)
        if kind == "b":
            if v in ("0", "1", "true", "false"):
                return v in ("1", "true"), "b"
            return self._anomaly(sheet, ref, "boolean", v)
        if kind == "e":
            return valid_unicode(v), "e"
        if kind == "d":
            try:
                return datetime.fromisoformat(v.replace("Z", "")), "d"
            except ValueError:
                return self._anomaly(sheet, ref, "date", v)
        return self._anomaly(sheet, ref, "type", kind)

    def _string(self, sheet: str, ref: str, kind: str, v: str) -> tuple[object, str]:
        if kind == "str":  # a formula's text result, stored in the cell
            text, repaired = _clean_text(v)
        elif not _INDEX.fullmatch(v) or int(v) >= len(self.shared_strings):
            return self._anomaly(sheet, ref, "shared-string", v)
        else:
            text, repaired = self.shared_strings[int(v)], self._repaired_strings.get(int(v))
        if repaired is not None:
            self.anomalies[(sheet, ref)] = Anomaly("unicode", repaired)
        return text, "s"

    def _date(self, serial: float) -> object:
        base = datetime(1904, 1, 1) if self.date1904 else datetime(1899, 12, 30)
        try:
            return base + timedelta(milliseconds=round(serial * 86_400_000))  # Excel keeps milliseconds
        except (OverflowError, ValueError):
            return serial

    # -- access -------------------------------------------------------------------
    def value(self, sheet: str, a1: str) -> object:
        """What the cell holds: ``=FORMULA`` for formula cells, else the value."""
        return self.cells.get(sheet, {}).get(a1, (None, "n", None))[0]

    def data_type(self, sheet: str, a1: str) -> str:
        """``n`` number, ``s`` text, ``b`` boolean, ``e`` error, ``d`` date, ``f`` formula, ``x`` anomaly (raw text)."""
        return self.cells.get(sheet, {}).get(a1, (None, "n", None))[1]

    def cached_value(self, sheet: str, a1: str) -> object:
        """The result stored in the file (for a formula cell: as last computed by the program that saved it)."""
        return self.cells.get(sheet, {}).get(a1, (None, "n", None))[2]

    def name_destination(self, name: str) -> tuple[str, str] | None:
        """``(sheet, "D7")`` for a defined name that refers to one cell."""
        text = self.defined_names.get(name)
        return _destination(text) if text else None


def _odd_ref(ref: str | None, last: str | None, row: int) -> str | None:
    """A lower-case reference, or none (``r`` is optional: the cell follows the previous one in its row)."""
    if ref is not None:
        m = _CELL_REF.fullmatch(ref)
        return f"{m.group(1).upper()}{m.group(2)}" if m else None
    from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

    col = 0
    if last and _CELL_REF.fullmatch(last):
        last_row, last_col = xl_cell_to_rowcol(last)
        col = last_col + 1 if last_row + 1 == row else 0
    return xl_rowcol_to_cell(max(row, 1) - 1, col)


_destinations: dict[str, tuple[str, str] | None] = {}


def _destination(text: str) -> tuple[str, str] | None:
    """``(sheet, "D7")`` for a defined name's formula that refers to one cell.

    The same few hundred texts recur in every workbook of a batch: short ones are remembered (a bounded number).
    """
    if text in _destinations:
        return _destinations[text]
    m = _NAME_REF.fullmatch(text)
    found = None
    if m:
        found = (m.group(1) or "").replace("''", "'") or m.group(2), f"{m.group(3)}{m.group(4)}"
    if len(text) <= 255 and len(_destinations) < 4096:
        _destinations[text] = found
    return found


def _clean_text(text: str) -> tuple[str, str | None]:
    """Decode OOXML ``_xHHHH_`` escapes; make the text valid Unicode.

    Returns (text, raw) where ``raw`` is ``None`` unless a lone surrogate had to be replaced by
    U+FFFD; then it is the decoded text with each surrogate written ``\\udXXX`` (for the anomaly).
    """
    if "_x" not in text:
        return text, None
    text = _unescape(text)
    fixed = valid_unicode(text)
    if fixed is text or fixed.count("\ufffd") == text.count("\ufffd"):
        return fixed, None
    return fixed, text.encode("utf-8", "backslashreplace").decode("utf-8")[:200]


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f}" if size < 100 << 20 else f"{size >> 20:,}"


def check_directory(path) -> None:
    """Refuse, before zipfile reads it whole, a central directory that is too large or lists too many members."""
    try:
        handle = open(path, "rb") if not hasattr(path, "read") else None
    except OSError:
        return  # zipfile will say what is wrong
    source = handle or path
    try:
        position = source.tell() if handle is None else 0
        source.seek(0, 2)
        size = source.tell()
        tail_start = max(0, size - (22 + 65535))
        source.seek(tail_start)
        tail = source.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return
        entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
        if (entries == 0xFFFF or directory == 0xFFFFFFFF) and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
            (offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
            source.seek(offset)
            record = source.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                entries, directory = struct.unpack("<QQ", record[32:48])
        if entries > MAX_MEMBERS:
            raise XlsxError(f"压缩包中的文件过多（{entries:,} 个；填报表只有约 20 个），" + REFUSED)
        if directory > MAX_DIRECTORY_BYTES:
            raise XlsxError(f"压缩包的目录过大（{_megabytes(directory)} MB；填报表的不到 10 KB），" + REFUSED)
    finally:
        if handle is not None:
            handle.close()
        else:
            path.seek(position)


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Characters XML cannot hold (controls) are written ``_xHHHH_``; a literal ``_x`` is written ``_x005F_x``."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# Anchored and possessive: used with fullmatch, and never re-read from every position of a long name.
_NAME_REF = re.compile(r"^(?:'((?:[^']|'')++)'|([^'!]++))!\$?([A-Z]{1,3})\$?(\d+)")
_REF = re.compile(r"(\"[^\"]*\")|(?<![A-Za-z_\d.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")


# Excel's grid: a reference a shared formula moves past it is #REF!, as Excel shows it.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


def translate(formula: str, origin: str, target: str) -> str:
    """A shared formula written for ``origin``, as it reads in ``target`` (relative references move)."""
    from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

    (origin_row, origin_col), (target_row, target_col) = xl_cell_to_rowcol(origin), xl_cell_to_rowcol(target)
    dr, dc = target_row - origin_row, target_col - origin_col

    def shift(m: re.Match) -> str:
        if m.group(1):  # a string literal: untouched
            return m.group(1)
        col_abs, col, row_abs, row = m.group(2), m.group(3), m.group(4), m.group(5)
        new_col = xl_cell_to_rowcol(f"{col}1")[1] + (0 if col_abs else dc)
        new_row = int(row) + (0 if row_abs else dr)
        if not (0 <= new_col < MAX_COLUMNS and 1 <= new_row <= MAX_ROWS):
            return "#REF!"
        return f"{col_abs}{xl_col_to_name(new_col)}{row_abs}{new_row}"

    return _REF.sub(shift, formula)
