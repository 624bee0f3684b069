"""The ``xlrep`` command line: a thin layer over the library, on Click's public API.

Every message a user sees is Chinese — help screens included (``ChineseHelp`` writes
them with Click's own formatter) — and every error is a message, never a traceback.
Exit codes are decided here and only here (``EXIT_CODES``): 0 success, 1 findings
that fail, 2 misuse or a file that cannot be read or written, 3 a bug of ours,
130 interrupted.
"""

from __future__ import annotations

import json
import re
import signal
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import UnreadableFile, XlrepError
from .files import check_target, write_output

EXIT_CODES = {"ok": 0, "failed": 1, "usage": 2, "bug": 3, "interrupted": 130}
INTERNAL_ERROR = "xlrep 内部错误（{kind}: {detail}）。没有写出不完整的文件。请把这条信息和所用文件报告给维护者。"


# -- help and usage in Chinese --------------------------------------------------------


class Argument(click.Argument):
    """A positional argument with a help text (Click's arguments have none of their own)."""

    def __init__(self, *args, help: str = "", **kwargs):  # noqa: A002 - Click's own keyword
        super().__init__(*args, **kwargs)
        self.help = help


class ChineseHelp:
    """Help screens in Chinese, written with Click's public ``HelpFormatter``, aligned by display width."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")

    def format_options(self, ctx, formatter):
        params = self.get_params(ctx)
        arguments = [(p.human_readable_name, getattr(p, "help", "")) for p in params if isinstance(p, click.Argument)]
        options = [_option_record(p) for p in params if isinstance(p, click.Option)]
        if arguments:
            _write_section(formatter, "参数", arguments)
        _write_section(formatter, "选项", options)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助后退出。"
        return option


def _write_section(formatter, title: str, rows: list[tuple[str, str]]) -> None:
    """A titled two-column list; Chinese characters count two columns, as a terminal shows them."""
    from .layout import display_width
    from .report.text import wrap

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


class Command(ChineseHelp, click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", {}).update(allow_extra_args=True, help_option_names=["-h", "--help"])
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx, args):
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            raise click.UsageError("多余的参数：" + " ".join(ctx.args), ctx)
        return rest


class Group(ChineseHelp, click.Group):
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx, formatter):
        super().format_options(ctx, formatter)
        rows = [(name, cmd.get_short_help_str(80)) for name, cmd in self.commands.items() if not cmd.hidden]
        _write_section(formatter, "命令", rows)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(f"没有这个命令：{name}", ctx)
        return super().resolve_command(ctx, args)


def _usage_message(exc: click.UsageError) -> str:
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


def _say(message: str) -> None:
    from .terminal import say

    say(message)


def _version(ctx, _param, value):
    if value and not ctx.resilient_parsing:
        click.echo(f"xlrep {__version__}")
        ctx.exit()


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=False,
    no_args_is_help=True,
)
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_version, help="显示版本号后退出。"
)
def cli() -> None:
    """政府信息公开工作年度报告：生成填报表（Excel/WPS），校验填好的表，生成报告。"""


def _form_of(year: int, edition: str | None):
    """The edition for a report year, or the one asked for (saying so when it does not fit the year)."""
    from .form import editions, form_for_year, load_form

    expected = form_for_year(year)
    if edition is None:
        return expected
    try:
        form = load_form(edition)
    except KeyError:
        raise XlrepError(
            f"格式版本“{edition}”无效：只能是 " + " 或 ".join(f.edition for f in editions()) + "。"
        ) from None
    if form is not expected:
        _say(f"注意：{year} 年度应使用{expected.name}格式，现按您的指定生成{form.name}格式的填报表。")
    return form


def _import_options(command):
    """``--year --org --org-type``: what a published report does not say, for its import (``xlrep import``, and
    ``ingest``/``check`` when they import one on the fly)."""
    command = click.option(
        "--org-type",
        "hint_org_type",
        metavar="机关类型",
        help="导入已发布的报告时，报告没有写明的机关类型（可写 政府、部门、乡镇、街道）。",
    )(command)
    command = click.option(
        "--org", "hint_org", metavar="机关名称", help="导入已发布的报告时，报告中找不到的机关名称（以此为准）。"
    )(command)
    return click.option(
        "--year", "hint_year", metavar="年度", help="导入已发布的报告时，报告中找不到的报告年度（以此为准），如 2023。"
    )(command)


def _hints(year: str | None, org: str | None, org_type: str | None):
    """The ``ImportHints`` of ``--year --org --org-type``, checked (a wrong one is refused before any work)."""
    from .form import editions

    if year is None and org is None and org_type is None:
        return None
    from .importing import ImportHints

    if org_type is not None and not any(_accepts(form, org_type) for form in editions()):
        _org_type(editions()[-1], org_type)
    org = _one_line(org).strip() if org is not None else None
    if org is not None and not org:
        raise XlrepError("--org 的机关名称不能为空。")
    return ImportHints(year=_parse_year(year, "--year 2023") if year is not None else None, org=org, org_type=org_type)


def _parse_year(text: str, example: str = "xlrep template 2021") -> int:
    from .form import editions

    text = text.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise XlrepError(f"报告年度“{text}”无效：请写四位数字年份，如 {example}。")
    year = int(text)
    latest = date.today().year + 1
    first = editions()[0]
    if year < first.first_year:
        raise XlrepError(
            f"不支持 {year} 年度：现行报告格式自 {first.first_year} 年度起适用（{first.issued_as}），"
            "此前的格式不在本工具范围内。"
        )
    if year > latest:
        raise XlrepError(f"不支持 {year} 年度：最晚只能生成 {latest} 年度的填报表。")
    return year


def _org_type(form, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return form.org_type(text)
    except ValueError:
        aliases = "、".join(form.org_aliases)
        raise XlrepError(f"机关类型无效，只能是：{'、'.join(form.org_types)}（也可写 {aliases}）。") from None


# -- template -------------------------------------------------------------------------


@cli.command("template", short_help="生成填报表（锁定的 .xlsx，按官方格式排版）。")
@click.argument(
    "year",
    cls=Argument,
    metavar="年度",
    help="报告年度，如 2021。2019–2020 年度用 2019年版格式，2021 年度起用 2021年版。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="路径",
    help="输出文件（.xlsx）或文件夹。默认在当前文件夹，文件名含年度。",
)
@click.option("--edition", metavar="版本", help="指定格式版本，如 2019、2021（一般不需要：按年度自动选择）。")
@click.option("--org", metavar="机关名称", help="预先填入机关名称，也用于文件名。")
@click.option(
    "--org-type",
    metavar="机关类型",
    help="预先填入机关类型：县级以上地方人民政府 / 县级以上人民政府部门 / 乡镇人民政府、街道办事处 / 其他（也可写 政府、部门、乡镇、街道）。",
)
@click.option("--password", metavar="密码", help="给工作表保护设置密码（默认无密码）。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它（默认绝不覆盖）。")
@click.option(
    "--from",
    "from_previous",
    type=click.Path(path_type=Path),
    metavar="上年填报表",
    help="用上年填好的填报表预填：机关名称、类型、联系方式，表三“上年结转”（= 上年“结转下年度继续办理”），并在旁边列出上年数字供参考。",
)
def template_command(year, output, edition, org, org_type, password, force, from_previous):
    """生成填报表：按官方格式排版的 .xlsx，只有黄色单元格可填，总计和勾稽校验自动计算。

    例：xlrep template 2021 --org 某某县人民政府办公室 --org-type 部门
    """
    from .template import build_template

    year_value = _parse_year(year)
    form = _form_of(year_value, edition)
    values: dict[str, object] = {}
    prefilled: dict[str, str] = {}
    references: dict[str, object] = {}
    if from_previous is not None:
        values, prefilled, references = _carry_over(from_previous, year_value, form)
    if org is not None:
        org = _one_line(org)
        if not org:
            raise XlrepError("机关名称不能为空。")
        values[form.role("org_name")] = org
        prefilled.pop(form.role("org_name"), None)  # typed on the command line, not carried over
    if org_type is not None:
        values[form.role("org_type")] = _org_type(form, org_type)
        prefilled.pop(form.role("org_type"), None)
    path = _template_path(output, year_value, org or values.get(form.role("org_name")))
    inputs = [(from_previous, "上年填报表")] if from_previous else []
    check_target(path, inputs=inputs, suffixes=(".xlsx",), overwrite=force, what="填报表")
    data = build_template(
        year_value, form, values=values, password=password, prefilled=prefilled, references=references
    )
    write_output(path, data, overwrite=force)
    _out(f"已生成 {year_value} 年度填报表（{form.name}）：{_shown(path)}")
    _say("请用 Excel 或 WPS 打开，填写黄色单元格，并在“校验”页确认“全部通过”。")


def _template_path(output: Path | None, year: int, org: object) -> Path:
    from .safetext import for_filename

    # the 机关名称 is shortened when the whole name would pass 255 bytes; the year and the kind are kept
    name = for_filename(str(org or ""), suffix=f"{year}年政府信息公开工作年度报告填报表.xlsx", default="")
    if output is None:
        return Path.cwd() / name
    try:
        is_dir = output.is_dir()
    except OSError:  # a name too long, …: check_target says so in Chinese
        is_dir = False
    return output / name if is_dir else output


def _carry_over(path: Path, year: int, form):
    from .previous import carry_over

    previous = _read_last_year(path, "无法从中预填")
    if previous.year is not None and previous.year != year - 1:
        _say(f"注意：“{path.name}”是 {previous.year} 年度的填报表，不是 {year - 1} 年度的。")
    values, notes, references = carry_over(previous, form)
    carried = sum(1 for k in notes if k in {c.key for c in _prefilled_carries(form, previous.form)})
    _say(f"已从“{path.name}”预填 {len(notes)} 个单元格（其中由上年数字推算 {carried} 项），以浅紫色标出，请逐项核对。")
    return values, notes, references


def _prefilled_carries(form, last_form):
    from .previous import carried_cells

    return [c for c in carried_cells(form, last_form) if c.carry.prefill]


def _read_last_year(path: Path, purpose: str):
    from .ingest import PUBLISHED_SUFFIXES, read_any

    try:
        previous = read_any(path)
    except UnreadableFile as exc:
        raise XlrepError(f"上年填报表无法读取：{exc.message}") from None
    if previous.form is None:
        raise XlrepError(f"“{path}”不是 xlrep 生成的填报表，{purpose}。")
    if path.suffix.lower() in PUBLISHED_SUFFIXES:
        _say(f"注意：“{path.name}”是已发布的报告，已按官方标签自动导入后使用（有疑问的数字留空，见 xlrep import）。")
    return previous


# -- ingest ---------------------------------------------------------------------------


def _report_suffixes() -> tuple[str, ...]:
    from .report import RENDERERS

    return tuple(RENDERERS)


@cli.command("ingest", short_help="校验填好的填报表并生成报告。")
@click.argument(
    "file",
    cls=Argument,
    type=click.Path(path_type=Path),
    metavar="填报表",
    help="填好的填报表（.xlsx 或 .xlsm），由 xlrep template 生成。",
)
@click.option("--json", "as_json", is_flag=True, help="在标准输出打印 JSON 格式的校验结果（供程序处理）。")
@click.option("--strict", is_flag=True, help="严格模式：有“提示”也按未通过处理（退出码 1）。")
@click.option(
    "--annotate",
    type=click.Path(path_type=Path),
    metavar="输出.xlsx",
    help="另存一份标注副本：有问题的单元格标上颜色并附批注（原文件不动）。",
)
@click.option("--overwrite", is_flag=True, help="--annotate 的输出文件已存在时覆盖它。")
@click.option(
    "-o",
    "--output",
    "outputs",
    type=click.Path(path_type=Path),
    multiple=True,
    metavar="报告文件",
    help="把报告写成文件，格式按扩展名：.txt .md .html .docx .json。已有的同名报告文件会被替换。",
)
@click.option("--force", is_flag=True, help="有错误时仍生成报告，每种格式都标明“草稿”。")
@click.option("-q", "--quiet", is_flag=True, help="不在标准输出打印报告正文。")
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    metavar="上年填报表",
    help="同时与上年填报表比对：上年结转、现行有效件数、数字或文字雷同（PREV-*）。",
)
@_import_options
def ingest_command(
    file, as_json, strict, annotate, overwrite, outputs, force, quiet, previous, hint_year, hint_org, hint_org_type
):
    """校验填好的填报表并生成报告：逐项检查数字、勾稽关系和文字，指出每个问题所在的单元格；没有错误时在标准输出打印报告正文，-o 写出 Word、网页等格式。

    退出码：0 没有错误；1 有错误（--strict 时有提示也算）；2 文件无法读取或用法错误。

    例：xlrep ingest 某某县2021年填报表.xlsx -o 报告.docx -o 报告.html
    """
    from .audit_output import print_audit, write_annotated
    from .ingest import audit, unreadable

    inputs = [(file, "填报表本身")] + ([(previous, "上年填报表")] if previous else [])
    if annotate is not None:
        check_target(
            annotate,
            inputs=inputs,
            suffixes=(".xlsx", ".xlsm"),
            overwrite=overwrite,
            flag="--overwrite",
            what="标注副本",
            option="--annotate",
        )
    for target in outputs:
        check_target(target, inputs=inputs, suffixes=_report_suffixes(), overwrite=True, what="报告")
    hints = _hints(hint_year, hint_org, hint_org_type)
    last_year = _read_last_year(previous, "无法与之比对") if previous is not None else None
    try:
        result = audit(file, previous=last_year, hints=hints)
    except UnreadableFile as exc:
        if as_json:
            click.echo(_json(unreadable(file, exc).as_dict()))
        raise
    if as_json:
        click.echo(_json(result.as_dict()))
    print_audit(result)
    if last_year is not None and last_year.year and result.year and last_year.year != result.year - 1:
        _say(
            f"注意：--previous 给的是 {last_year.year} 年度的填报表，不是 {result.year - 1} 年度的，比对结果可能没有意义。"
        )
    if annotate is not None:
        write_annotated(result, annotate, overwrite=overwrite)
        _say(f"已写出标注副本：{_shown(annotate)}")
    errors = result.summary["errors"]
    if result.result.form is not None and (errors == 0 or force):
        _write_report(result, outputs, print_text=not as_json and not quiet)
    elif errors:
        _say(f"有 {errors} 项错误，未生成报告。请改正后重试；如只需草稿核对，可加 --force。")
    failed = errors > 0 or (strict and result.summary["warnings"] > 0)
    return EXIT_CODES["failed" if failed else "ok"]


def _write_report(result, outputs, *, print_text: bool) -> None:
    from .report import build_report, render, render_text

    report = build_report(result, draft=result.summary["errors"] > 0)
    if print_text:
        from .terminal import out

        out(render_text(report), nl=False)
    for target in outputs:
        write_output(target, render(report, target.suffix), overwrite=True)
        _say(f"已写出{'草稿' if report.draft else '报告'}：{_shown(target)}")


def _out(message: str) -> None:
    from .terminal import out

    out(message)


def _shown(path: Path) -> str:
    from .safetext import display_path

    return display_path(path)


def _json(data: dict) -> str:
    """JSON for standard output: always valid UTF-8 (a file name that is not becomes U+FFFD), and safe on a terminal.

    ``json.dumps`` escapes C0 controls; C1 controls, bidi controls and U+2028/U+2029 are escaped here too
    (``\\u202e``): the same JSON data, but nothing that acts on a terminal or reorders what it shows.
    """
    from .safetext import BIDI_CONTROLS, path_fields, valid_unicode

    # a path that is not UTF-8 shows each undecodable byte as �, as on the terminal
    text = valid_unicode(json.dumps(path_fields(data), ensure_ascii=False, indent=2, default=str))
    unsafe = re.compile("[\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")
    return unsafe.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _one_line(text: str) -> str:
    from .safetext import one_line

    return one_line(text)


# -- check and merge --------------------------------------------------------------------


def _workbooks(paths: tuple[Path, ...], jobs: int | None) -> list[Path]:
    from .batch import find_workbooks
    from .files import os_error_text

    missing = []
    for p in paths:
        try:
            if not p.exists():
                missing.append(p)
        except OSError as exc:  # a name too long, …
            raise XlrepError(f"无法读取“{p}”：{os_error_text(exc)}。") from None
    if missing:
        raise XlrepError("找不到：" + "、".join(str(p) for p in missing))
    if jobs is not None and jobs < 1:
        raise XlrepError("--jobs 须为正整数。")
    files = find_workbooks(paths)
    if not files:
        raise XlrepError("在所给的路径中没有找到任何填报表（.xlsx / .xlsm）。")
    return files


@cli.command("check", short_help="批量校验各单位的填报表，打印一张汇总表。")
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    metavar="路径…",
    help="填报表文件或文件夹（文件夹中的 .xlsx/.xlsm 等会逐个检查，包括子文件夹）。",
)
@click.option("--json", "as_json", is_flag=True, help="在标准输出打印 JSON：每个单位的状态和全部问题。")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    metavar="文件.csv",
    help="把每个单位的每条问题写进 CSV（Excel 可直接打开）。",
)
@click.option("-j", "--jobs", type=int, metavar="N", help="同时检查的进程数（默认用上全部 CPU 核）。")
@_import_options
def check_command(paths, as_json, csv_path, jobs, hint_year, hint_org, hint_org_type):
    """批量校验：逐个检查各单位的填报表，打印一张汇总表（单位、版本、年度、错误、提示、状态）。

    一个文件坏了不影响其他文件。退出码：0 全部没有错误；1 有单位有错误或文件无法读取；2 用法错误。

    例：xlrep check 各单位报表/ --csv 问题清单.csv
    """
    from .batch import audit_many, batch_as_dict
    from .check_output import findings_csv, print_table, progress_bar

    hints = _hints(hint_year, hint_org, hint_org_type)
    files = _workbooks(paths, jobs)
    if csv_path is not None:
        check_target(
            csv_path,
            inputs=[(f, f"参与校验的“{f.name}”") for f in files],
            suffixes=(".csv",),
            overwrite=True,
            what="问题清单",
            option="--csv",
        )
    with progress_bar(len(files)) as advance:
        results = audit_many(files, jobs=jobs, progress=advance, hints=hints)
    if as_json:
        click.echo(_json(batch_as_dict(results)))
    print_table(results)
    if csv_path is not None:
        write_output(csv_path, findings_csv(results), overwrite=True)
        _say(f"已写出问题清单：{csv_path}")
    return EXIT_CODES["failed" if any(r.summary["errors"] for r in results) else "ok"]


@cli.command("merge", short_help="汇总各单位的填报表，写成一份同格式的新填报表。")
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    metavar="路径…",
    help="各单位的填报表文件或文件夹。",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    metavar="汇总.xlsx",
    help="汇总结果（新的填报表，.xlsx）。",
)
@click.option("--org", metavar="机关名称", help="汇总表的机关名称（如“某某县人民政府”）。")
@click.option("--org-type", metavar="机关类型", help="汇总表的机关类型（可写 政府、部门、乡镇、街道）。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它。")
@click.option("-j", "--jobs", type=int, metavar="N", help="同时读取的进程数（默认用上全部 CPU 核）。")
def merge_command(paths, output, org, org_type, force, jobs):
    """汇总：把各单位填报表的数字逐格相加，写成一份同格式的新填报表（公式、校验照常），另附“汇总明细”页。

    格式版本或年度不一致时拒绝汇总（MERGE-MIXED）；同一机关重复提交、单位自身有错误时会提示。
    汇总表填上文字后，用 xlrep ingest 即可生成本地区的报告。

    例：xlrep merge 各单位报表/ -o 某某县2024年汇总.xlsx --org 某某县人民政府 --org-type 政府
    """
    from .aggregate import merge_workbook
    from .batch import audit_many
    from .check_output import print_merge, progress_bar
    from .form import editions

    if org_type is not None and not any(_accepts(form, org_type) for form in editions()):
        _org_type(editions()[-1], org_type)  # refused before any work, in the form's words
    org = _one_line(org) if org is not None else None
    files = _earlier_merge_left_out(_workbooks(paths, jobs), output)
    check_target(
        output,
        inputs=[(f, f"参与汇总的“{f.name}”") for f in files],
        suffixes=(".xlsx",),
        overwrite=force,
        what="汇总结果",
    )
    with progress_bar(len(files)) as advance:
        results = audit_many(files, jobs=jobs, keep_values=True, progress=advance)
    outcome, data = merge_workbook(results, org=org, org_type=org_type)
    print_merge(outcome)
    if data is None:
        if outcome.edition is None and not outcome.mixed:
            _say("没有可以汇总的填报表（都无法读取）。")
        return EXIT_CODES["failed"]
    write_output(output, data, overwrite=force)
    _out(f"已汇总 {len(outcome.included)} 个单位：{_shown(output)}")
    return EXIT_CODES["ok"]


# -- import ---------------------------------------------------------------------------


@cli.command("import", short_help="导入已发布的报告（Word、网页、PDF、文本），读回成填报表。")
@click.argument(
    "reports",
    cls=Argument,
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    metavar="报告…",
    help="已发布的年度报告：Word（.docx）、网页（.html/.htm）、PDF（.pdf，须有文字层）、文本（.txt/.md）。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="路径",
    help="输出的填报表（.xlsx）或已有的文件夹；导入多份报告时须为文件夹。默认写在当前文件夹。",
)
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它（默认绝不覆盖）。")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="在标准输出打印 JSON：每份报告的版本、年度、机关、找到的表格、全部问题、数字和输出文件。",
)
@_import_options
def import_command(reports, output, force, as_json, hint_year, hint_org, hint_org_type):
    """导入已发布的报告：把 Word、网页、PDF 或文本格式的年度报告读回成填报表（第一年没有上年填报表时、评估已发布的报告时用）。

    按官方标签读取表二、表三、表四和六个部分，写成该版本的填报表（可再用 ingest、check、template --from、--previous）。
    连在一起无法确定的数字留空并报告 IMPORT-AMBIGUOUS，印错的总计报告 IMPORT-TOTAL，找不到的表格或部分报告
    IMPORT-MISSING，与官方写法不同的标签报告 IMPORT-LABEL；原样数字和说明写在单元格批注里。
    年度取自标题、统计期限或正文（“2023年度”），机关名称取自标题、“由……编制”或落款；报告没有写明的，
    用 --year、--org、--org-type 指定（ingest、check 直接校验已发布的报告时同样可用）。

    退出码：0 全部导入（有提示也是 0）；2 有报告无法读取或无法识别、用法错误（其余报告照常导入）。

    例：xlrep import 2023年报告.docx -o 填报表/
    """
    from .importing import ImportFailed, ImportOutcome, import_report, import_summary, to_workbook

    hints = _hints(hint_year, hint_org, hint_org_type)
    folder, target = _import_target(output, len(reports))
    inputs = [(p, f"要导入的报告“{p.name}”") for p in reports]
    if target is not None:
        check_target(target, inputs=inputs, suffixes=(".xlsx",), overwrite=force, what="填报表")
    outcomes: list[ImportOutcome] = []
    taken: list[Path] = []
    for report in reports:
        outcome = ImportOutcome(report)
        outcomes.append(outcome)
        try:
            imported = import_report(report, hints)
            data = to_workbook(imported)
            path = target or _free_name(folder, imported, taken)
            check_target(path, inputs=inputs, suffixes=(".xlsx",), overwrite=force, what="填报表")
            write_output(path, data, overwrite=force)
        except (ImportFailed, XlrepError) as exc:
            outcome.error = exc.message
            _say(f"错误：{exc.message}")
            continue
        outcome.imported, outcome.output = imported, path
        taken.append(path)
        _print_import(imported, path, to_stderr=as_json)
    failed = sum(1 for o in outcomes if o.error is not None)
    if as_json:
        click.echo(_json(import_summary(outcomes)))
    if len(reports) > 1:
        _say(
            f"共 {len(outcomes)} 份报告：导入 {len(outcomes) - failed} 份"
            + (f"，{failed} 份无法导入。" if failed else "。")
        )
    return EXIT_CODES["usage" if failed else "ok"]


def _import_target(output: Path | None, count: int) -> tuple[Path, Path | None]:
    """(the folder for generated names, the output file when one is given for a single report)."""
    if output is None:
        return Path.cwd(), None
    try:
        is_dir = output.is_dir()
    except OSError:  # a name too long, …: check_target says so in Chinese
        is_dir = False
    if is_dir:
        return output, None
    if count > 1:
        raise XlrepError(f"导入多份报告时 -o 须是已有的文件夹，“{output}”不是文件夹。")
    return output.parent, output


def _import_name(imported, tag: str = "") -> str:
    """``<机关名称><年度>年政府信息公开工作年度报告填报表（导入）.xlsx``; without a name, the report's file name.

    Made by ``for_filename``: at most 255 bytes whatever the 机关名称, a GBK report name shown with �,
    ``tag`` (``（2）``) kept after any shortening."""
    from .safetext import for_filename

    if imported.org:
        return for_filename(imported.org, suffix=f"{imported.year}年政府信息公开工作年度报告填报表（导入）{tag}.xlsx")
    return for_filename(imported.source.stem, suffix=f"（导入）{tag}.xlsx")


def _free_name(folder: Path, imported, taken: list[Path]) -> Path:
    """Two reports of one run never share an output: the second gets （2）, and so on."""
    from .files import same_file

    candidate, n = folder / _import_name(imported), 1
    while any(candidate == t or same_file(candidate, t) for t in taken):
        n += 1
        candidate = folder / _import_name(imported, f"（{n}）")
    return candidate


def _print_import(imported, path: Path, *, to_stderr: bool) -> None:
    from .rules import SEVERITY_NAMES
    from .safetext import one_line
    from .terminal import out, say

    echo = say if to_stderr else out
    form = imported.form
    tables = "、".join(form.table_names.get(t, t) for t in imported.tables) or "没有找到表格"
    sections = [s.section for s in form.sheets if s.section]
    missing = [s for s in sections if s not in imported.sections]
    parts = f"{sections[-1]}个部分齐全" if not missing else "缺少部分：" + "、".join(missing)
    summary = imported.summary
    echo(f"已导入：{_shown(imported.source)} → {_shown(path)}")
    echo(f"  {form.name}，{imported.year} 年度，{one_line(imported.org or '（未找到机关名称）')}；{tables}；{parts}")
    echo(f"  {summary['warnings']} 项提示，{summary['infos']} 项信息" + ("：" if imported.findings else "。"))
    for finding in imported.findings:
        echo(f"    {SEVERITY_NAMES[finding.severity]} {finding.rule}  {one_line(finding.message)}")


@cli.command("serve", short_help="收集网站：各单位上传、校验、上报，政务公开办审核和汇总。")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("xlrep-data"),
    show_default=False,
    metavar="文件夹",
    help="存放数据（数据库和上传的文件）的文件夹，没有会新建。默认 ./xlrep-data。",
)
@click.option(
    "--host", default="127.0.0.1", metavar="地址", help="监听地址。默认只有本机能访问；0.0.0.0 对局域网开放。"
)
@click.option("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000；0 表示自动选一个空闲端口）。")
@click.option("--no-browser", is_flag=True, help="启动后不自动打开浏览器。")
@click.option(
    "--certfile",
    type=click.Path(path_type=Path),
    metavar="证书.pem",
    help="启用 HTTPS：证书文件（须同时给出 --keyfile）。",
)
@click.option("--keyfile", type=click.Path(path_type=Path), metavar="私钥.pem", help="启用 HTTPS：私钥文件。")
@click.option("--max-upload-mb", type=int, default=20, metavar="MB", help="上传文件的大小上限（默认 20 MB）。")
@click.option("--workers", type=int, metavar="N", help="同时校验的进程数（默认等于 CPU 核数）。")
@click.option(
    "--audit-seconds",
    type=float,
    default=5.0,
    metavar="秒",
    help="校验一个文件最多用的 CPU 时间（默认 5 秒；超过即停止并说明）。",
)
@click.option(
    "--audit-memory-mb", type=int, default=768, metavar="MB", help="校验一个文件最多用的内存（默认 768 MB）。"
)
@click.option("--max-connections", type=int, default=500, metavar="N", help="同时打开的连接数上限（默认 500）。")
@click.option(
    "--request-timeout",
    type=float,
    default=20.0,
    metavar="秒",
    help="请求头须在几秒内发完、上传的正文最多停顿几秒（默认 20 秒），太慢的连接被断开。",
)
@click.option(
    "--api-per-minute",
    type=int,
    default=30,
    metavar="N",
    help="每个地址每分钟最多自查几个文件（首页自查和 /api/check，默认 30）。",
)
@click.option(
    "--database",
    metavar="地址",
    help="用 PostgreSQL 数据库（postgresql://用户:密码@服务器/库名）代替数据文件夹中的 SQLite；可开多个网站进程。",
)
@click.option(
    "--files",
    type=click.Path(path_type=Path),
    metavar="文件夹",
    help="存放上传文件的文件夹（默认在 --data 中；多个进程或多台机器可共用）。",
)
@click.option(
    "--proxy",
    metavar="地址",
    help="网站前面的反向代理（如 nginx）的地址，如 127.0.0.1：按它转来的 X-Forwarded-For 识别各单位的地址。",
)
@click.option(
    "--reset-password",
    is_flag=True,
    help="忘记管理员密码时用：清除密码后启动，终端重新给出首次设置链接（收集的数据不变）。",
)
def serve_command(
    data,
    host,
    port,
    no_browser,
    certfile,
    keyfile,
    max_upload_mb,
    workers,
    audit_seconds,
    audit_memory_mb,
    max_connections,
    request_timeout,
    api_per_minute,
    reset_password,
    database,
    files,
    proxy,
):
    """收集网站：各单位用专用链接下载填报表、上传、立即看到校验结果并上报；政务公开办审核、退回、通过，下载汇总。

    首次启动时在终端显示设置管理员密码的链接。数据保存在 --data 文件夹中（SQLite 数据库和上传的文件），
    复制该文件夹即是备份。按 Ctrl+C 停止。

    例：xlrep serve --data 收集数据 --host 0.0.0.0 --port 8000
    """
    from .serve import run_server

    if not 0 <= port <= 65535:
        raise XlrepError("--port 须在 0 到 65535 之间。")
    return run_server(
        data,
        host=host,
        port=port,
        open_browser=not no_browser,
        certfile=certfile,
        keyfile=keyfile,
        max_upload_mb=max_upload_mb,
        workers=workers,
        audit_seconds=audit_seconds,
        audit_memory_mb=audit_memory_mb,
        max_connections=max_connections,
        request_timeout=request_timeout,
        api_per_minute=api_per_minute,
        reset_password=reset_password,
        database=database,
        files=files,
        proxy=proxy,
    )


def _accepts(form, org_type: str) -> bool:
    try:
        form.org_type(org_type)
    except ValueError:
        return False
    return True


def _earlier_merge_left_out(files: list[Path], output: Path) -> list[Path]:
    """The files to add up: an earlier 汇总 at the output path is not a unit (it is replaced, with --force)."""
    from .files import same_file
    from .reader import read_workbook

    kept = []
    for f in files:
        if same_file(f, output):
            try:
                if read_workbook(f).merged_units is not None:
                    continue
            except UnreadableFile:
                pass
        kept.append(f)
    return kept


# -- entry point ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    signal.signal(signal.SIGTERM, _terminate)
    args = sys.argv[1:] if argv is None else argv
    try:
        result = cli.main(args=args, prog_name="xlrep", standalone_mode=False)
    except XlrepError as exc:
        _say(f"错误：{exc.message}")
        return EXIT_CODES["usage"]
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return EXIT_CODES["usage"]
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "xlrep"
        _say(f"错误：{_usage_message(exc)}。运行 {command} --help 查看用法。")
        return EXIT_CODES["usage"]
    except (KeyboardInterrupt, click.Abort):
        _say("已中断：没有写出不完整的文件。")
        return EXIT_CODES["interrupted"]
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:  # a bug of ours: still no traceback for the clerk
        _say(INTERNAL_ERROR.format(kind=type(exc).__name__, detail=exc))
        return EXIT_CODES["bug"]
    return result if isinstance(result, int) else EXIT_CODES["ok"]


def run() -> None:
    """Console entry point (``xlrep`` and ``python -m xlrep``)."""
    sys.exit(main())


def _terminate(signum, frame):  # pragma: no cover - exercised by signal tests
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover
    run()
