"""The province benchmark runs end to end at a tiny size (1 city × 1 county × 3 units, SQLite, one process), with
the clients saturating the site and with the uploads paced (``--rate``): a smoke test of the script, not a
measurement — nothing here is timed."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("paced", [False, True], ids=["saturated", "paced"])
def test_bench_province_tiny_season_on_sqlite(tmp_path, paced):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", TMPDIR=str(tmp_path))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    size = ["--cities", "1", "--counties", "1", "--units", "3", "--clients", "2", "--pages", "2"]
    size += ["--rate", "20"] if paced else []
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_province.py"), *size, "--backends", "sqlite"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,  # a hang guard, not a timing claim
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {
        line.split(" | ")[1]: line.split(" | ")[2]
        for line in done.stdout.splitlines()
        if line.startswith("| SQLite, 1 process |")
    }
    upload = "unit upload on its link (its page first), 2 clients" + (", uploads arriving at 20/s" if paced else "")
    assert rows[upload] == "3", done.stdout
    assert rows["audits recorded (upload start → audit in the database)"] == "3", done.stdout
    assert rows["unit 上报 (确认上报), 2 clients"] == "3", done.stdout
    assert rows["province 管理员's home page (every round below it with its progress)"] == "2", done.stdout
    assert rows["a county's 汇总 of its units, from the province: 3 units"] == "1", done.stdout  # answered 200
    # the county 上报ed its 汇总 up, the city too: the province's 汇总 covers every unit below it
    assert rows["county 向上级上报 (its 汇总 of 3 units built, uploaded, audited, 确认上报)"] == "1", done.stdout
    assert rows["province 汇总 (summary.xlsx, include=submitted): 3 units"] == "1", done.stdout
    assert "failed" not in done.stdout and "not audited" not in done.stdout, done.stdout
    assert ("uploads offered at 20/s (Poisson arrivals)" in done.stdout) == paced, done.stdout
    assert not list(tmp_path.iterdir()), "the benchmark left files behind"


def test_arrivals_are_a_seeded_poisson_process():
    """The paced load's arrival times: increasing, the same every run, ``rate`` per second on average."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_province import arrivals
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    times = arrivals(20_000, 80.0)
    assert times == arrivals(20_000, 80.0)
    assert all(a < b for a, b in itertools.pairwise(times)) and times[0] > 0
    assert 20_000 / times[-1] == pytest.approx(80.0, rel=0.03)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # exponential gaps: as many shorter than the mean as the law says (1 - 1/e of them), not evenly spaced
    assert sum(g < 1 / 80 for g in gaps) / len(gaps) == pytest.approx(1 - 1 / 2.718281828, abs=0.02)
