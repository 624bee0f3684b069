"""Rounds over the years (issue 17, item 3): the 上年 round is the year before — the form follows the year, the
server refuses any other."""

from __future__ import annotations

from serve_support import create_round, unescape


def _new_round(admin, year: int, previous_id: int | str = ""):
    fields = {"year": str(year), "title": f"{year}年度", "deadline": "", "previous_id": str(previous_id)}
    fields.update(summary_org="", summary_org_type="", units_text="某局\t部门")
    return admin.post("/admin/rounds/new", fields, form_page="/admin/rounds/new")


def test_the_previous_round_must_be_the_year_before(site):
    r2025 = create_round(site.admin, [("某局", "部门")], year=2025, title="二〇二五")
    refused = _new_round(site.admin, 2024, r2025)  # a 2024 round “prefilled” from 2025: refused
    assert refused.status == 400
    text = unescape(refused.text)
    assert "所选的上年收集是 2025 年度的" in text and "须是 2023 年度的" in text
    refused_same = _new_round(site.admin, 2025, r2025)
    assert refused_same.status == 400
    accepted = _new_round(site.admin, 2026, r2025)
    assert accepted.status == 303


def test_the_form_chooses_the_round_of_the_year_before_as_the_year_is_typed(site, page):
    r2023 = create_round(site.admin, [("某局", "部门")], year=2023, title="选年-2023")
    r2024 = create_round(site.admin, [("某局", "部门")], year=2024, title="选年-2024")
    page.goto(site.url + "/admin/login?next=/admin/rounds/new")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", site.password)
    page.click("button:has-text('登录')")
    page.wait_for_url(site.url + "/admin/rounds/new")
    select = page.locator("select[name=previous_id]")
    page.fill("input[name=year]", "2025")
    assert select.input_value() == str(r2024)
    page.fill("input[name=year]", "2024")
    assert select.input_value() == str(r2023)
    assert page.locator(f"select[name=previous_id] option[value='{r2024}']").is_disabled()
    page.fill("input[name=year]", "2030")  # no round of 2029: none
    assert select.input_value() == ""
    assert page.script_errors == []


def test_the_office_fixes_its_list_in_the_browser_and_next_years_list_starts_from_it(site, page):
    from serve_support import Client, unit_links

    round_id = create_round(site.admin, [("名单甲局", "部门"), ("名单乙局", "部门")], year=2021, title="名单-2021")
    links = unit_links(site.admin, round_id)
    page.goto(site.url + f"/admin/login?next=/admin/rounds/{round_id}")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", site.password)
    page.click("button:has-text('登录')")
    page.click("tr[data-unit='名单甲局'] a")
    page.click("summary:has-text('单位管理')")
    page.fill("form[action$='/rename'] input[name=name]", "名单甲局（改革后）")
    page.click("form[action$='/rename'] button")
    page.wait_for_selector(".notice")
    assert "已改名为“名单甲局（改革后）”" in page.inner_text(".notice")
    assert "名单甲局（改革后）" in Client(site.url).get(links["名单甲局"]).text  # the same link, the new name
    page.click("summary:has-text('单位管理')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/new-link'] button")
    page.wait_for_selector(".notice")
    assert Client(site.url).get(links["名单甲局"]).status == 404  # the old link stops at once
    events = unescape(site.admin.get(f"/admin/rounds/{round_id}/events").text)
    assert "名单甲局 → 名单甲局（改革后）" in events and "更换填报链接" in events

    # a new round for the next year: its list starts as this one's, to edit before creating
    page.goto(site.url + "/admin/rounds/new")
    page.fill("input[name=year]", "2022")
    page.select_option("select[name=previous_id]", str(round_id))  # (other 2021 rounds of this test session)
    page.wait_for_function("document.querySelector('textarea[name=units_text]').value.includes('名单乙局')")
    listed = page.input_value("textarea[name=units_text]")
    assert "名单甲局（改革后）\t县级以上人民政府部门" in listed and "名单乙局" in listed
    assert page.script_errors == []
