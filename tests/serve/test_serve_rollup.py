"""Rounds that roll up (issue 18, part 2), through a real site: 省 → 市 → 甲县, 乙县, each with a round of the same
year. A lower office's round is a unit of the round above it; the lower office 上报s its 汇总 there, the office
above reviews it like a unit's version (退回 reopens the lower round, the comment shown to it), sees each lower
office's progress and drills down read-only; the province's 汇总 equals the sum over every unit below it, its
汇总明细 lists each unit with its path; a county with a machine of its own uploads a 汇总 by its link, recognised
as one, and a unit in two 汇总s is counted once."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from filling import clean_values, fill_workbook
from serve_support import (
    Client,
    ServerProcess,
    add_office,
    create_round,
    office_round,
    set_up_admin,
    sign_in,
    unescape,
    unit_links,
)

YEAR = 2025
PASSWORD = "汇总测试-12345678"
PROVINCE, CITY, COUNTY_A, COUNTY_B, COUNTY_C = (
    "某省政务公开办",
    "某市政务公开办",
    "甲县政务公开办",
    "乙县政务公开办",
    "丙县政务公开办",
)


def _add_office(admin: Client, name: str, level: str, login: str) -> None:
    add_office(admin, name, level, login, PASSWORD)


def _unit_ids(admin: Client, round_id: int) -> dict[str, int]:
    page = admin.get(f"/admin/rounds/{round_id}").text
    found = re.findall(
        rf'<tr data-unit="([^"]+)">\s*<td class="num">\d+</td>\s*<td><a href="/admin/rounds/{round_id}/units/(\d+)"',
        page,
    )
    return {unescape(name): int(unit_id) for name, unit_id in found}


class Season:
    """The site and the offices' signed-in clients; what each unit uploaded (its numbers)."""

    def __init__(self, server: ServerProcess, root):
        self.server, self.root = server, root
        self.clients: dict[str, Client] = {}
        self.rounds: dict[str, int] = {}
        self.values: dict[str, dict] = {}  # unit name → the values of the workbook it last uploaded

    def workbook(self, name: str, seed: int) -> bytes:
        values = clean_values("2021", YEAR, seed=seed)
        values["info.org_name"] = name
        self.values[name] = values
        return fill_workbook(self.root / f"{name}-{seed}.xlsx", "2021", YEAR, values).read_bytes()

    def upload(self, office: str, name: str, data: bytes, filename: str | None = None) -> str:
        """Upload ``data`` by the link of unit ``name`` of ``office``'s round; returns the link's path."""
        link = unit_links(self.clients[office], self.rounds[office])[name]
        answer = Client(self.server.url).upload(link + "/upload", filename or f"{name}.xlsx", data, form_page=link)
        assert answer.status == 303, unescape(answer.text)
        return link

    def submit(self, link: str, version: int) -> None:
        answer = Client(self.server.url).post(link + "/submit", {"version": str(version)}, form_page=link)
        assert answer.status == 303 and "error" not in (answer.location or ""), unescape(answer.text)

    def decide(self, office: str, name: str, action: str, version: int, comment: str = "") -> Client:
        unit_id = _unit_ids(self.clients[office], self.rounds[office])[name]
        page = f"/admin/rounds/{self.rounds[office]}/units/{unit_id}"
        fields = {"action": action, "version": str(version), "comment": comment}
        answer = self.clients[office].post(page + "/decide", fields, form_page=page)
        assert answer.status == 303 and "error" not in answer.location, unescape(answer.text)
        return answer

    def report_unit(self, office: str, name: str, seed: int, version: int = 1) -> None:
        link = self.upload(office, name, self.workbook(name, seed))
        self.submit(link, version)
        self.decide(office, name, "pass", version)

    def report_up(self, office: str, include: str = "passed"):
        page = f"/admin/rounds/{self.rounds[office]}"
        return self.clients[office].post(page + "/report-up", {"include": include}, form_page=page)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def season(request, tmp_path_factory):
    """The whole season once on each database (PostgreSQL: its files in a folder of their own)."""
    root = tmp_path_factory.mktemp("rollup")
    database = []
    if request.param == "postgresql":
        database = ["--database", request.getfixturevalue("postgres").new_database(), "--files", str(root / "files")]
    server = ServerProcess(root / "data", "--workers", "1", "--api-per-minute", "1000", *database)
    try:
        s = Season(server, root)
        s.clients[PROVINCE] = set_up_admin(server, PASSWORD, office_name=PROVINCE, level="省", login="sheng")
        _add_office(s.clients[PROVINCE], CITY, "市", "shi")
        s.clients[CITY] = sign_in(server, PASSWORD, login="shi")
        _add_office(s.clients[CITY], COUNTY_A, "县", "xian-a")
        _add_office(s.clients[CITY], COUNTY_B, "县", "xian-b")
        s.clients[COUNTY_A] = sign_in(server, PASSWORD, login="xian-a")
        s.clients[COUNTY_B] = sign_in(server, PASSWORD, login="xian-b")
        # the lower offices' rounds first, the upper ones after: linked whichever comes first
        s.rounds[COUNTY_A] = create_round(
            s.clients[COUNTY_A], [("甲县财政局", "部门"), ("甲县人民政府", "政府")], year=YEAR
        )
        s.rounds[CITY] = create_round(s.clients[CITY], [("市属局", "部门")], year=YEAR)
        s.rounds[PROVINCE] = create_round(
            s.clients[PROVINCE], [("省属局", "部门"), (COUNTY_C, "下级机构汇总")], year=YEAR
        )
        s.rounds[COUNTY_B] = create_round(s.clients[COUNTY_B], [("乙县教育局", "部门")], year=YEAR)
        yield s
    finally:
        server.stop()


