#!/usr/bin/python3
"""A bridge to one headless LibreOffice Calc, driven by JSON lines on stdin.

Run with a Python that can ``import uno`` (on Debian: the system ``/usr/bin/python3``
with ``python3-uno``); it must not import xlrep. The tests start it once per session
(``tests/conftest.py``) and talk to it through the ``calc`` fixture.

Protocol: one JSON object per line on stdin, ``{"cmd": "<command>", ...arguments}``;
one JSON line per request on stdout: ``{"result": ...}`` or ``{"error": "..."}``.
Nothing else is written to stdout (the process's fd 1 is redirected to stderr at
start, so even output from LibreOffice or C libraries cannot corrupt the protocol).
Log lines go to stderr.

Commands
  ping                                   -> {"version": LibreOffice version, "pid": soffice pid}
  open   {path}                          -> doc id  (loaded hidden, no recalculation on load)
  read   {doc, cells: [[sheet, "D7"], ...]}
                                         -> [{"value", "string", "type", "formula", "error"}, ...]
  fill   {doc, cells: [[sheet, "D7", v], ...], read: [...], recalc: true}
         numbers -> setValue, strings -> setString, {"formula": "=…"} -> setFormula (typed as a formula),
         null -> cell emptied;
         then calculateAll(); then the cells of ``read`` as for ``read``
  calc   {doc}                           -> calculateAll()
  names  {doc}                           -> {name: [sheet, "D7" or "D7:F9"], ...}
  sheets {doc, cells: [[sheet, "D7"], ...]}
                                         -> {"sheets": [{"name", "protected", "visible"}, ...],
                                             "locked": [bool, ...]}
  save   {doc, path, filter}             -> path  (e.g. "Calc MS Excel 2007 XML", "calc_pdf_Export")
  close  {doc}
  quit                                   -> terminates LibreOffice, removes the profile, exits
On stdin EOF the bridge shuts down as on ``quit``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

# Keep the protocol channel private: fd 1 becomes stderr for everybody else.
_PROTO = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402

CONNECT_TIMEOUT = float(os.environ.get("XLREP_LO_CONNECT_TIMEOUT", "60"))
# CellFlags VALUE | DATETIME | STRING | FORMULA: the content, not the formatting
# (HARDATTR would drop the cell's unlocked protection and number format).
CLEAR_CONTENT = 1 | 2 | 4 | 16


def log(*parts) -> None:
    print("[lo_bridge]", *parts, file=sys.stderr, flush=True)


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_ref(ref: str) -> tuple[int, int]:
    """ "D7" -> (row 6, col 3), zero-based."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def col_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


