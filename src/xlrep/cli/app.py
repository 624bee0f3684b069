"""The commands: each a Typer function with ``Annotated`` parameters, a few lines over the library.

What a value means is checked in ``values``; what is shown is in ``show``; help and usage errors in
Chinese come from ``help`` (``cls=``). ``command()`` is the Click group Typer builds; ``xlrep.cli.main`` runs it, or
only the command named (``command_named``).
"""

from __future__ import annotations

import typing
from functools import cache
from pathlib import Path
from typing import Annotated

import click
import typer

from .. import __version__
from ..common.errors import UnreadableFile, XlrepError
from ..common.files import check_target, write_output
from ..common.published_formats import ACCEPTED
from ..common.report_formats import suffixes_help
from ..common.safetext import one_line
from ..common.terminal import out, say
from . import values as v
from .exits import EXIT_CODES
from .help import ChineseCommand, ChineseGroup

app = typer.Typer(
    name="xlrep",
    cls=ChineseGroup,
    add_completion=False,
    rich_markup_mode=None,  # help is ours (help.py), whether or not rich is installed
    pretty_exceptions_enable=False,  # errors are messages (xlrep.cli.main), never a traceback
)


#: name → (function, short help) of every command, as registered on ``app``.
COMMANDS: dict[str, tuple[typing.Callable, str]] = {}


@cache
def command() -> click.Group:
    """The ``xlrep`` group as Click runs it (``typer.main.get_command``): every command, for help and the tests."""
    group = typer.main.get_command(app)
    for name, (function, _) in COMMANDS.items():
        _argument_help(group.commands[name], function)
    return group


@cache
def command_named(name: str) -> click.Command:
    """One command alone, as ``xlrep NAME …`` runs it: Typer builds a command from its function's signature, and
    building only the one that runs saves a cold start the other five (about 9 ms of CPU)."""
    function, short_help = COMMANDS[name]
    single = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    single.command(name, cls=ChineseCommand, short_help=short_help)(function)
    return _argument_help(typer.main.get_command(single), function)


def _argument_help(built: click.Command, function: typing.Callable) -> click.Command:
    """Each argument's help taken from its ``typer.Argument(help=…)`` again: Click 8.5 gave ``Argument`` a
    ``help`` of its own, which Typer before 0.22 does not pass on, so it arrives empty."""
    declared = typing.get_type_hints(function, include_extras=True)
    for param in built.params:
        if isinstance(param, click.Argument) and not getattr(param, "help", None):
            texts = [m.help for m in getattr(declared.get(param.name), "__metadata__", ()) if getattr(m, "help", None)]
            param.help = texts[0] if texts else None
    return built


def _command(name: str, short_help: str):
    def register(function):
        COMMANDS[name] = (function, short_help)
        return app.command(name, cls=ChineseCommand, short_help=short_help)(function)

    return register


def _version(value: bool) -> None:
    if value:
        out(f"xlrep {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_version, help="显示版本号后退出。")
    ] = False,
) -> None:
    """政府信息公开工作年度报告：生成填报表（Excel/WPS），校验填好的表，生成报告。"""


# Options of more than one command.
Force = Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖它（默认绝不覆盖）。")]
Jobs = Annotated[
    int | None, typer.Option("-j", "--jobs", metavar="N", help="同时检查的进程数（默认用上全部 CPU 核）。")
]
# what a published report does not say, for its import (import, and ingest/check when they import one)
HintYear = Annotated[
    str | None,
    typer.Option("--year", metavar="年度", help="导入已发布的报告时，报告中找不到的报告年度（以此为准），如 2023。"),
]
HintOrg = Annotated[
    str | None,
    typer.Option("--org", metavar="机关名称", help="导入已发布的报告时，报告中找不到的机关名称（以此为准）。"),
]
HintOrgType = Annotated[
    str | None,
    typer.Option(
        "--org-type",
        metavar="机关类型",
        help="导入已发布的报告时，报告没有写明的机关类型（可写 政府、部门、乡镇、街道）。",
    ),
]


# -- template -------------------------------------------------------------------------


