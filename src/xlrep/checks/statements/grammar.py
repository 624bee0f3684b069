"""The grammar shared by every kind of statement: the lexicon (the vocabulary's words found in a text), numbers,
topics, the context of a number in its sentence, the subject of a share or change, and a statement's scope."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import namedtuple

from ...common.figures import ROW_PREFIX
from ...common.sentences import TOPIC_WORDS
from .model import Record, Statement
from .vocabulary import (
    APPROXIMATE_AFTER,
    BODIES_AFTER,
    CHINESE_DIGITS,
    CHINESE_TENS,
    CONNECTOR,
    DOCUMENTS,
    EXCLUDING_AFTER,
    GROUP_START,
    HARD_STOP,
    IDIOM_GOAL,
    IDIOM_PAIR,
    NOT_AFTER_CHINESE,
    NOT_BEFORE_CHINESE,
    NOT_BEFORE_DIGITS,
    OTHER_APPLICATION_TAIL,
    OTHER_SCOPE,
    PREVIOUS_SCOPE,
    PUNCTUATION,
    RANGE_BEFORE,
    REQUEST_VERB_BEFORE,
    SUBJECT_TAIL,
    T2_COLUMNS,
    T2_ROWS,
    T3_QUALIFIERS,
    T3_VERBS,
    T3_WORDS,
    T4_WORDS,
    TIME_AFTER,
    UNCLEAR_BEFORE,
    UNCLEAR_BEFORE_LAST,
    VERB_READINGS,
    YEAR_SCOPE,
    fits_whole,
    leading,
)


class Word(namedtuple("Word", ("start", "end", "cat", "name"))):
    """A vocabulary word at ``start``–``end``: its category (request, verb, case, row, column, qual) and name."""

    __slots__ = ()


def _lexicon():
    entries: list[tuple[str, str, str]] = []  # (pattern, cat, name)
    for cat, table in (
        ("request", T3_WORDS),
        ("verb", T3_VERBS),
        ("case", T4_WORDS),
        ("row", T2_ROWS),
        ("column", T2_COLUMNS),
        ("qual", T3_QUALIFIERS),
    ):
        for name, words in table.items():
            entries += [(w if cat == "request" else re.escape(w), cat, name) for w in words]
    # Regular expressions (they consume a whole phrase) first, then longer words before shorter ones.
    entries.sort(key=lambda e: (not _is_pattern(e[0]), -len(e[0])))
    literal: dict[str, list[tuple[str, str]]] = {}
    patterns: dict[str, list[tuple[str, str]]] = {}
    for pattern, cat, name in entries:
        (patterns if _is_pattern(pattern) else literal).setdefault(pattern, []).append((cat, name))
    # One alternation without groups, behind a look at the first character (a superset for the phrase
    # patterns: any of their characters) so that the search skips quickly over other text.
    first = {w[0] for w in literal} | {ch for p in patterns for ch in re.findall(r"[\u4e00-\u9fff]", p)}
    combined = re.compile(f"(?=[{''.join(sorted(first))}])(?:{'|'.join([*patterns, *literal])})")
    literal_names = {re.sub(r"\\(.)", r"\1", k): v for k, v in literal.items()}
    pattern_names = [(re.compile(p), names) for p, names in patterns.items()]
    return combined, literal_names, pattern_names


def _is_pattern(text: str) -> bool:
    return any(ch in text for ch in "(?[")


_LEXICON, _LITERAL_NAMES, _PATTERN_NAMES = _lexicon()


def find_words(text: str, offset: int = 0) -> list[Word]:
    """Every vocabulary word in ``text``, leftmost first (a phrase pattern before a shorter word)."""
    out = []
    for m in _LEXICON.finditer(text):
        found = m.group()
        names = _LITERAL_NAMES.get(found)
        if names is None:
            names = next(n for pattern, n in _PATTERN_NAMES if pattern.fullmatch(found))
        for cat, name in names:
            out.append(Word(m.start() + offset, m.end() + offset, cat, name))
    return out


_TOPIC_OF = {w: topic for topic, words in TOPIC_WORDS for w in words}


_TOPICS = re.compile("|".join(sorted(map(re.escape, _TOPIC_OF), key=len, reverse=True)))


def topics_of(text: str) -> list[tuple[int, str]]:
    """(end position, topic) of every topic word, in order."""
    return [
        (m.end(), _TOPIC_OF[m.group()])
        for m in _TOPICS.finditer(text)
        if m.group() != "申请" or not OTHER_APPLICATION_TAIL.search(text, max(0, m.start() - 6), m.end())
    ]


def topic_at(topics: list[tuple[int, str]], pos: int, carried: str | None) -> str | None:
    i = bisect_right(topics, (pos, "~")) - 1
    return topics[i][1] if i >= 0 else carried


def parse_number(m: re.Match, text: str) -> tuple[float | int, str, int] | None:
    before = text[m.start() - 1] if m.start() else ""
    if m.group("num"):
        if before in NOT_BEFORE_DIGITS and before:
            return None
        raw = m.group("num")
        if before in ",，" and m.start() > 1 and text[m.start() - 2].isdigit() and GROUP_START.match(raw):
            return None  # 1234,567件: a thousands group of a malformed number, not a number of its own
        if "," in raw or "，" in raw:
            raw = raw.replace(",", "").replace("，", "")
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        value: float | int = float(raw) if decimals else int(raw)
        unit = m.group("unit").replace("％", "%")
        return value, unit, decimals
    cn = m.group("cn")
    if before and before in NOT_BEFORE_CHINESE or text[m.end() : m.end() + 1] in NOT_AFTER_CHINESE:
        return None
    value = _chinese(cn)
    if value is None or (value == 1 and _idiom(m, text)):
        return None
    return value, m.group("cnunit"), 0


def _idiom(m: re.Match, text: str) -> bool:
    """一件 / 一个 in a slogan or an idiom, not a count (办结一件申请、解决一个问题)."""
    start = m.start()
    if text.rfind("“", 0, start) > text.rfind("”", 0, start):
        return True
    return bool(IDIOM_PAIR.match(text, m.end()) or IDIOM_GOAL.search(text, max(0, start - 12), start))


def _chinese(text: str) -> int | None:
    """Small Chinese numerals: 一 … 九十九 (两 for 二)."""
    if all(ch in CHINESE_DIGITS for ch in text):
        return CHINESE_DIGITS[text] if len(text) == 1 else None
    m = CHINESE_TENS.fullmatch(text)
    if not m:
        return None
    tens = CHINESE_DIGITS[m.group(1)] if m.group(1) else 1
    return tens * 10 + (CHINESE_DIGITS[m.group(2)] if m.group(2) else 0)


FIGURE_CATEGORIES = frozenset(("request", "verb", "case", "row"))


NAMING_CATEGORIES = FIGURE_CATEGORIES | {"qual"}  # words before a number that may make it a statement


def items_between(starts: list[int], items: list, start: int, end: int) -> list:
    """The items whose start lies in [start, end)."""
    return items[bisect_left(starts, start) : bisect_left(starts, end)]


def documents_at(text: str) -> list[int]:
    """Where sentences start counting documents by 公开属性 (主动公开 N 条 …)."""
    out = []
    for m in DOCUMENTS.finditer(text):
        if m.group("request") and m.start():
            before = text[max(0, m.start() - 5) : m.start()]
            before = before[:-4] if before.endswith("政府信息") else before  # 办结政府信息依申请公开 733 件
            if before and before[-1] in REQUEST_VERB_BEFORE:
                continue
        out.append(m.start())
    return out


def is_unclear(sentence: str, start: int, end: int, lead: str, after: str) -> bool:
    """Approximate (近 80 件, 3000 余件), ordinal, 各/分别 lists, 个百分点: never read as a statement."""
    return bool(
        after.startswith(APPROXIMATE_AFTER)
        or after.startswith(TIME_AFTER)
        or after.startswith(EXCLUDING_AFTER)
        or (after[:1] in "（(" and BODIES_AFTER.match(after))
        or (lead and RANGE_BEFORE.search(lead))
        or (lead and lead[-1] in UNCLEAR_BEFORE_LAST and UNCLEAR_BEFORE.search(lead))
        or "个百分点" in sentence[start : end + 4]
    )


class NumberContext(Record):
    """A number in its sentence: ``lead`` the clause before it (since the last number or stop), ``lead_all``
    everything since the previous number, ``start``–``end`` the number in the sentence, ``words`` the vocabulary
    words of ``lead``."""

    __slots__ = (
        "sentence",
        "offset",
        "lead",
        "lead_start",
        "lead_all",
        "start",
        "end",
        "after",
        "topic",
        "explicit_request",
        "in_documents",
        "words",
    )

    def text(self, end: int | None = None) -> tuple[str, int, int]:
        end = self.end if end is None else end
        return self._text(self.lead_start + leading(self.lead), end)

    def _text(self, start: int, end: int) -> tuple[str, int, int]:
        return self.sentence[start:end], self.offset + start, self.offset + end


def make_statement(ctx: NumberContext, kind: str, readings, value, unit: str, **kw) -> Statement:
    end = kw.pop("end", None)
    text, start, stop = ctx.text(end)
    return Statement(kind, tuple(readings), value, unit, text, ctx.sentence, start, stop, **kw)


def first_stop(text: str) -> int:
    m = HARD_STOP.search(text)
    return m.start() if m else len(text)


def subject_of(ctx: NumberContext, text: str, last: Statement | None):
    """The figure a share or change speaks of: named in the same clause, or the one just stated."""
    stripped = text.strip().strip("，,")
    if stripped:
        words = [w for w in find_words(stripped) if w.cat in ("request", "verb", "case")]
        if not words or ctx.topic in ("review", "suit") or not (ctx.topic == "request" or ctx.explicit_request):
            return None
        names = [words[-1].name]
        i = len(words) - 1
        while (
            i > 0
            and words[i - 1].cat == "request"
            and fits_whole(CONNECTOR, stripped[words[i - 1].end : words[i].start])
        ):
            names.insert(0, words[i - 1].name)
            i -= 1
        if words[-1].cat == "case":
            return None
        tail = stripped[words[-1].end :]
        if not fits_whole(SUBJECT_TAIL, tail):
            return None
        if words[-1].cat == "verb":
            word = stripped[words[-1].start : words[-1].end]
            return VERB_READINGS.get(word, ((words[-1].name,),)), ()
        return (tuple(names),), ()
    if last is None or last.kind != "count" or any(n.startswith(ROW_PREFIX) for r in last.readings for n in r):
        return None
    between = ctx.lead_all[: len(ctx.lead_all) - len(ctx.lead)]
    if PUNCTUATION.sub("", between) or last.end != ctx.offset + ctx.start - len(ctx.lead_all):
        return None  # only right after the count: 收到申请 81 件，占 …
    return last.readings, last.column


def with_scope(stmt: Statement, sentence: str, pos: int, lead: str, words: list[Word]) -> Statement:
    """The time a statement speaks of: this year unless it names last year (or another year)."""
    scope = "year"
    if ("累计" in lead or "历年" in lead or "截至" in lead) and OTHER_SCOPE.search(lead):
        scope = "other"
    elif (
        stmt.kind == "count" and ("上" in lead or "去年" in lead) and PREVIOUS_SCOPE.search(_without_words(lead, words))
    ):
        scope = "previous"
    year = _year_before(sentence, pos)
    if year and scope == "year":
        scope = f"year:{year}"
    if scope != "year":
        stmt.scope = scope
    return stmt


def _year_before(sentence: str, pos: int) -> str | None:
    if "年" not in sentence[:pos]:
        return None
    years = YEAR_SCOPE.findall(sentence[:pos])
    return years[-1] if years else None


def _without_words(lead: str, words: list[Word]) -> str:
    out = lead
    for w in reversed(words):
        if w.cat == "request":
            out = out[: w.start] + "　" * (w.end - w.start) + out[w.end :]
    return out
