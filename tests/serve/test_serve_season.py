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