@_command("template", "生成填报表（锁定的 .xlsx，按官方格式排版）。")
def template_command(
    year: Annotated[
        str,
        typer.Argument(
            metavar="年度",
            help="报告年度，如 2021。2019–2020 年度用 2019年版格式，2021 年度起用 2021年版。",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="路径", help="输出文件（.xlsx）或文件夹。默认在当前文件夹，文件名含年度。"
        ),
    ] = None,
    edition: Annotated[
        str | None,
        typer.Option("--edition", metavar="版本", help="指定格式版本，如 2019、2021（一般不需要：按年度自动选择）。"),
    ] = None,
    org: Annotated[
        str | None, typer.Option("--org", metavar="机关名称", help="预先填入机关名称，也用于文件名。")
    ] = None,
    org_type: Annotated[
        str | None,
        typer.Option(
            "--org-type",
            metavar="机关类型",
            help="预先填入机关类型：县级以上地方人民政府 / 县级以上人民政府部门 / 乡镇人民政府、街道办事处 / 其他（也可写 政府、部门、乡镇、街道）。",
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", metavar="密码", help="给工作表保护设置密码（默认无密码）。")
    ] = None,
    force: Force = False,
    from_previous: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="上年填报表",
            help="用上年填好的填报表预填：机关名称、类型、联系方式，表三“上年结转”（= 上年“结转下年度继续办理”），并在旁边列出上年数字供参考。",
        ),
    ] = None,
):
    """生成填报表：按官方格式排版的 .xlsx，只有黄色单元格可填，总计和勾稽校验自动计算。

    例：xlrep template 2021 --org 某某县人民政府办公室 --org-type 部门
    """
    from ..writer.template import build_template
    from ..writer.template_inputs import template_values

    year_value = v.parse_year(year)
    form = v.form_of(year_value, edition)
    previous = v.read_last_year_for(from_previous, year_value) if from_previous is not None else None
    if org is not None:
        org = one_line(org)
        if not org:
            raise XlrepError("机关名称不能为空。")
    values, prefilled, references = template_values(form, previous=previous, org=org, org_type=org_type)
    if previous is not None:
        v.say_prefilled(from_previous, form, previous, prefilled)
    path = v.template_path(output, year_value, org or values.get(form.role("org_name")))
    inputs = [(from_previous, "上年填报表")] if from_previous else []
    check_target(path, inputs=inputs, suffixes=(".xlsx",), overwrite=force, what="填报表")
    data = build_template(
        year_value, form, values=values, password=password, prefilled=prefilled, references=references
    )
    write_output(path, data, overwrite=force)
    out(f"已生成 {year_value} 年度填报表（{form.name}）：{v.shown(path)}")
    say("请用 Excel 或 WPS 打开，填写黄色单元格，并在“校验”页确认“全部通过”。")


# -- ingest ---------------------------------------------------------------------------


@_command("ingest", "校验填好的填报表并生成报告。")
def ingest_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="填报表", help="填好的填报表（.xlsx 或 .xlsm），由 xlrep template 生成。"),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="在标准输出打印 JSON 格式的校验结果（供程序处理）。")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="严格模式：有“提示”也按未通过处理（退出码 1）。")] = False,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate", metavar="输出.xlsx", help="另存一份标注副本：有问题的单元格标上颜色并附批注（原文件不动）。"
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="--annotate 的输出文件已存在时覆盖它。")] = False,
    outputs: Annotated[
        list[Path] | None,
        typer.Option(
            "-o",
            "--output",
            metavar="报告文件",
            help=f"把报告写成文件，格式按扩展名：{suffixes_help()}。已有的同名报告文件会被替换。",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="有错误时仍生成报告，每种格式都标明“草稿”。")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="不在标准输出打印报告正文。")] = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            metavar="上年填报表",
            help="同时与上年填报表比对：上年结转、现行有效件数、数字或文字雷同（PREV-*）。",
        ),
    ] = None,
    hint_year: HintYear = None,
    hint_org: HintOrg = None,
    hint_org_type: HintOrgType = None,
):
    """校验填好的填报表并生成报告：逐项检查数字、勾稽关系和文字，指出每个问题所在的单元格；没有错误时在标准输出打印报告正文，-o 写出 Word、网页等格式。

    退出码：0 没有错误；1 有错误（--strict 时有提示也算）；2 文件无法读取或用法错误。

    例：xlrep ingest 某某县2021年填报表.xlsx -o 报告.docx -o 报告.html
    """
    from ..auditing.ingest import audit, unreadable
    from ..outputs.annotate import write_annotated
    from .show import print_audit

    outputs = list(outputs or [])
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
        check_target(target, inputs=inputs, suffixes=v.report_suffixes(), overwrite=True, what="报告")
    hints = v.import_hints(hint_year, hint_org, hint_org_type)
    last_year = v.read_last_year(previous, "无法与之比对") if previous is not None else None
    try:
        result = audit(file, previous=last_year, hints=hints)
    except UnreadableFile as exc:
        if as_json:
            out(v.json_text(unreadable(file, exc).as_dict()))
        raise
    if as_json:
        out(v.json_text(result.as_dict()))
    print_audit(result)
    if last_year is not None and last_year.year and result.year and last_year.year != result.year - 1:
        say(
            f"注意：--previous 给的是 {last_year.year} 年度的填报表，不是 {result.year - 1} 年度的，比对结果可能没有意义。"
        )
    if annotate is not None:
        write_annotated(result, annotate, overwrite=overwrite)
        say(f"已写出标注副本：{v.shown(annotate)}")
    errors = result.summary["errors"]
    if result.result.form is not None and (errors == 0 or force):
        v.write_report(result, outputs, print_text=not as_json and not quiet)
    elif errors:
        say(f"有 {errors} 项错误，未生成报告。请改正后重试；如只需草稿核对，可加 --force。")
    failed = errors > 0 or (strict and result.summary["warnings"] > 0)
    return EXIT_CODES["failed" if failed else "ok"]


