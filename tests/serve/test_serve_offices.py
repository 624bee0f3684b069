"""Offices as a tree, people as accounts (issue 18, part 1): a 省 creates a 市 with its 管理员, the 市 two 县; each
account sees and acts on its office and the ones below, never a sibling's or a parent's — every admin route of
the application's route table is tried across offices — a 审核人 reviews but manages nothing, and the log names
the person."""

from __future__ import annotations

import re

import pytest
from filling import clean_values, fill_workbook
from serve_support import Client, ServerProcess, add_office, create_round, set_up_admin, sign_in, unescape, unit_links

YEAR = 2025
PASSWORD = "机构测试-12345678"


def _admin_routes(tmp_path) -> list:
    """Every route under /admin of the application ``create_app`` builds, from its route table (so a route added
    later is tried too)."""
    from starlette.routing import Route

    from xlrep.serve.app import create_app
    from xlrep.serve.storage import Store

    store = Store(tmp_path / "routes")
    try:
        app = create_app(tmp_path / "routes", store=store, workers=1)
        table = app.app.routes  # (``SecurityHeaders`` around the Starlette application)
    finally:
        store.close()
    routes = [r for r in table if isinstance(r, Route) and r.path.startswith("/admin")]
    for route in routes:  # a new kind of address needs its own cross-office check here
        params = set(route.param_convertors)
        assert params <= ROUND_PARAMS or params <= PEOPLE_PARAMS, route.path
    return routes


ROUND_PARAMS = {"round_id", "unit_id", "number", "kind"}  # a round's pages, its units', versions' and downloads
PEOPLE_PARAMS = {"office_id", "account_id"}  # an office's 机构与账号, an account's 停用/启用/删除/重设密码


def _add_office(admin: Client, name: str, level: str, login: str) -> None:
    add_office(admin, name, level, login, PASSWORD)


def _add_account(admin: Client, name: str, login: str, role: str) -> None:
    fields = {"action": "account", "name": name, "login": login, "role": role, "password": PASSWORD, "repeat": PASSWORD}
    answer = admin.post("/admin/offices", fields, form_page="/admin/offices")
    assert answer.status == 303, unescape(answer.text)


def _workbook(tmp_path, name: str):
    values = clean_values("2021", YEAR, seed=7)
    values["info.org_name"] = name
    return fill_workbook(tmp_path / f"{name}.xlsx", "2021", YEAR, values).read_bytes()


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """省 → 市 → 县A, 县B; each 县 a round with one unit that uploaded once."""
    root = tmp_path_factory.mktemp("offices")
    server = ServerProcess(root / "data", "--workers", "1", "--api-per-minute", "1000")
    try:
        province = set_up_admin(server, PASSWORD, office_name="某省政务公开办", level="省", login="sheng")
        _add_office(province, "某市政务公开办", "市", "shi")
        city = sign_in(server, PASSWORD, login="shi")
        _add_office(city, "甲县政务公开办", "县", "xian-a")
        _add_office(city, "乙县政务公开办", "县", "xian-b")
        counties = {k: sign_in(server, PASSWORD, login=f"xian-{k}") for k in ("a", "b")}
        rounds, units = {}, {}
        for key, client in (("省", province), ("市", city), *counties.items()):
            name = f"{key}属局"
            rounds[key] = create_round(client, [(name, "部门")], year=YEAR)
            path = unit_links(client, rounds[key])[name]
            for _ in range(2):  # (two versions: the comparison has something to compare)
                data = _workbook(root, name)
                answer = Client(server.url).upload(path + "/upload", f"{name}.xlsx", data, form_page=path)
                assert answer.status in (200, 303), unescape(answer.text)
            page = client.get(f"/admin/rounds/{rounds[key]}")
            units[key] = int(re.search(rf'/admin/rounds/{rounds[key]}/units/(\d+)"', page.text).group(1))
        yield server, {"省": province, "市": city, **counties}, rounds, units
    finally:
        server.stop()


def _path(route, round_id: int, unit_id: int) -> str:
    kind = "csv" if route.path.endswith("check.{kind}") else "file"  # (a table, or a version's file)
    values = {"round_id": round_id, "unit_id": unit_id, "number": 2, "kind": kind}
    path = route.path
    for name in route.param_convertors:
        assert name in values, f"{route.path}: a route with {{{name}}} has no cross-office check in this test"
        path = path.replace("{" + name + "}", str(values[name]))
    return path


