"""``xlrep serve`` under hostile use (issue 22): atomic login throttle, decisions bound to a version, a damaged or
vanished data folder, audits killed at their budget, upload floods, slow connections.

One server for the module (``tough``), started with low limits so that the tests reach them with few requests;
attackers connect from other loopback addresses (127.0.0.2, …) so that the office's own client (127.0.0.1) is
never the one throttled. Every load loop is bounded in count, every wait is for a condition with a deadline.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from filling import clean_values, fill_workbook
from serve_support import (
    Client,
    ServerProcess,
    create_round,
    process_group,
    set_up_admin,
    unescape,
    unit_links,
    workers_computing,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from machine import wait_until  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOUGH_PASSWORD = "正确的密码-round3"


@pytest.fixture(scope="module")
def tough(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("tough") / "数据", "--workers", "2")
    try:
        admin = set_up_admin(server, TOUGH_PASSWORD)
        yield server, admin
    finally:
        server.stop()


@pytest.fixture(scope="module")
def clean_book(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("books")
    return fill_workbook(folder / "clean.xlsx", "2021", 2021, clean_values("2021", 2021)).read_bytes()


def _book_of(folder: Path, org: str, problems: str | None = None) -> bytes:
    """A clean workbook whose 机关名称 is ``org`` (a unit's own: the site refuses another's, ROUND-ORG-NAME)."""
    values = clean_values("2021", 2021)
    values["info.org_name"] = org
    if problems:
        values["s5.problems"] = problems
    return fill_workbook(folder / f"{org}{len(problems or '')}.xlsx", "2021", 2021, values).read_bytes()


def _events(data: Path, action: str, ip: str) -> int:
    with sqlite3.connect(f"file:{data / 'xlrep.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE action = ? AND ip = ?", (action, ip)).fetchone()[0]


# -- row 3: the login throttle is checked and counted before any hash -----------------------------------


def test_150_parallel_wrong_passwords_then_the_right_one_do_not_sign_in(tough):
    server, admin = tough
    attacker = "127.0.0.3"

    def guess(n: int) -> int:
        client = Client(server.url, source=attacker)
        return client.post("/admin/login", {"login": "admin", "password": f"猜测{n}"}, form_page="/admin/login").status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(guess, range(150)))
    assert statuses.count(401) == 5 and statuses.count(429) == 145, statuses
    right = Client(server.url, source=attacker)
    answer = right.post("/admin/login", {"login": "admin", "password": TOUGH_PASSWORD}, form_page="/admin/login")
    assert answer.status == 429 and "分钟后再试" in unescape(answer.text)
    assert "xlrep_session" not in right.cookies
    assert _events(server.data, "login_failed", attacker) == 5  # five hashes computed, not 150
    assert _events(server.data, "login", attacker) == 0
    assert admin.get("/admin").status == 200  # the office, from another address, is not locked out


# -- row 4: a decision names the version it was made on ---------------------------------------------------


def test_a_decision_made_on_an_old_version_is_refused(tough, tmp_path):
    server, admin = tough
    round_id = create_round(admin, [("审核局", "部门")])
    (link,) = unit_links(admin, round_id).values()
    unit = Client(server.url)
    clean_book = _book_of(tmp_path, "审核局")
    assert unit.upload(link + "/upload", "第一版.xlsx", clean_book, link).status == 303
    assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
    unit_id = re.search(r'/units/(\d+)">审核局<', admin.get(f"/admin/rounds/{round_id}").text).group(1)
    path = f"/admin/rounds/{round_id}/units/{unit_id}"
    first_tab = admin.get(path).text  # the page the office keeps open on version 1
    assert re.search(r'name="version" value="1"', first_tab)

    # in another tab version 1 is returned; the unit uploads and submits version 2
    returned = admin.post(path + "/decide", {"action": "return", "comment": "请改", "version": "1"}, form_page=path)
    assert returned.status == 303 and "error" not in returned.location
    corrected = _book_of(
        tmp_path, "审核局", problems="已按意见修改。"
    )  # changed: a returned version cannot come back as it was
    assert unit.upload(link + "/upload", "第二版.xlsx", corrected, link).status == 303
    assert unit.post(link + "/submit", {"version": "2"}, form_page=link).status == 303

    # the first tab's 通过 (its form says version 1) is refused; version 2 stays 已上报, unseen
    stale = admin.post(path + "/decide", {"action": "pass", "version": "1"}, form_page=path)
    assert stale.status == 303 and "error=" in stale.location
    message = unescape(admin.get(stale.location).text)
    assert "您审核的是第 1 版" in message and "第 2 版" in message
    assert "已上报" in unescape(admin.get(path).text) and "已通过" not in unescape(admin.get(path).text)
    without = admin.post(path + "/decide", {"action": "pass"}, form_page=path)
    assert without.status == 400 and "刷新页面" in unescape(without.text)
    assert admin.post(path + "/decide", {"action": "pass", "version": "2"}, form_page=path).status == 303
    assert "已通过" in unescape(admin.get(path).text)


# -- row 11: a damaged database is refused at start, in Chinese, with what to do ----------------------


def _serve(data: Path) -> tuple[int, str]:
    """``xlrep serve`` on ``data`` as the office starts it, expected to refuse (bounded in time)."""
    import os
    import subprocess

    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    cmd = [sys.executable, "-m", "xlrep", "serve", "--data", str(data), "--port", "0", "--no-browser"]
    done = subprocess.run(cmd, capture_output=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


def _stored_folder(folder: Path) -> Path:
    """A data folder with a round of 40 units in it, closed (the database checkpointed, no WAL left)."""
    from xlrep.serve.storage import Store

    store = Store(folder)
    store.create_round(
        year=2021,
        edition="2021",
        title="测试",
        deadline=None,
        previous_id=None,
        summary_org=None,
        summary_org_type=None,
        units=[(f"第{i}局" * 20, "部门") for i in range(40)],
        ip=None,
    )
    store.close()
    return folder


def _overwrite_page(database: Path, page: int) -> None:
    with sqlite3.connect(database) as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        count = db.execute("PRAGMA page_count").fetchone()[0]
    assert count > page, "the test database is too small to damage that page"
    with open(database, "r+b") as handle:
        handle.seek(size * (page - 1))
        handle.write(bytes([0xA5]) * size)


@pytest.mark.parametrize("page", [1, 2, 5], ids=["header", "schema page", "a page of rows"])
def test_a_damaged_database_is_refused_with_a_recovery_hint(tmp_path, page):
    data = _stored_folder(tmp_path / "数据")
    _overwrite_page(data / "xlrep.sqlite3", page)
    damaged = (data / "xlrep.sqlite3").read_bytes()
    code, output = _serve(data)
    assert code == 2, output
    assert "无法使用" in output and "恢复办法" in output and "备份" in output, output
    assert "Traceback" not in output and "内部错误" not in output and "DatabaseError" not in output
    assert (data / "xlrep.sqlite3").read_bytes() == damaged  # nothing written to it


def test_a_database_of_another_structure_is_refused(tmp_path):
    data = tmp_path / "数据"
    data.mkdir()
    with sqlite3.connect(data / "xlrep.sqlite3") as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.execute("INSERT INTO notes (text) VALUES ('别的程序的数据')")
    code, output = _serve(data)
    assert code == 2 and "不是 xlrep 收集网站的数据库" in output and "Traceback" not in output, output
    with sqlite3.connect(data / "xlrep.sqlite3") as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]


# -- row 13: stray partial files, a read-only data folder, a full disk ------------------------------------


def test_stray_partial_files_are_removed_at_start(tmp_path):
    data = _stored_folder(tmp_path / "数据")
    stray = [data / "files" / "ab" / ".xlrep-k2j3.part", data / "files" / ".xlrep-x.part"]
    stray[0].parent.mkdir()
    for part in stray:
        part.write_bytes(b"half a workbook")
    kept = data / "files" / "ab" / ("ab" + "0" * 62)
    kept.write_bytes(b"a stored upload")
    server = ServerProcess(data)
    try:
        assert not any(part.exists() for part in stray)
        assert kept.read_bytes() == b"a stored upload"
        assert "已删除上次中断时留下的 2 个未写完的临时文件" in server.output()
    finally:
        server.stop()


@pytest.fixture
def read_only_folder(tmp_path):
    """A data folder with a collection in it, on a read-only file system (root: a tmpfs remounted read-only;
    others: the folder's write permissions taken away)."""
    import os
    import subprocess

    mount = tmp_path / "只读盘"
    mount.mkdir()
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
        try:
            data = _stored_folder(mount / "数据")
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True, capture_output=True)
            yield data
        finally:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)
    else:
        data = _stored_folder(mount / "数据")
        for path in (data / "files", data):
            path.chmod(0o555)
        (data / "xlrep.sqlite3").chmod(0o444)
        try:
            yield data
        finally:
            for path in (data, data / "files"):
                path.chmod(0o755)


