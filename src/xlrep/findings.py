"""Findings: what a check found, where, and with which values (the audit's data model)."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class CellRef:
    sheet: str
    cell: str  # A1 address
    label: str  # human label, e.g. "（七）总计 × 自然人"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "label": self.label}

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.label}".rstrip()


@dataclass
class Finding:
    """One finding of one rule. ``severity`` defaults to the rule's (``rules.rule(id).severity``)."""

    rule: str
    message: str
    cells: list[CellRef] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    severity: str = ""

    def __post_init__(self) -> None:
        from .rules import registry  # the catalogue is the one source of IDs and severities

        known = registry()
        if self.rule not in known:
            raise ValueError(f"unknown rule {self.rule}")
        if not self.severity:
            self.severity = known[self.rule].severity

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "cells": [c.as_dict() for c in self.cells],
            "values": self.values,
        }


def summarize(findings: list[Finding]) -> dict[str, int]:
    return {
        "errors": sum(1 for f in findings if f.severity == ERROR),
        "warnings": sum(1 for f in findings if f.severity == WARNING),
        "infos": sum(1 for f in findings if f.severity == INFO),
    }
