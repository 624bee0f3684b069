"""Many units at once: find workbooks in folders, audit them on all cores, summarise.

Used by ``xlrep check`` (the county office checks a folder before the deadline)
and ``xlrep merge`` (it adds the units' tables up). One bad file never stops the
others: an unreadable file becomes a row with state “无法读取”.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.rules import rule
from ..common.safetext import path_text

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Spreadsheets a unit may have sent by mistake: listed as unreadable, with advice.
OTHER_SPREADSHEETS = (".xls", ".et", ".ods", ".csv")

STATE_OK, STATE_WARN, STATE_ERR, STATE_UNREADABLE = "通过", "有提示", "有错误", "无法读取"
# How the findings list of ``check --csv`` starts (check_output.write_csv): a clerk often saves it into the
# checked folder, and the next check must not list it as a unit that sent an unreadable file.
# Earlier releases headed the edition column 版本.
OWN_CSV_STARTS = tuple(f"\ufeff单位,文件,{edition},年度,规则".encode() for edition in ("格式版本", "版本"))


@dataclass
class UnitResult:
    file: str
    unit: str
    edition: str | None = None
    year: int | None = None
    template_version: str | None = None
    org_type: str | None = None
    summary: dict[str, int] = field(default_factory=lambda: {"errors": 0, "warnings": 0, "infos": 0})
    findings: list[dict] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)  # numeric inputs (for merge)
    blank: list[str] = field(default_factory=list)
    modified: float = 0.0
    named: bool = False  # ``unit`` is the workbook's 机关名称 (not the file name standing in for a blank one)
    merged: bool = False  # the workbook is itself a 汇总 written by ``xlrep merge``
    lower: object = None  # a 汇总's record of the units it adds up (``rollup.Lower``; with keep_values)

    @property
    def state(self) -> str:
        if any(f["rule"] == "FILE-UNREADABLE" for f in self.findings):
            return STATE_UNREADABLE
        if self.summary["errors"]:
            return STATE_ERR
        if self.summary["warnings"]:
            return STATE_WARN
        return STATE_OK

    @property
    def readable(self) -> bool:
        return self.state != STATE_UNREADABLE and self.edition is not None

    def as_dict(self, with_findings: bool = True) -> dict:
        data = {
            "file": self.file,
            "unit": self.unit,
            "edition": self.edition,
            "year": self.year,
            "template_version": self.template_version,
            "state": self.state,
            "summary": self.summary,
        }
        if with_findings:
            data["findings"] = self.findings
        return data


def find_workbooks(paths: Iterable[Path]) -> list[Path]:
    """Files given, and spreadsheets inside folders (recursively), in a stable order; no Office lock files.

    A folder that cannot be listed is returned as it is, so that its row says 无法读取 and why.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for path in paths:
        for p in _candidates(Path(path)):
            key = _identity(p)
            if key not in seen:
                seen.add(key)
                found.append(p)
    return found


def _candidates(path: Path) -> list[Path]:
    try:
        is_dir = path.is_dir()
    except OSError:
        return [path]
    if not is_dir:
        return [path]
    out: list[Path] = []
    unlisted: list[Path] = []
    for folder, dirs, files in os.walk(path, onerror=lambda exc: unlisted.append(Path(exc.filename or path))):
        dirs.sort()
        for name in sorted(files):
            p = Path(folder) / name
            if p.suffix.lower() in WORKBOOK_SUFFIXES + OTHER_SPREADSHEETS and not name.startswith(("~$", ".~", ".")):
                if not _own_csv(p):
                    out.append(p)
    return sorted(out) + unlisted


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError, ValueError):
        return os.path.abspath(path)


