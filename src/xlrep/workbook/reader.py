"""Filled workbook (.xlsx/.xlsm) → ``ReadResult``: identity, structure, every cell as stored.

The reader trusts nothing it has not verified: it finds the template identity
(custom properties, else the very-hidden sheet, else the official labels), finds
every cell through its defined name, compares labels and formulas with the
layout, and records every input as stored. It never takes a cached formula result
as truth, and it does not judge: the rules do (``rules.file``, ``rules.values``).
The input file is opened read-only and never written.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from ..common.errors import UnreadableFile
from ..common.findings import CellRef
from ..edition.cellvalue import BLANK, RawCell, interpret
from ..edition.form import Cell, Form, editions
from .formulas import PORTABLE_SINCE, FormulaCell, expected_formulas, version_tuple
from .layout import CHECKS_SHEET, LABEL_KINDS, META_SHEET, build_layout, cell_ref, quote_sheet
from .readresult import ChangedLabels, FoundFormula, ReadResult
from .xlsx import Workbook as Book

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SAVE_AS_XLSX = "请在 Excel 或 WPS 中打开它，选择“另存为”→“Excel 工作簿（*.xlsx）”，再用新文件重试。"
#: Share of the official labels a workbook must show to be read as an edition without its identity.
RECOGNISED = 0.6
#: Share above which the declared edition is taken without trying the others.
CERTAIN = 0.95
#: A workbook up to this size is read from disk in one go and parsed from memory (a filled one is ~40 KB).
IN_MEMORY_BYTES = 4 << 20


def normalize_label(text: object) -> str:
    """Labels as published vary in width and spacing (format.md): compare them NFKC, without whitespace."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


# -- opening ----------------------------------------------------------------------


def check_input(path: Path) -> None:
    """Refuse, before opening it, a path that is not a readable regular file (a FIFO would block forever)."""
    from ..common.files import check_regular_file

    check_regular_file(path, lambda message: UnreadableFile(path, message), "工作簿文件", "填报表文件")


def _reason(exc: Exception) -> str:
    from ..common.files import os_error_text

    return os_error_text(exc) if isinstance(exc, OSError) else "路径无效"