def _try(client: Client, route, path: str, form_page: str):
    if "GET" in (route.methods or ()):
        return client.get(path)
    fields = {"action": "pass", "version": "2", "reason": "试", "deadline": "", "index": "0"}
    return client.post(path, fields, form_page=form_page)


def test_every_admin_route_answers_404_for_a_sibling_office_and_works_for_its_own(tree, tmp_path):
    server, clients, rounds, units = tree
    routes = [r for r in _admin_routes(tmp_path) if set(r.param_convertors) & ROUND_PARAMS]
    assert all("round_id" in r.param_convertors for r in routes)  # (the others show the account's own office)
    assert len(routes) >= 20  # (the round's pages, its units', versions' and downloads)
    other = clients["a"]
    before = unescape(clients["b"].get(f"/admin/rounds/{rounds['b']}/events").text)
    for route in routes:
        path = _path(route, rounds["b"], units["b"])
        answer = _try(other, route, path, form_page="/admin")
        assert answer.status == 404 and "没有这个收集" in unescape(answer.text), (route.path, answer.status)
        assert "乙县" not in unescape(answer.text) and "b属局" not in unescape(answer.text)
        # and the parent's round: as unknown as the sibling's
        up = _try(other, route, _path(route, rounds["市"], units["市"]), form_page="/admin")
        assert up.status == 404, (route.path, up.status)
    # nothing was done to 乙县's round by all those posts
    assert unescape(clients["b"].get(f"/admin/rounds/{rounds['b']}/events").text) == before
    # the same routes work for the office's own account and for the offices above it (archive last: read-only after)
    for route in sorted(routes, key=lambda r: r.path.endswith("/archive")):
        for viewer in ("b", "市", "省"):
            path = _path(route, rounds["b"], units["b"])
            page = f"/admin/rounds/{rounds['b']}"
            answer = _try(clients[viewer], route, path, form_page=page)
            assert answer.status != 404, (viewer, route.path, unescape(answer.text)[:300])


def test_an_account_lists_the_rounds_of_its_office_and_below_only(tree):
    _, clients, rounds, _ = tree
    listed = {
        k: set(map(int, re.findall(r'href="/admin/rounds/(\d+)"', c.get("/admin").text))) for k, c in clients.items()
    }
    assert listed["省"] == set(rounds.values())
    assert listed["市"] == {rounds["市"], rounds["a"], rounds["b"]}
    assert listed["a"] == {rounds["a"]} and listed["b"] == {rounds["b"]}
    offices = unescape(clients["市"].get("/admin/offices").text)
    assert "甲县政务公开办" in offices and "乙县政务公开办" in offices and "某省政务公开办" in offices  # (its parent)
    assert set(_accounts_on(clients["市"], "/admin/offices")) == {"shi"}  # (its own; those below: on their pages)
    assert "乙县" not in unescape(clients["a"].get("/admin/offices").text)
    fields = {"action": "edit", "own_office_name": "某市人民政府办公室", "own_level": "市"}
    edited = clients["市"].post("/admin/offices", fields, form_page="/admin/offices")
    assert edited.status == 303 and "某市人民政府办公室" in unescape(clients["市"].get(edited.location).text)
    fields["own_level"] = "县"  # below its own 县: refused, said why
    refused = clients["市"].post("/admin/offices", fields, form_page="/admin/offices")
    assert refused.status == 400 and "须高于它的下级机构" in unescape(refused.text)


