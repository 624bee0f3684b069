"""Audits and generated files, run in a pool of worker processes so the site stays responsive.

The pool uses the ``spawn`` start method (Windows has no ``fork``, and forking a process with an
event loop and threads is unsafe anyway). Every task receives the workbook as bytes and its file
name: the worker writes it into a private temporary folder under that name, so the Chinese
messages name the file the clerk uploaded (“××局填报表.xlsx”已损坏…), exactly as ``xlrep ingest``
would when run in the file's folder.

The worker functions here are the only place the server calls the library's audit and output
functions: ``ingest.audit``, ``report.build_report``/``render``, ``audit_output.annotated_bytes``,
``template.build_template`` with ``previous.carry_over``, and ``batch.audit_unit`` with
``merge.merge_workbook`` for the 汇总.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

REPORT_SUFFIXES = (".docx", ".html", ".txt", ".md", ".json")


# -- in the worker processes ----------------------------------------------------------------------


def _init_worker() -> None:
    _exit_with_parent()
    # Ctrl+C in the terminal reaches the whole process group: the server stops the pool; a worker must not
    # die of it mid-audit and print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .. import ingest, narrative, rules  # noqa: F401  (imported once, before the first request)
    from ..form import editions
    from ..layout import build_layout
    from ..reader import expected_labels

    rules.registry()
    for form in editions():  # the layouts and labels every audit needs, computed once per worker
        build_layout(form)
        expected_labels(form)


def _exit_with_parent() -> None:
    """End this worker when the site's process is gone (killed): no orphans left computing."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        from multiprocessing.connection import wait

        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def warm_up() -> bool:
    return True


@contextlib.contextmanager
def _as_file(data: bytes, name: str, folder: str = ""):
    """``data`` as a file called ``name`` (in ``folder``) inside a private temporary folder.

    Both names pass through ``safetext.for_filename`` (≤ 255 bytes, no separators): a version stored
    under a name too long for the disk, or a unit's name of 100 characters, is still audited."""
    from ..safetext import for_filename

    with tempfile.TemporaryDirectory(prefix="xlrep-") as tmp:
        parent = Path(tmp, for_filename(folder)) if folder else Path(tmp)
        parent.mkdir(parents=True, exist_ok=True)
        path = parent / for_filename(name, extension=True)
        path.write_bytes(data)
        yield path


def _renamed(value, old: str, new: str):
    """``value`` with every string equal to ``old`` (the temporary path) replaced by ``new``."""
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, list):
        return [_renamed(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, old, new) for k, v in value.items()}
    return value


def _read_previous(previous: tuple[bytes, str] | None, stack: contextlib.ExitStack):
    if previous is None:
        return None
    from ..errors import UnreadableFile
    from ..reader import read_workbook

    path = stack.enter_context(_as_file(previous[0], previous[1], "上年"))
    try:
        result = read_workbook(path)
    except UnreadableFile:
        return None
    return result if result.layout is not None else None


def check(data: bytes, name: str, previous: tuple[bytes, str] | None = None) -> dict:
    """Audit one workbook. Returns ``{"audit": <ingest --json object>, "org_name": …}``,
    or ``{"error": <Chinese message>, "audit": <the FILE-UNREADABLE object>}`` when it cannot be read."""
    from ..errors import UnreadableFile
    from ..ingest import audit

    with contextlib.ExitStack() as stack:
        path = stack.enter_context(_as_file(data, name))
        last_year = _read_previous(previous, stack)
        try:
            result = audit(path, previous=last_year)
        except UnreadableFile as exc:
            unreadable = {
                "file": str(path),
                "edition": None,
                "year": None,
                "template_version": None,
                "summary": {"errors": 1, "warnings": 0, "infos": 0},
                "findings": [exc.finding.as_dict()],
            }
            return {"error": exc.message, "audit": _renamed(unreadable, str(path), name), "org_name": None}
        as_dict = _renamed(result.as_dict(), str(path), name)
        read = result.result
        org = (read.text("org_name") or None) if read.form is not None else None
        return {
            "audit": as_dict,
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
        }


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
    from ..errors import UnreadableFile
    from ..ingest import audit
    from ..report import build_report, render

    with contextlib.ExitStack() as stack:
        path = stack.enter_context(_as_file(data, name))
        last_year = _read_previous(previous, stack)
        try:
            result = audit(path, previous=last_year)
        except UnreadableFile:
            return None
        if result.result.form is None or result.summary["errors"]:
            return None
        return render(build_report(result), suffix)


