"""The reader reads strictly: numbers only in xsd:double form, real shared-string indexes, valid Unicode, no DTD.

What it cannot read as stored becomes a per-cell ``xlsx.Anomaly`` and a VALUE finding,
never a silently different number or a blank; lone surrogates become U+FFFD at the
reader boundary, so no later output (JSON, CSV, Word, the terminal) can fail on them.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re

import pytest
from crafted import address, book, filled, inline, read_part, rewrite, set_key, sheet_parts
from hypothesis import given
from hypothesis import strategies as st

from xlrep.auditing.ingest import audit
from xlrep.common.errors import UnreadableFile
from xlrep.workbook import xlsx
from xlrep.workbook.formulas import TEMPLATE_VERSION

COUNT = "t3.granted.commercial"  # a count cell on 表三
ORG = "info.org_name"
NARRATIVE = "s1.management"


@pytest.fixture(scope="module")
def base() -> bytes:
    return filled()


def audited(tmp_path, data: bytes, name: str = "odd.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return audit(path)


def findings(result, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


# -- numbers -----------------------------------------------------------------------------------------

LENIENT = [
    "1_000",
    "١٢",
    " 12 ",
    "12 ",
    "\t12",
    "１２",
    "+ 1",
    "1e",
    ".",
    "0x10",
    "1,000",
    "Infinity",
    "inf",
    "nan",
    "1e5_0",
]


@pytest.mark.parametrize("raw", LENIENT)
def test_a_number_python_would_accept_but_no_program_writes_is_an_anomaly(tmp_path, base, raw):
    data = set_key(base, COUNT, f"<v>{raw}</v>")
    sheet, a1 = address(COUNT)
    workbook = book(data)
    assert workbook.data_type(sheet, a1) == "x" and workbook.value(sheet, a1) == raw
    assert workbook.anomalies[(sheet, a1)] == xlsx.Anomaly("number", raw)
    result = audited(tmp_path, data)
    (finding,) = findings(result, "VALUE-INVALID")
    assert [(c.sheet, c.cell) for c in finding.cells] == [(sheet, a1)]
    assert f"“{raw}”不是 Excel 或 WPS 会保存的数字格式" in finding.message
    assert finding.message.startswith("（一）予以公开 × 商业企业：")
    assert finding.values == {"raw": raw, "anomaly": "number"}
    assert result.result.values[COUNT] is None and COUNT not in result.result.blank  # neither a number nor a blank
    assert not findings(result, "VALUE-BLANK") and not findings(result, "VALUE-TEXT")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12", 12), ("-0", 0), ("+3", 3), ("12.", 12.0), (".5", 0.5), ("1E2", 100.0), ("2.5e-3", 0.0025), ("007", 7)],
)
def test_numbers_in_xsd_double_form_are_read(base, raw, value):
    data = set_key(base, COUNT, f"<v>{raw}</v>")
    sheet, a1 = address(COUNT)
    workbook = book(data)
    assert workbook.value(sheet, a1) == value and workbook.data_type(sheet, a1) == "n"
    assert not workbook.anomalies


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_as_programs_write_it_reads_back_exactly(x):
    for text in (repr(x), format(x, ".17g"), format(x, ".15g")):  # Python/openpyxl, LibreOffice, Excel
        number = xlsx.parse_double(text)
        assert number == float(text) and isinstance(number, (int, float))


@given(st.text(max_size=12))
def test_a_value_is_a_number_only_in_xsd_double_form(text):
    form = re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN", text)
    number = xlsx.parse_double(text)
    assert (number is not None) == bool(form)
    if number is not None and not math.isnan(number):
        assert number == float(text.replace("INF", "inf"))


def test_inf_and_nan_are_numbers_that_are_not_valid_amounts(tmp_path, base):
    for raw in ("INF", "-INF", "NaN"):
        result = audited(tmp_path, set_key(base, COUNT, f"<v>{raw}</v>"))
        (finding,) = findings(result, "VALUE-INVALID")
        assert "不是有效数字" in finding.message


@pytest.mark.parametrize("raw", ["1e-320", "4.9e-324", "-1e-300", "1e-10"])
def test_subnormal_and_tiny_numbers_are_refused_with_a_short_message(tmp_path, base, raw):
    for key in (COUNT, "s6.fee_collected"):  # a count and an amount (元)
        result = audited(tmp_path, set_key(base, key, f"<v>{raw}</v>"))
        (finding,) = findings(result, "VALUE-INVALID")
        assert "小得不合常理" in finding.message and len(finding.message) < 120
        assert result.result.values[key] is None
        report = "\n".join(f.message for f in result.findings)
        assert not re.search(r"\d{25}", report)


def test_a_number_just_above_the_smallest_is_read(tmp_path, base):
    result = audited(tmp_path, set_key(base, "s6.fee_collected", "<v>0.01</v>"))
    assert result.result.values["s6.fee_collected"] == 0.01
    assert not findings(result, "VALUE-INVALID")


def test_format_number_keeps_tiny_numbers_short():
    from xlrep.workbook.cellexpr import format_number

    assert len(format_number(1e-300)) < 30
    assert format_number(1e-7) == "0.0000001" and format_number(0.00000015) == "0.00000015"


# -- shared strings, booleans, types -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["9999", "-1", "1.0", "٣", " 3", ""])
def test_a_bad_shared_string_index_is_an_anomaly_not_a_blank(tmp_path, base, raw):
    data = set_key(base, ORG, f"<v>{raw}</v>", "s")
    sheet, a1 = address(ORG)
    workbook = book(data)
    assert workbook.anomalies[(sheet, a1)] == xlsx.Anomaly("shared-string", raw)
    result = audited(tmp_path, data)
    (finding,) = findings(result, "VALUE-INVALID")
    assert f"共享字符串第 {raw} 条" in finding.message and finding.message.startswith("机关名称：")
    assert result.result.values[ORG] is None


def test_a_bad_shared_string_index_in_a_number_cell(tmp_path, base):
    result = audited(tmp_path, set_key(base, COUNT, "<v>9999</v>", "s"))
    (finding,) = findings(result, "VALUE-INVALID")
    assert "共享字符串第 9999 条" in finding.message and "重新输入这个数字" in finding.message
    assert not findings(result, "VALUE-BLANK")


@pytest.mark.parametrize(
    ("raw", "cell_type", "kind"),
    [("2", "b", "boolean"), ("yes", "b", "boolean"), ("1", "q", "type"), ("2021-13-45", "d", "date")],
)
def test_odd_booleans_and_cell_types_are_anomalies(tmp_path, base, raw, cell_type, kind):
    data = set_key(base, COUNT, f"<v>{raw}</v>", cell_type)
    sheet, a1 = address(COUNT)
    assert book(data).anomalies[(sheet, a1)].kind == kind
    (finding,) = findings(audited(tmp_path, data), "VALUE-INVALID")
    assert "无法读取" in finding.message


def test_booleans_in_both_lexical_forms_are_booleans(base):
    sheet, a1 = address(COUNT)
    for raw, value in (("1", True), ("0", False), ("true", True), ("false", False)):
        assert book(set_key(base, COUNT, f"<v>{raw}</v>", "b")).value(sheet, a1) is value


# -- text: escapes, surrogates, phonetic runs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "text", "repaired"),
    [
        ("某局_xD800_", "某局\ufffd", True),
        ("_xDFFF_某局", "\ufffd某局", True),
        ("某局_xD83D__xDE00_", "某局😀", False),  # an escaped surrogate pair is one character
        ("公开_x0007_工作", "公开\x07工作", False),  # a control character Excel escapes: kept, valid Unicode
        ("_x005F_x0041_", "_x0041_", False),  # an escaped "_x": literal
        ("某局\ufffd", "某局\ufffd", False),  # a real U+FFFD is not a repair
    ],
)
@pytest.mark.parametrize("where", ["inline", "shared", "formula-result"])
def test_text_is_valid_unicode_at_the_reader_boundary(tmp_path, base, stored, text, repaired, where):
    sheet, a1 = address(ORG)
    if where == "inline":
        data = set_key(base, ORG, inline(stored), "inlineStr")
    elif where == "shared":
        index = read_part(base, "xl/sharedStrings.xml").count(b"<si>")
        sst = read_part(base, "xl/sharedStrings.xml").replace(b"</sst>", f"<si><t>{stored}</t></si></sst>".encode())
        data = set_key(rewrite(base, parts={"xl/sharedStrings.xml": sst}), ORG, f"<v>{index}</v>", "s")
    else:
        data = set_key(base, ORG, f"<v>{stored}</v>", "str")
    workbook = book(data)
    assert workbook.value(sheet, a1) == text
    assert workbook.value(sheet, a1).encode("utf-8")
    anomaly = workbook.anomalies.get((sheet, a1))
    assert (anomaly is not None) == repaired
    if repaired:
        assert anomaly.kind == "unicode" and "\\ud" in anomaly.raw and anomaly.raw.encode("utf-8")
        result = audited(tmp_path, data)
        (finding,) = findings(result, "VALUE-UNICODE")
        assert finding.severity == "warning" and finding.message.startswith("机关名称：")
        assert result.result.values[ORG] == text
        json.dumps(result.as_dict(), ensure_ascii=False).encode("utf-8")


def test_phonetic_runs_are_not_part_of_the_text(base):
    sheet, a1 = address(ORG)
    stored = '<is><r><t>某某</t></r><rPh sb="0" eb="2"><t>ぼうぼう</t></rPh><r><t>局</t></r></is>'
    assert book(set_key(base, ORG, stored, "inlineStr")).value(sheet, a1) == "某某局"


def test_cells_without_a_reference_follow_the_previous_one(base):
    member = sheet_parts(base)["基本信息"]
    xml = read_part(base, member).decode()
    rows = '<row r="40"><c r="C40"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>'
    workbook = book(rewrite(base, parts={member: xml.replace("</sheetData>", rows + "</sheetData>").encode()}))
    assert workbook.value("基本信息", "C40") == 1
    assert workbook.value("基本信息", "D40") == 2
    assert workbook.value("基本信息", "A41") == 3


def test_a_lower_case_reference_is_read_where_it_points(base):
    sheet, a1 = address(ORG)
    member = sheet_parts(base)[sheet]
    xml = read_part(base, member).decode()
    assert f'<c r="{a1}"' in xml
    workbook = book(rewrite(base, parts={member: xml.replace(f'<c r="{a1}"', f'<c r="{a1.lower()}"').encode()}))
    assert workbook.value(sheet, a1) == "某某县人民政府办公室"


# -- the CLI never fails on what a workbook holds ----------------------------------------------------------


def surrogate_folder(tmp_path, base):
    folder = tmp_path / "各单位"
    folder.mkdir()
    data = set_key(base, ORG, inline("某局_xD800_"), "inlineStr")
    data = set_key(data, NARRATIVE, inline("信息管理_xDFFF_规范"), "inlineStr")
    (folder / "代理码.xlsx").write_bytes(data)
    return folder / "代理码.xlsx"


def test_ingest_json_with_lone_surrogates(run, tmp_path, base):
    path = surrogate_folder(tmp_path, base)
    code, out, _ = run("ingest", path, "--json")
    assert code == 0
    data, _ = json.JSONDecoder().raw_decode(out)
    assert {f["rule"] for f in data["findings"]} == {"VALUE-UNICODE"}
    assert len(data["findings"]) == 2


@pytest.mark.parametrize("suffix", [".docx", ".md", ".html", ".txt", ".json"])
def test_ingest_writes_every_report_format_with_lone_surrogates(run, tmp_path, base, suffix):
    path = surrogate_folder(tmp_path, base)
    target = tmp_path / f"报告{suffix}"
    code, _, err = run("ingest", path, "-q", "-o", target)
    assert code == 0, err
    assert target.exists() and target.stat().st_size > 0
    if suffix != ".docx":
        assert "某局\ufffd" in target.read_bytes().decode("utf-8")


def test_ingest_annotate_with_lone_surrogates(run, tmp_path, base):
    path = surrogate_folder(tmp_path, base)
    code, _, err = run("ingest", path, "-q", "--annotate", tmp_path / "标注.xlsx", "-o", tmp_path / "r.docx")
    assert code == 0, err
    assert (tmp_path / "标注.xlsx").exists() and (tmp_path / "r.docx").exists()


def test_check_json_and_csv_with_lone_surrogates(run, tmp_path, base):
    path = surrogate_folder(tmp_path, base)
    code, out, err = run("check", path.parent, "--json", "--csv", tmp_path / "问题.csv")
    assert code == 0, err
    report, _ = json.JSONDecoder().raw_decode(out)
    (unit,) = report["units"]
    assert unit["unit"] == "某局\ufffd" and unit["state"] == "有提示"
    text = (tmp_path / "问题.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("VALUE-UNICODE" in row for row in rows)


def test_merge_with_lone_surrogates(run, tmp_path, base):
    path = surrogate_folder(tmp_path, base)
    (path.parent / "正常.xlsx").write_bytes(base)
    code, _, err = run("merge", path.parent, "-o", tmp_path / "汇总.xlsx", "--org", "某某县人民政府")
    assert code == 0, err
    assert (tmp_path / "汇总.xlsx").exists()


# -- XML safety: defusedxml's guarantees on the streaming parser ------------------------------------------

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HOSTILE = {
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    f"<sst {NS}><si><t>&b;</t></si></sst>",
    "external-entity": '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"<sst {NS}><si><t>&x;</t></si></sst>",
    "external-dtd": f'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "http://example.invalid/x.dtd"><sst {NS}/>',
    "parameter-entity": '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY % p SYSTEM "http://example.invalid/p">%p;]>'
    f"<sst {NS}/>",
    "empty-doctype": f"<!DOCTYPE sst><sst {NS}/>",
    # past the old byte search (first 4 KB / 64 KB): a long comment first
    "after-70-kb": "<!--" + "x" * 70_000 + f'--><!DOCTYPE sst [<!ENTITY a "a">]><sst {NS}><si><t>&a;</t></si></sst>',
}


def hostile_bytes(name: str, encoding: str) -> bytes:
    text = HOSTILE[name]
    if encoding == "utf-16":
        return text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    return text.encode()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_what_defusedxml_refuses_we_refuse(name, encoding):
    import defusedxml
    import defusedxml.ElementTree

    data = hostile_bytes(name, encoding)
    with pytest.raises(defusedxml.DefusedXmlException):
        defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    parser = xlsx.new_parser()
    with pytest.raises(xlsx._Forbidden):
        parser.Parse(data, True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize(
    "member", ["xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml", "docProps/custom.xml", "sheet"]
)
def test_a_dtd_in_any_part_refuses_the_file(tmp_path, base, name, encoding, member):
    if member == "sheet":
        member = sheet_parts(base)["三、依申请公开"]
    path = tmp_path / "dtd.xlsx"
    rewrite(base, path, {member: hostile_bytes(name, encoding)})
    with pytest.raises(UnreadableFile) as caught:
        audit(path)
    assert f"文件中的“{member}”" in caught.value.message
    assert "DOCTYPE/实体声明" in caught.value.message


@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml", "sheet"])
def test_ooxml_parts_parse_the_same_with_defusedxml(base, member):
    """Every real part parses with defusedxml (forbid_dtd) and with ours, to the same element count."""
    import defusedxml.ElementTree

    if member == "sheet":
        member = sheet_parts(base)["三、依申请公开"]
    data = read_part(base, member)
    theirs = sum(1 for _ in defusedxml.ElementTree.fromstring(data, forbid_dtd=True).iter())
    ours = 0

    def count(*_):
        nonlocal ours
        ours += 1

    parser = xlsx.new_parser()
    parser.StartElementHandler = count
    parser.Parse(data, True)
    assert ours == theirs > 10


def test_a_utf16_part_without_dtd_is_read(base):
    member = sheet_parts(base)["基本信息"]
    text = read_part(base, member).decode("utf-8")
    text = re.sub(r'encoding="UTF-8"', 'encoding="UTF-16"', text, count=1, flags=re.I)
    data = rewrite(base, parts={member: codecs.BOM_UTF16_LE + text.encode("utf-16-le")})
    sheet, a1 = address(ORG)
    assert book(data).value(sheet, a1) == book(base).value(sheet, a1) == "某某县人民政府办公室"


def test_escapes_in_names_and_properties_stay_literal_text(run, tmp_path, base):
    """OOXML decodes ``_xHHHH_`` in cell text only: a sheet name or a property holding one is plain (valid) text."""
    from crafted import add_sheets, worksheet

    props = read_part(base, "docProps/custom.xml").decode()
    version = re.escape(TEMPLATE_VERSION)
    props, replaced = re.subn(
        rf"(<vt:lpwstr>){version}(</vt:lpwstr>)", rf"\g<1>{TEMPLATE_VERSION}_xD800_\g<2>", props, count=1
    )
    assert replaced == 1
    data = rewrite(base, parts={"docProps/custom.xml": props.encode()})
    folder = tmp_path / "各单位"
    folder.mkdir()
    path = add_sheets(data, folder / "名称.xlsx", {"台账_xD800_": worksheet(lambda: [b""])})
    result = audit(path)
    assert result.result.template_version == f"{TEMPLATE_VERSION}_xD800_"
    (extra,) = findings(result, "TEMPLATE-EXTRA-SHEET")
    assert "“台账_xD800_”" in extra.message
    code, out, err = run("check", folder, "--json")
    assert code == 0, err
    report, _ = json.JSONDecoder().raw_decode(out)
    assert {f["rule"] for f in report["units"][0]["findings"]} == {"TEMPLATE-EXTRA-SHEET", "TEMPLATE-VERSION"}


def test_a_surrogate_character_reference_is_not_xml(tmp_path, base):
    data = set_key(base, ORG, inline("某局").replace("某局", "某局&#xD800;"), "inlineStr")
    with pytest.raises(UnreadableFile) as caught:
        audited(tmp_path, data)
    assert "不是完整的 XML" in caught.value.message
