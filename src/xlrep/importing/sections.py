"""Headings → the six sections, the parts of 一 and 五, 六's 信息处理费; the title → agency and year.

Headings are found in the running text (a crawler's dump has no line breaks: ``。一、总体情况2019年，…``),
in their order, by the official wording and the variants in ``variants.toml``. The parts
of 一 (and of 五, 六) are found by the words after their ordinal — ``（四）依申请公开``
is the 依申请公开 part whatever its number. Text before the first part, or in a report
without part headings, goes to the first part; nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..checks.narrative import AREA_BODY, compiled_for_area
from ..common.sentences import sentence_end
from .labels import Match, Stream, best_sequence, candidates, variants

SECTIONS = ("一", "二", "三", "四", "五", "六")
ORDINAL = r"[（(]\s*[一二三四五六七八九十]{1,2}\s*[）)]"


@dataclass
class Sections:
    headings: dict[str, Match]  # section -> heading match (only those found)
    bounds: dict[str, tuple[int, int]]  # section -> compact [start of content, end)


def find_sections(stream: Stream) -> Sections:
    table = variants()["sections"]
    options = []
    for s in SECTIONS:
        wordings = table[s]
        options.append(candidates(stream, wordings[0], 0, len(stream), extra=tuple(wordings[1:]), min_core=99))
    options = [[m for m in found if _has_ordinal(stream, m, s)] for s, found in zip(SECTIONS, options, strict=True)]
    chosen = best_sequence(options)
    headings = {s: m for s, m in zip(SECTIONS, chosen, strict=True) if m is not None}
    bounds: dict[str, tuple[int, int]] = {}
    found = [s for s in SECTIONS if s in headings]
    for i, s in enumerate(found):
        end = headings[found[i + 1]].start if i + 1 < len(found) else len(stream)
        bounds[s] = (headings[s].end, end)
    return Sections(headings, bounds)


def _has_ordinal(stream: Stream, m: Match, section: str) -> bool:
    """A section heading prints its ordinal (一、): a list of the parts in the opening (全文包括总体情况、主动公开
    政府信息情况…六个部分) names them without, and is not a heading."""
    return section in stream.compact[max(0, m.start - 2) : m.start + 2]


def region_text(stream: Stream, lo: int, hi: int) -> str:
    """Original text of a compact span, as paragraphs (markers and cell boundaries as spaces)."""
    text = stream.slice(lo, hi) if hi > lo else ""
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


# -- parts of 一, 五, 六 ---------------------------------------------------------------


def _part_pattern(words: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(
        rf"{ORDINAL}\s*(?P<pre>[^。；，,;：:（()\n]{{0,10}}?)(?P<kw>{alternatives})"
        rf"(?:[^。；，,;：:\n（(]{{0,6}}?(?:方面|情况|工作|措施))?\s*[。：:，,]?"
    )


def part_words(label: str) -> list[str]:
    """The words that name a narrative part after its ordinal: variants.toml's, else its label without the ordinal."""
    words = variants()["parts"].get(label)
    if words:
        return list(words)
    bare = re.sub(rf"^{ORDINAL}\s*", "", label).strip()
    return [bare] if bare else []


def split_parts(text: str, parts: list[tuple[str, list[str]]], default: str) -> tuple[dict[str, str], list[str]]:
    """``text`` cut at the headings of ``parts`` ((key, words), in any order); returns (parts, keys found by a heading).

    Text before the first heading, or all of it when there is none, goes to the ``default`` part.
    """
    hits: list[tuple[int, int, str]] = []
    for key, words in parts:
        if not words:
            continue
        for m in _part_pattern(words).finditer(text):
            hits.append((m.start(), m.end(), key))
            break
    hits.sort()
    used: set[str] = set()
    cuts: list[tuple[int, int, str]] = []
    for start, end, key in hits:
        if key in used or (cuts and start < cuts[-1][1]):
            continue
        used.add(key)
        cuts.append((start, end, key))
    found: dict[str, str] = {}
    if not cuts:
        return ({default: text.strip()} if text.strip() else {}), []
    intro = text[: cuts[0][0]].strip()
    for i, (_, end, key) in enumerate(cuts):
        stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        found[key] = text[end:stop].strip()
    if intro:
        found[default] = (intro + ("\n" + found[default] if found.get(default) else "")).strip()
    return found, [key for _, _, key in cuts]