def test_a_read_only_data_folder_is_named_so_not_called_damaged(read_only_folder):
    code, output = _serve(read_only_folder)
    assert code == 2, output
    assert "只读" in output and "--data 换一个可写的文件夹" in output, output
    assert "备份" not in output and "损坏" not in output and "Traceback" not in output, output


def test_a_full_disk_is_a_chinese_message_and_nothing_is_confirmed(tmp_path, clean_book):
    server = ServerProcess(tmp_path / "数据", "--workers", "1", env={"XLREP_SERVE_FAULTS": "enospc"})
    try:
        admin = set_up_admin(server)
        round_id = create_round(admin, [("满盘局", "部门")])
        (link,) = unit_links(admin, round_id).values()
        unit = Client(server.url)
        answer = unit.upload(link + "/upload", "填报表.xlsx", clean_book, link)
        assert answer.status == 503, answer.text
        text = unescape(answer.text)
        assert "磁盘空间不足" in text and "没有保存" in text and "Traceback" not in text
        assert "第 1 版" not in unescape(unit.get(link).text)
        with sqlite3.connect(f"file:{server.data / 'xlrep.sqlite3'}?mode=ro", uri=True) as db:
            assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0
        # the self-check stores nothing: it still answers
        check = Client(server.url).post("/check", {}, {"file": ("自查.xlsx", clean_book)})
        assert check.status == 200
    finally:
        server.stop()
    assert "Traceback" not in server.output()


