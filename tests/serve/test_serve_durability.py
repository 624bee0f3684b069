"""Nothing is lost: concurrent uploads, a server killed with SIGKILL mid-upload, a restart, a copied data folder."""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from filling import clean_values, fill_workbook
from serve_support import Client, ServerProcess, create_round, set_up_admin, sign_in, unit_links

UNITS = 20


def _workbooks(folder: Path) -> dict[str, bytes]:
    clean = clean_values("2021", 2021)
    broken = dict(clean, **{"t3.new_received.research": clean["t3.new_received.research"] + 2})
    return {
        "clean": fill_workbook(folder / "clean.xlsx", "2021", 2021, clean).read_bytes(),
        "broken": fill_workbook(folder / "broken.xlsx", "2021", 2021, broken).read_bytes(),
    }


def _versions(data: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(f"file:{data / 'xlrep.sqlite3'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return db.execute(
            "SELECT u.token, u.name, v.number, v.sha256, v.audited_at, v.errors, v.audit_json FROM versions v"
            " JOIN units u ON u.id = v.unit_id ORDER BY u.name, v.number"
        ).fetchall()


def _integrity(data: Path) -> str:
    with sqlite3.connect(data / "xlrep.sqlite3") as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def _upload(url: str, link: str, name: str, data: bytes):
    client = Client(url)
    answer = client.upload(link + "/upload", name, data, link)
    return answer


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("busy")
    server = ServerProcess(folder / "data")
    try:
        admin = set_up_admin(server)
        round_id = create_round(admin, [(f"第{i:02d}单位", "部门") for i in range(1, UNITS + 1)])
        yield server, admin, round_id, unit_links(admin, round_id), _workbooks(folder)
    finally:
        server.stop()


def test_forty_concurrent_uploads_from_twenty_units_are_all_stored_and_audited(busy):
    server, _, _, links, books = busy
    jobs = [(link, kind) for link in links.values() for kind in ("broken", "clean")]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(lambda job: _upload(server.url, job[0], f"{job[1]}.xlsx", books[job[1]]), jobs))
    assert [a.status for a in answers] == [303] * len(jobs), [a.text[-300:] for a in answers if a.status != 303]
    rows = _versions(server.data)
    assert len(rows) == 2 * UNITS
    by_unit: dict[str, list] = {}
    for row in rows:
        by_unit.setdefault(row["name"], []).append(row)
    assert len(by_unit) == UNITS
    sha = {kind: hashlib.sha256(data).hexdigest() for kind, data in books.items()}
    for name, versions in by_unit.items():
        assert [v["number"] for v in versions] == [1, 2], name
        assert sorted(v["sha256"] for v in versions) == sorted(sha.values())
        for v in versions:
            assert v["audited_at"] is not None
            # the workbook's own errors (one shared file for every unit: its 机关名称 is none of theirs, ROUND-ORG-NAME)
            own = [f for f in json.loads(v["audit_json"])["findings"] if not f["rule"].startswith("ROUND-")]
            assert any(f["severity"] == "error" for f in own) == (v["sha256"] == sha["broken"])
            assert v["errors"] > 0
    for digest in sha.values():
        assert hashlib.sha256((server.data / "files" / digest[:2] / digest).read_bytes()).hexdigest() == digest
    assert _integrity(server.data) == "ok"


def test_a_copied_data_folder_serves_the_same_collection(busy, tmp_path):
    server, admin, round_id, links, books = busy
    before = admin.get(f"/admin/rounds/{round_id}").text
    copy = tmp_path / "复制的数据"
    with sqlite3.connect(server.data / "xlrep.sqlite3") as db:  # a consistent copy while the site runs
        db.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copytree(server.data, copy)
    other = ServerProcess(copy)
    try:
        assert other.setup_url is None  # the password came along
        office = sign_in(other)
        after = office.get(f"/admin/rounds/{round_id}").text
        assert after.count("有错误") == before.count("有错误") and "第20单位" in after
        link = next(iter(links.values()))
        unit = Client(other.url)
        assert unit.get(link + "/versions/2/file").status == 200
        assert unit.get(link).status == 200
    finally:
        other.stop()