IMPROVEMENT = re.compile(
    r"(下一步|下步|今后|针对(上述|以上|存在的|这些|存在)?(问题|不足)|(20\d\d|明)年[，,]?\s*(我|本)[\u4e00-\u9fff]{0,3}将|"
    r"我们将|将采取以下措施|改进措施|改进情况|整改措施)"
)


def split_problems(text: str, problems: str, measures: str) -> tuple[dict[str, str], bool]:
    """五 without part headings: problems first, then the first sentence that turns to improvements."""
    # a line break is not a sentence end here: a PDF's text breaks its lines inside sentences
    starts = [0] + [m.end() for m in sentence_end(lines=False).finditer(text)]
    for i, start in enumerate(starts[1:], start=1):
        head = text[start : start + 40]
        if IMPROVEMENT.match(head.lstrip()) or (IMPROVEMENT.search(head[:14]) and i > 0):
            before, after = text[:start].strip(), text[start:].strip()
            if before and after:
                return {problems: before, measures: after}, True
    return ({problems: text.strip()} if text.strip() else {}), False


# -- 六: 信息处理费 ---------------------------------------------------------------------

AMOUNT = r"(\d+(?:\.\d+)?)"
FEE_NOTICES = re.compile(r"(?:发出|送达|发放|出具)?收费通知(?:书)?(?:共|合计)?\s*(\d+)\s*(?:件|份|次)")
FEE_NO_NOTICES = re.compile(r"(?:未|没有|无)(?:向申请人)?(?:发出|送达|发放|出具)(?:过)?(?:任何)?收费通知")
FEE_NOTICE_AMOUNT = re.compile(r"收费通知[^。；]{0,20}?(?:金额|合计|共计)[^\d。；]{0,6}" + AMOUNT + r"\s*元")
FEE_COLLECTED = re.compile(r"收取(?:了)?(?:政府信息公开)?(?:信息处理费|费用)(?:共|合计|共计)?\s*" + AMOUNT + r"\s*元")
FEE_NONE = re.compile(
    r"(?:未|没有|无|不)(?:向申请人)?收取(?:过)?(?:任何)?(?:政府信息公开)?(?:信息处理费|费用)|无收取(?:政府信息公开)?信息处理费|信息处理费[^。；]{0,6}(?:为零|为0元|0元)"
)
OUR_FEE_SENTENCE = re.compile(
    r"本年度(?=[未共实，])(?:未发出收费通知|共发出收费通知[\d.]+件(?:，金额合计[\d.]+元)?)?(?:，)?(?:未收取信息处理费|实际收取信息处理费[\d.]+元)?。"
)


def fee_figures(text: str) -> dict[str, object]:
    """The 信息处理费 figures 六 states (only what it states), by figure name (``[figures]`` of the edition)."""
    out: dict[str, object] = {}
    if FEE_NO_NOTICES.search(text):
        out["fee_notices"] = 0
    elif m := FEE_NOTICES.search(text):
        out["fee_notices"] = int(m.group(1))
    if m := FEE_NOTICE_AMOUNT.search(text):
        out["fee_notice_amount"] = _number(m.group(1))
    if m := FEE_COLLECTED.search(text):
        out["fee_collected"] = _number(m.group(1))
    elif FEE_NONE.search(text):
        out["fee_collected"] = 0
    return out


def _number(text: str):
    return float(text) if "." in text else int(text)


def without_our_fee_sentence(text: str) -> str:
    """xlrep's own report states the fees in one sentence made from the figures: it is not narrative."""
    lines = [
        OUR_FEE_SENTENCE.sub("", line, count=1) if OUR_FEE_SENTENCE.match(line.strip()) else line
        for line in text.split("\n")
    ]
    return "\n".join(line for line in lines if line.strip()).strip()


# -- title, agency, year, contact -------------------------------------------------------

