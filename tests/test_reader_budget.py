"""The reader's budget: any accepted file is audited in < 2 s and < 300 MB; anything larger is refused, quickly.

Each file is audited in a fresh Python process that reports the CPU time of ``audit()``
and its own peak RSS. CPU time, not wall time, is asserted, scaled to this machine's speed
(tests/machine.py): the test machine's two cores are shared, and under load the wall clock
measures the neighbours (it is reported in the failure message; a timeout guards against hangs). Files are generated in ``tmp_path``,
large parts streamed chunk by chunk (tests/crafted.py).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crafted import (
    add_rows,
    add_sheets,
    address,
    filled,
    inline,
    number_rows,
    read_part,
    rewrite,
    set_cell,
    shared_strings_with,
    sheet_parts,
    strings,
    worksheet,
)
from machine import cpu_budget

from xlrep.edition.cellvalue import MAX_TEXT
from xlrep.edition.form import editions
from xlrep.workbook import xlsx
from xlrep.workbook.reader import form_parts

ROOT = Path(__file__).resolve().parents[1]
MAX_SECONDS = 2.0  # CPU seconds of one audit() on the reference machine (scaled by cpu_budget)
MAX_MB = 300  # peak RSS of the auditing process
PADDED_SHEET = "六、其他事项"

CHILD = """
import json, sys, time
from pathlib import Path
from xlrep.auditing.ingest import audit, unreadable_finding
from xlrep.common.errors import UnreadableFile
start, cpu = time.perf_counter(), time.process_time()
try:
    result = audit(Path(sys.argv[1]))
    findings = [f.as_dict() for f in result.findings]
except UnreadableFile as exc:
    findings = [unreadable_finding(exc).as_dict()]
cpu, wall = time.process_time() - cpu, time.perf_counter() - start
print(json.dumps({"findings": findings, "cpu": cpu, "wall": wall}, ensure_ascii=False))
"""

# The child is started from this small wrapper, not from pytest: Linux keeps a process's peak RSS across
# exec, so a child forked from the 150 MB pytest process would report pytest's size. RUSAGE_CHILDREN of
# the wrapper is the child's own peak. Without the resource module (Windows) the child's tracemalloc
# peak (Python allocations only) is the fallback.
WRAPPER = """
import json, subprocess, sys
try:
    import resource
except ImportError:
    resource = None
    sys.argv[3] = "import tracemalloc; tracemalloc.start()\\n" + sys.argv[3].replace(
        "print(json.dumps({", "print(json.dumps({'traced': tracemalloc.get_traced_memory()[1], ")
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
if result.returncode:
    sys.exit(result.stderr)
out = json.loads(result.stdout)
if resource is not None:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KB on Linux
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / (1 << 20)
else:
    out["peak_mb"] = out.pop("traced") / (1 << 20)
print(json.dumps(out, ensure_ascii=False))
"""


def audit_measured(path: Path) -> dict:
    """Audit ``path`` in a fresh process: findings, CPU and wall seconds of audit(), peak RSS in MB."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    out["process_wall"] = time.perf_counter() - started
    out["rules"] = {f["rule"] for f in out["findings"]}
    out["text"] = "\n".join(f["message"] for f in out["findings"])
    return out


def assert_within_budget(out: dict) -> None:
    timing = f"audit CPU {out['cpu']:.2f} s, wall {out['wall']:.2f} s, process {out['process_wall']:.2f} s"
    assert out["cpu"] < cpu_budget(MAX_SECONDS), timing
    assert out["peak_mb"] < MAX_MB, f"peak {out['peak_mb']:.0f} MB"


def assert_accepted(path: Path) -> dict:
    out = audit_measured(path)
    assert "FILE-UNREADABLE" not in out["rules"], out["text"]
    assert_within_budget(out)
    return out


def assert_refused(path: Path, *wording: str) -> dict:
    out = audit_measured(path)
    assert out["rules"] == {"FILE-UNREADABLE"}, out["text"]
    for words in wording:
        assert words in out["text"]
    assert_within_budget(out)
    return out


