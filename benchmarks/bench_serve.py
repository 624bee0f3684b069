"""Benchmark: ``POST /api/check`` of a running ``xlrep serve`` with 1, 4 and 8 concurrent clients,
beside ``xlrep ingest`` run once per file (a new process each time: what checking without the site costs).

Each client keeps one HTTP/1.1 connection and posts filled workbooks (a few different ones, some with
errors) one after another; we count audits per second over the whole run and the latency of each
request (p50/p95). The server is started as a real subprocess on a free loopback port with a temporary
data folder and its default worker pool (one process per core). Aims: at least 50 audits/s and p95 at
most 150 ms with 8 clients.

Run:  python benchmarks/bench_serve.py [--requests 400] [--ingest-runs 10]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from timing import time_command

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "serve"), str(ROOT / "tests")]


def _workbooks(folder: Path) -> list[tuple[str, bytes]]:
    from filling import clean_values, fill_workbook

    out = []
    for seed in range(4):
        values = clean_values("2021", 2021, seed=seed)
        if seed % 2:
            values["t3.new_received.research"] += seed  # some with errors: the audit path is the same
        path = fill_workbook(folder / f"单位{seed}.xlsx", "2021", 2021, values)
        out.append((path.name, path.read_bytes()))
    return out


def _body(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _client(port: int, bodies: list[tuple[bytes, str]], count: int, latencies: list[float], lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine = []
    for i in range(count):
        body, content_type = bodies[i % len(bodies)]
        start = time.perf_counter()
        conn.request("POST", "/api/check", body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        response.read()
        mine.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"/api/check answered {response.status}")
    conn.close()
    with lock:
        latencies.extend(mine)


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of the server and its worker processes so far; None where /proc is missing."""
    from timing import processes

    if not Path("/proc").is_dir():
        return None
    return sum(cpu for p, parent, _, cpu in processes() if pid in (p, parent))  # the server, or a child of it


def run_load(port: int, bodies, clients: int, total: int) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = max(1, total // clients)
    threads = [
        threading.Thread(target=_client, args=(port, bodies, per_client, latencies, lock)) for _ in range(clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return len(latencies) / elapsed, statistics.median(ordered), p95, len(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per concurrency level")
    parser.add_argument("--ingest-runs", type=int, default=10)
    args = parser.parse_args()
    from serve_support import ServerProcess

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        books = _workbooks(tmp)
        bodies = [_body(name, data) for name, data in books]
        server = ServerProcess(tmp / "data", "--api-per-minute", "1000000")  # a benchmark, not a flood
        try:
            run_load(server.port, bodies, 2, 40)  # warm up: the workers' first audits
            rows = []
            for clients in (1, 4, 8):
                before = _cpu_seconds(server.proc.pid)
                rate, p50, p95, n = run_load(server.port, bodies, clients, args.requests)
                after = _cpu_seconds(server.proc.pid)
                cpu = f"{(after - before) / n * 1000:.1f}" if before is not None else "–"
                rows.append(
                    f"| `POST /api/check`, {clients} client{'s' if clients > 1 else ''} | {rate:.0f} | "
                    f"{p50 * 1000:.0f} | {p95 * 1000:.0f} | {cpu} | {n} |"
                )
        finally:
            server.stop()
        cold = time_command(
            [sys.executable, "-m", "xlrep", "ingest", "-q", str(tmp / books[0][0])], args.ingest_runs, tmp
        )
        rows.append(
            f"| `xlrep ingest` once per file (new process, 1 at a time) | {1 / statistics.median(cold):.1f} | "
            f"{statistics.median(cold) * 1000:.0f} | {sorted(cold)[-1] * 1000:.0f} | – | {len(cold)} |"
        )

    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores\n")
    print(f"Load average at the end (everything on this machine): {os.getloadavg()[0]:.1f}\n")
    print("| what | audits/s | p50 (ms) | p95 (ms) | CPU per request (ms) | requests |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print("\n(For `xlrep ingest` the p95 column is the slowest run. CPU per request: the server and its worker")
    print("processes together, user + system, from /proc; it does not depend on what else the machine is doing.)")


if __name__ == "__main__":
    main()