ORG_CHARS = r"[\u4e00-\u9fff（）()·]"
#: 政府信息公开工作年度报告, 信息公开年报, 政府信息公开年度工作报告, 政务信息公开工作开展年度报告,
#: 政府信息公开工作情况报告.
_REPORT = r"(?:政府|政务)??信息公开(?:年度)?(?:工作)?(?:开展)?(?:年度?报告|年报|情况报告|报告)"
#: A title (or the title quoted in the opening): the agency before or after the year, or the year after the title.
TITLES = (
    re.compile(rf"(?P<org>{ORG_CHARS}{{2,60}}?)(?P<year>20\d\d)年度?(?:本级)?{_REPORT}"),
    re.compile(rf"(?P<year>20\d\d)年度?(?P<org>{ORG_CHARS}{{2,60}}?){_REPORT}"),
    re.compile(rf"(?P<org>{ORG_CHARS}{{2,60}}?)(?:政府)??信息公开工作(?P<year>20\d\d)年度报告"),
    re.compile(rf"(?P<org>{ORG_CHARS}{{2,60}}?){_REPORT}[（(](?P<year>20\d\d)年度?[）)]"),
    # 现公布西安区发改局2022年度信息公开工作，报告主要分为六个部分
    re.compile(rf"(?:公布|公开|发布)(?P<org>{ORG_CHARS}{{2,40}}?)(?P<year>20\d\d)年度?(?:本级)?(?:政府)?信息公开工作"),
)
#: The statistics period: 统计期限自2023年1月1日起至12月31日止, 统计时限从…至…, 统计周期为…
PERIOD = re.compile(
    r"统计(?:期限|时限|时间段|时间|周期|区间|期)[^。]{0,12}?(20\d\d)年1月1日"
    r"|(20\d\d)年1月1日(?:起)?[，,]?(?:至|到|—|-|－|~|～)(?:\1|(20\d\d))?年?12月31日"
)
#: 2022年度 in the opening (报告…2022年度…): the report year where neither title nor period says it.
YEAR_OF_REPORT = re.compile(r"(20\d\d)年度(?!政务公开工作要点|工作要点|重点)")
#: Who compiled the report: 由成山镇人民政府编制, 由区政府办公室汇总各单位…编制而成.
COMPILED_BY = re.compile(
    rf"由(?P<org>{ORG_CHARS}{{2,40}}?)(?=编制|汇总|综合|根据|依据|结合|按照|依照|会同|牵头|负责|组织)[^。]{{0,80}}?编"
    rf"|(?P<org2>{ORG_CHARS}{{2,40}}?)编制了?(?:本|此)(?:年度)?报告"
)
#: The agency a clause names (现公布西安区发改局2022年度信息公开工作…): the clause's verb is not part of it.
CLAUSE = re.compile(
    r"^(?:.*?(?:现(?:向社会)?(?:予以|予)?(?:公布|公开|发布|印发)|现(?:将|对|就|把)|(?:特|兹|下面|以下)(?:将|对|就|把)"
    r"|特(?:向社会)?(?:公布|公开|发布|编制|制定)|向社会(?:公布|公开|发布)))?(?:编制|公布|公开|发布|印发|关于|根据|依据|按照)?"
)
#: The signature at the end: the agency on its own line (or just before the date).
SIGNATURE = re.compile(
    rf"(?P<org>{ORG_CHARS}{{2,40}}?)\s*(?P<year>20\d\d)\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日[^\u4e00-\u9fff]{{0,6}}$"
)
PUBLISHER = re.compile(rf"发布机构[|｜：:\s]*(?P<org>{ORG_CHARS}{{2,40}}?)(?=[|｜\s]|主题|成文|$)")
ORG_CHROME = re.compile(r"^(?:标题|题目|title|当前位置|首页|关于|发布|来源)[:：]?")
#: An agency named without its place (区政府办公室, 市外办, 县政府): not enough to name the report's agency.
GENERIC_ORG = re.compile(
    r"^(?:省|市|区|县|州|盟|旗|镇|乡)(?:(?:人民)?(?:政府|委|办|外办|直|属)|(?!场)[\u4e00-\u9fff]{1,5}(?:局|委|办|厅|室)$)"
)
#: The title of a notice the opening cites (《关于做好2023年政府信息公开工作年度报告编制工作的通知》, 《某某区政府
#: 办公室关于做好2023年…的通知》): not the report's. (某某局关于2023年度政府信息公开工作的报告 is: 关于 ends it.)
NOTICE = re.compile(r"^(?:关于|做好|印发|转发|开展|认真做好)|关于.")
#: A notice's title the opening quotes in 《》 (《关于做好2022年度政府信息公开工作年度报告编制及发布工作提示》): no title
#: phrase inside it is the report's.
NOTICE_TITLE = re.compile(r"《[^《》]*?(?:关于[^《》]|(?:通知|提示|意见|方案|办法|要点|规定|细则)(?=》))[^《》]*》")
#: Not an agency: a title's leftover words (本级, 本单位), a clause or a report part.
NOT_ORG = re.compile(
    r"^(?:本级|本单位|本机关|我局|我镇|我委|我办|本局|本镇|全文|报告|年度|政府|信息公开)$|本报告|总体情况"
    r"|编制(?:本|此|了)|本年度$"  # 参照2024年相关指标编制本年度政府信息公开工作报告: a clause
    r"|^全(?:省|市|县|区|州|盟|旗|镇|乡)$"  # 现将全市2023年政府信息公开工作情况报告如下: the area, not an agency
)


