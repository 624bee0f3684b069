"""``xlrep serve`` in a real browser (Debian's Chromium via Playwright) against a real server process.

The self-check of workbooks filled and saved by LibreOffice, and one whole collection round: the
office creates it, units download, upload, fix and 上报, the office 退回s and 通过s, the dashboard
counts, and the 汇总 the site gives equals ``xlrep merge`` of the same versions cell for cell.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from filling import clean_values, fill_workbook
from serve_support import unit_links

from xlrep.cli import main
from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.workbook.reader import read_workbook
from xlrep.writer.template import build_template

pytestmark = pytest.mark.browser

YEAR = 2021
DEADLINE = f"{date.today().year + 1}-01-20"  # open while the tests run (a past deadline closes the round)
ROUND_UNITS = [("甲局", "部门"), ("乙局", "县级以上人民政府部门"), ("丙镇", "乡镇")]
SUMMARY_ORG, SUMMARY_ORG_TYPE = "某某县人民政府", "县级以上地方人民政府"


def _a1(key: str, edition: str = "2021") -> str:
    sheet, row, col = build_layout(load_form(edition)).addresses[key]
    return f"{sheet}!{cell_ref(row, col)}"


def _lo_fill(calc, folder: Path, values: dict, name: str) -> Path:
    """Open the template in LibreOffice Calc, type the values by key, save as .xlsx (as a clerk would)."""
    layout = build_layout(load_form("2021"))
    template = folder / f"template-{name}"
    template.write_bytes(build_template(YEAR, load_form("2021")))
    doc = calc.open(template)
    try:
        cells = []
        for key, value in values.items():
            sheet, row, col = layout.addresses[key]
            cells.append([sheet, cell_ref(row, col), value])
        calc.fill(doc, cells)
        out = folder / name
        calc.save(doc, out)
    finally:
        calc.close(doc)
    return out


def _cli_json(path: Path, capsys) -> dict:
    """What ``xlrep ingest FILE --json`` prints, run in the file's folder."""
    import os

    here = os.getcwd()
    os.chdir(path.parent)
    try:
        main(["ingest", path.name, "--json"])
    finally:
        os.chdir(here)
    out, _ = capsys.readouterr()
    return json.loads(out)


def _xlsx(download) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))


def _check_in_browser(page, url: str, path: Path) -> None:
    page.goto(url + "/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('开始校验')")
    page.wait_for_selector(".verdict-word")


# -- self-check -------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_self_check_of_a_libreoffice_workbook_shows_the_identity_error_and_its_cells(
    site, page, calc, tmp_path, capsys
):
    values = clean_values("2021", YEAR)
    values["t3.new_received.research"] += 3  # 本年新收 + 上年结转 ≠ 办理结果总计 + 结转下年度 in one column
    path = _lo_fill(calc, tmp_path, values, "某某局填报表.xlsx")
    expected = _cli_json(path, capsys)
    assert expected["summary"]["errors"] > 0

    _check_in_browser(page, site.url, path)
    assert page.inner_text(".verdict-word") == "校验有错误"
    line = f"{expected['summary']['errors']} 项错误，{expected['summary']['warnings']} 项提示"
    assert line in page.inner_text(".verdict-line")
    identity = page.locator(".finding", has_text="T3-IDENTITY").filter(has_text="科研机构")
    assert identity.count() == 1
    text = identity.inner_text()
    cell = _a1("t3.new_received.research")
    assert cell in text and "本年新收" in text and "科研机构" in text
    body = page.inner_text("main")
    for finding in expected["findings"]:  # every finding, with every cell, as the command line lists them
        assert finding["rule"] in body and finding["message"] in body
        for c in finding["cells"]:
            assert f"{c['sheet']}!{c['cell']}" in body and c["label"] in body
    assert "报告（Word .docx）" not in body  # no report while there are errors
    assert page.script_errors == []


