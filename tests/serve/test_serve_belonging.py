"""A file must belong to the unit and the round it is uploaded to (issue 17, item 1): the ROUND-* rules.

Each case is what a unit does on its own link, read back as the office reads it (the round's check.json), and
whether 上报 is then possible."""

from __future__ import annotations

import json

import pytest
from filling import clean_values, fill_workbook
from serve_support import create_round, unit_links

from xlrep.workbook.reader import read_workbook

YEAR = 2025


@pytest.fixture(scope="module")
def round_of_three(site):
    round_id = create_round(site.admin, [("甲局", "部门"), ("乙局（分局）", "部门"), ("丙镇", "乡镇")], year=YEAR)
    return round_id, unit_links(site.admin, round_id)


def _issued(site, link: str) -> bytes:
    answer = site.client().get(link + "/template.xlsx")
    assert answer.status == 200
    return answer.body


def _filled(tmp_path, name: str, org: str, *, year: int = YEAR, template: bytes | None = None, seed: int = 3):
    values = clean_values("2021", year, seed=seed)
    values["info.org_name"] = org
    return fill_workbook(tmp_path / name, "2021", year, values, template=template).read_bytes()


def _upload(site, link: str, filename: str, data: bytes):
    client = site.client()
    answer = client.upload(link + "/upload", filename, data, link)
    assert answer.status == 303, answer.text
    return client


def _latest_audit(site, round_id: int, unit: str) -> dict:
    table = json.loads(site.admin.get(f"/admin/rounds/{round_id}/check.json").body)
    (entry,) = [u for u in table["units"] if u["name"] == unit]
    return entry


def _rules(entry: dict) -> dict[str, dict]:
    return {f["rule"]: f for f in entry["audit"]["findings"]}


def _submit(client, link: str, version: int):
    return client.post(link + "/submit", {"version": str(version)}, form_page=link)


def test_the_issued_template_carries_its_round_and_unit_through_a_re_save(site, round_of_three, tmp_path):
    _, links = round_of_three
    first, second = _issued(site, links["甲局"]), _issued(site, links["丙镇"])
    (tmp_path / "a.xlsx").write_bytes(first)
    (tmp_path / "c.xlsx").write_bytes(second)
    a, c = read_workbook(tmp_path / "a.xlsx"), read_workbook(tmp_path / "c.xlsx")
    assert a.issued_round and a.issued_round == c.issued_round  # one round …
    assert a.issued_unit and c.issued_unit and a.issued_unit != c.issued_unit  # … two units
    # a program that drops the document properties (the hidden sheet stays) still says where it belongs
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    wb.custom_doc_props.props = []
    wb.save(tmp_path / "a2.xlsx")
    again = read_workbook(tmp_path / "a2.xlsx")
    assert again.identity_source == "hidden sheet"
    assert (again.issued_round, again.issued_unit) == (a.issued_round, a.issued_unit)


def test_another_units_workbook_is_an_error_naming_that_unit_and_cannot_be_reported(site, round_of_three, tmp_path):
    round_id, links = round_of_three
    theirs = _filled(tmp_path, "甲局.xlsx", "甲局", template=_issued(site, links["甲局"]))
    client = _upload(site, links["丙镇"], "甲局填报表.xlsx", theirs)
    entry = _latest_audit(site, round_id, "丙镇")
    found = _rules(entry)
    assert found["ROUND-OTHER-UNIT"]["severity"] == "error"
    assert "甲局" in found["ROUND-OTHER-UNIT"]["message"] and "丙镇" in found["ROUND-OTHER-UNIT"]["message"]
    assert "ROUND-ORG-NAME" not in found  # one reason, not two
    assert entry["status"] == "有错误"
    assert _submit(client, links["丙镇"], entry["version"]).status == 409
    # the office sees it on the dashboard at once, not when the 汇总 is downloaded
    import re

    dashboard = site.admin.get(f"/admin/rounds/{round_id}").text
    row = re.search(r"<tr data-unit=\"丙镇\">.*?</tr>", dashboard, re.S).group(0)
    assert "其他单位的文件" in row and "计入" not in row


