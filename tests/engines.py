"""Helpers for the two-engine tests: Gnumeric's ``ssconvert --recalc``, files without cached results,
what every formula cell must show (Python's values), and an audit reduced to what a round trip must keep."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from xlrep.edition.form import Form
from xlrep.workbook.computed import live_items
from xlrep.workbook.drafting import DRAFT_PREFIX, draft_texts, drafted_parts
from xlrep.workbook.engine import compute_totals, live_states, overall_status
from xlrep.workbook.layout import build_layout, cell_ref

GNUMERIC_HINT = "Gnumeric is required: run bash scripts/test.sh, which installs gnumeric (ssconvert)"
#: The info findings that say a workbook went through another program (issue 19): they describe the trip.
ROUND_TRIP_RULES = frozenset({"TEMPLATE-UNLOCKED", "TEMPLATE-META-VISIBLE", "TEMPLATE-PROPERTIES-LOST"})
SSCONVERT_TIMEOUT = 120  # seconds for one file: only a guard against a hang


def ssconvert() -> str:
    """The ssconvert program; the test FAILS (never skips) without it."""
    path = shutil.which("ssconvert")
    if not path:
        pytest.fail(f"{GNUMERIC_HINT} (ssconvert not found)", pytrace=False)
    return path


def ssconvert_version() -> str:
    out = subprocess.run([ssconvert(), "--version"], capture_output=True, text=True, timeout=60)
    return (out.stdout + out.stderr).split("\n")[0].strip()


def gnumeric_recalc(pairs: list[tuple[Path, Path]], workers: int = 2) -> float:
    """Open each input in Gnumeric, recalculate every cell and save it as .xlsx (``ssconvert --recalc``),
    ``workers`` at a time (ssconvert converts one file per run). Returns the wall-clock seconds taken."""
    program = ssconvert()

    def one(pair: tuple[Path, Path]) -> None:
        source, target = pair
        done = subprocess.run(
            [program, "--recalc", str(source), str(target)],
            capture_output=True,
            text=True,
            timeout=SSCONVERT_TIMEOUT,
        )
        if done.returncode != 0 or not target.exists():
            raise AssertionError(f"ssconvert failed on {source.name} ({done.returncode}): {done.stderr[-2000:]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, pairs))
    return time.perf_counter() - started


_CACHED = re.compile(rb'(<c [^>]*?)(?: t="(?:str|b|e)")?(>)(<f>.*?</f>)<v>.*?</v>', re.S)


def without_cached_results(data: bytes) -> bytes:
    """The workbook with every formula's stored result removed (as openpyxl or a script writes it):
    a program that does not recalculate shows nothing, so a test of its results cannot pass by the cache."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                part, n = _CACHED.subn(rb"\1\2\3", part)
            target.writestr(info, part)
    return out.getvalue()


def watched(form: Form) -> list[tuple[str, str, str]]:
    """(key, sheet, A1) of every formula cell: totals, declared checks, 校验 rows, the status, the drafts."""
    layout = build_layout(form)

    def at(key: str) -> tuple[str, str]:
        sheet, row, col = layout.addresses[key]
        return sheet, cell_ref(row, col)

    out = [(c.key, *at(c.key)) for c in form.totals]
    out += [(c.id, *at(c.id)) for c in form.checks]
    out += [("live." + i.id, *at("live." + i.id)) for i in live_items(form)]
    sheet, row, col = layout.status_cell
    out.append(("status", sheet, cell_ref(row, col)))
    out += [(DRAFT_PREFIX + k, *at(DRAFT_PREFIX + k)) for k in drafted_parts(form)]
    return out


def python_values(form: Form, values: dict) -> dict[str, object]:
    """What each watched cell must show for these inputs, computed by xlrep in Python."""
    states = live_states(form, values)
    out: dict[str, object] = dict(compute_totals(form, values))
    out.update({c.id: states[c.id] for c in form.checks})
    out.update({"live." + i.id: states[i.id] for i in live_items(form)})
    out["status"] = overall_status(states)
    out.update(draft_texts(form, values))
    return out


def differences(form: Form, values: dict, shown: dict[str, object], engine: str) -> list[str]:
    """Where an engine's results (key → value) differ from Python's."""
    want = python_values(form, values)
    bad = []
    for key, sheet, a1 in watched(form):
        got, py = shown.get(key), want[key]
        same = got == py and isinstance(got, str) == isinstance(py, str)
        if not same:
            bad.append(f"{key} [{sheet}!{a1}]: {engine} {got!r}, Python {py!r}")
    return bad


def kept(audit) -> dict:
    """What ``xlrep ingest`` found, without the findings that only describe a trip through another program."""
    findings = [
        (f.rule, f.severity, f.message, tuple((c.sheet, c.cell) for c in f.cells))
        for f in audit.findings
        if f.rule not in ROUND_TRIP_RULES
    ]
    result = audit.result
    return {
        "edition": result.edition,
        "year": result.year,
        "template_version": result.template_version,
        "values": result.values,
        "findings": findings,
    }
