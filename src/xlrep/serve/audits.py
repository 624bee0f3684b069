"""Audits and generated files, run in a pool of worker processes so the site stays responsive.

The pool uses the ``spawn`` start method (Windows has no ``fork``, and forking a process with an
event loop and threads is unsafe anyway). Every task receives the workbook as bytes and its file
name, and hands both to the library (``ingest.audit(data, name=…)``): nothing is written to disk, and
the Chinese messages name the file the clerk uploaded (“××局填报表.xlsx”已损坏…), exactly as
``xlrep ingest`` does.

The worker functions here are the only place the server calls the library's audit and output
functions — the same ones the command line calls: ``ingest.audit``, ``report.build_report``/``render``,
``annotate.annotated_bytes``, ``template.build_template`` with ``template_inputs.template_values``, and
``batch.audit_unit`` with ``aggregate.merge_workbook`` for the 汇总.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import faults

# -- in the worker processes ----------------------------------------------------------------------


class CpuExceeded(BaseException):
    """The audit used up its CPU seconds (SIGXCPU). A BaseException: no ``except Exception`` swallows it."""


def _die_with_parent(parent_pid: int) -> None:
    """End this worker when the site's process is gone (killed): no orphan left computing.

    On Linux the kernel kills it (``PR_SET_PDEATHSIG``), even in the middle of a regular expression that holds
    the interpreter; elsewhere a thread waits on the parent and exits the worker.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(0)
    parent = multiprocessing.parent_process()

    def watch():
        if parent is not None:
            from multiprocessing.connection import wait

            wait([parent.sentinel])
        else:
            while os.getppid() == parent_pid:
                threading.Event().wait(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _load() -> None:
    """What every audit needs, imported and computed once per worker (before its first task)."""
    from ..auditing import ingest  # noqa: F401
    from ..checks import narrative, rules  # noqa: F401
    from ..edition.form import editions
    from ..workbook.layout import build_layout
    from ..workbook.reader import expected_labels

    rules.registry()
    for form in editions():
        build_layout(form)
        expected_labels(form)


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _set_limits(cpu_seconds: float, memory_bytes: int) -> dict:
    """Lower this process's CPU and address-space limits to ``cpu_seconds`` more CPU and ``memory_bytes`` more
    memory than it uses now; returns the limits to restore (empty where ``resource`` is missing: Windows)."""
    try:
        import resource
    except ImportError:  # Windows: only the site's wall-clock deadline applies
        return {}
    saved = {}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = int(usage.ru_utime + usage.ru_stime + cpu_seconds) + 1
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    saved[resource.RLIMIT_CPU] = (soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    size = _address_space()
    if size is not None and hasattr(resource, "RLIMIT_AS"):
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + memory_bytes
        if hard == resource.RLIM_INFINITY or limit < hard:
            saved[resource.RLIMIT_AS] = (soft, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return saved


def _limited(fn, args, cpu_seconds: float, memory_bytes: int):
    """``fn(*args)`` under the budget: ("ok", value), ("limit", "cpu" | "memory") or ("error", text)."""
    saved = _set_limits(cpu_seconds, memory_bytes)

    def over_cpu(signum, frame):
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)  # raised once; the worker is replaced afterwards
        raise CpuExceeded()

    if hasattr(signal, "SIGXCPU"):
        signal.signal(signal.SIGXCPU, over_cpu)
    try:
        return ("ok", fn(*args))
    except CpuExceeded:
        return ("limit", "cpu")
    except MemoryError:
        return ("limit", "memory")
    except Exception as exc:  # noqa: BLE001 - reported to the site, which logs it
        return ("error", f"{type(exc).__name__}: {exc}")
    finally:
        if hasattr(signal, "SIGXCPU"):
            signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        if saved:
            import resource

            for which, value in saved.items():
                resource.setrlimit(which, value)


def _worker_main(conn, parent_pid: int) -> None:
    """A worker: load once, then run one task at a time sent through ``conn``, each under its budget."""
    _die_with_parent(parent_pid)
    # Ctrl+C in the terminal reaches the whole process group: the server stops the workers; a worker must not
    # die of it mid-audit and print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _load()
    # what was loaded lives as long as the worker: out of the collector's way (a full collection walked these
    # ~50,000 objects again and again: 2% of an audit's CPU); the garbage of loading collected first, not kept
    gc.collect()
    gc.freeze()
    conn.send(("ready", None))
    while True:
        try:
            fn, args, cpu_seconds, memory_bytes = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        outcome = _limited(fn, args, cpu_seconds, memory_bytes)
        try:
            conn.send(outcome)
        except (OSError, ValueError, TypeError) as exc:  # an answer that cannot be sent (too big, not picklable)
            try:
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
            except OSError:
                os._exit(0)
        if outcome[0] == "limit":
            os._exit(0)  # a worker that ran out of memory or CPU is not trusted with the next file


def _test_faults(name: str) -> None:
    """Hostile work a test asks for (``XLREP_SERVE_FAULTS=hostile``), chosen by the uploaded file's name:
    the budget must stop each kind. Never active in use."""
    if not faults.on("hostile"):
        return
    if "死循环" in name:  # pure Python: stopped by the CPU limit (SIGXCPU)
        while True:
            pass
    if "吃内存" in name:  # stopped by the memory limit (MemoryError)
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))
    if "卡住" in name:  # a long computation in C that never returns to Python: only the site's kill stops it
        import hashlib

        hashlib.pbkdf2_hmac("sha256", b"x", b"y", 2**31 - 1)