def _own_csv(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(max(map(len, OWN_CSV_STARTS))).startswith(OWN_CSV_STARTS)
    except OSError:
        return False


def audit_unit(
    source, keep_values: bool = False, hints=None, *, name: str | None = None, modified: float | None = None
) -> UnitResult:
    """Audit one workbook into a picklable summary (runs in worker processes). ``source`` is its path, or its
    bytes called ``name`` (the site's stored versions: ``modified`` is then when it was uploaded)."""
    from ..auditing.ingest import audit, unreadable_finding
    from ..common.errors import UnreadableFile
    from ..common.files import is_data, source_name

    path = source_name(source, name)
    if modified is None:
        try:
            modified = 0.0 if is_data(source) else Path(source).stat().st_mtime
        except OSError:
            modified = 0.0
    try:
        result = audit(source, hints=hints, name=name)
    except UnreadableFile as exc:
        return UnitResult(
            str(path),
            path_text(path.stem),
            findings=[unreadable_finding(exc).as_dict()],
            summary={"errors": 1, "warnings": 0, "infos": 0},
            modified=modified,
        )
    except Exception as exc:  # a bug of ours must not stop the other units
        finding = rule("FILE-UNREADABLE").finding(
            text=f"读取“{path.name}”时出现内部错误（{type(exc).__name__}: {exc}），请报告给维护者。"
        )
        return UnitResult(
            str(path),
            path_text(path.stem),
            findings=[finding.as_dict()],
            summary={"errors": 1, "warnings": 0, "infos": 0},
            modified=modified,
        )
    return unit_from_audit(result, source, name=name, modified=modified, keep_values=keep_values)


def unit_from_audit(
    result, source, *, name: str | None = None, modified: float = 0.0, keep_values: bool = False
) -> UnitResult:
    """The picklable summary of an audit already made (``ingest.audit`` of ``source``, called ``name``), as
    ``audit_unit`` gives it: a caller that audited the bytes for its own purpose does not audit them again."""
    from ..common.files import source_name

    path = source_name(source, name)
    r = result.result
    org_name = r.text("org_name") if r.form is not None else ""
    unit = org_name or path_text(path.stem)  # a name that is not UTF-8: its bytes as �
    out = UnitResult(
        file=str(path),
        unit=unit,
        edition=r.edition,
        year=r.year,
        template_version=r.template_version,
        org_type=(r.text("org_type") or None) if r.form is not None else None,
        summary=result.summary,
        findings=[f.as_dict() for f in result.findings],
        modified=modified,
        named=bool(org_name),
        merged=r.merged_units is not None,
    )
    if keep_values and r.form is not None:
        form = r.form
        out.values = {c.key: r.values.get(c.key) for c in form.inputs if c.is_numeric or c.kind == "choice"}
        out.blank = sorted(r.blank)
        if out.merged:
            from .rollup import read_lower

            out.lower = read_lower(source, r.edition)
    return out


def audit_many(
    files: list[Path],
    *,
    jobs: int | None = None,
    keep_values: bool = False,
    progress: Callable[[UnitResult], None] | None = None,
    hints=None,
) -> list[UnitResult]:
    """Audit every file, on all cores when there are enough files to pay for the processes. ``hints``
    (``importing.ImportHints``): what published reports among them may not say (year, agency, agency type)."""
    jobs = jobs or os.cpu_count() or 1
    results: list[UnitResult] = []
    if jobs <= 1 or len(files) < 8:
        for path in files:
            results.append(audit_unit(path, keep_values, hints))
            if progress:
                progress(results[-1])
        return results
    _prepare()
    chunk = max(1, min(32, len(files) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupt) as pool:
        try:
            for result in pool.map(_audit_for_pool, [(str(p), keep_values, hints) for p in files], chunksize=chunk):
                results.append(result)
                if progress:
                    progress(result)
        except BaseException:  # Ctrl+C: the workers finish the file in hand, the rest is never started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _prepare() -> None:
    """Before the workers fork: the modules an audit needs and what reading each edition looks at, done once
    here instead of in every worker (which start with a copy of this process)."""
    from ..auditing import ingest  # noqa: F401 - imported for the workers
    from ..checks.rules import registry
    from ..workbook.reader import prepare

    registry()  # every rule module imported, the catalogue ordered
    prepare()
    gc.freeze()  # what is made so far lives as long as the process: the collector need not look at it again


def _ignore_interrupt() -> None:
    """In a worker: Ctrl+C reaches the whole process group, and only the parent answers it (no traceback)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _audit_for_pool(args: tuple) -> UnitResult:
    return audit_unit(*args)


def batch_as_dict(results: list[UnitResult]) -> dict:
    """What ``xlrep check --json`` prints: the counts and every unit with its state and findings."""
    return {
        "files": len(results),
        "summary": {
            "units": len(results),
            "passed": sum(1 for r in results if not r.summary["errors"]),
            "with_errors": sum(1 for r in results if r.summary["errors"]),
            "unreadable": sum(1 for r in results if not r.readable),
            "errors": sum(r.summary["errors"] for r in results),
            "warnings": sum(r.summary["warnings"] for r in results),
        },
        "units": [r.as_dict() for r in results],
    }