class Office:
    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.profile = tempfile.mkdtemp(prefix="xlrep-lo-profile-")
        self.pipe = f"xlrep_lo_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.ctx = None
        self.desktop = None
        self.docs: dict[str, object] = {}
        self.sheet_cache: dict[str, dict[str, object]] = {}
        self.cell_cache: dict[str, dict[tuple[str, str], object]] = {}
        self.next_id = 1

    # -- life cycle -----------------------------------------------------------
    def start(self) -> None:
        soffice = os.environ.get("XLREP_SOFFICE") or shutil.which("soffice") or "/usr/bin/soffice"
        if not os.path.exists(soffice):
            raise RuntimeError(f"soffice not found ({soffice})")
        profile_url = uno.systemPathToFileUrl(self.profile)
        args = [
            soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={self.pipe};urp;",
            f"-env:UserInstallation={profile_url}",
        ]
        log("starting", " ".join(args))
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,  # never the protocol channel
            stderr=sys.stderr,
            start_new_session=True,  # its own process group: we can end soffice.bin with it
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + CONNECT_TIMEOUT
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        attempt = 0
        while True:
            attempt += 1
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None and attempt > 1:
                    # the launcher (oosplash) may exit early only if soffice.bin failed
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"could not connect to LibreOffice within {CONNECT_TIMEOUT:.0f} s") from None
                time.sleep(0.25)
        smgr = self.ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self._configure()
        log(f"connected after {attempt} attempt(s)")

    def _configure(self) -> None:
        """Never recalculate on load: we want to see the cached results as stored."""
        provider = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (prop("nodepath", "/org.openoffice.Office.Calc/Formula/Load"),),
        )
        access.setPropertyValue("OOXMLRecalcMode", 1)  # 0 always, 1 never, 2 ask
        access.setPropertyValue("ODFRecalcMode", 1)
        access.commitChanges()

    def version(self) -> str:
        provider = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", (prop("nodepath", "/org.openoffice.Setup/Product"),)
        )
        return f"{access.getPropertyValue('ooName')} {access.getPropertyValue('ooSetupVersionAboutBox')}"

    def shutdown(self) -> None:
        for doc_id in list(self.docs):
            try:
                self.close(doc_id)
            except Exception as exc:  # noqa: BLE001
                log("close failed during shutdown:", exc)
        if self.desktop is not None:
            try:
                self.desktop.terminate()
            except Exception as exc:  # noqa: BLE001 - the bridge dies with the process: expected
                log("terminate:", type(exc).__name__)
            self.desktop = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                log("soffice did not exit; killing its process group", self.proc.pid)
            # soffice (oosplash) may have left soffice.bin behind in its group: end the group.
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- documents ------------------------------------------------------------
    def doc(self, doc_id: str):
        try:
            return self.docs[doc_id]
        except KeyError:
            raise KeyError(f"unknown doc {doc_id!r}") from None

    def open(self, path: str) -> str:
        path = os.path.abspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        url = uno.systemPathToFileUrl(path)
        doc = self.desktop.loadComponentFromURL(
            url,
            "_blank",
            0,
            (
                prop("Hidden", True),
                prop("ReadOnly", False),
                prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
                prop("UpdateDocMode", 0),  # NO_UPDATE
            ),
        )
        if doc is None:
            raise RuntimeError(f"LibreOffice could not load {path}")
        doc_id = f"d{self.next_id}"
        self.next_id += 1
        self.docs[doc_id] = doc
        self.sheet_cache[doc_id] = {}
        self.cell_cache[doc_id] = {}
        return doc_id

    def close(self, doc_id: str) -> None:
        doc = self.docs.pop(doc_id)
        self.sheet_cache.pop(doc_id, None)
        self.cell_cache.pop(doc_id, None)
        try:
            doc.close(True)
        except Exception:  # noqa: BLE001 - CloseVetoException etc.: dispose anyway
            doc.dispose()

    def sheet(self, doc_id: str, name: str):
        cache = self.sheet_cache[doc_id]
        if name not in cache:
            sheets = self.doc(doc_id).Sheets
            if not sheets.hasByName(name):
                raise KeyError(f"no sheet {name!r}")
            cache[name] = sheets.getByName(name)
        return cache[name]

    def cell(self, doc_id: str, sheet: str, ref: str):
        cache = self.cell_cache[self._check(doc_id)]
        key = (sheet, ref)
        c = cache.get(key)
        if c is None:
            row, col = parse_ref(ref)
            c = self.sheet(doc_id, sheet).getCellByPosition(col, row)
            cache[key] = c
        return c

    def _check(self, doc_id: str) -> str:
        self.doc(doc_id)
        return doc_id

    def read_cells(self, doc_id: str, cells) -> list[dict]:
        self.doc(doc_id)
        out = []
        for sheet, ref in cells:
            c = self.cell(doc_id, sheet, ref)
            kind = c.getType().value  # EMPTY / VALUE / TEXT / FORMULA
            item = {"type": kind, "value": 0.0, "string": "", "formula": "", "error": 0}
            if kind != "EMPTY":
                item["value"] = c.getValue()
                item["string"] = c.getString()
                item["formula"] = c.getFormula()
                if kind == "FORMULA":
                    item["error"] = c.getError()
            out.append(item)
        return out

    def fill(self, doc_id: str, cells, read=(), recalc: bool = True) -> list[dict]:
        doc = self.doc(doc_id)
        doc.enableAutomaticCalculation(False)
        try:
            for entry in cells:
                sheet, ref, value = entry
                c = self.cell(doc_id, sheet, ref)
                if value is None:
                    c.clearContents(CLEAR_CONTENT)  # a cell is also a range (XSheetOperation)
                elif isinstance(value, bool):
                    c.setValue(1.0 if value else 0.0)
                elif isinstance(value, (int, float)):
                    c.setValue(float(value))
                elif isinstance(value, str):
                    c.setString(value)
                elif isinstance(value, dict) and "formula" in value:
                    c.setFormula(value["formula"])
                else:
                    raise TypeError(f"cannot put {type(value).__name__} into {sheet}!{ref}")
            if recalc:
                doc.calculateAll()
        finally:
            doc.enableAutomaticCalculation(True)
        return self.read_cells(doc_id, read)

    def names(self, doc_id: str) -> dict:
        doc = self.doc(doc_id)
        sheet_names = list(doc.Sheets.getElementNames())
        named = doc.NamedRanges
        out = {}
        for name in named.getElementNames():
            nr = named.getByName(name)
            try:
                cells = nr.getReferredCells()
            except Exception:  # noqa: BLE001
                cells = None
            if cells is None:
                out[name] = [None, nr.getContent()]
                continue
            a = cells.getRangeAddress()
            first = a1(a.StartRow, a.StartColumn)
            last = a1(a.EndRow, a.EndColumn)
            out[name] = [sheet_names[a.Sheet], first if first == last else f"{first}:{last}"]
        return out

    def sheets(self, doc_id: str, cells=()) -> dict:
        doc = self.doc(doc_id)
        info = []
        for name in doc.Sheets.getElementNames():
            s = doc.Sheets.getByName(name)
            info.append({"name": name, "protected": bool(s.isProtected()), "visible": bool(s.IsVisible)})
        locked = [bool(self.cell(doc_id, sheet, ref).CellProtection.IsLocked) for sheet, ref in cells]
        return {"sheets": info, "locked": locked}

    def rename(self, doc_id: str, old: str, new: str) -> None:
        """Rename a sheet as a clerk would (the structure lock has no password): references follow."""
        doc = self.doc(doc_id)
        if doc.isProtected():
            doc.unprotect("")
        doc.Sheets.getByName(old).setName(new)

    def save(self, doc_id: str, path: str, filter: str) -> str:  # noqa: A002 - protocol name
        path = os.path.abspath(path)
        self.doc(doc_id).storeToURL(
            uno.systemPathToFileUrl(path), (prop("FilterName", filter), prop("Overwrite", True))
        )
        return path


