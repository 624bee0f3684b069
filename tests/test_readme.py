"""The README documents every command and option, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlrep.checks.rules import markdown_table
from xlrep.cli.app import command

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = command().commands


def _code_blocks(text: str) -> str:
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S))


def test_there_are_commands():
    assert "template" in COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_section_an_example_and_help(name):
    assert f"### `xlrep {name}`" in README, f"README has no section for `xlrep {name}`"
    assert re.search(rf"^xlrep {name}\b", _code_blocks(README), flags=re.M), f"no example of `xlrep {name}`"
    assert COMMANDS[name].help, f"`xlrep {name}` has no --help text"


@pytest.mark.parametrize(
    ("name", "option"),
    [
        (name, opt)
        for name, command in sorted(COMMANDS.items())
        for param in command.params
        for opt in param.opts
        if opt.startswith("-") and opt not in ("--help", "-h")
    ],
)
def test_every_option_is_documented(name, option):
    assert f"`{option}`" in README or f"{option} " in _code_blocks(README), (
        f"{option} of `xlrep {name}` is undocumented"
    )


def test_the_two_commands_and_ci_runs_the_test_command():
    blocks = _code_blocks(README)
    assert "pip install . && xlrep template 2021" in blocks
    assert "bash scripts/test.sh" in blocks
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^bash scripts/test\.sh\s*$", ci, flags=re.M)
    assert "pytest" in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")


def test_readme_rule_table_is_generated_from_the_registry():
    m = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", README, re.S)
    assert m, "README has no generated rule table (run: python scripts/rules_table.py)"
    assert m.group(1) == markdown_table(), "README rule table is stale: run python scripts/rules_table.py"


def test_the_architecture_table_names_every_layer_and_module():
    """The README's layer table matches the code: every layer folder has a row, every module or subpackage of a
    layer is named in its layer's row (the importing, serve and cli packages are named as a whole)."""
    table = README[README.index("| layer | owns | may import |") :].split("\n\n", 1)[0]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `xlrep\.(\w+)` \|.*$", table, re.M)}
    src = ROOT / "src" / "xlrep"
    layers = {p.name for p in src.iterdir() if (p / "__init__.py").exists()}
    assert set(rows) == layers, f"layers in the code {sorted(layers)}, in the README {sorted(rows)}"
    for layer in layers - {"importing", "serve", "cli"}:
        inside = {p.stem for p in (src / layer).glob("*.py") if p.stem != "__init__"}
        inside |= {p.name for p in (src / layer).iterdir() if (p / "__init__.py").exists()}
        missing = sorted(m for m in inside if f"`{m}`" not in rows[layer])
        assert missing == [], f"xlrep.{layer}: modules missing from its README row: {missing}"


def test_the_library_example_runs(tmp_path, monkeypatch):
    """The README's Python example, run as written on the repository's sample workbook."""
    import shutil

    import xlrep
    import xlrep.units.aggregate  # noqa: F401 - a submodule imported first must not hide a library name
    import xlrep.units.batch  # noqa: F401

    assert all(callable(getattr(xlrep, name)) for name in ("audit", "merge", "render", "audit_many", "build_report"))
    block = re.search(r"## 作为 Python 库.*?```python\n(.*?)```", README, re.S).group(1)
    sample = ROOT / "samples" / "huaian-2024.xlsx"
    (tmp_path / "各单位报表").mkdir()
    shutil.copy(sample, tmp_path / "填好的.xlsx")
    shutil.copy(sample, tmp_path / "各单位报表" / "淮安.xlsx")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert (tmp_path / "填报表.xlsx").stat().st_size > 10_000 and (tmp_path / "报告.docx").exists()
    assert namespace["workbook"] is not None and len(namespace["outcome"].included) == 1


def test_the_stated_budget_is_the_readers():
    from xlrep.workbook import xlsx

    block = README[README.index("<!-- budget:start -->") : README.index("<!-- budget:end -->")]
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", block, re.M))
    number = lambda text: int(re.sub(r"[^0-9]", "", text))  # noqa: E731
    assert number(rows["压缩包中的文件数"]) == xlsx.MAX_MEMBERS
    assert number(rows["一个部分解压后"]) == xlsx.MAX_PART_BYTES >> 20
    assert number(rows["需要读取的各部分解压后合计"]) == xlsx.MAX_READ_BYTES >> 20
    assert number(rows["单元格"]) == xlsx.MAX_CELLS
    assert number(rows["共享字符串"]) == xlsx.MAX_SHARED_STRINGS
    assert number(rows["XML 元素（决定解析时间）"]) == xlsx.MAX_XML_ELEMENTS
    assert number(rows["一段文字"]) == xlsx.MAX_TEXT_CHARS
