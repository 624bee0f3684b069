"""Reading a narrative part into statements: sentence by sentence, each number in its clause, by kind."""

from __future__ import annotations

from bisect import bisect_right

from ...common.sentences import ends_sentence, sentence_spans
from .cases import case_statement, zero_claims
from .changes import change_statement, change_tail
from .grammar import (
    FIGURE_CATEGORIES,
    NAMING_CATEGORIES,
    NumberContext,
    Word,
    documents_at,
    find_words,
    is_unclear,
    items_between,
    parse_number,
    topic_at,
    topics_of,
    with_scope,
)
from .model import Record, Statement
from .requests import after_or_column, request_statement
from .rows import row_statement
from .shares import percent_statement
from .vocabulary import (
    AMOUNT_UNITS,
    DIRECTION_TAIL,
    FOLLOW_FIRST,
    HARD_STOP,
    NOT_OURS,
    NUMBER,
    OTHER_APPLICATION,
    OTHER_BODY,
    OTHER_PERIOD,
    OTHERS_FIGURES,
    WHOLE_AREA,
)


class _Part(Record):
    """One narrative part scanned once: numbers (and where they start), the ends of the hard stops (， ； （ …),
    words (and where they start), topics as (end, topic), where sentences counting documents by 公开属性 start,
    and the topic carried from sentence to sentence."""

    __slots__ = ("text", "numbers", "number_starts", "stops", "words", "word_starts", "topics", "documents", "topic")
    _defaults = {"topic": None}


#: The longest sentence read for statements (characters between 。！？； or line ends). A real report's longest
#: narrative sentence is a few hundred characters; reading one is quadratic in its length (each number looks
#: at the clause before and after it), so a longer one is not read and ``long_sentences`` says so (the rule
#: TEXT-SENTENCE-LONG) instead of leaving its numbers unchecked in silence.
MAX_SENTENCE = 2000