# -- check and merge --------------------------------------------------------------------


@_command("check", "批量校验各单位的填报表，打印一张汇总表。")
def check_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="路径…", help="填报表文件或文件夹（文件夹中的 .xlsx/.xlsm 等会逐个检查，包括子文件夹）。"
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="在标准输出打印 JSON：每个单位的状态和全部问题。")] = False,
    csv_path: Annotated[
        Path | None,
        typer.Option("--csv", metavar="文件.csv", help="把每个单位的每条问题写进 CSV（Excel 可直接打开）。"),
    ] = None,
    jobs: Jobs = None,
    hint_year: HintYear = None,
    hint_org: HintOrg = None,
    hint_org_type: HintOrgType = None,
):
    """批量校验：逐个检查各单位的填报表，打印一张汇总表（单位、版本、年度、错误、提示、状态）。

    一个文件坏了不影响其他文件。退出码：0 全部没有错误；1 有单位有错误或文件无法读取；2 用法错误。

    例：xlrep check 各单位报表/ --csv 问题清单.csv
    """
    from ..units.batch import audit_many, batch_as_dict
    from ..units.check_output import findings_csv
    from .show import print_table, progress_bar

    hints = v.import_hints(hint_year, hint_org, hint_org_type)
    files = v.workbooks_in(paths, jobs)
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
        out(v.json_text(batch_as_dict(results)))
    print_table(results)
    if csv_path is not None:
        write_output(csv_path, findings_csv(results), overwrite=True)
        say(f"已写出问题清单：{csv_path}")
    return EXIT_CODES["failed" if any(r.summary["errors"] for r in results) else "ok"]


