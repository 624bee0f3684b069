"""The ``xlrep`` command line: a thin layer over the library.

Every message a user sees is Chinese. Misuse and unreadable input exit with 2,
always with a message and never with a traceback.
"""

from __future__ import annotations

import re
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer ≥ 0.20 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_errors

from . import __version__
from .files import XlrepError, write_output


class _ChineseHelp:
    """``-h/--help`` described in Chinese (click's text is English and not translatable here)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助后退出。"
        return option

    def format_help(self, ctx, formatter):
        _chinese_panel_titles()  # only when help is shown: rich costs ~70 ms to import
        return super().format_help(ctx, formatter)


class XlrepCommand(_ChineseHelp, TyperCommand):
    pass


class XlrepGroup(_ChineseHelp, TyperGroup):
    pass


def _chinese_panel_titles() -> None:
    """The panel titles of Typer's help screen, in Chinese."""
    try:
        import typer.rich_utils as rich_help
    except ImportError:  # pragma: no cover - Typer without rich
        return
    rich_help.ARGUMENTS_PANEL_TITLE = "参数"
    rich_help.OPTIONS_PANEL_TITLE = "选项"
    rich_help.COMMANDS_PANEL_TITLE = "命令"
    rich_help.REQUIRED_LONG_STRING = "[必填]"
    rich_help.ERRORS_PANEL_TITLE = "错误"


app = typer.Typer(
    name="xlrep",
    cls=XlrepGroup,
    help="政府信息公开工作年度报告：生成填报表（Excel/WPS），校验填好的表，生成报告。",
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

ORG_TYPE_ALIASES = {
    "政府": "县级以上地方人民政府",
    "人民政府": "县级以上地方人民政府",
    "部门": "县级以上人民政府部门",
    "乡镇": "乡镇人民政府、街道办事处",
    "街道": "乡镇人民政府、街道办事处",
}


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"xlrep {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="显示版本号后退出。", callback=_version_callback, is_eager=True
    ),
) -> None:
    """政府信息公开工作年度报告：生成填报表（Excel/WPS），校验填好的表，生成报告。"""