@pytest.fixture(scope="module")
def base() -> bytes:
    return filled()


@pytest.fixture(scope="module")
def usage(base) -> dict[str, int]:
    """What the clean filled template uses of each budget, as the reader reads it."""
    sheets, names = form_parts(editions())
    return xlsx.Workbook(io.BytesIO(base), sheets=sheets, names=names).usage


def comment(size: int) -> bytes:
    """An XML comment of exactly ``size`` bytes (padding that adds no element)."""
    assert size >= 7
    return b"<!--" + b"x" * (size - 7) + b"-->"


def part_size(data: bytes, member: str) -> int:
    return len(read_part(data, member))


# -- the tester's files ------------------------------------------------------------------------------


def test_three_extra_66_mb_sheets_are_listed_not_read(tmp_path, base):
    sheets = {f"台账{i}": worksheet(number_rows(1, 265_000)) for i in (1, 2, 3)}
    path = add_sheets(base, tmp_path / "extra.xlsx", sheets)
    with xlsx.zipfile.ZipFile(path) as z:
        assert all(z.getinfo(f"xl/worksheets/extra{i}.xml").file_size > 66_000_000 for i in (1, 2, 3))
    sheet_names, names = form_parts(editions())
    book = xlsx.Workbook(path, sheets=sheet_names, names=names)
    assert book.skipped_sheets == ["填报说明", "台账1", "台账2", "台账3"]
    assert book.usage["read_bytes"] < 1 << 20  # the 200 MB were never inflated
    out = assert_accepted(path)
    assert out["rules"] == {"TEMPLATE-EXTRA-SHEET"}
    (finding,) = out["findings"]
    assert finding["severity"] == "info" and finding["values"] == {"sheets": ["台账1", "台账2", "台账3"]}
    assert "“台账1”、“台账2”、“台账3”" in finding["message"] and "不读取" in finding["message"]


def test_66_mb_shared_strings_are_refused_before_inflating(tmp_path, base):
    block = strings(2_000, "台账条目" * 60 + "{}")  # ~1 MB of <si>, repeated
    chunk = b"".join(block())
    path = rewrite(
        base, tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": shared_strings_with(base, lambda: [chunk] * 66)}
    )
    out = assert_refused(path, "“xl/sharedStrings.xml”解压后过大", f"每一部分最多 {xlsx.MAX_PART_BYTES >> 20} MB")
    assert out["peak_mb"] < 100


