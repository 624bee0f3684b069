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
