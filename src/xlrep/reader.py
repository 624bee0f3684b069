"""Filled workbook (.xlsx/.xlsm) → values by form key + structural findings.

The reader trusts nothing it has not verified: it finds the template identity
(custom properties, else the very-hidden sheet, else the official labels), finds
every cell through its defined name, checks labels and formulas against the
layout, classifies every input value (blank, text, negative, …) and never takes a
cached formula result as truth. The input file is opened read-only and never
written.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from .files import XlrepError
from .findings import CellRef, Finding
from .form import EDITIONS, Cell, edition_for_year
from .layout import CHECKS_SHEET, LABEL_KINDS, META_SHEET, Layout, build_layout, cell_ref, live_items, quote_sheet
from .xlsx import Anomaly
from .xlsx import Workbook as Book

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SAVE_AS_XLSX = "请在 Excel 或 WPS 中打开它，选择“另存为”→“Excel 工作簿（*.xlsx）”，再用新文件重试。"


class UnreadableFile(XlrepError):
    """FILE-UNREADABLE: exit code 2."""

    def __init__(self, path: Path, message: str):
        super().__init__(message, exit_code=2)
        self.finding = Finding("FILE-UNREADABLE", message, [], {"file": str(path)})


@dataclass
class ReadResult:
    path: Path
    edition: str | None
    year: int | None
    template_version: str | None
    fingerprint: str | None
    identity_source: str  # "properties", "hidden sheet", "labels" or "none"
    layout: Layout | None = None
    raw: dict[str, object] = field(default_factory=dict)  # as stored in each input cell
    values: dict[str, object] = field(
        default_factory=dict
    )  # usable values: numbers, text, dates; None if unusable/blank
    shown: dict[str, object] = field(default_factory=dict)  # what total/check cells show (cached or typed)
    addresses: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (sheet, A1) where it was read
    blank: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    stale_cache: list[str] = field(default_factory=list)  # formula cells whose cached result disagrees
    typed_over: set[str] = field(default_factory=set)  # formula cells that now hold a constant
    renamed: dict[str, str] = field(default_factory=dict)  # template sheet name -> name in this workbook
    # Sheets whose numbers and texts could not be read where the template puts them (missing, or rows/columns
    # inserted so that the labels moved but the defined names did not): their values are unknown, not 0.
    unread_sheets: set[str] = field(default_factory=set)

    def ref(self, key: str) -> CellRef:
        form = self.layout.form
        if key in self.addresses:
            sheet, a1 = self.addresses[key]
        else:
            sheet, row, col = self.layout.addresses[key]
            a1 = cell_ref(row, col)
        label = form.cells[key].label if key in form.cells else ""
        return CellRef(sheet, a1, label)

    def trusted(self, findings: list[Finding]) -> list[Finding]:
        """Drop the findings that rest on a cell of an unread sheet (they would compare against an unknown as 0)."""
        return [f for f in findings if not any(c.sheet in self.unread_sheets for c in f.cells)]


def normalize_label(text: object) -> str:
    """Labels as published vary in width and spacing (format.md): compare them NFKC, without whitespace."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def normalize_formula(text: object) -> str:
    s = str(text or "").strip()
    s = s[1:] if s.startswith("=") else s
    s = s.replace("$", "").replace("'", "").replace(" ", "")
    s = re.sub(r"_xlfn\.", "", s)
    return s.upper()


# -- opening ----------------------------------------------------------------------


