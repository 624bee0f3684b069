"""Rounds that roll up, at their edges (a review of issue 18 part 2): what an office above sees of a lower round
(never a unit's link, however deep), what a lower office may still do with its round archived or its line taken
off the list above, the new form's CSRF, and a hand-made 汇总 with hostile text on a 下级机构汇总 line."""

from __future__ import annotations

import io
import re

import openpyxl
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
PASSWORD = "汇总边界-12345678"
PROVINCE, CITY, COUNTY, COUNTY_C = "某省政务公开办", "某市政务公开办", "甲县政务公开办", "丙县政务公开办"


def _add_office(admin: Client, name: str, level: str, login: str) -> None:
    add_office(admin, name, level, login, PASSWORD)


def _unit_id(admin: Client, round_id: int, name: str) -> int:
    page = admin.get(f"/admin/rounds/{round_id}").text
    found = re.findall(r'<tr data-unit="([^"]+)">\s*<td class="num">\d+</td>\s*<td><a href="[^"]+/units/(\d+)"', page)
    return {unescape(n): int(i) for n, i in found}[name]


def _city_under_province(store, city_units: list[tuple[str, str]]):
    """A province and its city on one store, each with its round of the year (the city's listing ``city_units``): the
    city's office, its 管理员 (login shi) and its round."""
    first = store.set_up("h1", None, office=(PROVINCE, "省"), person=("省管", "sheng"))
    sheng = store.account(first)
    city = store.office(
        store.create_office(store.office(sheng.office_id), CITY, "市", ("市管", "shi", "h2"), by=sheng, ip=None)
    )
    shi = store.account_by_login("shi")
    office_round(store, sheng, [("省属局", "部门")], year=YEAR)
    return city, shi, office_round(store, shi, city_units, year=YEAR)


class Tree:
    def __init__(self, server: ServerProcess, root):
        self.server, self.root = server, root
        self.clients: dict[str, Client] = {}
        self.rounds: dict[str, int] = {}

    def workbook(self, name: str, seed: int) -> bytes:
        values = clean_values("2021", YEAR, seed=seed)
        values["info.org_name"] = name
        return fill_workbook(self.root / f"{name}-{seed}.xlsx", "2021", YEAR, values).read_bytes()

    def upload(self, office: str, name: str, data: bytes, filename: str) -> str:
        link = unit_links(self.clients[office], self.rounds[office])[name]
        answer = Client(self.server.url).upload(link + "/upload", filename, data, form_page=link)
        assert answer.status == 303, unescape(answer.text)
        return link

    def report_unit(self, office: str, name: str, seed: int) -> None:
        link = self.upload(office, name, self.workbook(name, seed), f"{name}.xlsx")
        answer = Client(self.server.url).post(link + "/submit", {"version": "1"}, form_page=link)
        assert answer.status == 303 and "error" not in (answer.location or ""), unescape(answer.text)
        page = f"/admin/rounds/{self.rounds[office]}/units/{_unit_id(self.clients[office], self.rounds[office], name)}"
        answer = self.clients[office].post(page + "/decide", {"action": "pass", "version": "1"}, form_page=page)
        assert answer.status == 303 and "error" not in answer.location, unescape(answer.text)

    def province_and_city(self) -> None:
        """The province's first 管理员 signed in, the city made below it and its 管理员 signed in."""
        self.clients[PROVINCE] = set_up_admin(self.server, PASSWORD, office_name=PROVINCE, level="省", login="sheng")
        _add_office(self.clients[PROVINCE], CITY, "市", "shi")
        self.clients[CITY] = sign_in(self.server, PASSWORD, login="shi")

    def report_up(self, office: str, **kw):
        page = f"/admin/rounds/{self.rounds[office]}"
        return self.clients[office].post(page + "/report-up", {"include": "passed"}, form_page=page, **kw)


