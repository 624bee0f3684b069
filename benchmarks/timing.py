"""Shared by the benchmark scripts: time whole commands as fresh processes, print Markdown rows."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def time_command(cmd: list[str], runs: int, cwd: Path) -> list[float]:
    """Wall time of ``runs`` fresh runs of ``cmd``; a failing run stops the benchmark with its stderr."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, capture_output=True)
        out.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{cmd} failed: {result.stderr.decode(errors='replace')}")
    return out


def markdown_row(name: str, times: list[float]) -> str:
    return f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {len(times)} |"


def processes() -> Iterator[tuple[int, int, int, float]]:
    """Every process of this machine as ``/proc`` shows it: (pid, parent pid, process group, CPU seconds so far,
    user + system). Nothing where there is no ``/proc``; a process that ends meanwhile is skipped."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    tick = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield int(entry.name), int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
