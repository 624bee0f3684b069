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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from filling import clean_values, fill_workbook
from serve_support import Client, ServerProcess, create_round, set_up_admin, unescape, unit_links

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


def _events(data: Path, action: str, ip: str) -> int:
    with sqlite3.connect(f"file:{data / 'xlrep.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE action = ? AND ip = ?", (action, ip)).fetchone()[0]


# -- row 3: the login throttle is checked and counted before any hash -----------------------------------


def test_150_parallel_wrong_passwords_then_the_right_one_do_not_sign_in(tough):
    server, admin = tough
    attacker = "127.0.0.3"

    def guess(n: int) -> int:
        client = Client(server.url, source=attacker)
        return client.post("/admin/login", {"password": f"猜测{n}"}, form_page="/admin/login").status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(guess, range(150)))
    assert statuses.count(401) == 5 and statuses.count(429) == 145, statuses
    right = Client(server.url, source=attacker)
    answer = right.post("/admin/login", {"password": TOUGH_PASSWORD}, form_page="/admin/login")
    assert answer.status == 429 and "分钟后再试" in unescape(answer.text)
    assert "xlrep_session" not in right.cookies
    assert _events(server.data, "login_failed", attacker) == 5  # five hashes computed, not 150
    assert _events(server.data, "login", attacker) == 0
    assert admin.get("/admin").status == 200  # the office, from another address, is not locked out


# -- row 4: a decision names the version it was made on ---------------------------------------------------


def test_a_decision_made_on_an_old_version_is_refused(tough, clean_book):
    server, admin = tough
    round_id = create_round(admin, [("审核局", "部门")])
    (link,) = unit_links(admin, round_id).values()
    unit = Client(server.url)
    assert unit.upload(link + "/upload", "第一版.xlsx", clean_book, link).status == 303
    assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
    unit_id = re.search(r'/units/(\d+)">审核局<', admin.get(f"/admin/rounds/{round_id}").text).group(1)
    path = f"/admin/rounds/{round_id}/units/{unit_id}"
    first_tab = admin.get(path).text  # the page the office keeps open on version 1
    assert re.search(r'name="version" value="1"', first_tab)

    # in another tab version 1 is returned; the unit uploads and submits version 2
    returned = admin.post(path + "/decide", {"action": "return", "comment": "请改", "version": "1"}, form_page=path)
    assert returned.status == 303 and "error" not in returned.location
    assert unit.upload(link + "/upload", "第二版.xlsx", clean_book, link).status == 303
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