def _read_previous(previous: tuple[bytes, str] | None):
    """Last year's workbook (bytes, name) as read; None when there is none or it cannot be read."""
    if previous is None:
        return None
    from ..common.errors import UnreadableFile
    from ..workbook.reader import read_workbook

    try:
        result = read_workbook(previous[0], name=previous[1])
    except UnreadableFile:
        return None
    return result if result.layout is not None else None


def _audit(data: bytes, name: str, previous: tuple[bytes, str] | None):
    """The site's one audit: ``ingest.audit`` of the upload's bytes, named as uploaded, against last year's
    workbook when there is one. Raises ``UnreadableFile`` as the library does."""
    from ..auditing.ingest import audit

    return audit(data, previous=_read_previous(previous), name=name)


def check(data: bytes, name: str, previous: tuple[bytes, str] | None = None) -> dict:
    """Audit one workbook. Returns ``{"audit": <ingest --json object>, "org_name": …}``,
    or ``{"error": <Chinese message>, "audit": <the FILE-UNREADABLE object>}`` when it cannot be read."""
    return _checked(data, name, previous)[0]


def _checked(data: bytes, name: str, previous: tuple[bytes, str] | None):
    """``check``'s outcome and the audit it was made from (None when the file cannot be read)."""
    from ..auditing.ingest import unreadable
    from ..common.errors import UnreadableFile

    _test_faults(name)
    try:
        result = _audit(data, name, previous)
    except UnreadableFile as exc:
        return {"error": exc.message, "audit": unreadable(name, exc).as_dict(), "org_name": None}, None
    read = result.result
    org = (read.text("org_name") or None) if read.form is not None else None
    return {
        "audit": result.as_dict(),
        "org_name": str(org).strip() or None if org is not None else None,
        # what the file says of where it belongs (the site's ROUND-* rules compare it with the link it came by)
        "belongs": {
            "round": read.issued_round,
            "unit": read.issued_unit,
            "org_cell": read.ref(read.form.role("org_name")).as_dict() if read.form is not None else None,
            "merged": read.merged_units,
        },
        "content": _content(read),
        "phone": _text(read, "info.phone"),
    }, result


# What a 汇总 is not asked: the report's text (a 汇总 has none), last year's, and the sheets ``xlrep merge`` adds.
NOT_FOR_A_SUMMARY = ("TEXT-", "FEE-", "GOV-", "PREV-", "TEMPLATE-EXTRA-SHEET")
MAX_SHOWN_UNITS = 5000  # (a 汇总 carries at most ``rollup.MAX_LEAVES`` units)