COMMANDS = {
    "ping": lambda office, req: {"version": office.version(), "pid": office.proc.pid if office.proc else None},
    "open": lambda office, req: office.open(req["path"]),
    "read": lambda office, req: office.read_cells(req["doc"], req["cells"]),
    "fill": lambda office, req: office.fill(req["doc"], req["cells"], req.get("read", ()), req.get("recalc", True)),
    "calc": lambda office, req: office.doc(req["doc"]).calculateAll(),
    "names": lambda office, req: office.names(req["doc"]),
    "sheets": lambda office, req: office.sheets(req["doc"], req.get("cells", ())),
    "save": lambda office, req: office.save(req["doc"], req["path"], req["filter"]),
    "close": lambda office, req: office.close(req["doc"]),
    "rename": lambda office, req: office.rename(req["doc"], req["old"], req["new"]),
}


def serve(office: Office) -> None:
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req.pop("cmd")
            if cmd == "quit":
                _PROTO.write(json.dumps({"result": "bye"}) + "\n")
                return
            if cmd not in COMMANDS:
                raise ValueError(f"unknown command {cmd!r}")
            response = {"result": COMMANDS[cmd](office, req)}
        except Exception as exc:  # noqa: BLE001 - every error is an answer, never a crash
            log(traceback.format_exc())
            response = {"error": f"{type(exc).__name__}: {exc}"}
        _PROTO.write(json.dumps(response, ensure_ascii=False) + "\n")


def main() -> int:
    office = Office()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        try:
            office.start()
        except Exception as exc:  # noqa: BLE001
            log(traceback.format_exc())
            _PROTO.write(json.dumps({"error": f"startup failed: {type(exc).__name__}: {exc}"}) + "\n")
            return 1
        _PROTO.write(json.dumps({"result": "ready"}) + "\n")
        serve(office)
        return 0
    finally:
        office.shutdown()
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
