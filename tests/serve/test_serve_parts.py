"""The parts of ``xlrep serve`` without a server: storage and workflow, unit lists, passwords and names,
the CSV export, the command line, and that ``xlrep ingest`` does not load the web stack."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from serve_support import new_round

from xlrep.common.errors import XlrepError
from xlrep.edition.form import load_form
from xlrep.serve import roster, security, views
from xlrep.serve.records import StateError, Version, unit_status
from xlrep.serve.schema import SCHEMA_VERSION
from xlrep.serve.storage import Store
from xlrep.units.batch import UnitResult
from xlrep.units.check_output import findings_csv

ROOT = Path(__file__).resolve().parents[2]
ORG_TYPES = tuple(load_form("2021").cells["info.org_type"].choices)


# -- storage and the workflow ----------------------------------------------------------------------


def _unit(store: Store):
    round_id = new_round(store, [("甲", ORG_TYPES[1]), ("乙", ORG_TYPES[2])], ip="127.0.0.1")
    return round_id, store.units(round_id)[0]


def _audit(errors=0, warnings=0):
    return {
        "file": "x.xlsx",
        "edition": "2021",
        "year": 2021,
        "template_version": "1.0",
        "summary": {"errors": errors, "warnings": warnings, "infos": 0},
        "findings": [],
    }


def _upload(store: Store, unit, errors=0, warnings=0, data=b"workbook"):
    version = store.add_version(unit, sha256=store.put_blob(data), filename="x.xlsx", size=len(data), ip=None)
    store.set_audit(version.id, _audit(errors, warnings), "甲")
    return version


def test_the_workflow_of_a_unit_from_upload_to_passed(store):
    round_id, unit = _unit(store)
    assert store.unit(unit.id).status == "未上传"
    _upload(store, unit, errors=2)
    assert store.unit(unit.id).status == "有错误"
    with pytest.raises(StateError, match="错误"):
        store.submit(unit, 1, None)
    _upload(store, unit, warnings=1)
    assert store.unit(unit.id).status == "待上报"  # no error: its 提示 are for the unit to verify, then 上报
    with pytest.raises(StateError, match="最新"):
        store.submit(unit, 1, None)  # not the latest version
    with pytest.raises(StateError, match="已上报"):
        store.decide(unit, "pass", None, None)  # nothing to pass yet
    store.submit(unit, 2, None)
    assert store.unit(unit.id).status == "已上报"
    with pytest.raises(StateError, match="不能再上传"):
        _upload(store, unit)
    store.decide(unit, "return", "请改正", None)
    returned = store.unit(unit.id)
    assert returned.status == "已退回" and returned.review_comment == "请改正"
    assert not returned.can_submit
    with pytest.raises(StateError, match="已被退回"):
        store.submit(unit, 2, None)  # the returned version itself cannot be reported again
    _upload(store, unit, data=b"workbook, corrected")
    assert store.unit(unit.id).can_submit
    assert store.unit(unit.id).status == "已退回"  # until the unit reports again
    store.submit(unit, 3, None)
    store.decide(unit, "pass", None, None)
    passed = store.unit(unit.id)
    assert passed.status == "已通过" and store.version_by_id(passed.review_version_id).number == 3
    with pytest.raises(StateError):
        _upload(store, unit)
    actions = [e.action for e in reversed(store.events(round_id=round_id))]
    assert actions == ["create_round", "upload", "upload", "submit", "return", "upload", "submit", "pass"]
    assert store.accepted_version(round_id, "甲").number == 3 and store.accepted_version(round_id, "乙") is None


def test_unit_status_words():
    """Never uploaded, uploaded with errors and uploaded clean but not 上报 are three different states."""
    assert unit_status(None, None) == "未上传"

    def version(errors, warnings, audited=True):
        return Version(
            1, 1, 1, "0" * 64, "x.xlsx", 1, 0.0, 1.0 if audited else None, errors, warnings, 0, None, None, None, None
        )

    assert unit_status(None, version(None, None, audited=False)) == "校验中"
    assert unit_status(None, version(1, 3)) == "有错误"
    assert unit_status(None, version(0, 3)) == "待上报"
    assert unit_status(None, version(0, 0)) == "待上报"
    assert unit_status("submitted", version(0, 0)) == "已上报"
    assert unit_status("submitted", None) == "已上报"
    assert unit_status("returned", None) == "已退回"
    assert unit_status("passed", None) == "已通过"


def test_files_are_stored_once_by_content_and_never_overwritten(store):
    digest = store.put_blob(b"abc")
    path = store.blob_path(digest)
    first = path.stat().st_mtime_ns
    assert store.put_blob(b"abc") == digest and path.stat().st_mtime_ns == first
    assert store.read_blob(digest) == b"abc" and path.parent.name == digest[:2]
    assert store.integrity_check() == "ok"
    if store.backend.kind == "sqlite":
        assert store._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_units_and_tokens(store):
    round_id, unit = _unit(store)
    units = store.units(round_id)
    assert [u.name for u in units] == ["甲", "乙"] and [u.position for u in units] == [1, 2]
    assert len({u.token for u in units}) == 2 and all(len(u.token) == 32 for u in units)
    assert store.unit_by_token(unit.token).id == unit.id and store.unit_by_token("x" * 32) is None
    assert store.add_units(round_id, [("乙", ORG_TYPES[0]), ("丙", ORG_TYPES[3])], None) == ["乙"]
    assert [u.name for u in store.units(round_id)] == ["甲", "乙", "丙"]


# -- unit lists ---------------------------------------------------------------------------------------


def test_a_unit_list_pasted_from_a_spreadsheet_with_header_aliases_and_chinese_commas():
    text = "单位名称\t机关类型\n某某局\t部门\n某某镇，乡镇\n某某街道, 街道\n县政府\t县级以上地方人民政府\n\n"
    assert [u[:2] for u in roster.from_text(text, "2021")] == [
        ("某某局", ORG_TYPES[1]),
        ("某某镇", ORG_TYPES[2]),
        ("某某街道", ORG_TYPES[2]),
        ("县政府", ORG_TYPES[0]),
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("某某局", "缺少机关类型"),
        ("某某局\t大机关", "“大机关”无效"),
        ("某某局\t部门\n某某局\t部门", "重复"),
    ],
)
def test_a_bad_unit_list_says_which_line_is_wrong(text, words):
    with pytest.raises(roster.RosterError, match=words) as info:
        roster.from_text(text, "2021")
    assert "第 " in info.value.message


def test_unit_lists_from_xlsx_and_gbk_csv():
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["单位名称", "机关类型"], ["甲局", "部门"], ["乙镇", "乡镇"]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert roster.from_file(buffer.getvalue(), "名单.xlsx", "2021") == [
        roster.RosterEntry("甲局", ORG_TYPES[1]),
        roster.RosterEntry("乙镇", ORG_TYPES[2]),
    ]
    gbk = "单位名称,机关类型,联系人,联系电话\r\n丙局,部门,赵六,0517-3333333\r\n".encode("gbk")
    assert roster.from_file(gbk, "名单.csv", "2021") == [
        roster.RosterEntry("丙局", ORG_TYPES[1], "赵六", "0517-3333333")
    ]


def test_a_unit_list_may_name_whom_to_call_for_reminders():
    book = openpyxl.Workbook()
    for row in (
        ["单位名称", "机关类型", "联系人", "联系电话"],
        ["甲局", "部门", "张三", "0517-1234567"],
        ["乙镇", "乡镇"],
    ):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert roster.from_file(buffer.getvalue(), "名单.xlsx", "2021") == [
        roster.RosterEntry("甲局", ORG_TYPES[1], "张三", "0517-1234567"),
        roster.RosterEntry("乙镇", ORG_TYPES[2], "", ""),
    ]
    with pytest.raises(roster.RosterError, match="联系人或联系电话"):
        roster.from_text("甲局\t部门\t" + "张" * 61, "2021")
    with pytest.raises(roster.RosterError, match="无法读取"):
        roster.from_file(b"PK\x03\x04broken", "坏.xlsx", "2021")


# -- passwords, names, CSRF, throttle -----------------------------------------------------------------


def test_passwords_are_scrypt_hashed_and_verified():
    stored = security.hash_password("一个密码-123")
    assert stored.startswith("scrypt$") and "一个密码" not in stored
    assert security.verify_password("一个密码-123", stored)
    assert not security.verify_password("一个密码-124", stored)
    assert not security.verify_password("x", "garbage") and not security.verify_password("x", None)
    assert security.hash_password("一个密码-123") != stored  # salted
    assert security.password_problem("abc", "abc") and security.password_problem("abcdefgh1", "abcdefgh2")
    assert security.password_problem("good-pass-1", "good-pass-1") is None


def test_login_throttle_window():
    now = 10_000.0
    assert security.throttle_wait([now - 1] * 4, now) == 0
    wait = security.throttle_wait([now - 60 + i for i in range(5)], now)
    assert 0 < wait <= security.LOGIN_WINDOW
    assert security.throttle_wait([now - security.LOGIN_WINDOW - 1] * 5, now) == 0


def test_csrf_tokens_bind_to_the_cookie():
    secret = b"s" * 32
    token = security.csrf_for(secret, "cookie-a")
    assert security.csrf_ok(secret, "cookie-a", token)
    assert not security.csrf_ok(secret, "cookie-b", token)
    assert not security.csrf_ok(secret, None, token) and not security.csrf_ok(secret, "cookie-a", None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("C:\\fakepath\\某某局填报表.xlsx", "某某局填报表.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("a<b>:c?.xlsx", "a_b__c_.xlsx"),
        ("CON.xlsx", "_CON.xlsx"),
        ("\x07\x1b[31m红.xlsx", "__[31m红.xlsx"),
        ("", "填报表"),
        (".xlsx", "填报表.xlsx"),
    ],
)
def test_upload_names(given, expected):
    assert views.upload_name(given) == expected


def test_upload_names_are_cut_to_255_bytes_keeping_the_extension():
    name = views.upload_name("名" * 300 + ".xlsx")
    assert len(name.encode("utf-8")) <= 255 and name.startswith("名" * 70) and name.endswith("）.xlsx")


def test_content_disposition_carries_the_chinese_name_as_rfc_5987():
    header = security.content_disposition("某某局2021年报告.docx")
    assert header.startswith("attachment; filename=\"2021.docx\"; filename*=UTF-8''")
    assert unquote(header.split("''", 1)[1]) == "某某局2021年报告.docx"
    assert all(ord(ch) < 128 for ch in header)
    assert '"' not in header.split("filename*")[1]
    long = unquote(security.content_disposition("某" * 100 + "2021年报告.docx").split("''", 1)[1])
    assert len(long.encode("utf-8")) <= 255 and long.endswith(".docx")


# -- the CSV of findings --------------------------------------------------------------------------------


def test_findings_csv_neutralises_formula_text(tmp_path):
    finding = {
        "rule": "VALUE-TEXT",
        "severity": "error",
        "message": '=HYPERLINK("http://x")',
        "cells": [{"sheet": "三", "cell": "C7", "label": "@SUM(A1)"}],
        "values": {"raw": "-1"},
    }
    results = [
        UnitResult(file="+evil.xlsx", unit="=cmd|' /C calc'!A0", edition="2021", year=2021, findings=[finding]),
        UnitResult(file="\tTAB.xlsx", unit="-2+3", edition="2021", year=2021),
    ]
    data = findings_csv(results)
    assert data.startswith("\ufeff单位,文件,格式版本,年度,规则".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert rows[1][0] == "'=cmd|' /C calc'!A0" and rows[1][1] == "'+evil.xlsx" and rows[1][6].startswith("'=HYPER")
    assert rows[2][0] == "'-2+3" and rows[2][1] == "'\tTAB.xlsx"


# -- the command line -------------------------------------------------------------------------------------


def test_serve_misuse_is_refused_in_chinese(run, tmp_path):
    code, _, err = run("serve", "--data", tmp_path / "d", "--certfile", tmp_path / "c.pem", "--no-browser")
    assert code == 2 and "--keyfile" in err
    (tmp_path / "file").write_text("x")
    code, _, err = run("serve", "--data", tmp_path / "file", "--no-browser")
    assert code == 2 and "不是文件夹" in err
    code, _, err = run("serve", "--port", "70000", "--no-browser")
    assert code == 2 and "--port" in err
    (tmp_path / "c.pem").write_text("not a certificate")
    (tmp_path / "k.pem").write_text("not a key")
    code, _, err = run(
        "serve",
        "--data",
        tmp_path / "d",
        "--certfile",
        tmp_path / "c.pem",
        "--keyfile",
        tmp_path / "k.pem",
        "--no-browser",
    )
    assert code == 2 and "证书或私钥无法使用" in err


def test_serve_on_a_port_in_use_says_so(run, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--data", tmp_path / "d", "--port", port, "--no-browser")
    assert code == 2 and f"端口 {port} 已被占用" in err


def test_serve_help_is_chinese(run):
    code, out, _ = run("serve", "--help")
    assert code == 0 and "收集网站" in out and "--certfile" in out and "--no-browser" in out


def test_ingest_does_not_import_the_web_stack(tmp_path):
    from filling import clean_values, fill_workbook

    path = fill_workbook(tmp_path / "f.xlsx", "2021", 2021, clean_values("2021", 2021))
    probe = (
        "import sys\n"
        "from xlrep.cli import main\n"
        f"code = main(['ingest', {str(path)!r}, '-q'])\n"
        "web = ('starlette', 'jinja2', 'uvicorn', 'multipart', 'xlrep.serve')\n"
        "loaded = sorted(m for m in web if m in sys.modules)\n"
        "print(code, loaded)\n"
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "0 []", out.stderr


def test_templates_and_static_files_are_in_the_wheel(tmp_path):
    """``pip install .`` must carry the pages: build the wheel (hatchling, as pip would) and look inside."""
    import zipfile

    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("xlrep-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in (
        "templates/base.html",
        "templates/unit.html",
        "templates/dashboard.html",
        "static/style.css",
        "static/app.js",
        "static/favicon.svg",
    ):
        assert f"xlrep/serve/{part}" in names, part
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    for dependency in ("starlette", "jinja2", "uvicorn", "python-multipart"):
        assert f"Requires-Dist: {dependency}" in metadata.lower().replace("requires-dist", "Requires-Dist"), dependency


# -- a returned version cannot come back unchanged (issue 17, item 2) ---------------------------------------------


def test_a_returned_version_cannot_be_reported_again_unchanged(store):
    _, unit = _unit(store)
    first = _upload(store, unit, data=b"v1")
    store.set_audit(first.id, _audit(0, 0), "甲", content="figures-1")
    store.submit(unit, 1, None)
    store.decide(unit, "return", "表三第二行请核实", None)
    # the same file again
    again = _upload(store, unit, data=b"v1")
    store.set_audit(again.id, _audit(0, 0), "甲", content="figures-1")
    with pytest.raises(StateError, match="同一个文件") as refused:
        store.submit(unit, 2, None)
    assert "表三第二行请核实" in refused.value.message  # the office's words, repeated
    # saved again (other bytes), the same figures and text
    resaved = _upload(store, unit, data=b"v1, saved again")
    store.set_audit(resaved.id, _audit(0, 0), "甲", content="figures-1")
    with pytest.raises(StateError, match="数字和文字") as refused:
        store.submit(unit, 3, None)
    assert "第 1 版" in refused.value.message and "表三第二行请核实" in refused.value.message
    # changed: it goes
    changed = _upload(store, unit, data=b"v4")
    store.set_audit(changed.id, _audit(0, 0), "甲", content="figures-2")
    assert store.submit(unit, 4, None).number == 4


def test_a_data_folder_of_the_first_release_is_upgraded_in_place(tmp_path, backend):
    import release1

    folder = tmp_path / "数据"
    ids = release1.make_folder(folder, backend)  # the first release's schema, verbatim, with its data
    store = Store(folder, database=backend)
    assert store._meta("schema_version") == SCHEMA_VERSION and store.site_id  # upgraded; the site now has its code
    unit = store.unit(ids["unit_2025"])
    assert unit.status == "待上报" and unit.last_year_id == ids["unit_2024"]  # kept; linked to last year by name
    (kept,) = store.versions(unit.id)
    assert kept.warnings == 1 and kept.content is None and kept.explained == {}
    assert store.accepted_version(ids["round_2024"], unit).number == 1
    assert store.round(ids["round_2025"]).state == "收集中"
    store.submit(unit, 1, None, {"all": "升级后照常上报"})  # the new rules apply to old versions too
    assert store.unit(unit.id).status == "已上报"
    _, added = _unit(store)  # new rows after the old ones (PostgreSQL: its identity columns go on from them)
    assert added.id > ids["unit_2025"]
    store.close()
    # opened again: nothing to do twice
    again = Store(folder, database=backend)
    assert again._meta("schema_version") == SCHEMA_VERSION
    # and a database of a newer release is refused with a Chinese message, not opened
    with again._write() as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    again.close()
    with pytest.raises(XlrepError, match="更新版本"):
        Store(folder, database=backend)


# -- 核实性审核: a version with 提示 is reported with a 说明 for each (issue 17, item 4) ------------------------------


def _audit_with(*severities):
    findings = [{"rule": "T2-IN-FORCE", "severity": s, "message": "m", "cells": [], "values": {}} for s in severities]
    counts = {k: sum(s == k for s in severities) for k in ("error", "warning", "info")}
    summary = {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"]}
    return {
        "file": "x.xlsx",
        "edition": "2021",
        "year": 2021,
        "template_version": "1.0",
        "summary": summary,
        "findings": findings,
    }


def test_warnings_are_reported_only_with_a_note_each_or_one_for_all_and_the_office_marks_them(store):
    _, unit = _unit(store)
    version = store.add_version(unit, sha256=store.put_blob(b"w"), filename="x.xlsx", size=1, ip=None)
    store.set_audit(version.id, _audit_with("warning", "info", "warning"), "甲")
    with pytest.raises(StateError, match="2 项提示，其中 1 项还没有写说明"):
        store.submit(unit, 1, None, {"0": "本年确无收费"})
    with pytest.raises(StateError, match="还没有写说明"):
        store.submit(unit, 1, None, {"0": "  ", "2": "\t"})  # blank is not a note
    store.submit(unit, 1, None, {"0": "本年确无收费", "2": "上年结转的 2 件已于 1 月办结", "1": "信息不需要"})
    kept = store.version(unit.id, 1)
    assert kept.explained == {"0": "本年确无收费", "2": "上年结转的 2 件已于 1 月办结"}  # 提示 only
    store.verify(kept.id, 2, True, None)
    assert store.version(unit.id, 1).verified_findings == {2}
    with pytest.raises(StateError, match="没有这一项提示"):
        store.verify(kept.id, 1, True, None)  # an info is not a 提示
    store.verify(kept.id, 2, False, None)
    assert store.version(unit.id, 1).verified_findings == set()


def test_one_note_may_cover_every_warning(store):
    _, unit = _unit(store)
    version = store.add_version(unit, sha256=store.put_blob(b"w2"), filename="x.xlsx", size=1, ip=None)
    store.set_audit(version.id, _audit_with("warning", "warning"), "甲")
    store.submit(unit, 1, None, {"all": "两项提示均已核实：表二为本年实际数。"})
    assert store.version(unit.id, 1).explained == {"all": "两项提示均已核实：表二为本年实际数。"}


# -- fixing the list; units from year to year (issue 17, item 3) -----------------------------------------------


def _round_of(store, year, names, previous_id=None):
    return new_round(store, [(n, ORG_TYPES[1]) for n in names], year=year, title=f"{year}", previous_id=previous_id)


def _passed(store, unit, data: bytes):
    version = store.add_version(unit, sha256=store.put_blob(data), filename="x.xlsx", size=len(data), ip=None)
    store.set_audit(version.id, _audit(0, 0), unit.name)
    store.submit(unit, version.number, None)
    store.decide(unit, "pass", None, None)
    return version


def test_a_renamed_unit_keeps_its_link_uploads_and_last_years_workbook(store):
    last = _round_of(store, 2024, ["旧名局", "乙局"])
    accepted = _passed(store, store.unit_named(last, "旧名局"), b"2024")
    this = _round_of(store, 2025, ["旧名局", "丙局"], previous_id=last)
    unit = store.unit_named(this, "旧名局")
    assert store.accepted_version(last, unit).id == accepted.id  # the same name: the same unit
    store.rename_unit(unit, "新名局", None)
    renamed = store.unit(unit.id)
    assert renamed.name == "新名局" and renamed.token == unit.token
    assert store.accepted_version(last, renamed).id == accepted.id  # still last year's, under its old name
    with pytest.raises(StateError, match="已有名为“丙局”"):
        store.rename_unit(renamed, "丙局", None)
    # a unit new this year whose old name differs: the office links it by hand
    newcomer = store.unit_named(this, "丙局")
    assert store.accepted_version(last, newcomer) is None
    store.link_last_year(newcomer, store.unit_named(last, "乙局").id, None)
    assert store.unit(newcomer.id).last_year_id == store.unit_named(last, "乙局").id
    with pytest.raises(StateError, match="不在上年"):
        store.link_last_year(newcomer, renamed.id, None)  # a unit of this year is not last year's
    events = [(e.action, e.detail) for e in store.events(round_id=this)]
    assert ("rename", "旧名局 → 新名局") in events


def test_a_new_link_replaces_the_old_one_and_a_unit_is_removed_without_losing_an_upload(store):
    round_id = _round_of(store, 2025, ["链局", "空局", "传局"])
    unit = store.unit_named(round_id, "链局")
    token = store.new_link(unit, None)
    assert store.unit_by_token(unit.token) is None and store.unit_by_token(token).id == unit.id
    empty = store.unit_named(round_id, "空局")
    assert store.remove_unit(empty, None) is True  # nothing uploaded
    assert store.unit(empty.id).removed_at  # kept off the list: its id never names another unit
    store.add_units(round_id, [("新局", ORG_TYPES[1])], None)
    assert store.unit_named(round_id, "新局").id != empty.id
    sent = store.unit_named(round_id, "传局")
    version = _upload(store, sent, data=b"kept")
    assert store.remove_unit(sent, None) is False  # it has an upload: kept, off the list
    assert [u.name for u in store.units(round_id)] == ["链局", "新局"]
    assert store.unit_by_token(sent.token) is None  # its link stops working
    assert [u.name for u in store.removed_units(round_id)] == ["空局", "传局"]
    assert store.read_blob(version.sha256) == b"kept"  # the file is still there
    with pytest.raises(StateError, match="移出名单"):
        store.add_version(sent, sha256=store.put_blob(b"late"), filename="x.xlsx", size=4, ip=None)
    with pytest.raises(StateError, match="已移出名单"):
        store.rename_unit(store.unit_named(round_id, "链局"), "传局", None)
    assert store.add_units(round_id, [("传局", ORG_TYPES[1])], None) == []  # listed again: brought back as it was
    back = store.unit(sent.id)
    assert back.removed_at is None and store.versions(back.id)[0].sha256 == version.sha256


def test_an_extension_without_a_round_deadline_closes_nothing_and_no_last_year_unit_means_none(store):
    from xlrep.serve.records import closed_for

    last = _round_of(store, 2024, ["续局"])
    _passed(store, store.unit_named(last, "续局"), b"2024")
    this = _round_of(store, 2025, ["续局"], previous_id=last)
    unit = store.unit_named(this, "续局")
    store.extend_unit(unit, "2020-01-01", "早已过去的一天", None)
    assert not closed_for(store.round(this), store.unit(unit.id))  # no deadline: an extension closes nothing
    store.add_version(store.unit(unit.id), sha256=store.put_blob(b"ok"), filename="x.xlsx", size=2, ip=None)
    assert store.accepted_version(last, store.unit(unit.id)) is not None
    store.link_last_year(store.unit(unit.id), None, None)  # “上年没有对应单位”
    assert store.accepted_version(last, store.unit(unit.id)) is None  # not found again by its name


# -- issue 22: the pieces of the site's limits ---------------------------------------------------------------


def test_the_rate_limit_refills_over_the_minute():
    from xlrep.serve.gate import Buckets

    buckets = Buckets(per_minute=3)
    assert [buckets.take("甲", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = buckets.take("甲", now=100.0)
    assert 19 < wait <= 20  # one token every 20 s
    assert buckets.take("乙", now=100.0) == 0.0  # another address has its own
    assert buckets.take("甲", now=121.0) == 0.0


def test_the_origin_check_reads_sec_fetch_site_then_origin():
    from xlrep.serve.gate import foreign_origin

    def scope(**headers):
        return {"headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]}

    assert not foreign_origin(scope(host="10.0.0.5:8000"))  # a script
    assert not foreign_origin(scope(host="10.0.0.5:8000", origin="http://10.0.0.5:8000"))
    assert not foreign_origin(scope(host="10.0.0.5:8000", origin="null", sec_fetch_site="same-origin"))
    assert foreign_origin(scope(host="10.0.0.5:8000", origin="http://evil.example"))
    assert foreign_origin(scope(host="10.0.0.5:8000", origin="null", sec_fetch_site="cross-site"))
    assert foreign_origin(scope(host="10.0.0.5:8000", sec_fetch_site="same-site"))


def test_the_same_log_message_passes_20_times_a_minute_then_is_counted(monkeypatch):
    import logging

    from xlrep.serve import connections

    clock = [1000.0]
    monkeypatch.setattr(connections.time, "monotonic", lambda: clock[0])
    repeat = connections.RepeatLimit(20)

    def record(text="同一个错误 %s", arg="x"):
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, text, (arg,), None)

    passed = [repeat.filter(record(arg=str(i))) for i in range(50)]
    assert passed.count(True) == 20
    assert repeat.filter(record("另一个错误 %s"))
    clock[0] += 61
    later = record()
    assert repeat.filter(later) and "又有 30 条，已省略" in later.getMessage()


def test_a_store_refuses_changes_once_its_database_is_gone(tmp_path):
    from xlrep.serve.storage import DataFolderError, Store

    store = Store(tmp_path / "data")
    store.log("管理员", "login", ip=None)
    (tmp_path / "data" / "xlrep.sqlite3").unlink()
    with pytest.raises(DataFolderError, match="不见了"):
        store.log("管理员", "login", ip=None)
    with pytest.raises(DataFolderError, match="不见了"):
        store.put_blob(b"data")
    store.close()


def test_asyncios_accept_failure_is_one_chinese_line_not_a_traceback():
    import logging

    from xlrep.serve.connections import AcceptFailure

    try:
        raise OSError(24, "Too many open files")
    except OSError as exc:
        record = logging.LogRecord(
            "asyncio",
            logging.ERROR,
            __file__,
            1,
            "socket.accept() out of system resource\nsocket: <s>",
            (),
            (type(exc), exc, exc.__traceback__),
        )
    assert AcceptFailure().filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "已达到系统允许打开的文件数" in line and "Traceback" not in line