def test_a_lower_office_round_is_a_unit_of_the_round_above_it_whichever_is_made_first(season):
    s = season
    city = _unit_ids(s.clients[CITY], s.rounds[CITY])
    assert set(city) == {"市属局", COUNTY_A, COUNTY_B}
    province = _unit_ids(s.clients[PROVINCE], s.rounds[PROVINCE])
    assert set(province) == {"省属局", COUNTY_C, CITY}
    page = unescape(s.clients[CITY].get(f"/admin/rounds/{s.rounds[CITY]}").text)
    assert page.count("下级机构汇总") >= 2 and "下级收集 已上报 0/2" in page and "下级收集 已上报 0/1" in page
    # the county sees where its 汇总 goes; nothing to report yet
    county = unescape(s.clients[COUNTY_A].get(f"/admin/rounds/{s.rounds[COUNTY_A]}").text)
    assert "向上级上报" in county and CITY in county
    refused = s.report_up(COUNTY_A)
    assert refused.status == 303 and "error=" in refused.location
    assert "还没有已通过的单位" in unescape(s.clients[COUNTY_A].get(refused.location).text)
    # a lower office's line offers no 填报表 to download: it sends a 汇总
    link = unit_links(s.clients[CITY], s.rounds[CITY])[COUNTY_A]
    assert Client(s.server.url).get(link + "/template.xlsx").status == 409


def test_a_county_reports_up_and_the_city_returns_and_passes_it(season):
    s = season
    s.report_unit(COUNTY_A, "甲县财政局", seed=1)
    s.report_unit(COUNTY_A, "甲县人民政府", seed=2)
    s.report_unit(COUNTY_B, "乙县教育局", seed=3)
    for county in (COUNTY_A, COUNTY_B):
        answer = s.report_up(county)
        assert answer.status == 303 and answer.location.startswith("/u/"), unescape(answer.text)
        result = unescape(s.clients[county].get(answer.location).text)
        assert "没有发现问题" in result or "全部通过" in result or "0 项错误" in result, result[:2000]
        s.submit(answer.location.split("?")[0], 1)
    # the county's round is what it sent: no more decisions there until the city returns it
    county_a = s.clients[COUNTY_A]
    ids = _unit_ids(county_a, s.rounds[COUNTY_A])
    page = f"/admin/rounds/{s.rounds[COUNTY_A]}/units/{ids['甲县财政局']}"
    frozen = county_a.post(page + "/decide", {"action": "return", "version": "1", "comment": "再看看"}, form_page=page)
    assert "已向上级上报" in unescape(county_a.get(frozen.location).text)
    # the city sees each county's progress and its 汇总 with the units it adds up (their paths)
    dashboard = unescape(s.clients[CITY].get(f"/admin/rounds/{s.rounds[CITY]}").text)
    assert "下级收集 已上报 2/2" in dashboard and "下级收集 已上报 1/1" in dashboard
    # the 汇总s' links say how many of the lines they add up are lower offices' 汇总s (each of many units)
    assert "汇总表：已上报和已通过的 2 个单位，含 2 份下级机构汇总（.xlsx）" in dashboard
    assert "汇总表：已通过的 0 个单位（.xlsx）" in dashboard
    city_ids = _unit_ids(s.clients[CITY], s.rounds[CITY])
    slot = unescape(s.clients[CITY].get(f"/admin/rounds/{s.rounds[CITY]}/units/{city_ids[COUNTY_A]}").text)
    assert "汇总明细" in slot and f"{COUNTY_A}/甲县财政局" in slot and f"{COUNTY_A}/甲县人民政府" in slot
    assert "本级政府自己的报告（计入它的汇总）：甲县人民政府（已通过）" in re.sub(r"<[^>]+>", "", slot)
    # 退回: the county sees why, and its round is open again
    s.decide(CITY, COUNTY_B, "return", 1, comment="乙县：表三请再核对")
    county_b = unescape(s.clients[COUNTY_B].get(f"/admin/rounds/{s.rounds[COUNTY_B]}").text)
    assert "上级退回：乙县：表三请再核对" in county_b
    s.decide(COUNTY_B, "乙县教育局", "return", 1, comment="请改正")
    link = s.upload(COUNTY_B, "乙县教育局", s.workbook("乙县教育局", seed=4))
    s.submit(link, 2)
    s.decide(COUNTY_B, "乙县教育局", "pass", 2)
    again = s.report_up(COUNTY_B)
    assert again.status == 303 and again.location.startswith("/u/"), unescape(again.text)
    s.submit(again.location.split("?")[0], 2)
    s.decide(CITY, COUNTY_A, "pass", 1)
    s.decide(CITY, COUNTY_B, "pass", 2)