@_command("merge", "汇总各单位的填报表，写成一份同格式的新填报表。")
def merge_command(
    paths: Annotated[list[Path], typer.Argument(metavar="路径…", help="各单位的填报表文件或文件夹。")],
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="汇总.xlsx", help="汇总结果（新的填报表，.xlsx）。")
    ],
    org: Annotated[
        str | None, typer.Option("--org", metavar="机关名称", help="汇总表的机关名称（如“某某县人民政府”）。")
    ] = None,
    org_type: Annotated[
        str | None,
        typer.Option("--org-type", metavar="机关类型", help="汇总表的机关类型（可写 政府、部门、乡镇、街道）。"),
    ] = None,
    office: Annotated[
        str | None,
        typer.Option(
            "--office",
            metavar="名称",
            help="做这次汇总的政务公开办（如“某某县”），记在汇总表里，汇总明细的路径以它开头；默认同 --org。",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖它。")] = False,
    jobs: Annotated[
        int | None, typer.Option("-j", "--jobs", metavar="N", help="同时读取的进程数（默认用上全部 CPU 核）。")
    ] = None,
):
    """汇总：把各单位填报表的数字逐格相加，写成一份同格式的新填报表（公式、校验照常），另附“汇总明细”页。

    格式版本或年度不一致时拒绝汇总（MERGE-MIXED）；同一机关重复提交、单位自身有错误时会提示。
    下级（如各县）的汇总表也可一起汇总：逐个单位相加，同一单位只计一次，并核对下级汇总（HIER-*）。
    汇总表填上文字后，用 xlrep ingest 即可生成本地区的报告。

    例：xlrep merge 各单位报表/ -o 某某县2024年汇总.xlsx --org 某某县人民政府 --org-type 政府 --office 某某县
    """
    from ..edition.form import editions
    from ..units.aggregate import merge_workbook
    from ..units.batch import audit_many
    from .show import print_merge, progress_bar

    if org_type is not None and not any(v.accepts(form, org_type) for form in editions()):
        v.org_type_of(editions()[-1], org_type)  # refused before any work, in the form's words
    org = one_line(org) if org is not None else None
    office = one_line(office) if office is not None else None
    files = v.units_to_merge(v.workbooks_in(paths, jobs), output)
    check_target(
        output,
        inputs=[(f, f"参与汇总的“{f.name}”") for f in files],
        suffixes=(".xlsx",),
        overwrite=force,
        what="汇总结果",
    )
    with progress_bar(len(files)) as advance:
        results = audit_many(files, jobs=jobs, keep_values=True, progress=advance)
    outcome, data = merge_workbook(results, org=org, org_type=org_type, office=office)
    print_merge(outcome)
    if data is None:
        if outcome.edition is None and not outcome.mixed:
            say("没有可以汇总的填报表（都无法读取）。")
        return EXIT_CODES["failed"]
    write_output(output, data, overwrite=force)
    out(f"已汇总 {len(outcome.leaves)} 个单位：{v.shown(output)}")
    if not outcome.carries_units:
        say("! 单位太多，汇总表没有带各单位的数据（汇总单位数据页），上级不能再用它汇总。", fg="yellow")
    failed = any(f.severity == "error" for f in outcome.findings)  # a lower 汇总 left out or not adding up
    return EXIT_CODES["failed" if failed else "ok"]


# -- import ---------------------------------------------------------------------------


@_command("import", "导入已发布的报告（Word、网页、PDF、文本），读回成填报表。")
def import_command(
    reports: Annotated[
        list[Path],
        typer.Argument(
            metavar="报告…",
            help=f"已发布的年度报告：{ACCEPTED}（PDF 须有文字层）。",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="路径",
            help="输出的填报表（.xlsx）或已有的文件夹；导入多份报告时须为文件夹。默认写在当前文件夹。",
        ),
    ] = None,
    force: Force = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="在标准输出打印 JSON：每份报告的版本、年度、机关、找到的表格、全部问题、数字和输出文件。"
        ),
    ] = False,
    hint_year: HintYear = None,
    hint_org: HintOrg = None,
    hint_org_type: HintOrgType = None,
):
    """导入已发布的报告：把 Word、网页、PDF 或文本格式的年度报告读回成填报表（第一年没有上年填报表时、评估已发布的报告时用）。

    按官方标签读取表二、表三、表四和六个部分，写成该版本的填报表（可再用 ingest、check、template --from、--previous）。
    连在一起无法确定的数字留空并报告 IMPORT-AMBIGUOUS，印错的总计报告 IMPORT-TOTAL，找不到的表格或部分报告
    IMPORT-MISSING，与官方写法不同的标签报告 IMPORT-LABEL；原样数字和说明写在单元格批注里。
    年度取自标题、统计期限或正文（“2023年度”），机关名称取自标题、“由……编制”或落款；报告没有写明的，
    用 --year、--org、--org-type 指定（ingest、check 直接校验已发布的报告时同样可用）。

    退出码：0 全部导入（有提示也是 0）；2 有报告无法读取或无法识别、用法错误（其余报告照常导入）。

    例：xlrep import 2023年报告.docx -o 填报表/
    """
    from ..importing import ImportFailed, ImportOutcome, import_report, import_summary, to_workbook
    from .show import print_import

    hints = v.import_hints(hint_year, hint_org, hint_org_type)
    folder, target = v.import_target(output, len(reports))
    inputs = [(p, f"要导入的报告“{p.name}”") for p in reports]
    if target is not None:
        check_target(target, inputs=inputs, suffixes=(".xlsx",), overwrite=force, what="填报表")
    outcomes: list[ImportOutcome] = []
    taken: list[Path] = []
    for report in reports:
        outcome = ImportOutcome(report)
        outcomes.append(outcome)
        try:
            imported = import_report(report, hints=hints)
            data = to_workbook(imported)
            path = target or v.free_name(folder, imported, taken)
            check_target(path, inputs=inputs, suffixes=(".xlsx",), overwrite=force, what="填报表")
            write_output(path, data, overwrite=force)
        except (ImportFailed, XlrepError) as exc:
            outcome.error = exc.message
            say(f"错误：{exc.message}")
            continue
        outcome.imported, outcome.output = imported, path
        taken.append(path)
        print_import(imported, path, to_stderr=as_json)
    failed = sum(1 for o in outcomes if o.error is not None)
    if as_json:
        out(v.json_text(import_summary(outcomes)))
    if len(reports) > 1:
        say(
            f"共 {len(outcomes)} 份报告：导入 {len(outcomes) - failed} 份"
            + (f"，{failed} 份无法导入。" if failed else "。")
        )
    return EXIT_CODES["usage" if failed else "ok"]


