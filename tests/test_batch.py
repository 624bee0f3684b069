"""Many units: `xlrep check` (a folder of workbooks, one summary row per unit) and `xlrep merge` (汇总).

Workbooks are written directly (``build_template`` with values, or ``fill_workbook``);
no LibreOffice.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from filling import clean_values, fill_workbook

from xlrep.auditing.ingest import audit
from xlrep.edition.form import load_form
from xlrep.units.aggregate import DETAIL_SHEET
from xlrep.units.batch import audit_unit
from xlrep.workbook.engine import compute_totals
from xlrep.workbook.layout import build_layout, cell_ref
from xlrep.writer.template import build_template

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# The 汇总明细 sheet's key figures after its 8 fixed columns: form key -> column header.
DETAIL_FIGURES = {
    "t3.new_received.total": "本年新收",
    "t3.carried_in.total": "上年结转",
    "t3.result_total.total": "办理结果总计",
    "t3.carried_forward.total": "结转下年度",
    "t4.review.total": "行政复议",
    "t4.suit_direct.total": "行政诉讼（直接起诉）",
    "t4.suit_after_review.total": "行政诉讼（复议后起诉）",
}


def unit_values(org: str, edition: str = "2021", year: int = 2022, seed: int = 1, **changes) -> dict:
    values = clean_values(edition, year, seed)
    values["info.org_name"] = org
    values.update(changes)
    return values


def write(path: Path, values: dict, edition: str = "2021", year: int = 2022) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_template(year, load_form(edition), values=values))
    return path


def parse_table(err: str) -> dict[str, list[str]]:
    """The summary table on stderr: unit -> [版本, 年度, 错误, 提示, 状态]."""
    lines = err.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.split()[:6] == ["单位", "版本", "年度", "错误", "提示", "状态"]
    )
    rows: dict[str, list[str]] = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        parts = line.split()
        assert len(parts) == 6, line
        assert parts[0] not in rows, f"two rows for {parts[0]}"
        rows[parts[0]] = parts[1:]
    return rows


# -- check ---------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path) -> tuple[Path, dict[str, str]]:
    """12 files to check (one lock file to ignore); returns the folder and unit -> expected state."""
    root = tmp_path / "各单位"
    expected: dict[str, str] = {}
    for i, org in enumerate(["甲局", "乙局", "丙局", "丁局"], start=1):
        write(root / f"{i:02d}{org}.xlsx", unit_values(org, seed=i))
        expected[org] = "通过"
    fill_workbook(root / "05错局.xlsx", "2021", 2022, unit_values("错局", seed=5, **{"t4.review.pending": "12件"}))
    expected["错局"] = "有错误"
    write(root / "06提示局.xlsx", unit_values("提示局", seed=6, **{"t2.rules.in_force": 0}))
    expected["提示局"] = "有提示"
    (root / "07损坏.xlsx").write_bytes(os.urandom(3000))
    expected["07损坏"] = "无法读取"
    (root / "08旧格式.xls").write_bytes(OLE_MAGIC + os.urandom(4000))
    expected["08旧格式"] = "无法读取"
    (root / "~$01甲局.xlsx").write_bytes(b"\x06user  " + bytes(150))  # Excel's lock file: not a unit
    write(root / "乡镇" / "09戊镇.xlsx", unit_values("戊镇", seed=9))
    expected["戊镇"] = "通过"
    write(root / "乡镇" / "深层" / "10己镇.xlsx", unit_values("己镇", seed=10))
    expected["己镇"] = "通过"
    write(root / "乡镇" / "11庚镇.xlsx", unit_values("庚镇", seed=11))
    expected["庚镇"] = "通过"
    write(root / "12辛局.xlsx", unit_values("辛局", seed=12, **{"t3.new_received.research": 99}))  # T3-IDENTITY
    expected["辛局"] = "有错误"
    return root, expected


def test_check_a_folder_lists_every_unit_with_its_state(run, folder):
    root, expected = folder
    code, out, err = run("check", root)
    assert code == 1
    rows = parse_table(err)
    assert {unit: row[-1] for unit, row in rows.items()} == expected
    assert not any("~$" in unit for unit in rows)
    assert rows["甲局"][:2] == ["2021年版", "2022"]
    assert rows["07损坏"][:2] == ["-", "-"]
    assert int(rows["错局"][2]) >= 1 and int(rows["辛局"][2]) >= 1
    assert rows["提示局"][2:4] == ["0", "1"]
    assert rows["08旧格式"][2] == "1"
    assert "共 12 个单位" in err and "4 个有错误" in err and "2 个无法读取" in err


def test_check_json_lists_every_unit_with_its_findings(run, folder):
    root, expected = folder
    code, out, _ = run("check", root, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["files"] == 12
    units = {u["unit"]: u for u in data["units"]}
    assert {name: u["state"] for name, u in units.items()} == expected
    assert not any(Path(u["file"]).name.startswith("~$") for u in data["units"])
    assert data["summary"] == {
        "units": 12,
        "passed": 8,
        "with_errors": 4,
        "unreadable": 2,
        "errors": sum(u["summary"]["errors"] for u in data["units"]),
        "warnings": sum(u["summary"]["warnings"] for u in data["units"]),
    }
    rules = {name: {f["rule"] for f in u["findings"]} for name, u in units.items()}
    assert "VALUE-TEXT" in rules["错局"]
    assert "T3-IDENTITY" in rules["辛局"]
    assert rules["提示局"] == {"T2-IN-FORCE"}
    assert rules["07损坏"] == rules["08旧格式"] == {"FILE-UNREADABLE"}
    assert ".xls" in units["08旧格式"]["findings"][0]["message"]
    for name, state in expected.items():
        if state == "通过":
            assert units[name]["findings"] == [] and units[name]["summary"]["errors"] == 0
    for u in data["units"]:
        counted = Counter(f["severity"] for f in u["findings"])
        assert u["summary"] == {"errors": counted["error"], "warnings": counted["warning"], "infos": counted["info"]}


def test_check_csv_has_one_line_per_finding_with_the_unit(run, folder, tmp_path):
    root, expected = folder
    target = tmp_path / "问题清单.csv"
    code, out, err = run("check", root, "--json", "--csv", target)
    assert code == 1 and "已写出问题清单" in err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == ["单位", "文件", "格式版本", "年度", "规则", "严重程度", "说明", "单元格", "数值"]
    body = lines[1:]
    units = json.loads(out)["units"]
    want = Counter()
    for u in units:
        if u["findings"]:
            want.update((u["unit"], f["rule"]) for f in u["findings"])
        else:
            want[(u["unit"], "")] += 1
    assert Counter((line[0], line[4]) for line in body) == want
    assert len(body) == sum(max(1, len(u["findings"])) for u in units)
    assert {line[0] for line in body} == set(expected)
    by_unit = {line[0]: line for line in body}
    assert by_unit["甲局"][6] == "没有发现问题"
    text = next(line for line in body if line[0] == "错局" and line[4] == "VALUE-TEXT")
    assert text[5] == "错误" and "四、复议诉讼!" in text[7] and "12件" in text[8]
    assert "{" not in text[8] and by_unit["甲局"][2] == "2021年版"  # values in words, the edition named as such


def test_check_results_are_the_same_in_parallel_and_in_one_process(run, folder):
    root, _ = folder
    outputs = [run("check", root, "--json", *jobs) for jobs in ([], ["-j", "1"], ["-j", "3"])]
    assert [code for code, _, _ in outputs] == [1, 1, 1]
    assert outputs[0][1] == outputs[1][1] == outputs[2][1]
    assert outputs[0][2] == outputs[1][2] == outputs[2][2]


@pytest.fixture
def pools(monkeypatch) -> list[int]:
    """Records every process pool the batch code starts (its worker count)."""
    from concurrent.futures import ProcessPoolExecutor

    import xlrep.units.batch

    started: list[int] = []

    class Recording(ProcessPoolExecutor):
        def __init__(self, max_workers=None, *args, **kwargs):
            started.append(max_workers)
            super().__init__(max_workers, *args, **kwargs)

    monkeypatch.setattr(xlrep.units.batch, "ProcessPoolExecutor", Recording)
    return started


def test_check_uses_worker_processes_by_default_and_not_with_j1(run, folder, pools, monkeypatch):
    import xlrep.units.batch

    monkeypatch.setattr(xlrep.units.batch.os, "cpu_count", lambda: 2)  # as on a small office PC
    root = folder[0]
    parallel = run("check", root, "--json")
    assert pools == [2]
    single = run("check", root, "--json", "-j", "1")
    assert pools == [2]  # no pool for -j 1
    assert parallel == single


def test_audit_many_keeps_the_order_found_and_reports_progress(folder, pools):
    from xlrep.units.batch import audit_many, find_workbooks

    files = find_workbooks([folder[0]])
    assert len(files) == 12
    seen: list[str] = []
    results = audit_many(files, jobs=2, progress=lambda r: seen.append(r.file))
    assert pools == [2]
    assert [r.file for r in results] == seen == [str(p) for p in files]
    assert audit_many(files[:7], jobs=4) and pools == [2]  # fewer than 8 files: not worth a pool


def test_one_crashing_file_does_not_stop_the_others(run, folder, monkeypatch):
    import xlrep.auditing.ingest

    root, expected = folder
    real = xlrep.auditing.ingest.audit

    def flaky(path, *args, **kwargs):
        if "丙局" in str(path):
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(xlrep.auditing.ingest, "audit", flaky)
    code, out, err = run("check", root, "-j", "1", "--json")
    assert code == 1
    units = {u["unit"]: u for u in json.loads(out)["units"]}
    assert units["03丙局"]["state"] == "无法读取" and "RuntimeError" in units["03丙局"]["findings"][0]["message"]
    expected.pop("丙局")
    assert {name: units[name]["state"] for name in expected} == expected


def test_check_exits_0_when_every_unit_is_clean(run, tmp_path):
    root = tmp_path / "clean"
    for i in range(9):
        write(root / f"{i}.xlsx", unit_values(f"单位{i}", seed=i))
    code, out, err = run("check", root)
    assert code == 0
    assert set(row[-1] for row in parse_table(err).values()) == {"通过"}
    assert len(parse_table(err)) == 9
    code, _, _ = run("check", root / "0.xlsx", root / "1.xlsx")  # files, not only folders
    assert code == 0


def test_check_ignores_its_own_csv_saved_in_the_checked_folder(run, tmp_path):
    root = tmp_path / "各单位"
    for i in range(3):
        write(root / f"{i}.xlsx", unit_values(f"单位{i}", seed=i))
    code, _, _ = run("check", root, "--csv", root / "问题清单.csv")
    assert code == 0 and (root / "问题清单.csv").exists()
    code, out, err = run("check", root, "--json", "--csv", root / "问题清单.csv")  # checked again after fixes
    assert code == 0, err
    assert [Path(u["file"]).name for u in json.loads(out)["units"]] == ["0.xlsx", "1.xlsx", "2.xlsx"]
    (root / "误交.csv").write_text("单位,收到申请\n某局,12\n", encoding="utf-8")  # a unit's own CSV still counts
    code, _, err = run("check", root)
    assert code == 1 and parse_table(err)["误交"][-1] == "无法读取"


def test_check_warnings_alone_exit_0(run, tmp_path):
    path = write(tmp_path / "w.xlsx", unit_values("提示局", **{"t2.rules.in_force": 0}))
    code, _, err = run("check", path)
    assert code == 0 and parse_table(err)["提示局"][-1] == "有提示"


def test_check_misuse_exits_2(run, tmp_path, folder):
    root, _ = folder
    code, _, err = run("check", root, tmp_path / "没有这个文件夹")
    assert code == 2 and "找不到" in err
    (tmp_path / "空").mkdir()
    code, _, err = run("check", tmp_path / "空")
    assert code == 2 and "没有找到" in err
    code, _, err = run("check", root, "--csv", tmp_path / "no" / "x.csv")
    assert code == 2
    code, _, err = run("check", root, "--csv", tmp_path / "x.txt")
    assert code == 2


def test_check_a_single_unreadable_file_exits_1(run, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(os.urandom(100))
    code, _, err = run("check", bad)
    assert code == 1 and parse_table(err)["bad"][-1] == "无法读取"


# -- merge ---------------------------------------------------------------------------------


AMOUNTS = [0.1, 0.2, 961716.0, 1234.56, 0.07, 3]


def exact_sum(values) -> Decimal:
    total = Decimal(0)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        total += Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    return total


def numeric_inputs(edition: str) -> list[str]:
    return [c.key for c in load_form(edition).inputs if c.is_numeric]


def read_keys(path: Path, edition: str, keys, data_only: bool = False) -> dict[str, object]:
    layout = build_layout(load_form(edition))
    wb = openpyxl.load_workbook(path, data_only=data_only)
    out = {}
    for key in keys:
        sheet, row, col = layout.addresses[key]
        out[key] = wb[sheet][cell_ref(row, col)].value
    return out


def assert_exact(value, expected: Decimal, key: str) -> None:
    assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
    assert Decimal(repr(value)) == expected, (key, value, expected)


@pytest.fixture
def units_2022(tmp_path) -> tuple[Path, list[dict]]:
    root = tmp_path / "各单位"
    fills = []
    for i, amount in enumerate(AMOUNTS):
        values = unit_values(f"单位{i}", seed=20 + i, **{"t2.admin_fees.amount": amount})
        values["t2.licensing.decisions"] = 1000 + i
        values["t4.suit_after_review.pending"] = i
        write(root / f"{i}.xlsx", values)
        fills.append(values)
    return root, fills


def test_merge_sums_every_numeric_input_exactly(run, tmp_path, units_2022):
    root, fills = units_2022
    out = tmp_path / "汇总.xlsx"
    code, stdout, err = run("merge", root, "-o", out, "--org", "某某县人民政府", "--org-type", "政府")
    assert code == 0, err
    assert "已汇总 6 个单位" in stdout
    keys = numeric_inputs("2021")
    merged = read_keys(out, "2021", keys)
    for key in keys:
        assert_exact(merged[key], exact_sum(f.get(key) for f in fills), key)
    assert Decimal(repr(merged["t2.admin_fees.amount"])) == Decimal("962953.93")
    info = read_keys(out, "2021", ["info.org_name", "info.org_type"])
    assert info == {"info.org_name": "某某县人民政府", "info.org_type": "县级以上地方人民政府"}


@pytest.mark.parametrize(
    ("amounts", "total"),
    [
        ([0.1, 0.2], "0.3"),
        ([1.1, 2.2], "3.3"),
        ([4.35, 0.1], "4.45"),
        ([96171.6, 0.1, 0.2, 1234.56, 0.07, 3], "97409.53"),
    ],
)
def test_sum_values_is_exact_decimal_arithmetic(amounts, total):
    from xlrep.units.aggregate import sum_values
    from xlrep.units.batch import UnitResult

    units = [
        UnitResult(f"{i}.xlsx", f"单位{i}", "2021", 2022, values={"t2.admin_fees.amount": a, "t3.granted.other": 1})
        for i, a in enumerate(amounts)
    ]
    summed = sum_values("2021", units)
    assert summed["t2.admin_fees.amount"] == float(total) and repr(summed["t2.admin_fees.amount"]) == total
    assert summed["t3.granted.other"] == len(amounts) and isinstance(summed["t3.granted.other"], int)
    assert summed["t3.granted.natural_person"] == 0  # blanks count as 0


def test_merge_of_point_one_and_point_two_is_point_three(run, tmp_path):
    root = tmp_path / "两个"
    write(root / "a.xlsx", unit_values("甲", seed=1, **{"t2.admin_fees.amount": 0.1}))
    write(root / "b.xlsx", unit_values("乙", seed=2, **{"t2.admin_fees.amount": 0.2}))
    out = tmp_path / "汇总.xlsx"
    assert run("merge", root, "-o", out)[0] == 0
    assert read_keys(out, "2021", ["t2.admin_fees.amount"])["t2.admin_fees.amount"] == 0.3


def test_merge_output_is_a_live_protected_template_that_audits_clean(run, tmp_path, units_2022):
    root, fills = units_2022
    out = tmp_path / "汇总.xlsx"
    assert run("merge", root, "-o", out)[0] == 0
    result = audit(out)
    assert result.edition == "2021" and result.year == 2022
    bad = [
        f for f in result.findings if f.severity == "error" and f.rule.startswith(("T3-", "T4-", "TEMPLATE-", "VALUE-"))
    ]
    assert bad == []
    assert not [
        f for f in result.findings if f.rule in ("TEMPLATE-TAMPERED", "TEMPLATE-UNKNOWN", "TEMPLATE-UNPROTECTED")
    ]
    # totals: formulas, with cached results equal to the sums of the units' totals
    form = load_form("2021")
    totals = [c.key for c in form.totals]
    formulas = read_keys(out, "2021", totals)
    assert all(str(v).startswith("=") for v in formulas.values())
    cached = read_keys(out, "2021", totals, data_only=True)
    unit_totals = [compute_totals(form, f) for f in fills]
    for key in totals:
        assert_exact(cached[key], exact_sum(t[key] for t in unit_totals), key)
    wb = openpyxl.load_workbook(out)
    for sheet in build_layout(load_form("2021")).sheets:
        assert wb[sheet.name].protection.sheet, sheet.name
    assert wb[DETAIL_SHEET].protection.sheet
    assert wb.security is not None and wb.security.lockStructure


def test_merge_detail_sheet_has_one_row_per_unit_with_key_figures(run, tmp_path, units_2022):
    root, fills = units_2022
    out = tmp_path / "汇总.xlsx"
    assert run("merge", root, "-o", out)[0] == 0
    ws = openpyxl.load_workbook(out)[DETAIL_SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header, body = rows[0], [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    assert header[:8] == ["序号", "机关名称", "文件", "机关类型", "是否计入", "校验状态", "错误", "提示"]
    assert header[8:-2] == list(DETAIL_FIGURES.values())
    assert header[-2:] == ["路径", "层级"]
    assert len(body) == len(fills)
    form = load_form("2021")
    by_name = {r[1]: r for r in body}
    states = {u.unit: u for u in map(audit_unit, sorted(root.glob("*.xlsx")))}
    assert states["单位2"].state == "有提示"  # 961716 万元 (96 万元 typed in 元) for a department: T2-FEE-UNIT
    for f in fills:
        row = by_name[f["info.org_name"]]
        unit = states[f["info.org_name"]]
        assert row[3] == f["info.org_type"]
        assert row[4] == "计入" and row[5] == unit.state
        assert row[6:8] == [unit.summary["errors"], unit.summary["warnings"]]
        full = {**f, **compute_totals(form, f)}
        assert row[8:-2] == [full[k] for k in DETAIL_FIGURES]
        assert row[-2:] == [f["info.org_name"], 1]  # no --office: the path is the unit's name, given directly
    assert sorted(r[0] for r in body) == list(range(1, len(fills) + 1))


def test_merge_refuses_mixed_years(run, tmp_path):
    root = tmp_path / "混合"
    for i in range(3):
        write(root / f"{i}.xlsx", unit_values(f"单位{i}", seed=i))
    write(root / "old.xlsx", unit_values("旧年", year=2021, seed=9), year=2021)
    out = tmp_path / "汇总.xlsx"
    code, _, err = run("merge", root, "-o", out)
    assert code == 1 and "MERGE-MIXED" in err and "2021 年度" in err and "2022 年度" in err
    assert not out.exists()


def test_merge_refuses_mixed_editions(run, tmp_path):
    root = tmp_path / "混合"
    write(root / "a.xlsx", unit_values("甲", edition="2019", year=2020, seed=1), edition="2019", year=2020)
    write(root / "b.xlsx", unit_values("乙", edition="2019", year=2020, seed=2), edition="2019", year=2020)
    write(root / "c.xlsx", unit_values("丙", edition="2021", year=2020, seed=3), edition="2021", year=2020)
    out = tmp_path / "汇总.xlsx"
    code, _, err = run("merge", root, "-o", out)
    assert code == 1 and "MERGE-MIXED" in err and "2019年版" in err and "2021年版" in err
    assert not out.exists()


@pytest.mark.parametrize("newest", ["a", "b"])
def test_merge_duplicate_keeps_the_most_recently_modified(run, tmp_path, newest):
    root = tmp_path / "重复"
    a = write(root / "a.xlsx", unit_values("甲局", seed=1, **{"t2.licensing.decisions": 100}))
    b = write(root / "b.xlsx", unit_values("甲局", seed=2, **{"t2.licensing.decisions": 7}))
    other = write(root / "c.xlsx", unit_values("乙局", seed=3, **{"t2.licensing.decisions": 1}))
    kept, dropped = (a, b) if newest == "a" else (b, a)
    os.utime(dropped, (1_600_000_000, 1_600_000_000))
    os.utime(kept, (1_700_000_000, 1_700_000_000))
    out = tmp_path / "汇总.xlsx"
    code, stdout, err = run("merge", root, "-o", out)
    assert code == 0
    assert "MERGE-DUPLICATE" in err and str(kept) in err and "已汇总 2 个单位" in stdout
    expected = {"a": 101, "b": 8}[newest]
    assert read_keys(out, "2021", ["t2.licensing.decisions"])["t2.licensing.decisions"] == expected
    kept_values = unit_values("甲局", seed=1 if newest == "a" else 2)
    other_values = unit_values("乙局", seed=3)
    key = "t3.new_received.natural_person"
    assert read_keys(out, "2021", [key])[key] == kept_values[key] + other_values[key]
    rows = list(openpyxl.load_workbook(out)[DETAIL_SHEET].iter_rows(values_only=True))[1:]
    inclusion = {(r[1], r[2]): r[4] for r in rows if r[1]}
    assert inclusion == {
        ("甲局", str(kept)): "计入",
        ("甲局", str(dropped)): "未计入（重复）",
        ("乙局", str(other)): "计入",
    }


def test_merge_units_without_a_name_are_not_duplicates_of_each_other(run, tmp_path):
    """Each unit sends the default file name with 机关名称 left blank: both are summed, neither dropped."""
    root = tmp_path / "单位"
    name = "2022年政府信息公开工作年度报告填报表.xlsx"
    write(root / "甲" / name, unit_values(None, seed=1, **{"t2.licensing.decisions": 10}))
    write(root / "乙" / name, unit_values(None, seed=2, **{"t2.licensing.decisions": 20}))
    write(root / "丙.xlsx", unit_values("丙局", seed=3, **{"t2.licensing.decisions": 30}))
    out = tmp_path / "汇总.xlsx"
    code, stdout, err = run("merge", root, "-o", out)
    assert code == 0 and "已汇总 3 个单位" in stdout
    assert "MERGE-DUPLICATE" not in err and "MERGE-UNIT-ERRORS" in err  # blank 机关名称 is TEXT-MISSING
    assert read_keys(out, "2021", ["t2.licensing.decisions"])["t2.licensing.decisions"] == 60


def test_merge_includes_a_unit_with_errors_and_says_so(run, tmp_path):
    root = tmp_path / "单位"
    good = [unit_values(f"单位{i}", seed=i) for i in range(3)]
    for i, v in enumerate(good):
        write(root / f"{i}.xlsx", v)
    broken = unit_values("错局", seed=8)
    broken["t3.new_received.commercial"] += 5  # T3-IDENTITY error
    write(root / "错.xlsx", broken)
    out = tmp_path / "汇总.xlsx"
    code, stdout, err = run("merge", root, "-o", out)
    assert code == 0 and "已汇总 4 个单位" in stdout
    assert "MERGE-UNIT-ERRORS" in err and "错局" in err and "T3-IDENTITY" in err
    key = "t3.new_received.commercial"
    assert read_keys(out, "2021", [key])[key] == sum(v[key] for v in good) + broken[key]
    row = next(r for r in openpyxl.load_workbook(out)[DETAIL_SHEET].iter_rows(values_only=True) if r[1] == "错局")
    assert row[4] == "计入" and row[5] == "有错误" and row[6] >= 1


def test_merge_skips_an_unreadable_file_and_merges_the_rest(run, tmp_path):
    root = tmp_path / "单位"
    fills = [unit_values(f"单位{i}", seed=i) for i in range(3)]
    for i, v in enumerate(fills):
        write(root / f"{i}.xlsx", v)
    (root / "坏.xlsx").write_bytes(os.urandom(500))
    out = tmp_path / "汇总.xlsx"
    code, stdout, err = run("merge", root, "-o", out)
    assert code == 0 and "已汇总 3 个单位" in stdout and "坏.xlsx" in err
    key = "t3.granted.natural_person"
    assert read_keys(out, "2021", [key])[key] == sum(v[key] for v in fills)


def test_merge_never_overwrites_without_force(run, tmp_path, units_2022):
    root, _ = units_2022
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"keep me")
    code, _, err = run("merge", root, "-o", out)
    assert code == 2 and "已存在" in err
    assert out.read_bytes() == b"keep me"
    code, _, _ = run("merge", root, "-o", out, "--force")
    assert code == 0 and audit(out).edition == "2021"


def test_merge_does_not_count_its_own_output_in_the_folder(run, tmp_path, units_2022):
    root, fills = units_2022
    out = root / "汇总.xlsx"
    assert run("merge", root, "-o", out)[0] == 0
    code, stdout, _ = run("merge", root, "-o", out, "--force")
    assert code == 0 and f"已汇总 {len(fills)} 个单位" in stdout
    key = "t3.carried_forward.total"
    assert read_keys(out, "2021", [key], data_only=True)[key] == sum(
        compute_totals(load_form("2021"), f)[key] for f in fills
    )


def test_merge_2019_procurement_amounts_in_yuan_become_wan_yuan(run, tmp_path):
    root = tmp_path / "2020"
    amounts = [(123456, "元"), (3.5, "万元"), (0.25, None), (98765.4, "元"), (10, "万元")]
    fills = []
    for i, (amount, unit) in enumerate(amounts):
        values = unit_values(f"单位{i}", edition="2019", year=2020, seed=i)
        values["t2.procurement.amount"] = amount
        values["t2.procurement.amount_unit"] = unit
        values["t2.licensing.change"] = -i  # signed figures sum too
        write(root / f"{i}.xlsx", values, edition="2019", year=2020)
        fills.append(values)
    out = tmp_path / "汇总.xlsx"
    code, _, err = run("merge", root, "-o", out)
    assert code == 0, err
    merged = read_keys(out, "2019", ["t2.procurement.amount", "t2.procurement.amount_unit", "t2.licensing.change"])
    assert_exact(
        merged["t2.procurement.amount"],
        Decimal("12.3456") + Decimal("3.5") + Decimal("0.25") + Decimal("9.87654") + 10,
        "t2.procurement.amount",
    )
    assert merged["t2.procurement.amount_unit"] == "万元"
    assert merged["t2.licensing.change"] == -10
    keys = [k for k in numeric_inputs("2019") if k != "t2.procurement.amount"]
    every = read_keys(out, "2019", keys)
    for key in keys:
        assert_exact(every[key], exact_sum(f.get(key) for f in fills), key)
