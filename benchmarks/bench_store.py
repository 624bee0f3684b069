"""What the collection site's store calls cost in CPU, on SQLite and on PostgreSQL, without the web server around
them: the calls a unit's page and an upload make (as ``serve.unit`` makes them, each in its own ``Store.session``).

``bench_province.py`` measures a whole season under load, where one run and the next can land 20% apart on a
shared machine. This one runs the same calls one after another and reports CPU time (the best of several rounds),
which moves far less from run to run, so a change to the store or its database layer can be judged by it. With
``--compare DIR`` the same calls run, round after round in turn, against the source tree of another checkout.

- **the unit's page** (``unit._unit_page``): the unit with its latest version, its round, its versions (60 units
  that each uploaded one version);
- **an upload's records**: the unit by its link; ``_record_upload`` (the bytes stored and synced, the version and
  its log line in one write transaction) and ``_audit_inputs``, in one store call where the tree's upload route makes
  them so (``_upload_recorded``); ``set_audit`` (a write transaction);
- **确认上报** (``Store.submit``) of the version uploaded.

CPU is this process's (the store's side: Python, psycopg or sqlite3, the file writes; the best round) and, on
PostgreSQL, the database server's processes (from /proc, in clock ticks: over all rounds), per call. Run:

    python benchmarks/bench_store.py [--rounds 7] [--calls 200] [--compare ../xlrep-before]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IP = "127.0.0.1"  # the address the calls log


def _database_cpu(postmaster: int | None) -> float:
    """CPU seconds so far of PostgreSQL's processes (the postmaster and its children); 0 without /proc."""
    from timing import processes  # (``measure`` put the benchmarks on the path)

    if postmaster is None:
        return 0.0
    return sum(cpu for pid, parent, _, cpu in processes() if postmaster in (pid, parent))


def measure(tree: Path, rounds: int, calls: int, database: str | None, postmaster: int | None) -> dict:
    """(In a child process whose ``xlrep`` is ``tree``'s.) CPU microseconds per call of each kind, best round."""
    sys.path[:0] = [str(ROOT / "benchmarks")]
    import bench_province as province  # (it puts this tree's src first: ``tree``'s goes before it again)

    sys.path.insert(0, str(tree / "src"))
    for name in [name for name in sys.modules if name == "xlrep" or name.startswith("xlrep.")]:
        del sys.modules[name]
    from xlrep.serve import audits
    from xlrep.serve import unit as unit_routes
    from xlrep.serve.storage import Store

    assert Path(unit_routes.__file__).is_relative_to(tree), unit_routes.__file__
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        store = Store(tmp / "data", database=database, files=tmp / "files") if database else Store(tmp / "data")
        try:
            seeded = province.seed(store, 1, 1, rounds * calls + 1)  # each upload a unit of its own
            workbooks = province.variants(tmp)
            books = [province.workbook_for(workbooks.variants[0], name) for name, _ in seeded.units[:10]]
            outcome = audits.check(books[0], "x.xlsx")
            units = iter(seeded.units[1:])

            def upload(name: str, token: str, i: int) -> None:
                with store.session():
                    unit = store.unit_by_token(token)
                if hasattr(unit_routes, "_upload_recorded"):  # the upload route's one store call (since 1593668)
                    with store.session():
                        version, _ = unit_routes._upload_recorded(store, unit, books[i % 10], f"{name}.xlsx", IP)
                else:  # before: two
                    with store.session():
                        version = unit_routes._record_upload(store, unit, books[i % 10], f"{name}.xlsx", IP)
                    with store.session():
                        unit_routes._audit_inputs(store, unit, version, books[i % 10])
                with store.session():
                    audit = outcome["audit"]
                    store.set_audit(version.id, audit, outcome["org_name"], outcome["content"], outcome["phone"])
                with store.session():
                    store.submit(store.unit_by_token(token), version.number, IP, {})

            def page(name: str, token: str, i: int) -> None:
                with store.session():
                    unit_routes._unit_page(store, token)

            upload(*seeded.units[0], 0)  # warm: imports, prepared statements, caches
            found: dict[str, float] = {}
            for kind, work in (("upload", upload), ("page", page)):
                database_cpu = _database_cpu(postmaster)
                for _ in range(rounds):
                    cpu = time.process_time()
                    for i in range(calls):
                        name, token = next(units) if kind == "upload" else seeded.units[i % 60]
                        work(name, token, i)
                    spent = (time.process_time() - cpu) / calls * 1e6
                    found[kind] = min(found.get(kind, spent), spent)
                # PostgreSQL's processes: counted in clock ticks, so over every round (not the best one)
                found[f"{kind} database"] = (_database_cpu(postmaster) - database_cpu) / (rounds * calls) * 1e6
            return found
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each kind; the best is kept")
    parser.add_argument("--calls", type=int, default=200, help="calls in a round")
    parser.add_argument("--compare", type=Path, help="the checkout of an earlier version to measure beside this one")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # tree, database ("": SQLite), postmaster
    args = parser.parse_args()
    if args.child:
        tree, database, postmaster = args.child
        found = measure(Path(tree), args.rounds, args.calls, database or None, int(postmaster) or None)
        print(json.dumps(found))
        return
    sys.path[:0] = [str(ROOT / "tests" / "serve")]
    from pg_server import PostgresServer

    trees = [("this tree", ROOT)] + ([(f"`{args.compare.name}`", args.compare.resolve())] if args.compare else [])
    postgres = PostgresServer()
    try:
        postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
        results: dict[tuple[str, str], list[dict]] = {}
        for _ in range(3):  # the trees in turn, three times: a slower minute of the machine falls on each
            for label, tree in trees:
                for backend in ("sqlite", "postgresql"):
                    database = postgres.new_database() if backend == "postgresql" else ""
                    command = [sys.executable, __file__, "--rounds", str(args.rounds), "--calls", str(args.calls)]
                    command += ["--child", str(tree), database, str(postmaster if database else 0)]
                    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
                    if done.returncode != 0:
                        raise SystemExit(f"{label} on {backend} failed:\n{done.stderr[-3000:]}")
                    results.setdefault((label, backend), []).append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        postgres.stop()
    print(f"store calls, CPU µs per call: this process (the best of {args.rounds} rounds of {args.calls}) and, on")
    print("PostgreSQL, + its server's processes (over all rounds); each cell: three runs, the trees taken in turn\n")
    print("| store calls | backend | " + " | ".join(label for label, _ in trees) + " |")
    print("|---|---|" + "---:|" * len(trees))
    for kind, what in (("page", "the unit's page"), ("upload", "an upload's records, then 确认上报")):
        for backend in ("sqlite", "postgresql"):
            cells = []
            for label, _ in trees:
                runs = results[(label, backend)]
                cell = " / ".join(f"{r[kind]:.0f}" for r in runs)
                if backend == "postgresql":
                    cell += " + " + " / ".join(f"{r[kind + ' database']:.0f}" for r in runs)
                cells.append(cell)
            print(f"| {what} | {backend} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