def test_a_reviewer_reviews_but_manages_nothing_and_the_log_names_the_person(tree, tmp_path):
    server, clients, rounds, units = tree
    _add_account(clients["a"], "张审核", "zhang", "审核人")
    reviewer = sign_in(server, PASSWORD, login="zhang")
    page = f"/admin/rounds/{rounds['a']}"
    assert reviewer.get(page).status == 200
    for path, fields in (
        ("/admin/offices", {"action": "account", "name": "x", "login": "xx", "password": PASSWORD, "repeat": PASSWORD}),
        (f"{page}/deadline", {"deadline": "2030-01-01", "reason": "试"}),
        (f"{page}/archive", {}),
        (f"{page}/units", {"units_text": "新局\t部门"}),
        (f"{page}/units/{units['a']}/rename", {"name": "改名局"}),
        ("/admin/rounds/new", {"year": str(YEAR), "units_text": "新局\t部门"}),
    ):
        answer = reviewer.post(path, fields, form_page=page)
        assert answer.status == 403 and "审核人" in unescape(answer.text), path
    assert reviewer.get("/admin/offices").status == 403
    shown = unescape(reviewer.get(page).text) + unescape(reviewer.get(f"{page}/units/{units['a']}").text)
    assert "归档本次收集" not in shown and "单位管理" not in shown and "机构与账号" not in shown  # (not offered)
    assert "归档本次收集" in unescape(clients["a"].get(page).text)
    # the 管理员's change and the 审核人's review are logged with their names
    moved = clients["a"].post(f"{page}/deadline", {"deadline": "2030-01-31", "reason": "统一延期"}, form_page=page)
    assert moved.status == 303
    link = unit_links(clients["a"], rounds["a"])["a属局"]
    submitted = Client(server.url).post(
        link + "/submit", {"version": "2", "explain-all": "经核实无误。"}, form_page=link
    )
    assert submitted.status == 303, unescape(submitted.text)
    unit_page = f"{page}/units/{units['a']}"
    passed = reviewer.post(f"{unit_page}/decide", {"action": "pass", "version": "2"}, form_page=unit_page)
    assert passed.status == 303 and "error" not in passed.location
    log = unescape(clients["a"].get(f"{page}/events").text)
    assert re.search(r"<td>甲县政务公开办的管理员</td><td>修改截止日期</td>", log), log
    assert re.search(r"<td>张审核</td><td>审核通过</td>", log), log
    # a step logged under the unit's name names the person too
    renamed = clients["a"].post(f"{unit_page}/rename", {"name": "甲县某局"}, form_page=unit_page)
    assert renamed.status == 303
    log = unescape(clients["a"].get(f"{page}/events").text)
    assert "<td>甲县某局（操作人：甲县政务公开办的管理员）</td><td>单位改名</td>" in log


def _accounts_on(client: Client, path: str) -> dict[str, tuple[str, int | None]]:
    """The accounts an office's page lists: login → (state, id for its buttons; None: the viewer's own row)."""
    page = client.get(path)
    assert page.status == 200, (path, page.status)
    found = {}
    for login, row in re.findall(r'<tr data-login="([^"]+)">(.*?)</tr>', page.text, re.S):
        state = re.search(r'<span class="status [\w-]+">(\S+?)</span>', row).group(1)
        ids = set(re.findall(r'action="/admin/accounts/(\d+)/', row))
        assert len(ids) <= 1
        found[login] = (state, int(ids.pop()) if ids else None)
    return found


def _message(client: Client, answer) -> str:
    assert answer.status == 303, unescape(answer.text)[:300]
    return unescape(client.get(answer.location).text)


