"""The file and the template: FILE-UNREADABLE, TEMPLATE-*, EDITION-YEAR (checks.md, “File and template”).

These rules judge what the reader found about the workbook's identity and
structure; none of them rests on the values.
"""

from __future__ import annotations

from datetime import date, datetime

from ...common.findings import ERROR, INFO, WARNING, CellRef
from ...edition.form import form_for_year
from ...workbook.computed import DRAFT_PREFIX
from ...workbook.engine import computed_values
from ...workbook.formula_meaning import same_formula
from ...workbook.formulas import TEMPLATE_VERSION, version_tuple
from .base import Context, Rule, register


@register
class FileUnreadable(Rule):
    id, severity = "FILE-UNREADABLE", ERROR
    title = "文件须是能打开的 .xlsx 工作簿（.xls、.et、.ods 请在 Excel 或 WPS 中另存为 .xlsx），且不能设置打开密码。"
    messages = {"default": "{text}"}
    uses_values = False  # raised by the reader (errors.UnreadableFile), never by a check


@register
class TemplateUnknown(Rule):
    id, severity = "TEMPLATE-UNKNOWN", ERROR
    title = "须使用 xlrep 生成的填报表，不要自行制作表格。"
    messages = {
        "default": "“{name}”不是 xlrep 生成的填报表，也找不到官方表格的标签，无法校验。"
        "请用 xlrep template 生成填报表，把数字和文字填进去后再试。"
    }
    uses_values = False
    needs_form = False

    def check(self, context: Context):
        result = context.result
        if result.form is None:
            yield self.finding(values={"file": str(result.path)}, name=result.path.name)


@register
class TemplateVersion(Rule):
    id, severity = "TEMPLATE-VERSION", WARNING
    title = "请使用与程序版本一致的填报表。"
    messages = {
        "newer": "这份填报表由模板版本 {found} 生成，本程序写的是 {expected}。请升级 xlrep 后再校验。",
        "older": "这份填报表由模板版本 {found} 生成，本程序写的是 {expected}。"
        "建议用 xlrep template 生成新的填报表，把内容复制过去。",
        "fingerprint": "这份填报表的表样与本程序的表样不完全相同（表样指纹不同），请用 xlrep template 生成新的填报表。",
    }
    uses_values = False

    def check(self, context: Context):
        result, form = context.result, context.form
        if result.identity_source == "labels":
            return
        if result.template_version and result.template_version != TEMPLATE_VERSION:
            newer = version_tuple(result.template_version) > version_tuple(TEMPLATE_VERSION)
            values = {"found": result.template_version, "expected": TEMPLATE_VERSION}
            yield self.finding("newer" if newer else "older", values=values, **values)
        elif result.fingerprint and result.fingerprint != form.fingerprint:
            yield self.finding("fingerprint", values={"found": result.fingerprint, "expected": form.fingerprint})


