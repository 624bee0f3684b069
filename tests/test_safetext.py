"""safetext: hostile text in, safe text out — property tests over all of Unicode, surrogates and controls included."""

from __future__ import annotations

import json
import os
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlrep.common.safetext import (
    BIDI_CONTROLS,
    FORMULA_TRIGGERS,
    WINDOWS_FORBIDDEN,
    WINDOWS_RESERVED,
    display_path,
    for_filename,
    for_spreadsheet,
    for_terminal,
    markdown_text,
    one_line,
    path_fields,
    path_text,
    quoted_names,
    valid_unicode,
)

# What hostile workbooks and file names hold, mixed into text drawn from every plane (surrogates too).
SPECIAL = (
    "=+-@'\"\t\r\n\0\x0b\x0c\x1b\x07\x7f\x85\x9b\xa0\u3000\u200b\ufeff\u2028\u2029＝＋－＠"
    "\ud800\udbff\udc80\udfff" + "".join(BIDI_CONTROLS) + "\\/:*?<>|.#[]()!`*_~&%$;{} 1234567890"
)
CHARS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(SPECIAL))
TEXTS = st.text(CHARS, max_size=80)
LINES = st.lists(TEXTS, max_size=5).map("\n".join)


def invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


# -- valid_unicode, one_line ------------------------------------------------------------------------------


def reference_valid_unicode(text: str) -> str:
    """Written independently: a high surrogate followed by a low one is one character; any other is U+FFFD."""
    out, i = [], 0
    while i < len(text):
        code = ord(text[i])
        if 0xD800 <= code <= 0xDBFF and i + 1 < len(text) and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + ord(text[i + 1]) - 0xDC00))
            i += 2
            continue
        out.append("\ufffd" if 0xD800 <= code <= 0xDFFF else text[i])
        i += 1
    return "".join(out)


@given(TEXTS)
def test_valid_unicode_always_encodes_and_changes_only_surrogates(text):
    out = valid_unicode(text)
    out.encode("utf-8")
    assert out == reference_valid_unicode(text)
    if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        assert out is text


def test_valid_unicode_joins_a_pair_and_replaces_lone_halves():
    assert valid_unicode("a\ud83d\ude00b") == "a😀b"
    assert valid_unicode("\ud800x\udc00") == "\ufffdx\ufffd"
    assert valid_unicode(os.fsdecode(b"\xc4\xe3.xlsx")) == "\ufffd\ufffd.xlsx"


@given(LINES)
def test_one_line_has_single_spaces_only_and_keeps_the_words(text):
    out = one_line(text)
    out.encode("utf-8")
    assert not any(ch.isspace() and ch != " " for ch in out)
    assert "  " not in out and out == out.strip()
    assert out.split(" ") == (valid_unicode(text).split() or [""])


def test_one_line_for_an_org_name():
    assert one_line("某某县\n人民政府\t办公室\u3000 ") == "某某县 人民政府 办公室"


# -- for_spreadsheet -----------------------------------------------------------------------------------------


@given(TEXTS)
def test_for_spreadsheet_never_starts_a_formula(text):
    out = for_spreadsheet(text)
    out.encode("utf-8")
    assert out[:1] not in FORMULA_TRIGGERS or out == ""
    if out.startswith("'"):
        assert out in ("'" + valid_unicode(text), valid_unicode(text))
    else:
        assert out == valid_unicode(text)
        # and not after leading whitespace or invisible characters either (a program may trim them)
        i = 0
        while i < len(out) and invisible(out[i]) and out[i] not in FORMULA_TRIGGERS:
            i += 1
        assert out[i : i + 1] not in FORMULA_TRIGGERS or i == len(out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1+1", "' =1+1"),
        ("\u3000=1", "'\u3000=1"),
        ("＝1+1", "'＝1+1"),
        ("某某局", "某某局"),
        ("a=1", "a=1"),
        ("'=1", "'=1"),
        ("", ""),
    ],
)
def test_for_spreadsheet_examples(text, expected):
    assert for_spreadsheet(text) == expected


