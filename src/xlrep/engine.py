"""Totals and live checks computed in Python, exactly as the template's formulas do.

The template's formulas use SUM, which ignores text and blank cells; so does
``compute_totals``. ``live_states`` gives, for each row of the 校验 sheet, the very
text the spreadsheet shows (``✔`` / ``✘ 差3`` / ``✘ 2个``), and ``overall_status``
the text of the status cell. Tests prove that a real spreadsheet program computes
the same from the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

from .form import Form
from .layout import live_items

PASS = "✔"
FAIL = "✘"
ALL_PASSED = "全部通过"


def as_number(value: object) -> float | int | None:
    """The value a spreadsheet's SUM would add: numbers only (not booleans, text or blanks)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


#: Below this a fraction is written with an exponent (LibreOffice writes 1E-015 from 1e-15 on, 0.0000000001 above).
EXPONENT_BELOW = 1e-10


def format_number(value: float | int) -> str:
    """A number as a spreadsheet shows it when joined to text with ``&``: 15 significant digits, no exponent
    for fractions down to ``EXPONENT_BELOW`` (no figure of a report comes near; a crafted 1e-300 stays short)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    text = format(value, ".15g")
    if "e" in text and EXPONENT_BELOW <= abs(value) < 1:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text


#: The most decimals a number joined into text is shown with (amounts as typed: 万元 to 6 decimals is 1 分).
MOST_DECIMALS = 6


def number_text(value: float | int, most: int = MOST_DECIMALS) -> str:
    """A number as the template's formulas write it into text (``number_text_formula``): with as many
    decimals as it has, at most ``most`` (0: rounded to a whole number), never a binary-float artefact
    (73745.65, not 73745.64999999999) and the same in every spreadsheet program.

    The formula scales the number by 10^most and rounds it to a whole number ``r`` (ROUND), counts the
    trailing zeros of ``r`` (ROUND(r,-k)=r), and shows r / 10^most with FIXED to the decimals left.
    """
    from decimal import ROUND_HALF_UP, Decimal

    if most == 0:
        shown = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return "0" if shown == 0 else format(shown, "f")
    r = int(Decimal(value * 10**most).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if r == 0:
        return "0"
    decimals = most
    while decimals and r % 10 ** (most - decimals + 1) == 0:
        decimals -= 1
    return format(Decimal(r).scaleb(-most).quantize(Decimal(1).scaleb(-decimals)), "f")


def number_text_formula(expr: str, most: int = MOST_DECIMALS) -> str:
    """The formula text of ``expr`` shown as ``number_text`` shows it: FIXED, ROUND and IF only (classic
    functions every spreadsheet program computes alike; ``&`` alone writes 15 to 17 digits, by program)."""
    if most == 0:
        return f"FIXED({expr},0,TRUE)"
    r = f"ROUND(({expr})*1{'0' * most},0)"
    decimals = str(most)
    for k in range(most - 1, -1, -1):  # k decimals when r ends in (most - k) zeros
        decimals = f"IF({r}=ROUND({r},-{most - k}),{k},{decimals})"
    return f"FIXED({r}/1{'0' * most},{decimals},TRUE)"  # r, not expr: a binary tie is rounded once, by ROUND


def shown_zero(value: float | int, most: int = MOST_DECIMALS) -> bool:
    """Whether ``value`` rounds to 0 at ``most`` decimals (a check whose difference is only float noise passes)."""
    from decimal import ROUND_HALF_UP, Decimal

    return Decimal(value * 10**most).quantize(Decimal(1), rounding=ROUND_HALF_UP) == 0


def difference(left: float | int, right: float | int) -> float | int:
    """``left - right`` as Excel and LibreOffice compute it: a result lost in rounding noise is 0.

    Both programs snap a subtraction whose result is tiny relative to its operands
    to exactly 0 (10.1 + 0.2 − 10.3 is 0 there, −1.8e-15 in plain floating point).
    """
    d = left - right
    if d and abs(d) <= max(abs(left), abs(right)) * 2.0**-48:
        return 0
    return d


def compute_totals(form: Form, values: Mapping[str, object]) -> dict[str, float | int]:
    """Every total cell of the form, recomputed from the input values."""
    out: dict[str, float | int] = {}
    for cell in form.totals:
        total: float | int = 0
        for key in cell.sum_of:
            v = out[key] if key in out else as_number(values.get(key))
            if v is not None:
                total += v
        out[cell.key] = total
    return out


def all_values(form: Form, values: Mapping[str, object]) -> dict[str, object]:
    """The input values with every total recomputed (totals in ``values`` are ignored)."""
    merged = {k: v for k, v in values.items() if k in form.cells and not form.cells[k].is_total}
    merged.update(compute_totals(form, values))
    return merged


def _side(keys, full) -> float | int:
    total: float | int = 0
    for key in keys:
        v = as_number(full.get(key))
        if v is not None:
            total += v
    return total


def live_states(form: Form, values: Mapping[str, object]) -> dict[str, str]:
    """The text each live check cell shows, keyed by live check id."""
    full = all_values(form, values)
    states: dict[str, str] = {}
    for check in form.checks:
        diff = _side(check.left, full) - _side(check.right, full)
        states[check.id] = PASS if shown_zero(diff) else f"{FAIL} 差{number_text(diff)}"
    for item in live_items(form):
        if item.id in states:
            continue
        table, what = item.id.split(".")
        cells = form.table_inputs(table)
        if what == "value_text":
            n = sum(1 for c in cells if isinstance(values.get(c.key), str))
        else:  # value_negative
            n = sum(
                1 for c in cells if c.kind != "signed" and (v := as_number(values.get(c.key))) is not None and v < 0
            )
        states[item.id] = PASS if n == 0 else f"{FAIL} {n}个"
    return states


def overall_status(states: Mapping[str, str]) -> str:
    failed = sum(1 for s in states.values() if s != PASS)
    return ALL_PASSED if failed == 0 else f"{failed} 项未通过"