@register
class TemplateTampered(Rule):
    id, severity = "TEMPLATE-TAMPERED", ERROR
    title = "不要改动灰色公式、表头和标签，不要插入或删除行列、重命名或删除工作表。"
    filling = True
    uses_values = False
    messages = {
        "edition": "文件标明是{declared}年版格式，但表格标签是{found}年版的：文件被改动过。已按{found}年版读取。",
        "renamed": "工作表“{sheet}”被改名为“{renamed_to}”。请改回原名；数字已按单元格名称从“{renamed_to}”读取。",
        "moved": "“{sheet}”中插入或删除了行列：{count} 个填报单元格不在模板规定的位置。"
        "请不要插入或删除行列；数字已按单元格名称读取，但请改用新的填报表重新填写。",
        "missing": "工作表“{sheet}”不见了（被删除或改名）。请不要删除或重命名工作表，改回原名或使用新的填报表。",
        "moved_table": "“{sheet}”中插入或删除了行列：{count} 处表头或标签不在模板规定的位置，单元格名称却没有随之移动，"
        "这张表的数字无法可靠读取，未作校验。请不要插入或删除行列；请用新的填报表重新填写。",
        "labels": "“{sheet}”中有 {count} 处表头或标签与模板不一致（被改写，或插入、删除了行列）。请不要改动标签。",
        "typed_over": "{label}：这里本应是自动计算的公式，却被改成了固定内容“{found}”。"
        "灰色单元格不能填写；已按重新计算的结果校验。",
        "formula": "{label}：公式被改动（现为 {found}，应为 {expected}）。已按重新计算的结果校验。",
    }

    def check(self, context: Context):
        result = context.result
        if result.declared_edition:
            found = result.form.edition
            yield self.finding(
                "edition",
                values={"declared": result.declared_edition, "found": found},
                declared=result.declared_edition,
                found=found,
            )
        for sheet, renamed_to in result.renamed.items():
            yield self.finding(
                "renamed",
                [CellRef(renamed_to, "A1", "")],
                {"sheet": sheet, "renamed_to": renamed_to},
                sheet=sheet,
                renamed_to=renamed_to,
            )
        for sheet, refs in result.moved.items():
            if sheet not in result.renamed:  # a rename moves every name: reported as the rename
                yield self.finding("moved", refs, {"moved_cells": len(refs)}, sheet=sheet, count=len(refs))
        for sheet in result.missing_sheets:
            yield self.finding("missing", [CellRef(sheet, "A1", "")], {"sheet": sheet}, sheet=sheet)
        for changed in result.changed_labels:
            yield self.finding(
                "moved_table" if changed.moved_table else "labels",
                changed.cells,
                {"found": changed.found},
                sheet=changed.sheet,
                count=len(changed.cells),
            )
        yield from self._formulas(context)

    def _formulas(self, context: Context):
        result = context.result
        typed_over = {f.key for f in result.formulas if f.typed_over}
        truths = _computed(context, typed_over) if typed_over else {}  # only a typed-over cell shows what it should
        for f in result.formulas:
            ref = CellRef(f.sheet, f.a1, f.label)
            if f.typed_over:
                found = "" if f.found is None else f.found
                values = {"found": _plain(f.found), "expected_formula": f.expected, "computed": truths[f.key]}
                yield self.finding("typed_over", [ref], values, label=f.label, found=found)
            elif not same_formula(f.found, f.expected, f.sheet) and not (
                f.older and same_formula(f.found, f.older, f.sheet)
            ):
                values = {"found": f.found, "expected_formula": f.expected}
                yield self.finding("formula", [ref], values, label=f.label, found=f.found, expected=f.expected)


def _computed(context: Context, typed_over: set[str]) -> dict[str, object]:
    """What every formula cell should show, by its id, from the inputs; the drafted paragraphs (参考表述)
    only when one of them was typed over (they are longer to make)."""
    drafts = any(key.startswith(DRAFT_PREFIX) for key in typed_over)
    return computed_values(context.form, context.result.values, drafts=drafts, full=context.full)


def _plain(value: object) -> object:
    return str(value) if isinstance(value, (datetime, date)) else value


@register
class TemplateUnprotected(Rule):
    id, severity = "TEMPLATE-UNPROTECTED", INFO
    title = "工作表保护被取消（仅提示）。"
    messages = {"default": "这些工作表的保护被取消了：{sheets}。保护只是防止误改公式；请确认没有改动灰色单元格。"}
    uses_values = False

    def check(self, context: Context):
        sheets = context.result.unprotected
        if sheets:
            cells = [CellRef(name, "A1", "") for name in sheets]
            yield self.finding(cells=cells, values={"sheets": sheets}, sheets="、".join(sheets))


# -- what a trip through another program loses (issue 19) -------------------------------------------------
# LibreOffice and Gnumeric, saving an .xlsx, drop the workbook-structure protection and the custom document
# properties and make the very hidden identity sheet visible (LibreOffice: hidden). The audit still reads the
# file (identity from the hidden sheet, cells by their names); these notes tell the office it went through
# another program. Only for a workbook that says it is an xlrep template (not one recognised by its labels).
ANOTHER_PROGRAM = "文件可能用 WPS、LibreOffice、Gnumeric 等其他程序另存过。"