def test_a_workbook_of_another_year_is_an_error(site, round_of_three, tmp_path):
    round_id, links = round_of_three
    old = _filled(tmp_path, "2024.xlsx", "乙局（分局）", year=YEAR - 1)
    client = _upload(site, links["乙局（分局）"], "2024年填报表.xlsx", old)
    entry = _latest_audit(site, round_id, "乙局（分局）")
    finding = _rules(entry)["ROUND-YEAR"]
    assert (
        finding["severity"] == "error" and f"{YEAR - 1} 年度" in finding["message"] and str(YEAR) in finding["message"]
    )
    assert _submit(client, links["乙局（分局）"], entry["version"]).status == 409


def test_a_workbook_made_outside_the_site_that_fits_is_accepted_with_an_info(site, round_of_three, tmp_path):
    round_id, links = round_of_three
    # made with `xlrep template` (no round identity); 机关名称 typed with half-width brackets and a space
    mine = _filled(tmp_path, "乙局.xlsx", "乙局 (分局)")
    client = _upload(site, links["乙局（分局）"], "乙局填报表.xlsx", mine)
    entry = _latest_audit(site, round_id, "乙局（分局）")
    found = _rules(entry)
    assert found["ROUND-OUTSIDE"]["severity"] == "info"
    assert not [r for r in found if r.startswith("ROUND-") and r != "ROUND-OUTSIDE"]
    assert entry["audit"]["summary"]["errors"] == 0 and entry["status"] == "待上报"
    assert _submit(client, links["乙局（分局）"], entry["version"]).status == 303


def test_a_workbook_whose_org_name_is_another_is_an_error_on_that_cell(site, round_of_three, tmp_path):
    round_id, links = round_of_three
    other = _filled(tmp_path, "x.xlsx", "丁局", template=_issued(site, links["丙镇"]))
    _upload(site, links["丙镇"], "丙镇填报表.xlsx", other)
    finding = _rules(_latest_audit(site, round_id, "丙镇"))["ROUND-ORG-NAME"]
    assert "丁局" in finding["message"] and "丙镇" in finding["message"]
    assert [c["label"] for c in finding["cells"]] and "机关名称" in finding["cells"][0]["label"]


def test_a_workbook_of_another_round_is_an_error(site, tmp_path):
    earlier = create_round(site.admin, [("戊局", "部门")], year=YEAR)
    later = create_round(site.admin, [("戊局", "部门")], year=YEAR)
    old_link, new_link = unit_links(site.admin, earlier)["戊局"], unit_links(site.admin, later)["戊局"]
    data = _filled(tmp_path, "戊局.xlsx", "戊局", template=_issued(site, old_link))
    client = _upload(site, new_link, "戊局填报表.xlsx", data)
    entry = _latest_audit(site, later, "戊局")
    assert _rules(entry)["ROUND-OTHER-ROUND"]["severity"] == "error"
    assert _submit(client, new_link, entry["version"]).status == 409
    # the same file on the link it was issued for is fine
    _upload(site, old_link, "戊局填报表.xlsx", data)
    assert not [r for r in _rules(_latest_audit(site, earlier, "戊局")) if r.startswith("ROUND-")]


def test_a_published_report_on_a_unit_link_is_audited_but_cannot_be_reported(site, round_of_three, tmp_path):
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    round_id, links = round_of_three
    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(_filled(tmp_path, "c.xlsx", "甲局"))
    report = render(build_report(audit(clean)), ".docx")
    client = _upload(site, links["甲局"], "甲局2025年报告.docx", report)
    entry = _latest_audit(site, round_id, "甲局")
    finding = _rules(entry)["ROUND-PUBLISHED"]
    assert finding["severity"] == "error" and "docx" in finding["message"] and "填报表" in finding["message"]
    assert _submit(client, links["甲局"], entry["version"]).status == 409


