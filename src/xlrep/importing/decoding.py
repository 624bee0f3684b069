"""Text from a report's bytes: the encoding found (BOM, declaration, UTF-8, GB18030), control characters removed.

Shared by the text and HTML readers (a Markdown report's tables go through the HTML reader: this module keeps
the two from importing each other).
"""

from __future__ import annotations

import codecs
import re

from .document import MAX_TEXT_CHARS, ImportFailed

CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200f\ufeff]")

MAGIC = {
    b"%PDF": "PDF 文件",
    b"PK\x03\x04": "压缩文件（可能是 .docx 或 .xlsx）",
    b"\xd0\xcf\x11\xe0": "旧版 Office 文件（.doc/.xls）",
    b"\x89PNG": "图片（PNG）",
    b"\xff\xd8\xff": "图片（JPEG）",
}


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> str:
    """Text from bytes: a BOM, then the declared encoding, then UTF-8, then GB18030 (which covers GBK and GB2312)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                break
    tries = []
    if declared:
        declared = declared.strip().lower()
        if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn"):
            declared = "gb18030"
        try:
            codecs.lookup(declared)
            tries.append(declared)
        except LookupError:
            pass
    tries += ["utf-8", "gb18030"]
    head = data[:4096]
    if b"\x00" in head:
        kind = next((v for k, v in MAGIC.items() if data.startswith(k)), "二进制文件")
        raise ImportFailed(f"“{name}”不是文本，而是{kind}，无法作为文本报告导入。")
    for codec in tries:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ImportFailed(
        f"“{name}”的文字编码无法识别（既不是 UTF-8，也不是 GBK/GB18030），请另存为 UTF-8 编码的文本后重试。"
    )


def clean(text: str) -> str:
    """Text without control characters, with Windows and old-Mac line ends as ``\\n``, bounded in length."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\t", "    ")
    text = CONTROL.sub("", text)
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFailed("文件中的文字过长（超过 400 万字），不像一份年度报告，已停止读取。")
    return text
