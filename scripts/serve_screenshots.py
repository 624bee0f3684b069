"""Screenshots of ``xlrep serve`` for the README (docs/images/serve-*.png), taken with headless Chromium.

Needs Debian's chromium and a CJK font (e.g. ``apt-get install fonts-noto-cjk``), or the text shows as boxes.

Starts a real server on a temporary data folder, fills it with a made-up county's round (units
in every state), and photographs the self-check result, a unit's page and the office's dashboard; then a second
site with a made-up city and three counties below it, each county's round a line of the city's round (one county
has 上报ed its 汇总 and the city passed it, one has not yet, one has just begun), and photographs the city's round.

    python scripts/serve_screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "serve"), str(ROOT / "tests"), str(ROOT / "src")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UNITS = [
    ("某某县发展和改革局", "部门"),
    ("某某县教育局", "部门"),
    ("某某县财政局", "部门"),
    ("某某县自然资源局", "部门"),
    ("某某县卫生健康委员会", "部门"),
    ("某某镇人民政府", "乡镇"),
    ("某某街道办事处", "街道"),
    ("某某县市场监督管理局", "部门"),
]


YEAR = date.today().year - 1 if date.today().month <= 6 else date.today().year  # the round a county runs now


def _workbook(folder: Path, name: str, unit: str, seed: int | None = None, **changes) -> bytes:
    from filling import clean_values, fill_workbook

    values = clean_values("2021", YEAR, seed=len(unit) if seed is None else seed)
    values["info.org_name"] = unit
    for key, delta in changes.items():
        values[key.replace("__", ".")] += delta
    return fill_workbook(folder / name, "2021", YEAR, values).read_bytes()


def populate(server, folder: Path):
    """A round of 8 units: 2 passed, 1 submitted, 1 returned, 1 with errors, 1 with warnings, 2 not yet."""
    from serve_support import Client, create_round, set_up_admin, unit_links

    admin = set_up_admin(server)
    round_id = create_round(
        admin,
        UNITS,
        year=YEAR,
        title=f"某某县{YEAR}年度政府信息公开工作年度报告",
        deadline=f"{YEAR + 1}-01-20",
        summary_org="某某县人民政府",
        summary_org_type="县级以上地方人民政府",
    )
    links = unit_links(admin, round_id)
    clients = {name: Client(server.url) for name, _ in UNITS}

    def upload(name, **changes):
        data = _workbook(folder, f"{name}.xlsx", name, **changes)
        answer = clients[name].upload(links[name] + "/upload", f"{name}{YEAR}年填报表.xlsx", data, links[name])
        assert answer.status == 303, answer.text
        return int(answer.location.split("v=")[1].split("#")[0])

    def submit(name, number):
        answer = clients[name].post(links[name] + "/submit", {"version": str(number)}, form_page=links[name])
        assert answer.status == 303, answer.text

    def decide(name, action, version, comment=""):
        page = admin.get(f"/admin/rounds/{round_id}").text
        import re

        unit_id = re.search(rf'/admin/rounds/{round_id}/units/(\d+)">{name}<', page).group(1)
        path = f"/admin/rounds/{round_id}/units/{unit_id}"
        fields = {"action": action, "version": str(version), "comment": comment}  # the version reviewed
        answer = admin.post(path + "/decide", fields, form_page=path)
        assert answer.status == 303, answer.text

    for name in UNITS[0][0], UNITS[1][0]:
        number = upload(name)
        submit(name, number)
        decide(name, "pass", number)
    submit(UNITS[2][0], upload(UNITS[2][0]))
    number = upload(UNITS[3][0])
    submit(UNITS[3][0], number)
    decide(UNITS[3][0], "return", number, "正文写“收到申请 52 件”，表三本年新收是 49 件，请核实后重新上报。")
    upload(UNITS[4][0], t3__new_received__research=3)  # the identity broken in one column: errors
    upload(UNITS[5][0], t3__carried_forward__natural_person=400, t3__new_received__natural_person=400)
    return admin, round_id, links


CITY = "某某市政务公开办"
CITY_UNITS = [("某某市财政局", "部门"), ("某某市教育局", "部门")]
COUNTIES = {  # each county's round: its units, and how many of them have 上报ed and been passed
    "某甲县政务公开办": (["某甲县财政局", "某甲县教育局", "某甲县人民政府", "某甲县自然资源局"], 4),
    "某乙县政务公开办": (["某乙县财政局", "某乙县教育局", "某乙县人民政府", "某乙县民政局", "某乙县司法局"], 3),
    "某丙县政务公开办": (["某丙县财政局", "某丙县人民政府", "某丙县水利局"], 1),
}


def populate_city(server, folder: Path) -> tuple[int, str]:
    """The city's round and the password of its 管理员: 某甲县 has 上报ed its 汇总 (passed by the city), 某乙县 and
    某丙县 are still collecting; of the city's own units one has been passed."""
    from serve_support import add_office, create_round, set_up_admin, sign_in
    from test_serve_rollup import PASSWORD, Season

    class CitySeason(Season):  # this year's workbooks (the round a city runs now)
        def workbook(self, name: str, seed: int) -> bytes:
            return _workbook(self.root, f"{name}-{seed}.xlsx", name, seed=seed)

    season = CitySeason(server, folder)
    season.clients[CITY] = set_up_admin(server, PASSWORD, office_name=CITY, level="市", login="shi")
    for i, county in enumerate(COUNTIES):
        add_office(season.clients[CITY], county, "县", f"xian{i}", PASSWORD)
        season.clients[county] = sign_in(server, PASSWORD, login=f"xian{i}")
    season.rounds[CITY] = create_round(
        season.clients[CITY],
        CITY_UNITS,
        year=YEAR,
        title=f"某某市{YEAR}年度政府信息公开工作年度报告",
        deadline=f"{YEAR + 1}-01-31",
    )
    for county, (units, passed) in COUNTIES.items():
        title = f"{county.removesuffix('政务公开办')}{YEAR}年度政府信息公开工作年度报告"
        season.rounds[county] = create_round(
            season.clients[county], [(u, "政府" if u.endswith("人民政府") else "部门") for u in units], year=YEAR,
            title=title, deadline=f"{YEAR + 1}-01-20",
        )  # fmt: skip
        for seed, unit in enumerate(units[:passed], start=1):
            season.report_unit(county, unit, seed=seed)
    season.report_unit(CITY, CITY_UNITS[0][0], seed=7)
    first = next(iter(COUNTIES))
    answer = season.report_up(first)  # the county's 汇总 into the city's round, then its 确认上报
    assert answer.status == 303, answer.text
    link = answer.location.split("?", 1)[0]
    season.submit(link, 1)
    season.decide(CITY, first, "pass", 1)
    return season.rounds[CITY], PASSWORD