@pytest.mark.parametrize("length", [1_000_000, 10_000_000])
def test_a_narrative_of_millions_of_characters_is_answered_naming_what_tripped(tmp_path, base, length):
    sheet, a1 = address("s1.management")
    path = tmp_path / "long.xlsx"
    path.write_bytes(set_cell(base, sheet, a1, inline("公开" * (length // 2)), "inlineStr"))
    if length * 3 < xlsx.MAX_PART_BYTES:  # the sheet part is within its budget: the cell's text is too long
        out = assert_accepted(path)
        assert "VALUE-TOO-LONG" in out["rules"] and "解压后过大" not in out["text"]
    else:  # 30 MB: refused from the zip directory, before inflating, naming the sheet
        assert_refused(path, f"（工作表“{sheet}”）解压后过大（28.6 MB，每一部分最多 8 MB）")


def test_a_long_shared_string_is_a_too_long_text(tmp_path, base):
    long = "<si><t>" + "公开" * 500_000 + "</t></si>"
    path = rewrite(
        base, tmp_path / "long.xlsx", {"xl/sharedStrings.xml": shared_strings_with(base, lambda: [long.encode()])}
    )
    assert_accepted(path)  # the string is read (within the budget); only a cell pointing at it would be flagged


def test_a_text_beyond_the_readers_bound_is_refused_as_too_long(tmp_path, base):
    long = "<si><t>" + "a" * (xlsx.MAX_TEXT_CHARS + 1) + "</t></si>"
    path = rewrite(
        base, tmp_path / "long.xlsx", {"xl/sharedStrings.xml": shared_strings_with(base, lambda: [long.encode()])}
    )
    assert_refused(path, "文字过长", "共享字符串第", "32,767")


# -- each limit: just inside is accepted, just outside refused -------------------------------------


def text_file(tmp_path: Path, base: bytes, length: int, where: str) -> Path:
    text = ("依申请公开工作" * 5000)[:length]
    assert len(text) == length
    if where == "inline":
        sheet, a1 = address("s1.management")
        data = set_cell(base, sheet, a1, inline(text), "inlineStr")
    else:  # one more shared string, and the cell pointing at it
        index = read_part(base, "xl/sharedStrings.xml").count(b"<si>")
        entry = f"<si><t>{text}</t></si>".encode()
        data = rewrite(base, parts={"xl/sharedStrings.xml": b"".join(shared_strings_with(base, lambda: [entry])())})
        sheet, a1 = address("s1.management")
        data = set_cell(data, sheet, a1, f"<v>{index}</v>", "s")
    path = tmp_path / f"text-{length}.xlsx"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("where", ["inline", "shared"])
def test_text_limit(tmp_path, base, where):
    inside = assert_accepted(text_file(tmp_path, base, MAX_TEXT, where))
    assert inside["rules"] <= {"TEXT-NUMBER", "TEXT-CLAIM"}  # the padding text is not a number statement
    outside = assert_accepted(text_file(tmp_path, base, MAX_TEXT + 1, where))
    assert "VALUE-TOO-LONG" in outside["rules"]


def cells_file(tmp_path: Path, base: bytes, usage: dict, extra: int) -> Path:
    """The template with ``extra`` more cells than the budget allows (0: exactly at it), far right of a sheet."""
    count = xlsx.MAX_CELLS - usage["cells"] + extra
    rows, rest = divmod(count, 10)

    def cells():
        yield from number_rows(200, rows, 10, 30)()
        yield from number_rows(200 + rows, 1, rest, 30)() if rest else ()

    member = sheet_parts(base)[PADDED_SHEET]
    return rewrite(base, tmp_path / f"cells{extra}.xlsx", {member: add_rows(base, PADDED_SHEET, cells)})


def test_cell_limit(tmp_path, base, usage):
    assert_accepted(cells_file(tmp_path, base, usage, 0))
    assert_refused(cells_file(tmp_path, base, usage, 1), "单元格过多（超过 50,000 个，其中工作表“六、其他事项”有 49,")


def strings_file(tmp_path: Path, base: bytes, usage: dict, extra: int) -> Path:
    count = xlsx.MAX_SHARED_STRINGS - usage["shared_strings"] + extra
    return rewrite(
        base, tmp_path / f"strings{extra}.xlsx", {"xl/sharedStrings.xml": shared_strings_with(base, strings(count))}
    )


def test_shared_string_limit(tmp_path, base, usage):
    assert_accepted(strings_file(tmp_path, base, usage, 0))
    assert_refused(strings_file(tmp_path, base, usage, 1), "共享字符串超过", "50,000")


def elements_file(tmp_path: Path, base: bytes, usage: dict, extra: int) -> Path:
    """Empty rows (one element each, no cell) up to the element budget."""
    count = xlsx.MAX_XML_ELEMENTS - usage["xml_elements"] + extra

    def rows():
        for start in range(0, count, 20_000):
            yield "".join(f'<row r="{200 + i}"/>' for i in range(start, min(count, start + 20_000))).encode()

    member = sheet_parts(base)[PADDED_SHEET]
    return rewrite(base, tmp_path / f"elements{extra}.xlsx", {member: add_rows(base, PADDED_SHEET, rows)})


def test_xml_element_limit(tmp_path, base, usage):
    assert_accepted(elements_file(tmp_path, base, usage, 0))
    assert_refused(elements_file(tmp_path, base, usage, 1), "结构过于复杂", "250,000 个 XML 元素")


def padded(base: bytes, member: str, size: int):
    """``member`` of ``base`` padded with a comment to exactly ``size`` bytes (inside sheetData / before </sst>)."""
    xml = read_part(base, member)
    end = xml.rindex(b"</sheetData>" if b"</sheetData>" in xml else b"</sst>")
    return xml[:end] + comment(size - len(xml)) + xml[end:]


def test_part_size_limit(tmp_path, base):
    for extra, name in ((0, "inside.xlsx"), (1, "outside.xlsx")):
        data = padded(base, "xl/sharedStrings.xml", xlsx.MAX_PART_BYTES + extra)
        rewrite(base, tmp_path / name, {"xl/sharedStrings.xml": data})
    assert_accepted(tmp_path / "inside.xlsx")
    assert_refused(tmp_path / "outside.xlsx", "“xl/sharedStrings.xml”解压后过大（8.0 MB")


def test_total_size_limit(tmp_path, base, usage):
    member = sheet_parts(base)[PADDED_SHEET]
    sst = xlsx.MAX_PART_BYTES - part_size(base, "xl/sharedStrings.xml")
    sheet = xlsx.MAX_READ_BYTES - usage["read_bytes"] - sst  # what the sheet must grow by to reach the total
    for extra, name in ((0, "inside.xlsx"), (1, "outside.xlsx")):
        parts = {
            "xl/sharedStrings.xml": padded(base, "xl/sharedStrings.xml", xlsx.MAX_PART_BYTES),
            member: padded(base, member, part_size(base, member) + sheet + extra),
        }
        rewrite(base, tmp_path / name, parts)
    assert_accepted(tmp_path / "inside.xlsx")
    assert_refused(tmp_path / "outside.xlsx", "各部分解压后合计超过 16 MB")


def test_zip_member_limit(tmp_path, base):
    for extra, name in ((0, "inside.xlsx"), (1, "outside.xlsx")):
        count = xlsx.MAX_MEMBERS - len(xlsx.zipfile.ZipFile(io.BytesIO(base)).infolist()) + extra
        rewrite(base, tmp_path / name, {f"customXml/item{i}.xml": b"<a/>" for i in range(count)})
    assert_accepted(tmp_path / "inside.xlsx")
    assert_refused(tmp_path / "outside.xlsx", "压缩包中的文件过多（10,001 个")


def test_zip_directory_limit(tmp_path, base):
    """Few members with long names: the central directory zipfile would read whole is what is too large."""
    with xlsx.zipfile.ZipFile(io.BytesIO(base)) as z:
        used = sum(46 + len(i.filename.encode()) + len(i.extra) + len(i.comment) for i in z.infolist())
    name_length = 2000
    entry = 46 + len("customXml/") + name_length + len(".xml")
    for extra, name in ((0, "inside.xlsx"), (entry, "outside.xlsx")):
        count = (xlsx.MAX_DIRECTORY_BYTES - used + extra) // entry
        rewrite(base, tmp_path / name, {f"customXml/{i:0{name_length}d}.xml": b"<a/>" for i in range(count)})
    assert_accepted(tmp_path / "inside.xlsx")
    assert_refused(tmp_path / "outside.xlsx", "压缩包的目录过大（4.0 MB")


def test_a_file_at_every_limit_at_once_is_audited_within_budget(tmp_path, base, usage):
    """The worst accepted file: every cell, string, element and byte the budget allows, and the longest texts."""
    sheets, names = form_parts(editions())
    long_text = ("依申请公开工作" * 5000)[:MAX_TEXT]
    entry = len(f"<si><t>{long_text}</t></si>".encode())
    short_size = len(b"".join(shared_strings_with(base, strings(xlsx.MAX_SHARED_STRINGS - usage["shared_strings"]))()))
    n_long = (xlsx.MAX_PART_BYTES - short_size) // entry  # as many as fit beside the short ones (~70, ~7 MB)
    longs = [f"<si><t>{i}{long_text[len(str(i)) :]}</t></si>".encode() for i in range(n_long)]
    short = strings(xlsx.MAX_SHARED_STRINGS - usage["shared_strings"] - n_long)
    sst = b"".join(shared_strings_with(base, lambda: [*longs, *short()])())
    assert xlsx.MAX_PART_BYTES - entry < len(sst) <= xlsx.MAX_PART_BYTES
    data = base  # the narratives point at the longest strings
    for i, key in enumerate(["s1.proactive", "s1.management", "s1.platforms", "s5.problems", "s5.measures"]):
        data = set_cell(data, *address(key), f"<v>{usage['shared_strings'] + i}</v>", "s")
    member = sheet_parts(data)[PADDED_SHEET]
    others = xlsx.Workbook(io.BytesIO(data), sheets=sheets, names=names).usage["read_bytes"]
    room = xlsx.MAX_READ_BYTES - len(sst) - (others - part_size(data, "xl/sharedStrings.xml") - part_size(data, member))
    cells = (xlsx.MAX_CELLS - usage["cells"]) // 10

    def build(empty_rows: int) -> Path:
        def rows():
            yield from number_rows(200, cells, 10, 30)()
            yield "".join(f'<row r="{200 + cells + i}"/>' for i in range(empty_rows)).encode()

        sheet = b"".join(add_rows(data, PADDED_SHEET, rows)())
        sheet = sheet.replace(b"</sheetData>", comment(room - len(sheet)) + b"</sheetData>")
        return rewrite(data, tmp_path / "all.xlsx", {"xl/sharedStrings.xml": sst, member: sheet})

    elements = xlsx.Workbook(build(0), sheets=sheets, names=names).usage["xml_elements"]
    path = build(xlsx.MAX_XML_ELEMENTS - elements)
    used = xlsx.Workbook(path, sheets=sheets, names=names).usage
    assert used == {
        "read_bytes": xlsx.MAX_READ_BYTES,
        "xml_elements": xlsx.MAX_XML_ELEMENTS,
        "cells": usage["cells"] + cells * 10,
        "shared_strings": xlsx.MAX_SHARED_STRINGS,
    }
    assert used["cells"] > xlsx.MAX_CELLS - 10
    out = assert_accepted(path)
    print(f"every limit at once: {used}, audit CPU {out['cpu']:.2f} s, peak {out['peak_mb']:.0f} MB")


# -- check -j N: N workers, each within the budget ---------------------------------------------------


def test_check_on_a_folder_of_hostile_files_stays_bounded(tmp_path, base):
    folder = tmp_path / "各单位"
    folder.mkdir()
    add_sheets(base, folder / "extra.xlsx", {"台账": worksheet(number_rows(1, 265_000))})
    chunk = b"".join(strings(2_000, "台账条目" * 60 + "{}")())
    rewrite(base, folder / "sst.xlsx", {"xl/sharedStrings.xml": shared_strings_with(base, lambda: [chunk] * 66)})
    sheet, a1 = address("s1.management")
    (folder / "long.xlsx").write_bytes(set_cell(base, sheet, a1, inline("公开" * 500_000), "inlineStr"))
    for i in range(6):  # the pool is used from 8 files; hard links are distinct files to `check`
        os.link(folder / "extra.xlsx", folder / f"extra{i}.xlsx")
    script = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t); "
        "sys.stderr.write(r.stdout.decode() + r.stderr.decode())"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-c", script, sys.executable, "-m", "xlrep", "check", str(folder), "-j", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    code, peak_kb, _wall = result.stdout.split()
    report, _ = json.JSONDecoder().raw_decode(result.stderr[result.stderr.index("{") :])
    states = {Path(unit["file"]).name: unit["state"] for unit in report["units"]}
    assert states["sst.xlsx"] == "无法读取" and states["long.xlsx"] == "有错误"  # VALUE-TOO-LONG
    assert {states[f"extra{i}.xlsx"] for i in range(6)} == {"通过"}
    assert int(code) == 1  # a unit could not be read, another has an error
    # ru_maxrss of RUSAGE_CHILDREN is the largest single process (the CLI or one worker): each is within budget
    assert int(peak_kb) < MAX_MB * 1024, f"a process peaked at {int(peak_kb) // 1024} MB"
