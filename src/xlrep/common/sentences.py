"""Narrative text cut into sentences, and the topic words of a sentence: the one splitter of every reader of the
narrative (the statements, the claims and years of ``narrative``, the importer's ``sections``).

A sentence ends at 。！？ (and their ASCII forms ! ?); a clause of it at ；; — a statement reader treats the clauses
of one sentence together (2022年政府新收2件；部门新收4件), a reader of sentence openings does not cut at them; a
line break ends a sentence in a workbook's narrative (a paragraph), but not in a published report's text, where
it may be where a PDF wrapped a line. Spaces at either end of a sentence are not part of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

FULL_STOPS = "。！？!?"
CLAUSE_STOPS = "；;"
LINE_BREAK = "\n"
STOPS = FULL_STOPS + CLAUSE_STOPS  # where a long text may be cut (``importing``: at a sentence or a clause end)

#: Topic words: which table a sentence is speaking of from here on (申请: 表三; 行政复议, 行政诉讼: 表四).
TOPIC_WORDS = (("review", ("行政复议", "复议")), ("suit", ("行政诉讼", "诉讼", "起诉")), ("request", ("申请",)))
REVIEW_WORDS = TOPIC_WORDS[0][1]
SUIT_WORDS = TOPIC_WORDS[1][1]

_ENDS: dict[tuple[bool, bool, bool], re.Pattern] = {}


def sentence_end(clauses: bool = True, lines: bool = True, group: bool = False) -> re.Pattern:
    """A run of the marks that end a sentence (with ``clauses``: a clause too; with ``lines``: a line; ``group``:
    captured, so that ``split`` keeps it)."""
    key = (clauses, lines, group)
    if key not in _ENDS:
        marks = re.escape(FULL_STOPS + (CLAUSE_STOPS if clauses else "") + (LINE_BREAK if lines else ""))
        _ENDS[key] = re.compile(f"([{marks}]+)" if group else f"[{marks}]+")
    return _ENDS[key]


def sentence_spans(
    text: str, *, clauses: bool = True, lines: bool = True, empty: bool = False
) -> Iterator[tuple[int, int, str]]:
    """(start, end, stop) of each sentence of ``text``: spaces at either end left out, ``stop`` the marks that end
    it (at the end of the text: "" or a line break). ``empty``: also the empty ones (between two stops), whose ``stop`` a reader of
    clauses needs (…；  。 ends a sentence)."""
    pos = 0
    for m in sentence_end(clauses, lines).finditer(text + "\n" if lines else text):
        start, end = pos, m.start()
        pos = m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end or empty:
            yield start, end, m.group()
    if not lines and pos < len(text) or empty and pos == len(text):  # the rest (no line break was appended)
        start, end = pos, len(text)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end or empty:
            yield start, end, ""


def sentences(text: str, *, clauses: bool = True, lines: bool = True) -> Iterator[str]:
    """Each sentence of ``text`` (without its stop and the spaces around it)."""
    for sentence in sentence_end(clauses, lines).split(text):  # as ``sentence_spans`` cuts and trims, faster
        sentence = sentence.strip()
        if sentence:
            yield sentence


def sentences_and_stops(text: str, *, clauses: bool = True, lines: bool = True) -> Iterator[tuple[str, str]]:
    """(sentence, stop) of each sentence of ``text``, as ``sentences`` cuts and trims them, with the marks that end
    it ("" at the end of the text)."""
    parts = sentence_end(clauses, lines, group=True).split(text)
    parts.append("")
    for i in range(0, len(parts) - 1, 2):
        sentence = parts[i].strip()
        if sentence:
            yield sentence, parts[i + 1]


def ends_sentence(stop: str) -> bool:
    """Whether the marks ``stop`` end a sentence (not only a clause: 政府新收2件；部门新收4件; "": the text ends)."""
    return not stop or bool(stop.strip(CLAUSE_STOPS))
