"""One sentence splitter (``xlrep.common.sentences``) for every reader of the narrative.

Three splitters had drifted apart: the statement reader's (。！？!?；; and line ends, clauses of one sentence read
together), the claim reader's (the same without ! ?), and the importer's (五's sentence starts: 。！？； only, no
line ends), besides two more in ``narrative`` (编制 sentences cut at 。 only; year openings cut after 。！？ and
line ends). Each is pinned below as it was on main (be7d8cd), on the real reports of the corpus and the openings
judged by hand: the one splitter gives the same sentences wherever the text has no ASCII ! ? ; — where it has,
they end a sentence (or a clause) too, for every reader.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from corpus import corpus_dir, published_text, report, report_names

from xlrep.checks import narrative
from xlrep.common.sentences import ends_sentence, sentence_end, sentence_spans, sentences
from xlrep.importing.sections import split_problems

OPENINGS = tomllib.loads((Path(__file__).parent / "openings" / "reports.toml").read_text(encoding="utf-8"))["report"]


def real_texts() -> list[str]:
    """Every real narrative text at hand: the published pages, their 依申请公开 parts and statements, the openings."""
    texts = []
    for name in report_names():
        data = report(name)
        texts += [published_text(name), data.get("narrative_apply", "")]
        texts += [s["text"] for s in data.get("statements", ())]
    for r in OPENINGS:
        texts.append(
            "\n".join([r.get("title", ""), r.get("opening", ""), *(s["text"] for s in r.get("statements", ()))])
        )
    return [t for t in texts if t]


# -- the splitters as they were on main ---------------------------------------------------------------------------
def main_statement_spans(text: str) -> list[tuple[int, int, bool]]:
    out, pos = [], 0
    for m in re.finditer(r"[。！？!?；;\n]+", text + "\n"):
        start, end = pos, m.start()
        pos = m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end, bool(m.group().strip("；;"))))
    return out


def main_claim_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[。！？；;\n]+", text) if s.strip()]


def main_compiled_for_area(text: str) -> bool:
    for sentence in text.split("。"):
        if "编制" not in sentence or "各" not in sentence:
            continue
        start = max(sentence.find("汇总"), sentence.find("综合"))
        each = sentence.find("各", start) if start >= 0 else -1
        if each >= 0 and any(u in sentence[each : sentence.rfind("编制")] for u in narrative.AREA_REPORT_UNITS):
            return True
    return False


def main_stale_years(text: str, year: int) -> list[tuple[int, str]]:
    out = []
    for sentence in re.split(r"(?<=[。！？\n])", text):
        m = narrative.YEAR_OPENING.match(sentence)
        if m and int(m.group(1)) not in (year, year + 1):
            rest = sentence[m.end() :]
            if f"{year}年" in rest or any(w in rest for w in narrative.THIS_YEAR):
                continue
            out.append((int(m.group(1)), sentence.strip()))
    return out


def main_sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("[。！？；]", text)]


# -- pinned on real text ------------------------------------------------------------------------------------------
def test_the_one_splitter_cuts_real_reports_as_each_reader_did():
    texts = real_texts()
    if len(texts) < 50:
        corpus_dir()  # skips without the corpus
    stale = area = 0
    for text in texts:
        spans = [(a, b, ends_sentence(stop)) for a, b, stop in sentence_spans(text, empty=True) if a < b]
        assert spans == main_statement_spans(text)
        assert list(sentences(text)) == main_claim_sentences(text)
        assert narrative.compiled_for_area(text) == main_compiled_for_area(text)
        area += narrative.compiled_for_area(text)
        for year in range(2019, 2026):
            found = list(narrative.stale_years(text, year))
            assert found == main_stale_years(text, year)
            stale += len(found)
        starts = [0] + [m.end() for m in sentence_end(lines=False).finditer(text)]
        ascii_marks = {m.end() for m in re.finditer("[!?;]", text)}
        assert [s for s in starts if s not in ascii_marks] == main_sentence_starts(text)
    assert area and stale  # the pins saw the cases they pin


# -- where the readers differed: the union, said once ---------------------------------------------------------------
def test_a_clause_is_read_with_its_sentence_and_the_text_end_ends_one():
    text = "政府新收2件；部门新收4件。另收到3件"
    assert [(text[a:b], ends_sentence(s)) for a, b, s in sentence_spans(text)] == [
        ("政府新收2件", False),
        ("部门新收4件", True),
        ("另收到3件", True),
    ]
    assert list(sentences(text, clauses=False)) == ["政府新收2件；部门新收4件", "另收到3件"]


def test_ascii_marks_end_sentences_for_every_reader():
    assert list(sentences("未收到申请!本年度收到申请3件?")) == ["未收到申请", "本年度收到申请3件"]
    assert [c.claim for c in narrative.claims("本年度未收到申请!全年新收申请3件")] == ["no_requests"]


def test_a_wrapped_line_of_a_published_report_is_not_a_sentence_end():
    text = "本报告由区政府办公室汇总各部门\n年度报告编制。"
    assert narrative.compiled_for_area(text)
    assert list(sentences(text, lines=False)) == [text[:-1]]
    problems, _ = split_problems("存在的问题是公开不够及时，\n我们将加强培训。今后，我们将加强培训。", "p", "m")
    assert problems == {"p": "存在的问题是公开不够及时，\n我们将加强培训。", "m": "今后，我们将加强培训。"}


def test_a_clause_after_a_semicolon_does_not_open_a_sentence_with_a_stale_year():
    text = "2023年，本单位收到申请5件；2021年，收到申请3件。"
    assert list(narrative.stale_years(text, 2023)) == []
    assert list(narrative.stale_years("2021年，收到申请3件。", 2023)) == [(2021, "2021年，收到申请3件。")]


@pytest.mark.parametrize("text", ["", "   ", "。。；\n"])
def test_no_sentence_in_nothing(text):
    assert list(sentences(text)) == []
