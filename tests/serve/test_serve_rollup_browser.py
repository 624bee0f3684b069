"""Rounds that roll up in a browser (issue 18, part 2): the city's 管理员 presses 生成汇总并上传到上级收集, reads the
汇总's result in the province's round and confirms the 上报; the province's 管理员, in another browser profile, sees
the city's progress, reads the 汇总明细 and passes it; the city's page then says 已通过."""

from __future__ import annotations

import pytest
from serve_support import Client, ServerProcess, create_round, set_up_admin, sign_in, unit_links
from test_serve_rollup import PASSWORD, YEAR, Season, _add_office, _unit_ids

pytestmark = pytest.mark.browser

PROVINCE, CITY = "某省政务公开办", "某市政务公开办"


def _sign_in(page, url: str, login: str) -> None:
    page.goto(url + "/admin/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(url + "/admin")


def test_a_city_reports_its_summary_up_and_the_province_passes_it(tmp_path, new_page):
    server = ServerProcess(tmp_path / "data", "--workers", "1")
    try:
        s = Season(server, tmp_path)
        s.clients[PROVINCE] = set_up_admin(server, PASSWORD, office_name=PROVINCE, level="省", login="sheng")
        _add_office(s.clients[PROVINCE], CITY, "市", "shi")
        s.clients[CITY] = sign_in(server, PASSWORD, login="shi")
        s.rounds[PROVINCE] = create_round(s.clients[PROVINCE], [("省属局", "部门")], year=YEAR)
        s.rounds[CITY] = create_round(s.clients[CITY], [("市属局", "部门"), ("市人民政府", "政府")], year=YEAR)
        s.report_unit(CITY, "市属局", seed=11)
        s.report_unit(CITY, "市人民政府", seed=12)

        city = new_page()
        _sign_in(city, server.url, "shi")
        city.goto(server.url + f"/admin/rounds/{s.rounds[CITY]}")
        assert PROVINCE in city.inner_text("section.upward")
        city.click("button:has-text('生成汇总并上传到上级收集')")
        city.wait_for_url("**/u/**#result")
        assert "第 1 版" in city.inner_text("main")
        city.once("dialog", lambda dialog: dialog.accept())
        city.click(".submit-form button[type=submit]")
        city.wait_for_selector(".status-block:has-text('已上报')")
        city.goto(server.url + f"/admin/rounds/{s.rounds[CITY]}")
        assert city.inner_text(".upward-state") == "已上报"

        province = new_page()  # another profile: the province's 管理员
        _sign_in(province, server.url, "sheng")
        province.goto(server.url + f"/admin/rounds/{s.rounds[PROVINCE]}")
        row = province.locator(f"tr[data-unit='{CITY}']")
        assert "下级收集 已上报 2/2" in row.inner_text() and "已上报" in row.inner_text()
        row.locator(f"a:has-text('{CITY}')").click()
        province.wait_for_selector("section.lower-detail")
        detail = province.inner_text("section.lower-detail")
        assert f"{CITY}/市属局" in detail and f"{CITY}/市人民政府" in detail
        province.click("button:has-text('审核通过')")
        province.wait_for_selector(".status-block:has-text('已通过')")
        city.reload()
        assert city.inner_text(".upward-state") == "已通过"
        # the city's round is what it sent: its own unit cannot be returned now
        assert "汇总已上报" in city.inner_text("section.upward")
        link = unit_links(s.clients[CITY], s.rounds[CITY])["市属局"]
        assert Client(server.url).get(link).status == 200
        assert _unit_ids(s.clients[PROVINCE], s.rounds[PROVINCE])[CITY]
    finally:
        server.stop()