def test_self_check_lists_errors_first_then_warnings_each_by_sheet(site, page, tmp_path):
    """One error in 三 behind a warning in 二 (an earlier sheet): the error still comes first."""
    values = clean_values("2021", YEAR)
    values["t2.rules.in_force"] = values["t2.rules.issued"] - 1  # T2-IN-FORCE, a warning on sheet 二
    values["t3.new_received.research"] += 3  # T3-IDENTITY, an error on sheet 三
    path = fill_workbook(tmp_path / "顺序.xlsx", "2021", YEAR, values)
    _check_in_browser(page, site.url, path)
    assert page.inner_text(".verdict-word") == "校验有错误"
    groups = page.locator(".severity-name").all_inner_texts()
    assert groups[0].startswith("错误（") and groups[1].startswith("提示（"), groups
    order = page.locator(".finding").evaluate_all("items => items.map(i => i.className)")
    severities = [next(c for c in o.split() if c.startswith("sev-")) for o in order]
    assert severities == sorted(severities, key=["sev-error", "sev-warning", "sev-info"].index), severities
    assert "sev-error" in severities and "sev-warning" in severities
    errors = page.locator(".severity-group.sev-error .sheet-name").all_inner_texts()
    warnings = page.locator(".severity-group.sev-warning .sheet-name").all_inner_texts()
    assert "三、依申请公开" in errors and "二、主动公开" in warnings
    assert page.script_errors == []


