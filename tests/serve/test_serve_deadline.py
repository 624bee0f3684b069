"""A round closes at its deadline, a unit may be given more time, an archived round is read-only (issue 17, item 3).
Every change is logged with its reason; nothing submitted is lost."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from urllib.parse import unquote

from filling import clean_values, fill_workbook
from serve_support import create_round, unescape, unit_links

YEAR = 2025
YESTERDAY, TOMORROW = (date.today() + timedelta(days=d) for d in (-1, 1))


def _workbook(tmp_path, org: str, seed: int) -> bytes:
    values = clean_values("2021", YEAR, seed=seed)
    values["info.org_name"] = org
    return fill_workbook(tmp_path / f"{org}.xlsx", "2021", YEAR, values).read_bytes()


def _unit_path(site, round_id: int, name: str) -> str:
    page = site.admin.get(f"/admin/rounds/{round_id}").text
    return f"/admin/rounds/{round_id}/units/" + re.search(rf'/units/(\d+)">{re.escape(name)}<', page).group(1)


def test_after_the_deadline_uploads_and_reports_are_refused_until_the_office_extends(site, tmp_path):
    round_id = create_round(site.admin, [("截甲局", "部门"), ("截乙局", "部门")], year=YEAR, deadline=YESTERDAY)
    links = unit_links(site.admin, round_id)
    unit = site.client()
    # the page offers no upload form once closed; a post from a page opened earlier is refused
    late = _workbook(tmp_path, "截甲局", 1)
    refused = unit.upload(links["截甲局"] + "/upload", "甲.xlsx", late, "/")
    assert refused.status == 409 and f"已于 {YESTERDAY.isoformat()} 截止" in unescape(refused.text)
    digest = hashlib.sha256(late).hexdigest()
    assert not (site.server.data / "files" / digest[:2] / digest).exists()  # a refused upload leaves nothing
    page = unescape(unit.get(links["截甲局"]).text)
    assert "如需补报，请联系政务公开办延期" in page and "上传并校验" not in page
    dashboard = unescape(site.admin.get(f"/admin/rounds/{round_id}").text)
    assert "已截止" in dashboard

    # one unit is given until tomorrow: it uploads and reports; the other is still closed
    office = _unit_path(site, round_id, "截甲局")
    no_reason = site.admin.post(office + "/extend", {"until": TOMORROW.isoformat(), "reason": ""}, form_page=office)
    assert no_reason.status == 303 and "error=" in no_reason.location
    given = {"until": TOMORROW.isoformat(), "reason": "单位负责人出差"}
    assert site.admin.post(office + "/extend", given, form_page=office).status == 303
    data = _workbook(tmp_path, "截甲局", 1)
    assert unit.upload(links["截甲局"] + "/upload", "甲.xlsx", data, links["截甲局"]).status == 303
    assert unit.post(links["截甲局"] + "/submit", {"version": "1"}, form_page=links["截甲局"]).status == 303
    other = unit.upload(links["截乙局"] + "/upload", "乙.xlsx", _workbook(tmp_path, "截乙局", 2), "/")
    assert other.status == 409

    # the round's deadline moved for all: the other unit uploads too
    path = f"/admin/rounds/{round_id}"
    moved = {"deadline": TOMORROW.isoformat(), "reason": "县政府办通知统一延期"}
    assert site.admin.post(path + "/deadline", moved, form_page=path).status == 303
    again = unit.upload(links["截乙局"] + "/upload", "乙.xlsx", _workbook(tmp_path, "截乙局", 2), links["截乙局"])
    assert again.status == 303
    events = unescape(site.admin.get(f"/admin/rounds/{round_id}/events").text)
    assert "单位负责人出差" in events and "县政府办通知统一延期" in events


def test_an_archived_round_is_read_only_and_keeps_its_summary_and_files(site, run, tmp_path):
    round_id = create_round(site.admin, [("归甲局", "部门"), ("归乙局", "部门")], year=YEAR)
    links = unit_links(site.admin, round_id)
    unit = site.client()
    data = _workbook(tmp_path, "归甲局", 3)
    assert unit.upload(links["归甲局"] + "/upload", "甲.xlsx", data, links["归甲局"]).status == 303
    assert unit.post(links["归甲局"] + "/submit", {"version": "1"}, form_page=links["归甲局"]).status == 303
    office = _unit_path(site, round_id, "归甲局")
    assert site.admin.post(office + "/decide", {"action": "pass", "version": "1"}, form_page=office).status == 303
    path = f"/admin/rounds/{round_id}"
    assert site.admin.post(path + "/archive", {}, form_page=path).status == 303

    assert "已归档" in unescape(site.admin.get(path).text)
    late = unit.upload(links["归乙局"] + "/upload", "乙.xlsx", _workbook(tmp_path, "归乙局", 4), "/")
    assert late.status == 409 and "已归档" in unescape(late.text)
    # the pages offer no form any more; a post made anyway (an old tab) is refused
    returned = site.admin.post(
        office + "/decide", {"action": "return", "comment": "再看看", "version": "1"}, form_page="/admin/password"
    )
    assert returned.status == 303 and "只读" in unquote(returned.location)
    added = site.admin.post(path + "/units", {"units_text": "归丙局\t部门"}, form_page="/admin/password")
    assert "error=" in (added.location or "")
    # everything stays downloadable: the 汇总 of the passed unit, its file, the check table
    summary = site.admin.get(path + "/summary.xlsx")
    assert summary.status == 200 and summary.body[:2] == b"PK"
    # … and it is `xlrep merge` over exactly the passed files, unit for unit
    import io

    import openpyxl

    recorded = ("xlrep.round_units", "xlrep.merge_include")

    (tmp_path / "归甲局").mkdir()
    (tmp_path / "归甲局" / "甲.xlsx").write_bytes(data)
    # (the site's 汇总 names the office that made it, as `--office` does: its units' paths start with it)
    office_name = "测试县人民政府办公室"
    args = ("merge", tmp_path / "归甲局" / "甲.xlsx", "-o", tmp_path / "合并.xlsx", "--office", office_name)
    code, _, err = run(*args)
    assert code == 0, err
    served, merged = openpyxl.load_workbook(io.BytesIO(summary.body)), openpyxl.load_workbook(tmp_path / "合并.xlsx")
    assert served.sheetnames == merged.sheetnames
    for sheet in served.sheetnames:
        if sheet == "汇总明细":  # the file column names 单位/文件 as the site stores it
            continue
        if sheet == "_xlrep":  # the site records what its round lists (2 units) and which it took (passed ones)
            rows = {r[0].value: r[1].value for r in served[sheet].iter_rows()}
            assert (rows["xlrep.round_units"], rows["xlrep.merge_include"]) == ("2", "passed")
            rows.update({k: r[1].value for r in merged[sheet].iter_rows() if (k := r[0].value) in recorded})
            assert rows == {r[0].value: r[1].value for r in merged[sheet].iter_rows()}
            continue
        assert [[c.value for c in r] for r in served[sheet].iter_rows()] == [
            [c.value for c in r] for r in merged[sheet].iter_rows()
        ], sheet
    assert [served["汇总明细"].cell(r, 2).value for r in (2, 3)] == ["归甲局", None]
    assert site.admin.get(office + "/versions/1/file").body == data
    table = json.loads(site.admin.get(path + "/check.json").body)
    assert {u["name"]: u["status"] for u in table["units"]} == {"归甲局": "已通过", "归乙局": "未上传"}


def test_in_the_browser_the_office_closes_a_round_calls_the_late_units_and_the_unit_sees_it_closed(
    site, new_page, tmp_path
):
    round_id = create_round(site.admin, [("页截局", "部门"), ("页报局", "部门")], year=YEAR, deadline=TOMORROW)
    links = {n: site.url + link for n, link in unit_links(site.admin, round_id).items()}
    office = new_page()
    office.goto(site.url + f"/admin/login?next=/admin/rounds/{round_id}")
    office.fill("input[name=login]", "admin")
    office.fill("input[name=password]", site.password)
    office.click("button:has-text('登录')")
    office.click("summary:has-text('截止日期与归档')")
    office.fill("form.deadline-form input[name=deadline]", YESTERDAY.isoformat())
    office.fill("form.deadline-form input[name=reason]", "按县政府办通知提前截止")
    office.click("form.deadline-form button")
    office.wait_for_selector(".notice")
    assert f"截止日期已改为 {YESTERDAY.isoformat()}" in office.inner_text(".notice")
    assert "已截止" in office.inner_text(".round-state")

    unit = new_page()
    unit.goto(links["页截局"])
    assert "已于" in unit.inner_text(".alert") and "截止" in unit.inner_text(".alert")
    assert unit.locator("form.upload").count() == 0

    office.click("text=催报名单")
    office.wait_for_selector("table.reminders")
    assert {"页截局", "页报局"} <= set(
        office.locator("table.reminders tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    )
    assert office.locator("button[data-print]").count() == 1
