"""Helpers for the ``xlrep serve`` tests: a real server as a subprocess, and a small HTTP client.

The client speaks plain HTTP (urllib/http.client, no extra package): it keeps its own cookies like
a browser, reads the CSRF token out of the page it got the form from, and posts multipart forms.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # seconds for the server to print its address (it warms its worker processes first)
REQUEST_TIMEOUT = 120.0


def _open_files_limit(count: int):
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (count, count))

    return limit


class ServerProcess:
    """``xlrep serve`` started as a subprocess on a free loopback port (``--port 0``)."""

    def __init__(self, data: Path, *args: str, env: dict | None = None, open_files: int | None = None):
        self.data = Path(data)
        env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", **(env or {}))
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [sys.executable, "-m", "xlrep", "serve", "--data", str(data), "--port", "0", "--no-browser", *args]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=env,
            start_new_session=True,  # its own process group: the test can end it and its workers together
            preexec_fn=_open_files_limit(open_files) if open_files else None,  # as under ``ulimit -n``
        )
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        self.setup_url: str | None = None
        deadline = time.monotonic() + START_TIMEOUT
        while not self.url:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError("xlrep serve did not start in time:\n" + self.output()) from None
            if line is None:
                raise RuntimeError(f"xlrep serve exited ({self.proc.poll()}):\n" + self.output())
            m = re.search(r"已启动：(https?://[\d.:]+)/", line)
            if m:
                self.url = m.group(1)
        while True:  # the lines after the address (first sign-in link), up to “按 Ctrl+C 停止。”
            try:
                line = self._queue.get(timeout=10)
            except queue.Empty:
                break
            if line is None or "Ctrl+C" in line:
                break
            m = re.search(r"(https?://\S+/setup/\S+)", line)
            if m:
                self.setup_url = m.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)

    def output(self) -> str:
        return "".join(self.lines)

    def kill(self, grace: float = 15.0) -> bool:
        """SIGKILL the server's own process (a crash). Returns whether its worker processes then ended by
        themselves within ``grace`` seconds (they are ended anyway)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        deadline = time.monotonic() + grace
        alone = False
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                alone = True
                break
            time.sleep(0.1)
        self._end_group()
        return alone

    def stop(self) -> None:
        """Ctrl+C, as the office stops it; killed if it does not stop within 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._end_group()

    def _end_group(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def process_group(server: ServerProcess) -> dict[int, int]:
    """The server's process group (Linux): pid → CPU ticks used so far (the server itself and its workers)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == server.proc.pid and fields[0] != "Z":  # pgrp, after the state and the parent
            found[int(entry)] = int(fields[11]) + int(fields[12])
    return found


def workers_computing(server: ServerProcess, before: dict[int, int], count: int = 1) -> bool:
    """Whether ``count`` of the server's workers have used 0.3 s of CPU or more since ``before``."""
    now = process_group(server)
    return sum(pid != server.proc.pid and ticks - before.get(pid, 0) >= 30 for pid, ticks in now.items()) >= count


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    location: str | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----xlrep" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += str(value).encode("utf-8") + b"\r\n"
    for name, (filename, data) in files.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


