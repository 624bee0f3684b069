"""Narrative against the tables: TEXT-MISSING, TEXT-DRAFTED, TEXT-NUMBER, TEXT-SHARE, TEXT-CHANGE, TEXT-CLAIM,
TEXT-YEAR, TEXT-SENTENCE-LONG, FEE-NOTICE, GOV-ACCOUNTABILITY.

``statements`` reads the numbers a text states and compares them with the tables
(once per workbook, over every part: the statement rules share the result);
``narrative`` reads the claims and the years; ``drafting`` makes the paragraph an
empty （二）依申请公开 is published as. These rules word the findings.
"""

from __future__ import annotations

from ...common.findings import ERROR, INFO, WARNING
from ...edition.form import Form
from ...workbook.cellexpr import format_number
from .. import narrative
from .base import Context, Rule, register


def _parts(context: Context):
    """(key, label, text) of every narrative part that has text."""
    values = context.result.values
    for cell in context.form.narrative_parts:
        if values.get(cell.key):
            yield cell.key, cell.label, str(values[cell.key])


def _drafts(context: Context) -> dict[str, str]:
    """The empty parts the report publishes as their drafted paragraph (part key → text)."""
    from ...workbook.drafting import published_drafts

    return context.shared("text.drafts", lambda c: published_drafts(c.result))


def _mismatches(context: Context) -> list:
    """(key, label, mismatch) of every statement of every part that no reading fits the tables."""
    return context.shared("text.mismatches", _compare)


def _compare(context: Context) -> list:
    texts = list(_parts(context))
    if not texts:
        return []
    from ..statements import compare, narrative_figures, read_statements  # compiles the reader's patterns

    parts = [(key, label, read_statements(text)) for key, label, text in texts]
    statements = [s for _, _, found in parts for s in found]
    if not statements:
        return []
    figures = narrative_figures(context.form)
    region_is_ours = _speaks_for_area(context, [text for _, _, text in texts])
    found = compare(
        statements, figures, context.full, _last_year(context), year=context.result.year, region_is_ours=region_is_ours
    )
    by_statement = {id(m.statement): m for m in found}
    return [(key, label, by_statement[id(s)]) for key, label, sts in parts for s in sts if id(s) in by_statement]


def _speaks_for_area(context: Context, texts: list[str]) -> bool:
    """What the report says of the whole area (全区) is its own: a local government's report, a body acting as one
    (管委会, 实验区, 开发区, 新区), or a report that says it is compiled for the whole area (汇总…各单位…编制)."""

    form, result = context.form, context.result
    org_type, org = result.text("org_type") or None, result.text("org_name") or ""
    if org_type is not None and org_type == form.government:
        return True
    if not (org_type and ("部门" in org_type or "乡镇" in org_type)) and narrative.AREA_BODY.search(org):
        return True
    return any(narrative.compiled_for_area(text) for text in texts)


def _last_year(context: Context) -> dict[str, object] | None:
    """Last year's values, when the workbook of the year before was given (its unread sheets left out)."""
    previous, year = context.previous, context.result.year
    if previous is None or previous.form is None or year is None or previous.year != year - 1:
        return None
    cells = previous.form.cells
    return {k: v for k, v in previous.values.items() if k in cells and cells[k].sheet not in previous.unread_sheets}


def _mismatch_findings(rule: Rule, context: Context, wording):
    """The findings of ``rule`` for the statements it owns that no reading fits: the part and the table
    cells named, the sentence quoted; ``wording(mismatch)`` gives the rest of the message's fields."""
    for key, label, m in _mismatches(context):
        if m.rule == rule.id:
            yield rule.finding(
                cells=[context.ref(key), *context.refs(m.keys)],
                values=_values(m),
                part=label,
                sentence=m.statement.sentence,
                **wording(m),
            )


def _values(m) -> dict:
    st = m.statement
    values = {"stated": m.stated, "table": m.table, "figure": m.figure, "sentence": st.sentence, "statement": st.text}
    if m.claim:
        values["claim"] = m.claim
    return values