@dataclass
class Meta:
    org: str | None = None
    year: int | None = None
    contact: dict[str, str] = field(default_factory=dict)  # by the label of the contact field: 地址, 邮编 …
    download_url: str | None = None
    year_source: str | None = None  # title, period, opening, signature, body, opening_sentence (the last three guessed)
    org_source: str | None = None  # title, compiled, signature, publisher
    whole_area: bool = False  # the opening says the report is compiled for the whole area (汇总各单位…编制)


def _clean_org(org: str) -> str | None:
    org = ORG_CHROME.sub("", org.strip())
    org = CLAUSE.sub("", org)
    org = _strip_brackets(re.sub(r"^(?:关于|印发|本|我)", "", org))
    org = re.sub(r"(?:关于)?(?:本级)?的?$", "", org)  # 汇总2024年小河镇的政府信息公开年度报告
    org = re.sub(r"^由(?=.{2})", "", org)  # 由某某局办公室编制的2022年度…报告
    org = re.sub(r"(?:编制|制作|撰写|发布)(?:的|了)?$", "", org)
    if org.endswith("人民"):  # 某某区人民政府信息公开工作年度报告: the 政府 is the agency's
        org += "政府"
    if len(org) < 2 or NOT_ORG.search(org) or GENERIC_ORG.match(org):
        return None
    return org


def _strip_brackets(org: str) -> str:
    """Brackets and dots around the agency, but not the closing bracket of its own (银川市民族事务委员会（宗教事务局）)."""
    org = org.replace("（）", "").replace("()", "").lstrip("）)·").rstrip("（(·")
    while org and org[0] in "（(" and not _opens_own(org):
        org = org[1:]
    while org and org[-1] in "）)" and org.count(org[-1]) > org.count("（" if org[-1] == "）" else "("):
        org = org[:-1]
    return org


def _opens_own(org: str) -> bool:
    close = "）" if org[0] == "（" else ")"
    return close in org[1:-1]


def _title_meta(source: str, years: tuple[int, int]) -> tuple[str | None, int | None]:
    """(agency, year) of the first title-like phrase in ``source`` (compact), the year within ``years``."""
    best = None
    source = NOTICE_TITLE.sub("《》", source)
    for pattern in TITLES:
        for m in pattern.finditer(source):
            year = int(m.group("year"))
            if not years[0] <= year <= years[1] or NOTICE.search(m.group("org")):
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), _clean_org(m.group("org")), year)
            break
    return (best[1], best[2]) if best else (None, None)


def find_meta(stream: Stream, title: str | None, lo: int, hi: int, years: tuple[int, int]) -> Meta:
    """Agency and year from the title, the opening (统计期限, 由…编制, 2022年度) or the signature; contact details
    from the opening before ``lo``.

    ``years`` are the first and the last report year that can be meant (the first edition's first year; next year).
    """
    meta = Meta()
    head = stream.text[: stream.at(min(hi, len(stream)))]  # hi = 0: 一、总体情况 comes first, no opening
    compact_head = re.sub(r"\s+", "", head[:8000])
    _from_titles(meta, title, head, compact_head, years)
    if meta.year is None:
        meta.year = _year_of_opening(compact_head, years)
        meta.year_source = "opening" if meta.year is not None else None
    if meta.year is None:
        meta.year, meta.year_source = _year_under_heading(stream.text[len(head) : len(head) + 1500], years)
    for m in COMPILED_BY.finditer(compact_head):
        org = _clean_org(m.group("org") or m.group("org2"))
        if not meta.org and org and SIGNER.search(org):
            meta.org, meta.org_source = org, "compiled"
    meta.whole_area = compiled_for_area(compact_head) or "涵盖" in compact_head and "各" in compact_head
    if not meta.org or meta.year is None:
        org, year = signature_meta(stream.text)
        if not meta.org and org:
            meta.org, meta.org_source = org, "signature"
        if meta.year is None and year is not None and years[0] <= year <= years[1]:
            meta.year, meta.year_source = year, "signature"
    if meta.year is None:
        meta.year, meta.year_source = _year_under_heading(stream.text[len(head) : len(head) + 300], years, guess=True)
    # The opening's first sentence, as a guess (2024年，在区政府……的引领下，某某街道……现将本年度工作情况报告如下).
    if meta.year is None:
        meta.year = _year_under_heading(head[:300], years, guess=True)[0]
        meta.year_source = "opening_sentence" if meta.year is not None else None
    if not meta.org and (m := PUBLISHER.search(re.sub(r"[ \t\u3000\xa0]+", " ", head[:3000]))):
        meta.org, meta.org_source = _clean_org(m.group("org")), "publisher"
    preamble = re.sub(r"[ \t\u3000\xa0]+", "", stream.text[: stream.at(lo)]) if lo else ""
    meta.contact = contact_fields(preamble)
    m = DOWNLOAD.search(preamble)
    if m:
        meta.download_url = m.group(1).strip('：:“”" ')
    return meta