def test_an_upper_office_manages_the_accounts_below_never_a_siblings_or_a_parents(tree, tmp_path):
    """The 管理员 of a 省 or 市 opens each office below from its 机构与账号 and 停用s, 启用s, deletes and resets the
    accounts there (two levels down too); a 县's 管理员 gets 404 for its sibling's and its parent's office and
    accounts, whatever route of the table it tries, and changes nothing there."""
    server, clients, rounds, units = tree
    routes = [r for r in _admin_routes(tmp_path) if set(r.param_convertors) & PEOPLE_PARAMS]
    assert len(routes) == 5  # (an office's page; an account's 停用, 启用, 删除, 重设密码)
    below = dict(re.findall(r'<a href="/admin/offices/(\d+)">([^<]+)</a>', clients["省"].get("/admin/offices").text))
    ids = {name: int(i) for i, name in below.items()}
    city_id = next(i for name, i in ids.items() if "县" not in name)
    b_id = ids["乙县政务公开办"]
    b_accounts = _accounts_on(clients["市"], f"/admin/offices/{b_id}")
    assert b_accounts["xian-b"] == ("在用", b_accounts["xian-b"][1]) and b_accounts["xian-b"][1]
    shi_id = _accounts_on(clients["省"], f"/admin/offices/{city_id}")["shi"][1]
    intruder = {"action": "account", "name": "外来者", "login": "intruder", "role": "管理员"}
    intruder |= {
        "password": "外来密码-12345678",
        "repeat": "外来密码-12345678",
        "own_office_name": "改",
        "own_level": "县",
    }
    for route in routes:
        for office_id, account_id in ((b_id, b_accounts["xian-b"][1]), (city_id, shi_id)):  # sibling, parent
            path = route.path.replace("{office_id}", str(office_id)).replace("{account_id}", str(account_id))
            if "GET" in route.methods:
                answer = clients["a"].get(path)
            else:
                answer = clients["a"].post(path, intruder, form_page="/admin/offices")
            assert answer.status == 404, (route.path, answer.status)
            text = unescape(answer.text)
            assert "没有这个机构" in text or "没有这个账号" in text, route.path
            assert "乙县" not in text and "xian-b" not in text and "某市" not in text
    # nothing happened there: 乙县's 管理员 still signed in, no new account, the city as it was
    assert clients["b"].get("/admin").status == 200 and clients["市"].get("/admin").status == 200
    assert set(_accounts_on(clients["市"], f"/admin/offices/{b_id}")) == {"xian-b"}
    # the offices above see it (the province two levels up), linked from their own page
    for viewer in ("市", "省"):
        assert "xian-b" in _accounts_on(clients[viewer], f"/admin/offices/{b_id}")
    # the city adds a reviewer to 乙县; the province stops it: its session ends, its right password is told so
    page = f"/admin/offices/{b_id}"
    added = clients["市"].post(page, {**intruder, "login": "yi-shen", "role": "审核人"}, form_page=page)
    assert "已为“外来者”建立账号 yi-shen" in _message(clients["市"], added)
    reviewer = sign_in(server, "外来密码-12345678", login="yi-shen")
    shen_id = _accounts_on(clients["省"], page)["yi-shen"][1]
    stopped = clients["省"].post(f"/admin/accounts/{shen_id}/disable", form_page=page)
    assert stopped.location.startswith(page + "?") and "已停用“外来者”" in _message(clients["省"], stopped)
    assert _accounts_on(clients["市"], page)["yi-shen"][0] == "已停用"
    assert reviewer.get("/admin").status == 303  # (to the login page: signed out at once)
    fields = {"login": "yi-shen", "password": "外来密码-12345678"}
    refused = Client(server.url).post("/admin/login", fields, form_page="/admin/login")
    assert refused.status == 403 and "账号已停用，请联系本机构管理员" in unescape(refused.text)
    wrong = Client(server.url).post("/admin/login", {**fields, "password": "猜错的密码-1"}, form_page="/admin/login")
    assert wrong.status == 401 and "停用" not in unescape(wrong.text)  # (a guess learns nothing about the account)
    enabled = clients["市"].post(f"/admin/accounts/{shen_id}/enable", form_page=page)
    assert "已启用“外来者”" in _message(clients["市"], enabled)
    again = sign_in(server, "外来密码-12345678", login="yi-shen")
    assert again.get("/admin").status == 200
    for action in ("disable", "delete", "password"):  # a 审核人 manages no account, not even in its own office
        answer = again.post(f"/admin/accounts/{b_accounts['xian-b'][1]}/{action}", form_page="/admin")
        assert answer.status == 403 and "审核人" in unescape(answer.text)
    assert again.get(page).status == 403
    # it acted (it signed in): 删除 keeps it, disabled; a new one that never acted is deleted
    assert f"/admin/accounts/{shen_id}/delete" not in clients["市"].get(page).text  # (not offered)
    kept = clients["市"].post(f"/admin/accounts/{shen_id}/delete", form_page=page)
    assert "已有操作记录，账号保留" in _message(clients["市"], kept)
    assert _accounts_on(clients["市"], page)["yi-shen"][0] == "已停用"
    clients["市"].post(page, {**intruder, "login": "yi-new", "role": "审核人"}, form_page=page)
    new_id = _accounts_on(clients["市"], page)["yi-new"][1]
    assert f"/admin/accounts/{new_id}/delete" in clients["市"].get(page).text
    for action in ("delete", "disable", "password"):  # without the page's CSRF token: nothing done
        forged = clients["市"].post(f"/admin/accounts/{new_id}/{action}", {"password": "x" * 12}, csrf=False)
        assert forged.status == 403 and "安全校验码" in unescape(forged.text)
    assert _accounts_on(clients["市"], page)["yi-new"][0] == "在用"
    gone = clients["市"].post(f"/admin/accounts/{new_id}/delete", form_page=page)
    assert "已删除“外来者”的账号 yi-new" in _message(clients["市"], gone)
    assert "yi-new" not in _accounts_on(clients["市"], page)
    # refused, said why: the only active 管理员 of an office; one's own account
    only = clients["省"].post(f"/admin/accounts/{b_accounts['xian-b'][1]}/disable", form_page=page)
    assert "唯一在用的管理员" in _message(clients["省"], only)
    own = clients["市"].post(f"/admin/accounts/{shi_id}/disable", form_page="/admin/offices")
    assert "不能停用自己的账号" in _message(clients["市"], own)
    assert clients["b"].get("/admin").status == 200 and clients["市"].get("/admin").status == 200
    # the province resets 乙县's 管理员's password: signed out; the new one works and asks for their own first
    new = "省里给的密码-123456"
    xian_b = b_accounts["xian-b"][1]
    reset = clients["省"].post(f"/admin/accounts/{xian_b}/password", {"password": new, "repeat": new}, form_page=page)
    assert "已重设“乙县政务公开办的管理员”（账号 xian-b）的密码" in _message(clients["省"], reset)
    assert _accounts_on(clients["市"], page)["xian-b"][0] == "须改密码"
    assert clients["b"].get("/admin").status == 303
    old = Client(server.url).post("/admin/login", {"login": "xian-b", "password": PASSWORD}, form_page="/admin/login")
    assert old.status == 401
    person = Client(server.url)
    signed = person.post(
        "/admin/login", {"login": "xian-b", "password": new, "next": "/admin"}, form_page="/admin/login"
    )
    assert signed.status == 303 and signed.location == "/admin/password"
    assert person.get(f"/admin/rounds/{rounds['b']}").location == "/admin/password"  # first their own password
    moved = person.post(
        f"/admin/rounds/{rounds['b']}/deadline", {"deadline": "2030-01-01", "reason": "试"}, form_page="/admin/password"
    )
    assert moved.status == 403 and "请先" in unescape(moved.text)
    assert "管理员已为您重设了密码" in unescape(person.get("/admin/password").text)
    same = person.post("/admin/password", {"current": new, "password": new, "repeat": new}, form_page="/admin/password")
    assert same.status == 400 and "不同的新密码" in unescape(same.text)
    fields = {"current": new, "password": PASSWORD, "repeat": PASSWORD}
    changed = person.post("/admin/password", fields, form_page="/admin/password")
    assert changed.status == 303 and person.get(f"/admin/rounds/{rounds['b']}").status == 200
    assert _accounts_on(clients["市"], page)["xian-b"][0] == "在用"
    clients["b"] = person
    # each 管理员's 机构与账号 shows the steps of the people of its office and below, and the steps an office above
    # took on its accounts (saying which office), naming who did what to whom
    logs = {k: unescape(clients[k].get("/admin/offices").text).split("机构与账号的操作记录", 1)[1] for k in clients}
    reset_row = (
        "<td>管理员</td><td>重设账号密码</td>"
        "<td>乙县政务公开办的管理员（账号 xian-b，管理员），由上级机构“某省政务公开办”操作</td>"
    )
    assert reset_row in logs["省"] and reset_row in logs["市"] and reset_row in logs["b"]
    added_row = (
        r"<td>新建账号</td><td>外来者（账号 yi-shen，审核人），由上级机构“某市[^”]*”操作</td>"  # (renamed or not)
    )
    assert re.search(added_row, logs["b"])
    assert "<td>修改密码</td>" in logs["b"]
    for row in re.findall(r"<tr>.*?</tr>", logs["b"]):  # what an office above did in b's log: it says so
        assert "yi-shen" not in row or "由上级机构" in row, row
    assert "乙县" not in logs["a"] and "yi-" not in logs["a"]  # (nothing of a sibling's)