@register
class TextMissing(Rule):
    id, severity = "TEXT-MISSING", ERROR
    title = "机关名称、一、总体情况、五、存在的主要问题及改进情况不能为空。"
    filling = True
    messages = {"default": "“{section}”的“{label}”没有填写。这是报告必需的内容。"}

    def check(self, context: Context):
        result, form = context.result, context.form
        values = result.values
        # A workbook made from a published report holds what the report states: its parts may have no
        # sub-headings (the text is then in the first part), and no report states its 机关类型.
        imported = result.imported_from is not None
        filled_sheets = {c.sheet for c in form.narrative_parts if values.get(c.key)}
        for cell in form.cells.values():
            if not (cell.required and cell.is_input and not cell.is_numeric) or values.get(cell.key) not in (None, ""):
                continue
            if imported and (cell.key == form.role("org_type") or cell.sheet in filled_sheets):
                continue
            if cell.key in _drafts(context):  # published as its drafted paragraph (TEXT-DRAFTED)
                continue
            yield self.finding(
                cells=[context.ref(cell.key)], values={"part": cell.key}, section=cell.sheet, label=cell.label
            )


@register
class TextDrafted(Rule):
    """An empty （二）依申请公开 is published as the paragraph drafted from 表三 and 表四 (the 参考表述 cell
    beside it): the report's numbers are still right, and the clerk is told which text it uses."""

    id, severity = "TEXT-DRAFTED", INFO
    title = "“（二）依申请公开”留空时，报告采用根据表三、表四自动生成的参考表述。"
    messages = {"default": "“{label}”没有填写，报告采用根据表格自动生成的参考表述：“{draft}”"}

    def check(self, context: Context):
        for key, draft in _drafts(context).items():
            yield self.finding(
                cells=[context.ref(key)],
                values={"part": key, "draft": draft},
                label=context.form.cells[key].label,
                draft=draft,
            )


#: How a count that no reading fits is explained (TEXT-NUMBER, and TEXT-CHANGE for counts of last year).
COUNT_MESSAGES = {
    "default": "“{part}”中写道“{sentence}”，其中“{statement}”{explanation}请改正文字或表格。",
    "count": "与表格不符：{title}是 {table} {unit}{others}。{hints}",
    "others": "（按另一种理解，{readings}）",
    "reading": "{title}是 {value} 件",
    "natural_person": "{stated} 恰是{column}的数字；如指自然人提出的申请，请写明“自然人”。",
    "sum": "{stated} 恰是{parts}之和。{advice}",
    "sum_part": "{title} {value} 件",
    "counted_carried_in": "“收到申请”通常只指本年新收；如要写包括上年结转在内的申请总数，请写明“含上年结转”。",
    "not_held_as_refused": "“本机关不掌握相关政府信息”属于（四）无法提供，不属于（三）不予公开。",
}


class StatementRule(Rule):
    """Statements of the narrative that no reading of fits the tables (``statements.compare``).

    A statement is read only when its meaning is clear, and flagged only when every reading of it
    (办理 N 件: the results, or the requests handled in all) disagrees: a correct statement is never
    flagged. The finding quotes the sentence and the statement, and names the part and the table cells.
    """

    severity = WARNING
    filling = True
    messages = COUNT_MESSAGES

    def check(self, context: Context):
        yield from _mismatch_findings(
            self, context, lambda m: {"statement": m.statement.text, "explanation": self.explain(m)}
        )

    def explain(self, m) -> str:
        """What the tables say instead (a clause of the message; ``statements.Mismatch`` holds the data)."""
        return self._count(m, "count")

    def _count(self, m, message: str) -> str:
        text = self.messages
        others = ""
        if m.others:
            readings = "；".join(text["reading"].format(title=t, value=format_number(v)) for t, v in m.others)
            others = text["others"].format(readings=readings)
        hints = []
        for hint in m.hints:
            stated = format_number(m.stated)
            if hint.kind == "natural_person":
                hints.append(text["natural_person"].format(stated=stated, column=hint.parts[0][0]))
            else:
                parts = "与".join(text["sum_part"].format(title=t, value=format_number(v)) for t, v in hint.parts)
                hints.append(text["sum"].format(stated=stated, parts=parts, advice=text.get(hint.advice or "", "")))
        return text[message].format(
            title=m.title, table=format_number(m.table), unit=m.unit, others=others, hints="".join(hints)
        )


