"""A1 cell references: the one place for column-letter arithmetic.

openpyxl.utils.cell and xlsxwriter.utility have the same functions, but importing either costs 70–290 ms
(each imports its whole package), more than reading a workbook; these few lines are cheaper than that.
"""

from __future__ import annotations

import re

_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_a1(ref: str) -> tuple[int, int] | None:
    """``B12`` (or ``$B$12``, or a range ``B12:C14``: its first cell) → (row 12, column 2); None for what is not
    a cell reference."""
    m = _A1.fullmatch(ref.split(":", 1)[0])
    return (int(m.group(2)), column_number(m.group(1))) if m else None
