"""A version viewed online as the report renders it, the findings' cells marked; two versions compared, and a
version with last year's (issue 17, item 5) — in the browser, as the office and the unit use them."""

from __future__ import annotations

import re

from filling import clean_values, fill_workbook
from serve_support import create_round, unit_links

YEAR = 2025


def _values(seed: int, **changes):
    values = clean_values("2021", YEAR, seed=seed)
    values["info.org_name"] = "查看局"
    values.update(changes)
    return values


def test_a_version_is_viewed_as_the_report_with_its_problem_cells_marked_and_versions_compared(site, page, tmp_path):
    round_id = create_round(site.admin, [("查看局", "部门")], year=YEAR)
    link = unit_links(site.admin, round_id)["查看局"]
    first = _values(5)
    first["t3.new_received.research"] += 2  # T3-IDENTITY: 科研机构's column does not add up
    second = dict(first, **{"t3.new_received.research": first["t3.new_received.research"] - 2})
    second["s5.problems"] = "已改正表三。<b>粗体</b>"
    client = site.client()
    for n, values in ((1, first), (2, second)):
        data = fill_workbook(tmp_path / f"{n}.xlsx", "2021", YEAR, values).read_bytes()
        assert client.upload(link + "/upload", f"第{n}版.xlsx", data, link).status == 303

    page.goto(site.url + f"/admin/login?next=/admin/rounds/{round_id}")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", site.password)
    page.click("button:has-text('登录')")
    page.click("tr[data-unit='查看局'] a")
    unit_page = page.url.split("?")[0]
    page.goto(unit_page + "/versions/1/view")
    assert page.locator(".report-view table").count() >= 3  # 表二、表三、表四
    marked = page.locator(".report-view td.mark-error")
    assert marked.count() >= 1
    assert "t3.new_received.research" in [marked.nth(i).get_attribute("data-key") for i in range(marked.count())]
    assert page.locator(".report-view h1").count() == 1 and "草稿" in page.inner_text(".report-view")

    page.goto(unit_page + "/compare?a=1&b=2")
    rows = page.locator("table.compare tbody tr").all_inner_texts()
    assert any("科研机构" in r and "本年新收" in r for r in rows)
    assert any("<b>粗体</b>" in r for r in rows)  # text from the workbook stays text
    assert page.locator("table.compare b").count() == 0
    assert len(rows) == 2, rows  # exactly what changed

    # the unit sees its own version the same way
    page.goto(site.url + link + "/versions/2/view")
    assert page.locator(".report-view td.mark-error").count() == 0
    assert re.search("已改正表三", page.inner_text(".report-view"))
    assert page.script_errors == []


def test_this_year_is_compared_with_last_years_accepted_workbook(site, tmp_path):
    from serve_support import unescape

    def report(round_id, year, seed, *, passed):
        link = unit_links(site.admin, round_id)["比较局"]
        values = clean_values("2021", year, seed=seed)
        values["info.org_name"] = "比较局"
        data = fill_workbook(tmp_path / f"{year}.xlsx", "2021", year, values).read_bytes()
        client = site.client()
        assert client.upload(link + "/upload", f"{year}.xlsx", data, link).status == 303
        office = f"/admin/rounds/{round_id}/units/" + re.search(
            r'/units/(\d+)">比较局<', site.admin.get(f"/admin/rounds/{round_id}").text
        ).group(1)
        if passed:
            assert client.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
            assert (
                site.admin.post(office + "/decide", {"action": "pass", "version": "1"}, form_page=office).status == 303
            )
        return office, values

    last = create_round(site.admin, [("比较局", "部门")], year=2024)
    _, old = report(last, 2024, 31, passed=True)
    this = create_round(site.admin, [("比较局", "部门")], year=2025, previous_id=last)
    office, new = report(this, 2025, 32, passed=False)
    page = unescape(site.admin.get(office + "/compare?b=1&with=last-year").text)
    assert "上年通过审核的一版 与 第 1 版" in page
    differing = [k for k in new if k.startswith("t3.") and new[k] != old.get(k)]
    rows = len(re.findall(r'<tr><td class="cell-ref">', page))
    assert differing and rows >= len(differing) and f"{rows} 处不同" in page


def test_each_cell_is_marked_with_the_gravest_severity_naming_it_infos_included():
    from xlrep.common.findings import CellRef, Finding
    from xlrep.serve.audits import cell_marks

    where = {("三", "F7"): "a", ("三", "F8"): "b", ("三", "F9"): "c"}
    findings = [
        Finding("IMPORT-LABEL", "m", [CellRef("三", "F9", "")], severity="info"),
        Finding("T2-IN-FORCE", "m", [CellRef("三", "F7", ""), CellRef("三", "F8", "")], severity="warning"),
        Finding("T3-IDENTITY", "m", [CellRef("三", "F8", "")], severity="error"),
        Finding("IMPORT-LABEL", "m", [CellRef("三", "F7", ""), CellRef("四", "A1", "")], severity="info"),
    ]
    assert cell_marks(findings, where) == {"a": "warning", "b": "error", "c": "info"}
