"""What the narrative states, and whether the tables agree: a small grammar of report statements.

``read_statements(text)`` reads one narrative part into statements — a figure (or a
sum of figures), an optional column or qualifier, a number, its unit and its scope —
the way a careful reader does: the topic (申请 / 行政复议 / 行政诉讼) is carried from
sentence to sentence within the part, ``A及B 42件`` is a combined figure, ``其中``
lists and ``涉及自然人72件、商业企业3件`` speak of the figure stated before, ``占51.85%``
is the share of the figure just stated, ``同比增长12.3%`` a change against last year.

``compare(statements, figures, values, previous_values)`` checks them against the
tables. A statement is flagged only when *no* reading of it fits the tables
(shares within the stated precision); statements whose meaning stays unclear are
never produced. A correct statement must never be flagged: a false flag costs more
than a miss.

``narrative_figures(form)`` (``figures``) says which table figures the narrative
can speak of: the edition file's declared figures and the rows of 表二, with their
qualifiers; the words below name them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import namedtuple
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .figures import ROW_PREFIX, NarrativeFigure, narrative_figures
from .sentences import TOPIC_WORDS, ends_sentence, sentence_spans

# =============================================================================================== vocabulary
# Everything the reader knows about words is in these tables; the code below only applies them.

#: The figures the edition file declares (``[figures]``) that the words below name. 表三: each by its own
#: name; 表四: ``{topic}_{outcome}`` (topic ``review`` / ``suit``, outcome ``total``, ``upheld`` …).
REQUEST_FIGURES = (
    "new_received",
    "carried_in",
    "granted",
    "partly",
    "refused",
    "unable",
    "not_handled",
    "other_handling",
    "result_total",
    "carried_forward",
)
# Words. Regular expressions where a phrase varies; the longer alternatives first.
#: Words naming one 表三 figure wherever the topic is 申请 (also carried from the sentence before).
T3_WORDS = {
    "carried_in": (r"上一?年度?(?:未办结|结转|转结)", r"结转上一?年度?"),
    "carried_forward": (
        r"(?:结转|顺延|转入|转接|转)(?:至|到)?下一?(?:个)?年度?(?:继续)?(?:办理|处理|答复)?",
        r"顺延(?:办理|答复)?",
        r"下一?年度继续(?:办理|处理)",
    ),
    "granted": ("予以公开", "同意公开", "全部公开", "准予公开"),
    "partly": ("部分予以公开", "区分处理后公开", "区分处理后予以公开", "部分公开", "区分处理"),
    "refused": ("不予公开",),
    "unable": ("无法提供",),
    "not_handled": ("不予处理",),
    "other_handling": ("其他处理",),
}
#: Verbs that name a 表三 figure only in a sentence that itself speaks of 申请.
T3_VERBS = {
    "new_received": ("新收", "新受理", "收办", "收到", "受理", "接收", "接到"),
    "result_total": ("办理完毕", "处理完毕", "完成答复", "办结", "答复", "办理"),
}
#: Readings of a verb: the statement fits if any reading fits.
VERB_READINGS = {
    "办理": (("result_total",), ("new_received", "carried_in"), ("new_received",)),
    # 收办 (received and handled), 受理: this year's new requests, or with those carried over from last year
    "收办": (("new_received", "carried_in"), ("new_received",), ("result_total",)),
    "受理": (("new_received",), ("new_received", "carried_in")),
}
#: Numbers that equal another figure explain a mismatch (said in the message, never accepted): the figures
#: whose sum the stated number may be, and the advice the message gives (a message of the rule).
HINTS = {
    "new_received": ((("new_received", "carried_in"), "counted_carried_in"),),
    "refused": ((("refused", "not_held"), "not_held_as_refused"),),
}
T4_WORDS = {
    "topic:review": ("行政复议", "复议"),
    "topic:suit": ("行政诉讼", "诉讼"),
    "block:direct": ("未经复议直接起诉", "直接起诉", "直接提起行政诉讼"),
    "block:after_review": ("经复议后起诉", "复议后起诉", "复议后提起行政诉讼"),
    "outcome:upheld": ("结果维持", "维持"),
    "outcome:corrected": ("结果纠正", "被纠错", "被纠正", "纠错", "纠正"),
    "outcome:other": ("其他结果",),
    "outcome:pending": ("尚未审结", "未审结"),
}
#: Words of 表二 rows and columns (the names of ``figures.T2_ROW_LABELS``, ``T2_COLUMN_LABELS``); a word may fit
#: several editions' columns.
T2_ROWS = {
    "rules": ("规章",),
    "normative_docs": ("行政规范性文件", "规范性文件"),
    "licensing": ("行政许可",),
    "other_services": ("其他对外管理服务事项",),
    "penalty": ("行政处罚",),
    "enforcement": ("行政强制",),
    "admin_fees": ("行政事业性收费", "收费"),
    "procurement": ("政府集中采购", "集中采购"),
}
T2_COLUMNS = {
    "issued": ("新制发", "制发", "印发", "出台"),
    "repealed": ("废止",),
    "in_force": ("现行有效",),
    "produced": ("新制作", "制作", "新制发", "制发", "印发", "出台"),
    "published": ("新公开",),
    "public_total": ("对外公开总", "累计公开"),
    "decisions": ("处理决定", "决定"),
    "amount": ("总金额", "金额"),
    "items": ("项目",),
}
#: Words of the applicant qualifiers of 表三 (the names of ``figures.QUALIFIER_LABELS``).
T3_QUALIFIERS = {
    "natural_person": ("自然人", "公民"),
    "legal_persons": ("法人或者其他组织", "法人或其他组织", "法人和其他组织", "法人及其他组织"),
    "commercial": ("商业企业", "企业"),
    "research": ("科研机构",),
    "public_interest": ("社会公益组织",),
    "legal_service": ("法律服务机构",),
}
#: Applications for something else (行政许可申请): not 政府信息公开 requests, and no topic.
OTHER_APPLICATION = re.compile(r"(?:许可|审批|登记|补助|补贴|救助|报名)(?:事项)?申请")
OTHER_APPLICATION_TAIL = re.compile(OTHER_APPLICATION.pattern + "$")
#: A 表二 row with no column named, counted as records or list items (双公示信息上报行政许可 2000 条): not its figure.
ROW_ITEMS_LEAD = re.compile(r"受理|办理|申请|公示|上报|报送|归集|推送|录入|信息|数据|清单|事项|目录")
#: Words of other business in a clause: 办理人大代表建议 25 件 is not 表三.
OTHER_BUSINESS = ("建议", "提案", "信访", "来信", "投诉", "举报", "咨询", "留言", "热线", "业务", "案件", "事项")
OTHER_BUSINESS_RECEIVED = ("建议", "提案", "信访", "来信", "投诉", "举报", "咨询", "留言", "热线")
#: The unit is not the one the figure counts, or the statement is about others than this unit.
NOT_OURS = re.compile(r"本级|市直|县直|区直|所属|下属|审核|审查|备案|征求意见|解读|[一二]审|再审|终审|上诉")
#: Counts of other bodies (各乡镇, 全区各部门, 全省) anywhere since the number before, or of another period
#: (一季度, 上半年, 近三年, 十三五期间, 12月) in the clause: not this unit's year.
OTHER_BODY = re.compile(
    r"各(?:乡|镇|街|县|区|市|部门|单位|级|地|村|社区)|全(?:省|国)|(?<![本我])(?:乡镇|街道)"
    r"|全(?:市|县|区|州|盟|旗)[^，,。；;：:]{0,12}系统"  # 全市自然资源系统: one sector of the area
    r"|省市县?(?:两级|三级)?政府|市县(?:两级)?政府|[省市县区](?:、|和|与)?[市县区乡镇]两级"  # 省市政府规章: several levels
)
#: Figures of another part of the unit's area or of its subordinates (市本级, 所属单位): the rest of the sentence too.
#: Work of a higher body this unit does for it or with it (上级交办, 转办, 代为答复, 协助办理, 配合制发, 受委托作出):
#: not its own table's.
OTHERS_FIGURES = re.compile(
    r"本级|市直|县直|区直|所属|下属|交办|转办|转来|转交|代为|协助|配合|委托|代[^，,。；;]{1,8}(?:答复|办理)"
)
#: The whole area (全市, 全县, 全区 …): a local government's own report speaks of it (its tables count the whole
#: area); anyone else's report speaks of others. Compared only for a government (``compare(region_is_ours=)``).
WHOLE_AREA = re.compile(r"全(?:市|县|区|州|盟|旗)")


OTHER_PERIOD = re.compile(
    r"近[一二两三四五六七八九十\d]+年|期间|季度|[上下]半年|每[月日天周年季]|[日月周年]均|平均"
    r"|(?<![\d日])[\d一二三四五六七八九十]{1,2}月份?(?![\d一二三四五六七八九十]*日)"
)
#: A change stated without the year it is compared with (与2020年相比，收到申请增加15件): not a count.
DIRECTION_TAIL = re.compile(r"(?:增长|增加|上升|提高|提升|下降|减少|降低|回落)(?:了)?$")
#: 受理申请 76 件（含上年结转）: the new requests and those carried in.
INCLUDES_CARRIED_IN = re.compile(r"[（(，,]?\s{0,8}+(?:其中)?(?:含|包含|包括)(?:了)?(?:上一?年度?)?结转")
#: The upper end of a range (5-8 件, 5至8件): not a count.
RANGE_BEFORE = re.compile(r"[\d０-９一二三四五六七八九十]\s*[-－—–~～至到]\s*$")
#: A subset named before (其中关于征收的 30 件): the results after it may be of the subset.
SUBSET_BEFORE = re.compile(r"(?:关于|涉及|有关)[^，,。；;]{1,20}的\s*\d+\s*件")
#: A figure with something left out (办结率100%（不含结转下年度的申请）, 70 件（不含重复申请）).
EXCLUDING_AFTER = tuple(f"{b}{w}" for b in "（(" for w in ("不含", "不包括", "剔除", "扣除"))
#: A total broken down by bodies after it (共56件（其中区级9件，部门47件）): of several bodies, not the unit's own.
BODIES_AFTER = re.compile(
    r"[（(]\s*其中[^）)]{0,4}?(?:区级|市级|县级|省级|本级|部门|各部门|乡镇|街道|镇街|区直|市直|县直)"
)
#: A number of days or months (8 个工作日): not a count.
TIME_AFTER = ("工作日", "自然日", "日", "天", "小时", "月", "周", "年")
#: A sentence counting documents by 公开属性 (主动公开 / 依申请公开 / 不予公开 N 条): not requests.
DOCUMENTS = re.compile(
    r"(?=[制发产审印主依])(?:(?P<verb>制发|制作|发布|产生|审核|印发)(?:了)?(?:各类)?(?:政府|政务)?(?:信息|公文|文件)[（(]?(?:文件)?[）)]?"
    r"|主动公开(?:了)?(?:各类)?(?:政府)?(?:信息|文件|公文)?"
    r"|(?P<request>依申请公开)(?:的)?(?:政府)?(?:信息|文件|公文)?(?:数|类)?)(?:共计|共|为)?\s*\d"
)
#: 办结依申请公开 81 件 counts requests, not documents.
REQUEST_VERB_BEFORE = ("结", "理", "收", "到", "复")
#: Counting units, amounts, shares.
COUNT_UNITS = "件起宗条个份项"
AMOUNT_UNITS = {"万元": 1, "元": 0.0001, "亿元": 10000}
CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
#: A number is approximate (never compared) after these words or before these.
APPROXIMATE_AFTER = ("余", "多", "以上", "左右", "上下", "之多")
#: ... and after these (an approximation, an ordinal, 各 / 分别 lists of several figures).
UNCLEAR_BEFORE = re.compile(r"(?:近|约|超过|逾|将近|不足|不到|大约|多达|达近|上|第|各|分别(?:为|是|有)?)$")
UNCLEAR_BEFORE_LAST = frozenset("近约过逾足到多上第各别为是有")
#: Shares and rates.
SHARE_TAIL = re.compile(r"占(?P<den>[^，,；;：:]{0,12}?)(?:的)?(?:比例|比重|比)?(?:为|达到?|约)?$")
RATE_TAIL = re.compile(r"办结率(?:为|达到?)?$")  # 答复率 100%: often 依法答复 (all answered in time), unclear
RATE_QUALIFIED = re.compile(r"(?:按时|按期|及时|限时|期限内|满意|当场)$")
SHARE_DENOMINATORS = (
    (("办结", "答复", "办理结果", "办理总"), (("result_total",),)),
    (("新收", "收到", "受理", "接收"), (("new_received",),)),
)
ANY_DENOMINATOR = (("result_total",), ("new_received",), ("new_received", "carried_in"))
ANY_DENOMINATOR_WORDS = ("", "比", "总数", "申请总数", "全部申请", "总量", "全部", "申请总量", "所有申请")
RATE_READINGS = (("new_received", "carried_in"), ("new_received",))
CHANGE_TAIL = re.compile(
    r"(?P<cmp>同比|较上一?年度?(?:同期)?|比上一?年度?(?:同期)?|较去年(?:同期)?|比去年(?:同期)?|与上一?年度?(?:同期)?相比)"
    r"(?P<dir>增长|增加|上升|提高|提升|下降|减少|降低|回落)(?:了)?$"
)
DIRECTIONS = {"增长": 1, "增加": 1, "上升": 1, "提高": 1, "提升": 1, "下降": -1, "减少": -1, "降低": -1, "回落": -1}
#: Last year named as the time of a statement (not as a comparison, not as 上年结转).
OTHER_SCOPE = re.compile(r"累计|历年|截至目前")
PREVIOUS_SCOPE = re.compile(r"(?<![较比与同])(?:上一?年度?|去年)(?!结转|度结转|未办结|度未办结|转结|同期相比|相比)")
YEAR_SCOPE = re.compile(r"(?<![较比与同至到])(20\d{2})\s*年度?(?!以来|起|至|到|相比|同期)")
#: Zero claims that are statements about one figure: 未出现被纠错 (结果纠正 = 0).
NO_CORRECTION = re.compile(
    r"(?:未出现|未发生|没有出现|没有发生|未有|无|未|没有)(?:任何)?(?:一起|一件)?(?:案件)?被?(?:纠错|纠正)"
)

LEADING_MARKS = "，,、 ：:\t\u3000"


def _leading(lead: str) -> int:
    """How much of a clause's start is punctuation and 其中 (not part of the statement as quoted)."""
    rest = lead.lstrip(LEADING_MARKS)
    if rest.startswith("其中"):
        rest = rest[2:].lstrip(LEADING_MARKS)
    return len(lead) - len(rest)


