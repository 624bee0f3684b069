"""Whether an upload belongs to the unit and the round it came by: the ROUND-* findings (``rules/collection``).

The site issues each unit a workbook marked with the round's and the unit's codes (``xlrep.round``,
``xlrep.unit``: document properties and the hidden sheet, so a re-save by WPS, Excel or LibreOffice keeps at
least one). At upload the worker reports what the file says of itself; this compares it with the link it came
by. The codes are not secrets (a unit's link token never goes into a file): ``<site>.r<round>``, ``<site>.u<unit>``.
"""

from __future__ import annotations

import unicodedata

from ..checks.rules import rule
from ..common.findings import SEVERITY_ORDER
from ..common.published_formats import PUBLISHED_SUFFIXES
from .records import place_name


def round_code(site_id: str, round_id: int) -> str:
    return f"{site_id}.r{round_id}"


def unit_code(site_id: str, unit_id: int) -> str:
    return f"{site_id}.u{unit_id}"


def issued_to(site_id: str, rnd, unit) -> dict[str, str]:
    """The identity written into the workbook the site issues to ``unit`` for ``rnd``."""
    return {"xlrep.round": round_code(site_id, rnd.id), "xlrep.unit": unit_code(site_id, unit.id)}


def same_name(a: str, b: str) -> bool:
    """机关名称 compared as a clerk reads them: full-width and half-width alike, brackets alike, no spaces."""
    return _plain(a) == _plain(b)


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    text = text.replace("〔", "(").replace("〕", ")").replace("【", "(").replace("】", ")")
    return "".join(ch for ch in text if not ch.isspace())


def round_findings(
    site_id: str, rnd, unit, units: list, outcome: dict, filename: str, offices: tuple[str, ...] = ()
) -> list[dict]:
    """The ROUND-* findings of an upload (``outcome`` of ``audits.check``) on ``unit``'s link in ``rnd``.

    ``units`` are the round's units (to name the unit another unit's workbook was issued to); ``offices``, for a
    lower office's line: the name of the round's own office and that of the office the line stands for."""
    audit, belongs = outcome["audit"], outcome.get("belongs") or {}
    if outcome.get("error"):  # unreadable: its FILE-UNREADABLE says what to do
        return []
    kind = _kind_findings(unit, audit, belongs, filename)
    if kind == [] and unit.is_lower and belongs.get("merged"):
        return _office_findings(unit, audit, offices)
    if kind is not None:
        return kind
    found: list[dict] = []
    wrong_year = audit.get("year") is not None and audit["year"] != rnd.year
    if wrong_year or audit["edition"] != rnd.edition:
        found.append(
            rule("ROUND-YEAR")
            .finding(
                values={"year": audit.get("year"), "edition": audit["edition"]},
                found=_describe(audit.get("year"), audit["edition"]),
                expected=_describe(rnd.year, rnd.edition),
                year=rnd.year,
            )
            .as_dict()
        )
    issued_round, issued_unit = belongs.get("round"), belongs.get("unit")
    this_round = round_code(site_id, rnd.id)
    if issued_round and issued_round != this_round:
        found.append(
            rule("ROUND-OTHER-ROUND").finding(values={"issued_round": issued_round}, round=rnd.title).as_dict()
        )
    elif issued_unit and issued_unit != unit_code(site_id, unit.id):
        other = next((u.name for u in units if unit_code(site_id, u.id) == issued_unit), "另一个单位")
        found.append(
            rule("ROUND-OTHER-UNIT").finding(values={"issued_to": other}, other=other, unit=unit.name).as_dict()
        )
    org = outcome.get("org_name")
    if org and not found and not same_name(org, unit.name):  # another unit's or round's file: said above
        cells = [belongs["org_cell"]] if belongs.get("org_cell") else []
        if _plain(unit.name) in _plain(org) or _plain(org) in _plain(unit.name):
            # 财政局 on the list, 某某县财政局 in the report (or the other way round): most likely the same unit
            finding = rule("ROUND-ORG-NAME").finding(
                "partial", values={"org_name": org}, severity="warning", found=org, unit=unit.name
            )
        else:
            finding = rule("ROUND-ORG-NAME").finding(values={"org_name": org}, found=org, unit=unit.name)
        found.append({**finding.as_dict(), "cells": cells})
    if not issued_round and not issued_unit and not found:
        found.append(rule("ROUND-OUTSIDE").finding().as_dict())
    return found


def _kind_findings(unit, audit: dict, belongs: dict, filename: str) -> list[dict] | None:
    """The findings of an upload that is not a unit's workbook of a template (a published report, an unknown
    file), or is a 汇总 (right only on a lower office's line), or is not one where a 汇总 is due; None: go on."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in PUBLISHED_SUFFIXES:  # a workbook made from one by `xlrep import` is a workbook: checked as such
        kind = suffix.lstrip(".") or "报告"
        return [rule("ROUND-PUBLISHED").finding(kind=kind).as_dict()]
    if audit.get("edition") is None:  # not recognised as a template at all: the audit says so
        return []
    if unit.is_lower:  # a lower office sends its 汇总: checked by the HIER-* rules (``audits.check_lower_office``)
        return [] if belongs.get("merged") else [rule("ROUND-NOT-MERGED").finding(unit=unit.name).as_dict()]
    if belongs.get("merged"):  # a 汇总 of several units (`xlrep merge`, a site's download), not this unit's report
        return [rule("ROUND-MERGED").finding(values={"units": belongs["merged"]}, count=belongs["merged"]).as_dict()]
    return None


def _office_findings(unit, audit: dict, offices: tuple[str, ...]) -> list[dict]:
    """A 汇总 on a lower office's line made by the round's own office (its earlier 汇总: never a lower one, so
    that office would count as nothing) or by an office whose name is not the line's (a wrong file: that office
    counted twice). A short name on the list (丙县 for 丙县政务公开办) is the same office."""
    found = ((audit.get("lower") or {}).get("office") or "").strip()
    own, *line = offices or ("",)
    if not found:  # a 汇总 that does not say which office made it (an older one): nothing to compare
        return []
    if own and same_name(found, own):
        finding = rule("ROUND-ORG-NAME").finding("own_summary", values={"office": found}, found=found, unit=unit.name)
        return [finding.as_dict()]
    names = [place_name(n) for n in (unit.name, *line) if n]
    if any(n in place_name(found) or place_name(found) in n for n in names if n):
        return []
    finding = rule("ROUND-ORG-NAME").finding(
        "other_office", values={"office": found}, severity="warning", found=found, unit=unit.name
    )
    return [finding.as_dict()]


def _describe(year: int | None, edition: str | None) -> str:
    parts = [f"{year} 年度" if year else "", f"{edition}年版格式" if edition else ""]
    return "、".join(p for p in parts if p)


def with_round_findings(audit: dict, found: list[dict]) -> dict:
    """``audit`` with ``found`` added first (errors lead) and its summary counted again."""
    if not found:
        return audit
    findings = found + [f for f in audit["findings"] if f["rule"] not in {f["rule"] for f in found}]
    findings.sort(key=lambda f: SEVERITY_ORDER[f["severity"]])  # stable: each severity keeps its workbook order
    summary = {
        "errors": sum(f["severity"] == "error" for f in findings),
        "warnings": sum(f["severity"] == "warning" for f in findings),
        "infos": sum(f["severity"] == "info" for f in findings),
    }
    return {**audit, "findings": findings, "summary": summary}