def long_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence longer than ``MAX_SENTENCE`` that names a figure: its numbers are not read."""
    out = []
    for start, end, _ in sentence_spans(text):
        if end - start > MAX_SENTENCE and any(w.cat in FIGURE_CATEGORIES for w in find_words(text[start:end])):
            out.append((start, end))
    return out


def read_statements(text: str) -> list[Statement]:
    """The statements of one narrative part, in order (sentences over ``MAX_SENTENCE`` characters left out)."""
    words = find_words(text)
    if "纠" not in text and not any(w.cat in FIGURE_CATEGORIES for w in words):
        return []  # no word of any figure: nothing this part could state
    numbers = list(NUMBER.finditer(text))
    part = _Part(
        text,
        numbers,
        [m.start() for m in numbers],
        [m.end() for m in HARD_STOP.finditer(text)],
        words,
        [w.start for w in words],
        topics_of(text),
        documents_at(text),
    )
    out: list[Statement] = []
    clauses: list[Statement] = []  # the statements of the clauses of one sentence (…；…；…。)
    for start, end, stop in sentence_spans(text, empty=True):
        if start < end and end - start <= MAX_SENTENCE:  # a longer one is not read (TEXT-SENTENCE-LONG)
            clauses += _without_breakdowns(_read_sentence(part, start, end))
        if ends_sentence(stop):  # a sentence ends (not a clause: 政府新收2件；部门新收4件)
            out += _without_breakdowns(clauses, any_year=True)
            clauses = []
    return out + _without_breakdowns(clauses, any_year=True)


def _without_breakdowns(found: list[Statement], any_year: bool = False) -> list[Statement]:
    """One sentence stating the same figure twice with different numbers speaks of several bodies or periods
    (区政府办公室收到申请30件，区自然资源局收到申请20件) that the reader cannot tell apart: none of them is read.
    ``any_year``: across the clauses of a sentence (2022年政府新收2件；部门新收4件), a year named or not is alike."""

    def same(st: Statement):
        scope = "year" if any_year and st.scope.startswith("year") else st.scope
        return st.kind, st.readings, st.column, scope, st.unit

    numbers: dict[tuple, set] = {}
    for st in found:
        numbers.setdefault(same(st), set()).add(st.number)
    return [st for st in found if len(numbers[same(st)]) == 1]


def _read_sentence(part: _Part, start: int, end: int) -> list[Statement]:
    sentence = part.text[start:end]
    ends = bisect_right(part.topics, (start, "~")), bisect_right(part.topics, (end, "~"))
    topics = [(e - start, t) for e, t in part.topics[ends[0] : ends[1]]]
    words = items_between(part.word_starts, part.words, start, end)
    documents = next((d - start for d in part.documents if start <= d < end), None)
    doc_from = documents if documents is not None else len(sentence) + 1
    # no word of a figure (a 表三/表四 figure, a verb, a 表二 row): no statement to read here
    relevant = any(w.cat in FIGURE_CATEGORIES for w in words)
    out = _read_numbers(part, sentence, start, topics, doc_from) if relevant else []
    if "纠" in sentence:
        out += zero_claims(sentence, start, topics, part.topic)
    if documents is None or documents > 0:
        before_docs = [t for e, t in topics if e <= doc_from]
        if before_docs:
            part.topic = before_docs[-1]
    out.sort(key=lambda s: s.start)
    return out


def _read_numbers(part: _Part, sentence: str, offset: int, topics, doc_from: int) -> list[Statement]:
    explicit_request = "申请" in sentence and "申请" in OTHER_APPLICATION.sub("", sentence)
    out: list[Statement] = []
    last_count: Statement | None = None  # the count stated last in this sentence (for shares and changes)
    base: Statement | None = None  # the last whole figure stated (its columns may follow: 涉及自然人 72 件)
    others = False  # another body's figures (各乡镇, 市本级 …) were stated before in this sentence
    area = False  # the whole area (全市) was spoken of before in this sentence: what follows is the area's too
    prev_end = 0
    end_of_sentence = offset + len(sentence)
    for m in items_between(part.number_starts, part.numbers, offset, end_of_sentence):
        if m.end() > end_of_sentence:
            break
        parsed = parse_number(m, part.text)
        m_start, m_end = m.start() - offset, m.end() - offset
        prev_start = prev_end
        lead_all = sentence[prev_end:m_start]
        prev_end = m_end
        if parsed is None:
            continue
        value, unit, decimals = parsed
        i = bisect_right(part.stops, m.start()) - 1
        lead = sentence[max(part.stops[i] - offset, prev_start) if i >= 0 else prev_start : m_start]
        after = sentence[m_end:]
        others = others or bool(OTHER_BODY.search(lead_all) or OTHERS_FIGURES.search(lead))
        if others or is_unclear(sentence, m_start, m_end, lead, after):
            last_count = base = None  # 各乡镇共收到申请 120 件，办结 110 件: the 110 are theirs too
            continue
        lead_start = m_start - len(lead)
        shift = offset + lead_start
        near = items_between(part.word_starts, part.words, shift, m.start())
        if (
            unit != "%"
            and not any(w.cat in NAMING_CATEGORIES for w in near)
            and after[:1] not in FOLLOW_FIRST
            and "比" not in lead
            and "较" not in lead
        ):
            last_count = None  # no word naming a figure before it, none right after: not a statement
            continue
        words = [Word(w.start - shift, w.end - shift, w.cat, w.name) for w in near]
        ctx = NumberContext(
            sentence,
            offset,
            lead,
            lead_start,
            lead_all,
            m_start,
            m_end,
            after,
            topic_at(topics, m_start, part.topic),
            explicit_request,
            m_start >= doc_from,
            words,
        )
        stmt = _statement_at(ctx, value, unit, decimals, last_count, base)
        if stmt is None:
            if unit != "%":
                last_count = None
            continue
        stmt = with_scope(stmt, sentence, m_start, lead, words)
        if area or (stmt.kind != "count" and WHOLE_AREA.search(lead_all)):
            stmt.area = True  # 全市共收到申请 900 件，同比增长 20%，其中予以公开 300 件: all the city's
        area = area or stmt.area
        out.append(stmt)
        if stmt.kind == "count":
            last_count = stmt
            if not stmt.column:
                base = stmt
    return out


def _statement_at(ctx, value, unit: str, decimals: int, last: Statement | None, base: Statement | None):
    if unit == "%":
        return percent_statement(ctx, value, decimals, last)
    if unit in AMOUNT_UNITS:
        return row_statement(ctx, value, unit, decimals)
    return _count(ctx, value, unit, last, base)


def _count(ctx: NumberContext, value, unit: str, last: Statement | None, base: Statement | None) -> Statement | None:
    stmt = _count_of(ctx, value, unit, last, base)
    if stmt is not None and WHOLE_AREA.search(ctx.lead_all):
        stmt.area = True
    return stmt


def _count_of(ctx: NumberContext, value, unit: str, last: Statement | None, base: Statement | None) -> Statement | None:
    lead = ctx.lead
    if NOT_OURS.search(lead) or OTHER_PERIOD.search(lead) or OTHER_BODY.search(ctx.lead_all):
        return None
    change = change_tail(lead)
    if change:  # 较上年增加 12 件
        return change_statement(ctx, value, unit, 0, change, last)
    if DIRECTION_TAIL.search(lead):
        return None
    row = row_statement(ctx, value, unit, 0, ours=True)
    if row is not None:
        return row
    words = ctx.words
    if any(w.cat == "row" for w in words):
        return None
    figure_words = [w for w in words if w.cat in ("request", "verb", "case")]
    if not figure_words:
        return after_or_column(ctx, value, unit, words, base)
    if figure_words[-1].cat == "case":
        return case_statement(ctx, value, unit, figure_words, lead[figure_words[-1].end :])
    if ctx.in_documents or ctx.topic in ("review", "suit"):
        return None
    return request_statement(ctx, value, unit, words, figure_words)
