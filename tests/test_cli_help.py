"""Help screens and usage errors of every command are Chinese, whatever Click and Typer print by default.

Typer and Click write English headings (Usage, Options, Arguments, Commands, Click 8.5's Positional
arguments) and English errors (Error: No such option, Try '… --help'); xlrep writes its own through their
public API (xlrep.cli.help). These tests fail on any English heading or message that reaches the user.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from xlrep.cli.app import command

COMMANDS = sorted(command().commands)
# What Click and Typer print in English when left alone (headings, defaults, metavars, errors); case matters:
# rule ids such as IMPORT-MISSING are in the help on purpose.
ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Positional|Show this message|Show the version|default:|required\]|"
    r"Error|Try '|Aborted|Missing (?:arg|opt|param|com)|No such|Got unexpected|[Ii]nvalid|is not a valid|\b(?:TEXT|INTEGER|FLOAT|PATH|BOOLEAN)\b",
)


@pytest.mark.parametrize("args", [[]] + [[name] for name in COMMANDS], ids=lambda a: "xlrep " + " ".join(a))
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_has_no_english_heading_and_lists_each_argument_once(run, args, flag):
    code, out, err = run(*args, flag)
    assert code == 0 and not err
    assert not ENGLISH.search(out), ENGLISH.search(out)
    assert out.startswith("用法：xlrep")
    assert out.count("选项：") == 1 and out.count("参数：") <= 1
    group = command()
    target = group.commands[args[0]] if args else group
    for param in target.params:
        if param.param_type_name == "argument":  # listed once, under 参数, with its help text
            rows = [line for line in out.splitlines() if line.startswith(f"  {param.metavar}  ")]
            assert len(rows) == 1 and rows[0].strip() != param.metavar, out
    if not args:
        assert all(re.search(rf"^  {name}  +\S", out, re.M) for name in COMMANDS), out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_chinese_help(run, name):
    _, out, _ = run(name, "--help")
    listed = out.split("选项：", 1)[1]
    for param in command().commands[name].params:
        for opt in param.opts:
            if opt.startswith("-"):
                row = next(
                    line for line in listed.splitlines() if re.search(rf"(^|, ){re.escape(opt)}\b", line.strip())
                )
                assert re.search(r"[\u4e00-\u9fff]", row), row


MISUSE = [
    ["--bogus"],
    ["bogus"],
    ["ingest"],
    ["ingest", "a.xlsx", "b.xlsx"],
    ["ingest", "a.xlsx", "--nosuch"],
    ["ingest", "a.xlsx", "--annotate"],
    ["check", "--jobs", "many", "."],
    ["check"],
    ["merge", "."],
    ["serve", "--port", "eighty"],
    ["serve", "--audit-seconds", "soon"],
    ["template"],
    ["template", "2021", "extra"],
]


@pytest.mark.parametrize("args", MISUSE, ids=" ".join)
def test_usage_errors_are_chinese_with_exit_2_and_no_traceback(run, args):
    code, out, err = run(*args)
    assert code == 2 and not out
    assert err.startswith("错误：") and "--help 查看用法" in err, err
    assert not ENGLISH.search(err), err


def test_no_arguments_shows_the_help_on_stderr_with_exit_2(run):
    code, out, err = run()
    assert code == 2 and not out and err.startswith("用法：xlrep") and "命令：" in err


def test_the_installed_entry_point_answers_in_chinese(tmp_path):
    """`python -m xlrep` (what the `xlrep` script runs): a usage error and a help screen, as a user sees them."""
    done = subprocess.run(
        [sys.executable, "-m", "xlrep", "ingest", "--nosuch"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 2 and done.stderr.startswith("错误：没有这个选项：--nosuch")
    assert "Traceback" not in done.stderr and not ENGLISH.search(done.stderr)
    done = subprocess.run(
        [sys.executable, "-m", "xlrep", "import", "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and not ENGLISH.search(done.stdout)


def test_only_the_command_line_imports_click_or_typer():
    """The library and the site (outputs, terminal lines, serve) never import Click or Typer: written nowhere
    outside xlrep/cli/, and importing every other module of the library loads neither (uvicorn, a dependency
    of the site, imports Click itself, so serve is checked by its source only)."""
    src = Path(__file__).resolve().parents[1] / "src" / "xlrep"
    imports = re.compile(r"^\s*(?:import|from)\s+(?:click|typer)\b", re.M)
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "cli" not in p.relative_to(src).parts[:1] and imports.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    probe = (
        "import importlib, pkgutil, sys, xlrep\n"
        "skip = ('xlrep.cli', 'xlrep.__main__', 'xlrep.serve')\n"
        "for m in pkgutil.walk_packages(xlrep.__path__, 'xlrep.'):\n"
        "    if not m.name.startswith(skip):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(m for m in ('click', 'typer') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_built_alone_is_the_groups_command(name):
    """`xlrep NAME …` builds only that command (a faster cold start): the same parameters and the same help."""
    import click

    from xlrep.cli.app import command_named

    group = command()

    def shown(cmd: click.Command) -> str:
        with click.Context(group, info_name="xlrep") as root:
            ctx = click.Context(cmd, info_name=name, parent=root, **cmd.context_settings)
            return cmd.get_help(ctx)

    alone, member = command_named(name), group.commands[name]
    assert alone is not member
    assert [(p.name, p.opts, p.required, p.multiple) for p in alone.params] == [
        (p.name, p.opts, p.required, p.multiple) for p in member.params
    ]
    assert shown(alone) == shown(member)