def _parse_year(text: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise XlrepError(f"报告年度“{text}”无效：请写四位数字年份，如 xlrep template 2021。")
    year = int(text)
    latest = date.today().year + 1
    if year < 2019:
        raise XlrepError(
            f"不支持 {year} 年度：现行报告格式自 2019 年度起适用（国办公开办函〔2019〕60号），此前的格式不在本工具范围内。"
        )
    if year > latest:
        raise XlrepError(f"不支持 {year} 年度：最晚只能生成 {latest} 年度的填报表。")
    return year


def _default_name(year: int, org: str | None) -> str:
    org_part = re.sub(r'[\\/:*?"<>|\s]+', "", org or "")
    return f"{org_part}{year}年政府信息公开工作年度报告填报表.xlsx"


def _output_path(output: Path | None, year: int, org: str | None) -> Path:
    name = _default_name(year, org)
    if output is None:
        return Path.cwd() / name
    if output.is_dir():
        return output / name
    if output.suffix.lower() != ".xlsx":
        raise XlrepError(f"输出文件“{output}”须以 .xlsx 结尾（Excel 和 WPS 只认这个扩展名的填报表）。")
    if not output.parent.exists():
        raise XlrepError(f"输出文件夹“{output.parent}”不存在，请先建立该文件夹或换一个位置。")
    if not output.parent.is_dir():
        raise XlrepError(f"“{output.parent}”不是文件夹。")
    return output


@app.command("template", cls=XlrepCommand)
def template_command(
    year: str = typer.Argument(
        ..., metavar="年度", help="报告年度，如 2021。2019–2020 年度用 2019年版格式，2021 年度起用 2021年版。"
    ),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", metavar="路径", help="输出文件（.xlsx）或文件夹。默认在当前文件夹，文件名含年度。"
    ),
    edition: Optional[str] = typer.Option(
        None, "--edition", metavar="2019|2021", help="指定格式版本（一般不需要：按年度自动选择）。"
    ),
    org: Optional[str] = typer.Option(None, "--org", metavar="机关名称", help="预先填入机关名称，也用于文件名。"),
    org_type: Optional[str] = typer.Option(
        None,
        "--org-type",
        metavar="机关类型",
        help="预先填入机关类型：县级以上地方人民政府 / 县级以上人民政府部门 / 乡镇人民政府、街道办事处 / 其他（也可写 政府、部门、乡镇、街道）。",
    ),
    password: Optional[str] = typer.Option(
        None, "--password", metavar="密码", help="给工作表保护设置密码（默认无密码）。"
    ),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖它（默认绝不覆盖）。"),
    from_previous: Optional[Path] = typer.Option(
        None,
        "--from",
        metavar="上年填报表",
        help="用上年填好的填报表预填：机关名称、类型、联系方式，表三“上年结转”（= 上年“结转下年度继续办理”），并在旁边列出上年数字供参考。",
    ),
) -> None:
    """生成填报表：按官方格式排版的 .xlsx，只有黄色单元格可填，总计和勾稽校验自动计算。

    例：xlrep template 2021 --org 某某县人民政府办公室 --org-type 部门
    """
    from .form import EDITIONS, edition_for_year, load_form
    from .template import ORG_TYPES, build_template

    year_value = _parse_year(year)
    expected = edition_for_year(year_value)
    if edition is None:
        edition = expected
    elif edition not in EDITIONS:
        raise XlrepError(f"格式版本“{edition}”无效：只能是 2019 或 2021。")
    elif edition != expected:
        _say(
            f"注意：{year_value} 年度应使用{load_form(expected).name}格式，"
            f"现按您的指定生成{load_form(edition).name}格式的填报表。"
        )
    values: dict[str, object] = {}
    prefilled: dict[str, str] = {}
    references: dict[str, object] = {}
    if from_previous is not None:
        values, prefilled, references = _carry_over(from_previous, year_value, edition)
    if org is not None:
        org = org.strip()
        if not org:
            raise XlrepError("机关名称不能为空。")
        values["info.org_name"] = org
        prefilled.pop("info.org_name", None)  # typed on the command line, not carried over
    if org_type is not None:
        org_type = ORG_TYPE_ALIASES.get(org_type.strip(), org_type.strip())
        if org_type not in ORG_TYPES:
            raise XlrepError("机关类型无效，只能是：" + "、".join(ORG_TYPES) + "（也可写 政府、部门、乡镇、街道）。")
        values["info.org_type"] = org_type
        prefilled.pop("info.org_type", None)
    path = _output_path(output, year_value, org)
    if path.exists() and not force:
        raise XlrepError(f"文件“{path}”已存在，未做任何改动。要覆盖它请加 --force，或用 -o 指定另一个文件名。")
    data = build_template(
        year_value, edition, values=values, password=password, prefilled=prefilled, references=references
    )
    write_output(path, data, overwrite=force)
    form = load_form(edition)
    typer.echo(f"已生成 {year_value} 年度填报表（{form.name}）：{path}")
    _say("请用 Excel 或 WPS 打开，填写黄色单元格，并在“校验”页确认“全部通过”。")