def test_a_returned_workbook_saved_again_unchanged_cannot_be_reported(site, tmp_path):
    import io
    import re

    import openpyxl

    round_id = create_round(site.admin, [("己局", "部门")], year=YEAR)
    link = unit_links(site.admin, round_id)["己局"]
    data = _filled(tmp_path, "己局.xlsx", "己局", template=_issued(site, link))
    client = _upload(site, link, "己局填报表.xlsx", data)
    assert _submit(client, link, 1).status == 303
    page = site.admin.get(f"/admin/rounds/{round_id}").text
    office = f"/admin/rounds/{round_id}/units/" + re.search(r'/units/(\d+)">己局<', page).group(1)
    returned = site.admin.post(
        office + "/decide", {"action": "return", "comment": "请核实表三", "version": "1"}, form_page=office
    )
    assert returned.status == 303
    wb = openpyxl.load_workbook(io.BytesIO(data))  # opened and saved again: other bytes, the same content
    wb.properties.lastModifiedBy = "另一位同事"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert buffer.getvalue() != data
    _upload(site, link, "己局填报表（改）.xlsx", buffer.getvalue())
    refused = _submit(client, link, 2)
    assert refused.status == 409 and "数字和文字" in refused.text and "请核实表三" in refused.text
    values = clean_values("2021", YEAR, seed=3)
    values["info.org_name"] = "己局"
    values["s5.problems"] = "已按退回意见核实表三。"
    changed = fill_workbook(tmp_path / "己局2.xlsx", "2021", YEAR, values, template=_issued(site, link))
    _upload(site, link, "己局填报表（改2）.xlsx", changed.read_bytes())
    assert _submit(client, link, 3).status == 303


def test_in_the_browser_a_unit_meets_the_wrong_year_another_units_file_and_an_unchanged_resubmission(
    site, new_page, tmp_path
):
    import re

    round_id = create_round(site.admin, [("页甲局", "部门"), ("页乙局", "部门")], year=YEAR)
    links = {name: site.url + link for name, link in unit_links(site.admin, round_id).items()}
    unit = new_page()

    def upload(path):
        unit.set_input_files("form.upload input[type=file]", str(path))
        unit.click("button:has-text('上传并校验')")
        unit.wait_for_selector("#result .verdict-word")

    unit.goto(links["页甲局"])
    old = tmp_path / "去年.xlsx"
    old.write_bytes(_filled(tmp_path, "o.xlsx", "页甲局", year=YEAR - 1))
    upload(old)
    assert unit.inner_text("#result .verdict-word") == "校验有错误"
    assert "ROUND-YEAR" in unit.inner_text(".severity-group.sev-error")
    assert unit.locator("button:has-text('确认上报')").count() == 0

    with unit.expect_download() as info:  # the other unit's own template, filled by mistake
        unit.goto(links["页乙局"])
        unit.click("text=下载填报表（.xlsx）")
    theirs = tmp_path / "乙.xlsx"
    theirs.write_bytes(_filled(tmp_path, "t.xlsx", "页乙局", template=open(info.value.path(), "rb").read()))
    unit.goto(links["页甲局"])
    upload(theirs)
    assert "ROUND-OTHER-UNIT" in unit.inner_text(".severity-group.sev-error")
    assert "页乙局" in unit.locator(".finding", has_text="ROUND-OTHER-UNIT").inner_text()

    mine = tmp_path / "甲.xlsx"
    mine.write_bytes(_filled(tmp_path, "m.xlsx", "页甲局"))
    upload(mine)
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.click("button:has-text('确认上报第 3 版')")
    unit.wait_for_selector(".status-block")
    office = new_page()
    office.goto(site.url + f"/admin/login?next=/admin/rounds/{round_id}")
    office.fill("input[name=login]", "admin")
    office.fill("input[name=password]", site.password)
    office.click("button:has-text('登录')")
    office.click("tr[data-unit='页甲局'] a")
    office.fill("textarea[name=comment]", "请补充五、存在的主要问题")
    office.click("button:has-text('退回')")
    office.wait_for_selector(".status-block")
    unit.goto(links["页甲局"])
    upload(mine)  # the same file again
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.click("button:has-text('确认上报第 4 版')")
    unit.wait_for_selector(".verdict-word")
    said = unit.inner_text("main")
    assert "是同一个文件，不能原样再报" in said and "请补充五、存在的主要问题" in said
    assert re.search("回到本单位的页面", said)