# -- row 14: /api/check under a flood: bounded memory, a rate limit, no posts from other sites ------------


@pytest.fixture(scope="module")
def flood(tmp_path_factory):
    args = ("--workers", "2", "--max-upload-mb", "6", "--api-per-minute", "5", "--audit-seconds", "1")
    server = ServerProcess(tmp_path_factory.mktemp("flood") / "数据", *args, env={"XLREP_SERVE_FAULTS": "hostile"})
    try:
        yield server
    finally:
        server.stop()


def _api_check(server: ServerProcess, name: str, data: bytes, source: str, headers: dict | None = None):
    from serve_support import multipart

    body, content_type = multipart({}, {"file": (name, data)})
    client = Client(server.url, source=source)
    return client.request("POST", "/api/check", body, {"Content-Type": content_type, **(headers or {})})


def test_browser_posts_from_another_site_are_refused_scripts_are_not(flood, clean_book):
    own = f"http://127.0.0.1:{flood.port}"
    refused = (
        {"Origin": "http://evil.example"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": own, "Sec-Fetch-Site": "same-site"},
    )
    for headers in refused:
        answer = _api_check(flood, "填报表.xlsx", clean_book, "127.0.0.6", headers)
        assert answer.status == 403 and "来自其他网站的提交" in answer.json()["error"], headers
    for headers in ({}, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}):  # a script; the site's own page
        answer = _api_check(flood, "填报表.xlsx", clean_book, "127.0.0.6", headers)
        assert answer.status == 200 and answer.json()["summary"]["errors"] == 0, headers