def test_an_upper_office_drills_down_read_only(season):
    s = season
    province = s.clients[PROVINCE]
    page = f"/admin/rounds/{s.rounds[COUNTY_A]}"
    shown = unescape(province.get(page).text)
    assert "只能查看" in shown and "甲县财政局" in shown and "生成汇总并上传到上级收集" not in shown
    assert "/archive" not in shown and "/deadline" not in shown and f'{page}/units"' not in shown, shown
    assert province.get(page + "/links.csv").status == 403
    moved = province.post(page + "/deadline", {"deadline": "2030-01-01", "reason": "试"}, form_page=page)
    assert moved.status == 403 and "只能查看" in unescape(moved.text)


def test_the_province_summary_is_the_sum_over_every_unit_below_it(season, tmp_path):
    s = season
    from openpyxl import load_workbook

    from xlrep.edition.form import load_form
    from xlrep.units.aggregate import merge_workbook
    from xlrep.units.batch import audit_unit
    from xlrep.workbook.reader import read_workbook

    s.report_unit(CITY, "市属局", seed=5)
    up = s.report_up(CITY)
    assert up.status == 303 and up.location.startswith("/u/"), unescape(up.text)
    s.submit(up.location.split("?")[0], 1)
    s.decide(PROVINCE, CITY, "pass", 1)
    s.report_unit(PROVINCE, "省属局", seed=6)
    # 丙县 runs its own machine: a single unit's report on its line is refused, its 汇总 is recognised as one;
    # it lists 甲县财政局 again (already in 甲县's 汇总): counted once
    one = s.workbook("丙县某局", seed=7)
    link = s.upload(PROVINCE, COUNTY_C, one)
    assert "ROUND-NOT-MERGED" in unescape(Client(s.server.url).get(link).text)
    units = [audit_unit(one, keep_values=True, name="丙县/丙县某局.xlsx")]
    units.append(audit_unit(s.workbook("甲县财政局", seed=1), keep_values=True, name="丙县/甲县财政局.xlsx"))
    _, summary = merge_workbook(units, org="丙县人民政府", office=COUNTY_C)
    s.upload(PROVINCE, COUNTY_C, summary, filename="丙县汇总.xlsx")
    s.submit(link, 2)
    s.decide(PROVINCE, COUNTY_C, "pass", 2)
    ids = _unit_ids(s.clients[PROVINCE], s.rounds[PROVINCE])
    detail = unescape(s.clients[PROVINCE].get(f"/admin/rounds/{s.rounds[PROVINCE]}/units/{ids[COUNTY_C]}").text)
    assert "汇总明细" in detail and f"{COUNTY_C}/丙县某局" in detail

    answer = s.clients[PROVINCE].get(f"/admin/rounds/{s.rounds[PROVINCE]}/summary.xlsx")
    assert answer.status == 200, unescape(answer.text)
    form = load_form("2021")
    read = read_workbook(answer.body, name="省汇总.xlsx")
    counted = ["甲县财政局", "甲县人民政府", "乙县教育局", "市属局", "省属局", "丙县某局"]
    for cell in form.inputs:
        if not cell.is_numeric:
            continue
        expected = sum(Decimal(str(s.values[u].get(cell.key) or 0)) for u in counted)
        assert Decimal(str(read.values.get(cell.key) or 0)) == expected, cell.key
    book = load_workbook(io.BytesIO(answer.body), read_only=True)
    rows = [[str(c or "") for c in row] for row in book["汇总明细"].iter_rows(values_only=True)]
    paths = [row[-2] for row in rows[1:] if row and row[-2]]
    for path in (
        f"{PROVINCE}/{CITY}/{COUNTY_A}/甲县财政局",
        f"{PROVINCE}/{CITY}/{COUNTY_A}/甲县人民政府",
        f"{PROVINCE}/{CITY}/{COUNTY_B}/乙县教育局",
        f"{PROVINCE}/{CITY}/市属局",
        f"{PROVINCE}/省属局",
        f"{PROVINCE}/{COUNTY_C}/丙县某局",
    ):
        assert path in paths, (path, paths)
    assert sum(p.endswith("/甲县财政局") for p in paths) >= 1