def test_a_login_is_throttled_whatever_address_the_guesses_come_from(tree):
    server, *_ = tree
    from serve_support import csrf_of, multipart

    def attempt(login: str, address: str) -> int:
        client = Client(server.url)
        body, kind = multipart(
            {"login": login, "password": "猜测", "csrf_token": csrf_of(client.get("/admin/login").text)}, {}
        )
        return client.request("POST", "/admin/login", body, {"Content-Type": kind, "X-Forwarded-For": address}).status

    # (no --proxy: every guess comes from 127.0.0.1) four wrong passwords for one login; a right password of
    # another person clears the address's failures, not that login's; its fifth failure stops the login only
    for _ in range(4):
        assert attempt("xian-b", "x") == 401
    assert sign_in(server, PASSWORD, login="shi").get("/admin").status == 200
    assert attempt("xian-b", "x") == 401
    assert attempt("xian-b", "x") == 429  # the login is throttled …
    assert attempt("no-such-person", "x") == 401  # … another is not (the address has two failures)


def test_the_tree_of_offices_and_accounts_on_each_database(store):
    """Both backends: the first sign-in makes the first office and its 管理员; offices below at every depth; a login
    is one person's; a child office is of a lower level; a round belongs to the office of whoever created it."""
    from xlrep.serve.records import StateError

    assert store.needs_setup() and store.first_account() is None
    first = store.set_up("h1", None, office=("某省政务公开办", "省"), person=("省管", "sheng"))
    sheng = store.account(first)
    assert not store.needs_setup() and sheng.manager and store.first_account().id == first
    province = store.office(sheng.office_id)
    city = store.office(store.create_office(province, "某市", "市", ("市管", "shi", "h2"), by=sheng, ip=None))
    shi = store.account_by_login("shi")
    county = store.office(store.create_office(city, "某县", "县", ("县管", "xian", "h3"), by=shi, ip=None))
    other = store.create_office(city, "另一县", "区", ("区管", "qu", "h4"), by=shi, ip=None)
    assert [o.name for o in store.offices_below(province.id)] == ["某市", "某县", "另一县"]
    assert store.scope(city.id) == {city.id, county.id, other} and store.scope(county.id) == {county.id}
    with pytest.raises(StateError, match="已被使用"):
        store.add_account(county.id, "又一人", "shi", "h5", "审核人", by=shi, ip=None)
    with pytest.raises(StateError, match="级别须低于本机构"):
        store.create_office(county, "村", "区", ("村管", "cun", "h6"), by=store.account_by_login("xian"), ip=None)
    with pytest.raises(StateError, match="已经设置过了"):
        store.set_up("h7", None, office=("又一个省", "省"), person=("又一人", "again"))
    reviewer = store.account(store.add_account(county.id, "审核员", "shen", "h8", "审核人", by=shi, ip=None))
    assert not reviewer.manager and [a.login for a in store.accounts(county.id)] == ["xian", "shen"]
    xian = store.account_by_login("xian")
    round_id = store.create_round(
        year=2025,
        edition="2021",
        title="县本级",
        deadline=None,
        previous_id=None,
        summary_org=None,
        summary_org_type=None,
        units=[("某局", "部门")],
        ip=None,
        by=xian,
    )
    assert store.round(round_id).office_id == county.id
    assert [r.id for r in store.rounds(store.scope(city.id))] == [round_id] and store.rounds({other}) == []
    (event,) = [e for e in store.events(round_id=round_id) if e.action == "create_round"]
    assert event.actor == "县管" and event.account_name == "县管" and event.office_id == county.id
    # a 管理员 corrects its office's name and level, within its parent's and its children's
    with pytest.raises(StateError, match="须低于上级机构"):
        store.edit_office(city, "某市", "省", by=shi, ip=None)
    with pytest.raises(StateError, match="须高于它的下级机构"):
        store.edit_office(province, "某省", "县", by=sheng, ip=None)
    store.edit_office(county, "某区政务公开办", "区", by=xian, ip=None)
    assert (store.office(county.id).name, store.office(county.id).level) == ("某区政务公开办", "区")
    # --reset-password: the first 管理员's password only; the setup then sets it anew, nothing else
    assert store.reset_admin_password() and store.needs_setup()
    assert store.set_up("h9", None, office=("", ""), person=("", "")) == first
    assert store.account(first).password_hash == "h9" and len(store.offices_below(province.id)) == 3


