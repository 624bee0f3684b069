"""Every hostile input of issue 22 is answered with bounded work: ≤ 5 s of CPU (scaled to this machine,
tests/machine.py) and ≤ 500 MB, in a process of its own so that both are measured.

The cases are rows of ``bad_inputs.CASES`` (so the README's reliability table shows them); here each is run
again under ``run_measured``. Budgets are CPU seconds, never wall-clock time.
"""

from __future__ import annotations

import sys
import time

import pytest
from bad_inputs import CASES
from machine import cpu_budget, run_measured

BOUNDED = ["digits-after-label", "html-spans", "word-spans", "word-grid-before"]
CPU_SECONDS = 5.0  # on the reference machine
PEAK_MB = 500


@pytest.mark.parametrize("case_id", BOUNDED)
def test_hostile_input_is_answered_within_the_budget(tmp_path, case_id):
    case = next(c for c in CASES if c.id == case_id)
    args = case.build(tmp_path)
    done = run_measured([sys.executable, "-m", "xlrep", *args], timeout=600)
    assert "Traceback" not in done.text
    assert done.returncode == case.exit_code, done.text
    assert case.expect in done.text
    assert done.cpu_seconds < cpu_budget(CPU_SECONDS), f"{done.cpu_seconds:.1f} s of CPU"
    assert done.peak_mb < PEAK_MB, f"peak memory {done.peak_mb:.0f} MB"


def _cpu(function, *args) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


@pytest.mark.parametrize(
    "text",
    [
        "收到申请" + "1" * 100_000,
        "收到申请" + "1,234" * 20_000,
        "收到申请1" + " " * 100_000,
        "收到申请1件，" * 14_000,
        ("收到申请1件，" * 285)[:1995] + "。",  # just under the limit, read
    ],
    ids=["digits", "thousands", "spaces", "one-long-sentence", "near-limit"],
)
def test_reading_statements_is_linear_in_the_text(text):
    """Quadratic reading (the old number pattern: 31 s for 32,000 digits) would take minutes on 10⁵ characters."""
    from xlrep.statements import read_statements

    text = (text * (100_000 // len(text) + 1))[:100_000]
    assert _cpu(read_statements, text) < cpu_budget(1.5)


def test_a_sentence_over_the_limit_is_reported_not_read():
    from xlrep.statements import MAX_SENTENCE, long_sentences, read_statements

    short = "本年度共收到政府信息公开申请75件。"
    long = "收到申请" + "，".join(["予以公开3件"] * (MAX_SENTENCE // 6)) + "。"
    assert len(long) > MAX_SENTENCE
    assert [s.number for s in read_statements(short + long)] == [75]
    assert long_sentences(short + long) == [(len(short), len(short) + len(long) - 1)]
    assert long_sentences(short * 200) == []  # many short sentences: nothing said