def _sniff(path: Path):
    """Refuse, with a useful Chinese message, what is not an .xlsx/.xlsm workbook; else the workbook opened
    (``Opened``). A workbook of usual size is read in one go and parsed from memory."""
    check_input(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            whole, size = None, os.fstat(handle.fileno()).st_size
            if head.startswith(ZIP_MAGIC) and size <= IN_MEMORY_BYTES:
                handle.seek(0)
                whole = handle.read(size + 1)  # one more byte: a file that grew since is read from its path
    except PermissionError:
        raise UnreadableFile(path, f"没有权限读取“{path}”。") from None
    except OSError as exc:
        raise UnreadableFile(path, f"无法读取“{path}”：{_reason(exc)}。") from None
    source = io.BytesIO(whole) if whole is not None and len(whole) == size else path
    return _sniff_content(head, path, source)


@dataclass
class Opened:
    """A workbook that passed the sniffing: where its bytes are and its zip, opened once (``Book`` closes it)."""

    source: object  # its path, or its bytes in a ``BytesIO``
    archive: zipfile.ZipFile


def _sniff_content(head: bytes, path: Path, source) -> Opened:
    """What the first bytes say (``source``: the file's path, or its bytes in a ``BytesIO``; ``path`` names it)."""
    suffix = path.suffix.lower()
    if not head:
        raise UnreadableFile(path, f"“{path.name}”是空文件（0 字节），可能保存时出错。请重新保存填报表。")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted(source):
            raise UnreadableFile(
                path,
                f"“{path.name}”设置了打开密码，无法读取。请在 Excel 或 WPS 中打开它，"
                "在“文件”→“信息”→“保护工作簿”（WPS：“文件”→“文档加密”）中删除密码后保存，再重试。",
            )
        kind = "WPS 表格（.et）" if suffix == ".et" else "旧版 Excel（.xls）"
        raise UnreadableFile(path, f"“{path.name}”是{kind}格式，不是 .xlsx。{SAVE_AS_XLSX}")
    if head.startswith(ZIP_MAGIC):
        return Opened(source, _sniff_zip(path, source))
    if suffix in (".csv", ".txt") or _looks_like_text(head):
        raise UnreadableFile(
            path, f"“{path.name}”是文本（如 .csv），不是 .xlsx 工作簿。请使用 xlrep 生成的填报表填写。"
        )
    raise UnreadableFile(path, f"“{path.name}”不是 Excel 工作簿（.xlsx），无法读取。")


def _sniff_zip(path: Path, source) -> zipfile.ZipFile:
    """The zip, opened once for the sniffing and the reading, after its directory passed ``check_directory``."""
    from .xlsx import XlsxError, check_directory

    try:
        check_directory(source)  # before zipfile reads the directory whole
    except XlsxError as exc:
        raise UnreadableFile(path, f"“{path.name}”无法读取：{exc.message}{exc.advice}") from None
    archive = None
    try:
        archive = zipfile.ZipFile(source)
        names = set(archive.namelist())
        if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
            raise UnreadableFile(path, f"“{path.name}”是 OpenDocument 表格（.ods），不是 .xlsx。{SAVE_AS_XLSX}")
        parts = {name.lower().lstrip("/") for name in names}  # part names are case-insensitive (OPC)
        if "xl/workbook.xml" not in parts and "_rels/.rels" not in parts:
            raise UnreadableFile(path, f"“{path.name}”是压缩文件，但不是 Excel 工作簿。")
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, ValueError, zlib.error):
        # a damaged directory, or a member the zip module cannot read (zip version 6.4, encrypted, bad deflate)
        if archive is not None:
            archive.close()
        raise UnreadableFile(
            path, f"“{path.name}”已损坏（压缩结构不完整，可能没有保存完或传输中断）。请重新保存或重新发送。"
        ) from None
    except BaseException:
        if archive is not None:
            archive.close()
        raise
    return archive


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


def _is_encrypted(source) -> bool:
    # An encrypted OOXML file is an OLE container holding an "EncryptedPackage" stream.
    marker = "EncryptedPackage".encode("utf-16-le")
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return marker in handle.read(1 << 20)
    source.seek(0)
    return marker in source.read(1 << 20)


def _load(opened: Opened, path: Path, forms: tuple[Form, ...]) -> Book:
    from .xlsx import XlsxError

    sheets, names = form_parts(forms)
    try:
        return Book(opened.source, sheets=sheets, names=names, archive=opened.archive)
    except XlsxError as exc:
        raise UnreadableFile(path, f"“{path.name}”无法读取：{exc.message}{exc.advice}") from None
    except Exception as exc:  # anything else a damaged file can provoke
        raise UnreadableFile(
            path,
            f"“{path.name}”已损坏或格式不对，无法读取（{type(exc).__name__}）。请用 Excel 或 WPS 重新保存为 .xlsx。",
        ) from None