def test_the_life_of_an_account_on_each_database(store):
    """Both backends: a 管理员 of an office or of one above it (any depth) 停用s, 启用s, deletes an account and sets
    its password anew; never a sibling's or a parent's, never its own; an office keeps an active 管理员; every
    session of the account ends at once; the log names who did it and to whom."""
    from xlrep.serve.records import StateError

    first = store.set_up("h1", None, office=("某省", "省"), person=("省管", "sheng"))
    sheng = store.account(first)
    province = store.office(sheng.office_id)
    city = store.office(store.create_office(province, "某市", "市", ("市管", "shi", "h2"), by=sheng, ip=None))
    shi = store.account_by_login("shi")
    county = store.office(store.create_office(city, "甲县", "县", ("县管", "xian", "h3"), by=shi, ip=None))
    sibling = store.office(store.create_office(city, "乙县", "县", ("乙县管", "yi", "h4"), by=shi, ip=None))
    xian, yi = store.account_by_login("xian"), store.account_by_login("yi")
    assert xian.state == "在用" and not xian.disabled_at and not xian.must_change_password

    # a county's 管理员 cannot touch its sibling's or its parent's accounts: as unknown as a missing one
    for target in (yi, shi, sheng):
        for act in (store.disable_account, store.enable_account, store.delete_account):
            with pytest.raises(StateError, match="没有这个账号"):
                act(target.id, by=xian, ip=None)
        with pytest.raises(StateError, match="没有这个账号"):
            store.reset_password(target.id, "x", by=xian, ip=None)
    assert store.account(yi.id).password_hash == "h4" and not store.account(yi.id).disabled_at
    # nor itself; nor leave an office without an active 管理员 (the province cannot stop the county's only one)
    with pytest.raises(StateError, match="不能停用自己"):
        store.disable_account(xian.id, by=xian, ip=None)
    with pytest.raises(StateError, match="不能删除自己"):
        store.delete_account(xian.id, by=xian, ip=None)
    with pytest.raises(StateError, match="修改密码"):
        store.reset_password(xian.id, "x", by=xian, ip=None)
    for act in (store.disable_account, store.delete_account):
        with pytest.raises(StateError, match="唯一在用的管理员"):
            act(xian.id, by=sheng, ip=None)
    # a reviewer of the county: the province's 管理员 (two levels up) stops it; its sessions end at once
    shen = store.account(store.add_account(county.id, "审核员", "shen", "h5", "审核人", by=xian, ip=None))
    store.create_session("t-shen", 3600, None, shen.id)
    store.create_session("t-xian", 3600, None, xian.id)
    assert store.session_account("t-shen").id == shen.id
    store.disable_account(shen.id, by=sheng, ip="10.0.0.9")
    assert store.session_account("t-shen") is None and store.account(shen.id).state == "已停用"
    assert store.session_account("t-xian").id == xian.id  # (the others' stay)
    with pytest.raises(StateError, match="已经停用"):
        store.disable_account(shen.id, by=shi, ip=None)
    store.enable_account(shen.id, by=shi, ip=None)
    assert store.account(shen.id).state == "在用" and store.account(shen.id).password_hash == "h5"
    with pytest.raises(StateError, match="无需启用"):
        store.enable_account(shen.id, by=shi, ip=None)
    # the province resets the county 管理员's password: signed out everywhere, to change it at the next sign-in
    store.reset_password(xian.id, "h6", by=sheng, ip=None)
    reset = store.account(xian.id)
    assert reset.password_hash == "h6" and reset.must_change_password and reset.state == "须改密码"
    assert store.session_account("t-xian") is None
    store.set_password(reset, "h7", None)  # the person's own
    assert store.account(xian.id).state == "在用" and store.account(xian.id).password_hash == "h7"
    # a second 管理员: then the first may be stopped (by the county's other 管理员, not by itself)
    second = store.account(store.add_account(county.id, "副管", "fu", "h8", "管理员", by=xian, ip=None))
    store.disable_account(xian.id, by=second, ip=None)
    with pytest.raises(StateError, match="只有在用的管理员"):  # a stopped 管理员 manages nothing any more
        store.enable_account(xian.id, by=xian, ip=None)
    with pytest.raises(StateError, match="唯一在用的管理员"):
        store.disable_account(second.id, by=shi, ip=None)
    store.enable_account(xian.id, by=second, ip=None)
    # deleting: one that never acted goes; one the log names stays, disabled
    ghost = store.add_account(county.id, "未用", "weiyong", "h9", "审核人", by=xian, ip=None)
    assert ghost not in store.accounts_acted(county.id) and xian.id in store.accounts_acted(county.id)
    assert store.delete_account(ghost, by=shi, ip=None)[1] and store.account(ghost) is None
    assert store.delete_account(second.id, by=xian, ip=None)[1] is False  # (it added an account: it acted)
    assert store.account(second.id).state == "已停用"
    assert [a.login for a in store.accounts(sibling.id)] == ["yi"]
    # the log: who did it, to whom, and from which office above
    mine = {(e.actor, e.action, e.detail, e.account_id) for e in store.events() if "account" in e.action}
    assert ("省管", "disable_account", "审核员（账号 shen，审核人），由上级机构“某省”操作", sheng.id) in mine
    assert ("市管", "enable_account", "审核员（账号 shen，审核人），由上级机构“某市”操作", shi.id) in mine
    assert ("省管", "reset_account_password", "县管（账号 xian，管理员），由上级机构“某省”操作", sheng.id) in mine
    assert ("市管", "delete_account", "未用（账号 weiyong，审核人），由上级机构“某市”操作", shi.id) in mine
    assert ("县管", "disable_account", "副管（账号 fu，管理员）：已有操作记录，账号保留并停用", xian.id) in mine
    (event,) = [e for e in store.events() if e.action == "disable_account" and e.account_id == sheng.id]
    assert event.ip == "10.0.0.9" and event.office_id == county.id  # (in the log of the account's office)
    # the province's own log shows the address its person came from; the county's and the city's do not
    (seen,) = [e for e in store.office_log(store.scope(province.id)) if e.id == event.id]
    assert seen.ip == "10.0.0.9"
    for below in (county, city):
        (seen,) = [e for e in store.office_log(store.scope(below.id)) if e.id == event.id]
        assert seen.ip is None and seen.actor == "省管"
    # the 机构与账号 page's log: the steps of the people of an office and below, and the steps offices above took
    # on its accounts; never the other steps of an office above, nor a sibling's
    county_log = store.office_log(store.scope(county.id))
    assert {e.actor for e in county_log} == {"县管", "副管", "省管", "市管"}
    assert {e.action for e in county_log if e.actor in ("省管", "市管")} == {
        "disable_account",
        "enable_account",
        "reset_account_password",
        "delete_account",
    }
    assert {(e.actor, e.action) for e in store.office_log(store.scope(province.id))} >= {
        ("省管", "reset_account_password"),
        ("市管", "new_office"),
        ("县管", "new_account"),
        ("县管", "password"),
    }
    assert store.office_log(store.scope(sibling.id)) == [] and store.office_log(set()) == []


