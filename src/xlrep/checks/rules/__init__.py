"""The rule catalogue: every rule a class, registered once (``rules.base``).

The registry is the single source of rule IDs, severities and titles: the audit runs
it, the workbook's 填报说明 sheet lists its filling rules, the README's rule table is
generated from it and the tests read their expectations from it. Modules are loaded
in the order of the reference catalogue (checks.md), which is the catalogue order.
"""

from __future__ import annotations

from ...common.findings import SEVERITY_NAMES
from .base import Context, Rule, register, registry, rule, run


def filling_rules(form) -> list[Rule]:
    """The rules a clerk acts on while filling in a workbook of ``form`` (listed on 填报说明)."""
    return [r for r in registry().values() if r.filling and r.applies(form)]


def markdown_table() -> str:
    """The catalogue as the README shows it: one row per rule, in catalogue order."""
    rows = ["| 规则编号 | 严重程度 | 要求 |", "|---|---|---|"]
    for r in registry().values():
        rows.append(f"| `{r.id}` | {SEVERITY_NAMES[r.severity]} | {r.title} |")
    return "\n".join(rows) + "\n"


__all__ = [
    "SEVERITY_NAMES",
    "Context",
    "Rule",
    "filling_rules",
    "markdown_table",
    "register",
    "registry",
    "rule",
    "run",
]
