"""`xlrep template`: naming, never overwriting, atomic writes, Chinese messages and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from xlrep.common import files


def _props(path):
    wb = openpyxl.load_workbook(path)
    return {p.name: p.value for p in wb.custom_doc_props.props}


def test_default_name_in_current_folder_contains_the_year(run, tmp_path):
    code, out, _ = run("template", "2021")
    assert code == 0
    made = list(tmp_path.glob("*.xlsx"))
    assert [p.name for p in made] == ["2021年政府信息公开工作年度报告填报表.xlsx"]
    assert str(made[0]) in out


def test_org_name_goes_into_the_file_name_and_the_workbook(run, tmp_path):
    code, _, _ = run("template", "2022", "--org", "某某县人民政府办公室", "--org-type", "部门")
    assert code == 0
    path = tmp_path / "某某县人民政府办公室2022年政府信息公开工作年度报告填报表.xlsx"
    ws = openpyxl.load_workbook(path)["基本信息"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "某某县人民政府办公室" in values and "县级以上人民政府部门" in values and 2022 in values


@pytest.mark.parametrize(("year", "edition"), [("2019", "2019"), ("2020", "2019"), ("2021", "2021"), ("2024", "2021")])
def test_edition_follows_the_year(run, tmp_path, year, edition):
    code, _, err = run("template", year, "-o", "t.xlsx")
    assert code == 0 and "注意" not in err
    assert _props(tmp_path / "t.xlsx")["xlrep.edition"] == edition


def test_edition_override_warns_when_it_does_not_match_the_year(run, tmp_path):
    code, _, err = run("template", "2020", "--edition", "2021", "-o", "t.xlsx")
    assert code == 0
    assert "注意" in err and "2019年版" in err
    assert _props(tmp_path / "t.xlsx")["xlrep.edition"] == "2021"


@pytest.mark.parametrize("year", ["2018", str(date.today().year + 2), "21", "abc", "2021年"])
def test_unsupported_years_are_refused_in_chinese(run, tmp_path, year):
    code, _, err = run("template", year)
    assert code == 2
    assert err.startswith("错误：") and "年度" in err
    assert not list(tmp_path.iterdir())


def test_next_year_is_allowed(run):
    assert run("template", str(date.today().year + 1))[0] == 0


def test_existing_file_is_never_overwritten_without_force(run, tmp_path):
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"a clerk's work")
    code, _, err = run("template", "2021", "-o", str(target))
    assert code == 2 and "已存在" in err and "--force" in err
    assert target.read_bytes() == b"a clerk's work"
    code, _, _ = run("template", "2021", "-o", str(target), "--force")
    assert code == 0 and target.read_bytes().startswith(b"PK")


def test_output_folder_gets_the_default_name(run, tmp_path):
    (tmp_path / "out").mkdir()
    assert run("template", "2021", "-o", "out")[0] == 0
    assert (tmp_path / "out" / "2021年政府信息公开工作年度报告填报表.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-o", "missing/t.xlsx"], "不存在"),
        (["-o", "t.xls"], ".xlsx"),
        (["--edition", "2020"], "2019 或 2021"),
        (["--org-type", "学校"], "机关类型"),
        (["--org", "  "], "机关名称"),
        (["--bogus"], "没有这个选项"),
    ],
)
def test_misuse_gets_a_chinese_message_and_exit_2(run, tmp_path, args, needle):
    code, _, err = run("template", "2021", *args)
    assert code == 2 and needle in err
    assert not list(tmp_path.glob("*.xlsx"))


def test_missing_year_and_unknown_command(run):
    code, _, err = run("template")
    assert code == 2 and "缺少参数" in err
    code, _, err = run("nonsense")
    assert code == 2 and "没有这个命令" in err


def test_unwritable_folder_is_reported(run, tmp_path, monkeypatch):
    # Tests run as root in CI, where chmod cannot deny a write: refuse it the way the OS would.
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    code, _, err = run("template", "2021", "-o", "t.xlsx")
    assert code == 2 and "权限" in err
    assert list(tmp_path.iterdir()) == []


def test_write_is_atomic_interrupt_leaves_no_file(run, tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    code, _, err = run("template", "2021", "-o", "t.xlsx")
    assert code == 130 and "中断" in err
    assert list(tmp_path.iterdir()) == []


def test_failed_replace_keeps_the_old_file_intact(run, tmp_path, monkeypatch):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken)
    code, _, err = run("template", "2021", "-o", str(target), "--force")
    assert code == 2 and "无法写入" in err
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_written_file_has_ordinary_permissions(run, tmp_path):
    run("template", "2021", "-o", "t.xlsx")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "t.xlsx").stat().st_mode & 0o777 == 0o666 & ~mask


def test_version_and_help(run):
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("xlrep ")
    code, out, _ = run("template", "--help")
    assert code == 0 and "--force" in out and "年度" in out


def test_runs_as_a_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "xlrep", "template", "2021", "-o", str(tmp_path / "m.xlsx")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "m.xlsx").exists()


def test_org_given_with_from_is_not_marked_as_carried_over(run, tmp_path):
    last = tmp_path / "last.xlsx"
    assert run("template", "2021", "--org", "旧名称", "-o", str(last))[0] == 0
    code, _, err = run("template", "2022", "--from", str(last), "--org", "新名称", "-o", "new.xlsx")
    assert code == 0 and "预填" in err
    ws = openpyxl.load_workbook(tmp_path / "new.xlsx")["基本信息"]
    name_cell = next(c for row in ws.iter_rows() for c in row if c.value == "新名称")
    assert name_cell.comment is None and not name_cell.fill.fgColor.rgb.endswith("E4DFEC")


def test_ingest_previous_of_the_wrong_year_prints_a_notice(run, tmp_path):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "huaian-2024.xlsx"
    code, _, err = run("ingest", str(sample), "-q", "--previous", str(sample))
    assert code == 0 and "不是 2023 年度" in err


@pytest.mark.parametrize("command", [[], ["template"], ["ingest"], ["check"], ["merge"]])
def test_help_screens_are_chinese(run, command):
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "显示本帮助后退出" in out and "选项" in out
    assert "Show this message" not in out
