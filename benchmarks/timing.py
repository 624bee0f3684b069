"""Shared by the benchmark scripts: time whole commands as fresh processes, print Markdown rows."""

from __future__ import annotations

import statistics
import subprocess
import time
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