@app.command("ingest", cls=XlrepCommand)
def ingest_command(
    file: Path = typer.Argument(..., metavar="填报表", help="填好的填报表（.xlsx 或 .xlsm），由 xlrep template 生成。"),
    as_json: bool = typer.Option(False, "--json", help="在标准输出打印 JSON 格式的校验结果（供程序处理）。"),
    strict: bool = typer.Option(False, "--strict", help="严格模式：有“提示”也按未通过处理（退出码 1）。"),
    annotate: Optional[Path] = typer.Option(
        None, "--annotate", metavar="输出.xlsx", help="另存一份标注副本：有问题的单元格标上颜色并附批注（原文件不动）。"
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="--annotate 的输出文件已存在时覆盖它。"),
    outputs: Optional[list[Path]] = typer.Option(
        None,
        "-o",
        "--output",
        metavar="报告文件",
        help="把报告写成文件，格式按扩展名：.txt .md .html .docx .json；可重复使用。已有的同名报告文件会被替换。",
    ),
    force: bool = typer.Option(False, "--force", help="有错误时仍生成报告，每种格式都标明“草稿”。"),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="不在标准输出打印报告正文。"),
    previous: Optional[Path] = typer.Option(
        None,
        "--previous",
        metavar="上年填报表",
        help="同时与上年填报表比对：上年结转、现行有效件数、数字或文字雷同（PREV-*）。",
    ),
) -> int:
    """校验填好的填报表并生成报告：逐项检查数字、勾稽关系和文字，指出每个问题所在的单元格；没有错误时在标准输出打印报告正文，-o 写出 Word、网页等格式。

    退出码：0 没有错误；1 有错误（--strict 时有提示也算）；2 文件无法读取或用法错误。

    例：xlrep ingest 某某县2021年填报表.xlsx -o 报告.docx -o 报告.html
    """
    import json

    from .audit_output import print_audit, write_annotated
    from .ingest import audit
    from .reader import UnreadableFile

    if annotate is not None:
        _check_annotate_target(file, annotate, overwrite)
    for target in outputs or []:
        _check_report_target(file, target)
    last_year = None
    if previous is not None:
        from .reader import read_workbook

        try:
            last_year = read_workbook(previous)
        except UnreadableFile as exc:
            raise XlrepError(f"上年填报表无法读取：{exc.message}") from None
        if last_year.layout is None:
            raise XlrepError(f"“{previous}”不是 xlrep 生成的填报表，无法与之比对。")
    try:
        result = audit(file, previous=last_year)
    except UnreadableFile as exc:
        if as_json:
            typer.echo(json.dumps(_unreadable_json(file, exc), ensure_ascii=False, indent=2))
        raise
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
    print_audit(result)
    if last_year is not None and last_year.year and result.year and last_year.year != result.year - 1:
        _say(
            f"注意：--previous 给的是 {last_year.year} 年度的填报表，不是 {result.year - 1} 年度的，比对结果可能没有意义。"
        )
    if annotate is not None:
        write_annotated(result, annotate, overwrite=overwrite)
        _say(f"已写出标注副本：{annotate}")
    summary = result.summary
    if result.result.layout is not None and (summary["errors"] == 0 or force):
        from .report import build_report, render, render_text

        report = build_report(result, draft=summary["errors"] > 0)
        if not as_json and not quiet:
            typer.echo(render_text(report), nl=False)
        for target in outputs or []:
            write_output(target, render(report, target.suffix), overwrite=True)
            _say(f"已写出{'草稿' if report.draft else '报告'}：{target}")
    elif summary["errors"]:
        _say(f"有 {summary['errors']} 项错误，未生成报告。请改正后重试；如只需草稿核对，可加 --force。")
    failed = summary["errors"] > 0 or (strict and summary["warnings"] > 0)
    return 1 if failed else 0


REPORT_FORMATS = {".txt": "文本", ".md": "Markdown", ".html": "网页", ".htm": "网页", ".docx": "Word", ".json": "JSON"}


def _check_report_target(source: Path, target: Path) -> None:
    if target.suffix.lower() not in REPORT_FORMATS:
        raise XlrepError(
            f"不认识报告文件“{target}”的格式：扩展名须是 " + " ".join(sorted(set(REPORT_FORMATS) - {".htm"})) + "。"
        )
    _refuse_input_as_output(source, target, "报告不能写到填报表本身上：请用 -o 指定另一个文件名。原文件没有改动。")
    if target.is_dir():
        raise XlrepError(f"“{target}”是文件夹，请写文件名，如 报告.docx。")


