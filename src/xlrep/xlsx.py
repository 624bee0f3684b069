"""A small, strict, fast reader of .xlsx/.xlsm parts: cells (formula and cached value), names, properties.

xlrep reads dozens of workbooks per second when a county office checks a folder,
so it does not build openpyxl's full object model: it parses just the parts it
needs with the C XML parser. It is also the safety boundary for odd files:

- sizes are checked before anything is inflated (zip bombs);
- any XML with a DOCTYPE is refused (entity-expansion bombs; OOXML never has one);
- shared formulas (Excel and LibreOffice write them for filled-down formulas) are
  expanded to each cell's own formula, so formulas can be compared cell by cell.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from datetime import datetime, timedelta
from posixpath import dirname, join, normpath
from xml.etree import ElementTree as ET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one part, inflated
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts, inflated
MAX_RATIO = 200  # inflated / compressed, for parts over 1 MB


class XlsxError(Exception):
    """The file is not a workbook xlrep can read safely; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _q(tag: str, ns: str = NS_MAIN) -> str:
    return f"{{{ns}}}{tag}"


# Built-in number formats that display dates or times (ECMA-376 §18.8.30, with the CJK ids).
DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[dmyhs]|[年月日]", re.I)


def _is_date_format(code: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)  # quoted text, [colours]/[conditions], escapes
    return bool(_DATE_CODE.search(stripped)) and "General" not in stripped