@register
class TextNumber(StatementRule):
    id = "TEXT-NUMBER"
    title = "文字中写到的件数（如“收到申请N件”“现行有效行政规范性文件N件”）须与表格一致。"


@register
class TextShare(StatementRule):
    """Shares (占 63.64%) and rates (办结率): each may be of several totals, and it fits any of them within the
    precision stated (rounded or cut), so a share written 63.6% or 63% of 42 / 66 is right."""

    id = "TEXT-SHARE"
    title = "文字中写到的比例（如“占51.85%”“办结率100%”）须与表格算出的比例一致。"
    messages = {
        **COUNT_MESSAGES,
        "share": "与表格不符：{title} {value} 件占{base} {base_value} 件的 {table}%。",
    }

    def explain(self, m) -> str:
        base, base_value = m.base
        return self.messages["share"].format(
            title=m.title,
            value=format_number(m.value),
            base=base,
            base_value=format_number(base_value),
            table=format_number(m.table),
        )


@register
class TextChange(StatementRule):
    """Year-on-year statements (同比增长 25%, 较上年增加 15 件, 上年收到申请 60 件) against last year's workbook,
    when it is given (``ingest --previous``)."""

    id = "TEXT-CHANGE"
    title = "与上年比较的说法（如“同比增长12.3%”）须与上年填报表一致（给出上年填报表时检查）。"
    filling = False
    needs_previous = True
    messages = {
        **COUNT_MESSAGES,
        "last_year": "与上年的填报表不符：上年填报表中{title}是 {table} {unit}{others}。{hints}",
        "change": "与表格不符：{title}上年是 {before} 件，本年是 {now} 件，实际{direction} {table}{unit}"
        "（上年的数字取自上年的填报表）。",
    }

    def explain(self, m) -> str:
        if m.last_year:
            return self._count(m, "last_year")
        return self.messages["change"].format(
            title=m.title,
            before=format_number(m.before),
            now=format_number(m.value),
            direction="增长" if m.value >= m.before else "下降",
            table=format_number(m.table),
            unit="%" if m.unit == "%" else " 件",
        )


@register
class TextClaim(Rule):
    """Claims that a figure is 0 (未收到申请, 未发生行政复议, 未收取信息处理费) or that every case was upheld
    (均获维持: 结果纠正 and 尚未审结 both 0), read by ``narrative.claims``.

    “无被纠错”“未出现被纠错的情况” say only that no case was corrected: the statement reader
    (``statements``) reads them as 结果纠正 = 0 of the topic named, and they are compared with 结果纠正
    alone — a case still pending (尚未审结) has not been corrected, so it does not contradict them.
    """

    id, severity = "TEXT-CLAIM", WARNING
    title = "文字说法须与表格一致（如写“未收到申请”，表三新收须为 0）。"
    filling = True
    messages = {
        "default": "“{part}”中写道“{sentence}”，但{what}。请改正文字或表格。",
        "no_requests": "表三本年新收申请是 {a} 件",
        "no_review": "表四行政复议总计是 {a} 件",
        "no_suit": "表四行政诉讼总计是 {a} 件",
        "no_fees": "六中填写的实际收取信息处理费是 {a} 元",
        "all_upheld_review": "表四行政复议有结果纠正 {a} 件、尚未审结 {b} 件",
        "all_upheld_suit": "表四行政诉讼有结果纠正 {a} 件、尚未审结 {b} 件",
        "no_correction_review": "表四行政复议结果纠正是 {a} 件",
        "no_correction_suit": "表四行政诉讼结果纠正（两栏之和）是 {a} 件",
    }

    def check(self, context: Context):
        yield from self._claims(context)
        yield from _mismatch_findings(
            self, context, lambda m: {"what": self.messages[m.claim].format(a=format_number(m.table))}
        )

    def _claims(self, context: Context):
        form = context.form
        for key, label, text in _parts(context):
            for claim in narrative.claims(text):
                if not all(name in form.figures for name in claim.figures):
                    continue
                numbers = [context.figure(name) for name in claim.figures]
                if sum(numbers) <= 0:
                    continue
                what = self.messages[claim.claim].format(**dict(zip("ab", map(format_number, numbers), strict=False)))
                keys = [k for name in claim.figures for k in form.figure_keys(name)]
                yield self.finding(
                    cells=[context.ref(key), *context.refs(keys)],
                    values={"sentence": claim.sentence, "claim": claim.claim, "table": sum(numbers)},
                    part=label,
                    sentence=claim.sentence,
                    what=what,
                )


