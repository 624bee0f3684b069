"""What the command line's values mean: a report year, an edition, the hints of an import, where an output
goes, the JSON printed; checked here so a wrong one is refused in Chinese before any work."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..common.errors import UnreadableFile, XlrepError
from ..common.files import write_output
from ..common.safetext import one_line
from ..common.terminal import out, say


def form_of(year: int, edition: str | None):
    """The edition for a report year, or the one asked for (saying so when it does not fit the year)."""
    from ..edition.form import editions, form_for_year, load_form

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
        say(f"注意：{year} 年度应使用{expected.name}格式，现按您的指定生成{form.name}格式的填报表。")
    return form


def import_hints(year: str | None, org: str | None, org_type: str | None):
    """The ``ImportHints`` of ``--year --org --org-type``, checked (a wrong one is refused before any work)."""
    from ..edition.form import editions

    if year is None and org is None and org_type is None:
        return None
    from ..importing import ImportHints

    if org_type is not None and not any(accepts(form, org_type) for form in editions()):
        org_type_of(editions()[-1], org_type)
    org = one_line(org).strip() if org is not None else None
    if org is not None and not org:
        raise XlrepError("--org 的机关名称不能为空。")
    return ImportHints(year=parse_year(year, "--year 2023") if year is not None else None, org=org, org_type=org_type)


def parse_year(text: str, example: str = "xlrep template 2021") -> int:
    """A year as typed: four digits, in the range a template can be made for (``template_inputs.check_year``)."""
    from ..writer.template_inputs import check_year

    text = text.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise XlrepError(f"报告年度“{text}”无效：请写四位数字年份，如 {example}。")
    return check_year(int(text))


def org_type_of(form, text: str | None) -> str | None:
    from ..writer.template_inputs import org_type_choice

    return None if text is None else org_type_choice(form, text)


def accepts(form, org_type: str) -> bool:
    try:
        form.org_type(org_type)
    except ValueError:
        return False
    return True


def template_path(output: Path | None, year: int, org: object) -> Path:
    from ..common.safetext import for_filename

    # the 机关名称 is shortened when the whole name would pass 255 bytes; the year and the kind are kept
    name = for_filename(str(org or ""), suffix=f"{year}年政府信息公开工作年度报告填报表.xlsx", default="")
    if output is None:
        return Path.cwd() / name
    try:
        is_dir = output.is_dir()
    except OSError:  # a name too long, …: check_target says so in Chinese
        is_dir = False
    return output / name if is_dir else output


def read_last_year_for(path: Path, year: int):
    """Last year's workbook for ``template --from`` (a note when it is not the year before)."""
    previous = read_last_year(path, "无法从中预填")
    if previous.year is not None and previous.year != year - 1:
        say(f"注意：“{path.name}”是 {previous.year} 年度的填报表，不是 {year - 1} 年度的。")
    return previous


def say_prefilled(path: Path, form, previous, prefilled: dict[str, str]) -> None:
    """How many cells ``template --from`` prefilled (the agency's name and type typed on the command line are not)."""
    carried = sum(1 for k in prefilled if k in {c.key for c in prefilled_carries(form, previous.form)})
    say(
        f"已从“{path.name}”预填 {len(prefilled)} 个单元格（其中由上年数字推算 {carried} 项），以浅紫色标出，请逐项核对。"
    )


def prefilled_carries(form, last_form):
    from ..checks.previous import carried_cells

    return [c for c in carried_cells(form, last_form) if c.carry.prefill]


def read_last_year(path: Path, purpose: str):
    from ..auditing.ingest import read_any
    from ..common.published_formats import PUBLISHED_SUFFIXES

    try:
        previous = read_any(path)
    except UnreadableFile as exc:
        raise XlrepError(f"上年填报表无法读取：{exc.message}") from None
    if previous.form is None:
        raise XlrepError(f"“{path}”不是 xlrep 生成的填报表，{purpose}。")
    if path.suffix.lower() in PUBLISHED_SUFFIXES:
        say(f"注意：“{path.name}”是已发布的报告，已按官方标签自动导入后使用（有疑问的数字留空，见 xlrep import）。")
    return previous


def report_suffixes() -> tuple[str, ...]:
    from ..common.report_formats import RENDERERS

    return tuple(RENDERERS)


def write_report(result, outputs, *, print_text: bool) -> None:
    """The report of an audit: printed (unless ``print_text`` is false) and written to each of ``outputs``."""
    from ..outputs.report import build_report, render, render_text

    report = build_report(result, draft=result.summary["errors"] > 0)
    if print_text:
        out(render_text(report), nl=False)
    for target in outputs:
        write_output(target, render(report, target.suffix), overwrite=True)
        say(f"已写出{'草稿' if report.draft else '报告'}：{shown(target)}")


def shown(path: Path) -> str:
    from ..common.safetext import display_path

    return display_path(path)


def json_text(data: dict) -> str:
    """JSON for standard output: always valid UTF-8 (a file name that is not becomes U+FFFD), and safe on a terminal.

    ``json.dumps`` escapes C0 controls; C1 controls, bidi controls and U+2028/U+2029 are escaped here too
    (``\\u202e``): the same JSON data, but nothing that acts on a terminal or reorders what it shows.
    """
    from ..common.safetext import BIDI_CONTROLS, path_fields, valid_unicode

    # a path that is not UTF-8 shows each undecodable byte as �, as on the terminal
    text = valid_unicode(json.dumps(path_fields(data), ensure_ascii=False, indent=2, default=str))
    unsafe = re.compile("[\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")
    return unsafe.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def workbooks_in(paths: tuple[Path, ...], jobs: int | None) -> list[Path]:
    from ..common.files import os_error_text
    from ..units.batch import find_workbooks

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


def import_target(output: Path | None, count: int) -> tuple[Path, Path | None]:
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


def import_name(imported, tag: str = "") -> str:
    """``<机关名称><年度>年政府信息公开工作年度报告填报表（导入）.xlsx``; without a name, the report's file name.

    Made by ``for_filename``: at most 255 bytes whatever the 机关名称, a GBK report name shown with �,
    ``tag`` (``（2）``) kept after any shortening."""
    from ..common.safetext import for_filename

    if imported.org:
        return for_filename(imported.org, suffix=f"{imported.year}年政府信息公开工作年度报告填报表（导入）{tag}.xlsx")
    return for_filename(imported.source.stem, suffix=f"（导入）{tag}.xlsx")


def free_name(folder: Path, imported, taken: list[Path]) -> Path:
    """Two reports of one run never share an output: the second gets （2）, and so on."""
    from ..common.files import same_file

    candidate, n = folder / import_name(imported), 1
    while any(candidate == t or same_file(candidate, t) for t in taken):
        n += 1
        candidate = folder / import_name(imported, f"（{n}）")
    return candidate


def units_to_merge(files: list[Path], output: Path) -> list[Path]:
    """The files to add up: an earlier 汇总 at the output path is not a unit (it is replaced, with --force)."""
    from ..common.files import same_file
    from ..workbook.reader import read_workbook

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