def _refuse_input_as_output(source: Path, target: Path, message: str) -> None:
    """An output may never be the input workbook itself, nor go to a folder that is not there."""
    try:
        same = target.exists() and source.exists() and target.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise XlrepError(message)
    if not target.parent.is_dir():
        raise XlrepError(f"输出文件夹“{target.parent}”不存在，请先建立该文件夹或换一个位置。")


def _unreadable_json(file: Path, exc) -> dict:
    return {
        "file": str(file),
        "edition": None,
        "year": None,
        "template_version": None,
        "summary": {"errors": 1, "warnings": 0, "infos": 0},
        "findings": [exc.finding.as_dict()],
    }


def _check_annotate_target(source: Path, target: Path, overwrite: bool) -> None:
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise XlrepError(f"标注副本“{target}”须以 .xlsx 结尾。")
    _refuse_input_as_output(
        source, target, "标注副本不能写到原文件上：请用 --annotate 指定另一个文件名。原文件没有改动。"
    )
    if target.exists() and not overwrite:
        raise XlrepError(f"文件“{target}”已存在，未做任何改动。要覆盖它请加 --overwrite，或换一个文件名。")


@app.command("check", cls=XlrepCommand)
def check_command(
    paths: list[Path] = typer.Argument(
        ..., metavar="路径…", help="填报表文件或文件夹（文件夹中的 .xlsx/.xlsm 等会逐个检查，包括子文件夹）。"
    ),
    as_json: bool = typer.Option(False, "--json", help="在标准输出打印 JSON：每个单位的状态和全部问题。"),
    csv_path: Optional[Path] = typer.Option(
        None, "--csv", metavar="文件.csv", help="把每个单位的每条问题写进 CSV（Excel 可直接打开）。"
    ),
    jobs: Optional[int] = typer.Option(
        None, "-j", "--jobs", metavar="N", help="同时检查的进程数（默认用上全部 CPU 核）。"
    ),
) -> int:
    """批量校验：逐个检查各单位的填报表，打印一张汇总表（单位、版本、年度、错误、提示、状态）。

    一个文件坏了不影响其他文件。退出码：0 全部没有错误；1 有单位有错误或文件无法读取；2 用法错误。

    例：xlrep check 各单位报表/ --csv 问题清单.csv
    """
    import json

    from .batch import audit_many, find_workbooks
    from .check_output import print_table, progress_bar, write_csv

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise XlrepError("找不到：" + "、".join(str(p) for p in missing))
    if csv_path is not None:
        _check_plain_target(csv_path, ".csv")
    if jobs is not None and jobs < 1:
        raise XlrepError("--jobs 须为正整数。")
    files = find_workbooks(paths)
    if not files:
        raise XlrepError("在所给的路径中没有找到任何填报表（.xlsx / .xlsm）。")
    with progress_bar(len(files)) as advance:
        results = audit_many(files, jobs=jobs, progress=advance)
    if as_json:
        payload = {
            "files": len(results),
            "summary": _batch_summary(results),
            "units": [r.as_dict() for r in results],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    print_table(results)
    if csv_path is not None:
        write_csv(results, csv_path)
        _say(f"已写出问题清单：{csv_path}")
    return 1 if any(r.summary["errors"] for r in results) else 0


def _batch_summary(results) -> dict:
    return {
        "units": len(results),
        "passed": sum(1 for r in results if not r.summary["errors"]),
        "with_errors": sum(1 for r in results if r.summary["errors"]),
        "unreadable": sum(1 for r in results if not r.readable),
        "errors": sum(r.summary["errors"] for r in results),
        "warnings": sum(r.summary["warnings"] for r in results),
    }


@app.command("merge", cls=XlrepCommand)
def merge_command(
    paths: list[Path] = typer.Argument(..., metavar="路径…", help="各单位的填报表文件或文件夹。"),
    output: Path = typer.Option(..., "-o", "--output", metavar="汇总.xlsx", help="汇总结果（新的填报表，.xlsx）。"),
    org: Optional[str] = typer.Option(
        None, "--org", metavar="机关名称", help="汇总表的机关名称（如“某某县人民政府”）。"
    ),
    org_type: Optional[str] = typer.Option(
        None, "--org-type", metavar="机关类型", help="汇总表的机关类型（可写 政府、部门、乡镇、街道）。"
    ),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖它。"),
    jobs: Optional[int] = typer.Option(
        None, "-j", "--jobs", metavar="N", help="同时读取的进程数（默认用上全部 CPU 核）。"
    ),
) -> int:
    """汇总：把各单位填报表的数字逐格相加，写成一份同格式的新填报表（公式、校验照常），另附“汇总明细”页。

    格式版本或年度不一致时拒绝汇总（MERGE-MIXED）；同一机关重复提交、单位自身有错误时会提示。
    汇总表填上文字后，用 xlrep ingest 即可生成本地区的报告。

    例：xlrep merge 各单位报表/ -o 某某县2024年汇总.xlsx --org 某某县人民政府 --org-type 政府
    """
    from .batch import audit_many, find_workbooks
    from .check_output import print_merge, progress_bar
    from .merge import merge_workbook
    from .template import ORG_TYPES

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise XlrepError("找不到：" + "、".join(str(p) for p in missing))
    if output.suffix.lower() != ".xlsx":
        raise XlrepError(f"汇总结果“{output}”须以 .xlsx 结尾。")
    if not output.parent.is_dir():
        raise XlrepError(f"输出文件夹“{output.parent}”不存在，请先建立该文件夹或换一个位置。")
    if output.exists() and not force:
        raise XlrepError(f"文件“{output}”已存在，未做任何改动。要覆盖它请加 --force，或换一个文件名。")
    if org_type is not None:
        org_type = ORG_TYPE_ALIASES.get(org_type.strip(), org_type.strip())
        if org_type not in ORG_TYPES:
            raise XlrepError("机关类型无效，只能是：" + "、".join(ORG_TYPES) + "（也可写 政府、部门、乡镇、街道）。")
    files = [f for f in find_workbooks(paths) if f.resolve() != output.resolve()]
    if not files:
        raise XlrepError("在所给的路径中没有找到任何填报表（.xlsx / .xlsm）。")
    with progress_bar(len(files)) as advance:
        results = audit_many(files, jobs=jobs, keep_values=True, progress=advance)
    outcome, data = merge_workbook(results, org=org, org_type=org_type)
    print_merge(outcome)
    if data is None:
        if outcome.edition is None and not outcome.mixed:
            _say("没有可以汇总的填报表（都无法读取）。")
        return 1
    write_output(output, data, overwrite=force)
    typer.echo(f"已汇总 {len(outcome.included)} 个单位：{output}")
    return 0


@app.command("serve", cls=XlrepCommand)
def serve_command(
    data: Path = typer.Option(
        Path("xlrep-data"), "--data", metavar="文件夹", help="存放数据（数据库和上传的文件）的文件夹，没有会新建。"
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", metavar="地址", help="监听地址。默认只有本机能访问；0.0.0.0 对局域网开放。"
    ),
    port: int = typer.Option(8000, "--port", metavar="端口", help="端口（默认 8000；0 表示自动选一个空闲端口）。"),
    no_browser: bool = typer.Option(False, "--no-browser", help="启动后不自动打开浏览器。"),
    certfile: Optional[Path] = typer.Option(
        None, "--certfile", metavar="证书.pem", help="启用 HTTPS：证书文件（须同时给出 --keyfile）。"
    ),
    keyfile: Optional[Path] = typer.Option(None, "--keyfile", metavar="私钥.pem", help="启用 HTTPS：私钥文件。"),
    max_upload_mb: int = typer.Option(20, "--max-upload-mb", metavar="MB", help="上传文件的大小上限（默认 20 MB）。"),
    workers: Optional[int] = typer.Option(
        None, "--workers", metavar="N", help="同时校验的进程数（默认等于 CPU 核数）。"
    ),
) -> int:
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
    )