@register
class TextYear(Rule):
    id, severity = "TEXT-YEAR", WARNING
    title = "不要沿用上年文字：句首年份须为本报告年度。"
    filling = True
    messages = {
        "default": "“{part}”中有一句以“{stated}年”开头：“{opening}”，而本报告是 {year} 年度的。"
        "可能沿用了往年的文字，请核实。"
    }

    def check(self, context: Context):
        year = context.result.year
        if year is None:
            return
        for key, label, text in _parts(context):
            if key in context.form.about_last_year:
                continue
            for stated, sentence in narrative.stale_years(text, year):
                yield self.finding(
                    cells=[context.ref(key)],
                    values={"stated": stated, "year": year, "sentence": sentence},
                    part=label,
                    stated=stated,
                    opening=sentence[:60],
                    year=year,
                )


@register
class TextSentenceLong(Rule):
    """A sentence too long to be read for its numbers (``statements.MAX_SENTENCE``): reading one is quadratic
    in its length, so it is left out, and said so — never a check skipped in silence."""

    id, severity = "TEXT-SENTENCE-LONG", WARNING
    title = "一句话不要超过 2000 字：更长的句子不逐一核对其中的数字，请用句号分开。"
    messages = {
        "default": "“{part}”中有一句长达 {length} 字（“{opening}……”），超过 {limit} 字的句子不逐一核对其中的数字"
        "与表格是否一致。请用句号把它分成几句。"
    }

    def check(self, context: Context):
        from ..statements import MAX_SENTENCE, long_sentences

        for key, label, text in _parts(context):
            for start, end in long_sentences(text):
                yield self.finding(
                    cells=[context.ref(key)],
                    values={"length": end - start, "limit": MAX_SENTENCE},
                    part=label,
                    length=f"{end - start:,}",
                    opening=text[start : start + 20],
                    limit=f"{MAX_SENTENCE:,}",
                )


@register
class FeeNotice(Rule):
    id, severity = "FEE-NOTICE", WARNING
    title = "表三（六）2 有数字时，六中须报告发出的收费通知。"
    filling = True
    messages = {
        "default": "表三（六）2（申请人逾期未按收费通知缴费）有 {unpaid} 件，但六中发出收费通知的件数为 0。"
        "有逾期未缴费，就应发出过收费通知，请核实。"
    }

    def applies(self, form: Form) -> bool:
        return any(x.rule == self.id for x in form.implications)

    def check(self, context: Context):
        for x in context.form.implications:
            if x.rule != self.id:
                continue
            unpaid, notices = context.n(x.if_positive), context.n(x.then_positive)
            if x.unless_within and unpaid <= context.n(x.unless_within):
                continue  # every such request may be one carried in, its notice sent last year
            if unpaid > 0 and notices <= 0:
                yield self.finding(
                    cells=context.refs((x.if_positive, x.then_positive)),
                    values={"unpaid": unpaid, "notices": notices},
                    unpaid=format_number(unpaid),
                )


@register
class GovAccountability(Rule):
    id, severity = "GOV-ACCOUNTABILITY", WARNING
    title = "人民政府的“监督保障”须写明工作考核、社会评议和责任追究结果情况。"
    filling = True
    messages = {
        "default": "本机关是人民政府，“{part}”须报告工作考核、社会评议和责任追究结果情况（《条例》第五十条），目前没有写到。"
    }

    def applies(self, form: Form) -> bool:
        return any(x.rule == self.id for x in form.mentions)

    def check(self, context: Context):
        result = context.result
        org_type = result.text("org_type")
        for x in context.form.mentions:
            if x.rule != self.id or org_type not in x.org_types:
                continue
            text = "\n".join(str(result.values.get(k) or "") for k in (x.part, *x.also_in))
            if not any(w in text for w in x.words):
                yield self.finding(
                    cells=[context.ref(x.part)], values={"org_type": org_type}, part=context.form.cells[x.part].label
                )
