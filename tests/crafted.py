"""Hand-made .xlsx files for the reader's budget and strictness tests, built fast and in streaming fashion.

A filled template (XlsxWriter, with cached results) is the base; parts are replaced or
added by rewriting the zip, with large parts written chunk by chunk from generators so
that no 66 MB string is ever held. Everything here is test-only.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from filling import clean_values

from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
SHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

Part = bytes | Callable[[], Iterable[bytes]] | None  # new content, a generator of chunks, or None to drop


def filled(values: dict | None = None, edition: str = "2021", year: int = 2021) -> bytes:
    """A clean, consistent filled template (no findings), with ``values`` (form key → value) on top."""
    all_values = clean_values(edition, year)
    all_values.update(values or {})
    return build_template(year, load_form(edition), values=all_values)


def address(key: str, edition: str = "2021") -> tuple[str, str]:
    sheet, row, col = build_layout(load_form(edition)).addresses[key]
    return sheet, cell_ref(row, col)


def sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name → part name, from xl/workbook.xml and its relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = {}
    for rel in re.findall(r"<Relationship [^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel).group(1)
        targets[rid] = re.search(r'Target="([^"]+)"', rel).group(1).lstrip("/").removeprefix("xl/")
    out = {}
    for sheet in re.findall(r"<sheet [^>]*>", workbook):
        name = re.search(r'name="([^"]+)"', sheet).group(1)
        rid = re.search(r'r:id="([^"]+)"', sheet).group(1)
        out[name] = "xl/" + targets[rid]
    return out


def read_part(data: bytes, member: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(member)


def rewrite(data: bytes, target: Path | None = None, parts: dict[str, Part] | None = None) -> bytes | Path:
    """The zip ``data`` with ``parts`` replaced, added or dropped; written to ``target`` if given (streamed)."""
    parts = dict(parts or {})
    out = target.open("wb") if target is not None else io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
    ):
        for info in source.infolist():
            if info.filename not in parts:
                z.writestr(info.filename, source.read(info.filename))
        for name, content in parts.items():
            if content is None:
                continue
            if isinstance(content, bytes):
                z.writestr(name, content)
                continue
            with z.open(name, "w", force_zip64=True) as handle:
                for chunk in content():
                    handle.write(chunk)
    if target is not None:
        out.close()
        return target
    return out.getvalue()


def set_cell(data: bytes, sheet: str, a1: str, inner: str, cell_type: str | None = None) -> bytes:
    """Replace cell ``a1`` of ``sheet`` by ``<c r=a1 s=… t=cell_type>inner</c>`` (raw XML, no escaping)."""
    member = sheet_parts(data)[sheet]
    xml = read_part(data, member).decode()
    m = re.search(rf'<c r="{a1}"( [^>]*?)?(/>|>.*?</c>)', xml)
    assert m, f"{sheet}!{a1} not in {member}"
    attrs = re.sub(r' t="[^"]*"', "", m.group(1) or "")
    kind = f' t="{cell_type}"' if cell_type else ""
    xml = xml[: m.start()] + f'<c r="{a1}"{attrs}{kind}>{inner}</c>' + xml[m.end() :]
    return rewrite(data, parts={member: xml.encode()})


def set_key(data: bytes, key: str, inner: str, cell_type: str | None = None) -> bytes:
    sheet, a1 = address(key)
    return set_cell(data, sheet, a1, inner, cell_type)


def inline(text: str) -> str:
    return f"<is><t>{escape(text)}</t></is>"


def add_rows(data: bytes, sheet: str, rows: Callable[[], Iterable[bytes]]) -> Callable[[], Iterator[bytes]]:
    """The sheet's part with ``rows`` (XML chunks) inserted just before ``</sheetData>``, as a chunk generator."""
    xml = read_part(data, sheet_parts(data)[sheet])
    end = xml.index(b"</sheetData>")

    def chunks() -> Iterator[bytes]:
        yield xml[:end]
        yield from rows()
        yield xml[end:]

    return chunks