def test_stopping_or_resetting_an_account_on_one_process_signs_it_out_on_the_other(postgres, tmp_path):
    """Two processes of one site (two stores on one PostgreSQL database): the sessions made on one end when a 管理员
    on the other stops or resets the account; ``--reset-password`` gives the first 管理员 back, usable."""
    from xlrep.serve.storage import Store

    database = postgres.new_database()
    one, other = (Store(tmp_path / name, database=database, files=tmp_path / "files") for name in ("a", "b"))
    try:
        first = one.account(one.set_up("h1", None, office=("某市", "市"), person=("市管", "shi")))
        county = one.office(
            one.create_office(one.office(first.office_id), "某县", "县", ("县管", "xian", "h2"), by=first, ip=None)
        )
        second = one.account(one.add_account(first.office_id, "副管", "fu", "h3", "管理员", by=first, ip=None))
        xian = one.account_by_login("xian")
        one.create_session("s-xian", 3600, None, xian.id)
        assert other.session_account("s-xian").id == xian.id
        other.reset_password(xian.id, "h4", by=second, ip=None)
        assert one.session_account("s-xian") is None and one.account(xian.id).must_change_password
        assert county.id == xian.office_id
        # the only 管理员 of 某县 cannot be stopped; the city's first 管理员 can, by the other one
        one.create_session("s-shi", 3600, None, first.id)
        other.disable_account(first.id, by=second, ip=None)
        assert one.session_account("s-shi") is None and one.account(first.id).state == "已停用"
        # the server's --reset-password: the first 管理员 in use again, with the password set through the link
        assert one.reset_admin_password() and other.needs_setup()
        other.set_up("h5", None, office=("", ""), person=("", ""))
        back = one.account(first.id)
        assert back.state == "在用" and back.password_hash == "h5"
    finally:
        one.close()
        other.close()