@pytest.mark.libreoffice
@pytest.mark.parametrize("trim_spaces", [False, True])
def test_libreoffice_imports_every_neutralised_csv_cell_as_text(tmp_path, trim_spaces):
    """The real client: LibreOffice Calc imports CSV with "evaluate formulas" on; no neutralised cell is a formula.

    With "remove spaces" on (a CSV import option), " =1+1" becomes a formula too: hence the rule about leading
    whitespace. The unprotected control file proves the import evaluates formulas at all.
    """
    import csv
    import shutil
    import subprocess

    from xlrep.workbook.xlsx import Workbook

    soffice = os.environ.get("XLREP_SOFFICE") or shutil.which("soffice")
    if not soffice:
        pytest.fail("LibreOffice is required: run bash scripts/test.sh, which installs libreoffice-calc-nogui")
    payloads = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", " =1+1", "\t=1+1", '=HYPERLINK("http://x","y")', "＝1+1"]
    for name, transform in (("control", str), ("safe", for_spreadsheet)):
        with (tmp_path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([transform(p)] for p in payloads)
    # separator, quote, UTF-8, from line 1, …, token 11: remove spaces, token 13: evaluate formulas
    options = f"44,34,76,1,,0,false,true,false,false,{str(trim_spaces).lower()},0,true"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore"]
        + ["--infilter=Text - txt - csv (StarCalc):" + options, "--convert-to", "xlsx", "--outdir", str(tmp_path)]
        + [str(tmp_path / "control.csv"), str(tmp_path / "safe.csv")],
        check=True,
        capture_output=True,
        timeout=180,
    )
    cells = [f"A{i + 1}" for i in range(len(payloads))]
    control, safe = Workbook(tmp_path / "control.xlsx"), Workbook(tmp_path / "safe.xlsx")
    control_types = [control.data_type(control.sheetnames[0], a1) for a1 in cells]
    assert control_types[0] == "f", "LibreOffice did not evaluate the control: the test would prove nothing"
    assert (control_types[4] == "f") == trim_spaces  # " =1+1" is a formula once spaces are removed
    assert [safe.data_type(safe.sheetnames[0], a1) for a1 in cells] == ["s"] * len(payloads)
    assert [safe.value(safe.sheetnames[0], a1) for a1 in cells] == [for_spreadsheet(p) for p in payloads]


# -- for_terminal ---------------------------------------------------------------------------------------------


def forbidden_on_terminal(ch: str, keep_newlines: bool) -> bool:
    code = ord(ch)
    if ch == "\t" or (ch == "\n" and keep_newlines):
        return False
    return (
        code < 0x20 or 0x7F <= code <= 0x9F or ch in BIDI_CONTROLS or ch in "\u2028\u2029" or 0xD800 <= code <= 0xDFFF
    )


@given(LINES, st.booleans())
def test_for_terminal_output_holds_no_control_no_bidi_no_surrogate(text, keep_newlines):
    out = for_terminal(text, keep_newlines=keep_newlines)
    out.encode("utf-8")
    assert not [ch for ch in out if forbidden_on_terminal(ch, keep_newlines)]
    if keep_newlines:
        assert out.count("\n") == text.count("\n")
    if not any(forbidden_on_terminal(ch, keep_newlines) for ch in text):
        assert out == text


def test_for_terminal_makes_tricks_visible():
    assert for_terminal("某局\x1b[2J\x1b[31m") == "某局␛[2J␛[31m"
    assert for_terminal("进度 50%\r✔ 没有错误") == "进度 50%␍✔ 没有错误"
    assert for_terminal("第一行\n✔ 没有错误") == "第一行␊✔ 没有错误"
    assert for_terminal("第一行\n第二行", keep_newlines=True) == "第一行\n第二行"
    assert for_terminal("abc\u202edcba") == "abc<U+202E>dcba"
    assert for_terminal("\x9b31m\x7f\ud800") == "<U+009B>31m␡\ufffd"


# -- for_filename ----------------------------------------------------------------------------------------------