CHINESE_TENS = re.compile(r"([二三四五六七八九两])?十([一二三四五六七八九])?")
RATIO_WORDS = re.compile(r"率|比例|占")
REVIEWING_BODY = re.compile(
    r"受理|收到|接到|办理|(?<!未)办结|审理|(?<!未)审结|作出"
)  # the unit as the body that reviews: not 表四
PUNCTUATION = re.compile(r"[，,\s]")
T2_ROW_OF = {w: row for row, words in T2_ROWS.items() for w in words}
T2_AFTER_FIRST = frozenset("的" + "".join(w[0] for w in T2_ROW_OF))
#: What may follow a number that names its figure after it (1件结转下年度…, 5件规范性文件).
FOLLOW_FIRST = T2_AFTER_FIRST | frozenset("申已结顺转下上")
T2_ROW_AFTER = re.compile("(?:的)?(" + "|".join(sorted(T2_ROW_OF, key=len, reverse=True)) + ")")
HARD_STOP = re.compile(r"[，,；;：:（）()\[\]【】“”\"]")
CONNECTOR = re.compile(r"^(?:及|和|与|、|以及|加上|及其|或)$")
# A number and its unit. What may stand around it is checked in code (``_number``): cheaper than lookarounds.
# Written so that it cannot backtrack: a run of digits is tried once, from its first digit (a number starting
# inside a run is never one: ``_number`` refuses a digit before it), a thousands group only where no digit and
# separator stand before it, and every repetition is possessive. 收到申请 followed by 32,000 digits took 30 s
# (each digit re-read the run to its end, and back); now it is read in one pass.
NUMBER = re.compile(
    r"(?=[\d零〇一二两三四五六七八九十])(?:(?<!\d)(?P<num>(?<!\d[,，])\d{1,3}(?:[,，]\d{3})++(?:\.\d++)?+"
    r"|\d++(?:\.\d++)?+)\s*+(?P<unit>%|％|万元|亿元|元|[件起宗条个份项])"
    r"|(?P<cn>[零〇一二两三四五六七八九十]{1,3})(?P<cnunit>[件起宗条个份]))"
)
_GROUP_START = re.compile(r"\d{3}(?!\d)")
NOT_BEFORE_DIGITS = set("0123456789.．") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
NOT_BEFORE_CHINESE = set("零〇一二两三四五六七八九十百千万第")
NOT_AFTER_CHINESE = set("零〇一二两三四五六七八九十事档")
#: A slogan or an idiom with 一件/一个 (努力做到“办结一件申请、解决一个问题”): not a count. Quoted, paired with
#: another 一个/一件 in the next clause, or a goal (做到, 力争 …).
IDIOM_PAIR = re.compile(r"[\u4e00-\u9fff]{1,6}[、，,][\u4e00-\u9fff]{1,6}?一[件个次批项份条][\u4e00-\u9fff]")
IDIOM_GOAL = re.compile(r"(?:做到|实现|确保|力争|力求|努力|争取|保证|坚持)[^，,。；;]{0,6}$")

