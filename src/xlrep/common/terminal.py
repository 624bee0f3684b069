"""Lines on a terminal: how wide text shows, and printing every line through ``safetext.for_terminal``.

Messages quote workbook text (机关名称, narrative sentences, sheet names) and file names;
a control sequence or bidi override in them is shown, never acted on. No Click or Typer here:
the site and the library import this module too (the command line's own screens are in ``xlrep.cli``).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from typing import TextIO

from .safetext import for_terminal, quoted_names

_COLOURS = {"red": 31, "green": 32, "yellow": 33, "cyan": 36}


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal (or in a monospaced grid): wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def say(text: str = "", *, nl: bool = True, fg: str | None = None, bold: bool = False, dim: bool = False) -> None:
    """One line (or more) on standard error, coloured on a terminal when asked (``fg``, ``bold``, ``dim``).
    A “quoted” file name that is not UTF-8 shows each of its bytes as �."""
    _write(sys.stderr, text, nl=nl, fg=fg, bold=bold, dim=dim)


def out(text: str = "", *, nl: bool = True) -> None:
    """Text on standard output (the report, the JSON): control characters made visible, lines kept."""
    _write(sys.stdout, text, nl=nl)


def _write(stream: TextIO | None, text: str, *, nl: bool, fg=None, bold=False, dim=False) -> None:
    if stream is None:  # pythonw: no console at all
        return
    line = for_terminal(quoted_names(text), keep_newlines=True)
    if line and (fg or bold or dim) and _colours(stream):
        codes = ([str(_COLOURS[fg])] if fg else []) + (["1"] if bold else []) + (["2"] if dim else [])
        line = f"\x1b[{';'.join(codes)}m{line}\x1b[0m"
    if nl:
        line += "\n"
    try:
        stream.write(line)
    except UnicodeEncodeError:  # a terminal that cannot show Chinese (a legacy code page): UTF-8 bytes, never a crash
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(line.encode("ascii", "backslashreplace").decode("ascii"))
        else:
            stream.flush()
            buffer.write(line.encode("utf-8", "replace"))
    stream.flush()


def _colours(stream: TextIO) -> bool:
    """Colour only on a terminal, and not when NO_COLOR asks for none (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