def _sign_in(page, url: str, login: str, password: str) -> None:
    page.goto(url + "/admin/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    page.wait_for_url(url + "/admin")


def _round_picture(page, url: str, account: tuple[str, str], round_id: int, path: Path) -> None:
    """The round's page as its office's 管理员 (``account``: login, password) sees it, whole; the page closed."""
    _sign_in(page, url, *account)
    page.goto(f"{url}/admin/rounds/{round_id}")
    page.wait_for_selector("table.units")
    page.screenshot(path=str(path), full_page=True)
    page.close()


PICTURES = ("serve-check.png", "serve-unit.png", "serve-dashboard.png", "serve-city.png")


def photograph(browser, out: Path, folder: Path) -> list[Path]:
    """Both made-up sites, in ``folder``, photographed with ``browser`` (Playwright's) into ``out``."""
    from serve_support import ADMIN_PASSWORD, ServerProcess

    def new_page():
        page = browser.new_page(viewport={"width": 1180, "height": 900}, device_scale_factor=1, locale="zh-CN")
        page.set_default_timeout(30_000)
        return page

    server = ServerProcess(folder / "county")
    try:
        _admin, round_id, links = populate(server, folder)
        bad = folder / f"某某县教育局{YEAR}年填报表.xlsx"
        bad.write_bytes(_workbook(folder, "self.xlsx", "某某县教育局", t3__new_received__research=3))
        page = new_page()
        page.goto(server.url + "/")
        page.set_input_files("input[type=file]", str(bad))
        page.click("button[type=submit]")
        page.wait_for_selector(".verdict")
        page.screenshot(path=str(out / "serve-check.png"), full_page=False)
        page.goto(server.url + links[UNITS[4][0]])
        page.wait_for_selector(".verdict")
        page.screenshot(path=str(out / "serve-unit.png"), full_page=False)
        _round_picture(page, server.url, ("admin", ADMIN_PASSWORD), round_id, out / "serve-dashboard.png")
    finally:
        server.stop()
    city = ServerProcess(folder / "city", "--workers", "1")
    try:
        round_id, password = populate_city(city, folder)
        _round_picture(new_page(), city.url, ("shi", password), round_id, out / "serve-city.png")
    finally:
        city.stop()
    return [out / name for name in PICTURES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + ["--lang=zh-CN"])
        try:
            for picture in photograph(browser, args.out, Path(tmp)):
                print(picture)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
