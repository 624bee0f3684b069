"""Bounds on work that hold on a slow and on a fast machine alike.

A test never asserts a wall-clock time: another process on the machine, or a slower machine, makes it fail
for nothing (issue 23). Where a test must prove that an input is answered with *bounded work* (a quadratic
pattern, a bomb, a budget), it measures the **CPU seconds** of the process that did the work and compares them
with a budget given *for the reference machine* and scaled by how fast this machine is, measured in the same
session by a fixed pure-Python workload (``speed_factor``). On the machine the budgets were written on the factor
is 1; on one three times slower the budgets are three times larger, so the tests keep meaning “linear, not
quadratic” and “seconds, not minutes” everywhere. Wall-clock deadlines only guard against hangs (``timeout=``),
and waiting is always for a condition with a deadline (``wait_until``), never a fixed sleep.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# CPU seconds of ``_reference_workload`` on the machine the budgets in the tests were written on (the
# project's 2-core machine, a quiet day; min of 5 runs). Measured with: python -c "import machine; ..."
REFERENCE_SECONDS = 0.055

ROOT = Path(__file__).resolve().parents[1]


def _reference_workload() -> int:
    """A fixed mix of what xlrep's work is made of: dict and string operations, a regex, small integers."""
    import re

    pattern = re.compile(r"(\d+)件")
    total = 0
    table: dict[str, int] = {}
    for i in range(60_000):
        text = f"收到申请{i}件，办结{i % 97}件"
        m = pattern.search(text)
        total += int(m.group(1)) if m else 0
        table[text[:6]] = table.get(text[:6], 0) + i % 7
    return total + len(table)


@functools.cache
def speed_factor() -> float:
    """How much slower (> 1) or faster (< 1) this machine is than the reference machine, by CPU time.

    The best of five runs: CPU time barely depends on other processes, and the minimum removes the rest.
    Never below 1: a faster machine keeps the reference budgets (they are promises, not targets).
    """
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        _reference_workload()
        best = min(best, time.process_time() - start)
    return max(1.0, best / REFERENCE_SECONDS)


def cpu_budget(reference_seconds: float) -> float:
    """``reference_seconds`` of CPU on the reference machine, scaled to this one."""
    return reference_seconds * speed_factor()


def wait_until(condition: Callable[[], object], deadline_seconds: float, what: str, poll: float = 0.05):
    """Wait for ``condition()`` to be true, polling; fail naming ``what`` after ``deadline_seconds``.

    Returns the condition's value. The deadline is generous: it guards against a hang, it is not a timing claim.
    """
    deadline = time.monotonic() + deadline_seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {deadline_seconds:.0f} s: {what}")
        time.sleep(poll)


@dataclass
class Measured:
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float  # user + system CPU of the process and every process it waited for
    peak_mb: float  # the largest resident set of any one of them

    @property
    def text(self) -> str:
        return (self.stdout + self.stderr).decode("utf-8", "replace")


# The command runs under this small wrapper, not straight from pytest: Linux keeps a process's peak RSS across
# exec, so a child forked from the large pytest process would report pytest's size. RUSAGE_CHILDREN of the
# wrapper is the command's own CPU time and peak.
_WRAPPER = """
import json, resource, subprocess, sys
out, err = sys.argv[1], sys.argv[2]
with open(out, "wb") as o, open(err, "wb") as e:
    code = subprocess.run(sys.argv[3:], stdout=o, stderr=e, stdin=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss}))
"""


def run_measured(args: list, *, env: dict | None = None, cwd=None, timeout: float = 300) -> Measured:
    """Run ``args`` and measure its CPU seconds and peak memory (Linux and macOS)."""
    env = dict(os.environ if env is None else env)
    env.setdefault("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    with tempfile.TemporaryDirectory(prefix="xlrep-measured-") as tmp:
        out, err = Path(tmp, "out"), Path(tmp, "err")
        done = subprocess.run(
            [sys.executable, "-c", _WRAPPER, str(out), str(err), *map(os.fsdecode, args)],
            capture_output=True,
            timeout=timeout,
            env=env,
            cwd=cwd,
        )
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        report = json.loads(done.stdout)
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KB on Linux
        return Measured(
            report["code"], out.read_bytes(), err.read_bytes(), report["cpu"], report["peak_kb"] * scale / 2**20
        )
