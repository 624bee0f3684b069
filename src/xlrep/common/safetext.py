"""Untrusted text made safe for where it goes: the one place the rest of xlrep calls.

Everything a workbook holds (机关名称, narratives, sheet names) and every file name a
county office receives is hostile input: it may carry formula prefixes, terminal
escape sequences, bidi overrides, lone surrogates, path separators or raw HTML.
Each function here takes such text and returns a ``str`` that is valid Unicode
(encodes as UTF-8) and safe for one destination:

- ``valid_unicode``: lone surrogates → U+FFFD (valid pairs are joined); the basis of all others.
- ``one_line``: any run of whitespace (newlines, tabs, U+3000 …) → one space, trimmed.
- ``for_spreadsheet``: a CSV cell, or text written into an .xlsx that is not xlrep's template
  (OWASP CSV/formula injection).
- ``for_terminal``: a message or name printed on a terminal (no control sequences, no bidi tricks).
- ``for_filename``: THE file name maker — every name xlrep writes, offers or uses for a temporary file
  (≤ 255 bytes, printable, extension kept, shortened names told apart; Linux and Windows).
- ``display_path``: a path to show a person (a GBK name from a Windows zip shows its undecodable bytes as �).
- ``path_text``: a path written as text (JSON, CSV): undecodable bytes as ``display_path`` shows them.
- ``quoted_names``: a message whose “quoted” file names are shown as ``display_path`` shows them.
- ``markdown_text``: text placed in a Markdown document, rendered as the same text (no markup, no HTML).

The functions are pure and cheap (no imports beyond the standard library).
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = [
    "display_path",
    "for_filename",
    "for_spreadsheet",
    "for_terminal",
    "markdown_text",
    "one_line",
    "path_fields",
    "path_text",
    "quoted_names",
    "valid_unicode",
]

_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (a high+low pair becomes its one character).

    A ``str`` holding a surrogate cannot be encoded as UTF-8: JSON, CSV, Word and the
    terminal all fail on it. Surrogates arrive from OOXML escapes (``_xD800_``) and from
    file names that are not valid UTF-8 (``surrogateescape``).
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def one_line(text: str) -> str:
    """Every run of whitespace (newline, tab, CR, U+2028, U+3000 …) as one space, without leading/trailing space.

    For a 机关名称 used in a title, a table cell or a file name: a clerk's line break
    inside the cell must not break the line it is put on.
    """
    return " ".join(valid_unicode(text).split())


# -- spreadsheets (CSV cells, text in foreign .xlsx) -------------------------------------------

# OWASP "CSV Injection": a cell starting with one of these is taken as a formula (or DDE) by
# Excel, LibreOffice or WPS. The full-width forms are included because CJK input methods type
# them and WPS/Excel in a Chinese locale may convert them on entry; NUL is in OWASP ASVS 1.2.10.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\0＝＋－＠")


def _invisible(ch: str) -> bool:
    """Whitespace, control or format characters a spreadsheet program may skip before the formula sign."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def for_spreadsheet(text: str) -> str:
    """``text`` as a spreadsheet cell that can never become a formula: a leading ``'`` when needed.

    OWASP's rule is a ``'`` before a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
    CR. We also prefix when such a sign follows leading whitespace or invisible characters
    (LibreOffice's CSV import can trim spaces, and " =1+1" then becomes a formula) and for the
    full-width signs and NUL. The ``'`` shows in the cell: that is the price OWASP accepts.
    Use this for text only — write numbers as numbers (``-3`` would become ``'-3``).
    """
    text = valid_unicode(text)
    i = 0
    while i < len(text) and _invisible(text[i]) and text[i] not in FORMULA_TRIGGERS:
        i += 1
    if i < len(text) and text[i] in FORMULA_TRIGGERS:
        return "'" + text
    return text


# -- terminals ---------------------------------------------------------------------------------

# Bidirectional formatting characters (Trojan Source, CVE-2021-42574): embeddings and overrides
# U+202A–U+202E, isolates U+2066–U+2069, marks U+200E/U+200F/U+061C.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _terminal_char(ch: str, keep_newlines: bool) -> str:
    code = ord(ch)
    if ch == "\t" or (ch == "\n" and keep_newlines):
        return ch
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ for ESC, ␇ for BEL, ␊ for newline …
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= code <= 0x9F or ch in BIDI_CONTROLS or ch in "\u2028\u2029":
        return f"<U+{code:04X}>"
    return ch


_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


