"""Finding official labels in published text, tolerantly.

A ``Stream`` is the document as one string (cells wrapped in markers, blocks
ended by line breaks) plus a *compact* twin for matching: NFKC per character
(full-width digits and brackets become ASCII), without whitespace or quote marks,
``1、`` read as ``1.``. Labels are compared in the same compact form, so
``三、本年度办 理结果`` and ``（二）部分公开(区分处理的,…)`` match their official strings.

``candidates`` finds where a label may be: the official text, its text without the
ordinal (``2.``) that fused digits may swallow, a variant from ``variants.toml``
(typos and heading variants seen in real reports), a label with one character
wrong, missing or extra, or a long label wrapped by the page so that only its
start (or end) is in one piece. ``best_sequence`` then picks, for labels that
must appear in order, the set of positions that explains the most labels best.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .document import Document, Paragraph

CELL_OPEN, CELL_CLOSE = "\x02", "\x03"
SKIP = frozenset("“”‘’\"'「」『』\u200b\u200c\u200d\ufeff" + CELL_OPEN + CELL_CLOSE)
ORDINAL = re.compile(r"^(\d{1,2}\.|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、)")

#: Quality of a match, best first; the score ranks competing explanations of the text.
SCORES = {"exact": 10, "core": 10, "prefix": 8, "variant": 8, "approx": 6, "suffix": 5}

_NFKC: dict[str, str] = {}


def _nfkc(ch: str) -> str:
    out = _NFKC.get(ch)
    if out is None:
        out = unicodedata.normalize("NFKC", ch)
        _NFKC[ch] = out
    return out


def norm(text: str) -> str:
    """A label in the compact form used for matching."""
    out: list[str] = []
    for ch in text:
        if ch in SKIP or ch.isspace():
            continue
        for c in _nfkc(ch):
            if c.isspace() or c in SKIP:
                continue
            if c == "、" and out and out[-1].isdigit():
                c = "."
            out.append(c)
    return "".join(out)


@cache
def variants() -> dict:
    data = (resources.files("xlrep.importing") / "variants.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


@cache
def label_norm(label: str) -> str:
    """``norm`` of an official label (a label is normalised again for every table and every report)."""
    return norm(label)


@cache
def label_variants(label: str) -> tuple[str, ...]:
    """Known published variants of an official label (typos, older wordings), compact."""
    table = variants().get("labels", {})
    return tuple(norm(v) for v in table.get(label, ()))


class Stream:
    """The document as text with cell markers, and its compact twin for matching."""

    def __init__(self, doc: Document):
        self.text = "".join(_block_text(block) for block in doc.blocks)
        compact: list[str] = []
        cmap: list[int] = []
        for i, ch in enumerate(self.text):
            if ch in SKIP or ch.isspace():
                continue
            for c in _nfkc(ch):
                if c.isspace() or c in SKIP:
                    continue
                compact.append("." if c == "、" and compact and compact[-1].isdigit() else c)
                cmap.append(i)
        self.compact = "".join(compact)
        cmap.append(len(self.text))  # sentinel: the end of the text
        self.cmap = cmap
        self._digits = None

    def __len__(self) -> int:
        return len(self.compact)

    def digits(self):
        """Digits in the compact text before each position (``digits()[e] - digits()[s]``: digits in [s, e))."""
        if self._digits is None:
            from array import array
            from itertools import accumulate

            self._digits = array("q", accumulate((c.isdigit() for c in self.compact), initial=0))
        return self._digits

    def at(self, ci: int) -> int:
        """Original index of compact position ``ci`` (``len(self)`` gives the end of the text)."""
        return self.cmap[min(max(ci, 0), len(self.cmap) - 1)]

    def end_at(self, ce: int) -> int:
        """Original index just after the compact span ending at ``ce``."""
        if ce <= 0:
            return 0
        return self.cmap[ce - 1] + 1

    def slice(self, cs: int, ce: int) -> str:
        """Original text of a compact span (cs inclusive, ce exclusive), marker-free."""
        return self.text[self.at(cs) : self.end_at(ce)].replace(CELL_OPEN, " ").replace(CELL_CLOSE, " ")

    def find_all(self, needle: str, lo: int, hi: int, limit: int = 40) -> list[int]:
        out = []
        if not needle:
            return out
        pos = self.compact.find(needle, lo, hi)
        while pos != -1 and len(out) < limit:
            out.append(pos)
            pos = self.compact.find(needle, pos + 1, hi)
        return out


def _unmarked(text: str) -> str:
    return text.replace(CELL_OPEN, "").replace(CELL_CLOSE, "")


def _block_text(block) -> str:
    if isinstance(block, Paragraph):
        return _unmarked(block.text) + "\n"
    if max((len(r) for r in block.rows), default=0) <= 1:  # one column: text in a box
        return "".join(cell + "\n" for row in block.rows for cell in row if cell)
    return "".join(
        "".join(CELL_OPEN + _unmarked(cell) + CELL_CLOSE for cell in row if cell is not None) + "\n"
        for row in block.rows
    )


@dataclass(frozen=True)
class Match:
    start: int  # compact positions
    end: int
    quality: str
    label: str  # the official label
    found: str  # what the text says there (compact)

    @property
    def score(self) -> int:
        return SCORES[self.quality]


def split_ordinal(label_norm: str) -> tuple[str, str]:
    m = ORDINAL.match(label_norm)
    return (m.group(1), label_norm[m.end() :]) if m else ("", label_norm)


def candidates(
    stream: Stream,
    label: str,
    lo: int,
    hi: int,
    *,
    extra: tuple[str, ...] = (),
    min_core: int = 4,
    fuzzy: bool = True,
) -> list[Match]:
    """Where ``label`` may be in compact [lo, hi): exact, by its core, as a known variant, or loosely."""
    found = _Found(stream, label)
    full, ordinal, core = found.full, found.ordinal, found.core
    for pos in stream.find_all(full, lo, hi):
        found.add(pos, pos + len(full), "exact")
    if ordinal and len(core) >= min_core:
        for pos in stream.find_all(core, lo, hi):
            found.add(found.with_ordinal(pos, lo), pos + len(core), "core", only_new=True)
    for variant in tuple(label_norm(v) for v in extra) + label_variants(label):
        for pos in stream.find_all(variant, lo, hi):
            found.add(pos, pos + len(variant), "variant", only_new=True)
    if found.matches or not fuzzy:
        return found.sorted()
    base = core if len(core) >= min_core else full
    if 4 <= len(base) <= 40:
        for pos, length in _approx(stream, base, lo, hi):
            found.add(found.with_ordinal(pos, lo) if base is core else pos, pos + length, "approx")
    if len(full) >= 8:
        # a label wrapped in a narrow column: its first line (the ordinal and four characters at least)
        shortest = max(6, int(len(full) * 0.4))
        _longest_part(stream, full, min(shortest, len(ordinal) + 4) if ordinal else shortest, lo, hi, found, "prefix")
        if not found.matches:  # or its end (a published label missing a word)
            _longest_part(stream, base, max(4, int(len(base) * 0.6)), lo, hi, found, "suffix")
    return found.sorted()


class _Found:
    """Candidate positions of one label, the best quality kept per start."""

    def __init__(self, stream: Stream, label: str):
        self.stream, self.label = stream, label
        self.full = label_norm(label)
        self.ordinal, self.core = split_ordinal(self.full)
        self.matches: dict[int, Match] = {}

    def add(self, start: int, end: int, quality: str, only_new: bool = False) -> None:
        old = self.matches.get(start)
        if old is not None and (
            only_new or SCORES[quality] < old.score or (SCORES[quality] == old.score and end <= old.end)
        ):
            return
        self.matches[start] = Match(start, end, quality, self.label, self.stream.compact[start:end])

    def with_ordinal(self, pos: int, lo: int) -> int:
        """The start of a label found by its core, moved back over its ordinal when the ordinal is printed."""
        start = pos - len(self.ordinal)
        return start if self.ordinal and start >= lo and self.stream.compact.startswith(self.ordinal, start) else pos

    def sorted(self) -> list[Match]:
        return sorted(self.matches.values(), key=lambda m: m.start)


def _longest_part(stream: Stream, text: str, shortest: int, lo: int, hi: int, found: _Found, quality: str) -> None:
    """The longest start (``prefix``) or end (``suffix``) of ``text`` that occurs, down to ``shortest`` characters."""
    for n in range(len(text) - 1, shortest - 1, -1):
        part = text[:n] if quality == "prefix" else text[-n:]
        hits = stream.find_all(part, lo, hi, limit=8)
        if hits:
            for pos in hits:
                found.add(pos, pos + n, quality, only_new=quality == "suffix")
            return


def _approx(stream: Stream, pattern: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Occurrences of ``pattern`` with one character substituted, missing or extra (start, length)."""
    text, digits = stream.compact, stream.digits()
    allowed = sum(c.isdigit() for c in pattern)
    n = len(pattern)
    starts: set[int] = set()
    for pos in _occurrences(text, pattern[:2], lo, hi):
        starts.add(pos)
    for pos in _occurrences(text, pattern[-2:], lo, hi):
        for length in (n - 1, n, n + 1):
            starts.add(pos + 2 - length)
    out = []
    for start in sorted(starts):
        if start < lo:
            continue
        for length in (n, n - 1, n + 1):
            end = start + length
            if end > hi:
                continue
            if digits[end] - digits[start] > allowed:
                continue  # a figure next to a label is not a misspelt label
            window = text[start:end]
            if window != pattern and _within_one(window, pattern):
                out.append((start, length))
                break
    return out