def _from_titles(meta: Meta, title: str | None, head: str, compact_head: str, years: tuple[int, int]) -> None:
    """Agency and year of the document's title, else of its first line; the agency, else, of a title the opening
    quotes (现向社会公布某某局2023年政府信息公开工作年度报告)."""
    first_line = next((line for line in head.split("\n") if line.strip()), "")
    if len(first_line.strip()) > 80:  # a paragraph, not a title: what it says counts as the opening's
        first_line = ""
    sources = [("title", title or ""), ("title", first_line), ("opening", compact_head)]
    for name, source in sources:
        org, year = _title_meta(re.sub(r"\s+", "", source), years)
        if meta.year is None and year is not None and name == "title":
            meta.year, meta.year_source = year, name
        if meta.org is None and org:
            meta.org, meta.org_source = org, "title"
        if meta.year is not None and meta.org:
            return


def _year_under_heading(text: str, years: tuple[int, int], guess: bool = False) -> tuple[int | None, str | None]:
    """The year of the text just under 一、总体情况: its statistics period (an opening printed there), or, as a
    ``guess`` to be checked, the year its first sentence begins with (2023年，我局……)."""
    if not guess:
        m = PERIOD.search(re.sub(r"\s+", "", text))
        found = [int(g) for g in (m.groups() if m else ()) if g]
        return (found[0], "period") if found and years[0] <= found[0] <= years[1] else (None, None)
    m = BODY_YEAR.search(re.sub(r"[ \t\u3000\xa0]+", "", text))
    return (int(m.group(1)), "body") if m and years[0] <= int(m.group(1)) <= years[1] else (None, None)


def _year_of_opening(compact_head: str, years: tuple[int, int]) -> int | None:
    """The year of the statistics period, else of a title the opening quotes, else the commonest “XXXX年度”."""
    m = PERIOD.search(compact_head)
    found = [int(g) for g in (m.groups() if m else ()) if g]
    if found and years[0] <= found[0] <= years[1]:
        return found[0]
    _, year = _title_meta(compact_head, years)
    if year is not None:
        return year
    counted = [int(y) for y in YEAR_OF_REPORT.findall(compact_head) if years[0] <= int(y) <= years[1]]
    return max(sorted(set(counted)), key=counted.count) if counted else None


#: A sentence of 一 that begins with the year it speaks of (2023年，我局…; 2024年度，…).
BODY_YEAR = re.compile(
    r"(?:^|[。\n：:）)])(?:[（(][一二三四五六七八九十][）)][^。\n]{0,16}?[。：:\n]?)?(20\d\d)年度?[，,]"
)


def signature_meta(text: str) -> tuple[str | None, int | None]:
    """(agency, report year by the date) of the signature at the end of a report (its last lines before page chrome)."""
    lines = [re.sub(r"\s+", "", line) for line in text.split("\n")]
    lines = [line for line in lines if line][-12:]
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        m = CLOSING_DATE.fullmatch(line) or CLOSING_DATE.search(line[-14:])
        if not m or len(line) > 50 or "至" in line:  # a sentence, or a period (1月1日至12月31日)
            continue
        whole = SIGNATURE.search(line)
        org = _clean_org(whole.group("org")) if whole else None
        if org and SIGNER.search(org):
            return org, _signed_for(m)
        before = lines[i - 1] if i > 0 else ""
        if CLOSING_DATE.fullmatch(line) and re.fullmatch(rf"{ORG_CHARS}{{2,40}}", before) and SIGNER.search(before):
            return _clean_org(before), _signed_for(m)
        return None, _signed_for(m) if CLOSING_DATE.fullmatch(line) else None
    return None, None