def number_rows(first_row: int, count: int, cols: int = 10, first_col: int = 1) -> Callable[[], Iterator[bytes]]:
    """``count`` rows of ``cols`` number cells each, from ``first_row``, in ~1 MB chunks."""
    letters = [cell_ref(1, c)[:-1] for c in range(first_col, first_col + cols)]
    template = (
        '<row r="{0}">' + "".join(f'<c r="{col}{{0}}"><v>{i}</v></c>' for i, col in enumerate(letters)) + "</row>"
    )

    def chunks() -> Iterator[bytes]:
        batch = max(1, 4000 // cols)
        for start in range(first_row, first_row + count, batch):
            stop = min(start + batch, first_row + count)
            yield "".join(template.format(r) for r in range(start, stop)).encode()

    return chunks


def worksheet(rows: Callable[[], Iterable[bytes]]) -> Callable[[], Iterator[bytes]]:
    """A whole worksheet part around ``rows``."""

    def chunks() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        yield f'<worksheet xmlns="{NS_MAIN}"><sheetData>'.encode()
        yield from rows()
        yield b"</sheetData></worksheet>"

    return chunks


def add_sheets(data: bytes, target: Path, sheets: dict[str, Callable[[], Iterable[bytes]]]) -> Path:
    """``data`` with extra worksheets (name → chunk generator of the whole part), written to ``target``."""
    workbook = read_part(data, "xl/workbook.xml").decode()
    rels = read_part(data, "xl/_rels/workbook.xml.rels").decode()
    types = read_part(data, "[Content_Types].xml").decode()
    ids = [int(n) for n in re.findall(r'sheetId="(\d+)"', workbook)]
    parts: dict[str, Part] = {}
    for i, (name, content) in enumerate(sheets.items(), start=1):
        member = f"xl/worksheets/extra{i}.xml"
        rid = f"rIdExtra{i}"
        workbook = workbook.replace(
            "</sheets>", f'<sheet name="{escape(name)}" sheetId="{max(ids) + i}" r:id="{rid}"/></sheets>'
        )
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="{rid}" Type="{SHEET_TYPE}" Target="worksheets/extra{i}.xml"/></Relationships>',
        )
        types = types.replace("</Types>", f'<Override PartName="/{member}" ContentType="{SHEET_CONTENT}"/></Types>')
        parts[member] = content
    parts.update(
        {
            "xl/workbook.xml": workbook.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
        }
    )
    return rewrite(data, target, parts)


def shared_strings_with(data: bytes, extra: Callable[[], Iterable[bytes]]) -> Callable[[], Iterator[bytes]]:
    """xl/sharedStrings.xml with ``extra`` <si> chunks appended (existing indexes unchanged)."""
    xml = read_part(data, "xl/sharedStrings.xml")
    xml = re.sub(rb' (unique)?[cC]ount="\d+"', b"", xml, count=2)  # the counts are hints; drop them
    end = xml.rindex(b"</sst>")

    def chunks() -> Iterator[bytes]:
        yield xml[:end]
        yield from extra()
        yield xml[end:]

    return chunks


def strings(count: int, text: str = "台账{}") -> Callable[[], Iterator[bytes]]:
    """``count`` distinct <si> entries ``text.format(i)``, in ~1 MB chunks."""

    def chunks() -> Iterator[bytes]:
        batch = max(1, (1 << 20) // (len(text.encode()) + 20))
        for start in range(0, count, batch):
            yield "".join(
                f"<si><t>{escape(text.format(i))}</t></si>" for i in range(start, min(count, start + batch))
            ).encode()

    return chunks


def book(data: bytes):
    """``data`` opened with xlrep's part reader (``xlsx.Workbook``), looking for the sheets and names of every
    edition, as ``read_workbook`` does."""
    from xlrep.edition.form import editions
    from xlrep.workbook import xlsx
    from xlrep.workbook.reader import form_parts

    sheets, names = form_parts(editions())
    return xlsx.Workbook(io.BytesIO(data), sheets=sheets, names=names)