def test_rounds_roll_up_in_the_storage_of_each_database(store):
    """Both backends: a round joins its parent office's round of the same year and lists its child offices' (the
    latest of each, not archived; a unit listed by hand under the office's name is linked, not doubled); the units
    a round stands for are counted through its lower rounds; a 汇总 sent up freezes the lower round until 退回."""
    from serve_support import new_round

    from xlrep.serve.records import LOWER_OFFICE, StateError

    first = store.set_up("h1", None, office=(PROVINCE, "省"), person=("省管", "sheng"))
    sheng = store.account(first)
    province = store.office(sheng.office_id)
    city = store.office(store.create_office(province, CITY, "市", ("市管", "shi", "h2"), by=sheng, ip=None))
    shi = store.account_by_login("shi")
    store.create_office(city, COUNTY_A, "县", ("县管", "xian", "h3"), by=shi, ip=None)
    xian = store.account_by_login("xian")

    def round_of(account, units, year=YEAR) -> int:
        return office_round(store, account, units, year=year)

    other_year = round_of(xian, [("某局", "部门")], year=YEAR - 1)
    city_round = round_of(shi, [("市属局", "部门"), (COUNTY_A, LOWER_OFFICE)])  # listed by hand before the county
    assert store.member_unit(other_year) is None  # (another year: not the city's)
    county_round = round_of(xian, [("甲局", "部门"), ("乙局", "部门")])
    units = {u.name: u for u in store.units(city_round)}
    assert set(units) == {"市属局", COUNTY_A} and units[COUNTY_A].member_round_id == county_round
    assert store.member_unit(county_round).id == units[COUNTY_A].id and units[COUNTY_A].is_lower
    province_round = round_of(sheng, [("省属局", "部门")])
    (slot,) = [u for u in store.units(province_round) if u.is_lower]
    assert (slot.name, slot.org_type, slot.member_round_id) == (CITY, LOWER_OFFICE, city_round)
    assert store.units_below(province_round) == 4 and store.units_below(city_round) == 3
    assert any(e.action == "link_lower" for e in store.events(round_id=province_round))
    assert new_round(store, [("x", "部门")]) and store.member_unit(county_round).round_id == city_round
    # the county sends its 汇总 up: its round is frozen while the city has it
    sha = store.put_blob(b"PK-not-read-here")
    version = store.report_up(
        store.round(county_round), sha256=sha, filename="甲县汇总.xlsx", size=16, ip=None, by=xian
    )
    assert version.unit_id == units[COUNTY_A].id and version.number == 1
    store.set_audit(version.id, {"summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}, None)
    store.submit(store.unit(units[COUNTY_A].id), 1, None)
    with pytest.raises(StateError, match="已向上级上报"):
        store.add_units(county_round, [("丙局", "部门")], None, by=xian)
    store.decide(store.unit(units[COUNTY_A].id), "return", "请核对", None, version=1, by=shi)
    assert store.add_units(county_round, [("丙局", "部门")], None, by=xian) == []
    # the counts a province's pages show come from the units' states alone (no audit read), the same as each unit's
    rounds = [province_round, city_round, county_round]
    for round_id, counted in store.status_counts(rounds).items():
        by_unit: dict[str, int] = {}
        for u in store.units(round_id):
            by_unit[u.status] = by_unit.get(u.status, 0) + 1
        assert counted == by_unit, round_id
    assert store.status_counts([city_round])[city_round] == {"未上传": 1, "已退回": 1}
    assert store.status_counts([city_round], units_only=True)[city_round] == {"未上传": 1}
    assert store.rounds_below(province_round) == [city_round, county_round]
    with pytest.raises(StateError, match="上级机构还没有本年度的收集"):
        store.report_up(store.round(province_round), sha256=sha, filename="省.xlsx", size=16, ip=None, by=sheng)
