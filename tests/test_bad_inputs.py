"""Every bad input gets a clear Chinese message, the right exit code, no traceback, and loses nothing."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest
from bad_inputs import CASES, reliability_table, run_case
from machine import cpu_budget, run_measured

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_answered_clearly(case, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    code, out, err, args = run_case(case, folder)
    assert "Traceback" not in out + err
    assert code == case.exit_code, err
    assert CJK.search(err), "the answer must be in Chinese"
    if case.expect:
        assert case.expect in err
    if case.input_name:
        path = folder / case.input_name
        assert path.exists()
        if path.name in before:
            assert path.read_bytes() == before[path.name]
    leftovers = [p.name for p in folder.rglob("*.part")]
    assert leftovers == [], "an interrupted or refused write left a partial file"
    if case.outcome:
        case.outcome(folder)  # checks what was written (and says it for the README)


def test_the_input_file_is_byte_for_byte_unchanged_after_every_kind_of_run(tmp_path):
    from filling import clean_values, fill_workbook

    from xlrep.cli import main

    path = fill_workbook(tmp_path / "f.xlsx", "2021", 2021, clean_values("2021", 2021))
    data = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    for args in (
        ["ingest", str(path), "-q"],
        ["ingest", str(path), "--json"],
        ["ingest", str(path), "-q", "--annotate", str(tmp_path / "a.xlsx")],
        ["ingest", str(path), "-q", "-o", str(tmp_path / "r.docx"), "-o", str(tmp_path / "r.html")],
        ["check", str(tmp_path)],
    ):
        main(args)
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime, args


@pytest.mark.parametrize("case_id", ["zip-bomb", "zip-bomb-lying", "xml-bomb"])
def test_bombs_are_answered_within_seconds_and_well_under_1_gb(tmp_path, case_id):
    """CPU seconds scaled to this machine (tests/machine.py): refused after reading a few MB, not 2 GiB."""
    case = next(c for c in CASES if c.id == case_id)
    args = case.build(tmp_path)
    done = run_measured([sys.executable, "-m", "xlrep", *args], timeout=120)
    assert done.returncode == 2, done.text
    assert done.cpu_seconds < cpu_budget(3.0), f"{done.cpu_seconds:.1f} s of CPU"
    assert done.peak_mb < 300, f"peak memory {done.peak_mb:.0f} MB"


def test_readme_reliability_table_is_generated_from_these_cases(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- reliability:start -->\n(.*?)<!-- reliability:end -->", readme, re.S)
    assert m, "README has no generated reliability table (run: python scripts/reliability_table.py)"

    def folder(name: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        return path

    assert m.group(1) == reliability_table(folder), "README table is stale: run python scripts/reliability_table.py"


def test_a_zip_member_of_a_version_the_zip_module_cannot_read_is_damaged_not_a_crash(tmp_path):
    """Found by test_properties: a central directory that asks for zip version 6.4 made ``zipfile`` raise
    NotImplementedError in the reader's first look at the file (an internal error instead of 已损坏)."""
    from filling import clean_values, fill_workbook

    from xlrep.cli import main

    data = bytearray(fill_workbook(tmp_path / "f.xlsx", "2021", 2021, clean_values("2021", 2021)).read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (64).to_bytes(2, "little")  # version needed to extract: 6.4
    (tmp_path / "版本.xlsx").write_bytes(bytes(data))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["ingest", str(tmp_path / "版本.xlsx"), "-q"])
    assert code == 2 and "已损坏" in err.getvalue(), err.getvalue()