class Workbook:
    """The parts of a workbook that xlrep reads. Open with ``Workbook(path)``."""

    def __init__(self, path):
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise XlsxError("文件已损坏（压缩结构不完整，可能没有保存完或传输中断）。") from None
        try:
            self._check_sizes()
            self._names = set(self._zip.namelist())
            self._read_workbook()
            self.shared_strings = self._read_shared_strings()
            self._read_styles()
            self.properties = self._read_custom_properties()
            self.cells: dict[str, dict[str, tuple[object, str, object]]] = {}
            self.protected: dict[str, bool] = {}
            for name, member in self.sheet_paths.items():
                self.cells[name], self.protected[name] = self._read_sheet(member)
        finally:
            self._zip.close()

    # -- safety -------------------------------------------------------------------
    def _check_sizes(self) -> None:
        total = 0
        for info in self._zip.infolist():
            total += info.file_size
            ratio = info.file_size / max(1, info.compress_size)
            if (
                info.file_size > MAX_MEMBER_BYTES
                or total > MAX_TOTAL_BYTES
                or (info.file_size > 1 << 20 and ratio > MAX_RATIO)
            ):
                raise XlsxError(
                    f"文件中的“{info.filename}”解压后过大（{info.file_size // (1 << 20)} MB），"
                    "不像正常的填报表（可能是损坏或恶意构造的文件），已停止读取。"
                )

    def _raw(self, member: str) -> bytes | None:
        """A part, inflated in bounded steps: a part that inflates past its declared size is refused."""
        try:
            info = self._zip.getinfo(member)
        except KeyError:
            return None
        limit = min(info.file_size, MAX_MEMBER_BYTES)
        chunks, total = [], 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise XlsxError(f"文件中的“{member}”解压后超出声明的大小，文件已损坏或是恶意构造的。")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError):
            raise XlsxError(f"文件中的“{member}”已损坏，无法解压。") from None
        return b"".join(chunks)

    def _xml(self, member: str, data: bytes | None = None):
        if data is None:
            data = self._raw(member)
        if data is None:
            return None
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
            raise XlsxError(
                f"文件中的“{member}”含有 DOCTYPE/实体声明，正常的 Excel 文件不会有，已拒绝读取（可能是恶意构造的文件）。"
            )
        try:
            return ET.fromstring(data)
        except ET.ParseError:
            raise XlsxError(f"文件中的“{member}”不是完整的 XML（文件可能被截断或损坏）。") from None

    # -- workbook -----------------------------------------------------------------
    def _read_workbook(self) -> None:
        root = self._xml("xl/workbook.xml")
        if root is None:
            raise XlsxError("文件里没有工作簿内容（xl/workbook.xml），不是 Excel 工作簿。")
        rels = self._relationships("xl/workbook.xml")
        pr = root.find(_q("workbookPr"))
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.sheetnames: list[str] = []
        self.sheet_states: dict[str, str] = {}
        self.sheet_paths: dict[str, str] = {}
        sheets = root.find(_q("sheets"))
        for sheet in sheets if sheets is not None else []:
            name = sheet.get("name", "")
            rid = sheet.get(_q("id", NS_REL))
            self.sheetnames.append(name)
            self.sheet_states[name] = sheet.get("state", "visible")
            if rid in rels:
                self.sheet_paths[name] = rels[rid]
        self.defined_names: dict[str, str] = {}
        names = root.find(_q("definedNames"))
        for dn in names if names is not None else []:
            if dn.get("localSheetId") is None:
                self.defined_names[dn.get("name", "")] = (dn.text or "").strip()
        protection = root.find(_q("workbookProtection"))
        self.structure_locked = protection is not None and protection.get("lockStructure") in ("1", "true")

    def _relationships(self, part: str) -> dict[str, str]:
        rels_path = join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels")
        root = self._xml(rels_path)
        out = {}
        for rel in root if root is not None else []:
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else normpath(join(dirname(part), target))
            out[rel.get("Id")] = path
        return out

    def _read_shared_strings(self) -> list[str]:
        root = self._xml("xl/sharedStrings.xml")
        if root is None:
            return []
        out = []
        t_tag, r_tag = _q("t"), _q("r")
        for si in root:
            direct = si.find(t_tag)
            if direct is not None:
                text = direct.text or ""
            else:
                text = "".join((r.findtext(t_tag) or "") for r in si.iter(r_tag))
            out.append(_unescape(text) if "_x" in text else text)
        return out

    def _read_styles(self) -> None:
        root = self._xml("xl/styles.xml")
        self.date_styles: set[int] = set()
        if root is None:
            return
        custom = {}
        fmts = root.find(_q("numFmts"))
        for fmt in fmts if fmts is not None else []:
            custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        xfs = root.find(_q("cellXfs"))
        for i, xf in enumerate(xfs if xfs is not None else []):
            fid = int(xf.get("numFmtId", "0"))
            if fid in DATE_FORMAT_IDS or (fid in custom and _is_date_format(custom[fid])):
                self.date_styles.add(i)

    def _read_custom_properties(self) -> dict[str, str]:
        root = self._xml("docProps/custom.xml")
        out = {}
        for prop in root if root is not None else []:
            value = next(iter(prop), None)
            out[prop.get("name", "")] = (value.text or "") if value is not None else ""
        return out

    # -- sheets -------------------------------------------------------------------
    def _read_sheet(self, member: str) -> tuple[dict[str, tuple[object, str, object]], bool]:
        data = self._raw(member)
        if data is None:
            return {}, False
        # Only the cells and the protection flag are needed: the validations, formats and
        # comments after </sheetData> are the bulk of a template sheet, so they are not parsed.
        end = data.find(b"</sheetData>")
        tail = data[end:] if end >= 0 else b""
        if end >= 0:
            data = data[:end] + b"</sheetData></worksheet>"
        root = self._xml(member, data)
        if root is None:
            return {}, False
        cells: dict[str, tuple[object, str, object]] = {}
        shared: dict[str, tuple[str, str]] = {}  # si -> (master cell, formula)
        c_tag, f_tag, v_tag, is_tag, t_tag = _q("c"), _q("f"), _q("v"), _q("is"), _q("t")
        data = root.find(_q("sheetData"))
        for row in data if data is not None else []:
            for c in row:
                if c.tag != c_tag:
                    continue
                ref = c.get("r")
                if ref is None:
                    continue
                kind = c.get("t", "n")
                f = c.find(f_tag)
                v = c.findtext(v_tag)
                if kind == "inlineStr":
                    node = c.find(is_tag)
                    cached: object = (
                        _unescape("".join(t.text or "" for t in node.iter(t_tag))) if node is not None else ""
                    )
                else:
                    cached = self._value(kind, v, c.get("s"))
                if f is not None:
                    formula = f.text or ""
                    if f.get("t") == "shared":
                        si = f.get("si", "")
                        if formula:
                            shared[si] = (ref, formula)
                        elif si in shared:
                            formula = translate(shared[si][1], shared[si][0], ref)
                    if f.get("t") == "array" and not formula:
                        formula = ""
                    cells[ref] = ("=" + formula, "f", cached)
                elif cached is not None:
                    data_type = {"s": "s", "str": "s", "inlineStr": "s", "b": "b", "e": "e"}.get(kind, "n")
                    if isinstance(cached, datetime):
                        data_type = "d"
                    cells[ref] = (cached, data_type, cached)
        m = _SHEET_PROTECTION.search(tail)
        protected = bool(m) and _PROTECTED.search(m.group(1)) is not None
        return cells, protected

    def _value(self, kind: str, v: str | None, style: str | None) -> object:
        if v is None or (v == "" and kind not in ("str", "inlineStr")):
            return None
        if kind == "s":
            try:
                return self.shared_strings[int(v)]
            except (ValueError, IndexError):
                return None
        if kind in ("str", "inlineStr"):
            return v
        if kind == "b":
            return v.strip() in ("1", "true")
        if kind == "e":
            return v
        if kind == "d":
            try:
                return datetime.fromisoformat(v.replace("Z", ""))
            except ValueError:
                return v
        try:
            number: float | int = float(v)
        except ValueError:
            return v
        if style is not None and style.isdigit() and int(style) in self.date_styles:
            return self._date(number)
        if number.is_integer() and abs(number) < 2**53 and "." not in v and "e" not in v and "E" not in v:
            return int(number)
        return number

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
        """``n`` number, ``s`` text, ``b`` boolean, ``e`` error, ``d`` date, ``f`` formula."""
        return self.cells.get(sheet, {}).get(a1, (None, "n", None))[1]

    def cached_value(self, sheet: str, a1: str) -> object:
        """The result stored in the file (for a formula cell: as last computed by the program that saved it)."""
        return self.cells.get(sheet, {}).get(a1, (None, "n", None))[2]

    def name_destination(self, name: str) -> tuple[str, str] | None:
        """``(sheet, "D7")`` for a defined name that refers to one cell."""
        text = self.defined_names.get(name)
        if not text:
            return None
        m = _NAME_REF.fullmatch(text)
        if not m:
            return None
        sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
        return sheet, f"{m.group(3)}{m.group(4)}"


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold (control characters) as ``_xHHHH_``."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


_NAME_REF = re.compile(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)")
_SHEET_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*)>")
_PROTECTED = re.compile(rb'\bsheet="(1|true)"')
_REF = re.compile(r"(\"[^\"]*\")|(?<![A-Za-z_\d.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def translate(formula: str, origin: str, target: str) -> str:
    """A shared formula written for ``origin``, as it reads in ``target`` (relative references move)."""
    mo = re.match(r"([A-Z]+)(\d+)", origin)
    mt = re.match(r"([A-Z]+)(\d+)", target)
    if not mo or not mt:
        return formula
    dc = _col_number(mt.group(1)) - _col_number(mo.group(1))
    dr = int(mt.group(2)) - int(mo.group(2))

    def shift(m: re.Match) -> str:
        if m.group(1):  # a string literal: untouched
            return m.group(1)
        col_abs, col, row_abs, row = m.group(2), m.group(3), m.group(4), m.group(5)
        new_col = col if col_abs else _col_letters(_col_number(col) + dc)
        new_row = row if row_abs else str(int(row) + dr)
        return f"{col_abs}{new_col}{row_abs}{new_row}"

    return _REF.sub(shift, formula)
