"""The statement reader's vocabulary: every word, phrase and pattern it knows (the code elsewhere only applies
them); adding a phrasing real reports use is adding it here."""

from __future__ import annotations

import re

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


#: One channel before the verb (通过政务公开专区接收申请 12 件, 通过邮寄方式答复 3 件): the requests of that channel,
#: not all of them (通过网络、信函等方式收到申请 30 件 lists them all: compared).
ONE_CHANNEL = re.compile(
    r"通过(?![^，,。；;]{0,24}?(?:、|等|和|及|或|与|多种|各种|各类|线上线下))[^，,。；;]{0,16}?"
    r"(?:专区|窗口|专窗|信箱|邮箱|平台|系统|网站|网页|门户|网上|在线|网络|小程序|公众号|热线|信函|邮寄|传真|当面|现场)"
)


#: The answer's ground before the verb (本机关不掌握政府信息答复 4 条, 以不予公开答复 2 件): the requests so answered,
#: not all of them.
ANSWER_GROUND = re.compile(r"不掌握|不存在|非本机关|不属于本机关|不属于政府信息")


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


def leading(lead: str) -> int:
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


# A number and its unit. What may stand around it is checked in code (``parse_number``): cheaper than lookarounds.
# Written so that it cannot backtrack: a run of digits is tried once, from its first digit (a number starting
# inside a run is never one: ``parse_number`` refuses a digit before it), a thousands group only where no digit and
# separator stand before it, and every repetition is possessive. 收到申请 followed by 32,000 digits took 30 s
# (each digit re-read the run to its end, and back); now it is read in one pass.
NUMBER = re.compile(
    r"(?=[\d零〇一二两三四五六七八九十])(?:(?<!\d)(?P<num>(?<!\d[,，])\d{1,3}(?:[,，]\d{3})++(?:\.\d++)?+"
    r"|\d++(?:\.\d++)?+)\s*+(?P<unit>%|％|万元|亿元|元|[件起宗条个份项])"
    r"|(?P<cn>[零〇一二两三四五六七八九十]{1,3})(?P<cnunit>[件起宗条个份]))"
)


GROUP_START = re.compile(r"\d{3}(?!\d)")


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


def fits_whole(pattern: re.Pattern, text: str) -> bool:
    """Whether ``text`` (spaces ignored: PDFs put them around numbers) is all of ``pattern``."""
    if " " in text or "\u3000" in text or "\t" in text:
        text = SPACE.sub("", text)
    return pattern.fullmatch(text) is not None