def _signed_for(m) -> int | None:
    """The report year a signature date means: signed in the first half of a year, the year before."""
    return int(m.group(1)) - 1 if 1 <= int(m.group(2)) <= 6 else None


#: What an agency's name ends with (a signature line is only taken for one).
SIGNER = re.compile(r"(?:政府|办事处|局|委员会|委|办公室|办|中心|管委会|厅|署|院|所|队|站|处|室|馆|会|区|部)$")


#: How a report's opening states each contact field, by the field's label in the form.
CONTACT = {
    "地址": r"(?:联系)?地址[：:，,]?\s*([^，,；;。）)\n]{4,60})",
    "邮编": r"邮编[：:]?\s*(\d{6})",
    "电话": r"(?:联系)?电话(?:/传真)?[：:]\s*([0-9][0-9\-－—()（） ]{5,24}[0-9])",
    "电子邮箱": r"(?:电子邮箱|电子信箱|邮箱|E-?mail)[：:]\s*([\w.%+\-]+[@＠][A-Za-z0-9.\-]+\.[A-Za-z]{2,})",
}
DOWNLOAD = re.compile(r"电子版可?在(.{2,120}?)(?:下载|查阅|公布)")


def contact_fields(preamble: str) -> dict[str, str]:
    """The contact details the opening states, by label (地址, 邮编, 电话, 电子邮箱)."""
    out: dict[str, str] = {}
    for label, pattern in CONTACT.items():
        m = re.search(pattern, preamble)
        if m:
            out[label] = m.group(1).strip().replace("＠", "@")
    return out


def org_type(org: str, choices: tuple[str, ...], government: str | None, whole_area: bool = False) -> str | None:
    """The agency type among the edition's ``choices``, only where the name says it unmistakably: a township, a
    government, a body acting as the government of its area (管委会, 实验区 …), or the report says it is compiled
    for the whole area (汇总各单位…编制) and the agency is not a department."""
    township = next((c for c in choices if "街道办事处" in c and "乡镇" in c), None)
    if org.endswith("街道办事处") or re.search(r"[乡镇]人民政府$", org):
        return township
    if government not in choices:
        return None
    if org.endswith("人民政府") or AREA_BODY.search(org):
        return government
    if whole_area and re.search(r"[市县区州盟旗]$", org):
        return government
    return None


CLOSING_DATE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CHROME = re.compile(
    r"打印|关闭|窗口|分享|扫一扫|收藏|返回|顶部|字号|上一篇|下一篇|相关链接|附件下载|责任编辑|来源[:：]"
)
BLANK_DATE = re.compile(r"^\s*年\s+月\s+日\s*$")


def closing(text: str, org: str | None) -> tuple[str, date | None]:
    """六's text without the closing signature (agency and date) and page chrome after it; the date if any."""
    lines = text.split("\n")
    cut = len(lines)
    found: date | None = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i].strip()
        compact = re.sub(r"\s+", "", line)
        if BLANK_DATE.match(line) or (org and compact == re.sub(r"\s+", "", org)):
            cut = i
            continue
        m = CLOSING_DATE.search(compact)
        if (
            m
            and len(compact) <= 60
            and (m.end() >= len(compact) - 12)
            and (not org or compact.startswith(re.sub(r"\s+", "", org)) or m.start() == 0)
        ):
            cut = i
            found = _date(m)
            continue
        if i > 0 and CHROME.search(compact) and len(compact) < 40:
            cut = i  # page chrome after the report (打印本页, 关闭窗口 …)
            continue
        break
    body = "\n".join(lines[:cut]).strip()
    # a signature fused to the last sentence (a crawler's dump): "…情况。 某某局2025年1月26日（此件主动公开）"
    if org:
        m = re.search(rf"{re.escape(org)}\s*(20\d\d)\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日.{{0,20}}$", body)
        if m and m.start() > 0:
            found = found or _date(m)
            body = body[: m.start()].strip()
    return body, found


def _date(m) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