def _check_plain_target(target: Path, suffix: str) -> None:
    if target.suffix.lower() != suffix:
        raise XlrepError(f"“{target}”须以 {suffix} 结尾。")
    if not target.parent.is_dir():
        raise XlrepError(f"输出文件夹“{target.parent}”不存在，请先建立该文件夹或换一个位置。")


def _carry_over(path: Path, year: int, edition: str):
    from .previous import carry_over
    from .reader import read_workbook

    previous = read_workbook(path)
    if previous.layout is None:
        raise XlrepError(f"“{path}”不是 xlrep 生成的填报表，无法从中预填。")
    if previous.year is not None and previous.year != year - 1:
        _say(f"注意：“{path.name}”是 {previous.year} 年度的填报表，不是 {year - 1} 年度的。")
    values, notes, references = carry_over(previous, year, edition)
    carried = sum(1 for k in notes if k.startswith("t3.carried_in."))
    _say(f"已从“{path.name}”预填 {len(notes)} 个单元格（其中表三“上年结转”{carried} 项），以浅紫色标出，请逐项核对。")
    return values, notes, references


# -- entry point ------------------------------------------------------------------


def _usage_message(exc: click_errors.UsageError) -> str:
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"没有这个选项：{exc.option_name}"
        if exc.possibilities:
            text += "（您是否想用 " + "、".join(sorted(exc.possibilities)) + "？）"
        return text
    if isinstance(exc, click_errors.MissingParameter):
        param = exc.param
        name = (param.metavar or param.name) if param is not None else ""
        return f"缺少参数：{name}"
    if isinstance(exc, click_errors.BadOptionUsage):
        return f"选项 {exc.option_name} 用法有误（是否漏写了它的值？）"
    if isinstance(exc, click_errors.BadParameter):
        name = exc.param.name if exc.param is not None else ""
        return f"参数 {name} 的值无效"
    message = exc.format_message()
    if message.startswith("No such command"):
        return "没有这个命令：" + message.split("'")[1] if "'" in message else "没有这个命令"
    if message.startswith("Got unexpected extra argument"):
        return "多余的参数：" + message.split("(", 1)[-1].rstrip(")")
    return "命令用法有误：" + message


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    signal.signal(signal.SIGTERM, _terminate)
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="xlrep", standalone_mode=False)
    except XlrepError as exc:
        _say(f"错误：{exc.message}")
        return exc.exit_code
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return 2
    except click_errors.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "xlrep"
        _say(f"错误：{_usage_message(exc)}。运行 {command} --help 查看用法。")
        return 2
    except (KeyboardInterrupt, typer.Abort):
        _say("已中断：没有写出不完整的文件。")
        return 130
    except typer.Exit as exc:
        result = exc.exit_code
    except Exception as exc:  # a bug of ours: still no traceback for the clerk
        _say(
            f"xlrep 内部错误（{type(exc).__name__}: {exc}）。没有写出不完整的文件。请把这条信息和所用文件报告给维护者。"
        )
        return 3
    code = result if isinstance(result, int) else 0
    if code == 130:  # typer turns Ctrl-C into exit code 130
        _say("已中断：没有写出不完整的文件。")
    return code


def run() -> None:
    """Console entry point (``xlrep`` and ``python -m xlrep``)."""
    # openpyxl imports numpy, when installed, only to recognise numpy scalars, which
    # xlrep never hands it; skipping that import saves ~60 ms of every cold start.
    # Only here, in our own process: library users keep their numpy.
    if "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]
    sys.exit(main())


def _terminate(signum, frame):  # pragma: no cover - exercised by signal tests
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover
    run()
