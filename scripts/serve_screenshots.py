"""Screenshots of ``xlrep serve`` for the README (docs/images/serve-*.png), taken with headless Chromium.

Needs Debian's chromium and a CJK font (e.g. ``apt-get install fonts-noto-cjk``), or the text shows as boxes.

Starts a real server on a temporary data folder, fills it with a made-up county's round (units
in every state), and photographs the self-check result, a unit's page and the office's dashboard.

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


def _workbook(folder: Path, name: str, unit: str, **changes) -> bytes:
    from filling import clean_values, fill_workbook

    values = clean_values("2021", YEAR, seed=len(unit))
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

    def decide(name, action, comment=""):
        page = admin.get(f"/admin/rounds/{round_id}").text
        import re

        unit_id = re.search(rf'/admin/rounds/{round_id}/units/(\d+)">{name}<', page).group(1)
        path = f"/admin/rounds/{round_id}/units/{unit_id}"
        answer = admin.post(path + "/decide", {"action": action, "comment": comment}, form_page=path)
        assert answer.status == 303, answer.text

    for name in UNITS[0][0], UNITS[1][0]:
        submit(name, upload(name))
        decide(name, "pass")
    submit(UNITS[2][0], upload(UNITS[2][0]))
    submit(UNITS[3][0], upload(UNITS[3][0]))
    decide(UNITS[3][0], "return", "正文写“收到申请 52 件”，表三本年新收是 49 件，请核实后重新上报。")
    upload(UNITS[4][0], t3__new_received__research=3)  # the identity broken in one column: errors
    upload(UNITS[5][0], t3__carried_forward__natural_person=400, t3__new_received__natural_person=400)
    return admin, round_id, links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    from serve_support import ServerProcess

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = ServerProcess(folder / "data")
        try:
            admin, round_id, links = populate(server, folder)
            bad = folder / f"某某县教育局{YEAR}年填报表.xlsx"
            bad.write_bytes(_workbook(folder, "self.xlsx", "某某县教育局", t3__new_received__research=3))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + ["--lang=zh-CN"])
                page = browser.new_page(viewport={"width": 1180, "height": 900}, device_scale_factor=1, locale="zh-CN")
                page.set_default_timeout(30_000)
                page.goto(server.url + "/")
                page.set_input_files("input[type=file]", str(bad))
                page.click("button[type=submit]")
                page.wait_for_selector(".verdict")
                page.screenshot(path=str(args.out / "serve-check.png"), full_page=False)
                page.goto(server.url + links[UNITS[4][0]])
                page.wait_for_selector(".verdict")
                page.screenshot(path=str(args.out / "serve-unit.png"), full_page=False)
                page.goto(server.url + "/admin/login")
                page.fill("input[name=password]", __import__("serve_support").ADMIN_PASSWORD)
                page.click("button[type=submit]")
                page.goto(f"{server.url}/admin/rounds/{round_id}")
                page.wait_for_selector("table.units")
                page.screenshot(path=str(args.out / "serve-dashboard.png"), full_page=True)
                browser.close()
        finally:
            server.stop()
    for name in ("serve-check.png", "serve-unit.png", "serve-dashboard.png"):
        print(args.out / name)


if __name__ == "__main__":
    main()