def _site(folder) -> ServerProcess:
    return ServerProcess(folder / "data", "--workers", "1", "--api-per-minute", "1000")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """省 (with 丙县 listed by hand) → 市 → 甲县, a round each of the same year; 甲县 has reported up once."""
    root = tmp_path_factory.mktemp("rollup-edges")
    server = _site(root)
    try:
        t = Tree(server, root)
        t.province_and_city()
        _add_office(t.clients[CITY], COUNTY, "县", "xian")
        t.clients[COUNTY] = sign_in(server, PASSWORD, login="xian")
        t.rounds[PROVINCE] = create_round(
            t.clients[PROVINCE], [("省属局", "部门"), (COUNTY_C, "下级机构汇总")], year=YEAR
        )
        t.rounds[CITY] = create_round(t.clients[CITY], [("市属局", "部门")], year=YEAR)
        t.rounds[COUNTY] = create_round(t.clients[COUNTY], [("甲县财政局", "部门")], year=YEAR)
        t.report_unit(COUNTY, "甲县财政局", seed=1)
        up = t.report_up(COUNTY)
        assert up.status == 303 and up.location.startswith("/u/"), unescape(up.text)
        yield t
    finally:
        server.stop()


def test_no_office_above_sees_a_link_of_a_round_below_its_own_however_deep(tree):
    """The province drilling down to 甲县's round must not see the link of 甲县's line in the city's round (with it,
    anyone can upload and 上报 there as 甲县): only 甲县 itself, whose 汇总 goes by it, is shown it."""
    t = tree
    slot = unit_links(t.clients[CITY], t.rounds[CITY])[COUNTY]  # the city's own link for 甲县's line
    token = slot.rsplit("/", 1)[-1]
    county_page = f"/admin/rounds/{t.rounds[COUNTY]}"
    assert token in t.clients[COUNTY].get(county_page).text  # (甲县 goes there to 上报 its 汇总)
    seen = t.clients[PROVINCE].get(county_page)
    assert seen.status == 200 and "只能查看" in unescape(seen.text)
    assert token not in seen.text
    for page in (f"/admin/rounds/{t.rounds[COUNTY]}/events", f"/admin/rounds/{t.rounds[CITY]}"):
        assert token not in t.clients[PROVINCE].get(page).text, page
    city_unit = f"/admin/rounds/{t.rounds[CITY]}/units/{_unit_id(t.clients[CITY], t.rounds[CITY], COUNTY)}"
    assert token not in t.clients[PROVINCE].get(city_unit).text


def test_the_report_up_form_needs_its_csrf_token_and_a_manager_of_the_office_itself(tree):
    t = tree
    forged = t.report_up(COUNTY, csrf=False)
    assert forged.status == 403
    # the office above cannot send a lower office's 汇总 for it (nor can a sibling see the round at all)
    from_above = t.clients[CITY].post(
        f"/admin/rounds/{t.rounds[COUNTY]}/report-up", {"include": "passed"}, form_page="/admin"
    )
    assert from_above.status == 403 and "只能查看" in unescape(from_above.text)


def test_a_reviewer_of_the_lower_office_sees_where_its_summary_goes_but_does_not_report_it_up(tree):
    t = tree
    fields = {"action": "account", "name": "县审核", "login": "xian-review", "role": "审核人"}
    fields |= {"password": PASSWORD, "repeat": PASSWORD}
    added = t.clients[COUNTY].post("/admin/offices", fields, form_page="/admin/offices")
    assert added.status == 303, unescape(added.text)
    reviewer = sign_in(t.server, PASSWORD, login="xian-review")
    page = f"/admin/rounds/{t.rounds[COUNTY]}"
    shown = unescape(reviewer.get(page).text)
    assert "向上级上报" in shown and "生成汇总并上传到上级收集" not in shown
    refused = reviewer.post(page + "/report-up", {"include": "passed"}, form_page=page)
    assert refused.status == 403 and "审核人" in unescape(refused.text)


def test_after_the_deadline_above_the_lower_office_is_told_whose_deadline_and_whom_to_ask(tree):
    t = tree
    city_page = f"/admin/rounds/{t.rounds[CITY]}"
    moved = t.clients[CITY].post(
        city_page + "/deadline", {"deadline": "2020-01-31", "reason": "试"}, form_page=city_page
    )
    assert moved.status == 303 and "error" not in moved.location, unescape(moved.text)
    try:
        late = t.report_up(COUNTY)
        assert late.status == 303 and "error=" in late.location
        message = unescape(t.clients[COUNTY].get(late.location).text)
        assert "上级机构的收集" in message and "2020-01-31 截止" in message and "请联系上级机构延期" in message
    finally:
        back = t.clients[CITY].post(city_page + "/deadline", {"deadline": "", "reason": "试"}, form_page=city_page)
        assert back.status == 303 and "error" not in back.location


