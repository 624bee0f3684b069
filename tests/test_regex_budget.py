"""Every regular expression in src/ runs in time linear in its text: none can backtrack quadratically.

A pattern that re-reads what it read (``\\d+(?:\\.\\d+)?\\s*件`` searched over 32,000 digits: each start
position reads the run to its end and back) takes minutes on 10⁵ characters; a linear one takes milliseconds.
The patterns are collected programmatically (``regexes.all_patterns``: every compiled pattern the modules
hold, and every literal pattern given to ``re`` anywhere in src/), so a new one is tested without being
listed. Each is run on adversarial texts of 10⁵ characters (long digit runs, punctuation, spaces, repeated
label fragments, its own characters) every way it is used, within a CPU budget scaled to the machine.
"""

from __future__ import annotations

import time

import pytest
from machine import cpu_budget
from regexes import all_patterns, hostile_texts, own_alphabet

SIZE = 100_000
PATTERNS = all_patterns()
TEXTS = hostile_texts(SIZE)


def _id(item) -> str:
    pattern, _ = item
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    return source[:40]


def test_the_collection_finds_the_patterns_of_every_kind():
    sources = {p.pattern for p, _ in PATTERNS}
    assert len(PATTERNS) > 100
    assert any("(?P<num>" in s for s in sources if isinstance(s, str))  # statements.NUMBER (an object)
    assert r"ALTER TABLE (\w+) ADD COLUMN (\w+)" in sources  # a literal given to re.match inside a function
    assert r"\s+" in sources


@pytest.mark.parametrize("item", PATTERNS, ids=[_id(p) for p in PATTERNS])
def test_pattern_is_linear_on_adversarial_texts(item):
    pattern, ways = item
    texts = {**TEXTS, **own_alphabet(pattern, SIZE)}
    if isinstance(pattern.pattern, bytes):
        texts = {name: text.encode("utf-8") for name, text in texts.items()}
    worst, spent = "", {}
    for name, text in texts.items():
        start = time.process_time()
        for way in ways:
            if way == "finditer":
                for _ in pattern.finditer(text):
                    pass
            else:
                getattr(pattern, way)(text)
        spent[name] = time.process_time() - start
    worst = max(spent, key=spent.get)
    # Linear patterns take 0.01–2 s here over all texts (a bounded {2,60}? is the slowest); a quadratic one
    # takes minutes.
    assert sum(spent.values()) < cpu_budget(5.0), f"{sum(spent.values()):.1f} s in all, {spent[worst]:.1f} s on {worst}"
