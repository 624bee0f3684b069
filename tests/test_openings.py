"""Openings of published reports from other provinces (tests/openings/reports.toml, judged by hand): the importer
finds each one's year and agency (or says IMPORT-MISSING), and no correct statement is flagged.

Only short clauses are kept (a title, the 编制 clause or the statistics period, single sentences); the import
reads them as the opening of a report whose 一、总体情况 holds the sentences.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from xlrep.checks import narrative
from xlrep.checks.narrative import AREA_BODY
from xlrep.checks.statements import compare, narrative_figures, read_statements
from xlrep.edition.form import load_form
from xlrep.importing import import_report

HERE = Path(__file__).parent / "openings"
REPORTS = tomllib.loads((HERE / "reports.toml").read_text(encoding="utf-8"))["report"]
FORM = load_form("2021")
FIGURES = narrative_figures(FORM)
GOVERNMENTS = ("省级政府", "市级政府", "县级政府")
LEVELS = (*GOVERNMENTS, "省级部门", "市级部门", "县级部门", "乡镇", "街道")

#: The cell a figure is put in (its natural-person column; 表四 in the 维持 column).
CELLS = {
    "new_received": "t3.new_received.natural_person",
    "carried_in": "t3.carried_in.natural_person",
    "granted": "t3.granted.natural_person",
    "partly": "t3.partly_granted.natural_person",
    "refused": "t3.refused_third_party.natural_person",
    "unable": "t3.unable_not_held.natural_person",
    "not_handled": "t3.not_handled_repeated.natural_person",
    "other_handling": "t3.other_other.natural_person",
    "carried_forward": "t3.carried_forward.natural_person",
    "review_total": "t4.review.upheld",
    "suit_total": "t4.suit_direct.upheld",
}
RESULTS = ("granted", "partly", "refused", "unable", "not_handled", "other_handling")


def _name(report: dict) -> str:
    return report["source"].split("//", 1)[-1][:60]


def _document(report: dict) -> str:
    body = "\n".join(s["text"] for s in report.get("statements", ())) or "本年度政府信息公开工作有序开展。"
    opening = report.get("opening", "")
    if report.get("opening_under_heading"):  # printed under 一、总体情况
        body, opening = opening + "\n" + body, ""
    return (
        "\n".join(x for x in (report.get("title", ""), opening) if x)
        + "\n一、总体情况\n"
        + body
        + "\n五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n"
    )


def _values(figures: dict) -> dict[str, object]:
    """A fill of the 2021 tables in which ``figures`` hold (every other figure 0)."""
    values: dict[str, object] = {c.key: 0 for c in FORM.inputs if c.is_numeric}
    for name, number in figures.items():
        if name.startswith("t2."):
            values[name] = number
        elif name != "result_total":
            values[CELLS[name]] = number
    if "result_total" in figures:
        rest = figures["result_total"] - sum(figures.get(n, 0) for n in RESULTS)
        assert rest >= 0 and (rest == 0 or "other_handling" not in figures), "figures do not add up"
        values["t3.other_no_correction.natural_person"] = rest
    return values


def _elsewhere() -> dict[str, object]:
    """A fill in which no figure is a number an `other` statement states."""
    return {c.key: 7001 + i for i, c in enumerate(c for c in FORM.inputs if c.is_numeric)}


def _flags(report: dict, text: str, values: dict) -> list:
    ours = report["level"] in GOVERNMENTS or bool(AREA_BODY.search(report["org"]))
    found = compare(read_statements(text), FIGURES, values, year=report["year"] or None, region_is_ours=ours)
    full = {name: 0 for name in FIGURES}
    for name, cell in CELLS.items():
        full[name] = values[cell]
    full["result_total"] = sum(
        v for k, v in values.items() if k.startswith("t3.") and not k.startswith(("t3.new", "t3.carried"))
    )
    full["suit_total"] = sum(v for k, v in values.items() if k.startswith("t4.suit"))
    full["review_total"] = sum(v for k, v in values.items() if k.startswith("t4.review"))
    claims = [c for c in narrative.claims(text) if sum(full.get(n, 0) for n in c.figures) > 0]
    return [(m.rule, m.stated, m.table, m.figure) for m in found] + [(c.claim,) for c in claims]


def test_the_fixture_is_what_the_docs_say():
    assert len(REPORTS) >= 100
    assert len({r["province"] for r in REPORTS}) >= 10
    assert {r["level"] for r in REPORTS} == set(LEVELS)
    assert len({r["source"] for r in REPORTS}) == len(REPORTS)
    for r in REPORTS:
        assert r["level"] in LEVELS, r["source"]
        for clause in (r.get("title", ""), r.get("opening", ""), *(s["text"] for s in r.get("statements", ()))):
            assert len(clause) <= 200, clause  # short clauses only, never whole paragraphs


@pytest.mark.parametrize("report", REPORTS, ids=_name)
def test_each_opening_gives_its_year_and_agency_or_says_it_is_missing(tmp_path, report):
    path = tmp_path / "报告.txt"
    path.write_text(_document(report), encoding="utf-8")
    imported = import_report(path)
    missing = {f.values.get("missing") for f in imported.findings if f.rule == "IMPORT-MISSING"}
    assert imported.year == (report["year"] or None)
    assert ("year" in missing) is (not report["year"] or report.get("year_guessed", False))
    assert (imported.org or "") == report["org"]
    assert ("org" in missing) is (not report["org"])
    assert imported.sections[0] == "一"  # an opening listing the parts is not a heading


STATEMENTS = [(r, s) for r in REPORTS for s in r.get("statements", ())]


@pytest.mark.parametrize("report, statement", STATEMENTS, ids=[s["text"][:24] for _, s in STATEMENTS])
def test_no_correct_statement_is_flagged(report, statement):
    if statement.get("other"):
        assert _flags(report, statement["text"], _elsewhere()) == []
        return
    figures = statement["figures"]
    if statement.get("agrees") is False:  # the report's sentence contradicts its own table: flagged
        assert _flags(report, statement["text"], _values(figures))
        return
    assert _flags(report, statement["text"], _values(figures)) == []
    if statement.get("checked"):  # stated plainly: a table that says otherwise is flagged
        name = next(iter(figures))
        values = _values(figures)
        cell = CELLS.get(name, name if name.startswith("t2.") else "t3.other_no_correction.natural_person")
        values[cell] += 10
        assert _flags(report, statement["text"], values)


def counts() -> dict:
    """Reports, statements and sentences by province and level (the numbers docs/narrative.md states)."""
    return {
        "reports": len(REPORTS),
        "statements": len(STATEMENTS),
        "figures": sum(1 for _, s in STATEMENTS if not s.get("other") and s.get("agrees", True)),
        "disagree": sum(1 for _, s in STATEMENTS if s.get("agrees") is False),
        "provinces": Counter(r["province"] for r in REPORTS),
        "levels": Counter(r["level"] for r in REPORTS),
    }


def test_the_documents_state_the_counts_the_fixture_holds():
    """docs/narrative.md and the README say how many reports and sentences the tests hold."""
    docs = (Path(__file__).parents[1] / "docs" / "narrative.md").read_text(encoding="utf-8")
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    c = counts()
    assert f"{len(c['provinces'])} 个省区市、各个层级的 {c['reports']} 份" in docs
    assert f"{len(c['provinces'])} 个省区市、各个层级的 {c['reports']} 份" in readme
    assert f"逐句判定的 {c['statements']} 句中：{c['figures']} 句与表格数字一致" in docs
    assert f"| 合计 | {' | '.join(str(c['levels'][lv]) for lv in LEVELS)} | {c['reports']} |" in docs