def test_a_summary_on_a_linked_line_of_fewer_units_than_that_round_has_is_said_at_upload(tree):
    """甲县's round has 2 units now; a 汇总 of 1 that says its round lists 1 (made elsewhere, or before the unit was
    added) is HIER-INCOMPLETE on its line above: the site knows how many units 甲县's round has."""
    from xlrep.units.aggregate import merge_workbook
    from xlrep.units.batch import audit_unit

    t = tree
    page = f"/admin/rounds/{t.rounds[COUNTY]}"
    added = t.clients[COUNTY].post(page + "/units", {"units_text": "甲县教育局，部门"}, form_page=page)
    assert added.status == 303 and "error" not in added.location, unescape(added.text)
    units = [audit_unit(t.workbook("甲县财政局", seed=1), keep_values=True, name="甲县/甲县财政局.xlsx")]
    _, summary = merge_workbook(units, org="甲县人民政府", office=COUNTY, listed=1)
    link = t.upload(CITY, COUNTY, summary, "甲县汇总.xlsx")
    shown = unescape(Client(t.server.url).get(link).text)
    assert "HIER-INCOMPLETE" in shown and "2" in shown


def test_hostile_text_in_a_hand_made_summary_stays_text_on_the_pages(tree):
    """丙县 runs its own machine: its 汇总, changed by hand, names a unit <script>… and =HYPERLINK(…): shown as text."""
    from xlrep.units.aggregate import merge_workbook
    from xlrep.units.batch import audit_unit
    from xlrep.units.rollup import DATA_SHEET

    t = tree
    units = [audit_unit(t.workbook("丙县某局", seed=5), keep_values=True, name="丙县/丙县某局.xlsx")]
    _, summary = merge_workbook(units, org="丙县人民政府", office=COUNTY_C)
    book = openpyxl.load_workbook(io.BytesIO(summary))
    sheet = book[DATA_SHEET]
    sheet["A2"].value, sheet["A2"].data_type = f"{COUNTY_C}/<script>alert(1)</script>", "s"
    sheet["C2"].value, sheet["C2"].data_type = (
        '=HYPERLINK("http://example.invalid","<img src=x onerror=alert(2)>")',
        "s",
    )
    changed = io.BytesIO()
    book.save(changed)
    link = t.upload(PROVINCE, COUNTY_C, changed.getvalue(), "丙县汇总.xlsx")
    unit_page = (
        f"/admin/rounds/{t.rounds[PROVINCE]}/units/{_unit_id(t.clients[PROVINCE], t.rounds[PROVINCE], COUNTY_C)}"
    )
    lower_line = unescape(Client(t.server.url).get(link).text)  # (the page 丙县 uses: it speaks of its 汇总表)
    assert "上传本机构的汇总表" in lower_line and "政务公开办退回" not in lower_line
    for page in (t.clients[PROVINCE].get(unit_page), Client(t.server.url).get(link)):
        assert page.status == 200
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    shown = t.clients[PROVINCE].get(unit_page).text
    assert "汇总明细" in unescape(shown) and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    # the province's 汇总 writes the names as text, never as a formula
    down = t.clients[PROVINCE].get(f"/admin/rounds/{t.rounds[PROVINCE]}/check.csv")
    assert (
        down.status == 200 and "\n=" not in down.body.decode("utf-8-sig") and ",=" not in down.body.decode("utf-8-sig")
    )


def test_an_archived_lower_round_is_not_reported_up_and_a_line_taken_off_says_so(tree):
    t = tree
    # the city takes 甲县's line off its list: 甲县 is told that, not that the city has no round
    city = t.clients[CITY]
    page = f"/admin/rounds/{t.rounds[CITY]}/units/{_unit_id(city, t.rounds[CITY], COUNTY)}"
    removed = city.post(page + "/remove", {}, form_page=page)
    assert removed.status == 303 and "error" not in removed.location, unescape(removed.text)
    refused = t.report_up(COUNTY)
    assert refused.status == 303 and "error=" in refused.location
    message = unescape(t.clients[COUNTY].get(refused.location).text)
    assert "移出" in message, message[:3000]
    # 甲县 archives its round: read-only, nothing more is reported up from it
    county_page = f"/admin/rounds/{t.rounds[COUNTY]}"
    archived = t.clients[COUNTY].post(county_page + "/archive", {}, form_page=county_page)
    assert archived.status == 303 and "error" not in archived.location, unescape(archived.text)
    after = t.report_up(COUNTY)
    assert after.status == 303 and "error=" in after.location
    assert "已归档" in unescape(t.clients[COUNTY].get(after.location).text)


