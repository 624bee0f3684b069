"""Computed cells evaluated in Python, exactly as the template's formulas compute them.

Each computed cell is described once (``computed``); this module evaluates those descriptions
(``cellexpr.evaluate``), ``formulas`` writes them as formulas. The totals use SUM, which ignores text and
blank cells; ``live_states`` gives, for each row of the 校验 sheet, the very text the spreadsheet shows
(``✔`` / ``✘ 差3`` / ``✘ 2个``), and ``overall_status`` the text of the status cell. Tests prove that a
real spreadsheet program computes the same from the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..edition.form import Form
from .cellexpr import ALL_PASSED, PASS, evaluate
from .computed import LIVE_PREFIX, computed_cells


def compute_totals(form: Form, values: Mapping[str, object]) -> dict[str, float | int]:
    """Every total cell of the form, recomputed from the input values."""
    env = dict(values)
    out: dict[str, float | int] = {}
    for cell in computed_cells(form):
        if cell.kind == "total":
            out[cell.key] = env[cell.key] = evaluate(cell.expr, env)
    return out


def all_values(form: Form, values: Mapping[str, object]) -> dict[str, object]:
    """The input values with every total recomputed (totals in ``values`` are ignored)."""
    merged = {k: v for k, v in values.items() if k in form.cells and not form.cells[k].is_total}
    merged.update(compute_totals(form, values))
    return merged


def computed_values(
    form: Form, values: Mapping[str, object], *, drafts: bool = True, full: Mapping[str, object] | None = None
) -> dict[str, object]:
    """What every computed cell shows, by its id (``computed``): totals, checks, ``live.<id>``, ``status``
    and, unless ``drafts`` is false, ``draft.<part key>``; ``full``: ``all_values`` if already made."""
    env = dict(all_values(form, values) if full is None else full)
    out: dict[str, object] = {}
    for cell in computed_cells(form):
        if cell.kind == "total":
            out[cell.key] = env[cell.key]
        elif cell.kind == "draft" and not drafts:
            continue
        else:
            out[cell.key] = env[cell.key] = evaluate(cell.expr, env)
    return out


def live_states(form: Form, values: Mapping[str, object]) -> dict[str, str]:
    """The text each live check cell shows, keyed by live check id."""
    shown = computed_values(form, values, drafts=False)
    return {key.removeprefix(LIVE_PREFIX): v for key, v in shown.items() if key.startswith(LIVE_PREFIX)}


def overall_status(states: Mapping[str, str]) -> str:
    failed = sum(1 for s in states.values() if s != PASS)
    return ALL_PASSED if failed == 0 else f"{failed} 项未通过"
