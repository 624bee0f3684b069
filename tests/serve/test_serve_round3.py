"""``xlrep serve`` under hostile use (issue 22): atomic login throttle, decisions bound to a version, a damaged or
vanished data folder, audits killed at their budget, upload floods, slow connections.

One server for the module (``tough``), started with low limits so that the tests reach them with few requests;
attackers connect from other loopback addresses (127.0.0.2, …) so that the office's own client (127.0.0.1) is
never the one throttled. Every load loop is bounded in count, every wait is for a condition with a deadline.
"""

from __future__ import annotations

import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from serve_support import Client, ServerProcess, set_up_admin, unescape

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
