"""What other .xlsx writers do to a workbook, done to a filled template (for test_other_producers.py).

Each function takes the bytes of an .xlsx package and returns the same workbook as another producer writes
it: strings inline instead of shared, formulas filled across a row as shared formulas, no cached formula
results, a one-cell ``<dimension>``, the 1904 date system, a styles part without the default records,
relationship targets as absolute part names, part names in upper case. The content — every value, every
formula's meaning, the identity — stays the same, so the workbook must read exactly as before.
"""

from __future__ import annotations

import io
import re
import zipfile
from posixpath import dirname, join, normpath

from engines import without_cached_results
from openpyxl.formula.translate import Translator


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, part in parts.items():
            z.writestr(name, part)
    return out.getvalue()


def _sheets(parts: dict[str, bytes]):
    return [n for n in parts if n.lower().startswith("xl/worksheets/sheet") and n.endswith(".xml")]


def _shared_strings(parts: dict[str, bytes]) -> list[str]:
    xml = parts["xl/sharedStrings.xml"].decode()
    out = []
    for si in re.findall(r"<si>(.*?)</si>", xml, re.S):
        texts = re.findall(r"<t(?: [^>]*)?>(.*?)</t>", re.sub(r"<rPh.*?</rPh>", "", si, flags=re.S), re.S)
        out.append("".join(texts))  # still XML-escaped, as it will be written again
    return out


def inline_strings(data: bytes) -> bytes:
    """Every text cell as an inline string (``t="inlineStr"``), no shared-strings part (what streaming writers do)."""
    parts = _parts(data)
    strings = _shared_strings(parts)

    def inline(m: re.Match) -> str:
        return f'{m.group(1)} t="inlineStr"{m.group(2)}><is><t xml:space="preserve">{strings[int(m.group(3))]}</t></is></c>'

    for name in _sheets(parts):
        xml = parts[name].decode()
        parts[name] = re.sub(r'(<c [^>]*?) t="s"([^>]*)><v>(\d+)</v></c>', inline, xml).encode()
    del parts["xl/sharedStrings.xml"]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = re.sub(r"<Relationship [^>]*sharedStrings[^>]*/>", "", rels).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = re.sub(r"<Override [^>]*sharedStrings[^>]*/>", "", types).encode()
    return _package(parts)


_FORMULA_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*)><f>([^<]*)</f>(<v>[^<]*</v>)?</c>')


def shared_formulas(data: bytes) -> tuple[bytes, int]:
    """Formulas that are the first one of their row run moved across (``SUM(D7:D8)``, ``SUM(E7:E8)`` …) written as
    one shared formula: the first cell holds it with ``t="shared" ref=… si=…``, the others only ``si`` (what Excel
    and LibreOffice write for filled-across formulas). Returns the package and how many cells became shared."""
    parts = _parts(data)
    shared = 0
    si = 0
    for name in _sheets(parts):
        xml = parts[name].decode()
        cells = list(_FORMULA_CELL.finditer(xml))
        replace: dict[tuple[int, int], str] = {}
        i = 0
        while i < len(cells):
            master = cells[i]
            col, row, attrs, formula, cached = master.groups()
            origin = f"{col}{row}"
            group = [master]
            j = i + 1
            while j < len(cells) and cells[j].group(2) == row:
                target = f"{cells[j].group(1)}{row}"
                moved = Translator("=" + _unescape(formula), origin).translate_formula(target)[1:]
                if moved != _unescape(cells[j].group(4)):
                    break
                group.append(cells[j])
                j += 1
            if len(group) >= 2:
                last = f"{group[-1].group(1)}{row}"
                replace[master.span()] = (
                    f'<c r="{origin}"{attrs}><f t="shared" ref="{origin}:{last}" si="{si}">{formula}</f>{cached or ""}</c>'
                )
                for m in group[1:]:
                    replace[m.span()] = (
                        f'<c r="{m.group(1)}{row}"{m.group(3)}><f t="shared" si="{si}"/>{m.group(5) or ""}</c>'
                    )
                shared += len(group)
                si += 1
            i = j
        for (start, end), text in sorted(replace.items(), reverse=True):
            xml = xml[:start] + text + xml[end:]
        parts[name] = xml.encode()
    return _package(parts), shared


def _unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def no_cached_results(data: bytes) -> bytes:
    return without_cached_results(data)


def one_cell_dimension(data: bytes) -> bytes:
    """``<dimension ref="A1"/>`` in every sheet (WPS writes it so at times; a reader that trusts it sees one cell)."""
    parts = _parts(data)
    for name in _sheets(parts):
        parts[name] = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', parts[name])
    return _package(parts)


def dates_1904(data: bytes, date_cells: list[tuple[str, str]], sheet_parts: dict[str, str]) -> bytes:
    """The 1904 date system (Excel for Mac): ``date1904="1"`` and every date serial 1,462 days smaller."""
    parts = _parts(data)
    wb = parts["xl/workbook.xml"].decode()
    wb = re.sub(r"<workbookPr([^>]*?)/>", r'<workbookPr\1 date1904="1"/>', wb, count=1)
    parts["xl/workbook.xml"] = wb.encode()
    for sheet, a1 in date_cells:
        name = sheet_parts[sheet]
        xml = parts[name].decode()
        pattern = re.compile(rf'(<c r="{a1}"[^>]*><v>)([0-9.]+)(</v>)')
        assert pattern.search(xml), (sheet, a1)
        xml = pattern.sub(lambda m: f"{m.group(1)}{float(m.group(2)) - 1462:g}{m.group(3)}", xml)
        parts[name] = xml.encode()
    return _package(parts)


def styles_without_defaults(data: bytes) -> bytes:
    """A styles part with only number formats and cell formats: no fonts, fills, borders, cell style records or
    their ids (what minimal writers produce); the date formats stay where the cells point."""
    parts = _parts(data)
    xml = parts["xl/styles.xml"].decode()
    for section in ("fonts", "fills", "borders", "cellStyleXfs", "cellStyles", "dxfs", "tableStyles", "colors"):
        xml = re.sub(rf"<{section}\b[^>]*/>|<{section}\b.*?</{section}>", "", xml, flags=re.S)
    xml = re.sub(r' (?:fontId|fillId|borderId|xfId|applyFont|applyFill|applyBorder)="[^"]*"', "", xml)
    parts["xl/styles.xml"] = xml.encode()
    return _package(parts)


def absolute_targets(data: bytes) -> bytes:
    """Every relationship target as an absolute part name (``/xl/worksheets/sheet1.xml``)."""
    parts = _parts(data)
    for name in [n for n in parts if n.endswith(".rels")]:
        source = dirname(dirname(name))  # xl/_rels/workbook.xml.rels -> xl

        def absolute(m: re.Match, source=source) -> str:
            target = m.group(2)
            if target.startswith("/") or "://" in target:
                return m.group(0)
            return f'{m.group(1)}/{normpath(join(source, target))}"'

        parts[name] = re.sub(r'(Target=")([^"]*)"', absolute, parts[name].decode()).encode()
    return _package(parts)


def uppercase_part_names(data: bytes) -> bytes:
    """Every part stored under an upper-case name (``XL/WORKSHEETS/SHEET1.XML``); relationships unchanged
    (part names are case-insensitive in the Open Packaging Conventions)."""
    parts = _parts(data)
    return _package({(n if n == "[Content_Types].xml" else n.upper()): p for n, p in parts.items()})