def _sniff(path: Path) -> None:
    """Refuse, with a useful Chinese message, what is not an .xlsx/.xlsm workbook."""
    if not path.exists():
        raise UnreadableFile(path, f"找不到文件“{path}”。")
    if path.is_dir():
        raise UnreadableFile(path, f"“{path}”是文件夹，不是工作簿文件。")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except PermissionError:
        raise UnreadableFile(path, f"没有权限读取“{path}”。") from None
    except OSError as exc:
        raise UnreadableFile(path, f"无法读取“{path}”：{exc.strerror or exc}。") from None
    suffix = path.suffix.lower()
    if not head:
        raise UnreadableFile(path, f"“{path.name}”是空文件（0 字节），可能保存时出错。请重新保存填报表。")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted(path):
            raise UnreadableFile(
                path,
                f"“{path.name}”设置了打开密码，无法读取。请在 Excel 或 WPS 中打开它，"
                "在“文件”→“信息”→“保护工作簿”（WPS：“文件”→“文档加密”）中删除密码后保存，再重试。",
            )
        kind = "WPS 表格（.et）" if suffix == ".et" else "旧版 Excel（.xls）"
        raise UnreadableFile(path, f"“{path.name}”是{kind}格式，不是 .xlsx。{SAVE_AS_XLSX}")
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                    raise UnreadableFile(path, f"“{path.name}”是 OpenDocument 表格（.ods），不是 .xlsx。{SAVE_AS_XLSX}")
                if "xl/workbook.xml" not in names:
                    raise UnreadableFile(path, f"“{path.name}”是压缩文件，但不是 Excel 工作簿。")
        except zipfile.BadZipFile:
            raise UnreadableFile(
                path, f"“{path.name}”已损坏（压缩结构不完整，可能没有保存完或传输中断）。请重新保存或重新发送。"
            ) from None
        return
    if suffix in (".csv", ".txt") or _looks_like_text(head):
        raise UnreadableFile(
            path, f"“{path.name}”是文本（如 .csv），不是 .xlsx 工作簿。请使用 xlrep 生成的填报表填写。"
        )
    raise UnreadableFile(path, f"“{path.name}”不是 Excel 工作簿（.xlsx），无法读取。")