def version_view(data: bytes, name: str, previous: tuple[bytes, str] | None = None) -> dict | None:
    """A version as the report renders it — its tables (表二/三/四) and text, a draft when it has errors — with the
    cells its findings name marked by severity: ``{"html": …, "marked": n}``; None if it cannot be read."""
    from ..errors import UnreadableFile
    from ..ingest import audit
    from ..report import build_report
    from ..report.html import html_body

    with contextlib.ExitStack() as stack:
        path = stack.enter_context(_as_file(data, name))
        last_year = _read_previous(previous, stack)
        try:
            result = audit(path, previous=last_year)
        except UnreadableFile:
            return None
        read = result.result
        if read.form is None:
            return None
        where = {(ref.sheet, ref.cell): key for key in read.form.cells for ref in (read.ref(key),)}
        marks: dict[str, str] = {}
        order = {"error": 0, "warning": 1, "info": 2}
        for finding in result.findings:
            for cell in finding.cells:
                key = where.get((cell.sheet, cell.cell))
                if key and order[finding.severity] < order.get(marks.get(key, "info"), 3):
                    marks[key] = finding.severity
        report = build_report(result, draft=bool(result.summary["errors"]))
        return {"html": html_body(report, marks), "marked": len(marks)}


def compare(first: tuple[bytes, str], second: tuple[bytes, str]) -> dict | None:
    """What differs between two workbooks, input cell by input cell (figures and text), in the form's order:
    ``{"changes": [{"label", "sheet", "cell", "first", "second"}], "compared": n}``; None if either cannot be read.
    Workbooks of two editions are compared on the cells they share."""
    from ..errors import UnreadableFile
    from ..ingest import read_any

    with contextlib.ExitStack() as stack:
        try:
            a = read_any(stack.enter_context(_as_file(first[0], first[1], "a")))
            b = read_any(stack.enter_context(_as_file(second[0], second[1], "b")))
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
                changes.append(
                    {"label": ref.label, "sheet": ref.sheet, "cell": ref.cell, "first": before, "second": after}
                )
        return {"changes": changes, "compared": len(shared)}


def annotated(data: bytes, name: str, previous: tuple[bytes, str] | None = None) -> bytes | None:
    """The annotated copy of the workbook (offending cells tinted, with comments); None if it cannot be made."""
    from ..audit_output import annotated_bytes
    from ..errors import UnreadableFile, XlrepError
    from ..ingest import audit

    with contextlib.ExitStack() as stack:
        path = stack.enter_context(_as_file(data, name))
        last_year = _read_previous(previous, stack)
        try:
            return annotated_bytes(audit(path, previous=last_year))
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
    from ..form import load_form
    from ..previous import carry_over
    from ..template import build_template

    form = load_form(edition)
    values: dict[str, object] = {}
    notes: dict[str, str] = {}
    references: dict[str, object] = {}
    with contextlib.ExitStack() as stack:
        last_year = _read_previous(previous, stack)
        if last_year is not None:
            values, notes, references = carry_over(last_year, form)
    for role, value in (("org_name", org), ("org_type", org_type)):
        values[form.role(role)] = value
        notes.pop(form.role(role), None)  # given by the office, not carried over
    data = build_template(year, form, values=values, prefilled=notes, references=references, properties=issued_to)
    return data, len(notes)


def unit_result(data: bytes, folder: str, name: str, modified: float):
    """``batch.audit_unit(…, keep_values=True)`` of a stored version, named ``folder/name`` as ``xlrep merge``
    names a file found in a folder of that name (``folder`` is the unit's name, whole: only the folder
    written to disk is named by ``for_filename``)."""
    from ..batch import audit_unit

    with _as_file(data, name, folder) as path:
        result = audit_unit(path, keep_values=True)
    result.file = f"{folder}/{name}"
    result.modified = modified
    if result.findings:
        result.findings = _renamed(result.findings, str(path), result.file)
    return result


def merged(results: list, org: str | None, org_type: str | None):
    """``merge.merge_workbook``: the outcome (findings, included, excluded) and the workbook bytes."""
    from ..aggregate import merge_workbook

    outcome, data = merge_workbook(results, org=org, org_type=org_type)
    return outcome, data


# -- in the site's process -----------------------------------------------------------------------


class AuditUnavailable(Exception):
    """The worker pool failed (a worker died); the request cannot be answered now."""


class AuditPool:
    """A ``spawn`` process pool that replaces itself when a worker dies."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
        )

    def warm_up(self) -> None:
        """Start every worker now (each imports xlrep once), not on the first clerk's upload."""
        futures = [self._pool.submit(warm_up) for _ in range(self.workers * 2)]
        for future in futures:
            future.result(timeout=120)

    async def run(self, fn, *args):
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
            raise AuditUnavailable() from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
