"""Review that cannot be fooled by timing (issue 17, item 2): two clerks of one unit, uploads interleaved, in two
browsers; 确认上报 names the version whose result the page shows."""

from __future__ import annotations

from filling import clean_values, fill_workbook
from serve_support import create_round, unit_links

YEAR = 2025


def _workbook(tmp_path, name: str, seed: int):
    values = clean_values("2021", YEAR, seed=seed)
    values["info.org_name"] = "两人局"
    return fill_workbook(tmp_path / name, "2021", YEAR, values)


def _upload(page, path) -> None:
    page.set_input_files("form.upload input[type=file]", str(path))
    page.click("button:has-text('上传并校验')")
    page.wait_for_selector("#result .verdict-word")


def test_two_clerks_uploading_at_once_never_report_the_version_they_did_not_see(site, new_page, tmp_path):
    round_id = create_round(site.admin, [("两人局", "部门")], year=YEAR)
    link = site.url + unit_links(site.admin, round_id)["两人局"]
    first, second = new_page(), new_page()
    first.goto(link)
    second.goto(link)
    _upload(first, _workbook(tmp_path, "张.xlsx", seed=11))
    assert first.inner_text("button:has-text('确认上报')") == "确认上报第 1 版"
    _upload(second, _workbook(tmp_path, "李.xlsx", seed=12))  # meanwhile, the other clerk
    # the first clerk's page still shows version 1 and its button; the click must not report version 2 unseen
    first.once("dialog", lambda dialog: dialog.accept())
    first.click("button:has-text('确认上报第 1 版')")
    first.wait_for_selector(".alert")
    assert "又上传了一版" in first.inner_text(".alert")
    assert first.inner_text(".status-block .verdict-word") == "待上报"  # nothing was reported
    assert "第 2 版的校验结果" in first.inner_text("main")  # the newer result is shown now
    # an older version shown by its address offers no button, only the way to the newest
    first.goto(link + "?v=1")
    assert first.locator("button:has-text('确认上报')").count() == 0
    assert "最新上传的是第 2 版" in first.inner_text(".steps")
    first.goto(link + "?v=2")
    first.once("dialog", lambda dialog: dialog.accept())
    first.click("button:has-text('确认上报第 2 版')")
    first.wait_for_selector(".status-block")
    assert first.inner_text(".status-block .verdict-word") == "已上报"
    assert "上报第 2 版" in first.inner_text(".status-block")


def test_warnings_are_explained_before_reporting_and_the_office_marks_them_verified(site, new_page, tmp_path):
    """核实性审核, as a unit and the office meet it: the unit cannot 上报 a version with 提示 until it writes a 说明
    for each; the office reads each 说明 beside its 提示 and marks it 已核实."""
    import re

    round_id = create_round(site.admin, [("核实局", "部门")], year=YEAR)
    link = site.url + unit_links(site.admin, round_id)["核实局"]
    values = clean_values("2021", YEAR, seed=21)
    values["info.org_name"] = "核实局"
    values["t2.rules.in_force"] = values["t2.rules.issued"] - 1  # T2-IN-FORCE: a 提示
    path = fill_workbook(tmp_path / "核实局.xlsx", "2021", YEAR, values)
    unit = new_page()
    unit.goto(link)
    _upload(unit, path)
    notes = unit.locator("fieldset.explain textarea[name^='explain-']:not([name='explain-all'])")
    assert notes.count() >= 1
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.click("button:has-text('确认上报第 1 版')")  # without a 说明: refused, and the way back is offered
    unit.wait_for_selector(".verdict-word")
    assert "还没有写说明" in unit.inner_text(".verdict-line")
    unit.click("text=回到本单位的页面")
    unit.wait_for_selector("fieldset.explain")
    for i in range(notes.count()):
        notes.nth(i).fill(f"经核实无误（第 {i + 1} 条）：本年废止 1 件规章。")
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.click("button:has-text('确认上报第 1 版')")
    unit.wait_for_selector(".status-block")
    assert unit.inner_text(".status-block .verdict-word") == "已上报"

    office = new_page()
    office.goto(site.url + f"/admin/login?next=/admin/rounds/{round_id}")
    office.fill("input[name=login]", "admin")
    office.fill("input[name=password]", site.password)
    office.click("button:has-text('登录')")
    office.click("tr[data-unit='核实局'] a")
    warning = office.locator(".finding.sev-warning", has_text="T2-IN-FORCE")
    assert "单位说明：经核实无误（第 1 条）" in warning.inner_text()
    warning.locator("button:has-text('标记已核实')").click()
    office.wait_for_selector(".finding.sev-warning .status-good")
    assert "已核实" in office.locator(".finding.sev-warning", has_text="T2-IN-FORCE").inner_text()
    events = office.goto(site.url + f"/admin/rounds/{round_id}/events")
    assert events.status == 200 and re.search("提示已核实", office.inner_text("main"))
