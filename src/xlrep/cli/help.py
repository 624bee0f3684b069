"""Help screens and usage errors in Chinese, through public API only.

Typer builds each command with the class given by ``cls=`` (``ChineseCommand``, ``ChineseGroup``); these
override Click's documented ``format_help``, ``format_usage`` and ``get_help_option`` to write every
heading in Chinese with Click's ``HelpFormatter``. ``format_help`` names each section it writes, so a
section a later Click adds (8.5's “Positional arguments”) never appears. Usage errors are worded from the
exception's class and attributes (``usage_message``), never from its English text.
"""

from __future__ import annotations

import click
from typer.core import TyperCommand, TyperGroup

from ..common.terminal import display_width

HELP_OPTION_NAMES = ["-h", "--help"]


class ChineseHelp:
    """Help screens in Chinese, aligned by display width: 用法, the description, 参数, 选项 (and 命令)."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        self.format_sections(ctx, formatter)
        self.format_epilog(ctx, formatter)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")

    def format_sections(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        params = self.get_params(ctx)
        arguments = [
            (_argument_name(p), getattr(p, "help", None) or "") for p in params if isinstance(p, click.Argument)
        ]
        options = [_option_record(p) for p in params if isinstance(p, click.Option) and not p.hidden]
        if arguments:
            _write_section(formatter, "参数", arguments)
        _write_section(formatter, "选项", options)

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助后退出。"
        return option


class ChineseCommand(ChineseHelp, TyperCommand):
    """A command: -h/--help, and extra arguments refused in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs["context_settings"] = {
            **(kwargs.get("context_settings") or {}),
            "allow_extra_args": True,
            "help_option_names": HELP_OPTION_NAMES,
        }
        kwargs["options_metavar"] = "[选项]"
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            raise click.UsageError("多余的参数：" + " ".join(ctx.args), ctx)
        return rest


class ChineseGroup(ChineseHelp, TyperGroup):
    """The ``xlrep`` group: its commands listed under 命令; an unknown command named in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs["context_settings"] = {**(kwargs.get("context_settings") or {}), "help_option_names": HELP_OPTION_NAMES}
        kwargs["options_metavar"] = "[选项]"
        kwargs["subcommand_metavar"] = "命令 [参数]..."
        super().__init__(*args, **kwargs)

    def format_sections(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_sections(ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(80)))
        _write_section(formatter, "命令", rows)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(f"没有这个命令：{name}", ctx)
        return super().resolve_command(ctx, args)


def _write_section(formatter: click.HelpFormatter, title: str, rows: list[tuple[str, str]]) -> None:
    """A titled two-column list; Chinese characters count two columns, as a terminal shows them."""
    from ..outputs.report.text import wrap

    first = min(30, max(display_width(name) for name, _ in rows)) + 2
    width = max(40, (formatter.width or 80) - first - 2)
    formatter.write_paragraph()
    formatter.write_text(f"{title}：")
    for name, text in rows:
        lines = wrap(text, width) if text else [""]
        pad = " " * max(2, first - display_width(name))
        formatter.write(f"  {name}{pad}{lines[0]}\n")
        for line in lines[1:]:
            formatter.write(" " * (first + 2) + line + "\n")


def _argument_name(argument: click.Argument) -> str:
    return argument.metavar or argument.name.upper()


def _option_record(option: click.Option) -> tuple[str, str]:
    names = ", ".join(option.opts + option.secondary_opts)
    if not option.is_flag and not option.count:
        names += f" {option.metavar or option.type.name.upper()}"
    help_text = option.help or ""
    if option.required:
        help_text += "（必填）"
    if option.multiple:
        help_text += "（可重复）"
    return names, help_text


def usage_message(exc: click.UsageError) -> str:
    """A usage error in Chinese, from the exception's class and attributes (never its English text)."""
    if isinstance(exc, click.NoSuchOption):
        text = f"没有这个选项：{exc.option_name}"
        if exc.possibilities:
            text += "（您是否想用 " + "、".join(sorted(exc.possibilities)) + "？）"
        return text
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        return f"缺少参数：{(param.metavar or param.name) if param is not None else ''}"
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 用法有误（是否漏写了它的值？）"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        name = "/".join(param.opts) if isinstance(param, click.Option) else (param.human_readable_name if param else "")
        return f"参数 {name} 的值无效"
    if exc.message and not exc.message.isascii():  # our own Chinese usage errors
        return exc.message
    return "命令用法有误"