# Gaps allowed between a figure's word and its number (everything else: the statement is not clear).
GAP_SPECIFIC = re.compile(r"^(?:的)?(?:政府信息公开)?(?:申请)?(?:的)?(?:共计|共|合计|总计|计|为|达到?|有)?(?:了)?$")
GAP_T4 = re.compile(
    r"^(?:申请|决定)?(?:的)?(?:案件|案|事项|纠纷)?(?:数量|数)?(?:共计|共|合计|总计|计|为|达到?|有)?(?:了)?$"
)
GAP_T2 = re.compile(
    r"^(?:的)?(?:(?:处理)?决定(?:书)?|案件)?(?:(?:总)?金额|件数|数量)?(?:共计|共|合计|总计|计|为|达到?|有)?(?:了)?$"
)
AFTER_GAP = re.compile(r"(?:申请)?(?:已)?")
BARE_LEAD = re.compile(r"[，,、：:]*(?:其中|另有|还有|另|还|有)?[，,、：:]*")
SUBJECT_TAIL = re.compile(r"(?:的)?(?:政府信息公开)?(?:申请)?(?:数量|数|件数|总数)?(?:合计|共)?")
SPACE = re.compile(r"\s+")
GAP_QUALIFIER = re.compile(r"^(?:提出|提交)?(?:的)?(?:政府信息公开)?(?:申请)?(?:人)?(?:的)?(?:共计|共|合计|为|有)?$")


def _fits(pattern: re.Pattern, text: str) -> bool:
    """Whether ``text`` (spaces ignored: PDFs put them around numbers) is all of ``pattern``."""
    if " " in text or "\u3000" in text or "\t" in text:
        text = SPACE.sub("", text)
    return pattern.fullmatch(text) is not None


# ============================================================================================= data model
# Records are plain named tuples and slotted classes, not dataclasses or typing.NamedTuple: those cost a
# millisecond or more each to create (typing compiles every annotation), and this module is imported by every
# ingest and template, whose start-up time is measured.