def test_a_summary_of_the_office_itself_or_of_another_office_on_a_lower_line_is_said_at_upload(tree):
    """On 丙县's line: the province's own 汇总 (it would be left out of the province's 汇总, 丙县 counted as nothing)
    is an error; a 汇总 another office made is a warning naming it (a wrong file counts another office twice)."""
    from xlrep.units.aggregate import merge_workbook
    from xlrep.units.batch import audit_unit

    t = tree
    units = [audit_unit(t.workbook("某局", seed=8), keep_values=True, name="x/某局.xlsx")]
    found = {}
    for office in (PROVINCE, "乙县政务公开办", "丙县", COUNTY_C, "丙县人民政府办公室"):
        _, summary = merge_workbook(units, org=f"{office}人民政府", office=office)
        link = t.upload(PROVINCE, COUNTY_C, summary, f"{office}汇总.xlsx")
        page = unescape(Client(t.server.url).get(link).text)
        found[office] = page
    assert "ROUND-ORG-NAME" in found[PROVINCE] and f"这是“{PROVINCE}”自己的汇总表" in found[PROVINCE]
    assert "ROUND-ORG-NAME" in found["乙县政务公开办"] and "“乙县政务公开办”的汇总" in found["乙县政务公开办"]
    # the office's own name, a short one, or its government's (xlrep merge without --office): the same county
    for same in ("丙县", COUNTY_C, "丙县人民政府办公室"):
        assert "ROUND-ORG-NAME" not in found[same], same


def test_a_lower_office_listed_by_hand_under_a_short_name_is_linked_not_listed_twice(store):
    """The city listed 甲县 by hand (“甲县”, 下级机构汇总) before the county came onto the site as 甲县政务公开办: its
    round takes that line, not a second one (the city could never complete: a line nobody reports on)."""
    from xlrep.serve.records import LOWER_OFFICE

    first = store.set_up("h1", None, office=(CITY, "市"), person=("市管", "shi"))
    shi = store.account(first)
    city = store.office(shi.office_id)
    store.create_office(city, COUNTY, "县", ("县管", "xian", "h2"), by=shi, ip=None)
    store.create_office(city, "乙县政务公开办", "县", ("乙管", "yi", "h3"), by=shi, ip=None)

    def round_of(account, units) -> int:
        return office_round(store, account, units, year=YEAR)

    store.create_office(city, "东县经济开发区政务公开办", "县", ("东管", "dong", "h4"), by=shi, ip=None)
    city_round = round_of(
        shi, [("市属局", "部门"), ("甲 县", LOWER_OFFICE), ("乙县政务公开办（本级）", "部门"), ("东县", LOWER_OFFICE)]
    )
    dong_round = round_of(store.account_by_login("dong"), [("园区局", "部门")])
    county_round = round_of(store.account_by_login("xian"), [("甲局", "部门")])
    yi_round = round_of(store.account_by_login("yi"), [("乙局", "部门")])
    units = {u.name: u for u in store.units(city_round)}
    assert set(units) == {
        "市属局",
        "甲 县",
        "乙县政务公开办（本级）",
        "乙县政务公开办",
        "东县",
        "东县经济开发区政务公开办",
    }
    # (东县, on a machine of its own, is not the 开发区 whose name begins with it)
    assert units["东县"].member_round_id is None and units["东县经济开发区政务公开办"].member_round_id == dong_round
    assert units["甲 县"].member_round_id == county_round
    # (a unit of another type whose name contains the office's is a unit, not the office: left as it is)
    assert (
        units["乙县政务公开办（本级）"].member_round_id is None and units["乙县政务公开办"].member_round_id == yi_round
    )
    assert store.units_below(city_round) == 6


