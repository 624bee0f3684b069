"""Rounds across years: a unit's template carried over from last year's accepted workbook (as ``template --from``),
PREV-* findings against it on upload; a unit list uploaded as .xlsx; units added later."""

from __future__ import annotations

import io
import re

import openpyxl
from filling import clean_values, fill_workbook
from serve_support import create_round, unescape, unit_links

from xlrep.edition.form import load_form
from xlrep.workbook.reader import read_workbook

COLUMNS = [c.key for c in load_form("2021").grids("t3")[0].columns if not c.sum_of]


def _unit_id(site, round_id: int, name: str) -> str:
    return re.search(rf'/units/(\d+)">{re.escape(name)}<', site.admin.get(f"/admin/rounds/{round_id}").text).group(1)


def test_next_years_template_is_carried_over_from_the_accepted_workbook_and_uploads_are_compared(site, tmp_path):
    # 2021: the unit reports, the office passes
    first = create_round(site.admin, [("承接局", "部门")], year=2021)
    (link,) = unit_links(site.admin, first).values()
    last_year = clean_values("2021", 2021, seed=7)
    last_year["info.org_name"] = "承接局"
    data = fill_workbook(tmp_path / "2021.xlsx", "2021", 2021, last_year).read_bytes()
    unit = site.client()
    assert unit.upload(link + "/upload", "承接局2021.xlsx", data, link).status == 303
    assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
    path = f"/admin/rounds/{first}/units/{_unit_id(site, first, '承接局')}"
    assert site.admin.post(path + "/decide", {"action": "pass", "version": "1"}, form_page=path).status == 303

    # 2022, naming the 2021 round: the same unit's template starts from what the office accepted
    second = create_round(site.admin, [("承接局", "部门"), ("新单位", "乡镇")], year=2022, previous_id=first)
    links = unit_links(site.admin, second)
    page = unescape(unit.get(links["承接局"]).text)
    assert "上年通过审核的填报表预填" in page
    assert "上年通过审核" not in unescape(unit.get(links["新单位"]).text)
    template = unit.get(links["承接局"] + "/template.xlsx")
    assert template.status == 200
    (tmp_path / "t.xlsx").write_bytes(template.body)
    carried = read_workbook(tmp_path / "t.xlsx")
    assert carried.year == 2022
    for column in COLUMNS:
        assert carried.values[f"t3.carried_in.{column}"] == last_year[f"t3.carried_forward.{column}"]
    for key in ("info.address", "info.phone", "info.email"):
        assert carried.values[key] == last_year[key]
    assert carried.values["info.org_name"] == "承接局" and carried.values["info.org_type"] == "县级以上人民政府部门"
    fresh = unit.get(links["新单位"] + "/template.xlsx")
    (tmp_path / "f.xlsx").write_bytes(fresh.body)
    assert read_workbook(tmp_path / "f.xlsx").values["info.org_name"] == "新单位"

    # an upload whose 上年结转 is not last year's 结转下年度 gets PREV-CARRY; one that agrees does not
    this_year = clean_values("2021", 2022, seed=8)
    this_year["info.org_name"] = "承接局"
    wrong = fill_workbook(tmp_path / "wrong.xlsx", "2021", 2022, this_year).read_bytes()
    assert any(this_year[f"t3.carried_in.{c}"] != last_year[f"t3.carried_forward.{c}"] for c in COLUMNS), (
        "the test needs a year whose carry-over differs"
    )
    answer = unit.upload(links["承接局"] + "/upload", "2022.xlsx", wrong, links["承接局"])
    assert "PREV-CARRY" in unit.get(answer.location.split("#")[0]).text
    for column in COLUMNS:  # carry last year over and keep 三's identity: 新收 absorbs the difference
        delta = last_year[f"t3.carried_forward.{column}"] - this_year[f"t3.carried_in.{column}"]
        this_year[f"t3.carried_in.{column}"] += delta
        this_year[f"t3.new_received.{column}"] -= delta
    assert all(this_year[f"t3.new_received.{c}"] >= 0 for c in COLUMNS)
    right = fill_workbook(tmp_path / "right.xlsx", "2021", 2022, this_year).read_bytes()
    answer = unit.upload(links["承接局"] + "/upload", "2022.xlsx", right, links["承接局"])
    assert "PREV-CARRY" not in unit.get(answer.location.split("#")[0]).text


def test_a_unit_list_uploaded_as_xlsx_and_units_added_later(site):
    book = openpyxl.Workbook()
    for row in (["单位名称", "机关类型"], ["表格甲局", "部门"], ["表格乙镇", "乡镇人民政府、街道办事处"]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    fields = {"year": "2021", "title": "名单上传"}
    answer = site.admin.post(
        "/admin/rounds/new", fields, {"units_file": ("名单.xlsx", buffer.getvalue())}, form_page="/admin/rounds/new"
    )
    assert answer.status == 303
    round_id = int(answer.location.rsplit("/", 1)[1])
    assert list(unit_links(site.admin, round_id)) == ["表格甲局", "表格乙镇"]

    dashboard = f"/admin/rounds/{round_id}"
    added = site.admin.post(dashboard + "/units", {"units_text": "表格甲局\t部门\n后加局\t部门"}, form_page=dashboard)
    assert added.status == 303
    page = unescape(site.admin.get(added.location).text)
    assert "已添加 1 个单位" in page and "未重复添加：表格甲局" in page
    assert list(unit_links(site.admin, round_id)) == ["表格甲局", "表格乙镇", "后加局"]

    bad = site.admin.post(
        "/admin/rounds/new", {"year": "2021", "units_text": "某局\t大机关"}, form_page="/admin/rounds/new"
    )
    assert bad.status == 400 and "“大机关”无效" in unescape(bad.text)
    bad = site.admin.post(
        "/admin/rounds/new", {"year": "1999", "units_text": "某局\t部门"}, form_page="/admin/rounds/new"
    )
    assert bad.status == 400 and "报告年度" in unescape(bad.text)