def check_lower_office(data: bytes, name: str, edition: str, year: int, listed: int | None = None) -> dict:
    """Audit an upload on a lower office's line of an upper round: ``check``, and when it is a 汇总, only what a
    汇总 is asked (its tables) with the HIER-* findings of its units (``aggregate.check_lower``), and the units it
    adds up (``audit["lower"]``: its 汇总明细, shown to the office above). ``listed``: how many units the lower
    office's round on this site stands for (a 汇总 that says fewer is checked against this)."""
    from ..common.findings import SEVERITY_ORDER
    from ..units.aggregate import check_lower
    from ..units.batch import unit_from_audit

    outcome, result = _checked(data, name, None)
    if result is None or not outcome["belongs"]["merged"]:
        return outcome  # unreadable, or not a 汇总 (``belonging``: ROUND-NOT-MERGED)
    unit = unit_from_audit(result, data, name=name, keep_values=True)  # (the same audit, not a second one)
    if listed is not None and unit.lower is not None and not unit.lower.problem:
        unit.lower.listed = max(unit.lower.listed or 0, listed)
    audit = outcome["audit"]
    findings = [f.as_dict() for f in check_lower(unit, edition, year)]
    findings += [f for f in audit["findings"] if not f["rule"].startswith(NOT_FOR_A_SUMMARY)]
    findings.sort(key=lambda f: SEVERITY_ORDER[f["severity"]])  # stable: each severity keeps its order
    summary = {s: sum(f["severity"] == s[:-1] for f in findings) for s in ("errors", "warnings", "infos")}
    lower = unit.lower
    office = (lower.office if lower else "") or unit.unit  # (as ``aggregate`` adds it up: its paths under it)
    audit = {**audit, "findings": findings, "summary": summary}
    audit["lower"] = {
        "office": lower.office if lower else "",
        "merged_units": lower.merged_units if lower else None,
        "listed": lower.listed if lower else None,
        "include": lower.include if lower else "",
        "problem": lower.problem if lower else "没有各单位的数据",
        "units": [
            [
                leaf.path if leaf.path.split("/", 1)[0] == office else f"{office}/{leaf.path}",
                leaf.unit,
                leaf.org_type,
                leaf.state,
                leaf.errors,
                leaf.warnings,
            ]
            for leaf in (lower.leaves[:MAX_SHOWN_UNITS] if lower else [])
        ],
    }
    outcome["audit"] = audit
    return outcome


def _text(read, key: str) -> str | None:
    """A text input of the workbook as the clerk typed it (None when absent or blank)."""
    if read.form is None or key not in read.form.cells:
        return None
    value = read.values.get(key)
    return str(value).strip()[:60] or None if value is not None else None