# Names as they come: long runs of 3- and 4-byte characters, extensions, bytes that are not UTF-8.
RAW_NAMES = st.one_of(
    TEXTS,
    st.builds(lambda a, n, b: a * n + b, TEXTS, st.integers(0, 200), TEXTS),
    st.binary(max_size=300).map(os.fsdecode),
)
SUFFIXES = ["", ".docx", ".md", "年度报告.docx", ".tar.gz", "2021年政府信息公开工作年度报告填报表（导入）（2）.xlsx"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A real directory the names are created in (module-scoped: Hypothesis runs many examples per test)."""
    return tmp_path_factory.mktemp("names")


def assert_valid_name(name: str, max_bytes: int = 255) -> None:
    assert len(name.encode("utf-8")) <= max_bytes
    assert len(name.encode("utf-16-le")) // 2 <= 255
    assert not set(name) & WINDOWS_FORBIDDEN and "\0" not in name
    assert all(ch.isprintable() or ch == " " for ch in name) and not set(name) & BIDI_CONTROLS
    assert name == name.strip(" .") and "  " not in name
    assert name.split(".", 1)[0].rstrip(" ").upper() not in WINDOWS_RESERVED


def create(folder: Path, name: str) -> None:
    path = folder / name
    path.write_bytes(b"")  # Linux accepts it as one path component
    assert path.parent == folder and path.name == name and path.exists()
    path.unlink()


@settings(max_examples=300)
@given(text=RAW_NAMES, suffix=st.sampled_from(SUFFIXES), max_bytes=st.integers(min_value=100, max_value=255))
def test_for_filename_is_a_valid_file_name_within_the_budget(folder, text, suffix, max_bytes):
    name = for_filename(text, suffix, max_bytes)
    assert name.endswith(suffix) and len(name) > len(suffix)
    assert_valid_name(name, max_bytes)
    stem = name[: len(name) - len(suffix)]
    assert stem == stem.strip(" .") and "  " not in stem
    create(folder, name)
    if suffix.endswith((".docx", ".md", ".gz", ".xlsx")):  # the download header's pass changes nothing
        assert for_filename(name, extension=True, max_bytes=max_bytes) == name


EXTENSIONS = st.sampled_from(["", ".xlsx", ".docx", ".tar.gz", ".XLSM", ".a1b2c3d4e5f6g7h8", ".不是扩展名"])


@settings(max_examples=500)
@given(text=RAW_NAMES, ext=EXTENSIONS)
def test_any_name_becomes_a_valid_stable_file_name_keeping_its_extension(folder, text, ext):
    """The issue-22 property: any str → ≤ 255 bytes, printable, no separators/controls, stable, extension kept."""
    name = for_filename(text + ext, extension=True)
    assert_valid_name(name)
    create(folder, name)
    assert for_filename(name, extension=True) == name  # stable: a second pass changes nothing
    assert for_filename(text + ext, extension=True) == name  # and deterministic
    if ext.isascii() and ext:  # the last extension (".gz" of ".tar.gz")
        assert name.endswith("." + ext.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("某某县人民政府办公室", ".docx", "某某县人民政府办公室.docx"),
        ("某某县\n人民政府\t办公室", ".docx", "某某县 人民政府 办公室.docx"),
        ("../../etc/passwd", "", "_.._etc_passwd"),
        ('a\\b/c:d*e?f"g<h>i|j', ".md", "a_b_c_d_e_f_g_h_i_j.md"),
        ("CON", ".docx", "_CON.docx"),
        ("nul.txt", "", "_nul.txt"),
        ("com1", "", "_com1"),
        ("Console", "", "Console"),
        ("\u202egpj.exe", "", "gpj.exe"),
        ("报告\x1b[31m", ".md", "报告_[31m.md"),
        ("\x07报\ue000告", "", "_报_告"),
        (" . . ", ".docx", "未命名.docx"),
        ("", "", "未命名"),
        ("\ud800局", ".md", "\ufffd局.md"),
        (os.fsdecode("某某局".encode("gbk")), ".xlsx", "\ufffd" * 6 + ".xlsx"),  # one � a byte, as display_path
    ],
)
def test_for_filename_examples(text, suffix, expected):
    assert for_filename(text, suffix) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某某局填报表.xlsx", "某某局填报表.xlsx"),
        ("a<b>:c?.xlsx", "a_b__c_.xlsx"),
        ("CON.xlsx", "_CON.xlsx"),
        ("报告 .xlsx", "报告.xlsx"),
        ("报告.这不是扩展名", "报告.这不是扩展名"),
        (".xlsx", "未命名.xlsx"),
        ("", "未命名"),
    ],
)
def test_for_filename_of_a_whole_name_keeps_its_extension(text, expected):
    assert for_filename(text, extension=True) == expected


def test_for_filename_shortens_on_a_character_boundary_and_tells_long_names_apart():
    name = for_filename("某某县人民政府办公室" * 30, "2021年政府信息公开工作年度报告.docx")
    assert len(name.encode("utf-8")) <= 255 and name.endswith("）2021年政府信息公开工作年度报告.docx")
    assert len(name.encode("utf-8")) > 255 - 3  # as long as fits
    assert "…（" in name
    emoji = for_filename("😀" * 100, ".md", max_bytes=40)
    assert emoji.startswith("😀" * 3) and emoji.endswith("）.md") and len(emoji.encode()) <= 40
    combining = for_filename("e\u0301" * 50, "", max_bytes=40)
    assert combining.startswith("\u00e9" * 5) and "e" not in combining.split("…")[0]  # never an "e" without its accent
    # 100 报 and 99 报 + 另: the same first 80 characters, still two names.
    one, two = for_filename("报" * 100 + ".xlsx", extension=True), for_filename("报" * 99 + "另.xlsx", extension=True)
    assert one != two and one.endswith(".xlsx") and two.endswith(".xlsx")
    assert for_filename("报" * 85, "") == "报" * 85  # 255 bytes exactly: kept whole
    second = for_filename("报" * 100, "2021年填报表（导入）（2）.xlsx")
    assert second.endswith("）2021年填报表（导入）（2）.xlsx") and len(second.encode()) <= 255
    assert for_filename("", "2021年填报表.xlsx", default="") == "2021年填报表.xlsx"
    assert for_filename(" ", ".xlsx", default="") == "未命名.xlsx"  # never a hidden file


def test_for_filename_refuses_a_suffix_that_leaves_no_room():
    with pytest.raises(ValueError):
        for_filename("x", ".docx", max_bytes=5)


# -- display_path ------------------------------------------------------------------------------------------------


@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"\0" not in b))
def test_display_path_of_any_bytes_is_valid_utf8_json_and_terminal_safe(raw):
    shown = display_path(os.fsdecode(raw))
    shown.encode("utf-8")
    json.dumps({"file": shown}, ensure_ascii=False).encode("utf-8")
    assert not [ch for ch in shown if forbidden_on_terminal(ch, keep_newlines=False)]
    assert display_path(raw) == shown  # bytes and surrogateescape'd str show alike


@given(TEXTS)
def test_display_path_of_any_str_is_valid_utf8(text):
    display_path(text).encode("utf-8")


def test_display_path_of_a_gbk_name_from_a_windows_zip(tmp_path):
    raw = "各单位/某某局.xlsx".encode("gbk")
    (tmp_path / os.fsdecode(raw.split(b"/")[0])).mkdir()
    (tmp_path / os.fsdecode(raw)).write_bytes(b"")
    (found,) = (tmp_path / os.fsdecode(raw.split(b"/")[0])).iterdir()
    shown = display_path(found)
    shown.encode("utf-8")
    replaced = "\ufffd" * 6  # GBK: two bytes a character, each shown as one replacement character
    assert shown == f"{tmp_path}/{replaced}/{replaced}.xlsx"
    assert display_path("报告\n✔.xlsx") == "报告␊✔.xlsx"


# -- markdown_text ----------------------------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def rendered(markdown: str) -> Tags:
    from markdown_it import MarkdownIt

    # the most permissive common setup: raw HTML allowed, GFM tables and strikethrough on
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    parser = Tags()
    parser.feed(md.render(markdown))
    parser.close()
    return parser


def words(text: str) -> list[str]:
    return text.replace("\0", "\ufffd").split()


@settings(max_examples=400)
@given(LINES)
def test_markdown_text_renders_as_exactly_the_text(text):
    out = markdown_text(text)
    out.encode("utf-8")
    page = rendered(out)
    assert page.tags <= {"p", "br"}, (out, page.tags)
    assert words("".join(page.text)) == words(valid_unicode(text))


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[点此](javascript:alert(1))",
        "![x](http://example.invalid/t.png)",
        "<https://example.invalid>",
        "# 标题\n## 二级",
        "- 列表\n+ 列表\n* 列表\n1. 有序\n2021) 年",
        "> 引用",
        "    缩进代码",
        "```\n代码\n```",
        "~~~\n代码\n~~~",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "**粗体** _斜体_ ~~删除~~ `代码`",
        "文字\n===\n文字\n---",
        "***\n___",
        "&lt;script&gt; &#60; &amp;",
        "[x]: javascript:alert(1)\n[x]",
        "行尾反斜杠\\\n下一行",
    ],
)
def test_markdown_text_keeps_hostile_markdown_as_text(hostile):
    page = rendered(markdown_text(hostile))
    assert page.tags <= {"p", "br"}
    assert words("".join(page.text)) == words(hostile)


# -- quoted_names ------------------------------------------------------------------------------------------------


def test_quoted_names_show_undecodable_names_as_display_path_does():
    gbk = os.fsdecode("某某局报告.html".encode("gbk"))  # Python reads 某 (C4 B3) as “ĳ”
    assert "ĳ" in gbk
    message = f"“{gbk}”是已发布的报告；“/某地/{gbk}”；“正常.xlsx”"
    shown = quoted_names(message)
    replaced = "\ufffd" * 10  # ten GBK bytes, each one �
    assert shown == f"“{replaced}.html”是已发布的报告；“/某地/{replaced}.html”；“正常.xlsx”"
    assert quoted_names("“某某局.xlsx”已损坏") == "“某某局.xlsx”已损坏"


@given(TEXTS, st.binary(max_size=40).map(os.fsdecode))
def test_quoted_names_always_encode_and_leave_text_without_bytes_alone(text, name):
    message = f"{text}“{name}”{text}"
    quoted_names(message).encode("utf-8", "surrogatepass")
    if not any(0xDC80 <= ord(ch) <= 0xDCFF for ch in message):
        assert quoted_names(message) == message


def test_names_and_messages_of_any_length_take_linear_work():
    """10⁶ characters (a hostile 机关名称, a pasted path): cut in linear work, not one encode per dropped character."""
    import time

    from machine import cpu_budget

    start = time.process_time()
    name = for_filename("某" * 500_000 + "e\u0301" * 250_000, "2021年填报表.xlsx")
    quoted_names("“" + "\udc80" * 1_000_000)  # an unclosed quote full of undecodable bytes
    quoted_names("“a" * 500_000 + "\udc80")
    spent = time.process_time() - start
    assert len(name.encode("utf-8")) <= 255 and name.endswith("2021年填报表.xlsx")
    assert spent < cpu_budget(1.5), f"{spent:.2f} s of CPU"


def test_paths_written_as_text_show_undecodable_bytes_as_display_path_does():
    gbk = os.fsdecode("/某地/某某局.xlsx".encode("gbk"))
    shown = "/" + "\ufffd" * 4 + "/" + "\ufffd" * 6 + ".xlsx"
    assert path_text(gbk) == shown and path_text("/正常/甲.xlsx") == "/正常/甲.xlsx"
    data = {"file": gbk, "values": {"previous_file": gbk, "files": [gbk, "甲.xlsx"], "text": gbk}, "files": 2}
    assert path_fields(data) == {
        "file": shown,
        "values": {"previous_file": shown, "files": [shown, "甲.xlsx"], "text": gbk},  # only paths are paths
        "files": 2,
    }