@cache
def form_parts(forms: tuple[Form, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The sheets and defined names of the editions: all the reader parses (other sheets are never inflated)."""
    sheets, names = {META_SHEET}, set()
    for form in forms:
        sheets.update(sl.name for sl in build_layout(form).sheets)
        names.update(cell.defined_name for cell in form.cells.values())
    return frozenset(sheets), frozenset(names)


# -- identity ---------------------------------------------------------------------


def _identity(book: Book) -> tuple[dict[str, str], str]:
    props = {k: str(v) for k, v in book.properties.items()}
    if "xlrep.edition" in props:  # written with the template (and xlrep.merged_units on a 汇总)
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


def _label_match(book: Book, form: Form) -> float:
    """Share of the layout's label cells found with the official text in this workbook."""
    labels = expected_labels(form)
    hits = 0
    for sheet, a1, _, text in labels:
        found = book.value(sheet, a1)
        if found == text or normalize_label(found) == normalize_label(text):
            hits += 1
    return hits / len(labels) if labels else 0.0


@cache
def expected_labels(form: Form) -> list[tuple[str, str, object, str]]:
    """(sheet, A1, item, text) of every label the layout writes (the 校验 sheet's excluded)."""
    layout = build_layout(form)
    return [
        (sl.name, cell_ref(item.row, item.col), item, item.text)
        for sl in layout.sheets
        if sl.name != CHECKS_SHEET
        for item in sl.items
        if item.kind in LABEL_KINDS and item.text
    ]


def _choose_form(book: Book, identity: dict[str, str], known: tuple[Form, ...]) -> tuple[Form | None, str | None]:
    """The edition to read the workbook as, and the declared edition when the labels say otherwise."""
    by_id = {f.edition: f for f in known}
    declared = by_id.get(identity.get("xlrep.edition", ""))
    scores = {declared: _label_match(book, declared)} if declared else {}
    if not scores or scores[declared] < CERTAIN:  # only then are the other editions worth trying
        scores.update({f: _label_match(book, f) for f in known if f not in scores})
    best = max(scores, key=scores.get)
    if declared is None:
        return (best, None) if scores[best] >= RECOGNISED else (None, None)
    if scores[best] >= RECOGNISED and scores[declared] < RECOGNISED and best is not declared:
        return best, declared.edition  # the file says one edition, its labels are another's
    return declared, None


# -- reading ----------------------------------------------------------------------


def read_workbook(
    source: bytes | str | Path, forms: tuple[Form, ...] | None = None, *, name: str | None = None
) -> ReadResult:
    """Read a filled workbook: its path, or its bytes (an upload, a workbook made in memory: nothing is written
    to disk). Raises ``UnreadableFile`` when it cannot be read at all.

    ``forms`` are the editions to recognise (default: every edition xlrep knows); ``name`` is what messages and
    ``result.path`` call the workbook (default: its path, or 工作簿.xlsx for bytes).
    """
    from ..common.files import is_data, source_name

    path = source_name(source, name, "工作簿.xlsx")
    if is_data(source):
        data = io.BytesIO(bytes(source))
        opened = _sniff_content(data.getvalue()[:8], path, data)
    else:
        opened = _sniff(Path(source))
    forms = forms or editions()
    book = _load(opened, path, forms)
    identity, source = _identity(book)
    form, declared = _choose_form(book, identity, forms)
    if form is None:
        return ReadResult(path, None, None, None, None, "none")
    if source == "none":
        source = "labels"
    result = ReadResult(
        path=path,
        form=form,
        year=_int_or_none(identity.get("xlrep.year")),
        template_version=identity.get("xlrep.template_version"),
        fingerprint=identity.get("xlrep.form_fingerprint"),
        identity_source=source,
        declared_edition=declared,
        merged_units=_int_or_none(identity.get("xlrep.merged_units")),
        imported_from=identity.get("xlrep.imported_from"),
        issued_round=identity.get("xlrep.round") or None,
        issued_unit=identity.get("xlrep.unit") or None,
    )
    _resolve_addresses(book, result)
    _check_sheets(book, result)
    _extra_sheets(book, result)
    _check_labels(book, result)
    _read_inputs(book, result)
    if result.year is None:
        year_key = form.role("report_year")
        result.year = _int_or_none(result.values.get(year_key)) if year_key else None
    _read_formulas(book, result)
    return result


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class _Plan:
    """What reading a workbook as one edition looks at, worked out once per edition (a batch reads hundreds)."""

    named: tuple[tuple[str, str, str, str, str], ...]  # (key, sheet, A1, defined name, label) of every cell
    labels: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]  # sheet → ((A1, text, normalized), …)
    inputs: tuple[Cell, ...]  # the cells read as stored (all but the totals)


def prepare(forms: tuple[Form, ...] | None = None) -> None:
    """Work out once, for each edition, what reading a workbook looks at (a batch does so before its workers fork)."""
    forms = forms or editions()
    form_parts(forms)
    for form in forms:
        _plan(form)
        expected_labels(form)
        expected_formulas(form)


@cache
def _plan(form: Form) -> _Plan:
    layout = build_layout(form)
    named = []
    for cell in form.cells.values():
        sheet, row, col = layout.addresses[cell.key]
        named.append((cell.key, sheet, cell_ref(row, col), cell.defined_name, cell.label))
    labels = tuple(
        (
            sl.name,
            tuple(
                (cell_ref(item.row, item.col), item.text, normalize_label(item.text))
                for item in sl.items
                if item.kind in LABEL_KINDS and item.text
            ),
        )
        for sl in layout.sheets
    )
    return _Plan(tuple(named), labels, tuple(cell for cell in form.cells.values() if not cell.is_total))


def _resolve_addresses(book: Book, result: ReadResult) -> None:
    """Find each cell through its defined name; names that moved mean rows or columns were inserted/deleted."""
    present = set(book.sheetnames)
    addresses, renamed, moved = result.addresses, result.renamed, result.moved
    for key, sheet, a1, name, label in _plan(result.form).named:
        found = book.name_destination(name)
        if found is None or found[0] not in present:
            addresses[key] = (sheet, a1)
            continue
        addresses[key] = found
        if found[0] != sheet:  # Excel and WPS carry the names along when a sheet is renamed
            renamed[sheet] = found[0]
        if found[1] != a1:
            moved.setdefault(sheet, []).append(CellRef(found[0], found[1], label))


def _check_sheets(book: Book, result: ReadResult) -> None:
    present = set(book.sheetnames)
    for sl in result.layout.sheets:
        if sl.name not in present and sl.name not in result.renamed:  # a followed rename is reported as such
            result.unread_sheets.add(sl.name)
            result.missing_sheets.append(sl.name)
    ours = {s.name for s in result.layout.sheets}
    result.unprotected = [name for name in book.sheetnames if name in ours and not book.protected.get(name)]
    result.structure_locked = book.structure_locked
    result.meta_state = book.sheet_states.get(META_SHEET)


def _extra_sheets(book: Book, result: ReadResult) -> None:
    """Sheets the template does not have (a clerk's notes or data): never read, reported as such.

    Not when a template sheet is missing: the unknown sheet is then most likely that one, renamed.
    """
    from .layout import INSTRUCTIONS_SHEET

    ours = {sl.name for sl in result.layout.sheets}
    known = ours | {META_SHEET, INSTRUCTIONS_SHEET} | set(result.renamed.values())
    missing = ours - set(book.sheetnames) - set(result.renamed)
    if not missing:
        result.extra_sheets = [name for name in book.sheetnames if name not in known]


def _check_labels(book: Book, result: ReadResult) -> None:
    present = set(book.sheetnames)
    for name, labels in _plan(result.form).labels:
        sheet = result.renamed.get(name, name)  # a renamed sheet is checked under its new name
        if sheet not in present:
            continue
        cells = book.cells.get(sheet, {})
        changed: list[CellRef] = []
        shown: dict[str, str] = {}
        displaced = 0  # changed labels whose official text now stands in another cell of the sheet
        elsewhere: set[str] | None = None  # every text on the sheet, normalized
        for a1, text, normalized in labels:
            value = cells[a1][0] if a1 in cells else None
            if value == text or normalize_label(value) == normalized:
                continue
            changed.append(CellRef(sheet, a1, text))
            shown[a1] = "" if value is None else str(value)
            if elsewhere is None:
                elsewhere = {normalize_label(v) for v, _, _ in cells.values() if isinstance(v, str)}
            displaced += normalized in elsewhere
        if not changed:
            continue
        names_followed = bool(result.moved.get(name))
        # The table moved (rows or columns inserted or deleted) but its defined names did not, as when a
        # program that does not maintain names edited the file: every number read here would be wrong.
        moved_table = len(changed) >= 3 and 2 * displaced >= len(changed) and not names_followed
        if moved_table:
            result.unread_sheets.add(sheet)
        result.changed_labels.append(ChangedLabels(sheet, changed, shown, moved_table))


def _read_inputs(book: Book, result: ReadResult) -> None:
    present = set(book.sheetnames) - result.unread_sheets
    cells, anomalies = book.cells, book.anomalies
    for cell in _plan(result.form).inputs:
        key = cell.key
        sheet, a1 = result.addresses[key]
        if sheet not in present:
            continue
        stored = cells.get(sheet, {}).get(a1)
        raw = RawCell(*stored) if stored is not None else RawCell(None, "n", None)
        result.raw[key] = raw
        if (sheet, a1) in anomalies:  # stored in a form no spreadsheet writes, or text repaired to valid Unicode
            result.anomalies[key] = anomalies[(sheet, a1)]
        if cell.is_numeric:
            reading = interpret(cell, raw)
            result.readings[key] = reading
            result.values[key] = reading.number
            if reading.kind == BLANK:
                result.blank.add(key)
        elif raw.data_type == "x":  # unreadable as stored (reported): nothing of it reaches the report
            result.values[key] = None
        elif raw.data_type == "f":  # a formula typed into a text cell: its result as text, never its source
            result.text_formulas[key] = raw
            usable = raw.cached not in (None, "") and not (isinstance(raw.cached, str) and raw.cached.startswith("#"))
            result.values[key] = _text_value(cell, raw.cached) if usable else None
        else:
            result.values[key] = _text_value(cell, raw.value)


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


def _read_formulas(book: Book, result: ReadResult) -> None:
    """What each formula cell of the template holds now (the rules compare it with the template's formula)."""
    form = result.form
    present = set(book.sheetnames) - result.unread_sheets
    older_accepted: bool | None = None  # made by a template before PORTABLE_SINCE (worked out when first needed)
    for expected in expected_formulas(form):
        if expected.key in form.cells:  # totals are found through their names
            sheet, a1 = result.addresses[expected.key]
        else:
            sheet, a1 = result.renamed.get(expected.sheet, expected.sheet), expected.a1
        if sheet not in present:
            continue
        if expected.since and not _has_since(book, result, expected, sheet, a1):
            continue
        older = None
        if expected.older:
            if older_accepted is None:
                older_accepted = _before(result, PORTABLE_SINCE)
            older = _followed(result, expected.older) if older_accepted else None
        found, _, cached = book.cells.get(sheet, {}).get(a1, (None, "n", None))
        result.formulas.append(
            FoundFormula(
                expected.key, sheet, a1, expected.label, _followed(result, expected.formula), found, cached, older
            )
        )


def _followed(result: ReadResult, formula: str) -> str:
    if not result.renamed:
        return formula
    for old, new in result.renamed.items():  # references follow a renamed sheet in every program
        formula = formula.replace(quote_sheet(old), quote_sheet(new))
    return formula


def _before(result: ReadResult, version: str) -> bool:
    """Whether the workbook was made by a template older than ``version`` (or does not say)."""
    found = result.template_version
    if found and re.fullmatch(r"\d+(\.\d+)*", found.strip()):
        return version_tuple(found) < version_tuple(version)
    return True


def _has_since(book: Book, result: ReadResult, expected: FormulaCell, sheet: str, a1: str) -> bool:
    """Whether a workbook has a formula cell that later template versions added (1.0 has no 参考表述 cells):
    by its declared template version, or — when it declares none — by the cell holding anything."""
    version = result.template_version
    if version and re.fullmatch(r"\d+(\.\d+)*", version.strip()):
        return version_tuple(version) >= version_tuple(expected.since)
    return book.value(sheet, a1) is not None
