"""Real published reports (the shared corpus), typed into our template and ingested.

For every report: each statement the corpus marks as contradicting the tables
(``agrees: false``) is flagged with its stated number, and no statement that agrees
is flagged; statements marked ``ambiguous`` are not scored. Beyond the listed
statements, nothing else in the narrative may be flagged at all: the whole
published text of each report is ingested too, and every finding on it must be
one of the listed contradictions (or an ambiguous statement).

The corpus is read from ``$XLREP_CORPUS`` (default ``../shared/corpus``); without
it these tests skip and say why.
"""

from __future__ import annotations

import tomllib

import corpus
import pytest

from xlrep.auditing.ingest import audit
from xlrep.edition.form import load_form
from xlrep.writer.template import build_template

NARRATIVE_RULES = ("TEXT-NUMBER", "TEXT-SHARE", "TEXT-CHANGE", "TEXT-CLAIM")
NAMES = corpus.report_names() or ["corpus-missing"]
RESULTS: dict[str, tuple[int, int, int, int]] = {}


def _audit(tmp_path, name: str, report: dict, parts: dict[str, str]):
    values = corpus.typed_values(report)
    values.update({"info.org_name": report.get("org") or name, "info.org_type": "县级以上人民政府部门"})
    values.update(parts)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(build_template(report["year"], load_form(report["edition"]), values=values))
    return audit(path)


def _flags(result) -> list:
    return [f for f in result.findings if f.rule in NARRATIVE_RULES]


def _is_about(finding, statement: dict) -> bool:
    """The finding speaks of this statement: same sentence, and the stated number (0 for a claim)."""
    v = finding.values
    text = statement["text"]
    if text not in v.get("sentence", "") and v.get("statement", "\0") not in text:
        return False
    stated = statement["stated"]
    if isinstance(stated, list):
        return False
    return abs(float(v.get("stated", 0)) - float(stated)) < 1e-9


def _must_flag(statement: dict) -> bool:
    return statement["agrees"] is False and statement.get("agrees_with_printed_total") is not False


def _must_not_flag(statement: dict) -> bool:
    return statement["agrees"] is True or statement.get("agrees_with_printed_total") is False


@pytest.mark.parametrize("name", NAMES)
def test_contradictions_are_flagged_and_correct_statements_are_not(tmp_path, name):
    corpus.corpus_dir()
    report = corpus.report(name)
    parts = {"s1.on_request": report["narrative_apply"], "s1.proactive": corpus.proactive_text(name, report)}
    flags = _flags(_audit(tmp_path, name, report, {k: v for k, v in parts.items() if v}))
    statements = report["statements"]
    missed = [s["text"] for s in statements if _must_flag(s) and not any(_is_about(f, s) for f in flags)]
    wrongly = [(s["text"], f.message) for s in statements if _must_not_flag(s) for f in flags if _is_about(f, s)]
    unlisted = [f.message for f in flags if not any(_is_about(f, s) for s in statements if not _must_not_flag(s))]
    flagged = [any(_is_about(f, s) for f in flags) for s in statements]
    RESULTS[name] = (
        sum(1 for s, hit in zip(statements, flagged, strict=True) if hit and _must_flag(s)),
        sum(map(_must_flag, statements)),
        sum(1 for s, hit in zip(statements, flagged, strict=True) if hit and _must_not_flag(s)),
        sum(map(_must_not_flag, statements)),
    )
    assert not missed, f"{name}: contradictions not flagged: {missed}"
    assert not wrongly, f"{name}: correct statements flagged: {wrongly}"
    assert not unlisted, f"{name}: flags on statements the corpus does not list as contradicting: {unlisted}"


@pytest.mark.parametrize("name", NAMES)
def test_the_whole_published_text_raises_nothing_but_the_listed_contradictions(tmp_path, name):
    corpus.corpus_dir()
    report = corpus.report(name)
    text = corpus.published_text(name)
    if not text:
        pytest.skip(f"{name} has no published text in the corpus (its narrative is tested above)")
    body = text.split("==== 正文 ====")[-1]
    flags = _flags(_audit(tmp_path, name, report, {"s1.proactive": body}))
    statements = report["statements"]
    unlisted = [f.message for f in flags if not any(_is_about(f, s) for s in statements if not _must_not_flag(s))]
    assert not unlisted, f"{name}: flags on the published text that are not listed contradictions: {unlisted}"


def test_the_corpus_has_contradictions_to_find_and_all_are_found():
    corpus.corpus_dir()
    if len(RESULTS) < len(NAMES):
        pytest.skip("run with the per-report tests (they collect the results)")
    flagged_false = sum(r[0] for r in RESULTS.values())
    total_false = sum(r[1] for r in RESULTS.values())
    flagged_true = sum(r[2] for r in RESULTS.values())
    total_true = sum(r[3] for r in RESULTS.values())
    print(
        f"\ncorpus: {flagged_false}/{total_false} contradictions flagged, {flagged_true}/{total_true} correct flagged"
    )
    for name, (ff, tf, ft, tt) in sorted(RESULTS.items()):
        print(f"  {name}: flagged/false {ff}/{tf}, flagged/true {ft}/{tt}")
    assert total_false >= 2 and total_true >= 50  # the corpus really holds what the scores are about
    assert flagged_false == total_false and flagged_true == 0


def test_huaian_figures_in_the_corpus_are_those_of_the_sample():
    """huaian-2024.json and samples/huaian-2024.toml describe the same published tables."""
    report = corpus.report("huaian-2024")
    sample = tomllib.loads((corpus.ROOT / "samples" / "huaian-2024.toml").read_text(encoding="utf-8"))["values"]
    typed = corpus.typed_values(report)
    form = load_form("2021")
    in_tables = {g.cell_key(r, c) for g in form.grids() for r in g.rows for c in g.columns}  # 二, 三, 四 (not 六)
    numeric = {k for k in in_tables if form.cells[k].is_input}
    assert len(numeric) > 150
    assert {k: typed.get(k) for k in numeric} == {k: sample.get(k) for k in numeric}