def test_a_summary_left_waiting_in_an_archived_round_above_does_not_freeze_the_lower_round(store):
    """The city archived its round with 甲县's 汇总 still 已上报 (never decided): nobody can 退回 it any more, so 甲县's
    round is no longer held for it; a 汇总 the city passed keeps it as it was sent."""
    from xlrep.serve.records import StateError

    first = store.set_up("h1", None, office=(CITY, "市"), person=("市管", "shi"))
    shi = store.account(first)
    store.create_office(store.office(shi.office_id), COUNTY, "县", ("县管", "xian", "h2"), by=shi, ip=None)
    xian = store.account_by_login("xian")

    def round_of(account, units) -> int:
        return office_round(store, account, units, year=YEAR)

    city_round = round_of(shi, [("市属局", "部门")])
    county_round = round_of(xian, [("甲局", "部门")])
    sha = store.put_blob(b"PK-not-read-here")
    version = store.report_up(store.round(county_round), sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=xian)
    store.set_audit(version.id, {"summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}, None)
    store.submit(store.member_unit(county_round), 1, None)
    with pytest.raises(StateError, match="正在等待上级审核"):
        store.add_units(county_round, [("乙局", "部门")], None, by=xian)
    store.archive(city_round, None, by=shi)
    assert store.add_units(county_round, [("乙局", "部门")], None, by=xian) == []


def test_a_second_round_of_the_office_above_archived_does_not_take_the_lower_offices_summary_with_it(store):
    """The city makes a second round of the year (a trial) and archives it: 甲县's 汇总 goes to the city's round that
    is still open (it lists 甲县 too), not to the archived one where nothing can be sent; and the province's line for
    the city, which the trial took, goes back to the city's open round."""
    first = store.set_up("h1", None, office=(PROVINCE, "省"), person=("省管", "sheng"))
    sheng = store.account(first)
    province = store.office(sheng.office_id)
    city = store.office(store.create_office(province, CITY, "市", ("市管", "shi", "h2"), by=sheng, ip=None))
    shi = store.account_by_login("shi")
    store.create_office(city, COUNTY, "县", ("县管", "xian", "h3"), by=shi, ip=None)
    xian = store.account_by_login("xian")
    province_round = store.create_round(
        year=YEAR, edition="2021", title="t", deadline=None, previous_id=None, summary_org=None,
        summary_org_type=None, units=[("省属局", "部门")], ip=None, by=sheng,
    )  # fmt: skip

    def round_of(account, units) -> int:
        return office_round(store, account, units, year=YEAR)

    real = round_of(shi, [("市属局", "部门")])
    county_round = round_of(xian, [("甲局", "部门")])
    trial = round_of(shi, [("试用局", "部门")])
    assert store.member_unit(county_round).round_id == trial  # (the newest round of the year lists it)
    store.archive(trial, None, by=shi)
    assert store.member_unit(county_round).round_id == real
    assert store.member_unit(real).round_id == province_round  # (the trial took it; its archiving gives it back)
    assert [u.member_round_id for u in store.units(province_round) if u.is_lower] == [real]
    sha = store.put_blob(b"PK-not-read-here")
    version = store.report_up(store.round(county_round), sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=xian)
    assert store.unit(version.unit_id).round_id == real


def test_a_round_whose_summary_waits_for_review_above_is_not_archived_until_it_is_decided(store):
    """Archived while the city reviews its 汇总, 甲县 could do nothing if the city returned it: archiving waits for
    the city's decision (a passed 汇总: 甲县 archives as it likes)."""
    from xlrep.serve.records import StateError

    first = store.set_up("h1", None, office=(CITY, "市"), person=("市管", "shi"))
    shi = store.account(first)
    store.create_office(store.office(shi.office_id), COUNTY, "县", ("县管", "xian", "h2"), by=shi, ip=None)
    xian = store.account_by_login("xian")

    def round_of(account, units) -> int:
        return office_round(store, account, units, year=YEAR)

    round_of(shi, [("市属局", "部门")])
    county_round = round_of(xian, [("甲局", "部门")])
    sha = store.put_blob(b"PK-not-read-here")
    version = store.report_up(store.round(county_round), sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=xian)
    store.set_audit(version.id, {"summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}, None)
    store.submit(store.member_unit(county_round), 1, None)
    with pytest.raises(StateError, match="等待上级审核"):
        store.archive(county_round, None, by=xian)
    store.decide(store.member_unit(county_round), "pass", "", None, version=1, by=shi)
    store.archive(county_round, None, by=xian)
    assert store.round(county_round).archived_at


def test_a_lower_office_that_joins_after_the_summary_was_sent_up_is_named_to_the_office(store):
    """The city sent its 汇总 to the province; then 乙县 makes its round of the year. It joins the city's round (its
    progress shows there), and the city is told the 汇总 it sent does not hold 乙县's units — 甲县, there before, is
    not named; nothing is said before anything was sent."""
    first = store.set_up("h1", None, office=(PROVINCE, "省"), person=("省管", "sheng"))
    sheng = store.account(first)
    city = store.office(
        store.create_office(store.office(sheng.office_id), CITY, "市", ("市管", "shi", "h2"), by=sheng, ip=None)
    )
    shi = store.account_by_login("shi")
    store.create_office(city, COUNTY, "县", ("县管", "xian", "h3"), by=shi, ip=None)
    xian = store.account_by_login("xian")
    office_round(store, sheng, [("省属局", "部门")], year=YEAR)
    city_round = office_round(store, shi, [("市属局", "部门")], year=YEAR)
    office_round(store, xian, [("甲局", "部门")], year=YEAR)
    assert store.joined_since_sent(city_round) == []
    sha = store.put_blob(b"PK-not-read-here")
    version = store.report_up(store.round(city_round), sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=shi)
    store.set_audit(version.id, {"summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}, None)
    store.submit(store.member_unit(city_round), 1, None)
    assert store.joined_since_sent(city_round) == []

    store.create_office(city, "乙县政务公开办", "县", ("乙县管", "yixian", "h4"), by=shi, ip=None)
    yixian = store.account_by_login("yixian")
    late = office_round(store, yixian, [("乙局", "部门")], year=YEAR)
    assert store.member_unit(late).round_id == city_round  # (linked all the same: its progress shows above)
    assert store.joined_since_sent(city_round) == ["乙县政务公开办"]


def test_a_line_listed_by_hand_that_had_its_summary_before_the_city_sent_up_is_not_named_when_linked(store):
    """The city listed 乙县 and 丙县 by hand (下级机构汇总) and uploaded and passed 乙县's 汇总 itself (from its own
    machine), then sent its 汇总 up. Both counties then come onto the site and their rounds take those lines: 乙县's upload
    was there when the city sent (its 汇总 could hold it), so 乙县 is not named; 丙县's line was empty, so 丙县
    is. (Both used to be named.)"""
    city, shi, city_round = _city_under_province(
        store, [("市属局", "部门"), ("乙县", "下级机构汇总"), ("丙县", "下级机构汇总")]
    )
    yi = next(u for u in store.units(city_round) if u.name == "乙县")
    version = store.add_version(yi, sha256=store.put_blob(b"PK-yi"), filename="乙县汇总.xlsx", size=5, ip=None)
    store.set_audit(version.id, {"summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}, "乙县")
    store.submit(store.unit(yi.id), 1, None)
    store.decide(store.unit(yi.id), "pass", None, None)  # (passed: the city's 汇总 takes it)
    sha = store.put_blob(b"PK-not-read-here")
    store.report_up(store.round(city_round), sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=shi)

    for name, login, key in (("乙县政务公开办", "yixian", "h3"), ("丙县政务公开办", "bingxian", "h4")):
        store.create_office(city, name, "县", (name[:2] + "管", login, key), by=shi, ip=None)
        office_round(store, store.account_by_login(login), [(name[:2] + "局", "部门")], year=YEAR)
    linked = {u.name: u.member_round_id for u in store.units(city_round)}
    assert linked["乙县"] and linked["丙县"]  # both lines now stand for the counties' rounds
    assert store.joined_since_sent(city_round) == ["丙县"]


def test_a_summary_made_while_a_lower_office_joined_is_not_sent_up(store):
    """乙县 makes its round (and joins the city's) while the city's 汇总 is being made, after its units were read:
    that 汇总 does not hold 乙县's units, so its 上报 is refused, naming 乙县, and nothing is recorded; made again,
    it goes up. (The 上报 used to go through, and no page said 乙县 was missing from it.)"""
    from xlrep.serve.records import StateError

    city, shi, city_round = _city_under_province(store, [("市属局", "部门")])
    store.create_office(city, "乙县政务公开办", "县", ("乙县管", "yixian", "h3"), by=shi, ip=None)
    yixian = store.account_by_login("yixian")
    sha = store.put_blob(b"PK-not-read-here")

    def send_up(mark: int):
        rnd = store.round(city_round)
        return store.report_up(rnd, sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=shi, made_after=mark)

    mark = store.event_mark()  # the 汇总 is started: its units are read after this
    office_round(store, yixian, [("乙局", "部门")], year=YEAR)  # 乙县 joins meanwhile
    with pytest.raises(StateError, match="生成这份汇总时，“乙县政务公开办”的收集刚加入本收集，.*请再点一次"):
        send_up(mark)
    line = store.member_unit(city_round)
    assert store.versions(line.id) == [] and store.joined_since_sent(city_round) == []  # nothing recorded
    version = send_up(store.event_mark())  # made again, with 乙县 in it
    assert version.number == 1 and store.versions(line.id)[0].id == version.id
    assert store.joined_since_sent(city_round) == []


def test_a_summary_made_while_the_round_changed_is_not_sent_up(store):
    """A reviewer passes a unit, or a unit is added, while the manager's 汇总 is being made (after its units were
    read): that 汇总 does not show it, so its 上报 is refused, saying what changed; made again, it goes up. Steps
    that do not change the 汇总 (a unit's new upload, its audit) do not refuse it."""
    from xlrep.serve.records import StateError

    city, shi, city_round = _city_under_province(store, [("市属局", "部门"), ("市教育局", "部门")])
    bureau, education = store.units(city_round)[:2]
    sha = store.put_blob(b"PK-not-read-here")
    audit = {"summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}
    for unit in (bureau, education):
        version = store.add_version(
            unit, sha256=store.put_blob(unit.name.encode()), filename="表.xlsx", size=9, ip=None
        )
        store.set_audit(version.id, audit, unit.name)
        store.submit(store.unit(unit.id), 1, None)
    store.decide(store.unit(bureau.id), "pass", None, None)

    def send_up(mark: int, include: str = "passed"):
        rnd = store.round(city_round)
        return store.report_up(
            rnd, sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=shi, made_after=mark, include=include
        )

    mark = store.event_mark()
    store.decide(store.unit(education.id), "pass", None, None)  # passed meanwhile
    with pytest.raises(StateError, match="本收集又有了变动（审核通过），汇总中还没有反映"):
        send_up(mark)
    mark = store.event_mark()
    store.add_units(city_round, [("市财政局", "部门")], None, by=shi)  # added meanwhile
    with pytest.raises(StateError, match="变动（添加单位）"):
        send_up(mark)
    line = store.member_unit(city_round)
    assert store.versions(line.id) == []  # nothing sent
    mark = store.event_mark()
    added = next(u for u in store.units(city_round) if u.name == "市财政局")
    version = store.add_version(added, sha256=store.put_blob(b"cz"), filename="表.xlsx", size=2, ip=None)
    store.set_audit(version.id, audit, "市财政局")  # an upload and its audit meanwhile: the 汇总 is the same
    store.submit(store.unit(added.id), 1, None)  # 确认上报 meanwhile: not in a 汇总 of the passed units alone …
    with pytest.raises(StateError, match="变动（确认上报）"):
        send_up(mark, include="submitted")  # … but in one of the submitted and passed units
    assert send_up(mark).number == 1


def test_the_city_page_names_a_county_that_joined_after_its_summary_was_sent_up(tmp_path):
    """The same on the pages: the city 上报s its 汇总 to the province, 乙县 then makes its round, and the city's round
    page says 乙县 joined after the 汇总 was sent and how to have it counted."""
    server = _site(tmp_path)
    try:
        t = Tree(server, tmp_path)
        t.province_and_city()
        t.rounds[PROVINCE] = create_round(t.clients[PROVINCE], [("省属局", "部门")], year=YEAR)
        t.rounds[CITY] = create_round(t.clients[CITY], [("市属局", "部门")], year=YEAR)
        t.report_unit(CITY, "市属局", seed=3)
        up = t.report_up(CITY)
        assert up.status == 303 and up.location.startswith("/u/"), unescape(up.text)
        sent = Client(server.url).post(
            up.location.split("?", 1)[0] + "/submit",
            {"version": "1", "explain-all": "经核实无误。"},
            form_page=up.location.split("?", 1)[0],
        )
        assert sent.status == 303 and "notice=" not in (sent.location or ""), unescape(sent.text)
        page = f"/admin/rounds/{t.rounds[CITY]}"
        before = unescape(t.clients[CITY].get(page).text)
        assert "汇总已上报" in before and "又有下级机构" not in before

        _add_office(t.clients[CITY], "乙县政务公开办", "县", "yixian")
        t.clients["乙县"] = sign_in(server, PASSWORD, login="yixian")
        create_round(t.clients["乙县"], [("乙县财政局", "部门")], year=YEAR)
        after = unescape(t.clients[CITY].get(page).text)
        assert "上报之后，又有下级机构的收集加入了本收集：乙县政务公开办。已上报的汇总不含它们的单位" in after
    finally:
        server.stop()


@pytest.mark.parametrize("yi_passed", [False, True])
def test_a_line_listed_by_hand_is_named_when_linked_unless_its_summary_was_passed_when_the_city_sent_up(
    store, yi_passed
):
    """The city uploads 乙县's 汇总 on its line (listed by hand) but does not pass it (it has errors, or is returned),
    then sends its own 汇总 up (已通过的单位): that 汇总 does not hold 乙县 at all. When 乙县's round then takes the
    line, 乙县 is named like any office that joined later. Only a line whose upload was passed when the city sent
    (so the sent 汇总 took it) is not named."""
    city, shi, city_round = _city_under_province(store, [("市属局", "部门"), ("乙县", "下级机构汇总")])
    yi = next(u for u in store.units(city_round) if u.name == "乙县")
    version = store.add_version(yi, sha256=store.put_blob(b"PK-yi"), filename="乙县汇总.xlsx", size=5, ip=None)
    summary = {"errors": 0, "warnings": 0, "infos": 0}
    store.set_audit(version.id, {"summary": summary, "findings": []}, "乙县")
    store.submit(store.unit(yi.id), 1, None)
    store.decide(store.unit(yi.id), "pass" if yi_passed else "return", None if yi_passed else "请改正", None)
    sha = store.put_blob(b"PK-not-read-here")
    store.report_up(store.round(city_round), sha256=sha, filename="汇总.xlsx", size=16, ip=None, by=shi)

    store.create_office(city, "乙县政务公开办", "县", ("乙县管", "yixian", "h3"), by=shi, ip=None)
    office_round(store, store.account_by_login("yixian"), [("乙局", "部门")], year=YEAR)
    assert store.unit(yi.id).member_round_id  # the line now stands for 乙县's round
    assert store.joined_since_sent(city_round) == ([] if yi_passed else ["乙县"])


def test_a_round_archived_while_its_summary_is_sent_up_sends_nothing(store, monkeypatch):
    """The city archives its round (another request) just after its 上报 looked up its line above: the 上报 is refused
    in its write, as the archive's own checks are, and the line above gets no version from an archived round."""
    from xlrep.serve.records import ARCHIVED_NOT_REPORTED, StateError

    city, shi, city_round = _city_under_province(store, [("市属局", "部门")])
    line = store.member_unit(city_round)
    real_member_unit, archived = store.member_unit, []

    def line_then_archived(round_id):
        found = real_member_unit(round_id)
        if round_id == city_round and not archived:
            archived.append(True)
            store.archive(city_round, None, by=shi)  # (the other request, between the look and the write)
        return found

    monkeypatch.setattr(store, "member_unit", line_then_archived)
    rnd = store.round(city_round)
    with pytest.raises(StateError, match=ARCHIVED_NOT_REPORTED):
        store.report_up(rnd, sha256=store.put_blob(b"PK"), filename="汇总.xlsx", size=2, ip=None, by=shi)
    assert archived and store.versions(line.id) == []