@dataclass
class Client:
    """One browser-like visitor: its own cookies; redirects are not followed (the answer says where)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # another loopback address (127.0.0.2, …): another client, as the site counts them

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        timeout: float | None = None,
    ) -> Answer:
        parts = urlsplit(self.base)
        conn = http.client.HTTPConnection(
            parts.hostname,
            parts.port,
            timeout=timeout or REQUEST_TIMEOUT,
            source_address=(self.source, 0) if self.source else None,
        )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, quote(path, safe="/?=&%#:+"), body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        got = {k.lower(): v for k, v in response.getheaders()}
        for k, v in response.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "max-age=0" in v.lower() or "expires=thu, 01 jan 1970" in v.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return Answer(response.status, got, data, got.get("location"))

    def get(self, path: str, timeout: float | None = None) -> Answer:
        return self.request("GET", path, timeout=timeout)

    def post(
        self,
        path: str,
        fields: dict | None = None,
        files: dict | None = None,
        *,
        form_page: str | None = None,
        csrf: bool = True,
    ) -> Answer:
        """Post a form; with ``csrf`` the token is read from ``form_page`` (GET first, as a browser would)."""
        fields = dict(fields or {})
        if csrf:
            page = self.get(form_page or "/").text
            fields["csrf_token"] = csrf_of(page)
        body, content_type = multipart(fields, files or {})
        return self.request("POST", path, body, {"Content-Type": content_type})

    def upload(self, path: str, filename: str, data: bytes, form_page: str) -> Answer:
        return self.post(path, {}, {"file": (filename, data)}, form_page=form_page)


def unescape(text: str) -> str:
    return html.unescape(text)


ADMIN_PASSWORD = "测试-" + secrets.token_hex(6)


def set_up_admin(server: ServerProcess, password: str = ADMIN_PASSWORD, **office: str) -> Client:
    """The office's first sign-in through the link printed in the terminal (the first office and its 管理员,
    ``office`` overriding the defaults); returns the signed-in client."""
    assert server.setup_url, server.output()
    client = Client(server.url)
    path = urlsplit(server.setup_url).path
    fields = {"office_name": "测试县人民政府办公室", "level": "县", "name": "管理员", "login": "admin", **office}
    answer = client.post(path, {**fields, "password": password, "repeat": password}, form_page=path)
    assert answer.status == 303 and answer.location == "/admin", answer.text
    return client


def sign_in(server: ServerProcess, password: str = ADMIN_PASSWORD, login: str = "admin") -> Client:
    client = Client(server.url)
    fields = {"login": login, "password": password, "next": "/admin"}
    answer = client.post("/admin/login", fields, form_page="/admin/login")
    assert answer.status == 303, answer.text
    return client


def add_office(admin: Client, name: str, level: str, login: str, password: str) -> None:
    """A 管理员 creates an office below its own (its first 管理员 ``{name}的管理员``, ``login``, ``password``)."""
    fields = {
        "action": "office",
        "office_name": name,
        "level": level,
        "admin_name": f"{name}的管理员",
        "admin_login": login,
        "password": password,
        "repeat": password,
    }
    answer = admin.post("/admin/offices", fields, form_page="/admin/offices")
    assert answer.status == 303, unescape(answer.text)


def create_round(admin: Client, units: list[tuple[str, str]], **fields) -> int:
    values = {"year": "2021", "title": "", "deadline": "", "previous_id": "", "summary_org": "", "summary_org_type": ""}
    values.update({k: str(v) for k, v in fields.items()})
    values["units_text"] = "\n".join(f"{n}\t{t}" for n, t in units)
    answer = admin.post("/admin/rounds/new", values, form_page="/admin/rounds/new")
    assert answer.status == 303, unescape(answer.text)
    return int(answer.location.rsplit("/", 1)[1])


def unit_links(admin: Client, round_id: int) -> dict[str, str]:
    """Unit name → path of its private page, from the office's CSV export of the links."""
    import csv
    import io

    answer = admin.get(f"/admin/rounds/{round_id}/links.csv")
    assert answer.status == 200
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    return {row[1]: urlsplit(row[3]).path for row in rows[1:]}


def office_round(store, account, units, *, year: int) -> int:
    """A round of ``year`` (2021 edition) of ``account``'s office in ``store`` listing ``units`` ((name, 机关类型)
    pairs): what the roll-up's storage tests build their tree of rounds from."""
    return store.create_round(
        year=year, edition="2021", title="t", deadline=None, previous_id=None, summary_org=None,
        summary_org_type=None, units=units, ip=None, by=account,
    )  # fmt: skip


def new_round(store, units, *, year: int = 2021, title: str = "t", previous_id=None, ip=None) -> int:
    """A round of the 2021 edition in ``store`` (a ``serve.storage.Store``) listing ``units`` ((name, 机关类型)
    pairs), with no deadline and no 汇总 agency: what the storage tests start from."""
    return store.create_round(
        year=year,
        edition="2021",
        title=title,
        deadline=None,
        previous_id=previous_id,
        summary_org=None,
        summary_org_type=None,
        units=units,
        ip=ip,
    )