def _from_template(context: Context) -> bool:
    return context.result.identity_source in ("properties", "hidden sheet")


@register
class TemplateUnlocked(Rule):
    id, severity = "TEMPLATE-UNLOCKED", INFO
    title = "工作簿结构保护被取消（仅提示）。"
    messages = {
        "default": "工作簿的结构保护（禁止添加、删除、重命名、取消隐藏工作表）已不在，"
        + ANOTHER_PROGRAM
        + "数字照常校验；请确认没有添加、删除或重命名工作表。"
    }
    uses_values = False

    def check(self, context: Context):
        if _from_template(context) and not context.result.structure_locked:
            yield self.finding(values={"structure_locked": False})


@register
class TemplateMetaVisible(Rule):
    id, severity = "TEMPLATE-META-VISIBLE", INFO
    title = "记录模板身份的深度隐藏工作表变为可见或普通隐藏（仅提示）。"
    messages = {
        "default": "记录模板身份的工作表“{sheet}”原本深度隐藏，现在可以看到，"
        + ANOTHER_PROGRAM
        + "请不要改动或删除这张表：它记录格式版本、年度和模板版本。",
        "hidden": "记录模板身份的工作表“{sheet}”原本深度隐藏，现在是普通隐藏（“取消隐藏”即可看到），"
        + ANOTHER_PROGRAM
        + "请不要改动或删除这张表：它记录格式版本、年度和模板版本。",
    }
    uses_values = False

    def check(self, context: Context):
        from ...workbook.layout import META_SHEET

        state = context.result.meta_state
        if _from_template(context) and state is not None and state != "veryHidden":
            message = "hidden" if state == "hidden" else "default"
            yield self.finding(
                message, cells=[CellRef(META_SHEET, "A1", "")], values={"state": state}, sheet=META_SHEET
            )


@register
class TemplatePropertiesLost(Rule):
    id, severity = "TEMPLATE-PROPERTIES-LOST", INFO
    title = "文档属性中的模板身份丢失（仅提示）。"
    messages = {
        "default": "文件的自定义文档属性（模板身份）已丢失，"
        + ANOTHER_PROGRAM
        + "模板身份已从隐藏工作表“{sheet}”读出，校验不受影响。"
    }
    uses_values = False

    def check(self, context: Context):
        from ...workbook.layout import META_SHEET

        if context.result.identity_source == "hidden sheet":
            yield self.finding(values={"identity_source": "hidden sheet"}, sheet=META_SHEET)


@register
class TemplateExtraSheet(Rule):
    id, severity = "TEMPLATE-EXTRA-SHEET", INFO
    title = "填报表里添加的工作表不会被读取（仅提示）。"
    messages = {
        "default": "工作簿里有模板以外的工作表：{sheets}。xlrep 不读取这些表，其中的内容不会进入校验和报告；如不需要，请删除。"
    }
    uses_values = False

    def check(self, context: Context):
        from ...common.safetext import one_line

        sheets = context.result.extra_sheets
        if sheets:
            names = "、".join(f"“{one_line(name)}”" for name in sheets)
            yield self.finding(values={"sheets": sheets}, sheets=names)


@register
class EditionYear(Rule):
    id, severity = "EDITION-YEAR", WARNING
    title = "2019、2020 年度使用 2019年版格式；2021 年度起使用 2021年版格式。"
    filling = True
    uses_values = False
    messages = {
        "default": "{year} 年度应使用 {expected}年版格式，这份填报表是 {edition}年版。"
        "请用 xlrep template {year} 生成正确格式的填报表。"
    }

    def check(self, context: Context):
        result, form = context.result, context.form
        if result.year is None:
            return
        try:
            right = form_for_year(result.year)
        except KeyError:
            return
        if right is not form:
            values = {"year": result.year, "edition": form.edition, "expected_edition": right.edition}
            key = form.role("report_year")
            cells = [result.ref(key)] if key else []
            yield self.finding(
                cells=cells, values=values, year=result.year, expected=right.edition, edition=form.edition
            )
