"""Shared fixtures.

``calc``: one headless LibreOffice Calc for the whole test session, driven through
``tests/lo_bridge.py`` run by a Python that can ``import uno`` (the system
``/usr/bin/python3`` with python3-uno; override with ``XLREP_UNO_PYTHON``). Tests
that use it are marked ``libreoffice``. Without LibreOffice these tests FAIL, they
are never skipped: the real-spreadsheet proof is part of the suite.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# No property test races the machine: Hypothesis's default 200 ms deadline per example fails on a slow or
# busy machine for nothing (issue 23). Bounded work is asserted in CPU seconds where it matters (machine.py).
settings.register_profile("xlrep", deadline=None)
settings.load_profile("xlrep")

BRIDGE = Path(__file__).with_name("lo_bridge.py")
DEFAULT_UNO_PYTHON = "/usr/bin/python3"
INSTALL_HINT = "LibreOffice is required: run bash scripts/test.sh, which installs libreoffice-calc-nogui python3-uno"
START_TIMEOUT = 120.0  # seconds: launching soffice and connecting (the bridge itself retries for ~60 s)
REQUEST_TIMEOUT = 180.0  # seconds for one request


def pytest_configure(config):
    # Ctrl+C tests send SIGINT to the commands they start. A shell without job control starts a background job
    # (`bash scripts/test.sh &`, a CI runner's script) with SIGINT ignored, every child inherits that, and Python
    # then never raises KeyboardInterrupt: the command runs to its end and the test fails for nothing. The suite
    # answers Ctrl+C itself, so its children start with the default disposition whatever started the suite.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    config.addinivalue_line(
        "markers",
        "libreoffice: runs the workbook in a real LibreOffice Calc (headless, via UNO); needs soffice and python3-uno",
    )


class CalcError(RuntimeError):
    """LibreOffice (or the bridge) answered a request with an error."""


class Calc:
    """Client of ``lo_bridge.py``: one method per bridge command."""

    def __init__(self, proc: subprocess.Popen, log_path: Path):
        self.proc = proc
        self.log_path = log_path
        self._lines: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self.version: str | None = None

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)  # EOF

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def _receive(self, timeout: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise CalcError(f"no answer from lo_bridge within {timeout:.0f} s\n{self.log_tail()}") from None
        if line is None:
            raise CalcError(f"lo_bridge exited (code {self.proc.poll()})\n{self.log_tail()}")
        return json.loads(line)

    def request(self, cmd: str, timeout: float = REQUEST_TIMEOUT, **args):
        if self.proc.poll() is not None:
            raise CalcError(f"lo_bridge is not running (code {self.proc.returncode})\n{self.log_tail()}")
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = self._receive(timeout)
        if "error" in answer:
            raise CalcError(f"{cmd}: {answer['error']}")
        return answer["result"]

    # -- commands -------------------------------------------------------------
    def ping(self) -> dict:
        return self.request("ping")

    def open(self, path) -> str:
        return self.request("open", path=str(path))

    def read(self, doc: str, cells) -> list[dict]:
        return self.request("read", doc=doc, cells=[list(c) for c in cells])

    def fill(self, doc: str, cells, read=(), recalc: bool = True) -> list[dict]:
        return self.request(
            "fill", doc=doc, cells=[list(c) for c in cells], read=[list(c) for c in read], recalc=recalc
        )

    def calculate_all(self, doc: str) -> None:
        self.request("calc", doc=doc)

    def names(self, doc: str) -> dict[str, list]:
        return self.request("names", doc=doc)

    def sheets(self, doc: str, cells=()) -> dict:
        return self.request("sheets", doc=doc, cells=[list(c) for c in cells])

    def save(self, doc: str, path, filter: str = "Calc MS Excel 2007 XML") -> str:  # noqa: A002
        return self.request("save", doc=doc, path=str(path), filter=filter)

    def close(self, doc: str) -> None:
        self.request("close", doc=doc)

    def rename(self, doc: str, old: str, new: str) -> None:
        self.request("rename", doc=doc, old=old, new=new)

    @contextmanager
    def opened(self, path):
        """A document opened for one test, closed afterwards: ``with calc.opened(path) as doc``."""
        doc = self.open(path)
        try:
            yield doc
        finally:
            self.close(doc)

    def quit(self) -> None:
        if self.proc.poll() is None:
            try:
                self.request("quit", timeout=30)
            except CalcError:
                pass
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _uno_python() -> str:
    python = os.environ.get("XLREP_UNO_PYTHON", DEFAULT_UNO_PYTHON)
    resolved = shutil.which(python) or (python if os.path.exists(python) else None)
    if not resolved:
        pytest.fail(
            f"{INSTALL_HINT} (no Python at {python!r}; set XLREP_UNO_PYTHON to a Python that can import uno)",
            pytrace=False,
        )
    try:
        probe = subprocess.run([resolved, "-c", "import uno"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"{INSTALL_HINT} ({resolved} could not be run: {exc})", pytrace=False)
    if probe.returncode != 0:
        pytest.fail(
            f"{INSTALL_HINT} ({resolved} cannot import uno: {probe.stderr.strip().splitlines()[-1:]}; "
            "set XLREP_UNO_PYTHON to a Python that can)",
            pytrace=False,
        )
    return resolved


@pytest.fixture(scope="session")
def calc(tmp_path_factory):
    """One LibreOffice Calc for the whole session (see ``tests/lo_bridge.py``)."""
    soffice = os.environ.get("XLREP_SOFFICE") or shutil.which("soffice") or "/usr/bin/soffice"
    if not os.path.exists(soffice):
        pytest.fail(f"{INSTALL_HINT} (soffice not found)", pytrace=False)
    python = _uno_python()
    log_path = tmp_path_factory.mktemp("libreoffice") / "lo_bridge.log"
    log = open(log_path, "w", encoding="utf-8")
    env = dict(os.environ, XLREP_SOFFICE=soffice, PYTHONIOENCODING="utf-8")
    env.pop("PYTHONPATH", None)  # the uno Python must not see the test interpreter's packages
    env.pop("PYTHONHOME", None)
    proc = subprocess.Popen(
        [python, str(BRIDGE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        encoding="utf-8",
        bufsize=1,
        env=env,
    )
    client = Calc(proc, log_path)
    try:
        hello = client._receive(START_TIMEOUT)
        if "error" in hello:
            raise CalcError(hello["error"])
        client.version = client.ping()["version"]
    except (CalcError, json.JSONDecodeError) as exc:
        client.quit()
        log.close()
        pytest.fail(f"{INSTALL_HINT}\nLibreOffice did not start: {exc}\n{client.log_tail()}", pytrace=False)
    try:
        yield client
    finally:
        client.quit()
        log.close()


@pytest.fixture
def run(monkeypatch, tmp_path, capsys):
    """Run ``xlrep ARGS…`` in-process from a fresh folder: (exit code, stdout, stderr), never a traceback."""
    from xlrep.cli import main

    monkeypatch.chdir(tmp_path)

    def _run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return _run


@pytest.fixture
def where():
    """``where(key, edition="2021")``: (sheet, A1) of a form key in the template of that edition."""
    from xlrep.edition.form import load_form
    from xlrep.workbook.layout import build_layout, cell_ref

    def _where(key: str, edition: str = "2021") -> tuple[str, str]:
        sheet, row, col = build_layout(load_form(edition)).addresses[key]
        return sheet, cell_ref(row, col)

    return _where
