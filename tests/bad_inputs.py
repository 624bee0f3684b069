"""The catalogue of bad inputs a clerk or a reviewer may hand to xlrep, each built on the fly.

Every case is a function that writes its file into a folder and returns the
command line to run. ``tests/test_bad_inputs.py`` runs each one; the README's
reliability table is generated from this same catalogue by
``scripts/reliability_table.py`` (and a test checks the README matches it).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from filling import clean_values, fill_workbook

from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template


@dataclass(frozen=True)
class Case:
    id: str
    title: str  # what the input is, in Chinese (README table)
    build: Callable[[Path], list[str]]  # writes the input, returns the xlrep arguments
    exit_code: int
    expect: str = ""  # a rule ID (or text) the answer must contain
    input_name: str | None = None  # the file whose bytes must not change
    simulate: str | None = None  # "deny-read" / "deny-write" / "disk-full": what root in CI cannot get otherwise
    isolate: bool = False  # run in a subprocess with a timeout (the input could block a process forever)
    # Checks the files written and says what became of the input, for the README (instead of a stderr line).
    outcome: Callable[[Path], str] | None = None


def _template(edition="2021", year=2021) -> bytes:
    return build_template(year, load_form(edition))


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    target.writestr(info.filename, replace[info.filename])
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def _clean_file(folder: Path, name="filled.xlsx", edition="2021", year=2021, overrides: dict | None = None) -> Path:
    values = clean_values(edition, year)
    return fill_workbook(folder / name, edition, year, values, overrides)


def _with_cell(folder: Path, key: str, raw, name="odd.xlsx") -> Path:
    values = clean_values("2021", 2021)
    values.pop(key, None)
    sheet, row, col = build_layout(load_form("2021")).addresses[key]
    return fill_workbook(folder / name, "2021", 2021, values, {(sheet, cell_ref(row, col)): raw})


# -- zip bombs: crafted by hand, so a 2 GiB member costs a few MB and a second to build ----------


def _deflate_zeros(total: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``total`` zero bytes, built from one repeated flushed block."""
    block = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = compressor.compress(b"\0" * block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    zeros = b"\0" * block
    for _ in range(total // block):
        crc = zlib.crc32(zeros, crc)
    return chunk * (total // block) + tail, crc


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, deflated data, crc, declared inflated size, method) without recompressing."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size, method in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _bomb(folder: Path, honest: bool) -> Path:
    """A real template whose 表三 sheet part is replaced by 2 GiB of zeros (declared honestly or as 80 KB)."""
    template = zipfile.ZipFile(io.BytesIO(_template()))
    members = []
    for info in template.infolist():
        raw = template.read(info.filename)
        if info.filename == "xl/worksheets/sheet5.xml":
            data, crc = _deflate_zeros(2 << 30)
            members.append((info.filename, data, crc, (2 << 30) - 1 if honest else 80_000, 8))
        else:
            compressed = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = compressed.compress(raw) + compressed.flush()
            members.append((info.filename, data, zlib.crc32(raw), len(raw), 8))
    return _write(folder, "bomb.xlsx", _raw_zip(members))


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
)


def _encrypted(folder: Path) -> Path:
    # An OLE2 container with an EncryptedPackage stream name, as Excel writes for a workbook with a password.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1024
    return _write(folder, "加密.xlsx", data)


def _ods(folder: Path) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return _write(folder, "表.ods", out.getvalue())


def _not_ours(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "某单位自制表格"
    path = folder / "自制.xlsx"
    wb.save(path)
    return path


def _sheet_deleted(folder: Path) -> Path:
    path = _clean_file(folder)
    wb = openpyxl.load_workbook(path)
    del wb["四、复议诉讼"]
    wb.save(path)
    return path


def _sheet_renamed(folder: Path) -> Path:
    path = _clean_file(folder)
    wb = openpyxl.load_workbook(path)
    wb["三、依申请公开"].title = "表三"
    wb.save(path)
    return path


def _label_edited(folder: Path) -> Path:
    return _clean_file(folder, overrides={("三、依申请公开", "A7"): "一、本年收到的申请"})


def _rows_inserted(folder: Path) -> Path:
    path = _clean_file(folder)
    wb = openpyxl.load_workbook(path)
    wb["三、依申请公开"].insert_rows(10, 2)
    wb.save(path)
    return path


def _unprotected(folder: Path) -> Path:
    path = _clean_file(folder)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.protection.sheet = False
    wb.save(path)
    return path


def _newer_version(folder: Path) -> Path:
    path = _clean_file(folder)
    wb = openpyxl.load_workbook(path)
    for prop in wb.custom_doc_props.props:
        if prop.name == "xlrep.template_version":
            prop.value = "9.0"
    wb.save(path)
    return path


def _other_edition(folder: Path) -> Path:
    values = clean_values("2021", 2020)
    return fill_workbook(folder / "错版本.xlsx", "2021", 2020, values)


def _control_chars(folder: Path) -> Path:
    values = clean_values("2021", 2021)
    values["s1.management"] = "公开\x01\x07\x1b工作\x0b。"
    return _write(folder, "odd.xlsx", build_template(2021, load_form("2021"), values=values))


# -- hostile text and names (issue 13): each class of the hostile tester's defects -----------------------------

ORG, NARRATIVE = "info.org_name", "s1.management"


def _hostile(folder: Path, name: str, texts: dict[str, str]) -> Path:
    from hostile import hostile_workbook

    return _write(folder, name, hostile_workbook(texts))


def _csv_outcome(folder: Path) -> str:
    from hostile import assert_csv_safe

    rows = assert_csv_safe((folder / "问题清单.csv").read_bytes(), numbers={3})
    (cell,) = {row[0] for row in rows[1:]}
    assert cell.startswith("'=")
    return f"问题清单.csv 中写作 {cell}（以 ' 开头，Excel 和 WPS 显示为文字，不会执行）"


def _two_units(folder: Path) -> Path:
    units = _folder(folder, "各单位")
    _clean_file(units, "甲.xlsx", overrides={("基本信息", "B4"): "甲局"})
    _clean_file(units, "乙.xlsx", overrides={("基本信息", "B4"): "乙局"})
    return units


def _merge_onto_hard_link(folder: Path) -> list[str]:
    import os

    units = _two_units(folder)
    os.link(units / "甲.xlsx", folder / "汇总.xlsx")
    return ["merge", str(units), "-o", str(folder / "汇总.xlsx"), "--force"]


def _annotate_previous(folder: Path) -> list[str]:
    current = _clean_file(folder, "本年.xlsx", year=2022)
    previous = _clean_file(folder, "上年.xlsx", year=2021)
    return ["ingest", str(current), "-q", "--previous", str(previous), "--annotate", str(previous), "--overwrite"]


GBK_NAME = "某某局.xlsx".encode("gbk")


def _gbk_named(folder: Path) -> Path:
    import os

    path = os.fsencode(folder) + b"/" + GBK_NAME
    with open(path, "wb") as handle:
        handle.write(build_template(2021, load_form("2021"), values=clean_values("2021", 2021)))
    return Path(os.fsdecode(path))


def _gbk_report(folder: Path, org: str | None = None) -> Path:
    """A published report (.html, as xlrep writes it) whose file name is GBK: 某某局报告.html from a Windows zip."""
    import os

    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    values = clean_values("2021", 2021)
    if org is not None:
        values[ORG] = org
    workbook = fill_workbook(folder / "源.xlsx", "2021", 2021, values)
    page = render(build_report(audit(workbook)), ".html")
    workbook.unlink()
    path = os.fsencode(folder) + b"/" + GBK_REPORT
    with open(path, "wb") as handle:
        handle.write(page)
    return Path(os.fsdecode(path))


GBK_REPORT = "某某局报告.html".encode("gbk")


def _gbk_import(folder: Path) -> list[str]:
    out = _folder(folder, "导入")
    return ["import", str(_gbk_report(folder)), "-o", str(out), "--json"]


def _gbk_import_outcome(folder: Path) -> str:
    (made,) = (folder / "导入").iterdir()
    made.name.encode("utf-8")  # the name made for it is valid UTF-8
    custom = zipfile.ZipFile(made).read("docProps/custom.xml").decode("utf-8")
    assert "\ufffd" * 10 + ".html" in custom  # 某某局报告: ten GBK bytes, each shown as �
    return f"导入成功，生成“{made.name}”；报告的文件名记入文件属性，无法解码的字节显示为 �"


def _formula_with_result(folder: Path) -> Path:
    from crafted import filled, set_key

    formula = '<f>"某某"&amp;"县人民政府"</f><v>某某县人民政府</v>'
    return _write(folder, "公式.xlsx", set_key(filled(), ORG, formula, "str"))


def _formula_outcome(folder: Path) -> str:
    text = (folder / "报告.md").read_text("utf-8")
    assert '"某某"' not in text and text.startswith("# 某某县人民政府2021年")
    return "报告用公式的结果：“某某县人民政府”（VALUE-FORMULA 提示），报告中没有公式原文"


def _markup_outcome(folder: Path) -> str:
    from hostile import assert_markdown_safe, render_markdown

    text = (folder / "报告.md").read_text("utf-8")
    assert_markdown_safe(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render_markdown(text)
    return "报告.md 中原样显示为文字（已转义），网页不会执行其中的脚本"


def _fifo(folder: Path) -> Path:
    import os

    os.mkfifo(folder / "管道.xlsx")
    return folder / "管道.xlsx"


def _title_outcome(folder: Path) -> str:
    title = (folder / "报告.md").read_text("utf-8").splitlines()[0].removeprefix("# ")
    assert title == "某某县 人民政府 办公室2021年政府信息公开工作年度报告"
    return f"报告标题在一行：{title}"


def _default_name_outcome(folder: Path) -> str:
    (made,) = [p.name for p in folder.glob("*.xlsx")]
    assert made.isprintable() and "\u202e" not in made
    return f"生成的文件名：{made}"


def _too_many_cells(folder: Path) -> Path:
    from crafted import add_rows, filled, number_rows, rewrite, sheet_parts

    base = filled()
    member = sheet_parts(base)["六、其他事项"]
    rows = add_rows(base, "六、其他事项", number_rows(200, 5_100, 10, 30))
    return rewrite(base, folder / "单元格.xlsx", {member: rows})


def _folder(parent: Path, name: str) -> Path:
    folder = parent / name
    folder.mkdir(exist_ok=True)
    return folder


def _copied_digits(folder: Path) -> list[str]:
    texts = {cell.key: "1" * 32_000 for cell in load_form("2021").narrative_parts}
    current = _hostile(folder, "本年.xlsx", texts)
    previous = _write(folder, "上年.xlsx", _hostile(folder, "临时.xlsx", texts).read_bytes())
    (folder / "临时.xlsx").unlink()
    wb = openpyxl.load_workbook(previous)
    wb["基本信息"]["B6"] = 2020
    wb.save(previous)
    return ["ingest", str(current), "-q", "--previous", str(previous)]


def _reports():
    import hostile_reports

    return hostile_reports


def _import(path: Path) -> list[str]:
    return ["import", str(path), "-o", str(_folder(path.parent, "导入"))]


def _args(path: Path, *extra: str) -> list[str]:
    return ["ingest", str(path), "-q", *extra]


CASES: list[Case] = [
    Case("empty", "空文件（0 字节）", lambda d: _args(_write(d, "空.xlsx", b"")), 2, "空文件", "空.xlsx"),
    Case(
        "random",
        "随机字节，扩展名 .xlsx",
        lambda d: _args(_write(d, "乱码.xlsx", bytes(range(256)) * 64)),
        2,
        "不是 Excel",
        "乱码.xlsx",
    ),
    Case(
        "truncated",
        "被截断的填报表（只有前一半）",
        lambda d: _args(_write(d, "截断.xlsx", _template()[: len(_template()) // 2])),
        2,
        "损坏",
        "截断.xlsx",
    ),
    Case(
        "zip-bomb",
        "压缩炸弹：表三解压后 2 GiB（如实声明大小）",
        lambda d: _args(_bomb(d, honest=True)),
        2,
        "过大",
        "bomb.xlsx",
    ),
    Case(
        "zip-bomb-lying",
        "压缩炸弹：解压后 2 GiB，但声明只有 80 KB",
        lambda d: _args(_bomb(d, honest=False)),
        2,
        "损坏",
        "bomb.xlsx",
    ),
    Case(
        "xml-bomb",
        "XML 实体膨胀炸弹（sharedStrings.xml 中的 billion laughs）",
        lambda d: _args(_write(d, "实体.xlsx", _rezip(_template(), {"xl/sharedStrings.xml": BILLION_LAUGHS}))),
        2,
        "DOCTYPE",
        "实体.xlsx",
    ),
    Case("encrypted", "设置了打开密码的工作簿", lambda d: _args(_encrypted(d)), 2, "密码", "加密.xlsx"),
    Case(
        "xls",
        "旧版 Excel（.xls）",
        lambda d: _args(_write(d, "旧.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)),
        2,
        "另存为",
        "旧.xls",
    ),
    Case(
        "et",
        "WPS 表格（.et）",
        lambda d: _args(_write(d, "表.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)),
        2,
        "WPS",
        "表.et",
    ),
    Case(
        "xls-renamed",
        ".xls 改名为 .xlsx",
        lambda d: _args(_write(d, "改名.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)),
        2,
        "另存为",
        "改名.xlsx",
    ),
    Case("ods", "OpenDocument 表格（.ods）", lambda d: _args(_ods(d)), 2, "另存为", "表.ods"),
    Case(
        "csv",
        "CSV 文本（改名为 .xlsx）",
        lambda d: _args(_write(d, "表.xlsx", "单位,数量\n某局,3\n".encode())),
        2,
        "文本",
        "表.xlsx",
    ),
    Case("not-ours", "不是 xlrep 生成的工作簿", lambda d: _args(_not_ours(d)), 1, "TEMPLATE-UNKNOWN", "自制.xlsx"),
    Case(
        "other-edition",
        "2020 年度却用了 2021年版填报表",
        lambda d: _args(_other_edition(d)),
        0,
        "EDITION-YEAR",
        "错版本.xlsx",
    ),
    Case(
        "newer-version",
        "更新版本的模板生成的填报表",
        lambda d: _args(_newer_version(d)),
        0,
        "TEMPLATE-VERSION",
        "filled.xlsx",
    ),
    Case(
        "sheet-deleted", "删除了一个工作表", lambda d: _args(_sheet_deleted(d)), 1, "TEMPLATE-TAMPERED", "filled.xlsx"
    ),
    Case(
        "sheet-renamed", "重命名了一个工作表", lambda d: _args(_sheet_renamed(d)), 1, "TEMPLATE-TAMPERED", "filled.xlsx"
    ),
    Case(
        "rows-inserted", "在表三中插入了行", lambda d: _args(_rows_inserted(d)), 1, "TEMPLATE-TAMPERED", "filled.xlsx"
    ),
    Case("label-edited", "改写了表头标签", lambda d: _args(_label_edited(d)), 1, "TEMPLATE-TAMPERED", "filled.xlsx"),
    Case("unprotected", "取消了工作表保护", lambda d: _args(_unprotected(d)), 0, "TEMPLATE-UNPROTECTED", "filled.xlsx"),
    Case(
        "text",
        "数字单元格填了文字“有”",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", "有")),
        1,
        "VALUE-TEXT",
        "odd.xlsx",
    ),
    Case(
        "fullwidth",
        "全角数字“１２”",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", "１２")),
        1,
        "VALUE-TEXT",
        "odd.xlsx",
    ),
    Case(
        "unit",
        "带单位“12件”",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", "12件")),
        1,
        "VALUE-TEXT",
        "odd.xlsx",
    ),
    Case("dash", "“-”", lambda d: _args(_with_cell(d, "t3.granted.commercial", "-")), 1, "VALUE-TEXT", "odd.xlsx"),
    Case("slash", "“/”", lambda d: _args(_with_cell(d, "t3.granted.commercial", "/")), 1, "VALUE-TEXT", "odd.xlsx"),
    Case("none", "“无”", lambda d: _args(_with_cell(d, "t3.granted.commercial", "无")), 1, "VALUE-TEXT", "odd.xlsx"),
    Case(
        "thousands",
        "带千分位“1,234”",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", "1,234")),
        1,
        "VALUE-TEXT",
        "odd.xlsx",
    ),
    Case(
        "date",
        "日期",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", __import__("datetime").datetime(2021, 3, 12))),
        1,
        "VALUE-INVALID",
        "odd.xlsx",
    ),
    Case(
        "boolean",
        "逻辑值 TRUE",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", True)),
        1,
        "VALUE-INVALID",
        "odd.xlsx",
    ),
    Case(
        "error-value",
        "错误值 #REF!",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", "#REF!")),
        1,
        "VALUE-INVALID",
        "odd.xlsx",
    ),
    Case(
        "formula",
        "填写区里的公式 =1+2",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", "=1+2")),
        1,
        "VALUE-FORMULA",
        "odd.xlsx",
    ),
    Case(
        "huge",
        "数字 1e300",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", 1e300)),
        1,
        "VALUE-INVALID",
        "odd.xlsx",
    ),
    Case(
        "negative",
        "负数 -3",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", -3)),
        1,
        "VALUE-NEGATIVE",
        "odd.xlsx",
    ),
    Case(
        "fraction",
        "小数 2.5 件",
        lambda d: _args(_with_cell(d, "t3.granted.commercial", 2.5)),
        1,
        "VALUE-FRACTION",
        "odd.xlsx",
    ),
    Case(
        "long-text",
        "32767 字的文字",
        lambda d: _args(_with_cell(d, "s1.management", "公开" * 16383 + "。")),
        0,
        "",
        "odd.xlsx",
    ),
    Case(
        "control-chars",
        "文字里有控制字符（Excel 以 _x0007_ 形式保存）",
        lambda d: _args(_control_chars(d), "-o", str(d / "报告.docx")),
        0,
        "",
        "odd.xlsx",
    ),
    Case(
        "too-many-cells",
        "超出读取预算：工作表中加了 5 万个单元格",
        lambda d: _args(_too_many_cells(d)),
        2,
        "单元格过多",
        "单元格.xlsx",
    ),
    Case(
        "csv-injection",
        "机关名称以 = 开头（=HYPERLINK…），导出问题清单 CSV",
        lambda d: [
            "check",
            str(_hostile(d, "注入.xlsx", {ORG: '=HYPERLINK("http://example.invalid")县人民政府'})),
            "--csv",
            str(d / "问题清单.csv"),
        ],
        0,
        "",
        "注入.xlsx",
        outcome=_csv_outcome,
    ),
    Case(
        "merge-onto-input",
        "汇总输出写到某单位的文件上（加了 --force）",
        lambda d: ["merge", str(_two_units(d)), "-o", str(d / "各单位" / "甲.xlsx"), "--force"],
        2,
        "不能写到",
        "各单位/甲.xlsx",
    ),
    Case(
        "merge-onto-hard-link",
        "汇总输出是某单位文件的硬链接（加了 --force）",
        _merge_onto_hard_link,
        2,
        "不能写到",
        "各单位/甲.xlsx",
    ),
    Case(
        "annotate-onto-previous",
        "--annotate 写到 --previous 的上年填报表上（加了 --overwrite）",
        _annotate_previous,
        2,
        "上年填报表",
        "上年.xlsx",
    ),
    Case(
        "lone-surrogate",
        "机关名称里有孤立代理码（_xD800_），导出 JSON",
        lambda d: _args(_hostile(d, "代理码.xlsx", {ORG: "某\ud800局"}), "-o", str(d / "报告.json")),
        0,
        "VALUE-UNICODE",
        "代理码.xlsx",
    ),
    Case(
        "gbk-file-name",
        "文件名是 GBK 编码（Windows 压缩包解出，不是 UTF-8）",
        lambda d: _args(_gbk_named(d)),
        0,
        "文件：",
        __import__("os").fsdecode(GBK_NAME),
    ),
    Case(
        "gbk-report-import",
        "已发布的报告，文件名是 GBK 编码：import",
        _gbk_import,
        0,
        "已导入",
        __import__("os").fsdecode(GBK_REPORT),
        outcome=_gbk_import_outcome,
    ),
    Case(
        "gbk-report-ingest",
        "已发布的报告，文件名是 GBK 编码：ingest",
        lambda d: _args(_gbk_report(d)),
        0,
        "IMPORT-SOURCE",
        __import__("os").fsdecode(GBK_REPORT),
    ),
    Case(
        "gbk-report-check",
        "已发布的报告，文件名是 GBK 编码：check",
        lambda d: ["check", str(_gbk_report(d))],
        0,
        "1 个没有错误",
        __import__("os").fsdecode(GBK_REPORT),
    ),
    Case(
        "formula-in-text",
        '机关名称是公式 ="某某"&"县人民政府"（有计算结果）',
        lambda d: _args(_formula_with_result(d), "-o", str(d / "报告.md")),
        0,
        "",
        "公式.xlsx",
        outcome=_formula_outcome,
    ),
    Case(
        "formula-in-text-no-result",
        "机关名称是公式，文件中没有计算结果（openpyxl 写入）",
        lambda d: _args(_clean_file(d, "公式.xlsx", overrides={("基本信息", "B4"): '="某某"&"县人民政府"'})),
        1,
        "VALUE-FORMULA",
        "公式.xlsx",
    ),
    Case(
        "markup",
        "文字里有 HTML 脚本标签和 javascript: 链接，导出 Markdown",
        lambda d: _args(
            _hostile(d, "标记.xlsx", {NARRATIVE: "<script>alert(1)</script>[点此](javascript:alert(1))"}),
            "-o",
            str(d / "报告.md"),
        ),
        0,
        "",
        "标记.xlsx",
        outcome=_markup_outcome,
    ),
    Case(
        "name-too-long",
        "输出文件名太长（90 个汉字，270 字节）",
        lambda d: _args(_clean_file(d), "-o", str(d / ("长" * 90 + ".docx"))),
        2,
        "文件名太长",
        "filled.xlsx",
    ),
    Case(
        "fifo",
        "给的是命名管道（FIFO），不是文件",
        lambda d: _args(_fifo(d)),
        2,
        "不是普通文件",
        isolate=True,
    ),
    Case(
        "terminal-escape",
        "机关名称里有终端控制序列（ESC[31m），批量校验",
        lambda d: ["check", str(_hostile(d, "控制.xlsx", {ORG: "某局\x1b[31m红字"}))],
        0,
        "␛[31m",
        "控制.xlsx",
    ),
    Case(
        "text-too-long",
        "一段文字 32768 字（超过单元格上限，只有改造过的文件才会有）",
        lambda d: _args(_hostile(d, "长.xlsx", {NARRATIVE: "公" * 32_768})),
        1,
        "VALUE-TOO-LONG",
        "长.xlsx",
    ),
    Case(
        "org-newline",
        "机关名称里有换行和制表符，导出 Markdown",
        lambda d: _args(_hostile(d, "换行.xlsx", {ORG: "某某县\n人民政府\t办公室"}), "-o", str(d / "报告.md")),
        0,
        "",
        "换行.xlsx",
        outcome=_title_outcome,
    ),
    Case(
        "org-controls-file-name",
        "template --org 里有 ESC 和从右到左控制符（U+202E）",
        lambda d: ["template", "2021", "--org", "某局\x1b[31m\u202e", "-o", str(d)],
        0,
        "",
        outcome=_default_name_outcome,
    ),
    Case(
        "disk-full",
        "磁盘已满（写报告时 ENOSPC）",
        lambda d: _args(_clean_file(d), "-o", str(d / "报告.md")),
        2,
        "磁盘空间不足",
        "filled.xlsx",
        "disk-full",
    ),
    # -- bounded work for every input (issue 22): each answered in seconds and well under 500 MB ----------------
    Case(
        "digits-after-label",
        "一段文字是“收到申请”后接 32,000 位数字（数字模式曾回溯，一格 30 秒）",
        lambda d: _args(_hostile(d, "长数字.xlsx", {NARRATIVE: "收到申请" + "1" * 32_000})),
        0,
        "TEXT-SENTENCE-LONG",
        "长数字.xlsx",
    ),
    Case(
        "html-spans",
        "网页报告里 `<td rowspan=200 colspan=200>` 重复 1000 次（34 KB，展开后 4000 万格）",
        lambda d: _import(_reports().html_spans(d)),
        2,
        "展开后超过",
        "合并单元格.html",
    ),
    Case(
        "word-spans",
        "Word 报告里 4000 个单元格各横跨 64 列（展开后 25.6 万格）",
        lambda d: _import(_reports().word_spans(d)),
        2,
        "展开后超过",
        "合并单元格.docx",
    ),
    Case(
        "word-grid-before",
        "Word 报告里一行声明跳过 3 亿列（w:gridBefore）",
        lambda d: _import(_reports().word_grid_before(d)),
        2,
        "不像是年度报告",
        "跳过列.docx",
    ),
    Case(
        "pdf-stream-bomb",
        "PDF 的页面内容流解压后 1 GB（文件 1 MB）",
        lambda d: _import(_reports().pdf_stream_bomb(d)),
        2,
        "解压后超过",
        "膨胀.pdf",
    ),
    Case(
        "pdf-many-chars",
        "PDF 4 页共 40 万个字",
        lambda d: _import(_reports().pdf_many_chars(d)),
        2,
        "超过 20,000 个",
        "密集.pdf",
    ),
    Case(
        "pdf-encrypted",
        "设置了打开密码的 PDF 报告",
        lambda d: _import(_reports().pdf_encrypted(d)),
        2,
        "已加密",
        "加密.pdf",
    ),
    Case(
        "long-section-ingest",
        "报告的一部分有 44,009 字，直接校验（ingest 报告）",
        lambda d: _args(_reports().long_section(d)),
        0,
        "IMPORT-TEXT-LONG",
        "长段落.txt",
    ),
    Case(
        "section-over-two-cells",
        "报告的一部分有 70,000 字（一格加批注也放不下）",
        lambda d: _import(_reports().long_section(d, 70_000)),
        2,
        "无法不删减地导入",
        "长段落.txt",
    ),
    Case(
        "prose-after-last-label",
        "表三最后一行标签后没有数字，接着 254 KB 正文（.txt），直接校验",
        lambda d: _args(_reports().prose_after_last_label(d)),
        1,
        "VALUE-BLANK",
        "长文字.txt",
    ),
    Case(
        "near-miss-labels",
        "表三换成 32,000 个只差一个字的标签（.txt，约 500 KB），直接校验",
        lambda d: _args(_reports().near_miss_labels(d)),
        0,
        "IMPORT-MISSING",
        "近似标签.txt",
    ),
    Case(
        "word-nested-80",
        "Word 报告里表格套表格 80 层，每层 60 行，直接校验",
        lambda d: _args(_reports().word_nested(d, 80, 60)),
        1,
        "IMPORT-SOURCE",
        "嵌套表格.docx",
    ),
    Case(
        "word-nested-100",
        "Word 报告里表格套表格 100 层（超过 XML 的 256 层）",
        lambda d: _import(_reports().word_nested(d, 100)),
        2,
        "嵌套过深",
        "嵌套表格.docx",
    ),
    Case(
        "copied-digits",
        "本年和上年填报表的每段文字都是同样的 32,000 位数字（--previous，比较文字雷同）",
        _copied_digits,
        0,
        "PREV-TEXT-COPY",
        "本年.xlsx",
    ),
    Case("missing", "文件不存在", lambda d: _args(d / "不存在.xlsx"), 2, "找不到"),
    Case("directory", "给的是文件夹", lambda d: _args(_folder(d, "各单位报表")), 2, "文件夹"),
    Case(
        "no-permission",
        "没有读取权限",
        lambda d: _args(_write(d, "无权限.xlsx", _template())),
        2,
        "权限",
        "无权限.xlsx",
        "deny-read",
    ),
    Case(
        "output-readonly",
        "输出文件夹不可写",
        lambda d: _args(_clean_file(d), "-o", str(_folder(d, "只读") / "报告.docx")),
        2,
        "权限",
        "filled.xlsx",
        "deny-write",
    ),
    Case(
        "output-is-input",
        "输出文件就是输入文件",
        lambda d: ["ingest", str(_clean_file(d, name="同一.md")), "-o", str(d / "同一.md")],
        2,
        "",
        "同一.md",
    ),
    Case(
        "output-folder-missing",
        "输出文件夹不存在",
        lambda d: _args(_clean_file(d), "-o", str(d / "没有" / "报告.docx")),
        2,
        "不存在",
        "filled.xlsx",
    ),
]


# -- running a case ------------------------------------------------------------------------


def run_case(case: Case, folder: Path) -> tuple[int, str, str, list[str]]:
    """Build the input and run xlrep on it in-process: (exit code, stdout, stderr, arguments)."""
    import contextlib
    import errno
    import os
    import pathlib
    import tempfile
    from unittest import mock

    from xlrep.cli import main

    args = case.build(folder)
    if case.isolate:
        return (*_run_isolated(args), args)
    patches = contextlib.ExitStack()
    if case.simulate == "deny-read":  # root reads anything: refuse the way the OS would for a clerk
        real_open = pathlib.Path.open

        def deny(self, *a, **k):
            if self.name == case.input_name:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *a, **k)

        patches.enter_context(mock.patch.object(pathlib.Path, "open", deny))
    if case.simulate == "deny-write":
        real_mkstemp = tempfile.mkstemp

        def deny_write(*a, **k):
            if os.path.basename(str(k.get("dir", ""))) == "只读":
                raise PermissionError(13, "Permission denied")
            return real_mkstemp(*a, **k)

        patches.enter_context(mock.patch("xlrep.common.files.tempfile.mkstemp", deny_write))
    if case.simulate == "disk-full":

        def full(*_a):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        patches.enter_context(mock.patch("xlrep.common.files.os.fsync", full))
    out, err = io.StringIO(), io.StringIO()
    with patches, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue(), args


def _run_isolated(args: list[str], timeout: float = 60) -> tuple[int, str, str]:
    """``xlrep ARGS…`` in its own process, ended after ``timeout`` seconds (then exit code -9)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"), PYTHONIOENCODING="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", "xlrep", *args], capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        return -9, "", (exc.stderr or b"").decode("utf-8", "replace") + f"\n（{timeout:.0f} 秒内没有结束）"
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def answer(case: Case, stderr: str, folder: Path) -> str:
    """The line of xlrep's answer that a README reader needs, without the temporary folder."""
    lines = [
        line.strip()
        for line in stderr.replace(str(folder) + "/", "").replace(str(folder), "").splitlines()
        if line.strip()
    ]
    pick = next((line for line in lines if case.expect and case.expect in line), None)
    pick = pick or next((line for line in lines if line.startswith("错误：")), None) or (lines[-1] if lines else "")
    for mark in ("✘ ", "! ", "i "):
        pick = pick.removeprefix(mark)
    return pick


def reliability_table(folder_factory) -> str:
    """The README table: each bad input, xlrep's answer and exit code (run for real)."""
    rows = ["| 输入 | xlrep 的回答 | 退出码 |", "|---|---|---:|"]
    for case in CASES:
        folder = folder_factory(case.id)
        code, _, err, _ = run_case(case, folder)
        text = case.outcome(folder) if case.outcome else answer(case, err, folder)
        text = text.replace("|", "\\|")
        if len(text) > 160:
            text = text[:159] + "…"
        rows.append(f"| {case.title} | {text} | {code} |")
    return "\n".join(rows) + "\n"