def _looks_like_text(head: bytes) -> bool:
    # The head may end inside a multi-byte character (a CSV that opens with Chinese text): decode incrementally.
    # Excel's own CSV export on Chinese Windows is GBK, its "CSV UTF-8" export UTF-8.
    for encoding in ("utf-8", "gbk"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return all(b >= 0x20 or b in b"\t\n\r" for b in head)
    return False


def _is_encrypted(path: Path) -> bool:
    # An encrypted OOXML file is an OLE container holding an "EncryptedPackage" stream.
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as handle:
        return marker in handle.read(1 << 20)


def _load(path: Path):
    from .xlsx import Workbook, XlsxError

    sheets, names = form_parts()
    try:
        return Workbook(path, sheets=sheets, names=names)
    except XlsxError as exc:
        raise UnreadableFile(path, f"“{path.name}”无法读取：{exc.message}{exc.advice}") from None
    except Exception as exc:  # anything else a damaged file can provoke
        raise UnreadableFile(
            path,
            f"“{path.name}”已损坏或格式不对，无法读取（{type(exc).__name__}）。请用 Excel 或 WPS 重新保存为 .xlsx。",
        ) from None


@cache
def form_parts() -> tuple[frozenset[str], frozenset[str]]:
    """The sheets and defined names of every edition: all the reader parses (other sheets are never inflated)."""
    sheets, names = {META_SHEET}, set()
    for edition in EDITIONS:
        layout = build_layout(edition)
        sheets.update(sl.name for sl in layout.sheets)
        names.update(cell.defined_name for cell in layout.form.cells.values())
    return frozenset(sheets), frozenset(names)


# -- identity ---------------------------------------------------------------------


def _identity(book: Book) -> tuple[dict[str, str], str]:
    props = {k: str(v) for k, v in book.properties.items()}
    if "xlrep.edition" in props:
        return props, "properties"
    if META_SHEET in book.sheetnames:
        meta = {}
        for row in range(2, 40):
            key = book.value(META_SHEET, f"A{row}")
            if key:
                value = book.value(META_SHEET, f"B{row}")
                meta[str(key)] = "" if value is None else str(value)
        if "xlrep.edition" in meta:
            return meta, "hidden sheet"
    return {}, "none"


def _label_match(book: Book, layout: Layout) -> float:
    """Share of the layout's label cells found with the official text in this workbook."""
    labels = expected_labels(layout.form.edition)
    hits = 0
    for sheet, a1, _, text in labels:
        found = book.value(sheet, a1)
        if found == text or normalize_label(found) == normalize_label(text):
            hits += 1
    return hits / len(labels) if labels else 0.0


@cache
def expected_labels(edition: str) -> list[tuple[str, str, object, str]]:
    """(sheet, A1, item, text) of every label the layout writes (the 校验 sheet's excluded)."""
    layout = build_layout(edition)
    return [
        (sl.name, cell_ref(item.row, item.col), item, item.text)
        for sl in layout.sheets
        if sl.name != CHECKS_SHEET
        for item in sl.items
        if item.kind in LABEL_KINDS and item.text
    ]


# -- reading ----------------------------------------------------------------------


def read_workbook(path: str | Path) -> ReadResult:
    """Read a filled workbook. Raises ``UnreadableFile`` (exit 2) when it cannot be read at all."""
    path = Path(path)
    _sniff(path)
    book = _load(path)
    identity, source = _identity(book)
    declared = identity.get("xlrep.edition")
    matches = {declared: _label_match(book, build_layout(declared))} if declared in EDITIONS else {}
    if not matches or matches[declared] < 0.95:  # only then is the other edition worth trying
        matches.update({e: _label_match(book, build_layout(e)) for e in EDITIONS if e not in matches})
    by_labels = max(matches, key=matches.get)
    findings: list[Finding] = []

    edition = identity.get("xlrep.edition")
    if edition not in EDITIONS:
        if matches[by_labels] < 0.6:
            result = ReadResult(path, None, None, None, None, "none")
            result.findings.append(
                Finding(
                    "TEMPLATE-UNKNOWN",
                    f"“{path.name}”不是 xlrep 生成的填报表，也找不到官方表格的标签，无法校验。"
                    "请用 xlrep template 生成填报表，把数字和文字填进去后再试。",
                    values={"file": str(path)},
                )
            )
            return result
        edition, source = by_labels, "labels"
    elif matches[by_labels] >= 0.6 and matches[edition] < 0.6 and by_labels != edition:
        findings.append(
            Finding(
                "TEMPLATE-TAMPERED",
                f"文件标明是{edition}年版格式，但表格标签是{by_labels}年版的：文件被改动过。已按{by_labels}年版读取。",
                values={"declared": edition, "found": by_labels},
            )
        )
        edition = by_labels

    layout = build_layout(edition)
    year = _int_or_none(identity.get("xlrep.year"))
    result = ReadResult(
        path=path,
        edition=edition,
        year=year,
        template_version=identity.get("xlrep.template_version"),
        fingerprint=identity.get("xlrep.form_fingerprint"),
        identity_source=source,
        layout=layout,
        findings=findings,
    )
    _resolve_addresses(book, result)
    _check_sheets(book, result)
    _report_extra_sheets(book, result)
    _check_labels(book, result)
    _read_inputs(book, result)
    if result.year is None:
        result.year = _int_or_none(result.values.get("info.report_year"))
    _check_formulas(book, result)
    _check_identity(result)
    return result


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _resolve_addresses(book: Book, result: ReadResult) -> None:
    """Find each cell through its defined name; names that moved mean rows or columns were inserted/deleted."""
    layout = result.layout
    moved: dict[str, list[CellRef]] = {}
    for cell in layout.form.cells.values():
        sheet, row, col = layout.addresses[cell.key]
        expected = (sheet, cell_ref(row, col))
        found = book.name_destination(cell.defined_name)
        if found is None or found[0] not in book.sheetnames:
            result.addresses[cell.key] = expected
            continue
        result.addresses[cell.key] = found
        if found != expected:
            moved.setdefault((sheet, found[0]), []).append(CellRef(found[0], found[1], cell.label))
    for (template_sheet, sheet), refs in moved.items():
        if sheet != template_sheet:  # Excel and WPS carry the names along when a sheet is renamed
            result.renamed[template_sheet] = sheet
            result.findings.append(
                Finding(
                    "TEMPLATE-TAMPERED",
                    f"工作表“{template_sheet}”被改名为“{sheet}”。请改回原名；数字已按单元格名称从“{sheet}”读取。",
                    [CellRef(sheet, "A1", "")],
                    {"sheet": template_sheet, "renamed_to": sheet},
                )
            )
            continue
        result.findings.append(
            Finding(
                "TEMPLATE-TAMPERED",
                f"“{sheet}”中插入或删除了行列：{len(refs)} 个填报单元格不在模板规定的位置。"
                "请不要插入或删除行列；数字已按单元格名称读取，但请改用新的填报表重新填写。",
                refs,
                {"moved_cells": len(refs)},
            )
        )


def _check_sheets(book: Book, result: ReadResult) -> None:
    present = set(book.sheetnames)
    renamed = {s for key, (s, _, _) in result.layout.addresses.items() if result.addresses.get(key, (s,))[0] != s}
    for sl in result.layout.sheets:
        if sl.name not in present and sl.name not in renamed:  # a rename the names followed is reported with them
            result.unread_sheets.add(sl.name)
            result.findings.append(
                Finding(
                    "TEMPLATE-TAMPERED",
                    f"工作表“{sl.name}”不见了（被删除或改名）。请不要删除或重命名工作表，改回原名或使用新的填报表。",
                    [CellRef(sl.name, "A1", "")],
                    {"sheet": sl.name},
                )
            )
    ours = {s.name for s in result.layout.sheets}
    unprotected = [name for name in book.sheetnames if name in ours and not book.protected.get(name)]
    if unprotected:
        result.findings.append(
            Finding(
                "TEMPLATE-UNPROTECTED",
                "这些工作表的保护被取消了："
                + "、".join(unprotected)
                + "。保护只是防止误改公式；请确认没有改动灰色单元格。",
                [CellRef(name, "A1", "") for name in unprotected],
                {"sheets": unprotected},
            )
        )


def _check_labels(book: Book, result: ReadResult) -> None:
    layout = result.layout
    for sl in layout.sheets:
        sheet = result.renamed.get(sl.name, sl.name)  # a renamed sheet is checked under its new name
        if sheet not in book.sheetnames:
            continue
        changed: list[CellRef] = []
        shown: dict[str, str] = {}
        displaced = 0  # changed labels whose official text now stands in another cell of the sheet
        elsewhere: set[str] | None = None  # every text on the sheet, normalized
        for item in sl.items:
            if item.kind not in LABEL_KINDS or not item.text:
                continue
            a1 = cell_ref(item.row, item.col)
            value = book.value(sheet, a1)
            if normalize_label(value) != normalize_label(item.text):
                changed.append(CellRef(sheet, a1, item.text))
                shown[a1] = "" if value is None else str(value)
                if elsewhere is None:
                    texts = (book.value(sheet, a) for a in book.cells.get(sheet, {}))
                    elsewhere = {normalize_label(v) for v in texts if isinstance(v, str)}
                displaced += normalize_label(item.text) in elsewhere
        if not changed:
            continue
        names_followed = any(
            result.addresses.get(key) != (sheet, cell_ref(r, c))
            for key, (s, r, c) in layout.addresses.items()
            if s == sl.name and key in layout.form.cells
        )
        if len(changed) >= 3 and 2 * displaced >= len(changed) and not names_followed:
            # The table moved (rows or columns inserted or deleted) but its defined names did not, as when a
            # program that does not maintain names edited the file: every number read here would be wrong.
            result.unread_sheets.add(sheet)
            message = (
                f"“{sheet}”中插入或删除了行列：{len(changed)} 处表头或标签不在模板规定的位置，单元格名称却没有随之移动，"
                "这张表的数字无法可靠读取，未作校验。请不要插入或删除行列；请用新的填报表重新填写。"
            )
        else:
            message = (
                f"“{sheet}”中有 {len(changed)} 处表头或标签与模板不一致（被改写，或插入、删除了行列）。请不要改动标签。"
            )
        result.findings.append(Finding("TEMPLATE-TAMPERED", message, changed, {"found": shown}))


def _read_inputs(book: Book, result: ReadResult) -> None:
    form = result.layout.form
    for cell in form.cells.values():
        if cell.is_total:
            continue
        sheet, a1 = result.addresses[cell.key]
        if sheet not in book.sheetnames or sheet in result.unread_sheets:
            continue
        raw = book.value(sheet, a1)
        result.raw[cell.key] = raw
        anomaly = book.anomalies.get((sheet, a1))
        if anomaly is not None and _report_anomaly(cell, anomaly, result):
            result.values[cell.key] = None  # unusable: reported, neither a number nor a blank
            continue
        if cell.is_numeric:
            result.values[cell.key] = _numeric_value(
                cell, raw, book.data_type(sheet, a1), book.cached_value(sheet, a1), result
            )
        else:
            result.values[cell.key] = _text_value(cell, raw)


def _numeric_value(cell: Cell, raw: object, data_type: str, cached: object, result: ReadResult) -> float | int | None:
    ref = result.ref(cell.key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        result.blank.add(cell.key)
        return None
    if data_type == "e":
        result.findings.append(
            Finding(
                "VALUE-INVALID",
                f"{ref.label}：单元格是错误值 {raw}，不是数字。请填写数字，没有请填 0。",
                [ref],
                {"raw": str(raw)},
            )
        )
        return None
    if isinstance(raw, str) and raw.startswith("="):
        if cached is None or cached == "" or isinstance(cached, str) and cached.startswith("#"):  # "": no result stored
            result.findings.append(
                Finding(
                    "VALUE-FORMULA",
                    f"{ref.label}：填写区里是公式 {raw}，且文件中没有它的计算结果。请直接填数字。",
                    [ref],
                    {"formula": raw},
                    severity="error",
                )
            )
            return None
        result.findings.append(
            Finding(
                "VALUE-FORMULA",
                f"{ref.label}：填写区里是公式 {raw}，已按其结果 {cached} 读取。请直接填数字。",
                [ref],
                {"formula": raw, "cached": cached if not isinstance(cached, (datetime, date)) else str(cached)},
            )
        )
        raw = cached
    if isinstance(raw, bool):
        result.findings.append(
            Finding(
                "VALUE-INVALID",
                f"{ref.label}：单元格是逻辑值 {'TRUE' if raw else 'FALSE'}，不是数字。",
                [ref],
                {"raw": raw},
            )
        )
        return None
    if isinstance(raw, (datetime, date, time, timedelta)):
        result.findings.append(
            Finding(
                "VALUE-INVALID",
                f"{ref.label}：单元格是日期或时间（{raw}），不是数字。可能输入时被自动转换成了日期；请把单元格改回数字后重填。",
                [ref],
                {"raw": str(raw)},
            )
        )
        return None
    if isinstance(raw, str):
        result.findings.append(_text_number_finding(cell, ref, raw))
        return None
    if not isinstance(raw, (int, float)) or math.isnan(raw) or math.isinf(raw):
        result.findings.append(
            Finding("VALUE-INVALID", f"{ref.label}：单元格内容不是有效数字。", [ref], {"raw": str(raw)})
        )
        return None
    limit = MAX_AMOUNT if cell.kind == "amount" else MAX_COUNT
    if abs(raw) > limit or 0 < abs(raw) < MIN_MAGNITUDE:
        result.findings.append(_magnitude_finding(ref, raw, limit))
        return None
    value: float | int = int(raw) if float(raw).is_integer() and abs(raw) < 2**53 else raw
    if value < 0 and cell.kind != "signed":
        result.findings.append(
            Finding("VALUE-NEGATIVE", f"{ref.label}：{value} 是负数，件数和金额不能为负。", [ref], {"value": value})
        )
    if cell.kind in ("count", "signed") and not float(value).is_integer():
        result.findings.append(
            Finding("VALUE-FRACTION", f"{ref.label}：{value} 不是整数，件数只能填整数。", [ref], {"value": value})
        )
    return value


# -- what the xlsx reader could not read as stored (xlsx.Anomaly), and sheets it did not read --------


def _report_anomaly(cell: Cell, anomaly: Anomaly, result: ReadResult) -> bool:
    """A finding for an input cell the file stores in a form no spreadsheet program writes; True if unusable."""
    ref = result.ref(cell.key)
    if anomaly.kind == "unicode":  # the text is usable once the broken characters are replaced
        result.findings.append(
            Finding(
                "VALUE-UNICODE",
                f"{ref.label}：{anomaly.message}。请在 Excel 或 WPS 中检查这段文字，删去乱码后保存。",
                [ref],
                {"raw": anomaly.raw},
            )
        )
        return False
    what = "数字" if cell.is_numeric else "内容"
    result.findings.append(
        Finding(
            "VALUE-INVALID",
            f"{ref.label}：单元格{anomaly.message}。请在 Excel 或 WPS 中重新输入这个{what}后保存。",
            [ref],
            {"raw": anomaly.raw, "anomaly": anomaly.kind},
        )
    )
    return True


def _report_extra_sheets(book: Book, result: ReadResult) -> None:
    """Sheets the template does not have (a clerk's own notes or data): never read, so say so.

    Not when a template sheet is missing: the unknown sheet is then most likely that one renamed, already reported.
    """
    from .layout import INSTRUCTIONS_SHEET
    from .safetext import one_line

    ours = {sl.name for sl in result.layout.sheets}
    known = ours | {META_SHEET, INSTRUCTIONS_SHEET} | set(result.renamed.values())
    extra = [name for name in book.sheetnames if name not in known]
    missing = ours - set(book.sheetnames) - set(result.renamed)
    if extra and not missing:
        result.findings.append(
            Finding(
                "TEMPLATE-EXTRA-SHEET",
                "工作簿里有模板以外的工作表："
                + "、".join(f"“{one_line(name)}”" for name in extra)
                + "。xlrep 不读取这些表，其中的内容不会进入校验和报告；如不需要，请删除。",
                values={"sheets": extra},
            )
        )


MIN_MAGNITUDE = 1e-9  # smaller non-zero numbers are no count or amount (a fen in 万元 is 1e-6)


def _magnitude_finding(ref: CellRef, raw: float | int, limit: float) -> Finding:
    """A number too large, or non-zero and too small (float noise, a crafted 1e-320), to be a count or an amount."""
    if abs(raw) > limit:
        return Finding(
            "VALUE-INVALID",
            f"{ref.label}：{raw:g} 大得不合常理（超过 {limit:,.0f}），可能是误输入或粘贴错了。请填写实际数字。",
            [ref],
            {"raw": raw, "limit": limit},
        )
    return Finding(
        "VALUE-INVALID",
        f"{ref.label}：{raw:g} 小得不合常理（不是 0，却小于 {MIN_MAGNITUDE:g}），可能是公式计算留下的误差或误输入。"
        "请填写实际数字，没有请填 0。",
        [ref],
        {"raw": raw, "limit": MIN_MAGNITUDE},
    )


_UNITS = "件个条项次起元万元份"
MAX_COUNT = 999_999_999  # the template's validation limit for counts
MAX_AMOUNT = 1e12


def _text_number_finding(cell: Cell, ref: CellRef, raw: str) -> Finding:
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    cleaned = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace("，", "")
    cleaned = cleaned.rstrip(_UNITS).strip()
    advice = ""
    try:
        number = float(cleaned)
        if number.is_integer():
            number = int(number)
        advice = f"请改为数字 {number}（直接输入阿拉伯数字，不带单位或逗号）。"
    except ValueError:
        if cleaned in ("无", "-", "—", "/", "／", "没有", "0件", "零"):
            advice = "没有请填数字 0。"
        else:
            advice = "请填写阿拉伯数字，没有请填 0。"
    return Finding(
        "VALUE-TEXT",
        f"{ref.label}：“{shown}”是文字，不是数字，表格的总计会忽略它，报告与表格就会对不上。{advice}",
        [ref],
        {"raw": raw},
    )


def _text_value(cell: Cell, raw: object) -> object:
    if raw is None:
        return None
    if cell.kind == "date":
        if isinstance(raw, datetime):
            return raw.date()
        return raw if isinstance(raw, date) else str(raw).strip() or None
    if cell.kind == "year":
        return _int_or_none(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text or None


def _check_formulas(book: Book, result: ReadResult) -> None:
    """Totals and checks must still be the template's formulas; what they show is only a hint."""
    from .engine import compute_totals, live_states, overall_status

    layout = result.layout
    form = layout.form
    totals = compute_totals(form, result.values)
    states = live_states(form, result.values)
    truths = {**totals, **states, **{"live." + k: v for k, v in states.items()}, "status": overall_status(states)}
    expected = []
    for key, sheet, a1, formula in expected_formulas(form.edition):
        if key in result.addresses:  # totals are found through their names
            sheet, a1 = result.addresses[key]
        else:
            sheet = result.renamed.get(sheet, sheet)
        for old, new in result.renamed.items():  # references follow a renamed sheet in every program
            formula = formula.replace(quote_sheet(old), quote_sheet(new))
        expected.append((key, sheet, a1, truths[key], formula))

    for key, sheet, a1, truth, formula in expected:
        if sheet not in book.sheetnames or sheet in result.unread_sheets:
            continue
        raw = book.value(sheet, a1)
        label = form.cells[key].label if key in form.cells else _check_label(layout, key)
        ref = CellRef(sheet, a1, label)
        if key in form.cells:
            result.addresses.setdefault(key, (sheet, a1))
        if not (isinstance(raw, str) and raw.startswith("=")):
            result.shown[key] = raw
            result.typed_over.add(key)
            result.findings.append(
                Finding(
                    "TEMPLATE-TAMPERED",
                    f"{label}：这里本应是自动计算的公式，却被改成了固定内容“{'' if raw is None else raw}”。"
                    "灰色单元格不能填写；已按重新计算的结果校验。",
                    [ref],
                    {
                        "found": raw if not isinstance(raw, (datetime, date)) else str(raw),
                        "expected_formula": formula,
                        "computed": truth,
                    },
                )
            )
            continue
        if normalize_formula(raw) != normalize_formula(formula):
            result.findings.append(
                Finding(
                    "TEMPLATE-TAMPERED",
                    f"{label}：公式被改动（现为 {raw}，应为 {formula}）。已按重新计算的结果校验。",
                    [ref],
                    {"found": raw, "expected_formula": formula},
                )
            )
        cached = book.cached_value(sheet, a1)
        result.shown[key] = cached
        if cached is not None and not _same(cached, truth):
            result.stale_cache.append(key)


@cache
def expected_formulas(edition: str) -> list[tuple[str, str, str, str]]:
    """(key, sheet, A1, formula) of every formula the template writes."""
    from .template import check_formula, live_formula, status_formula, total_formula

    layout = build_layout(edition)
    form = layout.form
    out = []
    for cell in form.totals:
        sheet, row, col = layout.addresses[cell.key]
        out.append((cell.key, sheet, cell_ref(row, col), total_formula(layout, cell)))
    for check in form.checks:
        sheet, row, col = layout.addresses[check.id]
        out.append((check.id, sheet, cell_ref(row, col), check_formula(layout, check.id)))
    for item in live_items(form):
        sheet, row, col = layout.addresses["live." + item.id]
        out.append(("live." + item.id, sheet, cell_ref(row, col), live_formula(layout, item.id)))
    sheet, row, col = layout.status_cell
    out.append(("status", sheet, cell_ref(row, col), status_formula(layout)))
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return str(a) == str(b)


def _check_label(layout: Layout, key: str) -> str:
    if key == "status":
        return "总体状态"
    plain = key.removeprefix("live.")
    for check in layout.form.checks:
        if check.id == plain:
            return check.label
    for item in live_items(layout.form):
        if item.id == plain:
            return item.label
    return key


def _check_identity(result: ReadResult) -> None:
    from .template import TEMPLATE_VERSION

    form = result.layout.form
    if result.identity_source == "labels":
        pass
    elif result.template_version and result.template_version != TEMPLATE_VERSION:
        newer = _version_tuple(result.template_version) > _version_tuple(TEMPLATE_VERSION)
        result.findings.append(
            Finding(
                "TEMPLATE-VERSION",
                f"这份填报表由模板版本 {result.template_version} 生成，本程序写的是 {TEMPLATE_VERSION}。"
                + ("请升级 xlrep 后再校验。" if newer else "建议用 xlrep template 生成新的填报表，把内容复制过去。"),
                values={"found": result.template_version, "expected": TEMPLATE_VERSION},
            )
        )
    elif result.fingerprint and result.fingerprint != form.fingerprint:
        result.findings.append(
            Finding(
                "TEMPLATE-VERSION",
                "这份填报表的表样与本程序的表样不完全相同（表样指纹不同），请用 xlrep template 生成新的填报表。",
                values={"found": result.fingerprint, "expected": form.fingerprint},
            )
        )
    if result.year is not None and edition_for_year(result.year) != result.edition:
        right = edition_for_year(result.year)
        result.findings.append(
            Finding(
                "EDITION-YEAR",
                f"{result.year} 年度应使用 {right}年版格式，这份填报表是 {result.edition}年版。"
                f"请用 xlrep template {result.year} 生成正确格式的填报表。",
                [result.ref("info.report_year")],
                {"year": result.year, "edition": result.edition, "expected_edition": right},
            )
        )


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))