def test_a_server_killed_during_uploads_keeps_every_answered_upload(tmp_path):
    books = _workbooks(tmp_path)
    server = ServerProcess(tmp_path / "data")
    admin = set_up_admin(server)
    round_id = create_round(admin, [(f"单位{i}", "部门") for i in range(1, 11)])
    links = list(unit_links(admin, round_id).values())
    answered: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def uploader(worker: int) -> None:
        for n in range(12):  # bounded: at most 12 uploads per thread
            if stop.is_set():
                return
            link = links[(worker + n) % len(links)]
            kind = "clean" if (worker + n) % 2 else "broken"
            try:
                answer = _upload(server.url, link, f"{kind}.xlsx", books[kind])
            except (OSError, http.client.HTTPException):
                return  # the server is gone (killed mid-answer: a reset, or an answer cut short)
            if answer.status == 303:
                number = int(answer.location.split("v=")[1].split("#")[0])
                with lock:
                    answered.append((link, number, hashlib.sha256(books[kind]).hexdigest()))

    threads = [threading.Thread(target=uploader, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(answered) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers_ended = server.kill()  # SIGKILL: no shutdown, mid-request
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert len(answered) >= 12, server.output()
    assert workers_ended, "the audit workers outlived the killed server"

    restarted = ServerProcess(tmp_path / "data")
    try:
        client = Client(restarted.url)
        for link, number, digest in answered:
            got = client.get(f"{link}/versions/{number}/file")
            assert got.status == 200 and hashlib.sha256(got.body).hexdigest() == digest
        deadline = time.monotonic() + 120  # uploads whose audit the kill cut off are audited after the restart
        while any(r["audited_at"] is None for r in _versions(restarted.data)) and time.monotonic() < deadline:
            time.sleep(0.2)
        rows = _versions(restarted.data)
        assert rows and all(r["audited_at"] is not None for r in rows)
        stored = {(r["token"], r["number"]) for r in rows}
        assert {(link.rsplit("/", 1)[1], number) for link, number, _ in answered} <= stored
    finally:
        restarted.stop()
    assert _integrity(tmp_path / "data") == "ok"


def test_an_upload_whose_audit_was_cut_off_is_audited_when_the_site_starts_again(tmp_path):
    from xlrep.serve.storage import Store

    data = _workbooks(tmp_path)["broken"]
    store = Store(tmp_path / "data")  # as the site left it: the upload recorded, its audit never stored
    round_id = store.create_round(
        year=2021,
        edition="2021",
        title="测试",
        deadline=None,
        previous_id=None,
        summary_org=None,
        summary_org_type=None,
        units=[("中断局", "县级以上人民政府部门")],
        ip=None,
    )
    unit = store.units(round_id)[0]
    digest = store.put_blob(data)
    store.add_version(unit, sha256=digest, filename="中断.xlsx", size=len(data), ip=None)
    store.close()
    assert [r["audited_at"] for r in _versions(tmp_path / "data")] == [None]
    server = ServerProcess(tmp_path / "data")
    try:
        deadline = time.monotonic() + 60
        while _versions(tmp_path / "data")[0]["audited_at"] is None and time.monotonic() < deadline:
            time.sleep(0.1)
        (row,) = _versions(tmp_path / "data")
        assert row["audited_at"] is not None and row["errors"] > 0
        page = Client(server.url).get(f"/u/{unit.token}").text
        assert "T3-IDENTITY" in page and "中断.xlsx" in page
    finally:
        server.stop()


def test_a_server_killed_right_after_a_report_a_return_or_a_deadline_change_keeps_each(tmp_path):
    """SIGKILL the moment each answer arrives (no shutdown): after a restart, the 上报, the 退回 with its comment and
    the new deadline are all there — an answered step is on disk."""
    import re

    values = clean_values("2021", 2021, seed=4)
    values["info.org_name"] = "留存局"
    data = fill_workbook(tmp_path / "留存局.xlsx", "2021", 2021, values).read_bytes()
    server = ServerProcess(tmp_path / "data")
    admin = set_up_admin(server)
    round_id = create_round(admin, [("留存局", "部门")], year=2021)
    (link,) = unit_links(admin, round_id).values()
    assert _upload(server.url, link, "留存局.xlsx", data).status == 303
    unit = Client(server.url)
    assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
    server.kill()

    def again():
        restarted = ServerProcess(tmp_path / "data")
        return restarted, sign_in(restarted)

    server, admin = again()
    office = f"/admin/rounds/{round_id}/units/" + re.search(
        r'/units/(\d+)">留存局<', admin.get(f"/admin/rounds/{round_id}").text
    ).group(1)
    assert "已上报" in admin.get(office).text
    answer = admin.post(
        office + "/decide", {"action": "return", "comment": "请核实表三", "version": "1"}, form_page=office
    )
    assert answer.status == 303
    server.kill()

    server, admin = again()
    page = admin.get(office).text
    assert "已退回" in page and "请核实表三" in page
    path = f"/admin/rounds/{round_id}"
    moved = {"deadline": "2030-01-31", "reason": "统一延期"}
    assert admin.post(path + "/deadline", moved, form_page=path).status == 303
    server.kill()

    server, admin = again()
    try:
        assert "2030-01-31" in admin.get(path).text and "统一延期" in admin.get(path + "/events").text
    finally:
        server.stop()
    assert _integrity(tmp_path / "data") == "ok"