def test_an_imported_workbook_is_a_workbook_a_summary_is_not_a_units_and_a_short_roster_name_is_a_warning(
    site, run, tmp_path
):
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report, render

    round_id = create_round(site.admin, [("财政局", "部门"), ("汇总局", "部门")], year=YEAR)
    links = unit_links(site.admin, round_id)
    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(_filled(tmp_path, "c.xlsx", "某某县财政局"))  # the full name in the report
    (tmp_path / "报告.docx").write_bytes(render(build_report(audit(clean)), ".docx"))
    code, _, err = run("import", tmp_path / "报告.docx", "-o", tmp_path / "导入.xlsx")
    assert code == 0, err
    _upload(site, links["财政局"], "导入.xlsx", (tmp_path / "导入.xlsx").read_bytes())
    entry = _latest_audit(site, round_id, "财政局")
    found = _rules(entry)
    assert "ROUND-PUBLISHED" not in found  # made by `xlrep import`: a workbook, checked as one
    assert found["ROUND-ORG-NAME"]["severity"] == "warning" and "不完全相同" in found["ROUND-ORG-NAME"]["message"]
    assert not [f for f in entry["audit"]["findings"] if f["rule"].startswith("ROUND-") and f["severity"] == "error"]

    unit_dir = tmp_path / "某某县财政局"
    unit_dir.mkdir()
    (unit_dir / "a.xlsx").write_bytes(clean.read_bytes())
    code, _, err = run("merge", unit_dir / "a.xlsx", "-o", tmp_path / "汇总.xlsx")
    assert code == 0, err
    _upload(site, links["汇总局"], "汇总.xlsx", (tmp_path / "汇总.xlsx").read_bytes())
    merged = _rules(_latest_audit(site, round_id, "汇总局"))
    assert merged["ROUND-MERGED"]["severity"] == "error" and "汇总表" in merged["ROUND-MERGED"]["message"]


@pytest.mark.libreoffice
def test_the_issued_template_filled_and_saved_in_libreoffice_still_belongs_to_its_unit(site, calc, tmp_path):
    """A clerk fills the site's template in LibreOffice Calc and saves it as .xlsx: the round's and the unit's
    codes survive the save (properties or hidden sheet), so the upload is the unit's own — no ROUND-* at all."""
    from xlrep.edition.form import load_form
    from xlrep.workbook.layout import build_layout, cell_ref

    round_id = create_round(site.admin, [("算盘局", "部门")], year=YEAR)
    link = unit_links(site.admin, round_id)["算盘局"]
    template = tmp_path / "算盘局模板.xlsx"
    template.write_bytes(_issued(site, link))
    layout = build_layout(load_form("2021"))
    values = clean_values("2021", YEAR, seed=5)
    values["info.org_name"] = "算盘局"
    doc = calc.open(template)
    try:
        cells = []
        for key, value in values.items():
            sheet, row, col = layout.addresses[key]
            cells.append([sheet, cell_ref(row, col), value])
        calc.fill(doc, cells)
        saved = tmp_path / "算盘局（LibreOffice）.xlsx"
        calc.save(doc, saved)
    finally:
        calc.close(doc)
    read = read_workbook(saved)
    assert read.issued_round and read.issued_unit  # the codes survived LibreOffice's save
    client = _upload(site, link, saved.name, saved.read_bytes())
    entry = _latest_audit(site, round_id, "算盘局")
    assert not [r for r in _rules(entry) if r.startswith("ROUND-")], _rules(entry).keys()
    assert _submit(client, link, entry["version"]).status == 303


def test_renaming_a_unit_checks_its_latest_upload_again_under_the_new_name(site, tmp_path):
    import re
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from machine import wait_until

    round_id = create_round(site.admin, [("改名前局", "部门")], year=YEAR)
    link = unit_links(site.admin, round_id)["改名前局"]
    _upload(site, link, "新名.xlsx", _filled(tmp_path, "n.xlsx", "改名后局"))  # the report already has the new name
    assert "ROUND-ORG-NAME" in _rules(_latest_audit(site, round_id, "改名前局"))
    page = site.admin.get(f"/admin/rounds/{round_id}").text
    office = f"/admin/rounds/{round_id}/units/" + re.search(r'/units/(\d+)">改名前局<', page).group(1)
    renamed = site.admin.post(office + "/rename", {"name": "改名后局"}, form_page=office)
    assert renamed.status == 303

    def checked_again() -> bool:
        entry = _latest_audit(site, round_id, "改名后局")
        return "ROUND-ORG-NAME" not in _rules(entry) and entry["status"] == "待上报"

    wait_until(checked_again, 120, "the latest upload audited again under the new name")
