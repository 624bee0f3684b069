"""Benchmark: a province's collection season on one site (issue 18) — offices at three levels (省 → 市 → 县), every
office with its round of the same year, the units of the counties uploading filled workbooks with 32 concurrent
clients, then 上报, then the province's pages and its 汇总.

Default size: 10 cities × 8 counties × 60 units = 4,800 units in 80 county rounds (91 offices, 91 rounds, one
account each). The offices, accounts, rounds and units are seeded through the storage API (``serve.storage.Store``:
``set_up``, ``create_office``, ``create_round``), not through 4,800 form posts; everything measured goes through
HTTP to real ``xlrep serve`` processes on free loopback ports:

- on PostgreSQL (the tests' ``pg_server.py``: Debian's binaries, a throwaway cluster in a temporary directory) with
  ``--processes`` (default 2) server processes sharing the database and one ``--files`` folder, each with cores/N
  workers (as docs/serve.md advises; ``--workers`` to change); each request goes to the process with the fewest
  requests in progress, in turn among equals, as nginx does with ``least_conn`` in docs/serve.md's configuration (a
  unit's page and its upload may come from different processes: sessions and CSRF hold across them;
  ``--balance round-robin``: in turn, request by request, nginx's default);
- on SQLite with one process (its default worker pool), for comparison.

Measured, for each: (a) every unit's upload on its own link (its page first, as a browser has it open; each unit a
different workbook with its own 机关名称) — uploads per second, upload response p50/p95 — and the audits: the
benchmark reads the database until every upload is audited (bounded by ``--deadline``), audits per second over the
whole phase and p95 from the start of the upload to its audit recorded; then every unit's 上报 (确认上报 of its
version) with the same clients; (b) the province 管理员's home page (every round below it with its progress) and
the province round's dashboard, idle, p50/p95 over ``--pages`` requests, and for scale a county round's dashboard
seen from the province; (c) the province 汇总 (``summary.xlsx?include=submitted`` of the province round, timed once)
after every 县 and then every 市 has 上报ed its 汇总 upward on the site (``roll_up``, timed per office) — beside a
county's 汇总 of its units.

Aims (issue 18): ≥ 80 audits/s with p95 ≤ 300 ms at 32 clients, the province dashboard ≤ 300 ms p95, the province
汇总 of 4,800 units ≤ 60 s — on this 2-core machine, with the clients on the same cores.

Two loads: by default each client starts its next upload as soon as its last one ends (a closed loop: 32 uploads in
the site at all times, as many per second as it can audit — its capacity; the latency is then 32 ÷ that rate);
``--rate 80``: the uploads arrive at 80 per second on average, at random (Poisson), each taken by a free client —
the latency at the aim's rate, with the site not saturated.

Run:  python benchmarks/bench_province.py [--cities 10] [--counties 8] [--units 60] [--clients 32] [--rate 0]
                                          [--backends postgresql,sqlite] [--processes 2] [--pages 50]
Small, while developing:  --cities 2 --counties 2 --units 10
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import platform
import queue
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "serve"), str(ROOT / "tests")]

YEAR = 2024  # the reports of 2024, in the 2021 edition's form
EDITION = "2021"
PASSWORD = "省级测试-" + os.urandom(4).hex()
PLACEHOLDER = "XLREPBENCHORGNAME"  # the 机关名称 of the filled workbooks, replaced by each unit's own name
VARIANTS = 8  # different fills (seeds), each given every unit's name in turn


# -- the province: offices, accounts, rounds, units, seeded through the storage API ------------------------------
@dataclass
class Office:
    id: int
    name: str
    level: str
    login: str
    round_id: int = 0
    children: list[Office] = field(default_factory=list)


@dataclass
class Province:
    top: Office
    units: list[tuple[str, str]] = field(default_factory=list)  # (unit name, token of its link), county by county
    county_rounds: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def offices(self) -> list[Office]:
        out, todo = [], [self.top]
        while todo:
            office = todo.pop(0)
            out.append(office)
            todo.extend(office.children)
        return out


def seed(store, cities: int, counties: int, units: int) -> Province:
    """The province's offices (省 → ``cities`` 市 → ``counties`` 县 each), one 管理员 each, and every office's round
    of ``YEAR`` created with ``store.create_round`` top-down: the 县 rounds list ``units`` units each; the 省 and 市
    rounds no units of their own (the site links the lower offices' rounds of the same year to them, when it does:
    issue 18 §2). One password for all (one scrypt hash: seeding is not what is measured)."""
    from xlrep.serve.security import hash_password

    start = time.perf_counter()
    hashed = hash_password(PASSWORD)
    first = store.set_up(hashed, None, office=("某某省人民政府办公厅", "省"), person=("省管理员", "province"))
    by = store.account(first)
    province = Province(Office(by.office_id, "某某省人民政府办公厅", "省", "province"))
    for c in range(1, cities + 1):
        city = _office(store, province.top, by, f"第{c:02d}市", "市", f"city{c:02d}", hashed)
        city_by = store.account_by_login(city.login)
        for k in range(1, counties + 1):
            _office(store, city, city_by, f"第{c:02d}市第{k:02d}县", "县", f"county{c:02d}{k:02d}", hashed)
    for office in province.offices():  # top-down: the 省, its 市, their 县
        account = store.account_by_login(office.login)
        listed = [(f"{office.name}第{u:03d}部门", "部门") for u in range(1, units + 1)] if office.level == "县" else []
        office.round_id = store.create_round(
            year=YEAR,
            edition=EDITION,
            title=f"{YEAR}年度政府信息公开工作年度报告",
            deadline=None,
            previous_id=None,
            summary_org=f"{office.name}人民政府办公室" if office.level != "省" else office.name,
            summary_org_type=None,
            units=listed,
            ip=None,
            office_id=office.id,
            by=account,
        )
        if office.level == "县":
            province.county_rounds.append(office.round_id)
            province.units += [(u.name, u.token) for u in store.units(office.round_id) if not u.member_round_id]
    province.seconds = time.perf_counter() - start
    return province


def _office(store, parent: Office, by, name: str, level: str, login: str, hashed: str) -> Office:
    office_id = store.create_office(
        store.office(parent.id), name, level, (f"{name}管理员", login, hashed), by=by, ip=None
    )
    office = Office(office_id, name, level, login)
    parent.children.append(office)
    return office


def roll_up(args, ports: Ports, province: Province, cpu: SiteCpu) -> list[Row]:
    """Step (c), first half: each lower office 上报s its 汇总 upward — every 县, then every 市 — as its 管理员 does on
    the site: signs in, 生成汇总并上传到上级收集 (the units 已上报 and 已通过, ``include=submitted``: nobody reviews
    in this benchmark), then 确认上报 of that version on the page it is sent to. Timed per office, ``args.clients``
    offices at a time; the province round then covers every unit below it."""
    from serve_support import Client, csrf_of, multipart

    signed_in: dict[int, Client] = {}

    def sign_in(office: Office) -> None:
        """One 管理员 after another, before the clock starts: the site lets at most a few sign-ins from one address
        be checked at a time (the login throttle), and every office here signs in from 127.0.0.1."""
        client = Client(ports.next())
        login = {"login": office.login, "password": PASSWORD, "next": "/admin"}
        signed = client.post("/admin/login", login, form_page="/admin/login")
        if signed.status != 303:
            raise SystemExit(f"{office.login}: sign-in answered {signed.status}: {_message(signed)}")
        signed_in[office.id] = client

    def report(office: Office) -> float:
        client = signed_in[office.id]
        page = f"/admin/rounds/{office.round_id}"
        start = time.perf_counter()
        answer = client.post(page + "/report-up", {"include": "submitted"}, form_page=page)
        if answer.status != 303 or not (answer.location or "").startswith("/u/"):
            raise RuntimeError(f"{office.name} 向上级上报 answered {answer.status} {answer.location}")
        link, version = answer.location.split("?v=", 1)
        unit = Client(ports.next())
        form = unit.get(link)
        fields = {"csrf_token": csrf_of(form.text), "version": version.split("#", 1)[0], "explain-all": "已核实。"}
        body, content_type = multipart(fields, {})
        sent = unit.request("POST", link + "/submit", body, {"Content-Type": content_type})
        if sent.status != 303 or "notice=" in (sent.location or ""):
            raise RuntimeError(f"{office.name} 确认上报 answered {sent.status}: {sent.text[:200]}")
        return time.perf_counter() - start

    rows = []
    deadline = time.monotonic() + args.deadline
    for level, what in (("县", "county"), ("市", "city")):
        offices = [o for o in province.offices() if o.level == level]
        for office in offices:
            sign_in(office)
        before = cpu.seconds()
        elapsed, times, failed, _ = run_clients(offices, min(args.clients, 8), report, deadline)
        if failed:
            raise SystemExit(f"{what} 上报 upward failed: {failed[0]}")
        p50, p95 = _percentiles(times)
        units = args.units * (1 if level == "县" else args.counties)
        label = f"{what} 向上级上报 (its 汇总 of {units} units built, uploaded, audited, 确认上报)"
        rows.append(Row(label, len(times), len(times) / elapsed, p50, p95, "–", _per_request(cpu, before, len(times))))
    return rows


# -- the workbooks: a few filled variants, each unit's copy carrying its own 机关名称 -----------------------------
@dataclass
class Workbooks:
    """The filled variants (each a zip's entries) and every unit's workbook made from them so far (name → bytes)."""

    variants: list[dict[str, tuple[zipfile.ZipInfo, bytes]]]
    books: dict[str, bytes] = field(default_factory=dict)


def variants(folder: Path) -> Workbooks:
    from filling import clean_values, fill_workbook

    out = []
    for seed_ in range(VARIANTS):
        values = clean_values(EDITION, YEAR, seed=seed_)
        values["info.org_name"] = PLACEHOLDER
        data = fill_workbook(folder / f"variant{seed_}.xlsx", EDITION, YEAR, values).read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out.append({i.filename: (i, z.read(i)) for i in z.infolist()})
    return Workbooks(out)


def workbook_for(variant: dict[str, tuple[zipfile.ZipInfo, bytes]], name: str) -> bytes:
    """``variant`` with ``name`` as its 机关名称 (the placeholder's cell)."""
    out = io.BytesIO()
    token, wanted = PLACEHOLDER.encode(), name.encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in variant.values():
            z.writestr(info, data.replace(token, wanted) if token in data else data)
    return out.getvalue()


# -- clients ------------------------------------------------------------------------------------------------------
class Ports:
    """The server processes as a reverse proxy shares the requests out among them: ``round-robin`` (in turn,
    nginx's default) or ``least-conn`` (the one with the fewest requests in progress, in turn among equals: nginx's
    ``least_conn``)."""

    def __init__(self, urls: list[str], balance: str = "round-robin"):
        self.urls = list(urls)
        self.balance = balance
        self._cycle = itertools.cycle(range(len(urls)))
        self._lock = threading.Lock()
        self._open = [0] * len(urls)

    def next(self) -> str:
        with self._lock:
            return self.urls[next(self._cycle)]

    @contextlib.contextmanager
    def take(self):
        """The process for one request (held as in progress until the block ends)."""
        with self._lock:
            i = next(self._cycle)
            if self.balance == "least-conn":
                fewest = min(self._open)
                while self._open[i] != fewest:
                    i = next(self._cycle)
            self._open[i] += 1
        try:
            yield self.urls[i]
        finally:
            with self._lock:
                self._open[i] -= 1


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]


def arrivals(count: int, rate: float, seed: int = 18) -> list[float]:
    """Seconds from the start at which ``count`` jobs arrive at ``rate`` per second on average, independently of
    one another (a Poisson process: exponential gaps), the same every run."""
    import random

    draw, at, out = random.Random(seed), 0.0, []
    for _ in range(count):
        at += draw.expovariate(rate)
        out.append(at)
    return out


def run_clients(
    jobs: list, clients: int, work, deadline: float, rate: float = 0.0
) -> tuple[float, list, list[str], list[float]]:
    """``work(job)`` for every job with ``clients`` threads, until done or ``deadline`` (monotonic) passes: the
    elapsed seconds, the results, the failures (each a line), and how late each job started (seconds).

    ``rate`` 0: each client starts its next job as soon as its last one ends (a closed loop: as many jobs at a time
    as clients, the site kept saturated). ``rate`` > 0: the jobs arrive at ``rate`` per second (``arrivals``) and a
    client starts each at its arrival, or as soon as one is free when all are busy (then it starts late)."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    start = time.monotonic()
    times = arrivals(len(jobs), rate) if rate > 0 else [0.0] * len(jobs)
    for job, at in zip(jobs, times, strict=True):
        todo.put((job, start + at))
    results, failures, late, lock = [], [], [], threading.Lock()

    def loop() -> None:
        while time.monotonic() < deadline:
            try:
                job, at = todo.get_nowait()
            except queue.Empty:
                return
            if rate > 0:
                wait = at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)  # the job's arrival (pacing the load, not waiting on the site)
                with lock:
                    late.append(max(0.0, time.monotonic() - at))
            try:
                got = work(job)
            except Exception as exc:  # a failed request is counted and shown, the others go on
                got, failed = None, f"{type(exc).__name__}: {exc}"
            else:
                failed = None
            with lock:
                if failed:
                    failures.append(failed)
                else:
                    results.append(got)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 130))  # a request's own timeout is 120 s
    return time.monotonic() - start, results, failures, late


@dataclass
class UnitClient:
    """One unit's browser: its cookies (the CSRF cookie), its link, the token of its page's form."""

    name: str
    link: str
    cookies: dict = field(default_factory=dict)
    csrf: str = ""
    version: int = 0

    def on(self, url: str):
        from serve_support import Client

        return Client(url, self.cookies)


def upload_one(ports: Ports, unit: UnitClient, data: bytes) -> tuple[float, float, str]:
    """The unit's page, then its upload, each from the process the balance gives: (wall start, seconds, link)."""
    from serve_support import csrf_of, multipart

    with ports.take() as url:
        page = unit.on(url).get(unit.link)
    if page.status != 200:
        raise RuntimeError(f"unit page answered {page.status}")
    unit.csrf = csrf_of(page.text)
    body, content_type = multipart({"csrf_token": unit.csrf}, {"file": (f"{unit.name}.xlsx", data)})
    wall, start = time.time(), time.perf_counter()
    with ports.take() as url:
        answer = unit.on(url).request("POST", unit.link + "/upload", body, {"Content-Type": content_type})
    seconds = time.perf_counter() - start
    if answer.status != 303 or "?v=" not in (answer.location or ""):
        raise RuntimeError(f"upload answered {answer.status}: {answer.text[:200]}")
    unit.version = int(answer.location.split("?v=", 1)[1].split("#", 1)[0])
    return wall, seconds, unit.link


def submit_one(ports: Ports, unit: UnitClient) -> float:
    """确认上报 of the unit's version (a 说明 for all 提示, should it have any), with its page's CSRF token."""
    from serve_support import multipart

    fields = {"csrf_token": unit.csrf, "version": str(unit.version), "explain-all": "数字已逐项核实无误。"}
    body, content_type = multipart(fields, {})
    start = time.perf_counter()
    with ports.take() as url:
        answer = unit.on(url).request("POST", unit.link + "/submit", body, {"Content-Type": content_type})
    seconds = time.perf_counter() - start
    if answer.status != 303 or "notice=" in (answer.location or ""):
        raise RuntimeError(f"上报 answered {answer.status} {answer.location}: {answer.text[:200]}")
    return seconds


# -- reading the database while the site runs (the audits) -------------------------------------------------------
class Records:
    """A read-only look at the site's database: which uploads are audited, when (the server's clock)."""

    def __init__(self, sqlite_file: Path | None = None, url: str | None = None):
        if url:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)
        else:
            import sqlite3

            self.conn = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True, timeout=30)

    def audited(self) -> tuple[int, dict[str, float]]:
        """How many uploads are not audited yet; each audited one's link → when its audit was recorded."""
        rows = self.conn.execute(
            "SELECT u.token, v.audited_at FROM versions v JOIN units u ON u.id = v.unit_id"
        ).fetchall()
        return sum(r[1] is None for r in rows), {f"/u/{r[0]}": r[1] for r in rows if r[1] is not None}

    def close(self) -> None:
        self.conn.close()


