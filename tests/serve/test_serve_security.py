"""``xlrep serve`` against hostile input and misuse: markup in workbooks, forged forms, other units' links,
password guessing, oversized and malicious files, and the JSON API against ``xlrep ingest --json``."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest
from filling import clean_values, fill_workbook
from serve_support import Client, ServerProcess, create_round, set_up_admin, sign_in, unescape, unit_links

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bad_inputs  # noqa: E402  (tests/bad_inputs.py: how the bombs and the encrypted file are built)

HOSTILE_SENTENCE = (
    '<script>document.title="XSS"</script><img src=x onerror="document.title=\'XSS\'">'
    "本机关共收到政府信息公开申请9999件。"
)


def _workbook(folder: Path, name: str, org: str = "某局", **values) -> Path:
    filled = clean_values("2021", 2021)
    filled["info.org_name"] = org
    filled.update(values)
    return fill_workbook(folder / name, "2021", 2021, filled)


def _round(site, *names: str) -> tuple[int, dict[str, str]]:
    round_id = create_round(site.admin, [(n, "部门") for n in names])
    return round_id, unit_links(site.admin, round_id)


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text


# -- untrusted text stays text ---------------------------------------------------------------------


@pytest.mark.browser
def test_markup_in_a_workbook_and_in_unit_names_is_shown_as_text(site, page, tmp_path):
    path = _workbook(tmp_path, "恶意.xlsx", **{"s1.on_request": HOSTILE_SENTENCE})
    page.goto(site.url + "/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('开始校验')")
    page.wait_for_selector(".verdict-word")
    finding = page.locator(".finding", has_text="TEXT-NUMBER")
    assert '<script>document.title="XSS"</script><img src=x onerror=' in finding.inner_text()
    assert page.locator("main script, main img").count() == 0
    assert page.title() != "XSS" and page.evaluate("document.title") != "XSS"

    # stored: a unit named with markup uploads it; the office's pages show both as text
    name = "<img src=x onerror=alert(1)>局"
    round_id, links = _round(site, name.replace(" ", "\u3000"))
    ((unit_name, link),) = links.items()
    unit = site.client()
    assert unit.upload(link + "/upload", "恶意.xlsx", path.read_bytes(), link).status == 303
    page.goto(site.url + "/admin/login?next=/admin/rounds/" + str(round_id))
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", site.password)
    page.click("button:has-text('登录')")
    page.wait_for_selector("table.units")
    assert unit_name in page.inner_text("table.units")
    assert page.locator("main img").count() == 0
    page.click("table.units tbody a")
    page.wait_for_selector(".finding")
    assert "<script>document.title" in page.locator(".finding", has_text="TEXT-NUMBER").inner_text()
    assert unit_name in page.locator(".finding", has_text="ROUND-ORG-NAME").inner_text()  # as text
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("document.title") != "XSS"


def test_csv_exports_neutralise_formulas(site, tmp_path):
    round_id, links = _round(site, '=HYPERLINK("http://evil")局', "@SUM(1)局")
    for link in links.values():
        client = site.client()
        bad = _workbook(tmp_path, "x.xlsx", **{"t3.new_received.research": 1})
        assert client.upload(link + "/upload", "+cmd.xlsx", bad.read_bytes(), link).status == 303
    for path in (f"/admin/rounds/{round_id}/check.csv", f"/admin/rounds/{round_id}/links.csv"):
        text = site.admin.get(path).body.decode("utf-8-sig")
        import csv
        import io

        for row in list(csv.reader(io.StringIO(text)))[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
        assert "'=HYPERLINK" in text and "'@SUM(1)局" in text


# -- forged forms, other units, sessions -------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(site, tmp_path):
    before = site.admin.get("/admin").text.count("/admin/rounds/")
    fields = {"year": "2021", "units_text": "伪造局\t部门"}
    refused = site.admin.post("/admin/rounds/new", fields, csrf=False)
    assert refused.status == 403 and "安全校验码" in unescape(refused.text)
    wrong = site.admin.post("/admin/rounds/new", {**fields, "csrf_token": "0" * 64}, csrf=False)
    assert wrong.status == 403
    assert site.admin.get("/admin").text.count("/admin/rounds/") == before

    _, links = _round(site, "真实局")
    (link,) = links.values()
    unit = site.client()
    data = _workbook(tmp_path, "a.xlsx").read_bytes()
    assert unit.post(link + "/upload", {}, {"file": ("a.xlsx", data)}, csrf=False).status == 403
    # a token taken from another browser does not fit this browser's cookie
    other = site.client()
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', other.get(link).text).group(1)
    unit.get(link)
    assert unit.post(link + "/upload", {"csrf_token": token}, {"file": ("a.xlsx", data)}, csrf=False).status == 403
    assert "第 1 版" not in unit.get(link).text  # nothing was stored
    assert unit.upload(link + "/upload", "a.xlsx", data, link).status == 303  # with its own token it works


def test_one_units_link_never_reaches_another_units_data(site, tmp_path):
    round_id, links = _round(site, "甲单位", "乙单位")
    a, b = site.client(), site.client()
    data_a = _workbook(tmp_path, "a.xlsx", "甲单位", **{"t3.new_received.research": 5}).read_bytes()
    data_b = _workbook(tmp_path, "b.xlsx", "乙单位").read_bytes()
    assert a.upload(links["甲单位"] + "/upload", "甲的文件.xlsx", data_a, links["甲单位"]).status == 303
    assert a.upload(links["甲单位"] + "/upload", "甲的第二版.xlsx", data_a, links["甲单位"]).status == 303
    assert b.upload(links["乙单位"] + "/upload", "乙的文件.xlsx", data_b, links["乙单位"]).status == 303

    page_b = b.get(links["乙单位"]).text
    assert "甲的文件" not in page_b and "甲单位" not in page_b and "T3-IDENTITY" not in page_b
    assert b.get(links["乙单位"] + "/versions/1/file").body == data_b  # its own version 1, not 甲's
    assert b.get(links["乙单位"] + "/versions/2/file").status == 404  # 甲 has a version 2; 乙 has none
    assert b.get(links["乙单位"] + "/versions/2/annotated.xlsx").status == 404
    token_a = links["甲单位"].rsplit("/", 1)[1]
    for guess in (token_a[:-1] + ("A" if token_a[-1] != "A" else "B"), token_a[:20], "1"):
        answer = b.get("/u/" + guess)
        assert answer.status == 404 and "链接无效" in unescape(answer.text)
    assert b.get("/u/../admin/rounds").status == 404
    for path in (f"/admin/rounds/{round_id}", f"/admin/rounds/{round_id}/check.json", "/admin"):
        answer = b.get(path)
        assert answer.status == 303 and answer.location.startswith("/admin/login")
    # a unit cannot decide for the office, even with a valid CSRF token of its own
    unit_id = re.search(r'/units/(\d+)">乙单位<', site.admin.get(f"/admin/rounds/{round_id}").text).group(1)
    forged = b.post(f"/admin/rounds/{round_id}/units/{unit_id}/decide", {"action": "pass"}, form_page=links["乙单位"])
    assert forged.status == 403


def test_sessions_and_csrf_cookies_are_httponly_samesite_and_the_password_is_an_scrypt_hash(site):
    client = Client(site.url)
    page = client.get("/admin/login")
    assert re.search(r"xlrep_csrf=[^;]+;.*HttpOnly", page.header("set-cookie"), re.I)
    assert "samesite=strict" in page.header("set-cookie").lower()
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    from serve_support import multipart

    body, content_type = multipart(
        {"csrf_token": token, "login": "admin", "password": site.password, "next": "/admin"}, {}
    )
    answer = client.request("POST", "/admin/login", body, {"Content-Type": content_type})
    assert answer.status == 303
    cookie = answer.header("set-cookie").lower()
    assert cookie.startswith("xlrep_session=") and "httponly" in cookie and "samesite=strict" in cookie
    with sqlite3.connect(f"file:{site.data / 'xlrep.sqlite3'}?mode=ro", uri=True) as db:
        (stored,) = db.execute("SELECT password_hash FROM accounts WHERE login = 'admin'").fetchone()
        sessions = [r[0] for r in db.execute("SELECT token_hash FROM sessions")]
    assert stored.startswith("scrypt$32768$8$1$") and site.password not in stored
    assert client.cookies["xlrep_session"] not in sessions  # only the token's hash is kept


@pytest.fixture
def lonely_server(tmp_path):
    server = ServerProcess(tmp_path / "data", "--workers", "1")
    try:
        yield server
    finally:
        server.stop()


def test_wrong_admin_passwords_are_throttled_even_across_a_restart(lonely_server, tmp_path):
    set_up_admin(lonely_server, "正确的密码-123")
    client = Client(lonely_server.url)
    for attempt in range(1, 6):
        answer = client.post("/admin/login", {"login": "admin", "password": f"猜测{attempt}"}, form_page="/admin/login")
        assert answer.status == 401 and "密码不对" in unescape(answer.text)
    blocked = client.post("/admin/login", {"login": "admin", "password": "正确的密码-123"}, form_page="/admin/login")
    assert blocked.status == 429 and "分钟后再试" in unescape(blocked.text)
    assert "xlrep_session" not in client.cookies

    lonely_server.stop()
    again = ServerProcess(lonely_server.data, "--workers", "1")
    try:
        client = Client(again.url)
        still = client.post("/admin/login", {"login": "admin", "password": "正确的密码-123"}, form_page="/admin/login")
        assert still.status == 429
    finally:
        again.stop()
    with sqlite3.connect(lonely_server.data / "xlrep.sqlite3") as db:
        actions = [r[0] for r in db.execute("SELECT action FROM events WHERE action LIKE 'login%'")]
    assert actions.count("login_failed") == 5 and "login" not in actions


# -- files: too big, bombs, encrypted ----------------------------------------------------------------


def test_an_oversized_upload_is_answered_413_in_chinese_everywhere(site):
    big = b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)
    client = site.client()
    api = client.post("/api/check", {}, {"file": ("大.xlsx", big)}, csrf=False)
    assert api.status == 413 and "不像是填报表" in api.json()["error"]
    page = client.post("/check", {}, {"file": ("大.xlsx", big)})
    assert page.status == 413 and "文件太大" in unescape(page.text)
    _, links = _round(site, "大文件局")
    (link,) = links.values()
    answer = client.upload(link + "/upload", "大.xlsx", big, link)
    assert answer.status == 413
    assert "第 1 版" not in client.get(link).text
    assert client.get("/").status == 200  # still serving


@pytest.mark.parametrize(
    ("case", "build"),
    [
        ("zip bomb", lambda d: bad_inputs._bomb(d, honest=True)),
        ("lying zip bomb", lambda d: bad_inputs._bomb(d, honest=False)),
        ("encrypted", bad_inputs._encrypted),
    ],
)
def test_bombs_and_encrypted_workbooks_are_answered_with_the_clis_chinese_message(site, run, tmp_path, case, build):
    path = build(tmp_path)
    code, _, err = run("ingest", path)
    assert code == 2
    cli_message = err.strip().removeprefix("错误：")
    answer = site.client().post("/api/check", {}, {"file": (path.name, path.read_bytes())}, csrf=False)
    assert answer.status == 422 and answer.json() == {"error": cli_message}

    _, links = _round(site, f"{case}局")
    (link,) = links.values()
    unit = site.client()
    stored = unit.upload(link + "/upload", path.name, path.read_bytes(), link)
    assert stored.status == 303
    page = unescape(unit.get(stored.location.split("#")[0]).text)
    assert "无法读取" in page and cli_message in page
    _no_traceback(page)


# -- the JSON API and bad requests ------------------------------------------------------------------


def test_api_check_answers_exactly_what_ingest_json_prints(site, run, tmp_path):
    for name, values in (
        ("干净.xlsx", {}),
        ("有错误.xlsx", {"t3.new_received.research": 4, "s1.on_request": HOSTILE_SENTENCE}),
    ):
        path = _workbook(tmp_path, name, **values)
        code, out, _ = run("ingest", name, "--json")
        answer = site.client().post("/api/check", {}, {"file": (name, path.read_bytes())}, csrf=False)
        assert answer.status == 200
        assert answer.json() == json.loads(out)
        assert (code == 0) == (answer.json()["summary"]["errors"] == 0)


def test_bad_requests_get_a_chinese_page_or_json_never_a_traceback(site):
    client = site.client()
    cases = [
        ("GET", "/u/没有这个", 404, "链接"),
        ("GET", "/没有这个页面", 404, "找不到"),
        ("GET", "/api/check", 405, ""),
        ("GET", "/check/过期/report.docx", 404, "过期"),
        ("GET", "/admin/rounds/abc", 303, ""),
    ]
    for method, path, status, words in cases:
        answer = client.request(method, path)
        assert answer.status == status, (path, answer.status)
        assert words in unescape(answer.text)
        _no_traceback(answer.text)
    for path in ("/admin/rounds/abc", "/admin/rounds/99999", "/admin/rounds/1/units/99999"):
        answer = site.admin.get(path)
        assert answer.status == 404 and "没有这个" in unescape(answer.text)
    no_file = client.post("/api/check", {"x": "1"}, csrf=False)
    assert no_file.status == 400 and "选择" in no_file.json()["error"]
    garbage = client.request("POST", "/api/check", b"\x00\x01", {"Content-Type": "multipart/form-data; boundary=x"})
    assert garbage.status == 400 and garbage.json()["error"]
    not_a_form = client.request("POST", "/check", b"{}", {"Content-Type": "application/json"})
    assert not_a_form.status == 400 and "表单" in unescape(not_a_form.text)
    for answer in (no_file, garbage, not_a_form):
        _no_traceback(answer.text)


def test_every_response_carries_the_security_headers(site):
    client = site.client()
    for answer in (
        client.get("/"),
        client.get("/static/style.css"),
        client.get("/没有"),
        client.post("/api/check", {}, {"file": ("x.xlsx", b"not a workbook")}, csrf=False),
    ):
        csp = answer.header("content-security-policy")
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.header("x-content-type-options") == "nosniff"
        assert answer.header("referrer-policy") == "no-referrer"
    page = client.get("/").text
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from outside this machine


def test_a_copy_of_the_signin_is_not_needed_twice(site):
    setup_path = "/setup/" + site.server.setup_url.rsplit("/", 1)[1]
    answer = Client(site.url).get(setup_path)
    assert answer.status == 404 and "已经设置过" in unescape(answer.text)
    assert sign_in(site.server, site.password).get("/admin").status == 200


def test_https_with_certfile_and_keyfile_and_secure_cookies(tmp_path):
    import shutil
    import ssl
    import subprocess
    import urllib.request

    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed to make a test certificate"
    cert, key = tmp_path / "证书.pem", tmp_path / "私钥.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            key,
            "-out",
            cert,
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = ServerProcess(tmp_path / "data", "--certfile", str(cert), "--keyfile", str(key), "--workers", "1")
    try:
        assert server.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(server.url + "/admin/login", context=context, timeout=60) as response:
            assert response.status == 200
            assert "政务公开办登录" in response.read().decode("utf-8")
            cookie = response.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
    finally:
        server.stop()


def test_a_forgotten_password_is_reset_from_the_command_line_and_nothing_else_changes(tmp_path):
    """`xlrep serve --reset-password`: the old password and its sessions stop working, the terminal offers the
    first sign-in link again, the rounds stay; before a password is set, login says so and counts nothing."""
    first = ServerProcess(tmp_path / "数据", "--workers", "1")
    try:
        admin = set_up_admin(first, "旧密码-12345678")
        round_id = create_round(admin, [("甲局", "部门")], year=2025)
    finally:
        first.stop()
    again = ServerProcess(tmp_path / "数据", "--workers", "1", "--reset-password")
    try:
        assert "已清除管理员密码" in again.output() and again.setup_url, again.output()
        old_browser = Client(again.url)
        old_browser.cookies.update(admin.cookies)  # signed in before the reset
        assert old_browser.get("/admin").status == 303  # sent to the login page
        client = Client(again.url)
        for _ in range(8):  # more than the 5 a guesser gets: nothing to guess, nothing counted
            answer = client.post(
                "/admin/login", {"login": "admin", "password": "旧密码-12345678"}, form_page="/admin/login"
            )
            assert answer.status == 409 and "还没有设置管理员账号" in unescape(answer.text)
        fresh = set_up_admin(again, "新密码-12345678")
        assert "甲局" in unescape(fresh.get(f"/admin/rounds/{round_id}").text)  # the round is still there
    finally:
        again.stop()
    with sqlite3.connect(tmp_path / "数据" / "xlrep.sqlite3") as db:
        actions = [r[0] for r in db.execute("SELECT action FROM events ORDER BY id")]
    assert "reset_password" in actions and "login_failed" not in actions


def test_a_message_in_an_admin_address_is_shown_only_when_the_site_wrote_it(site):
    round_id = create_round(site.admin, [("消息局", "部门")], year=2025)
    spoofed = site.admin.get(f"/admin/rounds/{round_id}?notice=系统升级：请把管理员密码发到某邮箱")
    assert spoofed.status == 200 and "系统升级" not in unescape(spoofed.text)
    path = f"/admin/rounds/{round_id}"
    moved = site.admin.post(path + "/deadline", {"deadline": "2030-01-31", "reason": "统一延期"}, form_page=path)
    assert moved.status == 303 and "sig=" in moved.location
    assert "截止日期已改为 2030-01-31" in unescape(site.admin.get(moved.location).text)


def test_a_second_site_on_the_same_data_folder_is_refused_and_changes_nothing(lonely_server):
    import subprocess

    before = (lonely_server.data / "xlrep.sqlite3").read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "xlrep",
            "serve",
            "--data",
            str(lonely_server.data),
            "--port",
            "0",
            "--no-browser",
            "--reset-password",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"), PYTHONIOENCODING="utf-8"),
    )
    assert proc.returncode == 2 and "正被另一个 xlrep serve 使用" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (lonely_server.data / "xlrep.sqlite3").read_bytes() == before  # no reset, no upgrade