def test_people_signing_in_at_once_from_one_address_are_told_to_wait_seconds_not_minutes(store):
    """Both backends: the throttle lets at most five attempts of one address reach the password check at once;
    a sixth that arrives while they are checked is refused as busy (a few seconds), not as five wrong passwords
    (15 minutes); once they are through it goes on. Five wrong passwords, however quick, are the pause again."""
    from xlrep.serve.people import IN_FLIGHT_SECONDS

    first = store.set_up("h1", None, office=("某市政务公开办", "市"), person=("市管", "shi"))
    shi = store.account(first)
    people = [store.account(store.add_account(shi.office_id, f"审核{i}", f"shen{i}", "h", "审核人", by=shi, ip=None))
              for i in range(6)]  # fmt: skip
    turns = [store.begin_login("10.9.9.9", 900, 5, p.login) for p in people[:5]]  # five checking their passwords
    assert all(t.wait == 0 and not t.busy for t in turns)
    sixth = store.begin_login("10.9.9.9", 900, 5, people[5].login)
    assert sixth.busy and sixth.wait == IN_FLIGHT_SECONDS and sixth.attempt is None
    for person, turn in zip(people, turns, strict=False):  # their passwords were right
        store.finish_login("10.9.9.9", turn.attempt, True, person, person.login)
    again = store.begin_login("10.9.9.9", 900, 5, people[5].login)
    assert again.wait == 0 and not again.busy
    store.finish_login("10.9.9.9", again.attempt, True, people[5], people[5].login)
    for _ in range(5):  # five wrong passwords in a row, just now
        turn = store.begin_login("10.9.9.9", 900, 5)
        assert turn.wait == 0
        store.finish_login("10.9.9.9", turn.attempt, False)
    paused = store.begin_login("10.9.9.9", 900, 5, people[0].login)
    assert not paused.busy and 890 <= paused.wait <= 901
