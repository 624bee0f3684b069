"""What a number cell holds, as a spreadsheet's SUM would see it.

The reader records each input cell as stored (``RawCell``); ``interpret`` says what
kind of content that is and which number, if any, the tables may use. The VALUE-*
rules judge the kinds; the table rules use the numbers. A formula typed into an
input cell counts with its cached result, as the spreadsheet shows it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .form import Cell

MAX_COUNT = 999_999_999  # the template's validation limit for counts
MAX_AMOUNT = 1e12
MAX_TEXT = 32_767  # characters in one cell: Excel's limit (WPS and LibreOffice keep to it in .xlsx)

# Kinds of content of a number cell.
BLANK, NUMBER, TEXT, BOOLEAN, DATE, ERROR_VALUE = "blank", "number", "text", "boolean", "date", "error"
NO_RESULT = "no_result"  # a formula without a stored result
NOT_FINITE = "not_finite"  # NaN, infinity, or something that is no number at all
IMPLAUSIBLE = "implausible"  # beyond any real figure (and beyond the template's validation)
TINY = "tiny"  # not 0, yet smaller than any count or amount (float noise, a crafted 1e-320)
MALFORMED = "malformed"  # stored in a form no spreadsheet program writes (xlsx.Anomaly)
MIN_MAGNITUDE = 1e-9  # a fen in 万元 is 1e-6


@dataclass(frozen=True)
class RawCell:
    """A cell as stored in the file: ``value`` (``=FORMULA`` for formulas), ``data_type``, the cached result."""

    value: object
    data_type: str  # n number, s text, b boolean, e error, d date, f formula
    cached: object = None


@dataclass(frozen=True)
class Interpreted:
    kind: str
    number: float | int | None  # what the tables use (None: nothing usable)
    shown: object  # what was judged: the value, or a formula's cached result
    formula: str | None = None  # a formula typed into the input cell

    def limit(self, cell: Cell) -> float:
        return MAX_AMOUNT if cell.kind == "amount" else MAX_COUNT


def interpret(cell: Cell, raw: RawCell) -> Interpreted:
    value, formula = raw.value, None
    if raw.data_type == "x":
        return Interpreted(MALFORMED, None, value)
    if raw.data_type == "e":
        return Interpreted(ERROR_VALUE, None, value)
    if isinstance(value, str) and value.startswith("="):
        formula, value = value, raw.cached
        if value is None or value == "" or (isinstance(value, str) and value.startswith("#")):
            return Interpreted(NO_RESULT, None, value, formula)
    kind, number = _kind(cell, value)
    return Interpreted(kind, number, value, formula)


def _kind(cell: Cell, value: object) -> tuple[str, float | int | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK, None
    if isinstance(value, bool):
        return BOOLEAN, None
    if isinstance(value, (datetime, date, time, timedelta)):
        return DATE, None
    if isinstance(value, str):
        return TEXT, None
    if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        return NOT_FINITE, None
    limit = MAX_AMOUNT if cell.kind == "amount" else MAX_COUNT
    if abs(value) > limit:
        return IMPLAUSIBLE, None
    if 0 < abs(value) < MIN_MAGNITUDE:
        return TINY, None
    number = int(value) if float(value).is_integer() and abs(value) < 2**53 else value
    return NUMBER, number
