"""催报 (issue 17, item 5): the units that have not 上报 yet, with whom to call, as a page and a CSV."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from filling import clean_values, fill_workbook
from serve_support import unescape, unit_links

YEAR = 2025


def test_the_reminder_list_names_every_unit_not_yet_reported_with_its_contact(site, tmp_path):
    units_text = "\n".join(
        [
            "单位名称\t机关类型\t联系人\t联系电话",
            "催甲局\t部门\t张三\t0517-1111111",  # never uploads: the roster's number
            '催乙局\t部门\t=HYPERLINK("x")\t0517-9999999',  # uploads with errors: its workbook's 电话 wins
            "催丙镇\t乡镇\t王五\t13800000000",  # reports: not on the list
        ]
    )
    fields = {"year": str(YEAR), "title": "催报测试", "deadline": "", "previous_id": "", "summary_org": ""}
    fields.update(summary_org_type="", units_text=units_text)
    answer = site.admin.post("/admin/rounds/new", fields, form_page="/admin/rounds/new")
    assert answer.status == 303, unescape(answer.text)
    round_id = int(answer.location.rsplit("/", 1)[1])
    links = unit_links(site.admin, round_id)

    values = clean_values("2021", YEAR, seed=5)
    values.update({"info.org_name": "催乙局", "info.phone": "0517-2222222"})
    values["t3.new_received.research"] += 2  # T3-IDENTITY: an error, so it cannot report
    bad = fill_workbook(tmp_path / "乙.xlsx", "2021", YEAR, values).read_bytes()
    client = site.client()
    assert client.upload(links["催乙局"] + "/upload", "乙.xlsx", bad, links["催乙局"]).status == 303
    good = clean_values("2021", YEAR, seed=6)
    good["info.org_name"] = "催丙镇"
    data = fill_workbook(tmp_path / "丙.xlsx", "2021", YEAR, good).read_bytes()
    assert client.upload(links["催丙镇"] + "/upload", "丙.xlsx", data, links["催丙镇"]).status == 303
    assert client.post(links["催丙镇"] + "/submit", {"version": "1"}, form_page=links["催丙镇"]).status == 303

    page = unescape(site.admin.get(f"/admin/rounds/{round_id}/reminders").text)
    assert "尚未上报的单位 2 个（共 3 个）" in page
    assert "催甲局" in page and "张三" in page and "0517-1111111" in page and "未上传" in page
    assert "催乙局" in page and "0517-2222222" in page and "0517-9999999" not in page and "有错误" in page
    assert "催丙镇" not in page
    answer = site.admin.get(f"/admin/rounds/{round_id}/reminders.csv")
    assert answer.status == 200 and "催报名单" in unquote(answer.headers.get("content-disposition", ""))
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert rows[0] == ["单位", "状态", "最近上传", "错误", "提示", "联系人", "联系电话"]
    by_unit = {r[0]: r for r in rows[1:]}
    assert set(by_unit) == {"催甲局", "催乙局"}
    assert by_unit["催甲局"][1:] == ["未上传", "", "", "", "张三", "0517-1111111"]
    assert (
        by_unit["催乙局"][1] == "有错误" and int(by_unit["催乙局"][3]) >= 1 and by_unit["催乙局"][6] == "0517-2222222"
    )
    # the unit that has not reported is never sent a CSV cell Excel would evaluate: names and phones stay text
    assert all(not c.startswith(("=", "+", "@")) for r in rows for c in r)
    # a unit without a link for the office to open: the page is the office's alone
    assert site.client().get(f"/admin/rounds/{round_id}/reminders").status in (303, 401, 403)


def test_the_findings_table_names_each_upload_in_chinese_with_notes_marks_and_units_without_upload(site, tmp_path):
    import re

    fields = {"year": str(YEAR), "title": "结果表测试", "deadline": "", "previous_id": "", "summary_org": ""}
    fields.update(summary_org_type="", units_text="表甲局\t部门\n表乙局\t部门")
    answer = site.admin.post("/admin/rounds/new", fields, form_page="/admin/rounds/new")
    round_id = int(answer.location.rsplit("/", 1)[1])
    links = unit_links(site.admin, round_id)
    values = clean_values("2021", YEAR, seed=9)
    values["info.org_name"] = "表甲局"
    values["t2.rules.in_force"] = values["t2.rules.issued"] - 1  # T2-IN-FORCE: a 提示
    data = fill_workbook(tmp_path / "甲.xlsx", "2021", YEAR, values).read_bytes()
    client = site.client()
    link = links["表甲局"]
    assert client.upload(link + "/upload", "甲.xlsx", data, link).status == 303
    page = unescape(client.get(link).text)
    notes = {name: "本年废止 1 件，现行有效数无误" for name in re.findall(r'name="(explain-\d+)"', page)}
    assert notes and client.post(link + "/submit", {"version": "1", **notes}, form_page=link).status == 303
    unit_page = f"/admin/rounds/{round_id}/units/" + re.search(
        r'/units/(\d+)">表甲局<', site.admin.get(f"/admin/rounds/{round_id}").text
    ).group(1)
    index = re.search(r'name="index" value="(\d+)"', site.admin.get(unit_page).text).group(1)
    verify = site.admin.post(unit_page + "/versions/1/verify", {"index": index, "verified": "1"}, form_page=unit_page)
    assert verify.status == 303

    rows = list(csv.reader(io.StringIO(site.admin.get(f"/admin/rounds/{round_id}/check.csv").body.decode("utf-8-sig"))))
    assert rows[0] == [
        "单位",
        "状态",
        "上传版本",
        "格式版本",
        "规则",
        "严重程度",
        "说明",
        "单元格",
        "数值",
        "单位说明",
        "核实",
    ]
    mine = [r for r in rows[1:] if r[0] == "表甲局"]
    warning = next(r for r in mine if r[4] == "T2-IN-FORCE")
    assert warning[1:4] == ["已上报", "第 1 版", "2021年版"] and warning[5] == "提示"
    assert "现行有效" in warning[8] and "{" not in warning[8] and "in_force" not in warning[8]  # Chinese, not JSON
    assert warning[9] == "本年废止 1 件，现行有效数无误" and warning[10] == "已核实"
    assert ["表乙局", "未上传", "", "", "", "", "尚未上传", "", "", "", ""] in rows