class _Record:
    """A plain record with slots: positional fields in ``__slots__`` order, then keywords; ``_defaults`` for
    the fields that may be left out."""

    __slots__ = ()
    _defaults: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        names = self.__slots__
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields")
        for name, value in zip(names, args, strict=False):
            setattr(self, name, value)
        for name in names[len(args) :]:
            setattr(self, name, kwargs.pop(name) if name in kwargs else self._defaults[name])
        if kwargs:
            raise TypeError(f"{type(self).__name__} has no field {next(iter(kwargs))}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Statement(_Record):
    """One number-bearing statement of the narrative.

    ``kind``: "count", "share", "rate", "change", "zero"; ``readings``: each the figures whose sum is meant;
    ``number`` and ``unit`` (件 起 宗 条 个 份 项, %, 万元/元/亿元) as stated; ``text``: the statement as written
    ("予以公开及部分公开42件"), in ``sentence``, at ``start``–``end`` of the part; ``column``: qualifier
    candidates (applicant column, 表四 block, 表二 column; empty: all); ``decimals`` stated (the precision of a
    share or an amount); ``scope``: "year" (the report year), "previous" (last year), "year:<year>", "other"
    (never compared); ``of``: the denominators a share or rate may mean; ``direction``: +1 增长, -1 下降;
    ``topic``: a zero claim's (review / suit); ``area``: said of the whole area (全市 …), this unit's own only
    when it is the area's government.
    """

    __slots__ = (
        "kind",
        "readings",
        "number",
        "unit",
        "text",
        "sentence",
        "start",
        "end",
        "column",
        "decimals",
        "scope",
        "of",
        "direction",
        "topic",
        "area",
    )
    _defaults = {
        "column": (),
        "decimals": 0,
        "scope": "year",
        "of": (),
        "direction": 0,
        "topic": None,
        "area": False,
    }


class Hint(namedtuple("Hint", ("kind", "parts", "advice"), defaults=(None,))):
    """What a stated number happens to equal instead: ``kind`` "natural_person" (the 自然人 column: ``parts``
    its (title, value)) or "sum" (``parts`` the (title, value) of each figure added up, ``advice`` the name of
    the advice the message adds, from ``HINTS``)."""

    __slots__ = ()


_MISMATCH_FIELDS = ("rule", "statement", "stated", "table", "figure", "keys", "title")
_MISMATCH_OPTIONAL = {
    "unit": "件",
    "last_year": False,
    "others": (),
    "hints": (),
    "value": None,
    "base": None,
    "before": None,
    "claim": None,
}


class Mismatch(
    namedtuple("Mismatch", _MISMATCH_FIELDS + tuple(_MISMATCH_OPTIONAL), defaults=tuple(_MISMATCH_OPTIONAL.values()))
):
    """A statement no reading of which fits the tables: what it says, what the tables say, and why.

    ``rule``: TEXT-NUMBER, TEXT-SHARE, TEXT-CHANGE or TEXT-CLAIM; ``stated`` the number written; ``table`` the
    tables' number (a count, an amount in the stated unit, a share, the size of a change); ``figure`` the
    figure(s) compared with ("granted+partly"); ``keys`` the table cells to name; ``title`` how the message
    names what was compared (for a share: its part); ``unit`` of ``table`` (件, an amount's unit, %);
    ``last_year``: a count stated of last year, compared with last year's workbook; ``others``: the other
    readings, which do not fit either, as (title, value); ``hints``; ``value``: a share's part, a change's
    figure this year; ``base``: what a share is of, (title, value); ``before``: a change's figure last year;
    ``claim``: TEXT-CLAIM's claim (no_correction_review …). The rules (``rules.text``) word it.
    """

    __slots__ = ()


# ============================================================================================ the lexicon
class _Word(namedtuple("_Word", ("start", "end", "cat", "name"))):
    """A vocabulary word at ``start``–``end``: its category (request, verb, case, row, column, qual) and name."""

    __slots__ = ()


def _lexicon():
    entries: list[tuple[str, str, str]] = []  # (pattern, cat, name)
    for cat, table in (
        ("request", T3_WORDS),
        ("verb", T3_VERBS),
        ("case", T4_WORDS),
        ("row", T2_ROWS),
        ("column", T2_COLUMNS),
        ("qual", T3_QUALIFIERS),
    ):
        for name, words in table.items():
            entries += [(w if cat == "request" else re.escape(w), cat, name) for w in words]
    # Regular expressions (they consume a whole phrase) first, then longer words before shorter ones.
    entries.sort(key=lambda e: (not _is_pattern(e[0]), -len(e[0])))
    literal: dict[str, list[tuple[str, str]]] = {}
    patterns: dict[str, list[tuple[str, str]]] = {}
    for pattern, cat, name in entries:
        (patterns if _is_pattern(pattern) else literal).setdefault(pattern, []).append((cat, name))
    # One alternation without groups, behind a look at the first character (a superset for the phrase
    # patterns: any of their characters) so that the search skips quickly over other text.
    first = {w[0] for w in literal} | {ch for p in patterns for ch in re.findall(r"[\u4e00-\u9fff]", p)}
    combined = re.compile(f"(?=[{''.join(sorted(first))}])(?:{'|'.join([*patterns, *literal])})")
    literal_names = {re.sub(r"\\(.)", r"\1", k): v for k, v in literal.items()}
    pattern_names = [(re.compile(p), names) for p, names in patterns.items()]
    return combined, literal_names, pattern_names


def _is_pattern(text: str) -> bool:
    return any(ch in text for ch in "(?[")


_LEXICON, _LITERAL_NAMES, _PATTERN_NAMES = _lexicon()


def _words(text: str, offset: int = 0) -> list[_Word]:
    """Every vocabulary word in ``text``, leftmost first (a phrase pattern before a shorter word)."""
    out = []
    for m in _LEXICON.finditer(text):
        found = m.group()
        names = _LITERAL_NAMES.get(found)
        if names is None:
            names = next(n for pattern, n in _PATTERN_NAMES if pattern.fullmatch(found))
        for cat, name in names:
            out.append(_Word(m.start() + offset, m.end() + offset, cat, name))
    return out


# ============================================================================================== reading
_TOPIC_OF = {w: topic for topic, words in TOPIC_WORDS for w in words}
_TOPICS = re.compile("|".join(sorted(map(re.escape, _TOPIC_OF), key=len, reverse=True)))


class _Part(_Record):
    """One narrative part scanned once: numbers (and where they start), the ends of the hard stops (， ； （ …),
    words (and where they start), topics as (end, topic), where sentences counting documents by 公开属性 start,
    and the topic carried from sentence to sentence."""

    __slots__ = ("text", "numbers", "number_starts", "stops", "words", "word_starts", "topics", "documents", "topic")
    _defaults = {"topic": None}


#: The longest sentence read for statements (characters between 。！？； or line ends). A real report's longest
#: narrative sentence is a few hundred characters; reading one is quadratic in its length (each number looks
#: at the clause before and after it), so a longer one is not read and ``long_sentences`` says so (the rule
#: TEXT-SENTENCE-LONG) instead of leaving its numbers unchecked in silence.
MAX_SENTENCE = 2000


def long_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence longer than ``MAX_SENTENCE`` that names a figure: its numbers are not read."""
    out = []
    for start, end, _ in sentence_spans(text):
        if end - start > MAX_SENTENCE and any(w.cat in FIGURE_CATEGORIES for w in _words(text[start:end])):
            out.append((start, end))
    return out


def read_statements(text: str) -> list[Statement]:
    """The statements of one narrative part, in order (sentences over ``MAX_SENTENCE`` characters left out)."""
    words = _words(text)
    if "纠" not in text and not any(w.cat in FIGURE_CATEGORIES for w in words):
        return []  # no word of any figure: nothing this part could state
    numbers = list(NUMBER.finditer(text))
    part = _Part(
        text,
        numbers,
        [m.start() for m in numbers],
        [m.end() for m in HARD_STOP.finditer(text)],
        words,
        [w.start for w in words],
        _topics(text),
        _documents(text),
    )
    out: list[Statement] = []
    clauses: list[Statement] = []  # the statements of the clauses of one sentence (…；…；…。)
    for start, end, stop in sentence_spans(text, empty=True):
        if start < end and end - start <= MAX_SENTENCE:  # a longer one is not read (TEXT-SENTENCE-LONG)
            clauses += _without_breakdowns(_read_sentence(part, start, end))
        if ends_sentence(stop):  # a sentence ends (not a clause: 政府新收2件；部门新收4件)
            out += _without_breakdowns(clauses, any_year=True)
            clauses = []
    return out + _without_breakdowns(clauses, any_year=True)


def _without_breakdowns(found: list[Statement], any_year: bool = False) -> list[Statement]:
    """One sentence stating the same figure twice with different numbers speaks of several bodies or periods
    (区政府办公室收到申请30件，区自然资源局收到申请20件) that the reader cannot tell apart: none of them is read.
    ``any_year``: across the clauses of a sentence (2022年政府新收2件；部门新收4件), a year named or not is alike."""

    def same(st: Statement):
        scope = "year" if any_year and st.scope.startswith("year") else st.scope
        return st.kind, st.readings, st.column, scope, st.unit

    numbers: dict[tuple, set] = {}
    for st in found:
        numbers.setdefault(same(st), set()).add(st.number)
    return [st for st in found if len(numbers[same(st)]) == 1]


def _topics(text: str) -> list[tuple[int, str]]:
    """(end position, topic) of every topic word, in order."""
    return [
        (m.end(), _TOPIC_OF[m.group()])
        for m in _TOPICS.finditer(text)
        if m.group() != "申请" or not OTHER_APPLICATION_TAIL.search(text, max(0, m.start() - 6), m.end())
    ]


def _topic_at(topics: list[tuple[int, str]], pos: int, carried: str | None) -> str | None:
    i = bisect_right(topics, (pos, "~")) - 1
    return topics[i][1] if i >= 0 else carried


def _number(m: re.Match, text: str) -> tuple[float | int, str, int] | None:
    before = text[m.start() - 1] if m.start() else ""
    if m.group("num"):
        if before in NOT_BEFORE_DIGITS and before:
            return None
        raw = m.group("num")
        if before in ",，" and m.start() > 1 and text[m.start() - 2].isdigit() and _GROUP_START.match(raw):
            return None  # 1234,567件: a thousands group of a malformed number, not a number of its own
        if "," in raw or "，" in raw:
            raw = raw.replace(",", "").replace("，", "")
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        value: float | int = float(raw) if decimals else int(raw)
        unit = m.group("unit").replace("％", "%")
        return value, unit, decimals
    cn = m.group("cn")
    if before and before in NOT_BEFORE_CHINESE or text[m.end() : m.end() + 1] in NOT_AFTER_CHINESE:
        return None
    value = _chinese(cn)
    if value is None or (value == 1 and _idiom(m, text)):
        return None
    return value, m.group("cnunit"), 0


def _idiom(m: re.Match, text: str) -> bool:
    """一件 / 一个 in a slogan or an idiom, not a count (办结一件申请、解决一个问题)."""
    start = m.start()
    if text.rfind("“", 0, start) > text.rfind("”", 0, start):
        return True
    return bool(IDIOM_PAIR.match(text, m.end()) or IDIOM_GOAL.search(text, max(0, start - 12), start))


def _chinese(text: str) -> int | None:
    """Small Chinese numerals: 一 … 九十九 (两 for 二)."""
    if all(ch in CHINESE_DIGITS for ch in text):
        return CHINESE_DIGITS[text] if len(text) == 1 else None
    m = CHINESE_TENS.fullmatch(text)
    if not m:
        return None
    tens = CHINESE_DIGITS[m.group(1)] if m.group(1) else 1
    return tens * 10 + (CHINESE_DIGITS[m.group(2)] if m.group(2) else 0)


FIGURE_CATEGORIES = frozenset(("request", "verb", "case", "row"))
NAMING_CATEGORIES = FIGURE_CATEGORIES | {"qual"}  # words before a number that may make it a statement


def _between(starts: list[int], items: list, start: int, end: int) -> list:
    """The items whose start lies in [start, end)."""
    return items[bisect_left(starts, start) : bisect_left(starts, end)]


def _read_sentence(part: _Part, start: int, end: int) -> list[Statement]:
    sentence = part.text[start:end]
    ends = bisect_right(part.topics, (start, "~")), bisect_right(part.topics, (end, "~"))
    topics = [(e - start, t) for e, t in part.topics[ends[0] : ends[1]]]
    words = _between(part.word_starts, part.words, start, end)
    documents = next((d - start for d in part.documents if start <= d < end), None)
    doc_from = documents if documents is not None else len(sentence) + 1
    # no word of a figure (a 表三/表四 figure, a verb, a 表二 row): no statement to read here
    relevant = any(w.cat in FIGURE_CATEGORIES for w in words)
    out = _read_numbers(part, sentence, start, topics, doc_from) if relevant else []
    if "纠" in sentence:
        out += _zero_claims(sentence, start, topics, part.topic)
    if documents is None or documents > 0:
        before_docs = [t for e, t in topics if e <= doc_from]
        if before_docs:
            part.topic = before_docs[-1]
    out.sort(key=lambda s: s.start)
    return out


def _read_numbers(part: _Part, sentence: str, offset: int, topics, doc_from: int) -> list[Statement]:
    explicit_request = "申请" in sentence and "申请" in OTHER_APPLICATION.sub("", sentence)
    out: list[Statement] = []
    last_count: Statement | None = None  # the count stated last in this sentence (for shares and changes)
    base: Statement | None = None  # the last whole figure stated (its columns may follow: 涉及自然人 72 件)
    others = False  # another body's figures (各乡镇, 市本级 …) were stated before in this sentence
    area = False  # the whole area (全市) was spoken of before in this sentence: what follows is the area's too
    prev_end = 0
    end_of_sentence = offset + len(sentence)
    for m in _between(part.number_starts, part.numbers, offset, end_of_sentence):
        if m.end() > end_of_sentence:
            break
        parsed = _number(m, part.text)
        m_start, m_end = m.start() - offset, m.end() - offset
        prev_start = prev_end
        lead_all = sentence[prev_end:m_start]
        prev_end = m_end
        if parsed is None:
            continue
        value, unit, decimals = parsed
        i = bisect_right(part.stops, m.start()) - 1
        lead = sentence[max(part.stops[i] - offset, prev_start) if i >= 0 else prev_start : m_start]
        after = sentence[m_end:]
        others = others or bool(OTHER_BODY.search(lead_all) or OTHERS_FIGURES.search(lead))
        if others or _unclear(sentence, m_start, m_end, lead, after):
            last_count = base = None  # 各乡镇共收到申请 120 件，办结 110 件: the 110 are theirs too
            continue
        lead_start = m_start - len(lead)
        shift = offset + lead_start
        near = _between(part.word_starts, part.words, shift, m.start())
        if (
            unit != "%"
            and not any(w.cat in NAMING_CATEGORIES for w in near)
            and after[:1] not in FOLLOW_FIRST
            and "比" not in lead
            and "较" not in lead
        ):
            last_count = None  # no word naming a figure before it, none right after: not a statement
            continue
        words = [_Word(w.start - shift, w.end - shift, w.cat, w.name) for w in near]
        ctx = _Context(
            sentence,
            offset,
            lead,
            lead_start,
            lead_all,
            m_start,
            m_end,
            after,
            _topic_at(topics, m_start, part.topic),
            explicit_request,
            m_start >= doc_from,
            words,
        )
        stmt = _statement_at(ctx, value, unit, decimals, last_count, base)
        if stmt is None:
            if unit != "%":
                last_count = None
            continue
        stmt = _with_scope(stmt, sentence, m_start, lead, words)
        if area or (stmt.kind != "count" and WHOLE_AREA.search(lead_all)):
            stmt.area = True  # 全市共收到申请 900 件，同比增长 20%，其中予以公开 300 件: all the city's
        area = area or stmt.area
        out.append(stmt)
        if stmt.kind == "count":
            last_count = stmt
            if not stmt.column:
                base = stmt
    return out


def _documents(text: str) -> list[int]:
    """Where sentences start counting documents by 公开属性 (主动公开 N 条 …)."""
    out = []
    for m in DOCUMENTS.finditer(text):
        if m.group("request") and m.start():
            before = text[max(0, m.start() - 5) : m.start()]
            before = before[:-4] if before.endswith("政府信息") else before  # 办结政府信息依申请公开 733 件
            if before and before[-1] in REQUEST_VERB_BEFORE:
                continue
        out.append(m.start())
    return out


def _unclear(sentence: str, start: int, end: int, lead: str, after: str) -> bool:
    """Approximate (近 80 件, 3000 余件), ordinal, 各/分别 lists, 个百分点: never read as a statement."""
    return bool(
        after.startswith(APPROXIMATE_AFTER)
        or after.startswith(TIME_AFTER)
        or after.startswith(EXCLUDING_AFTER)
        or (after[:1] in "（(" and BODIES_AFTER.match(after))
        or (lead and RANGE_BEFORE.search(lead))
        or (lead and lead[-1] in UNCLEAR_BEFORE_LAST and UNCLEAR_BEFORE.search(lead))
        or "个百分点" in sentence[start : end + 4]
    )


def _statement_at(ctx, value, unit: str, decimals: int, last: Statement | None, base: Statement | None):
    if unit == "%":
        return _percent(ctx, value, decimals, last)
    if unit in AMOUNT_UNITS:
        return _row_statement(ctx, value, unit, decimals)
    return _count(ctx, value, unit, last, base)


class _Context(_Record):
    """A number in its sentence: ``lead`` the clause before it (since the last number or stop), ``lead_all``
    everything since the previous number, ``start``–``end`` the number in the sentence, ``words`` the vocabulary
    words of ``lead``."""

    __slots__ = (
        "sentence",
        "offset",
        "lead",
        "lead_start",
        "lead_all",
        "start",
        "end",
        "after",
        "topic",
        "explicit_request",
        "in_documents",
        "words",
    )

    def text(self, end: int | None = None) -> tuple[str, int, int]:
        end = self.end if end is None else end
        return self._text(self.lead_start + _leading(self.lead), end)

    def _text(self, start: int, end: int) -> tuple[str, int, int]:
        return self.sentence[start:end], self.offset + start, self.offset + end


def _statement(ctx: _Context, kind: str, readings, value, unit: str, **kw) -> Statement:
    end = kw.pop("end", None)
    text, start, stop = ctx.text(end)
    return Statement(kind, tuple(readings), value, unit, text, ctx.sentence, start, stop, **kw)


def _count(ctx: _Context, value, unit: str, last: Statement | None, base: Statement | None) -> Statement | None:
    stmt = _count_of(ctx, value, unit, last, base)
    if stmt is not None and WHOLE_AREA.search(ctx.lead_all):
        stmt.area = True
    return stmt


def _count_of(ctx: _Context, value, unit: str, last: Statement | None, base: Statement | None) -> Statement | None:
    lead = ctx.lead
    if NOT_OURS.search(lead) or OTHER_PERIOD.search(lead) or OTHER_BODY.search(ctx.lead_all):
        return None
    change = _change_tail(lead)
    if change:  # 较上年增加 12 件
        return _change(ctx, value, unit, 0, change, last)
    if DIRECTION_TAIL.search(lead):
        return None
    row = _row_statement(ctx, value, unit, 0, ours=True)
    if row is not None:
        return row
    words = ctx.words
    if any(w.cat == "row" for w in words):
        return None
    figure_words = [w for w in words if w.cat in ("request", "verb", "case")]
    if not figure_words:
        return _after_or_column(ctx, value, unit, words, base)
    if figure_words[-1].cat == "case":
        return _case_statement(ctx, value, unit, figure_words, lead[figure_words[-1].end :])
    if ctx.in_documents or ctx.topic in ("review", "suit"):
        return None
    return _request_statement(ctx, value, unit, words, figure_words)


def _request_statement(
    ctx: _Context, value, unit: str, words: list[_Word], figure_words: list[_Word]
) -> Statement | None:
    lead = ctx.lead
    last_word = figure_words[-1]
    gap = lead[last_word.end :]
    column = _column_after(lead, words, last_word)
    if column is None:
        return None
    clause = lead + ctx.after[: _stop(ctx.after)]
    if last_word.cat == "verb":
        return _verb(ctx, value, unit, last_word, gap, clause, column)
    # a specific figure word, or several joined (予以公开及部分公开): the sum of them
    if column or not _fits(GAP_SPECIFIC, gap):
        return None
    if ctx.topic != "request" and "申请" not in clause:
        return None
    before = ctx.sentence[: ctx.start]
    if any(w in before for w in OTHER_BUSINESS_RECEIVED) or SUBSET_BEFORE.search(before):
        return None  # 办理人大代表建议 25 件，其中予以公开 20 件; 其中关于征收的 30 件，予以公开 25 件
    names = _joined(lead, figure_words)
    if len(set(names)) != len(names):
        return None
    return _statement(ctx, "count", (tuple(names),), value, unit)


def _joined(text: str, words: list[_Word]) -> list[str]:
    """The 表三 figures named last, with those joined to it by 及/和/与/、 (a combined figure)."""
    names = [words[-1].name]
    i = len(words) - 1
    while i > 0 and words[i - 1].cat == "request" and _fits(CONNECTOR, text[words[i - 1].end : words[i].start]):
        names.insert(0, words[i - 1].name)
        i -= 1
    return names


def _verb(ctx: _Context, value, unit: str, word: _Word, gap: str, clause: str, column) -> Statement | None:
    """收到 / 受理 / 办结 / 答复 / 办理 … N 件: only in a sentence about 申请, and not about other business."""
    if not ctx.explicit_request or (word.name == "new_received" and "申请" not in clause):
        return None
    other = OTHER_BUSINESS if word.name == "result_total" else OTHER_BUSINESS_RECEIVED
    if any(w in clause for w in other) or RATIO_WORDS.search(gap):
        return None
    if "结转" in ctx.after[: _stop(ctx.after)]:
        return None  # 收到 1 件上年结转申请: the number before what it counts
    if word.start and ctx.lead[word.start - 1] in "应需待未":
        return None  # 应办结 76 件, 未办结 10 件: not the requests handled
    readings = VERB_READINGS.get(ctx.lead[word.start : word.end], ((word.name,),))
    if word.name == "new_received" and INCLUDES_CARRIED_IN.match(ctx.after):
        readings = (*readings, ("new_received", "carried_in"))
    return _statement(ctx, "count", readings, value, unit, column=column)


def _stop(text: str) -> int:
    m = HARD_STOP.search(text)
    return m.start() if m else len(text)


def _column_after(lead: str, words: list[_Word], word: _Word) -> tuple[str, ...] | None:
    """Applicant words after the figure's word: () none (or all applicants), (q,) one column, None unclear."""
    quals = [w for w in words if w.cat == "qual" and w.start >= word.end]
    if not quals:
        return ()
    names = {w.name for w in quals}
    if {"natural_person", "legal_persons"} <= names:
        return ()  # 公民、法人和其他组织 … 申请: every applicant
    if len(quals) == 1 and _fits(GAP_QUALIFIER, lead[quals[0].end :]):
        return (quals[0].name,)  # 收到自然人申请 72 件
    return None


def _after_or_column(ctx: _Context, value, unit: str, words: list[_Word], last: Statement | None) -> Statement | None:
    """``1件结转下年度继续办理`` (the figure after the number) or ``涉及自然人72件`` (a column of the last figure)."""
    if ctx.in_documents or ctx.topic in ("review", "suit"):
        return None
    after = ctx.after[: min(_stop(ctx.after), 14)]
    bare = _fits(BARE_LEAD, ctx.lead) and (ctx.topic == "request" or ctx.explicit_request)
    follow = (
        [w for w in _words(after) if w.cat == "request" and w.name in ("carried_forward", "carried_in")] if bare else []
    )
    if follow:
        w = follow[0]
        if not _fits(AFTER_GAP, after[: w.start]):
            return None
        return _statement(ctx, "count", ((w.name,),), value, unit, end=ctx.end + w.end)
    quals = [w for w in words if w.cat == "qual"]
    if not quals or last is None or len(last.readings) != 1:
        return None
    q = quals[-1]
    if not _fits(GAP_QUALIFIER, ctx.lead[q.end :]):
        return None
    before = ctx.lead[: q.start].strip("，,、 ")
    if before not in ("", "其中", "涉及", "其中涉及", "来自", "其中来自", "其中由", "由"):
        return None
    if not all(name in _REQUEST_NAMES for name in last.readings[0]):
        return None
    return _statement(ctx, "count", last.readings, value, unit, column=(q.name,))


_REQUEST_NAMES = frozenset(REQUEST_FIGURES)


def _case_statement(ctx: _Context, value, unit: str, words: list[_Word], gap: str) -> Statement | None:
    lead = ctx.lead
    # the unit as the reviewing body; 因不服不予公开答复申请复议 2 件: the cases of one cause, a subset
    subset = "不服" in lead or any(w.cat == "request" for w in ctx.words if w.end <= words[-1].start)
    if subset or REVIEWING_BODY.search(lead) or "复议机关" in ctx.sentence[: ctx.start]:
        return None
    if not _fits(GAP_T4, gap):
        return None
    last = words[-1]
    kind, _, name = last.name.partition(":")
    topic = ctx.topic
    for w in reversed(words[:-1]):  # the topic named in this clause wins over the carried one
        k, _, n = w.name.partition(":")
        if k == "topic":
            topic = n
            break
        if k == "block":
            topic = "suit"
            break
    if kind == "topic":
        readings = [(f"{name}_total",)]
        if len(words) >= 2:  # 行政复议和行政诉讼 共 N 件
            prev = words[-2]
            k, _, n = prev.name.partition(":")
            if k == "topic" and n != name and _fits(CONNECTOR, lead[prev.end : last.start]):
                readings = [(f"{n}_total", f"{name}_total")]
            elif k == "topic" and n == name:
                pass
        return _statement(ctx, "count", readings, value, unit)
    if kind == "block":  # 未经复议直接起诉 N 件: one block of 行政诉讼
        return _statement(ctx, "count", [("suit_total",)], value, unit, column=(name,))
    if topic not in ("review", "suit"):
        return None
    block = next((w.name.partition(":")[2] for w in reversed(words[:-1]) if w.name.startswith("block:")), None)
    column = (block,) if block and topic == "suit" else ()
    return _statement(ctx, "count", [(f"{topic}_{name}",)], value, unit, column=column)


def _row_statement(ctx: _Context, value, unit: str, decimals: int, ours: bool = False) -> Statement | None:
    lead = ctx.lead
    if not ours and NOT_OURS.search(lead):
        return None
    words = ctx.words
    rows = [w for w in words if w.cat == "row"]
    end = None
    if rows:
        row = rows[-1]
        if len(rows) > 1 and _fits(CONNECTOR, lead[rows[-2].end : row.start]):
            return None  # 规章和规范性文件 N 件: two rows at once
        gap = lead[row.end :]
        cols_in_gap = [w for w in _words(gap, row.end) if w.cat == "column"]
        bare = gap
        for w in reversed(cols_in_gap):
            bare = bare[: w.start - row.end] + bare[w.end - row.end :]
        if not _fits(GAP_T2, bare):
            return None
    else:  # 制发 5 件规范性文件: the row named right after the number
        follow = T2_ROW_AFTER.match(ctx.after) if ctx.after[:1] in T2_AFTER_FIRST else None
        if not follow or unit in AMOUNT_UNITS:
            return None
        row_word = follow.group(1)
        row = _Word(0, 0, "row", T2_ROW_OF[row_word])
        end = ctx.end + follow.end()
    columns: list[str] = []
    for w in words:
        if w.cat == "column" and w.name not in columns:
            columns.append(w.name)
    if any(w.cat in ("request", "case") for w in words if w.start >= row.end):
        return None
    if not columns and unit in COUNT_UNITS and (unit not in "件起宗" or ROW_ITEMS_LEAD.search(lead)):
        return None  # 行政许可 30 项 (items of a list), 公示行政许可 2000 条 (records published): not decisions
    kw = {"column": tuple(columns), "decimals": decimals}
    if end is not None:
        kw["end"] = end
    return _statement(ctx, "count", [(ROW_PREFIX + row.name,)], value, unit, **kw)


def _percent(ctx: _Context, value, decimals: int, last: Statement | None) -> Statement | None:
    lead = ctx.lead
    if ctx.in_documents:
        return None
    change = _change_tail(lead)
    if change:
        return _change(ctx, value, "%", decimals, change, last)
    if ctx.after[:1] and ctx.after[0] in "（(":
        return None  # 办结率 100%（含结转下年度…）: a rate of the writer's own definition
    rate = RATE_TAIL.search(lead)
    if rate:
        qualified = RATE_QUALIFIED.search(lead[: rate.start()])
        if qualified or ctx.topic not in ("request", None) or not (ctx.explicit_request or ctx.topic == "request"):
            return None
        return _statement(ctx, "rate", [("result_total",)], value, "%", decimals=decimals, of=RATE_READINGS)
    share = SHARE_TAIL.search(lead)
    if not share:
        return None
    subject = _subject(ctx, lead[: share.start()], last)
    if subject is None:
        return None
    readings, column = subject
    if any(n.startswith(("review", "suit")) for r in readings for n in r):
        return None  # 复议 4 件，维持 2 件，占 50%: of the cases, not of the requests
    of = tuple(readings) if column else _denominators(share["den"])  # 自然人 80 件，占 98.77%: of the figure
    if not of:
        return None
    if not column and any(r == d for r in readings for d in of):
        of = tuple(d for d in of if d not in readings) or of
    return _statement(ctx, "share", readings, value, "%", decimals=decimals, of=of, column=column)


def _change_tail(lead: str) -> re.Match | None:
    return CHANGE_TAIL.search(lead) if "比" in lead or "较" in lead else None


def _denominators(text: str) -> tuple[tuple[str, ...], ...]:
    """What 占 … 的 N% is a share of: named (办结总数, 收到申请), or any of the totals."""
    if text in ANY_DENOMINATOR_WORDS:
        return ANY_DENOMINATOR
    for words, denominators in SHARE_DENOMINATORS:
        if any(w in text for w in words):
            return denominators
    return ()


def _change(ctx: _Context, value, unit: str, decimals: int, change: re.Match, last) -> Statement | None:
    """同比增长 12.3% / 较上年增加 12 件: of the figure named before it, or the one just stated."""
    if ctx.in_documents or OTHER_PERIOD.search(ctx.lead[: change.start()]):
        return None  # 第一季度收到申请同比增长 50%: another period's change
    subject = _subject(ctx, ctx.lead[: change.start()], last)
    if subject is None:
        return None
    readings, column = subject
    direction = DIRECTIONS[change["dir"]]
    return _statement(ctx, "change", readings, value, unit, decimals=decimals, column=column, direction=direction)


def _subject(ctx: _Context, text: str, last: Statement | None):
    """The figure a share or change speaks of: named in the same clause, or the one just stated."""
    stripped = text.strip().strip("，,")
    if stripped:
        words = [w for w in _words(stripped) if w.cat in ("request", "verb", "case")]
        if not words or ctx.topic in ("review", "suit") or not (ctx.topic == "request" or ctx.explicit_request):
            return None
        names = [words[-1].name]
        i = len(words) - 1
        while i > 0 and words[i - 1].cat == "request" and _fits(CONNECTOR, stripped[words[i - 1].end : words[i].start]):
            names.insert(0, words[i - 1].name)
            i -= 1
        if words[-1].cat == "case":
            return None
        tail = stripped[words[-1].end :]
        if not _fits(SUBJECT_TAIL, tail):
            return None
        if words[-1].cat == "verb":
            word = stripped[words[-1].start : words[-1].end]
            return VERB_READINGS.get(word, ((words[-1].name,),)), ()
        return (tuple(names),), ()
    if last is None or last.kind != "count" or any(n.startswith(ROW_PREFIX) for r in last.readings for n in r):
        return None
    between = ctx.lead_all[: len(ctx.lead_all) - len(ctx.lead)]
    if PUNCTUATION.sub("", between) or last.end != ctx.offset + ctx.start - len(ctx.lead_all):
        return None  # only right after the count: 收到申请 81 件，占 …
    return last.readings, last.column


def _with_scope(stmt: Statement, sentence: str, pos: int, lead: str, words: list[_Word]) -> Statement:
    """The time a statement speaks of: this year unless it names last year (or another year)."""
    scope = "year"
    if ("累计" in lead or "历年" in lead or "截至" in lead) and OTHER_SCOPE.search(lead):
        scope = "other"
    elif (
        stmt.kind == "count" and ("上" in lead or "去年" in lead) and PREVIOUS_SCOPE.search(_without_words(lead, words))
    ):
        scope = "previous"
    year = _year_before(sentence, pos)
    if year and scope == "year":
        scope = f"year:{year}"
    if scope != "year":
        stmt.scope = scope
    return stmt


def _year_before(sentence: str, pos: int) -> str | None:
    if "年" not in sentence[:pos]:
        return None
    years = YEAR_SCOPE.findall(sentence[:pos])
    return years[-1] if years else None


def _without_words(lead: str, words: list[_Word]) -> str:
    out = lead
    for w in reversed(words):
        if w.cat == "request":
            out = out[: w.start] + "　" * (w.end - w.start) + out[w.end :]
    return out


def _zero_claims(sentence: str, offset: int, topics, carried: str | None) -> list[Statement]:
    """未出现被纠错 and the like: 结果纠正 = 0, of the topic the clause (or the sentence before it) names."""
    out: list[Statement] = []
    if "纠" not in sentence:
        return out
    for m in NO_CORRECTION.finditer(sentence):
        start = max((x.end() for x in HARD_STOP.finditer(sentence[: m.start()])), default=0)
        clause = sentence[start : m.end() + _stop(sentence[m.end() :])]
        named = [t for t, words in TOPIC_WORDS[:2] if any(w in clause for w in words)]
        if not named:
            topic = _topic_at(topics, m.start(), carried)
            named = [topic] if topic in ("review", "suit") else []
        for topic in named:
            out.append(
                Statement(
                    "zero",
                    ((f"{topic}_corrected",),),
                    0,
                    "",
                    sentence[start : m.end()].lstrip("，,、 "),
                    sentence,
                    offset + start,
                    offset + m.end(),
                    topic=topic,
                )
            )
    return out


# ============================================================================================== comparing
def compare(
    statements: list[Statement],
    figures: Mapping[str, NarrativeFigure],
    values: Mapping[str, object],
    previous_values: Mapping[str, object] | None = None,
    *,
    year: int | None = None,
    region_is_ours: bool = False,
) -> list[Mismatch]:
    """The statements that no reading fits.

    ``values`` are the input cells by key (blank or unusable: None), optionally with the totals recomputed
    (``engine.all_values``), which saves adding up their cells; ``previous_values`` last year's input cells;
    ``region_is_ours``: the report is a local government's, so what it says of the whole area (全市) is its own.
    """
    out: list[Mismatch] = []
    if not statements:
        return out
    values = _Data(values)
    previous_values = _Data(previous_values) if previous_values is not None else None
    for stmt in statements:
        if stmt.scope == "other" or (stmt.area and not region_is_ours):
            continue
        data: Mapping[str, object] | None = values
        if stmt.scope.startswith("year:") and year is not None:
            stated_year = int(stmt.scope[5:])
            if stated_year == year - 1:
                data = previous_values
            elif stated_year != year:
                continue
        elif stmt.scope == "previous":
            data = previous_values
        if data is None:
            continue
        last_year = data is not values
        if stmt.kind == "change":
            m = _compare_change(stmt, figures, values, previous_values)
        elif stmt.kind in ("share", "rate"):
            m = _compare_share(stmt, figures, data)
        else:
            m = _compare_count(stmt, figures, data, last_year)
        if m is not None:
            out.append(m)
    return out


class _Data:
    """Input values by key, and the figures already added up from them."""

    __slots__ = ("values", "sums")

    def __init__(self, values: Mapping[str, object]):
        self.values = values
        self.sums: dict[tuple[str, str | None], float | int | None] = {}


def _value(figure: NarrativeFigure, data: _Data, column: str | None = None) -> float | int | None:
    """The figure's value (its input cells added up as SUM does); None when it is unknown or all blank."""
    key = (figure.name, column)
    if key not in data.sums:
        total = None
        if column is None and figure.keys != figure.inputs:  # its totals, when the values hold them (and not 0)
            total = _add_up(figure.keys, data.values)
        if not total:  # else its input cells (which also tell whether they are all blank)
            total = _add_up(figure.inputs if column is None else figure.columns.get(column), data.values)
        data.sums[key] = total
    return data.sums[key]


def _add_up(cells, values: Mapping[str, object]) -> float | int | None:
    if not cells:
        return None
    total: float | int = 0
    seen = False
    for key in cells:
        if key not in values:
            return None  # not a cell of that workbook's edition
        v = values[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        total += v
        seen = True
    return total if seen else None


class _Got(namedtuple("_Got", ("value", "parts"))):
    """The value of one reading, and (for messages) the figures and columns it added up."""

    __slots__ = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for f, col in self.parts for k in (f.column_keys.get(col, ()) if col else f.keys))

    @property
    def title(self) -> str:
        titles = [f.column_titles[col] if col else f.title for f, col in self.parts]
        return "与".join(titles) + ("之和" if len(titles) > 1 else "")


def _reading_value(reading, figures, values, column: tuple[str, ...] = ()) -> _Got | None:
    """The value of one reading (a sum of figures, maybe of one column), or None when it cannot be known."""
    total: float | int = 0
    parts = []
    for name in reading:
        figure = figures.get(name)
        if figure is None:
            return None
        col = _column(figure, column)
        if column and col is None:
            return None
        if col is not None and figure.row and col not in figure.columns:
            return None
        v = _value(figure, values, col)
        if v is None:
            return None
        total += v
        parts.append((figure, col))
    return _Got(total, tuple(parts))


def _column(figure: NarrativeFigure, column: tuple[str, ...]) -> str | None:
    if not column:
        if figure.row and not figure.keys:
            return "?"  # a row of several columns, none named: unclear
        return None
    found = [c for c in column if c in figure.columns]
    if figure.row:
        return found[0] if len(found) == 1 else "?"  # none of this edition's columns, or several: unclear
    return found[0] if found else None


def _compare_count(stmt: Statement, figures, values, last_year: bool) -> Mismatch | None:
    candidates = []
    for reading in stmt.readings:
        got = _reading_value(reading, figures, values, stmt.column)
        if got is None:
            continue
        fits, shown = _fits_count(stmt, figures[reading[0]], got.value, values)
        if fits is None:
            continue
        if fits:
            return None
        candidates.append((reading, shown, got))
    if not candidates:
        return None
    reading, table, got = candidates[0]
    figure = "+".join(reading)
    if stmt.kind == "zero":
        claim = f"no_correction_{stmt.topic}"
        return Mismatch("TEXT-CLAIM", stmt, 0, table, figure, got.keys, got.title, claim=claim)
    return Mismatch(
        "TEXT-CHANGE" if last_year else "TEXT-NUMBER",
        stmt,
        stmt.number,
        table,
        figure,
        got.keys,
        got.title,
        unit=stmt.unit if stmt.unit in AMOUNT_UNITS else "件",
        last_year=last_year,
        others=tuple((g.title, v) for _, v, g in candidates[1:]),
        hints=_hints(stmt, figures, values, reading),
    )


def _fits_count(stmt: Statement, figure: NarrativeFigure, value, values) -> tuple[bool | None, float | int]:
    """(does the stated number fit the figure — None: not comparable, the figure in the stated unit)."""
    if not figure.row:
        if stmt.unit in AMOUNT_UNITS:
            return None, value
        return stmt.number == value, value
    col = _column(figure, stmt.column)
    if col in (None, "?") and len(figure.columns) == 1:
        col = next(iter(figure.columns))
    scale = _amount_scale(stmt, figure, col, values)
    if scale is None:
        return None, value
    shown = value / scale if scale != 1 else value
    if col in figure.amount:  # an amount fits within the precision stated
        return abs(stmt.number * scale - value) < _tolerance(stmt.decimals) * scale, shown
    return stmt.number == value, shown


def _amount_scale(stmt: Statement, figure: NarrativeFigure, col: str | None, values) -> float | None:
    """How many of the table's units one stated unit is (万元 stated, 元 in the table: 10000); None: not comparable."""
    if col is None or col == "?" or col not in figure.columns:
        return None
    if col not in figure.amount:
        return 1 if stmt.unit in COUNT_UNITS else None
    if stmt.unit not in AMOUNT_UNITS:
        return None
    unit = figure.amount[col]
    if unit.startswith("@"):
        unit = str(values.values.get(unit[1:]) or "")
    if unit not in AMOUNT_UNITS:
        return None
    return AMOUNT_UNITS[stmt.unit] / AMOUNT_UNITS[unit]


def _tolerance(decimals: int) -> float:
    """A number stated with ``decimals`` decimals fits every value it may have been rounded or cut from."""
    return 10.0**-decimals


def _hints(stmt: Statement, figures, values, reading) -> tuple[Hint, ...]:
    """Other figures the stated number happens to equal (自然人 column, 新收 + 结转, 不予公开 + 不掌握)."""
    if stmt.column or len(reading) != 1:
        return ()
    name = reading[0]
    figure = figures.get(name)
    out = []
    if figure is not None and "natural_person" in figure.columns:
        np_value = _value(figure, values, "natural_person")
        total = _value(figure, values)
        if np_value is not None and np_value != total and np_value == stmt.number:
            out.append(Hint("natural_person", ((figure.column_titles["natural_person"], np_value),)))
    for combo, advice in HINTS.get(name, ()):
        parts = [figures.get(n) for n in combo]
        if any(f is None for f in parts):
            continue
        nums = [_value(f, values) for f in parts]
        if any(v is None for v in nums) or not all(nums) or sum(nums) != stmt.number:
            continue
        out.append(Hint("sum", tuple((f.title, v) for f, v in zip(parts, nums, strict=True)), advice))
    return tuple(out)


def _share(num: float | int, den: float | int) -> float:
    return num * 100 / den


def _compare_share(stmt: Statement, figures, values) -> Mismatch | None:
    tried = []
    for reading in stmt.readings:
        got = _reading_value(reading, figures, values, stmt.column)
        if got is None:
            continue
        num = got.value
        for den_reading in stmt.of:
            den = _reading_value(den_reading, figures, values)
            if den is None or not den.value or den.value < 0 or num < 0:
                continue
            exact = _share(num, den.value)
            if abs(stmt.number - exact) < _tolerance(stmt.decimals):
                return None
            tried.append((exact, got, den, reading))
    if not tried:
        return None
    exact, got, den, reading = tried[0]  # named by the first meaning (of （七）总计, where it may be)
    shown = _round(exact, max(2, stmt.decimals))
    return Mismatch(
        "TEXT-SHARE",
        stmt,
        stmt.number,
        shown,
        "+".join(reading) + "/" + "+".join(stmt.of[0]),
        got.keys + den.keys,
        got.title,
        unit="%",
        value=got.value,
        base=(den.title, den.value),
    )


def _round(x: float, decimals: int) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _compare_change(stmt: Statement, figures, values, previous_values) -> Mismatch | None:
    """A change no reading of this year's and last year's figure fits (每一种读法, 两年各自): the first one's."""
    if previous_values is None:
        return None
    first: Mismatch | None = None
    for reading in stmt.readings:
        now = _reading_value(reading, figures, values, stmt.column)
        if now is None:
            continue
        for last in stmt.readings:
            before = _reading_value(last, figures, previous_values, stmt.column)
            if before is None or (stmt.unit == "%" and before.value <= 0):
                continue
            if stmt.unit == "%":
                exact = (now.value - before.value) * 100 / before.value
            else:
                exact = now.value - before.value
            signed = stmt.number * stmt.direction
            if (abs(signed - exact) < _tolerance(stmt.decimals)) if stmt.unit == "%" else signed == exact:
                return None
            if first is None and last == reading:
                shown = _round(exact, max(2, stmt.decimals)) if stmt.unit == "%" else exact
                first = Mismatch(
                    "TEXT-CHANGE",
                    stmt,
                    stmt.number,
                    abs(shown),  # the size of the change (``value`` and ``before`` tell its direction)
                    "+".join(reading),
                    now.keys,
                    now.title,
                    unit="%" if stmt.unit == "%" else "件",
                    value=now.value,
                    before=before.value,
                )
    return first


__all__ = ["NarrativeFigure", "Hint", "Mismatch", "Statement", "compare", "narrative_figures", "read_statements"]