def for_terminal(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe to print: no control sequence can act, no bidi control can reorder what is shown.

    Made visible rather than removed, so a tampered name looks tampered: C0 controls and DEL
    become their control pictures (ESC → ``␛``, so an escape sequence prints as harmless
    ``␛[31m``; CR → ``␍``, so nothing can overwrite a line); C1 controls, the bidi controls
    and U+2028/U+2029 become ``<U+202E>``. Tab stays. A newline stays only with
    ``keep_newlines=True`` (a multi-line report); otherwise it shows as ``␊`` so a message
    cannot forge a line of xlrep's output. Lone surrogates become U+FFFD.
    """
    text = valid_unicode(text)
    if not _TERMINAL_UNSAFE.search(text):
        return text
    return "".join(_terminal_char(ch, keep_newlines) for ch in text)


# -- file names --------------------------------------------------------------------------------

WINDOWS_FORBIDDEN = frozenset('\\/:*?"<>|')
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]]
)
FALLBACK_NAME = "未命名"
#: A file name's limit on Linux (bytes) and Windows (UTF-16 units): 85 Chinese characters are 255 bytes.
NAME_MAX = 255
#: Where a name was shortened: the mark, then 8 hex digits of the full name's hash in （）.
SHORTENED = "…"
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,16}$")


def _filename_char(ch: str) -> str:
    if ch in WINDOWS_FORBIDDEN:
        return "_"
    if ch.isspace():
        return " "
    if ch.isprintable():
        return ch
    if unicodedata.category(ch) == "Cf":  # bidi overrides, zero-width and other invisible format characters
        return ""
    return "_"  # controls (ESC, BEL, NUL …), private use, unassigned: replaced so a tampered name looks tampered


def _fits(name: str, max_bytes: int) -> bool:
    return len(name.encode("utf-8")) <= max_bytes and len(name.encode("utf-16-le")) // 2 <= NAME_MAX


def _decoded(text: str) -> str:
    """Valid Unicode; a name that was not UTF-8 (``surrogateescape``) shows each non-ASCII byte as U+FFFD,
    as ``display_path`` shows it (no half-decoded mojibake such as GBK 某 read as UTF-8 ``ĳ``)."""
    if not _SURROGATE.search(text):
        return text
    try:
        return _component(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a surrogate that is not surrogateescape's
        return valid_unicode(text)


def _clean_name(text: str) -> str:
    """Each character mapped, whitespace runs as one space, no space at either end (dots are left)."""
    name = "".join(_filename_char(ch) for ch in unicodedata.normalize("NFC", _decoded(text)))
    return " ".join(name.split())


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def for_filename(
    text: str,
    suffix: str = "",
    max_bytes: int = NAME_MAX,
    *,
    extension: bool = False,
    default: str = FALLBACK_NAME,
) -> str:
    """The one function that makes a file name (one path component), valid on Linux and Windows.

    Every file xlrep writes or offers (outputs, downloads, temporary files named after an upload,
    folders named after a unit) is named here. ``text`` is untrusted: a 机关名称, an uploaded
    file's name, a path component that is not UTF-8 (``surrogateescape``). The result:

    - is at most ``max_bytes`` UTF-8 bytes (Linux: 255, i.e. 85 Chinese characters) and 255
      UTF-16 units (Windows), always ending in ``suffix`` (trusted: ``".xlsx"``,
      ``"2021年政府信息公开工作年度报告填报表（导入）（2）.xlsx"``); with ``extension=True`` the
      text's own extension (``.xlsx``) is kept too;
    - keeps every printable character; an undecodable byte shows as U+FFFD (never an error);
      ``\\ / : * ? " < > |``, controls (ESC, NUL …), private-use and unassigned characters become
      ``_``; invisible format characters (bidi overrides, zero-width) are dropped; any whitespace
      run is one space; no leading or trailing dots or spaces; a Windows device name (``CON``,
      ``nul.txt`` …) gets a leading ``_``; an empty name becomes ``default`` (``default=""``: the
      suffix alone, when there is one);
    - when too long, is shortened on a character boundary (a combining mark stays with its base)
      and marked ``…（1a2b3c4d）`` (8 hex digits of the full text's hash), so two long names that
      differ only after the cut still get different names;
    - is stable: a name made here passes unchanged through ``for_filename(name, extension=True)``
      (which ``Content-Disposition`` applies to every download name).
    """
    if not _fits(f"x{SHORTENED}（00000000）{suffix}", max_bytes):
        raise ValueError(f"suffix {suffix!r} leaves no room in {max_bytes} bytes")
    name = _clean_name(text)
    if extension:
        match = _EXTENSION.search(name)
        if match is not None:
            name, suffix = name[: match.start()], match.group() + suffix
    name = name.strip(" .") or _clean_name(default).strip(" .")
    end = suffix
    if not name and (not end or end[0] in " ."):  # never a hidden file (".xlsx") or an empty name
        name = FALLBACK_NAME
    if _fits(_reserved_safe(name + end), max_bytes):
        return _reserved_safe(name + end)
    mark = f"{SHORTENED}（{_digest(text)}）"
    name = name[: max_bytes + 1]  # every character is at least one byte: work bounded whatever the text's length
    while True:
        # Drop whole characters from the end (a combining mark goes with its base), then tidy again.
        cut = len(name) - 1
        while cut > 0 and unicodedata.combining(name[cut]):
            cut -= 1
        name = unicodedata.normalize("NFC", name[:cut]).rstrip(" .")
        full = _reserved_safe((name or "_") + mark + end)
        if _fits(full, max_bytes):
            return full


def _reserved_safe(name: str) -> str:
    """``name`` with a leading ``_`` when Windows would take it for a device (``CON``, ``com1.txt`` …)."""
    if name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        return "_" + name
    return name


# -- paths to show -----------------------------------------------------------------------------


def _component(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # not UTF-8 at all: each non-ASCII byte is one "�" (no half-decoded mojibake)
        return "".join(chr(b) if b < 0x80 else "\ufffd" for b in raw)


def display_path(path: str | bytes | os.PathLike) -> str:
    """A path as shown to a person: valid UTF-8, undecodable names with ``�``, safe on a terminal.

    On Linux a file name that is not UTF-8 (a GBK name unpacked from a Windows zip) arrives
    as a ``str`` with ``surrogateescape`` code points; printing or writing it to JSON/CSV
    would fail. Each path component that is not valid UTF-8 is shown with one U+FFFD per
    non-ASCII byte (``各单位/某某局.xlsx`` in GBK shows as ``������/������.xlsx``);
    control and bidi characters become visible as in ``for_terminal``. Use the original
    path to open the file — this is for display only.
    """
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate that is not surrogateescape's: not bytes at all
        text = valid_unicode(os.fspath(path))
    else:
        text = "".join(_component(part) for part in re.split(rb"([/\\])", raw))
    return for_terminal(text)


def path_text(path: str | os.PathLike) -> str:
    """A file name or path written as text (JSON, CSV, a table column): unchanged when it is valid Unicode;
    one that holds undecodable bytes (``surrogateescape``) as ``display_path`` shows it, each byte a ``�``."""
    text = os.fspath(path)
    return display_path(text) if _SURROGATE.search(text) else text


#: The keys under which xlrep's JSON, CSV and findings hold paths (a path, or a list of paths for ``files``).
PATH_KEYS = frozenset({"file", "files", "source", "output", "previous_file", "used"})


def path_fields(value, key: str = ""):
    """``value`` (JSON-like data) with every path under a key of ``PATH_KEYS`` through ``path_text``."""
    if isinstance(value, dict):
        return {k: path_fields(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [path_fields(v, key) for v in value]
    if isinstance(value, str) and key in PATH_KEYS:
        return path_text(value)
    return value


_QUOTED = re.compile("“([^“”]*)”")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def quoted_names(message: str) -> str:
    """``message`` with each “quoted” file name that holds undecodable bytes shown as ``display_path`` shows it.

    xlrep's messages quote every file name in “”; a name that is not UTF-8 arrives as ``surrogateescape``
    text, where Python has already read some GBK byte pairs as UTF-8 (某 → ``ĳ``). Shown through
    ``display_path`` instead, every non-ASCII byte of such a name is one ``�``, as on every other line.
    Applied once where messages are made (``XlrepError``, ``Rule.finding``).
    """
    if not _SURROGATE.search(message):
        return message

    def shown(m: re.Match) -> str:
        return f"“{display_path(m.group(1))}”" if _ESCAPED_BYTE.search(m.group(1)) else m.group()

    return _QUOTED.sub(shown, message)


# -- Markdown ----------------------------------------------------------------------------------

# Characters that start Markdown inline syntax anywhere (CommonMark + GFM tables/strikethrough)
# or raw HTML/entities. Backslash-escaping any ASCII punctuation is always literal in CommonMark.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
# Line starts that open a block: headings, lists, quotes, thematic breaks, setext underlines,
# ordered-list numbers ("2021." / "3)"), fenced code.
_MD_LINE_START = re.compile(r"^([#+\-=]|\d{1,9}(?=[.)]))")


def _md_line(line: str) -> str:
    line = line.lstrip(" \t")  # 4 leading spaces would open a code block
    line = _MD_INLINE.sub(r"\\\1", line)
    m = _MD_LINE_START.match(line)
    if m is None:
        return line
    if m.group(1)[0].isdigit():
        end = m.end()
        return line[:end] + "\\" + line[end:]  # "2021\. 年" keeps the number, loses the list
    return "\\" + line


def markdown_text(text: str) -> str:
    """``text`` for a Markdown document, so that any Markdown renderer shows exactly this text.

    Raw HTML (``<script>``, ``<img onerror=…>``), entities, links ``[x](javascript:…)``,
    emphasis, code, tables, headings (``# ``), lists, quotes and thematic breaks are all
    neutralised with CommonMark backslash escapes; leading spaces are removed (they would
    open a code block). Lines stay lines; use ``one_line`` first for a table cell or heading.
    """
    text = valid_unicode(text).replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    return "\n".join(_md_line(line) for line in text.split("\n"))