def _occurrences(text: str, needle: str, lo: int, hi: int):
    pos = text.find(needle, lo, hi)
    while pos != -1:
        yield pos
        pos = text.find(needle, pos + 1, hi)


def _within_one(a: str, b: str) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most 1."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def best_sequence(options: list[list[Match]]) -> list[Match | None]:
    """For labels expected in this order, the non-overlapping, increasing choice with the highest total score.

    A chain of matches, each of a later label and starting at or after the previous one's end, with the highest
    total score; among equal totals, each match follows the first (in text order) of the best it may follow. The
    best chain ending at each match is found in one pass over the matches by their start, with the matches that
    have ended by then in a prefix-maximum tree by label (O(n log n): comparing every pair took minutes on 32,000
    near-miss labels).
    """
    flat = [(i, m) for i, opts in enumerate(options) for m in opts]
    flat.sort(key=lambda x: (x[1].start, x[0]))
    chosen: list[Match | None] = [None] * len(options)
    if not flat:
        return chosen
    size = len(options)
    none = (float("-inf"), 0)
    tree = [none] * (size + 1)  # tree[p]: the best (chain score, -index) among labels of p's range
    by_end = sorted(range(len(flat)), key=lambda k: flat[k][1].end)
    released = 0
    best: list[float] = []
    back: list[int] = []
    for i, m in flat:
        while released < len(by_end) and flat[by_end[released]][1].end <= m.start:
            j = by_end[released]
            released += 1
            entry = (best[j], -j)
            p = flat[j][0] + 1
            while p <= size:
                if entry > tree[p]:
                    tree[p] = entry
                p += p & -p
        top, p = none, i  # the best chain among labels before i
        while p > 0:
            if tree[p] > top:
                top = tree[p]
            p -= p & -p
        score = float(m.score)
        if top is not none:
            best.append(top[0] + score)
            back.append(-top[1])
        else:
            best.append(score)
            back.append(-1)
    k = max(range(len(flat)), key=lambda x: (best[x], -flat[x][1].start))
    while k != -1:
        i, m = flat[k]
        chosen[i] = m
        k = back[k]
    return chosen
