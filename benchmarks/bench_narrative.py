"""Benchmark: a warm audit of a workbook whose narrative is complete and realistic.

Every part of 一 (five parts), 五 and 六 holds several sentences in the style of
published reports, with counts, shares, year-on-year changes, 表二 and 表四 figures.
The narrative checks read all of it, so this is the audit's worst ordinary case.
We time (warm process, the workbook written once by ``build_template``):

1. ``audit(FILE)`` — read, every rule, the narrative checks included;
2. the narrative rules alone (those of ``xlrep.checks.rules.text``: TEXT-*, FEE-NOTICE, GOV-ACCOUNTABILITY), on an
   already-read workbook.

Run:  python benchmarks/bench_narrative.py [--runs 200] [--against REV]

``--against REV`` also times the package of git revision REV (imported as ``xlrep_base``, its workbook written
by its own ``build_template``), interleaving the two call by call so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# Written for this benchmark in the style of real reports ({...} are filled from the tables).
NARRATIVE = {
    "s1.proactive": (
        "{year}年，本机关坚持以公开为常态、不公开为例外，全年主动公开政府信息1268条，其中政策文件86条、"
        "工作动态742条、人事信息35条。本年制发规章{rules_issued}件，现行有效规章{rules_in_force}件；"
        "本年制发行政规范性文件{docs_issued}件，废止{docs_repealed}件，现行有效行政规范性文件{docs_in_force}件，"
        "均已在规范性文件库集中公开。全年公开行政许可{licensing}件、行政处罚{penalty}件、行政强制{enforcement}件。"
        "围绕优化营商环境、乡村振兴等重点领域，发布政策解读48篇，其中图片图表解读21篇、视频解读6个，"
        "举办新闻发布会12场，回应社会关切问题37个。"
    ),
    "s1.on_request": (
        "{year}年，本机关共收到政府信息公开申请{new}件，同比增长12.3%，其中自然人申请{new_np}件，"
        "法人或其他组织申请{new_lp}件；上年结转申请{carried_in}件。全年办结{done}件，办结率{done_rate}%，"
        "其中予以公开{granted}件，部分公开{partly}件，予以公开及部分公开合计{open}件，占{open_share}%；"
        "不予公开{refused}件，无法提供{unable}件，不予处理{not_handled}件，其他处理{other}件。"
        "结转下年度继续办理{forward}件。因政府信息公开被申请行政复议{review}件，其中结果维持{review_upheld}件；"
        "被提起行政诉讼{suit}件，未出现被纠错的情况。"
    ),
    "s1.management": (
        "严格落实公开属性源头认定机制，公文在拟稿环节即明确公开属性，全年审核公文1520件，"
        "其中主动公开612件、依申请公开385件、不予公开523件。开展规范性文件清理，对32件文件逐件评估，"
        "动态更新主动公开目录，调整目录条目56个。坚持先审查、后公开，全年未发生泄密事件。"
    ),
    "s1.platforms": (
        "持续优化政府网站政务公开专栏，新增专题专栏4个，全年网站访问量达256万人次。"
        "规范政务新媒体运维，本机关微信公众号发布信息1024条，关注人数较上年增长18.6%。"
        "按期编发政府公报12期，刊登规章和规范性文件45件，免费发放公报3600份。"
    ),
    "s1.oversight": (
        "将政务公开纳入年度绩效考核，考核权重为4%；开展社会评议2次，收回有效问卷860份，满意率96.5%。"
        "组织政务公开业务培训3期，培训人员210人次。本年度未发生因政务公开工作被责任追究的情形。"
    ),
    "s5.problems": (
        "一是政策解读的针对性和通俗性仍需提升，部分解读以文字为主，图表、视频等形式占比不足三成；"
        "二是个别科室对公开属性把握不够准确，全年有5件公文的公开属性经审核后调整；"
        "三是依申请公开答复文书的规范性有待加强。"
    ),
    "s5.measures": (
        "一是丰富解读形式，力争图表、视频解读占比达到50%；二是每季度开展一次公开属性专项检查，"
        "组织业务培训不少于4期；三是制定答复文书范本，建立疑难申请会商机制，提升答复质量。"
    ),
    "s5.last_year_fixes": (
        "针对上年度报告指出的专栏更新不及时问题，已建立信息更新月报制度，全年督促整改问题14个，整改完成率100%。"
    ),
    "s6.work_points": "按照上级年度政务公开工作要点，逐项分解任务28项，全部按期落实。",
    "s6.proposals": (
        "本年度共承办人大代表建议46件、政协提案38件，均已按期办结，办理复文全文公开率100%，较上年提高5个百分点。"
    ),
    "s6.innovation": "推行政策“一键查询”服务，上线政策文件库，收录现行有效政策文件1200余件。",
    "s6.other": "本年度发出收费通知{fee_notices}件，未收取信息处理费。",
}


def narrative_values(values: dict, year: int) -> dict:
    from xlrep.edition.form import load_form
    from xlrep.workbook.engine import all_values

    full = all_values(load_form("2021"), values)

    def t(key: str) -> int:
        return int(full.get(key) or 0)

    rows = [r.key for r in load_form("2021").grids("t3")[0].rows]

    def group(prefix: str) -> int:
        return sum(t(f"t3.{r}.total") for r in rows if r.startswith(prefix))

    done = t("t3.result_total.total")
    fields = {
        "year": year,
        "new": t("t3.new_received.total"),
        "new_np": t("t3.new_received.natural_person"),
        "new_lp": t("t3.new_received.total") - t("t3.new_received.natural_person"),
        "carried_in": t("t3.carried_in.total"),
        "done": done,
        "granted": t("t3.granted.total"),
        "partly": t("t3.partly_granted.total"),
        "open": t("t3.granted.total") + t("t3.partly_granted.total"),
        "open_share": f"{(t('t3.granted.total') + t('t3.partly_granted.total')) * 100 / done:.2f}" if done else "0",
        "done_rate": f"{done * 100 / (t('t3.new_received.total') + t('t3.carried_in.total')):.1f}",
        "refused": group("refused_"),
        "unable": group("unable_"),
        "not_handled": group("not_handled_"),
        "other": group("other_"),
        "forward": t("t3.carried_forward.total"),
        "review": t("t4.review.total"),
        "review_upheld": t("t4.review.upheld"),
        "suit": t("t4.suit_direct.total") + t("t4.suit_after_review.total"),
        "rules_issued": t("t2.rules.issued"),
        "rules_in_force": t("t2.rules.in_force"),
        "docs_issued": t("t2.normative_docs.issued"),
        "docs_repealed": t("t2.normative_docs.repealed"),
        "docs_in_force": t("t2.normative_docs.in_force"),
        "licensing": t("t2.licensing.decisions"),
        "penalty": t("t2.penalty.decisions"),
        "enforcement": t("t2.enforcement.decisions"),
        "fee_notices": t("s6.fee_notices"),
    }
    return {key: text.format(**fields) for key, text in NARRATIVE.items()}


def _row(name: str, times: list[float]) -> str:
    return f"| {name} | {statistics.median(times) * 1000:.2f} | {min(times) * 1000:.2f} | {len(times)} |"


def _package(name: str):
    """The modules the benchmark calls, from the package ``name`` (``xlrep``, or an older one under another name)."""
    import importlib

    modules = ("ingest", "form", "reader", "rules", "template")
    return {m: importlib.import_module(f"{name}.{m}") for m in modules}


def _narrative_rules(pkg: dict):
    """A call running the narrative rules (``rules.text``) on a read workbook, as the audit runs them."""
    rules = pkg["rules"]
    text = [r for r in rules.registry().values() if type(r).__module__.endswith(".rules.text")]

    def run(result) -> list:
        context = rules.Context(result)
        return [f for r in text if r.applies(context.form) for f in r.check(context)]

    return run


def _base_package(rev: str, tmp: Path) -> str:
    """The ``xlrep`` package of git revision ``rev`` (and its edition files), importable as ``xlrep_base``."""
    import io
    import subprocess
    import tarfile

    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src/xlrep", "workbook_templates"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp / "base", filter="data")
    packages = tmp / "base" / "packages"
    packages.mkdir()
    (tmp / "base" / "src" / "xlrep").rename(packages / "xlrep_base")  # its edition files: base/workbook_templates
    sys.path.insert(0, str(packages))
    return "xlrep_base"


def _workbook(pkg: dict, folder: Path, values: dict, year: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "narrative.xlsx"
    path.write_bytes(pkg["template"].build_template(year, pkg["form"].load_form("2021"), values=values))
    return path


def _time(calls: list, runs: int) -> list[list[float]]:
    """Each call timed ``runs`` times, the calls interleaved (so that a busy machine slows all of them alike)."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for i, call in enumerate(calls):
            start = time.perf_counter()
            call()
            times[i].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--against", metavar="REV", help="also time git revision REV, interleaved, and compare")
    args = parser.parse_args()
    from filling import clean_values

    year = 2021
    values = clean_values("2021", year)
    values.update({"t2.licensing.decisions": 4521, "t2.penalty.decisions": 1330, "t2.enforcement.decisions": 54})
    values.update(narrative_values(values, year))
    chars = sum(len(v) for k, v in values.items() if k.startswith(("s1.", "s5.", "s6.")) and isinstance(v, str))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        versions = [("this tree", _package("xlrep"))]
        if args.against:
            versions.insert(0, (args.against, _package(_base_package(args.against, tmp))))
        calls, found = [], {}
        for i, (label, pkg) in enumerate(versions):
            path = _workbook(pkg, tmp / f"v{i}", values, year)
            result = pkg["reader"].read_workbook(path)
            found[label] = [f.rule for f in pkg["ingest"].audit(path).findings if f.rule.startswith("TEXT")]
            narrative = _narrative_rules(pkg)
            calls.append(lambda pkg=pkg, path=path: pkg["ingest"].audit(path))
            calls.append(lambda narrative=narrative, result=result: narrative(result))
        times = _time(calls, args.runs)
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; narrative of {chars} characters\n")
    print("| what | median (ms) | best (ms) | runs |")
    print("|---|---:|---:|---:|")
    for i, (label, _) in enumerate(versions):
        print(_row(f"`audit()` of a full narrative (warm), {label}", times[2 * i]))
        print(_row(f"narrative rules alone (warm, workbook read), {label}", times[2 * i + 1]))
    if args.against:
        for what, i in (("audit()", 0), ("narrative rules", 1)):
            ratio = statistics.median(times[2 + i]) / statistics.median(times[i])
            print(f"\n{what}: this tree takes {ratio:.3f}× the time of {args.against} (medians)", end="")
        print()
    for label, rules in found.items():
        print(f"narrative findings on this consistent fill, {label}: {rules}")


if __name__ == "__main__":
    main()