def test_self_checks_are_rate_limited_per_address(flood, clean_book):
    statuses = [_api_check(flood, "填报表.xlsx", clean_book, "127.0.0.7").status for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = _api_check(flood, "填报表.xlsx", clean_book, "127.0.0.7")
    assert refused.status == 429 and "每分钟最多 5 次" in refused.json()["error"]
    assert _api_check(flood, "填报表.xlsx", clean_book, "127.0.0.8").status == 200  # another address


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_flood_of_large_posts_keeps_the_servers_memory_bounded(flood, clean_book):
    import os as _os

    # both workers busy with files that never finish (killed at their deadline): uploads can only wait
    cpu = process_group(flood)
    stuck = [
        threading.Thread(target=_api_check, args=(flood, f"卡住{n}.xlsx", clean_book, f"127.0.2.{n}")) for n in (1, 2)
    ]
    for thread in stuck:
        thread.start()
    wait_until(lambda: workers_computing(flood, cpu, 2), 60, "both workers computing a stuck file")
    before = _peak_rss_mb(flood.proc.pid)
    big = _os.urandom(5 * 1024 * 1024)  # 5 MB (the limit is 6 MB): read, then refused as not a workbook

    def post(n: int):
        try:
            return _api_check(flood, f"大文件{n}.xlsx", big, f"127.0.1.{n + 1}")
        except OSError as exc:  # a reset instead of an answer would fail the test below
            return exc

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(post, range(32)))
    assert all(not isinstance(a, Exception) for a in answers), answers
    assert {a.status for a in answers} <= {422, 503}, [a.status for a in answers]
    for answer in answers:
        assert "工作簿" in answer.json()["error"] or "服务器正忙" in answer.json()["error"]
    grown = _peak_rss_mb(flood.proc.pid) - before
    for thread in stuck:
        thread.join(timeout=120)
    assert grown < 60, f"the server's peak memory grew by {grown:.0f} MB for 32 posts of 5 MB"
    assert _api_check(flood, "填报表.xlsx", clean_book, "127.0.0.9").status == 200  # and a clerk is answered


# -- row 10: slow connections, a connection cap, logs that do not flood ----------------------------------------


