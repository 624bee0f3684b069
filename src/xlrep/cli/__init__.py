"""The ``xlrep`` command line: a thin layer over the library, on Typer's public API.

- ``app`` (the commands, each a few lines over the library) and ``values`` (what an argument means: a year,
  an edition, the hints of an import, where a file goes) in ``xlrep.cli.app`` and ``xlrep.cli.values``;
- ``help``: help screens and usage errors in Chinese, through Typer's ``cls=`` and Click's public formatter;
- ``show``: the screens (an audit, the batch table, the merge, an import, the progress bar).

Every message a user sees is Chinese and every error is a message, never a traceback. Exit codes are
decided in one place (``exits.EXIT_CODES``): 0 success, 1 findings that fail, 2 misuse or a file that
cannot be read or written, 3 a bug of ours, 130 interrupted. Typer (and Click under it) is imported when
the command line runs, not when this package is imported; the library and the site never import it.

May import: common, edition, workbook, checks, writer, importing, auditing, outputs, units, serve
(``serve`` only for ``run_server``, to start the site: the site never imports the command line)
"""

from __future__ import annotations

import signal
import sys

from ..common.errors import XlrepError
from ..common.terminal import say
from .exits import EXIT_CODES, INTERNAL_ERROR


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    signal.signal(signal.SIGTERM, _terminate)
    args = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        import click

        from .app import COMMANDS, command, command_named
        from .help import usage_message
    except ImportError as exc:  # an incomplete installation: say what is missing, no traceback
        say(f"xlrep 安装不完整：缺少 {exc.name or exc}。请重新安装（pip install xlrep）后重试。")
        return EXIT_CODES["bug"]

    try:
        if args and args[0] in COMMANDS:  # `xlrep NAME …`: only that command is built, under an `xlrep` context
            with click.Context(click.Group("xlrep"), info_name="xlrep") as root:
                one = command_named(args[0])
                with one.make_context(args[0], args[1:], parent=root) as ctx:
                    result = one.invoke(ctx)
        elif not args:  # `xlrep` alone: the help, on stderr, as a usage error
            group = command()
            with click.Context(group, info_name="xlrep", **group.context_settings) as ctx:
                say(group.get_help(ctx))
            return EXIT_CODES["usage"]
        else:
            group = command()
            with group.make_context("xlrep", args) as ctx:
                result = group.invoke(ctx)
    except XlrepError as exc:
        say(f"错误：{exc.message}")
        return EXIT_CODES["usage"]
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "xlrep"
        say(f"错误：{usage_message(exc)}。运行 {where} --help 查看用法。")
        return EXIT_CODES["usage"]
    except (KeyboardInterrupt, click.Abort):
        say("已中断：没有写出不完整的文件。")
        return EXIT_CODES["interrupted"]
    except click.exceptions.Exit as exc:  # --help, --version
        return exc.exit_code
    except Exception as exc:  # a bug of ours: still no traceback for the clerk
        say(INTERNAL_ERROR.format(kind=type(exc).__name__, detail=exc))
        return EXIT_CODES["bug"]
    return result if isinstance(result, int) else EXIT_CODES["ok"]


def run() -> None:
    """Console entry point (``xlrep`` and ``python -m xlrep``)."""
    sys.exit(main())


def _terminate(signum, frame):  # pragma: no cover - exercised by signal tests
    raise KeyboardInterrupt
