"""The README documents every command and option, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlrep.cli import cli
from xlrep.rules import markdown_table

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = cli.commands


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