# -- serve ----------------------------------------------------------------------------


@_command("serve", "收集网站：各单位上传、校验、上报，政务公开办审核和汇总。")
def serve_command(
    data: Annotated[
        Path,
        typer.Option(
            "--data", metavar="文件夹", help="存放数据（数据库和上传的文件）的文件夹，没有会新建。默认 ./xlrep-data。"
        ),
    ] = Path("xlrep-data"),
    host: Annotated[
        str, typer.Option("--host", metavar="地址", help="监听地址。默认只有本机能访问；0.0.0.0 对局域网开放。")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="端口", help="端口（默认 8000；0 表示自动选一个空闲端口）。")
    ] = 8000,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="启动后不自动打开浏览器。")] = False,
    certfile: Annotated[
        Path | None,
        typer.Option("--certfile", metavar="证书.pem", help="启用 HTTPS：证书文件（须同时给出 --keyfile）。"),
    ] = None,
    keyfile: Annotated[
        Path | None, typer.Option("--keyfile", metavar="私钥.pem", help="启用 HTTPS：私钥文件。")
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", metavar="MB", help="上传文件的大小上限（默认 20 MB）。")
    ] = 20,
    workers: Annotated[
        int | None, typer.Option("--workers", metavar="N", help="同时校验的进程数（默认等于 CPU 核数）。")
    ] = None,
    audit_seconds: Annotated[
        float,
        typer.Option(
            "--audit-seconds", metavar="秒", help="校验一个文件最多用的 CPU 时间（默认 5 秒；超过即停止并说明）。"
        ),
    ] = 5.0,
    audit_memory_mb: Annotated[
        int, typer.Option("--audit-memory-mb", metavar="MB", help="校验一个文件最多用的内存（默认 768 MB）。")
    ] = 768,
    max_connections: Annotated[
        int, typer.Option("--max-connections", metavar="N", help="同时打开的连接数上限（默认 500）。")
    ] = 500,
    request_timeout: Annotated[
        float,
        typer.Option(
            "--request-timeout",
            metavar="秒",
            help="请求头须在几秒内发完、上传的正文最多停顿几秒（默认 20 秒），太慢的连接被断开。",
        ),
    ] = 20.0,
    api_per_minute: Annotated[
        int,
        typer.Option(
            "--api-per-minute", metavar="N", help="每个地址每分钟最多自查几个文件（首页自查和 /api/check，默认 30）。"
        ),
    ] = 30,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            metavar="地址",
            help="用 PostgreSQL 数据库（postgresql://用户:密码@服务器/库名）代替数据文件夹中的 SQLite；可开多个网站进程。",
        ),
    ] = None,
    files: Annotated[
        Path | None,
        typer.Option(
            "--files", metavar="文件夹", help="存放上传文件的文件夹（默认在 --data 中；多个进程或多台机器可共用）。"
        ),
    ] = None,
    proxy: Annotated[
        str | None,
        typer.Option(
            "--proxy",
            metavar="地址",
            help="网站前面的反向代理（如 nginx）的地址，如 127.0.0.1：按它转来的 X-Forwarded-For 识别各单位的地址，"
            "按 X-Forwarded-Proto 判断是否经 HTTPS 访问（是则 Cookie 加 Secure）。",
        ),
    ] = None,
    reset_password: Annotated[
        bool,
        typer.Option(
            "--reset-password",
            help="忘记管理员密码时用：清除密码后启动，终端重新给出首次设置链接（收集的数据不变）。",
        ),
    ] = False,
):
    """收集网站：各单位用专用链接下载填报表、上传、立即看到校验结果并上报；政务公开办审核、退回、通过，下载汇总。

    首次启动时在终端显示设置管理员密码的链接。数据保存在 --data 文件夹中（SQLite 数据库和上传的文件），
    复制该文件夹即是备份。按 Ctrl+C 停止。

    例：xlrep serve --data 收集数据 --host 0.0.0.0 --port 8000
    """
    from ..serve import run_server

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
