"""Names by bytes on the site (issue 22, row 5): a unit name of 86–100 Chinese characters (the roster allows
100; Linux allows 255 bytes, i.e. 85 of them) and an upload named 报×100.xlsx are handled end to end — the
unit's template, upload and audit, every download, the round's check table and 汇总 — and every name the
site offers is a valid file name (≤ 255 bytes, extension kept)."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from filling import clean_values, fill_workbook
from serve_support import create_round, unit_links

LONG_UNIT = "某" * 60 + "县人民政府办公室" * 5  # 100 characters, 300 bytes
UNIT_86 = "甲" * 86  # one character past the 255 bytes of a Linux file name
LONG_UPLOAD = "报" * 100 + ".xlsx"


def saved_name(answer) -> str:
    """The file name a browser saves a download under (RFC 5987 ``filename*``)."""
    header = answer.header("content-disposition")
    m = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert m, header
    assert header.isascii()
    return unquote(m.group(1))


def assert_file_name(name: str, ending: str) -> None:
    assert len(name.encode("utf-8")) <= 255, name
    assert name.endswith(ending), name
    assert name.isprintable() and "/" not in name and "\\" not in name


def filled(tmp_path, org: str) -> bytes:
    values = clean_values("2021", 2021)
    values["info.org_name"] = org
    return fill_workbook(tmp_path / "填好.xlsx", "2021", 2021, values).read_bytes()


def no_traceback(site) -> None:
    assert "Traceback" not in site.server.output(), site.server.output()[-3000:]


def test_a_unit_named_by_100_characters_uploads_a_file_named_by_100_and_the_round_is_summed(site, tmp_path):
    import openpyxl

    title = "某某县" * 66 + "收集"  # 200 characters, the longest title a round takes
    round_id = create_round(site.admin, [(LONG_UNIT, "部门"), (UNIT_86, "部门")], summary_org=LONG_UNIT, title=title)
    links = unit_links(site.admin, round_id)
    assert set(links) == {LONG_UNIT, UNIT_86}
    for name, link in links.items():
        unit = site.client()
        template = unit.get(link + "/template.xlsx")
        assert template.status == 200
        assert_file_name(saved_name(template), "2021年政府信息公开工作年度报告填报表.xlsx")
        org = openpyxl.load_workbook(io.BytesIO(template.body))["基本信息"]["B4"].value
        assert org == name  # the template holds the whole name: only the file name is shortened

        answer = unit.upload(link + "/upload", LONG_UPLOAD, filled(tmp_path, name), link)
        assert answer.status == 303, answer.text
        page = unit.get(link).text
        assert "<td>校验中</td>" not in page and "0 项错误，0 项提示" in page, page
        for kind, ending in (
            ("file", ".xlsx"),
            ("annotated.xlsx", "-标注.xlsx"),
        ):
            got = unit.get(f"{link}/versions/1/{kind}")
            assert got.status == 200, (kind, got.text)
            assert_file_name(saved_name(got), ending)
        assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
        report = unit.get(f"{link}/versions/1/report.docx")
        assert report.status == 200, report.text
        assert_file_name(saved_name(report), "2021年政府信息公开工作年度报告.docx")

    summary = site.admin.get(f"/admin/rounds/{round_id}/summary.xlsx?include=submitted")
    assert summary.status == 200, summary.text
    assert_file_name(saved_name(summary), "2021年政府信息公开工作年度报告汇总.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(summary.body))
    detail = [c.value for row in wb["汇总明细"].iter_rows() for c in row if isinstance(c.value, str)]
    assert LONG_UNIT in detail and UNIT_86 in detail  # 汇总明细 names each unit in full
    stored = next(c for c in detail if c.startswith(LONG_UNIT + "/"))  # “文件”: 单位名称/上传时的文件名
    assert stored.endswith(".xlsx") and stored.startswith(LONG_UNIT + "/" + "报" * 70)
    assert wb["基本信息"]["B4"].value == LONG_UNIT

    for path, ending in (
        ("check.csv", "-校验结果.csv"),
        ("check.json", "-校验结果.json"),
        ("links.csv", "-各单位填报链接.csv"),
    ):
        table = site.admin.get(f"/admin/rounds/{round_id}/{path}")
        assert table.status == 200
        assert_file_name(saved_name(table), ending)
        assert saved_name(table).startswith("某某县" * 20)
    assert LONG_UNIT in site.admin.get(f"/admin/rounds/{round_id}/check.csv").body.decode("utf-8-sig")
    no_traceback(site)


@pytest.mark.parametrize("name", [LONG_UPLOAD, "报" * 86 + ".xlsx", "某某局\x1b[31m/..\\填报表.xlsx"])
def test_self_check_and_the_api_take_a_file_of_any_name(site, tmp_path, name):
    data = filled(tmp_path, "某某县人民政府办公室")
    client = site.client()
    page = client.post("/check", {}, {"file": (name, data)})
    assert page.status == 200, page.text
    token = re.search(r"/check/([^/\"]+)/annotated\.xlsx", page.text).group(1)
    for kind, ending in (("annotated.xlsx", "-标注.xlsx"), ("report.docx", "-报告.docx")):
        got = client.get(f"/check/{token}/{kind}")
        assert got.status == 200, (kind, got.text)
        assert_file_name(saved_name(got), ending)
    api = site.client().post("/api/check", {}, {"file": (name, data)}, csrf=False)
    assert api.status == 200, api.text
    audit = api.json()
    assert audit["summary"]["errors"] == 0
    no_traceback(site)


def test_versions_stored_under_names_too_long_for_the_disk_are_still_audited(tmp_path):
    """Uploads kept before names were cut by bytes (up to 120 characters) and a folder named after a unit
    of 100 characters: the workers write them under valid names and answer with the stored names."""
    from xlrep.serve import audits

    data = filled(tmp_path, LONG_UNIT)
    stored = "报" * 120 + ".xlsx"
    outcome = audits.check(data, stored)
    assert "error" not in outcome and outcome["audit"]["file"] == stored
    assert outcome["audit"]["summary"]["errors"] == 0 and outcome["org_name"] == LONG_UNIT
    result = audits.unit_result(data, LONG_UNIT, stored, 0.0)
    assert result.file == f"{LONG_UNIT}/{stored}" and result.unit == LONG_UNIT and result.readable
    assert audits.annotated(data, stored) is not None
    assert audits.report_file(data, stored, ".docx") is not None


@pytest.mark.browser
def test_a_browser_saves_the_template_of_a_unit_of_100_characters(site, page, tmp_path):
    """Chromium takes the RFC 5987 name as it is (≤ 255 bytes) and the file saves under it on this disk."""
    import openpyxl

    round_id = create_round(site.admin, [(LONG_UNIT, "部门")])
    (link,) = unit_links(site.admin, round_id).values()
    page.goto(site.url + link)
    with page.expect_download() as info:
        page.click("text=下载填报表（.xlsx）")
    name = info.value.suggested_filename
    assert_file_name(name, "2021年政府信息公开工作年度报告填报表.xlsx")
    assert name.startswith("某" * 60)
    info.value.save_as(tmp_path / name)
    assert openpyxl.load_workbook(tmp_path / name)["基本信息"]["B4"].value == LONG_UNIT


def test_an_upload_whose_name_is_gbk_bytes_is_checked(site, tmp_path):
    """A client that sends the file name in GBK (not UTF-8) in the multipart header: checked, no error.
    (Starlette reads a name that is not UTF-8 as Latin-1: the name is valid text, if not readable.)"""
    data = filled(tmp_path, "某某局")
    boundary = "----xlrepgbk"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + "某某局填报表.xlsx".encode("gbk")
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    answer = site.client().request(
        "POST", "/api/check", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert answer.status == 200, answer.text
    audit = answer.json()
    assert audit["summary"]["errors"] == 0 and audit["file"].endswith(".xlsx")
    audit["file"].encode("utf-8")
    no_traceback(site)