def _content(read) -> str | None:
    """A digest of every figure and text the workbook holds (its input cells as read): two files with the same
    digest say the same, however they were saved."""
    import hashlib
    import json

    if read.form is None:
        return None
    held = sorted((cell.key, read.values.get(cell.key)) for cell in read.form.inputs)
    return hashlib.sha256(json.dumps(held, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def report_file(data: bytes, name: str, suffix: str, previous: tuple[bytes, str] | None = None) -> bytes | None:
    """The report in the format of ``suffix``; None when the workbook has errors (no report then)."""
    from ..common.errors import UnreadableFile
    from ..outputs.report import build_report, render

    try:
        result = _audit(data, name, previous)
    except UnreadableFile:
        return None
    if result.result.form is None or result.summary["errors"]:
        return None
    return render(build_report(result), suffix)


def version_view(data: bytes, name: str, previous: tuple[bytes, str] | None = None) -> dict | None:
    """A version as the report renders it — its tables (表二/三/四) and text, a draft when it has errors — with the
    cells its findings name marked by severity: ``{"html": …, "marked": n}``; None if it cannot be read."""
    from ..common.errors import UnreadableFile
    from ..outputs.report import build_report
    from ..outputs.report.html import html_body

    try:
        result = _audit(data, name, previous)
    except UnreadableFile:
        return None
    read = result.result
    if read.form is None:
        return None
    where = {(ref.sheet, ref.cell): key for key in read.form.cells for ref in (read.ref(key),)}
    marks = cell_marks(result.findings, where)
    report = build_report(result, draft=bool(result.summary["errors"]))
    return {"html": html_body(report, marks), "marked": len(marks)}


def cell_marks(findings, where: dict[tuple[str, str], str]) -> dict[str, str]:
    """Each cell key the findings name (``where``: (sheet, A1) → key) with the gravest severity naming it."""
    from ..common.findings import SEVERITY_ORDER

    marks: dict[str, str] = {}
    for finding in findings:
        for cell in finding.cells:
            key = where.get((cell.sheet, cell.cell))
            if key and SEVERITY_ORDER[finding.severity] < SEVERITY_ORDER.get(marks.get(key), len(SEVERITY_ORDER)):
                marks[key] = finding.severity
    return marks


def compare(first: tuple[bytes, str], second: tuple[bytes, str]) -> dict | None:
    """What differs between two workbooks, input cell by input cell (figures and text), in the form's order:
    ``{"changes": [{"label", "sheet", "cell", "first", "second"}], "compared": n}``; None if either cannot be read.
    Workbooks of two editions are compared on the cells they share."""
    from ..auditing.ingest import read_any
    from ..common.errors import UnreadableFile

    try:
        a = read_any(first[0], name=first[1])
        b = read_any(second[0], name=second[1])
    except UnreadableFile:
        return None
    if a.form is None or b.form is None:
        return None
    shared = [c for c in b.form.inputs if c.key in a.form.cells]
    changes = []
    for cell in shared:
        before, after = a.values.get(cell.key), b.values.get(cell.key)
        if before != after:
            ref = b.ref(cell.key)
            changes.append({"label": ref.label, "sheet": ref.sheet, "cell": ref.cell, "first": before, "second": after})
    return {"changes": changes, "compared": len(shared)}


def annotated(data: bytes, name: str, previous: tuple[bytes, str] | None = None) -> bytes | None:
    """The annotated copy of the workbook (offending cells tinted, with comments); None if it cannot be made."""
    from ..common.errors import UnreadableFile, XlrepError
    from ..outputs.annotate import annotated_bytes

    try:
        return annotated_bytes(_audit(data, name, previous))
    except (UnreadableFile, XlrepError):
        return None


def unit_template(
    year: int,
    edition: str,
    org: str,
    org_type: str,
    previous: tuple[bytes, str] | None = None,
    issued_to: dict[str, str] | None = None,
) -> tuple[bytes, int]:
    """A unit's template: its name and type filled in, carried over from last year's accepted workbook
    (as ``xlrep template --from``), and marked with the round and unit it is issued to (``issued_to``: the
    ``xlrep.round``/``xlrep.unit`` identity). Returns the workbook and the number of cells carried over."""
    from ..edition.form import load_form
    from ..writer.template import build_template
    from ..writer.template_inputs import template_values

    form = load_form(edition)
    values, notes, references = template_values(
        form, previous=_read_previous(previous), org=org, org_type=org_type or None
    )
    data = build_template(year, form, values=values, prefilled=notes, references=references, properties=issued_to)
    return data, len(notes)


def unit_result(data: bytes, folder: str, name: str, modified: float):
    """``batch.audit_unit(…, keep_values=True)`` of a stored version, named ``folder/name`` as ``xlrep merge``
    names a file found in a folder of that name (``folder`` is the unit's name)."""
    from ..units.batch import audit_unit

    return audit_unit(data, keep_values=True, name=f"{folder}/{name}", modified=modified)


def merged(
    results: list,
    org: str | None,
    org_type: str | None,
    office: str | None = None,
    listed: int | None = None,
    include: str = "all",
):
    """``aggregate.merge_workbook``: the outcome (findings, included, excluded) and the workbook bytes; ``office``,
    ``listed`` and ``include`` are recorded in it for the office above (``rollup``)."""
    from ..units.aggregate import merge_workbook

    outcome, data = merge_workbook(results, org=org, org_type=org_type, office=office, listed=listed, include=include)
    return outcome, data


# -- in the site's process -----------------------------------------------------------------------

# The longest pause (seconds) before a worker that failed to start is tried again while another one serves.
START_PAUSE_MAX = 60


class AuditUnavailable(Exception):
    """The audit could not be run now (the site is stopping, or a worker failed for another reason)."""


class AuditLimit(Exception):
    """The task went over its budget: ``kind`` is "cpu", "memory", "wall" or "died" (the worker was killed);
    or "error": it failed (a defect of ours, ``detail`` says which), reported once instead of retried forever."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


class _Worker:
    def __init__(self, context, parent_pid: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, parent_pid), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            return False

    def call(self, fn, args, cpu_seconds: float, memory_bytes: int, wall: float):
        try:
            self.conn.send((fn, args, cpu_seconds, memory_bytes))
            if not self.conn.poll(wall):
                self.kill()
                return ("limit", "wall")
            return self.conn.recv()
        except (EOFError, OSError):  # the worker died: killed by the kernel (memory) or by a signal
            self.kill()
            return ("limit", "died")

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


class _Ticket:
    """A task waiting for a worker: woken once, when the pool hands it one (``worker`` None: the pool stopped)."""

    __slots__ = ("client", "ready", "worker")

    def __init__(self, client):
        self.client = client
        self.ready = threading.Event()
        self.worker: _Worker | None = None


class AuditPool:
    """Worker processes (``spawn``), one task at a time each, every task under its budget.

    A worker that exceeds its budget (CPU or memory: it stops itself; wall clock: the site kills it) is
    replaced; the others go on. A client (``client``: its address) has at most ``per_client`` tasks running at
    once, so one client can never take every worker. Waiting tasks get a worker in the order they came (a task
    whose client has its share running lets the next one go first), and only the task served is woken: with
    dozens of uploads waiting, a worker coming free wakes one thread, not all of them. Every worker is created
    by one long-lived thread: ``PR_SET_PDEATHSIG`` is tied to the thread that created the process.
    """

    def __init__(self, workers: int | None = None, limits=None):
        from .limits import Limits

        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or Limits()
        self.per_client = max(1, self.workers - 1)
        self._context = multiprocessing.get_context("spawn")
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlrep-spawn")
        self._callers = ThreadPoolExecutor(max_workers=64, thread_name_prefix="xlrep-audit")
        self._starters = ThreadPoolExecutor(max_workers=self.workers + 1, thread_name_prefix="xlrep-start")
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._running: dict[object, int] = {}
        self._waiting: collections.deque[_Ticket] = collections.deque()
        self._starting = 0
        self._failed_starts = 0  # in a row: each makes the next try wait longer while a worker serves (``_revive``)
        self._next_start = 0.0  # (time.monotonic)
        self._closed = False

    def _spawn(self) -> _Worker:
        return self._spawner.submit(_Worker, self._context, os.getpid()).result()

    def _add_worker(self) -> None:
        """Start a worker and, once it is ready, offer it to the waiting tasks."""
        worker = None
        try:
            worker = self._spawn()
            ready = worker.wait_ready(120)
        except Exception:  # noqa: BLE001 - counted below as not ready
            ready = False
        with self._lock:
            self._starting -= 1
            if ready and not self._closed:
                self._idle.append(worker)
                worker = None
                self._failed_starts = 0
            elif not self._closed:
                self._failed_starts += 1
                self._next_start = time.monotonic() + min(START_PAUSE_MAX, 2**self._failed_starts)
            self._hand_out()
        if worker is not None:
            worker.kill()

    def warm_up(self) -> None:
        """Start every worker now (each imports xlrep once), not on the first clerk's upload."""
        with self._lock:
            self._starting += self.workers
        for future in [self._starters.submit(self._add_worker) for _ in range(self.workers)]:
            future.result(timeout=180)

    def _hand_out(self) -> None:
        """(Holding the lock.) Give the idle workers to the waiting tasks, first come first served; a task whose
        client already has its share running waits for the next worker after its own ends."""
        i = 0
        while self._idle and i < len(self._waiting):
            ticket = self._waiting[i]
            if self._running.get(ticket.client, 0) >= self.per_client:
                i += 1
                continue
            del self._waiting[i]
            worker = self._idle.pop()
            self._busy.add(worker)
            self._running[ticket.client] = self._running.get(ticket.client, 0) + 1
            ticket.worker = worker
            ticket.ready.set()

    def _revive(self) -> None:
        """(Holding the lock.) Fewer workers than the pool's number (one failed to start, or died) and none
        starting: start one. Called while tasks wait, so a start that failed is tried again, one at a time: at once
        when no worker is left, else after a pause that doubles with each failure in a row (2 s, 4 s, … at most
        ``START_PAUSE_MAX``), not over and over on a machine short of memory while a worker still serves. A worker
        lost while the others were busy is made up for, not missed for good."""
        if self._starting or self._closed or len(self._idle) + len(self._busy) >= self.workers:
            return
        if (self._idle or self._busy) and time.monotonic() < self._next_start:
            return
        self._start_one()

    def _start_one(self) -> None:
        """(Holding the lock.) One worker more, counted as starting at once (so no other task starts one for it),
        started by the starter thread."""
        self._starting += 1
        with contextlib.suppress(RuntimeError):  # stopping meanwhile
            self._starters.submit(self._add_worker)

    def _release(self, worker: _Worker, client, healthy: bool) -> None:
        """(Holding the lock.) A task is done with ``worker``: back to the idle ones when ``healthy``."""
        self._busy.discard(worker)
        self._running[client] -= 1
        if not self._running[client]:
            del self._running[client]
        if healthy:
            self._idle.append(worker)
        self._hand_out()

    def _take(self, client, front: bool = False) -> _Worker:
        """Wait for a worker of this client's share (``AuditUnavailable`` when the pool stops meanwhile)."""
        ticket = _Ticket(client)
        with self._lock:
            if self._closed:
                raise AuditUnavailable()
            if front:
                self._waiting.appendleft(ticket)
            else:
                self._waiting.append(ticket)
            self._hand_out()
            self._revive()
        while not ticket.ready.wait(timeout=5):
            with self._lock:
                if ticket.ready.is_set():
                    break
                if self._closed:
                    with contextlib.suppress(ValueError):
                        self._waiting.remove(ticket)
                    raise AuditUnavailable()
                self._revive()
        if ticket.worker is None:  # the pool stopped
            raise AuditUnavailable()
        return ticket.worker

    def _call(self, client, fn, args, factor: float):
        limits = self.limits
        worker = self._take(client)
        while not worker.alive():
            # died while idle (killed from outside): not this file's fault; replaced, and first in line again
            worker.kill()  # (its pipe closed now)
            with self._lock:
                self._release(worker, client, healthy=False)
                if self._closed:
                    raise AuditUnavailable()
                self._start_one()
            worker = self._take(client, front=True)
        outcome = ("limit", "died")
        try:
            outcome = worker.call(
                fn,
                args,
                limits.audit_cpu_seconds * factor,
                limits.audit_memory_mb * 1024 * 1024,
                limits.audit_wall * factor,
            )
        finally:
            with self._lock:
                healthy = outcome[0] in ("ok", "error") and not self._closed and worker.alive()
                self._release(worker, client, healthy)
                if not healthy and not self._closed:  # (in the same lock: a task coming while it is killed starts none)
                    self._start_one()
            if not healthy:
                worker.kill()
        if self._closed:  # cut off by the stop: not the file's fault (audited again at the next start)
            raise AuditUnavailable()
        return outcome

    async def run(self, fn, *args, client=None, factor: float = 1.0):
        """``fn(*args)`` in a worker; ``AuditLimit`` when over budget, ``AuditUnavailable`` when stopping."""
        loop = asyncio.get_running_loop()
        status, value = await loop.run_in_executor(self._callers, self._call, client, fn, args, factor)
        if status == "ok":
            return value
        if status == "limit":
            raise AuditLimit(value)
        raise AuditLimit("error", value)

    def shutdown(self) -> None:
        """Kill every worker now (an audit in progress is cut off; it is done again at the next start)."""
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            waiting, self._waiting = list(self._waiting), collections.deque()
        for ticket in waiting:
            ticket.ready.set()  # (no worker: AuditUnavailable)
        for worker in workers:
            worker.kill()
        for executor in (self._callers, self._starters, self._spawner):
            executor.shutdown(wait=False, cancel_futures=True)


def limit_message(kind: str, name: str, limits, factor: float = 1.0) -> str:
    """The Chinese message for a task stopped at its budget, naming the limit."""
    cpu = f"{limits.audit_cpu_seconds * factor:g}"
    reason = {
        "cpu": f"所需的计算时间超过上限（每个文件最多 {cpu} 秒 CPU 时间）",
        "memory": f"所需的内存超过上限（每个文件最多 {limits.audit_memory_mb} MB）",
        "wall": f"超过 {limits.audit_wall * factor:g} 秒仍未完成（时间上限）",
        "died": f"校验进程被迫结束（很可能超出了内存上限：每个文件最多 {limits.audit_memory_mb} MB）",
        "error": "校验时程序内部出错",
    }[kind]
    if kind == "error":
        return f"“{name}”校验时程序内部出错，未能完成校验（已记录在服务器的窗口中）。请把这个文件发给政务公开办。"
    return (
        f"“{name}”{reason}，已停止校验。正常的填报表远用不了这么多；这个文件可能有异常长的文字、大量多余的内容，"
        "或是恶意构造的。请检查后用 Excel 或 WPS 重新保存再上传；如果确认文件正常，请联系政务公开办。"
    )


def limit_outcome(kind: str, name: str, limits) -> dict:
    """What ``check`` returns for a file stopped at its budget: FILE-UNREADABLE with the limit named."""
    from ..checks.rules import rule

    message = limit_message(kind, name, limits)
    finding = rule("FILE-UNREADABLE").finding(text=message, values={"file": name}).as_dict()
    audit = {
        "file": name,
        "edition": None,
        "year": None,
        "template_version": None,
        "summary": {"errors": 1, "warnings": 0, "infos": 0},
        "findings": [finding],
    }
    return {"error": message, "audit": audit, "org_name": None}