def test_200_slow_connections_do_not_make_the_site_unreachable(tmp_path):
    import socket

    # under ``ulimit -n 200``: 200 slow connections and the site's own files would use up its file descriptors
    server = ServerProcess(tmp_path / "数据", "--workers", "1", "--max-connections", "50", open_files=200)
    slow: list[socket.socket] = []
    try:
        dropped = 0
        for n in range(200):  # bounded: half trickle their headers, half a declared 100 KB body
            source = (f"127.0.3.{n % 250 + 1}", 0)
            try:
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=source)
                slow.append(sock)
                if n % 2:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                else:
                    head = "POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
                    sock.sendall(head.encode() + b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\n")
            except OSError:  # the server already closed it (over the cap): one of the ways it copes
                dropped += 1

        def answered() -> bool:
            try:
                return Client(server.url).get("/", timeout=5).status == 200
            except OSError:
                return False

        wait_until(answered, 60, "the home page answered while 200 slow connections are open")
        assert server.proc.poll() is None
    finally:
        for sock in slow:
            sock.close()
        server.stop()
    output = server.output()
    assert "Traceback" not in output, output[-3000:]


def test_a_request_trickled_a_byte_at_a_time_is_dropped_at_the_deadline(tmp_path):
    import socket

    server = ServerProcess(tmp_path / "数据", "--workers", "1", "--request-timeout", "2")
    opened: list[socket.socket] = []
    try:
        head = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        head.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")  # the headers never end
        body = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        start = "POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
        body.sendall(start.encode() + b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\n")
        opened += [head, body]

        def closed_by_the_server(sock: socket.socket) -> bool:
            try:
                sock.sendall(b"x")  # one more byte, as the trickler sends (bounded by the wait's deadline)
                sock.settimeout(0.2)
                sock.recv(4096)  # the end of the connection (or an answer before it): the server is done with it
                return True
            except TimeoutError:
                return False
            except OSError:  # reset: closed
                return True

        wait_until(lambda: closed_by_the_server(head), 60, "the trickled headers dropped", poll=0.5)
        wait_until(lambda: closed_by_the_server(body), 60, "the trickled body dropped", poll=0.5)
        assert Client(server.url).get("/").status == 200
    finally:
        for sock in opened:
            sock.close()
        server.stop()
    assert "Traceback" not in server.output()


def test_the_same_log_line_is_not_written_a_thousand_times(tmp_path):
    import socket

    server = ServerProcess(tmp_path / "数据", "--workers", "1")
    try:
        for _n in range(300):  # each: uvicorn's warning “Invalid HTTP request received.”
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                sock.recv(1024)
        assert Client(server.url).get("/").status == 200
    finally:
        server.stop()
    lines = [line for line in server.lines if "Invalid HTTP request" in line]
    assert 1 <= len(lines) <= 20, len(lines)


# -- row 12: the data folder vanishing or turning read-only under the running site -------------------------


def test_a_vanished_files_folder_or_database_is_noticed_and_nothing_is_confirmed(tmp_path, clean_book):
    server = ServerProcess(tmp_path / "数据", "--workers", "1")
    try:
        admin = set_up_admin(server)
        round_id = create_round(admin, [("消失局", "部门")])
        (link,) = unit_links(admin, round_id).values()
        unit = Client(server.url)
        files, moved = server.data / "files", server.data / "files-移走"
        files.rename(moved)
        answer = unit.upload(link + "/upload", "填报表.xlsx", clean_book, link)
        assert answer.status == 503 and "不见了" in unescape(answer.text) and "没有保存" in unescape(answer.text)
        moved.rename(files)  # put back: the site works again
        assert unit.upload(link + "/upload", "填报表.xlsx", clean_book, link).status == 303

        for suffix in ("", "-wal", "-shm"):  # the database deleted while the site runs
            (server.data / f"xlrep.sqlite3{suffix}").unlink(missing_ok=True)
        submit = unit.post(link + "/submit", {"version": "1"}, form_page=link)
        assert submit.status == 503 and "不见了" in unescape(submit.text), submit.text
        again = unit.upload(link + "/upload", "填报表.xlsx", clean_book, link)
        assert again.status == 503 and "没有保存" in unescape(again.text)
    finally:
        server.stop()
    assert "Traceback" not in server.output()


def test_a_data_folder_turned_read_only_under_the_site_refuses_changes(tmp_path, clean_book):
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("remounting a folder read-only needs root (the start-up case is tested without)")
    data = tmp_path / "数据"
    server = ServerProcess(data, "--workers", "1")
    mounted = False
    try:
        admin = set_up_admin(server)
        round_id = create_round(admin, [("只读局", "部门")])
        (link,) = unit_links(admin, round_id).values()
        # the folder made read-only in place (a bind mount remounted read-only), files open or not
        done = subprocess.run(["mount", "--bind", str(data), str(data)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot bind-mount here: {done.stderr.decode(errors='replace')}")
        mounted = True
        subprocess.run(["mount", "-o", "remount,bind,ro", str(data)], check=True, capture_output=True)
        unit = Client(server.url)
        answer = unit.upload(link + "/upload", "填报表.xlsx", clean_book, link)
        text = unescape(answer.text)
        assert answer.status == 503 and "只读" in text and "没有保存" in text, text
    finally:
        server.stop()
        if mounted:
            subprocess.run(["umount", "-l", str(data)], capture_output=True)
    assert "Traceback" not in server.output()
    with sqlite3.connect(f"file:{data / 'xlrep.sqlite3'}?mode=ro", uri=True) as db:
        assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0


def test_the_summary_of_more_units_than_one_clients_share_is_not_throttled(tough, tmp_path):
    server, admin = tough
    names = [f"汇总{i}局" for i in range(6)]  # more than the 3 audits one client may have waiting
    round_id = create_round(admin, [(n, "部门") for n in names])
    for name, link in unit_links(admin, round_id).items():
        unit = Client(server.url)
        assert unit.upload(link + "/upload", "填报表.xlsx", _book_of(tmp_path, name), link).status == 303
        assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
    answer = admin.get(f"/admin/rounds/{round_id}/summary.xlsx?include=submitted")
    assert answer.status == 200, unescape(answer.text)
    assert answer.body[:2] == b"PK"