@pytest.mark.libreoffice
def test_self_check_of_a_clean_workbook_passes_and_its_word_report_downloads(site, page, calc, tmp_path):
    path = _lo_fill(calc, tmp_path, clean_values("2021", YEAR), "某某县人民政府办公室2021年填报表.xlsx")
    _check_in_browser(page, site.url, path)
    assert page.inner_text(".verdict-word") == "校验通过"
    assert "0 项错误，0 项提示" in page.inner_text(".verdict-line")
    with page.expect_download() as info:
        page.click("text=报告（Word .docx）")
    download = info.value
    assert download.suggested_filename == "某某县人民政府办公室2021年填报表-报告.docx"  # RFC 5987 name, Chinese
    document = docx.Document(download.path())
    text = "\n".join(p.text for p in document.paragraphs)
    assert "某某县人民政府办公室2021年政府信息公开工作年度报告" in text
    assert len(document.tables) >= 3  # 二、三、四
    with page.expect_download() as info:
        page.click("text=报告（网页 .html）")
    assert "某某县人民政府办公室" in Path(info.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as info:
        page.click("text=标注副本")
    assert _xlsx(info.value).sheetnames[0] == "填报说明"


# -- one collection round, from creation to the 汇总 --------------------------------------------------


def _workbook(folder: Path, name: str, unit: str, texts: dict | None = None, **changes) -> Path:
    values = clean_values("2021", YEAR, seed=sum(map(ord, unit)))
    values["info.org_name"] = unit
    values.update(texts or {})
    for key, delta in changes.items():
        values[key] += delta
    return fill_workbook(folder / name, "2021", YEAR, values)


def _status_of(page, unit: str) -> str:
    return page.locator(f"tr[data-unit='{unit}'] .status").inner_text()


def _office(new_page, site, target: str):
    """A browser of the office, signed in and on ``target``."""
    office = new_page()
    office.goto(site.url + "/admin/login?next=" + target)
    office.fill("input[name=login]", "admin")
    office.fill("input[name=password]", site.password)
    office.click("button:has-text('登录')")
    office.wait_for_url(site.url + target)
    return office


def _upload(page, path: Path) -> None:
    page.set_input_files("form.upload input[type=file]", str(path))
    page.click("button:has-text('上传并校验')")
    page.wait_for_selector(".verdict-word")


class TestCollectionRound:
    """One round, step by step (each step builds on the previous ones)."""

    state: dict = {}

    def test_office_signs_in_and_creates_a_round_of_three_units(self, site, new_page):
        office = new_page()
        office.goto(site.url + "/admin")
        assert "/admin/login" in office.url  # not signed in yet
        office.fill("input[name=login]", "admin")
        office.fill("input[name=password]", site.password)
        office.click("button:has-text('登录')")
        office.click("text=新建收集")
        office.fill("input[name=year]", str(YEAR))
        office.fill("input[name=deadline]", DEADLINE)
        office.fill("input[name=summary_org]", SUMMARY_ORG)
        office.select_option("select[name=summary_org_type]", SUMMARY_ORG_TYPE)
        pasted = "单位名称\t机关类型\n" + "\n".join(f"{n}\t{t}" for n, t in ROUND_UNITS)  # copied from Excel
        office.fill("textarea[name=units_text]", pasted)
        office.click("button:has-text('创建并生成各单位链接')")
        office.wait_for_selector("table.units")
        assert office.inner_text(".progress-line") == "已上报 0/3"
        assert [_status_of(office, n) for n, _ in ROUND_UNITS] == ["未上传"] * 3
        assert office.locator("tr[data-unit='乙局']").inner_text().count("县级以上人民政府部门") == 1
        round_id = int(re.search(r"/admin/rounds/(\d+)$", office.url).group(1))
        office.click("text=各单位链接（打印）")
        links = {
            row.locator("td").nth(1).inner_text(): row.locator("code").inner_text()
            for row in office.locator("table.links tbody tr").all()
        }
        assert set(links) == {n for n, _ in ROUND_UNITS} and len(set(links.values())) == 3
        assert all(re.fullmatch(re.escape(site.url) + r"/u/[\w-]{32}", link) for link in links.values())
        assert unit_links(site.admin, round_id) == {n: link.removeprefix(site.url) for n, link in links.items()}
        self.state.update(round_id=round_id, links=links)

    def test_unit_downloads_its_prefilled_template(self, site, page, tmp_path):
        page.goto(self.state["links"]["甲局"])
        with page.expect_download() as info:
            page.click("text=下载填报表（.xlsx）")
        assert info.value.suggested_filename == f"甲局{YEAR}年政府信息公开工作年度报告填报表.xlsx"
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        result = read_workbook(target)
        assert result.year == YEAR and result.edition == "2021"
        assert result.values["info.org_name"] == "甲局"
        assert result.values["info.org_type"] == "县级以上人民政府部门"

    def test_unit_uploads_with_errors_cannot_report_then_fixes_and_reports(self, site, page, tmp_path):
        link = self.state["links"]["甲局"]
        page.goto(link)
        _upload(page, _workbook(tmp_path, "甲局填报表.xlsx", "甲局", **{"t3.new_received.research": 3}))
        assert page.inner_text(".status-block .verdict-word") == "有错误"
        assert page.locator(".finding", has_text="T3-IDENTITY").count() >= 1
        assert _a1("t3.new_received.research") in page.inner_text("main")
        assert page.locator("text=确认上报第").count() == 0
        assert "上传的最新一版没有错误时，才能确认上报" in page.inner_text("main")
        # and the server refuses a 上报 of that version even when posted directly
        client = site.client()
        path = link.removeprefix(site.url)
        refused = client.post(path + "/submit", {"version": "1"}, form_page=path)
        assert refused.status == 409 and "不能上报" in refused.text

        _upload(page, _workbook(tmp_path, "甲局填报表.xlsx", "甲局"))
        assert page.inner_text("#result .verdict-word") == "校验通过"
        assert page.inner_text(".status-block .verdict-word") == "待上报"  # clean, not yet 上报
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button:has-text('确认上报第 2 版')")
        page.wait_for_selector(".status-block")
        assert page.inner_text(".status-block .verdict-word") == "已上报"
        assert page.locator("form.upload").count() == 0  # no uploads while waiting for the office
        with page.expect_download() as info:
            page.click("text=报告 .docx")
        assert info.value.suggested_filename == f"甲局{YEAR}年政府信息公开工作年度报告.docx"
        text = "\n".join(p.text for p in docx.Document(info.value.path()).paragraphs)
        assert f"甲局{YEAR}年政府信息公开工作年度报告" in text

    def test_office_returns_with_a_comment_and_the_unit_sees_it_and_uploads_again(self, site, new_page, tmp_path):
        office = _office(new_page, site, f"/admin/rounds/{self.state['round_id']}")
        assert _status_of(office, "甲局") == "已上报"
        assert office.inner_text(".progress-line") == "已上报 1/3"
        office.click("tr[data-unit='甲局'] a")
        comment = "表三“本年新收”与正文所写件数不一致，请核实后重新上报。<b>谢谢</b>"
        office.fill("textarea[name=comment]", comment)
        office.click("button:has-text('退回')")
        office.wait_for_selector(".status-block")
        assert office.inner_text(".status-block .verdict-word") == "已退回"
        self.state["office_unit_url"] = office.url

        unit = new_page()
        unit.goto(self.state["links"]["甲局"])
        assert unit.inner_text(".status-block .verdict-word") == "已退回"
        assert unit.inner_text(".comment-text") == comment  # the unit reads the office's words, as text
        # the same workbook again would be refused (unchanged since it was returned): the unit corrects its text
        corrected = {"s5.problems": "已按退回意见核实表三与正文的件数。"}
        _upload(unit, _workbook(tmp_path, "甲局填报表（修改）.xlsx", "甲局", texts=corrected))
        unit.once("dialog", lambda dialog: dialog.accept())
        unit.click("button:has-text('确认上报第 3 版')")
        unit.wait_for_selector(".status-block")
        assert unit.inner_text(".status-block .verdict-word") == "已上报"

        office.goto(self.state["office_unit_url"])
        office.click("button:has-text('通过')")
        office.wait_for_selector(".status-block")
        assert office.inner_text(".status-block .verdict-word") == "已通过"
        history = office.inner_text("table.grid >> nth=-1")
        for action in ("上传", "确认上报", "退回", "通过"):
            assert action in history

    def test_dashboard_shows_every_unit_with_its_status_and_counts(self, site, new_page, tmp_path):
        links = self.state["links"]
        second = site.client()
        path = links["乙局"].removeprefix(site.url)
        answer = second.upload(path + "/upload", "乙局.xlsx", _workbook(tmp_path, "b.xlsx", "乙局").read_bytes(), path)
        assert answer.status == 303
        assert second.post(path + "/submit", {"version": "1"}, form_page=path).status == 303
        third = site.client()
        path = links["丙镇"].removeprefix(site.url)
        bad = _workbook(tmp_path, "c.xlsx", "丙镇", **{"t3.new_received.research": 2})
        assert third.upload(path + "/upload", "丙镇.xlsx", bad.read_bytes(), path).status == 303

        office = _office(new_page, site, f"/admin/rounds/{self.state['round_id']}")
        assert office.inner_text(".progress-line") == "已上报 2/3"
        assert [_status_of(office, n) for n, _ in ROUND_UNITS] == ["已通过", "已上报", "有错误"]
        cells = office.locator("tr[data-unit='丙镇'] td").all_inner_texts()
        assert cells[5] != "0" and int(cells[5]) >= 1 and cells[7] == "1"  # errors, versions
        assert office.locator("tr[data-unit='甲局'] td").all_inner_texts()[7] == "3"
        office.click(".chip:has-text('有错误')")
        assert office.locator("table.units tbody tr").count() == 1
        assert office.locator("tr[data-unit='丙镇']").count() == 1

    def test_summary_download_equals_xlrep_merge_of_the_same_versions(self, site, new_page, run, tmp_path):
        from urllib.parse import unquote

        round_id = self.state["round_id"]
        # the versions the office accepted, downloaded as the office gets them, into 单位/文件名
        files = {}
        dashboard = site.admin.get(f"/admin/rounds/{round_id}").text
        for name in ("甲局", "乙局"):
            unit_path = f"/admin/rounds/{round_id}/units/" + re.search(rf'/units/(\d+)">{name}<', dashboard).group(1)
            number = re.search(r"审核第 (\d+) 版", site.admin.get(unit_path).text).group(1)
            got = site.admin.get(f"{unit_path}/versions/{number}/file")
            filename = unquote(re.search(r"filename\*=UTF-8''(.+)$", got.header("content-disposition")).group(1))
            (tmp_path / name).mkdir()
            (tmp_path / name / filename).write_bytes(got.body)
            files[name] = f"{name}/{filename}"
        assert files["甲局"] == "甲局/甲局填报表（修改）.xlsx"  # the third version: the one passed

        office = _office(new_page, site, f"/admin/rounds/{round_id}")
        for include, units, link in (
            ("submitted", ["甲局", "乙局"], "汇总表：已上报和已通过"),
            ("passed", ["甲局"], "汇总表：已通过"),
        ):
            with office.expect_download() as info:
                office.click(f"text={link}")
            assert info.value.suggested_filename == f"{SUMMARY_ORG}{YEAR}年政府信息公开工作年度报告汇总.xlsx"
            served = _xlsx(info.value)
            args = [files[u] for u in units] + ["-o", f"{include}.xlsx", "--org", SUMMARY_ORG]
            # (the site's 汇总 names the office that made it, as `--office` does: its units' paths start with it)
            code, _, err = run("merge", *args, "--org-type", SUMMARY_ORG_TYPE, "--office", "测试县人民政府办公室")
            assert code == 0, err
            merged = openpyxl.load_workbook(tmp_path / f"{include}.xlsx")
            assert served.sheetnames == merged.sheetnames
            recorded = ("xlrep.round_units", "xlrep.merge_include")  # what the round lists, which units it took
            for sheet in served.sheetnames:
                mine = [[c.value for c in row] for row in served[sheet].iter_rows()]
                theirs = [[c.value for c in row] for row in merged[sheet].iter_rows()]
                if sheet == "_xlrep":
                    site_says = {r[0]: r[1] for r in mine if r and r[0] in recorded}
                    assert site_says["xlrep.merge_include"] == include and int(site_says["xlrep.round_units"]) >= 2
                    mine = [r for r in mine if not (r and r[0] in recorded)]
                    theirs = [r for r in theirs if not (r and r[0] in recorded)]
                assert mine == theirs, f"sheet {sheet} differs"
            detail = served["汇总明细"]
            assert [detail.cell(r, 2).value for r in range(2, 2 + len(units))] == units
            assert [detail.cell(r, 3).value for r in range(2, 2 + len(units))] == [files[u] for u in units]
            key = "t3.new_received.natural_person"
            sheet, a1 = _a1(key).split("!")
            expected = sum(read_workbook(tmp_path / files[u]).values[key] for u in units)
            assert served[sheet][a1].value == expected > 0


class TestCollectionRoundOnPostgres(TestCollectionRound):
    """The same round on two server processes sharing one PostgreSQL database and one files folder (issue 18): the
    browsers on one process, the office's HTTP client on the other."""

    state: dict = {}

    @pytest.fixture
    def site(self, site_on_postgres):
        return site_on_postgres


def test_pages_load_nothing_from_outside_and_run_no_inline_script(site, page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path in ("/", "/admin/login"):
        page.goto(site.url + path)
    assert requests and all(url.startswith(site.url) for url in requests), requests
    response = page.goto(site.url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.script_errors == []


def test_an_oversized_file_is_refused_in_the_browser_before_it_is_sent(site, page, tmp_path):
    big = tmp_path / "大文件.xlsx"
    big.write_bytes(b"\0" * (20 * 1024 * 1024 + 10))
    page.goto(site.url + "/")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.set_input_files("input[type=file]", str(big))
    page.on("dialog", lambda dialog: dialog.accept())  # the clerk presses OK
    with page.expect_event("dialog", timeout=30_000) as shown:  # waits for the warning, however long it takes
        page.click("button:has-text('开始校验')")
    page.evaluate("1")  # one round trip: the click handler has returned
    assert "超过" in shown.value.message
    assert page.url == site.url + "/" and posts == []