def wait_audited(records: Records, seconds: float) -> tuple[int, dict[str, float]]:
    """Poll until no upload waits for its audit, or ``seconds`` pass: (still waiting, audited times)."""
    deadline = time.monotonic() + seconds
    while True:
        waiting, done = records.audited()
        if not waiting or time.monotonic() > deadline:
            return waiting, done
        time.sleep(0.05)  # polling the database until the deadline


# -- the site's CPU time (load-independent): the server processes, their workers, PostgreSQL ---------------------
class SiteCpu:
    """CPU seconds (user + system, from /proc) used so far by the site: each server's process group (the server and
    its workers) and PostgreSQL's server processes (the postmaster and its children). None where /proc is missing."""

    def __init__(self, groups: list[int], postmaster: int | None):
        self.groups, self.postmaster = set(groups), postmaster

    def seconds(self) -> float | None:
        """The whole site's CPU seconds so far."""
        split = self.split()
        return sum(split) if split else None

    def split(self) -> tuple[float, float] | None:
        """(the server processes and their workers, PostgreSQL's processes): CPU seconds so far."""
        from timing import processes

        if not Path("/proc").is_dir():
            return None
        app = database = 0.0
        for pid, parent, group, cpu in processes():
            if group in self.groups:
                app += cpu
            elif self.postmaster and self.postmaster in (pid, parent):
                database += cpu
        return app, database


