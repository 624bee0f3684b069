"""Offices in a browser (issue 18, part 1): the province's 管理员 signs in, creates a city office with its
管理员; the city's 管理员, signed in in another browser profile, cannot open the province's round."""

from __future__ import annotations

import pytest
from serve_support import ServerProcess, create_round, set_up_admin

pytestmark = pytest.mark.browser

PASSWORD = "省级密码-12345678"
CITY_PASSWORD = "市级密码-12345678"


def _sign_in(page, url: str, login: str, password: str, target: str = "/admin") -> None:
    page.goto(url + "/admin/login?next=" + target)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    page.wait_for_url(url + target)


def test_a_province_creates_a_city_whose_admin_cannot_open_the_provinces_round(tmp_path, new_page):
    server = ServerProcess(tmp_path / "data", "--workers", "1")
    try:
        province_client = set_up_admin(server, PASSWORD, office_name="某省政务公开办", level="省", login="sheng")
        round_id = create_round(province_client, [("省直某厅", "部门")], year=2025, title="省本级2025年度")
        province = new_page()
        _sign_in(province, server.url, "sheng", PASSWORD)
        assert "省本级2025年度" in province.inner_text("main")
        province.click("a:has-text('机构与账号')")
        province.wait_for_url(server.url + "/admin/offices")
        form = province.locator("form:has(input[name=action][value=office])")
        form.locator("input[name=office_name]").fill("某市政务公开办")
        form.locator("select[name=level]").select_option("市")
        form.locator("input[name=admin_name]").fill("王市管")
        form.locator("input[name=admin_login]").fill("shi-wang")
        form.locator("input[name=password]").fill(CITY_PASSWORD)
        form.locator("input[name=repeat]").fill(CITY_PASSWORD)
        form.locator("button:has-text('建立下级机构')").click()
        province.wait_for_selector(".notice")
        assert "已建立下级机构“某市政务公开办”" in province.inner_text(".notice")
        assert "某市政务公开办" in province.inner_text("table.grid >> nth=1")

        city = new_page()  # another browser profile: its own cookies
        _sign_in(city, server.url, "shi-wang", CITY_PASSWORD)
        assert "王市管（管理员）" in city.inner_text("header")
        assert "省本级2025年度" not in city.inner_text("main")
        answer = city.goto(server.url + f"/admin/rounds/{round_id}")
        assert answer.status == 404 and "没有这个收集" in city.inner_text("main")
        assert "省直某厅" not in city.content()
        # the province still opens it (its own), signed in all along
        assert province.goto(server.url + f"/admin/rounds/{round_id}").status == 200
    finally:
        server.stop()


def test_a_province_resets_a_county_admins_password_who_must_then_set_their_own(tmp_path, new_page):
    """Two levels down: the province's 管理员 opens the county from 机构与账号 and sets a new initial password for its
    管理员; the county's 管理员, signed in elsewhere, is signed out, signs in with it and is asked for their own."""
    from serve_support import Client, sign_in

    server = ServerProcess(tmp_path / "data", "--workers", "1")
    try:
        province_client = set_up_admin(server, PASSWORD, office_name="某省政务公开办", level="省", login="sheng")
        for client, name, level, login in (
            (province_client, "某市政务公开办", "市", "shi"),
            (None, "某县政务公开办", "县", "xian"),
        ):
            client = client or sign_in(server, CITY_PASSWORD, login="shi")
            fields = {"action": "office", "office_name": name, "level": level, "admin_name": f"{level}管理员"}
            fields |= {"admin_login": login, "password": CITY_PASSWORD, "repeat": CITY_PASSWORD}
            assert client.post("/admin/offices", fields, form_page="/admin/offices").status == 303
        county_before = sign_in(server, CITY_PASSWORD, login="xian")
        assert county_before.get("/admin").status == 200

        province = new_page()
        _sign_in(province, server.url, "sheng", PASSWORD)
        province.click("a:has-text('机构与账号')")
        province.click("a:has-text('某县政务公开办')")  # (every office below, at any depth, is listed)
        assert "下级机构：某县政务公开办" in province.inner_text("main")
        row = province.locator("tr[data-login=xian]")
        assert "在用" in row.inner_text()
        row.locator("summary:has-text('重设密码')").click()
        new = "省里重设的-12345678"
        row.locator("input[name=password]").fill(new)
        row.locator("input[name=repeat]").fill(new)
        row.locator("button:has-text('重设密码')").click()
        province.wait_for_selector(".notice")
        assert "已重设“县管理员”（账号 xian）的密码" in province.inner_text(".notice")
        assert "须改密码" in province.locator("tr[data-login=xian]").inner_text()
        assert county_before.get("/admin").status == 303  # (its other browser: signed out at once)

        county = new_page()
        _sign_in(county, server.url, "xian", new, target="/admin/password")
        assert "管理员已为您重设了密码" in county.inner_text("main")
        county.goto(server.url + "/admin")  # nothing else first
        county.wait_for_url(server.url + "/admin/password")
        own = "县里自己的-87654321"
        county.fill("input[name=current]", new)
        county.fill("input[name=password]", own)
        county.fill("input[name=repeat]", own)
        county.click("button:has-text('修改')")
        county.wait_for_url(server.url + "/admin")
        assert "县管理员（管理员）" in county.inner_text("header")
        province.reload()
        assert "在用" in province.locator("tr[data-login=xian]").inner_text()
        assert (
            Client(server.url).post("/admin/login", {"login": "xian", "password": new}, form_page="/admin/login").status
            == 401
        )  # (the initial password no longer works)
    finally:
        server.stop()
