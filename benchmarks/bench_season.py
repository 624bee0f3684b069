"""Benchmark: a collection season on a running ``xlrep serve`` — units uploading on their own links with 8
concurrent clients (each upload is stored, audited with the round's ROUND-* checks and answered with the redirect
to the unit's result), and the office's dashboard of a round of 500 units.

Aims (issue 17): at least 50 audited uploads per second with p95 at most 150 ms at 8 clients; the dashboard of
500 units in at most 200 ms (p95). The server is a real subprocess on a free loopback port with a temporary data
folder and its default worker pool (one process per core), on the same cores as the clients.

With ``--database postgresql`` the site keeps its records on a PostgreSQL server of the benchmark's own (the
tests' ``pg_server.py``: Debian's binaries, a temporary cluster) and ``--processes N`` runs N server processes on
it with one shared files folder, the clients taking them in turn (as nginx would), each with cores/N workers.

Run:  python benchmarks/bench_season.py [--units 500] [--uploads 400] [--dashboards 60]
                                        [--database postgresql] [--processes 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "serve"), str(ROOT / "tests")]


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]


def _workbooks(folder: Path, names: list[str], year: int) -> dict[str, bytes]:
    from filling import clean_values, fill_workbook

    books = {}
    for i, name in enumerate(names):
        values = clean_values("2021", year, seed=i % 7)
        values["info.org_name"] = name
        books[name] = fill_workbook(folder / f"{i}.xlsx", "2021", year, values).read_bytes()
    return books


def _uploads(urls: list[str], jobs: list[tuple[str, str, bytes]], clients: int) -> tuple[float, list[float]]:
    from serve_support import Client, csrf_of, multipart

    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(jobs)

    def work(url: str) -> None:
        mine = []
        while True:
            with lock:
                if not queue:
                    break
                link, name, data = queue.pop()
            client = Client(url)
            token = csrf_of(client.get(link).text)  # the unit's page, as a browser has it open
            body, content_type = multipart({"csrf_token": token}, {"file": (f"{name}.xlsx", data)})
            start = time.perf_counter()
            answer = client.request("POST", link + "/upload", body, {"Content-Type": content_type})
            mine.append(time.perf_counter() - start)
            if answer.status != 303:
                raise SystemExit(f"upload answered {answer.status}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(urls[i % len(urls)],)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--uploads", type=int, default=400)
    parser.add_argument("--dashboards", type=int, default=60)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    if args.processes > 1 and args.database == "sqlite":
        raise SystemExit("--processes needs --database postgresql (SQLite: one process per data folder)")
    from serve_support import ServerProcess, create_round, set_up_admin, unit_links

    year = 2025
    names = [f"第{i:03d}单位" for i in range(1, args.units + 1)]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        postgres, servers, options = None, [], []
        if args.database == "postgresql":
            from pg_server import PostgresServer

            postgres = PostgresServer()
            options = ["--database", postgres.new_database(), "--files", str(tmp / "files")]
            options += ["--workers", str(max(1, (os.cpu_count() or 1) // args.processes))]
        try:
            for i in range(args.processes):
                servers.append(ServerProcess(tmp / f"data{i}", *options))
            server = servers[0]
            urls = [s.url for s in servers]
            admin = set_up_admin(server)
            round_id = create_round(admin, [(n, "部门") for n in names], year=year)
            links = unit_links(admin, round_id)
            chosen = names[: min(args.uploads, len(names))]
            books = _workbooks(tmp, chosen, year)
            jobs = [(links[n], n, books[n]) for n in chosen]
            _uploads(urls, jobs[:16], 2 * len(urls))  # warm up: the workers' first audits
            rate, latencies = _uploads(urls, jobs[16:], 8)
            p50, p95 = _percentiles(latencies)
            dashboard = f"/admin/rounds/{round_id}"
            admin.get(dashboard)
            times = []
            for _ in range(args.dashboards):
                start = time.perf_counter()
                answer = admin.get(dashboard)
                times.append(time.perf_counter() - start)
                if answer.status != 200 or names[-1] not in answer.text:
                    raise SystemExit(f"dashboard answered {answer.status}")
            d50, d95 = _percentiles(times)
        finally:
            for running in servers:
                running.stop()
            if postgres is not None:
                postgres.stop()

    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"Load average at the end (everything on this machine): {os.getloadavg()[0]:.1f}")
    print(f"Records: {args.database}, {args.processes} server process(es)\n")
    print("| what | per second | p50 (ms) | p95 (ms) | requests |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| unit upload on its link (stored, audited, ROUND-* checks), 8 clients | {rate:.0f} | "
        f"{p50 * 1000:.0f} | {p95 * 1000:.0f} | {len(latencies)} |"
    )
    print(
        f"| office dashboard, round of {args.units} units ({len(chosen)} uploaded) | {1 / d50:.0f} | "
        f"{d50 * 1000:.0f} | {d95 * 1000:.0f} | {len(times)} |"
    )


if __name__ == "__main__":
    main()