def _per_request(cpu: SiteCpu, before: float | None, count: int) -> float | None:
    after = cpu.seconds()
    return (after - before) / count if before is not None and after is not None and count else None


# -- one season on one backend -------------------------------------------------------------------------------------
@dataclass
class Row:
    what: str
    count: int
    rate: float | None
    p50: float | None  # seconds
    p95: float | None
    aim: str
    cpu: float | None = None  # seconds of the site's CPU per request
    load: float = field(default_factory=lambda: os.getloadavg()[0])


def season(args, records_name: str, tmp: Path, workbooks: Workbooks) -> tuple[list[Row], list[str]]:
    """Seed a province, start the site on it, measure; the rows and the notes (failures, what was not measured)."""
    from serve_support import ServerProcess, sign_in

    from xlrep.serve.storage import Store

    postgres, servers, notes = None, [], []
    data = tmp / records_name
    try:
        if records_name == "postgresql":
            from pg_server import PostgresServer

            postgres = PostgresServer()
            url = postgres.new_database()
            store = Store(data / "seed", database=url, files=data / "files")
            options = ["--database", url, "--files", str(data / "files")]
            options += ["--workers", str(args.workers or max(1, (os.cpu_count() or 1) // args.processes))]
            processes = args.processes
        else:
            url = None
            store = Store(data / "site")
            options, processes = [], 1
        try:
            province = seed(store, args.cities, args.counties, args.units)
        finally:
            store.close()
        rows = [
            Row(
                f"seed through the storage API: {len(province.offices())} offices and rounds, units",
                len(province.units),
                len(province.units) / province.seconds,
                None,
                None,
                "–",
            )
        ]
        for i in range(processes):
            folder = data / f"site{i}" if url else data / "site"
            servers.append(ServerProcess(folder, *options))
        urls = [s.url for s in servers]
        ports = Ports(urls, args.balance)
        postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0]) if postgres else None
        cpu = SiteCpu([s.proc.pid for s in servers], postmaster)
        records = Records(data / "site" / "xlrep.sqlite3", url)
        try:
            rows += uploads(args, ports, province, workbooks, records, notes, cpu)
        finally:
            records.close()
        rows += roll_up(args, ports, province, cpu)  # the lower offices' 上报 upward, before the province looks
        admin = sign_in(servers[0], PASSWORD, login="province")
        rows += pages(args, urls, admin.cookies, province, cpu)
        rows += summaries(urls, admin.cookies, province, notes, cpu)
        return rows, notes
    finally:
        for running in servers:
            running.stop()
        if postgres is not None:
            postgres.stop()


def uploads(
    args, ports: Ports, province: Province, workbooks: Workbooks, records: Records, notes: list[str], cpu: SiteCpu
) -> list[Row]:
    """(a) Every unit uploads on its link, then 上报s it; the audits waited for in the database."""
    books = workbooks.books
    for i, (name, _) in enumerate(province.units):  # before the clock starts; kept for the next season
        if name not in books:
            books[name] = workbook_for(workbooks.variants[i % len(workbooks.variants)], name)
    units = [UnitClient(name, f"/u/{token}") for name, token in province.units]
    warm = min(len(units) // 4, 4 * len(ports.urls))  # the workers' first audits (imports, caches)
    deadline = time.monotonic() + args.deadline
    _, _, failed, _ = run_clients(units[:warm], 2, lambda u: upload_one(ports, u, books[u.name]), deadline)
    before, split = cpu.seconds(), cpu.split()
    elapsed, done, failed2, late = run_clients(
        units[warm:], args.clients, lambda u: upload_one(ports, u, books[u.name]), deadline, args.rate
    )
    if args.rate:
        behind = [x for x in late if x > 0.010]
        notes.append(
            f"uploads offered at {args.rate:g}/s (Poisson arrivals), taken at {len(done) / elapsed:.1f}/s;"
            f" {len(behind)} of {len(late)} started over 10 ms after their arrival (every client busy),"
            f" the latest {max(late, default=0) * 1000:.0f} ms after"
        )
    upload_cpu = _per_request(cpu, before, len(done))
    if split and cpu.postmaster and done:
        app, database = (b - a for a, b in zip(split, cpu.split(), strict=True))
        notes.append(
            f"site CPU per upload: {app / len(done) * 1000:.1f} ms the server processes and their workers,"
            f" {database / len(done) * 1000:.1f} ms PostgreSQL"
        )
    failures = failed + failed2
    waiting, audited = wait_audited(records, max(10.0, deadline - time.monotonic()))
    measured = [(wall, seconds, audited.get(link)) for wall, seconds, link in done]
    to_audit = [at - wall for wall, _, at in measured if at is not None]
    span = max((at for _, _, at in measured if at is not None), default=0) - min((w for w, _, _ in measured), default=0)
    p50, p95 = _percentiles([s for _, s, _ in done])
    a50, a95 = _percentiles(to_audit)
    paced = f", uploads arriving at {args.rate:g}/s" if args.rate else ""
    rows = [
        Row(
            f"unit upload on its link (its page first), {args.clients} clients{paced}",
            len(done),
            len(done) / elapsed,
            p50,
            p95,
            "p95 ≤ 300 ms",
            upload_cpu,
        ),
        Row(
            "audits recorded (upload start → audit in the database)",
            len(to_audit),
            len(to_audit) / span if span > 0 else None,
            a50,
            a95,
            "p95 ≤ 300 ms" if args.rate else "≥ 80/s, p95 ≤ 300 ms",  # paced: as many per second as arrive
        ),
    ]
    if waiting:
        notes.append(f"{waiting} upload(s) not audited within the deadline")
    submitted = [u for u in units if u.version]
    before = cpu.seconds()
    elapsed, times, failed3, _ = run_clients(submitted, args.clients, lambda u: submit_one(ports, u), deadline)
    submit_cpu = _per_request(cpu, before, len(times))
    failures += failed3
    s50, s95 = _percentiles(times)
    what = f"unit 上报 (确认上报), {args.clients} clients"
    rows.append(Row(what, len(times), len(times) / elapsed, s50, s95, "–", submit_cpu))
    if failures:
        notes.append(f"{len(failures)} request(s) failed, e.g. {failures[0]}")
    return rows


def pages(args, urls: list[str], cookies: dict, province: Province, cpu: SiteCpu) -> list[Row]:
    """(b) The province 管理员's pages while the site is idle, the processes in turn."""
    from serve_support import Client

    county = province.county_rounds[0]
    wanted = [
        ("province 管理员's home page (every round below it with its progress)", "/admin", "p95 ≤ 300 ms"),
        ("province round's dashboard", f"/admin/rounds/{province.top.round_id}", "p95 ≤ 300 ms"),
        (f"a county round's dashboard ({args.units} units), seen from the province", f"/admin/rounds/{county}", "–"),
    ]
    rows = []
    for what, path, aim in wanted:
        times, before = [], None
        for i in range(args.pages + 1):
            if i == 1:
                before = cpu.seconds()
            start = time.perf_counter()
            answer = Client(urls[i % len(urls)], cookies).get(path)
            if i:  # the first one warms the page's template
                times.append(time.perf_counter() - start)
            if answer.status != 200:
                raise SystemExit(f"{path} answered {answer.status}: {answer.text[:300]}")
        p50, p95 = _percentiles(times)
        rows.append(
            Row(what, len(times), len(times) / sum(times), p50, p95, aim, _per_request(cpu, before, len(times)))
        )
    return rows


def summaries(urls: list[str], cookies: dict, province: Province, notes: list[str], cpu: SiteCpu) -> list[Row]:
    """(c) The province 汇总 of what was 上报ed (and, for scale, one county's), timed once each."""
    from serve_support import Client

    rows = []
    for what, round_id, aim in (
        ("province 汇总 (summary.xlsx, include=submitted)", province.top.round_id, "≤ 60 s (4,800 units)"),
        ("a county's 汇总 of its units, from the province", province.county_rounds[0], "–"),
    ):
        before, start = cpu.seconds(), time.perf_counter()
        answer = Client(urls[0], cookies).get(f"/admin/rounds/{round_id}/summary.xlsx?include=submitted", timeout=600)
        seconds = time.perf_counter() - start
        if answer.status == 200:
            covered = _units_in(answer.body)
            rows.append(Row(f"{what}: {covered} units", 1, None, seconds, None, aim, _per_request(cpu, before, 1)))
        else:
            notes.append(f"{what}: answered {answer.status} after {seconds * 1000:.0f} ms ({_message(answer)})")
            rows.append(Row(f"{what}: answered {answer.status}, not measured", 0, None, None, None, aim))
    return rows


def _units_in(data: bytes) -> str:
    """How many units a 汇总 adds up, as it says of itself (the ``xlrep.merged_units`` document property)."""
    import re

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        custom = z.read("docProps/custom.xml").decode("utf-8") if "docProps/custom.xml" in z.namelist() else ""
    found = re.search(r'name="xlrep.merged_units"[^>]*>\s*<vt:lpwstr>(\d+)<', custom)
    return found.group(1) if found else "?"


def _message(answer) -> str:
    """The Chinese message of an error page, for the notes."""
    import re

    from serve_support import unescape

    found = re.search(r'<div class="verdict-line">(.*?)</div>', answer.text, re.S)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else answer.text[:200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=10)
    parser.add_argument("--counties", type=int, default=8, help="counties per city")
    parser.add_argument("--units", type=int, default=60, help="units per county")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--backends", default="postgresql,sqlite", help="postgresql, sqlite or both (comma)")
    parser.add_argument("--processes", type=int, default=2, help="server processes on PostgreSQL")
    parser.add_argument(
        "--balance",
        choices=("least-conn", "round-robin"),
        default="least-conn",
        help="how the requests are shared out among the processes (nginx's least_conn, as docs/serve.md configures"
        " it, or its default round robin)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="audit workers of each process on PostgreSQL (0: the cores shared out, as docs/serve.md advises)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="uploads arriving per second, at random (Poisson), each taken by a free client (0: every client starts"
        " its next upload as soon as its last one ends, keeping the site saturated)",
    )
    parser.add_argument("--pages", type=int, default=50, help="requests per admin page")
    parser.add_argument("--deadline", type=float, default=1800, help="seconds for the uploads and 上报 of a season")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"postgresql", "sqlite"}:
        raise SystemExit("--backends: postgresql, sqlite, or postgresql,sqlite")
    if min(args.cities, args.counties, args.units, args.clients, args.processes, args.pages) < 1:
        raise SystemExit("every size must be at least 1")
    if args.rate < 0:
        raise SystemExit("--rate: uploads per second, 0 or more")

    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    results = []
    with tempfile.TemporaryDirectory(prefix="xlrep-province-") as tmp_name:
        tmp = Path(tmp_name)
        workbooks = variants(tmp)
        for backend in backends:
            label = f"PostgreSQL, {args.processes} processes" if backend == "postgresql" else "SQLite, 1 process"
            rows, notes = season(args, backend, tmp, workbooks)
            results.append((label, rows, notes))

    size = f"{args.cities} cities × {args.counties} counties × {args.units} units"
    paced = f", uploads arriving at {args.rate:g}/s" if args.rate else ", each starting its next upload at once"
    print(f"Province: {size} = {args.cities * args.counties * args.units} units; {args.clients} clients{paced}")
    print(f"Machine: {machine}, Python {platform.python_version()}; load: 1-minute load average after each row;")
    print("site CPU: the server processes, their workers and PostgreSQL, user + system, per request, from /proc\n")
    print("| records | what | count | per second | p50 (ms) | p95 (ms) | site CPU (ms) | aim | machine | load |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|---:|")
    for label, rows, _ in results:
        for row in rows:
            rate = f"{row.rate:.1f}" if row.rate is not None else "–"
            p50 = f"{row.p50 * 1000:.0f}" if row.p50 is not None else "–"
            p95 = f"{row.p95 * 1000:.0f}" if row.p95 is not None else "–"
            cpu = f"{row.cpu * 1000:.1f}" if row.cpu is not None else "–"
            print(
                f"| {label} | {row.what} | {row.count} | {rate} | {p50} | {p95} | {cpu} | {row.aim} | {machine} |"
                f" {row.load:.1f} |"
            )
    for label, _, notes in results:
        for note in notes:
            print(f"\n- {label}: {note}")


if __name__ == "__main__":
    main()
