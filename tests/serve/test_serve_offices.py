"""Offices as a tree, people as accounts (issue 18, part 1): a 省 creates a 市 with its 管理员, the 市 two 县; each
account sees and acts on its office and the ones below, never a sibling's or a parent's — every admin route of
the application's route table is tried across offices — a 审核人 reviews but manages nothing, and the log names
the person."""

from __future__ import annotations

import re

import pytest
from filling import clean_values, fill_workbook
from serve_support import Client, ServerProcess, create_round, set_up_admin, sign_in, unescape, unit_links

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
    for route in routes:  # a new kind of address (an office's, say) needs its own cross-office check here
        assert set(route.param_convertors) <= {"round_id", "unit_id", "number", "kind"}, route.path
    return routes


def _add_office(admin: Client, name: str, level: str, login: str) -> None:
    fields = {
        "action": "office",
        "office_name": name,
        "level": level,
        "admin_name": f"{name}的管理员",
        "admin_login": login,
        "password": PASSWORD,
        "repeat": PASSWORD,
    }
    answer = admin.post("/admin/offices", fields, form_page="/admin/offices")
    assert answer.status == 303, unescape(answer.text)


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
    routes = [r for r in _admin_routes(tmp_path) if r.param_convertors]
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
    assert "xian-a" not in offices  # another office's accounts are its own business
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
