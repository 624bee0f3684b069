"""The office's rounds: new round, the dashboard, the list of units, deadlines, a unit's file, 退回/通过, the
downloads, and rounds that roll up (a lower office's progress, 向上级上报). Who may see them: ``accounts``."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..common.findings import OFFICE_CSV_HEADER as FINDINGS_HEADER
from ..edition.form import editions, form_for_year
from ..outputs.csvtable import csv_bytes, finding_columns
from ..writer.template_inputs import year_range
from . import audits
from .accounts import account_of, admin_only, manager_only
from .records import (
    ARCHIVED_NOT_REPORTED,
    CHECKING,
    NOT_LISTED_ABOVE,
    PASSED,
    STATUSES,
    SUBMITTED,
    StateError,
    Unit,
    closed_for,
    open_until,
)
from .roster import RosterEntry, RosterError, clean_name, from_file, from_text, org_types
from .unit import audit_again, audit_pending, audit_version, version_view_page
from .views import (
    Problem,
    audit_view,
    client_ip,
    deadline_text,
    download,
    format_time,
    read_form,
    render,
    shown_messages,
    upload_name,
    with_message,
)

# The 机关类型 of a government's own report (the 县/市 人民政府 itself): a unit of its office's round, shown to the
# office above beside that office's 汇总.
GOVERNMENT = "县级以上地方人民政府"

# -- rounds ----------------------------------------------------------------------------------


def _progress(units: list[Unit]) -> dict:
    counts: dict[str, int] = {}
    for u in units:
        counts[u.status] = counts.get(u.status, 0) + 1
    return _progress_of(counts)


def _progress_of(found: dict[str, int]) -> dict:
    """The progress line and counts from how many units are in each state (``Store.status_counts``)."""
    counts = {s: found.get(s, 0) for s in (*STATUSES, CHECKING)}
    return {
        "total": sum(counts.values()),
        "counts": counts,
        "reported": counts[SUBMITTED] + counts[PASSED],
        "line": f"已上报 {counts[SUBMITTED] + counts[PASSED]}/{sum(counts.values())}",
    }


@admin_only
async def admin_home(request: Request) -> Response:
    site = request.app.state.site
    rounds = await site.db(site.store.rounds, request.state.scope)
    counts = await site.db(site.store.status_counts, [r.id for r in rounds])
    progress = {r.id: _progress_of(counts[r.id]) for r in rounds}
    account = account_of(request)
    office = await site.db(site.store.office, account.office_id)
    names = {o.id: o.name for o in [office, *await site.db(site.store.offices_below, office.id)]}
    return render(
        request, "admin_home.html", admin=True, rounds=rounds, progress=progress, office=office, office_names=names
    )


def _round_form_defaults(rounds) -> dict:
    year = date.today().year - 1 if date.today().month <= 6 else date.today().year
    previous = next((r.id for r in rounds if r.year == year - 1), None)
    return {
        "year": str(year),
        "title": "",
        "deadline": "",
        "previous_id": str(previous or ""),
        "summary_org": "",
        "summary_org_type": "",
        "units_text": "",
    }


def _parse_year(text: str) -> int:
    text = text.strip()
    first, latest = year_range()
    if not re.fullmatch(r"\d{4}", text) or not first <= int(text) <= latest:
        raise RosterError(f"报告年度“{text}”无效：请写 {first} 至 {latest} 之间的四位数字年份。")
    return int(text)


def _edition_for(text: str) -> str:
    """The edition for a year as typed, or the newest edition while the year is not (yet) valid."""
    try:
        return form_for_year(int(text)).edition
    except (KeyError, ValueError):
        return editions()[-1].edition


def _parse_deadline(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise RosterError(f"截止日期“{text}”无效：请按 2025-01-31 的格式填写。") from None


async def _roster(form, edition: str, *, required: bool) -> list[RosterEntry]:
    units: list[RosterEntry] = []
    upload = form.get("units_file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(5 * 1024 * 1024 + 1)
        if len(data) > 5 * 1024 * 1024:
            raise RosterError("单位名单文件太大（超过 5 MB）。")
        units += await run_in_threadpool(from_file, data, upload_name(upload.filename, "单位名单"), edition)
    text = str(form.get("units_text", "")).strip()
    if text:
        units += from_text(text, edition)
    names = [u.name for u in units]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise RosterError("单位名单中有重复的名称：" + "、".join(repeated) + "。")
    if required and not units:
        raise RosterError("请粘贴或上传单位名单（每行：单位名称、机关类型，可再加联系人、联系电话）。")
    return units


def _roster_text(units: list[Unit]) -> str:
    """A round's list as the 新建收集 form takes it: 单位名称、机关类型、联系人、联系电话, tab-separated."""
    return "\n".join("\t".join((u.name, u.org_type, u.contact or "", u.phone or "")).rstrip("\t") for u in units)


@admin_only
async def roster_text(request: Request) -> Response:
    """The round's list of units as text (the 新建收集 form fills it in when last year's round is chosen)."""
    site = request.app.state.site
    rnd = await _round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    return Response(_roster_text(units), media_type="text/plain; charset=utf-8")


@manager_only
async def round_new(request: Request) -> Response:
    site = request.app.state.site
    rounds = await site.db(site.store.rounds, {account_of(request).office_id})  # (last year's: this office's own)
    values = _round_form_defaults(rounds)
    error = None
    if request.method == "GET" and values["previous_id"]:  # last year's list, to edit before creating
        values["units_text"] = _roster_text(await site.db(site.store.units, int(values["previous_id"])))
    if request.method == "POST":
        form = await read_form(request)
        values = {k: str(form.get(k, "")) for k in values}
        try:
            year = _parse_year(values["year"])
            edition = form_for_year(year).edition
            deadline = _parse_deadline(values["deadline"])
            previous_id = int(values["previous_id"]) if values["previous_id"].isdigit() else None
            if previous_id is not None:
                previous = next((r for r in rounds if r.id == previous_id), None)
                if previous is None:
                    raise RosterError("所选的上年收集不存在。")
                if previous.year != year - 1:
                    raise RosterError(
                        f"所选的上年收集是 {previous.year} 年度的，本次是 {year} 年度：上年的收集须是 {year - 1} 年度的"
                        "（用来预填“上年结转”等和与上年比对）。请重新选择，或选“（无）”。"
                    )
            summary_type = values["summary_org_type"].strip() or None
            if summary_type is not None and summary_type not in org_types(edition):
                raise RosterError("汇总表的机关类型无效。")
            units = await _roster(form, edition, required=True)
        except RosterError as exc:
            error = exc.message
        else:
            title = values["title"].strip()[:200] or f"{year}年度政府信息公开工作年度报告"
            round_id = await site.db(
                site.store.create_round,
                year=year,
                edition=edition,
                title=title,
                deadline=deadline,
                previous_id=previous_id,
                summary_org=values["summary_org"].strip()[:100] or None,
                summary_org_type=summary_type,
                units=units,
                ip=client_ip(request),
                by=account_of(request),
            )
            return RedirectResponse(f"/admin/rounds/{round_id}", status_code=303)
    return render(
        request,
        "round_new.html",
        status=400 if error else 200,
        admin=True,
        rounds=rounds,
        values=values,
        error=error,
        org_types=org_types(_edition_for(values["year"])),
    )


async def _round_or_404(request: Request):
    site = request.app.state.site
    try:
        round_id = int(request.path_params["round_id"])
    except ValueError:
        raise Problem(404, "没有这个收集。") from None
    found = await site.db(site.store.round, round_id)
    if found is None or found.office_id not in request.state.scope:  # another office's: as if there were none
        raise Problem(404, "没有这个收集。")
    return found


async def _own_round_or_404(request: Request):
    """A round of the account's own office: the units' links are its own to hand out, never seen from above."""
    found = await _round_or_404(request)
    if found.office_id != account_of(request).office_id:
        raise Problem(403, "各单位的填报链接只由该机构自己分发，上级不能查看。")
    return found


@admin_only
async def dashboard(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    status = request.query_params.get("status", "")
    query = request.query_params.get("q", "").strip()
    shown = [u for u in units if (not status or u.status == status) and (not query or query in u.name)]
    previous = await site.db(site.store.round, rnd.previous_id) if rnd.previous_id else None
    own = rnd.office_id == account_of(request).office_id
    return render(
        request,
        "dashboard.html",
        admin=True,
        round=rnd,
        own=own,
        office=await site.db(site.store.office, rnd.office_id) if rnd.office_id is not None else None,
        lower=await _lower_progress(site, units),
        upward=await _upward(site, rnd),
        previous=previous,
        units=shown,
        all_count=len(units),
        progress=_progress(units),
        # of the lines the two 汇总s add up, how many are lower offices' 汇总s (each a line, of many units)
        lower_summaries={
            "passed": sum(u.is_lower and u.review == "passed" for u in units),
            "reported": sum(u.is_lower and u.review in ("submitted", "passed") for u in units),
        },
        statuses=STATUSES,
        chosen=status,
        query=query,
        deadline=deadline_text(rnd.deadline),
        org_types=org_types(rnd.edition),
        **shown_messages(request),
    )


async def _lower_progress(site, units: list[Unit]) -> dict[int, dict]:
    """For each unit of the list that is a lower office's round on this site: that round and the progress of every
    unit below it (its own units and those of the rounds below it, however deep)."""
    shown = {}
    for u in units:
        if u.member_round_id is None:
            continue
        lower = await site.db(site.store.round, u.member_round_id)
        if lower is None:
            continue
        ids = [lower.id, *await site.db(site.store.rounds_below, lower.id)]
        total: dict[str, int] = {}
        for found in (await site.db(site.store.status_counts, ids, units_only=True)).values():
            for status, n in found.items():
                total[status] = total.get(status, 0) + n
        shown[u.id] = {"round": lower, "progress": _progress_of(total)}
    return shown


async def _upward(site, rnd) -> dict | None:
    """Where this round's 汇总 goes: the unit that stands for it in the round of the office above, that round and
    that office (None: no office above has a round of this year)."""
    unit = await site.db(site.store.member_unit, rnd.id)
    if unit is None:
        return None
    upper = await site.db(site.store.round, unit.round_id)
    office = await site.db(site.store.office, upper.office_id) if upper.office_id is not None else None
    sent = unit.review in ("submitted", "passed")  # (its lower offices that joined since: not in what was sent)
    joined = await site.db(site.store.joined_since_sent, rnd.id) if sent else []
    return {"unit": unit, "round": upper, "office": office, "closed": closed_for(upper, unit), "joined": joined}


@manager_only
async def report_up(request: Request) -> Response:
    """向上级上报: the round's 汇总 (as the 汇总 download makes it) becomes a version of the unit that stands for it
    in the round of the office above; its audit there (HIER-*) is shown on that unit's page, where it is 上报ed."""
    site = request.app.state.site
    rnd = await _round_or_404(request)
    back = f"/admin/rounds/{rnd.id}"
    form = await read_form(request)
    include = "submitted" if form.get("include") == "submitted" else "passed"
    mark = await site.db(site.store.event_mark)  # (before the units are read: what changes later is not in the 汇总)
    units = await site.db(site.store.units, rnd.id)
    unit = await site.db(site.store.member_unit, rnd.id)
    try:
        if unit is None:
            raise StateError(NOT_LISTED_ABOVE)
        if rnd.archived_at:
            raise StateError(ARCHIVED_NOT_REPORTED)
        upper = await site.db(site.store.round, unit.round_id)
        if closed_for(upper, unit):  # (the store's message speaks to a unit of that round: say whose and whom to ask)
            when, ask = ("已归档", "") if upper.archived_at else (f"已于 {open_until(upper, unit)} 截止", "延期")
            raise StateError(f"上级机构的收集“{upper.title}”{when}，不能再上报。如需补报，请联系上级机构{ask}。")
        await site.db(site.store.refuse_upload, unit)
        outcome, data, chosen = await merged_round(site, rnd, units, include)
        if not chosen:
            what = "已通过" if include == "passed" else "已上报或已通过"
            raise StateError(f"还没有{what}的单位，无法汇总上报。")
        if data is None:
            raise StateError("无法汇总：" + ("".join(f.message for f in outcome.findings) or "这些填报表都无法读取。"))
        office = await site.db(site.store.office, rnd.office_id)
        sha256 = await site.db(site.store.put_blob, data)
        name = f"{office.name}{rnd.year}年汇总.xlsx"
        version = await site.db(
            site.store.report_up,
            rnd,
            sha256=sha256,
            filename=name,
            size=len(data),
            ip=client_ip(request),
            by=account_of(request),
            made_after=mark,
            include=include,
        )
    except StateError as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    await audit_version(site, unit, version, "office", data)
    return RedirectResponse(f"/u/{unit.token}?v={version.number}#result", status_code=303)


async def _reason(form) -> str:
    reason = str(form.get("reason", "")).strip()[:500]
    if not reason:
        raise RosterError("请写明原因（记入操作记录）。")
    return reason


@manager_only
async def change_deadline(request: Request) -> Response:
    """The round's deadline moved (or removed) for every unit, with the reason logged."""
    site = request.app.state.site
    rnd = await _round_or_404(request)
    form = await read_form(request)
    back = f"/admin/rounds/{rnd.id}"
    try:
        deadline = _parse_deadline(str(form.get("deadline", "")))
        reason = await _reason(form)
        await site.db(site.store.set_deadline, rnd.id, deadline, reason, client_ip(request), by=account_of(request))
    except (RosterError, StateError) as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    notice = f"截止日期已改为 {deadline}。" if deadline else "已取消截止日期。"
    return RedirectResponse(with_message(request, back, notice=notice), status_code=303)


@manager_only
async def extend_unit(request: Request) -> Response:
    """One unit given until a later day than the round's deadline (补报), with the reason logged."""
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    form = await read_form(request)
    back = f"/admin/rounds/{rnd.id}/units/{unit.id}"
    try:
        until = _parse_deadline(str(form.get("until", "")))
        reason = await _reason(form)
        await site.db(site.store.extend_unit, unit, until, reason, client_ip(request), by=account_of(request))
    except (RosterError, StateError) as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    notice = f"已准许本单位延期至 {until}。" if until else "已取消本单位的延期。"
    return RedirectResponse(with_message(request, back, notice=notice), status_code=303)


UNIT_ACTIONS = ("rename", "new-link", "remove", "last-year")


@manager_only
async def manage_unit(request: Request) -> Response:
    """Fixing the list: rename a unit, give it a new link, take it off the list, link it to last year's unit."""
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    form = await read_form(request)
    action = request.url.path.rsplit("/", 1)[1]
    back = f"/admin/rounds/{rnd.id}/units/{unit.id}"
    ip = client_ip(request)
    try:
        if action == "rename":
            name = clean_name(str(form.get("name", "")))
            await site.db(site.store.rename_unit, unit, name, ip, by=account_of(request))
            notice = f"已改名为“{name}”（原名“{unit.name}”记入操作记录）。"
            if audit_again(site, await site.db(site.store.unit, unit.id)):
                notice += "最新上传的一版按新名称重新校验。"
        elif action == "new-link":
            await site.db(site.store.new_link, unit, ip, by=account_of(request))
            notice = "已更换填报链接：旧链接已失效，请把新链接发给该单位。"
        elif action == "remove":
            deleted = await site.db(site.store.remove_unit, unit, ip, by=account_of(request))
            notice = f"已将“{unit.name}”" + ("从名单中删除。" if deleted else "移出名单（它上传的文件仍保留）。")
            return RedirectResponse(with_message(request, f"/admin/rounds/{rnd.id}", notice=notice), status_code=303)
        elif action == "last-year":
            chosen = str(form.get("last_year_id", ""))
            await site.db(
                site.store.link_last_year, unit, int(chosen) if chosen.isdigit() else None, ip, by=account_of(request)
            )
            notice = "已设置上年对应的单位：填报表预填和与上年比对都按它进行。"
        else:
            raise Problem(404, "没有这种操作。")
    except (RosterError, StateError) as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    return RedirectResponse(with_message(request, back, notice=notice), status_code=303)


@manager_only
async def archive_round(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    await read_form(request)
    try:
        await site.db(site.store.archive, rnd.id, client_ip(request), by=account_of(request))
    except StateError as exc:
        raise Problem(409, exc.message) from None
    notice = "已归档：本次收集只读，汇总表、各单位上报的文件和操作记录仍可下载查看。"
    return RedirectResponse(with_message(request, f"/admin/rounds/{rnd.id}", notice=notice), status_code=303)


@manager_only
async def add_units(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    form = await read_form(request)
    try:
        units = await _roster(form, rnd.edition, required=True)
    except RosterError as exc:
        return RedirectResponse(with_message(request, f"/admin/rounds/{rnd.id}", error=exc.message), status_code=303)
    try:
        existing = await site.db(site.store.add_units, rnd.id, units, client_ip(request), by=account_of(request))
    except StateError as exc:
        return RedirectResponse(with_message(request, f"/admin/rounds/{rnd.id}", error=exc.message), status_code=303)
    notice = f"已添加 {len(units) - len(existing)} 个单位。" + (
        f"已在名单中、未重复添加：{'、'.join(existing)}。" if existing else ""
    )
    return RedirectResponse(with_message(request, f"/admin/rounds/{rnd.id}", notice=notice), status_code=303)


def _link(request: Request, unit: Unit) -> str:
    return str(request.base_url).rstrip("/") + f"/u/{unit.token}"


@admin_only
async def links_page(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _own_round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    loopback = request.url.hostname in ("127.0.0.1", "localhost", "::1")
    return render(
        request,
        "links.html",
        admin=True,
        round=rnd,
        units=[(u, _link(request, u)) for u in units],
        loopback=loopback,
        deadline=deadline_text(rnd.deadline),
    )


@admin_only
async def links_csv(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _own_round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    rows: list[list[object]] = [["序号", "单位名称", "机关类型", "专用链接"]]
    rows += [[u.position, u.name, u.org_type, _link(request, u)] for u in units]
    return download(csv_bytes(rows), rnd.title, suffix="-各单位填报链接.csv")


def _not_reported(units: list[Unit]) -> list[Unit]:
    """催报: the units that have not 上报 yet (never uploaded, with errors, clean but not submitted, returned)."""
    return [u for u in units if u.review not in ("submitted", "passed")]


@admin_only
async def reminders_page(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    return render(
        request,
        "reminders.html",
        admin=True,
        round=rnd,
        units=_not_reported(units),
        total=len(units),
        deadline=deadline_text(rnd.deadline),
    )


@admin_only
async def reminders_csv(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    rows: list[list[object]] = [["单位", "状态", "最近上传", "错误", "提示", "联系人", "联系电话"]]
    for u in _not_reported(units):
        latest = u.latest
        rows.append(
            [
                u.name,
                u.status,
                format_time(latest.uploaded_at) if latest else "",
                latest.errors if latest and latest.audited else "",
                latest.warnings if latest and latest.audited else "",
                u.contact or "",
                u.call,
            ]
        )
    return download(csv_bytes(rows), rnd.title, suffix="-催报名单.csv")


@admin_only
async def events_page(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    events = await site.db(site.store.events, round_id=rnd.id)
    return render(request, "events.html", admin=True, round=rnd, events=events)


# -- one unit --------------------------------------------------------------------------------


async def _unit_of_round(request: Request):
    site = request.app.state.site
    rnd = await _round_or_404(request)
    try:
        unit_id = int(request.path_params["unit_id"])
    except ValueError:
        raise Problem(404, "没有这个单位。") from None
    found = await site.db(site.store.unit, unit_id)
    if found is None or found.round_id != rnd.id:
        raise Problem(404, "没有这个单位。")
    return rnd, found


@admin_only
async def unit_page(request: Request) -> Response:
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    versions = await site.db(site.store.versions, unit.id)
    shown = _chosen_version(request, versions)
    events = await site.db(site.store.events, unit_id=unit.id)
    audit_pending(site, unit, versions)
    own = rnd.office_id == account_of(request).office_id
    lower_round = await site.db(site.store.round, unit.member_round_id) if unit.member_round_id else None
    government = []  # the lower office's own government's report: a unit of its round, shown from here
    if lower_round is not None:
        government = [u for u in await site.db(site.store.units, lower_round.id) if u.org_type == GOVERNMENT]
    return render(
        request,
        "admin_unit.html",
        admin=True,
        round=rnd,
        own=own,
        lower_round=lower_round,
        government=government,
        unit=unit,
        versions=versions,
        shown=shown,
        view=audit_view(shown.audit) if shown and shown.audited else None,
        events=events,
        link=_link(request, unit) if own else None,
        **shown_messages(request),
        until=open_until(rnd, unit),
        closed=closed_for(rnd, unit),
        last_year_units=await site.db(site.store.last_year_units, rnd.id) if rnd.previous_id else [],
    )


def _chosen_version(request: Request, versions):
    wanted = request.query_params.get("v", "")
    if wanted.isdigit():
        return next((v for v in versions if v.number == int(wanted)), None)
    return versions[0] if versions else None


@admin_only
async def decide(request: Request) -> Response:
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    form = await read_form(request)
    action = str(form.get("action", ""))
    comment = str(form.get("comment", "")).strip()[:2000] or None
    back = f"/admin/rounds/{rnd.id}/units/{unit.id}"
    if action not in ("return", "pass"):
        raise Problem(400, "未知的操作。")
    version = str(form.get("version", ""))
    if not version.isdigit():
        raise Problem(400, "页面已过期（没有写明审核的是哪一版），操作没有执行。请刷新页面后重新审核。")
    if action == "return" and not comment:
        return RedirectResponse(
            with_message(request, back, error="退回时请写明退回原因（单位会看到这段话）。"), status_code=303
        )
    try:
        await site.db(
            site.store.decide, unit, action, comment, client_ip(request), version=int(version), by=account_of(request)
        )
    except StateError as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    return RedirectResponse(back, status_code=303)


@admin_only
async def verify_warning(request: Request) -> Response:
    """核实性审核: the office marks one 提示 of a version 已核实 (or takes the mark back)."""
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    form = await read_form(request)
    number, index = request.path_params["number"], str(form.get("index", ""))
    version = await site.db(site.store.version, unit.id, int(number)) if str(number).isdigit() else None
    if version is None or not index.isdigit():
        raise Problem(404, "没有这一版或这一项提示。")
    back = f"/admin/rounds/{rnd.id}/units/{unit.id}?v={version.number}"
    try:
        await site.db(
            site.store.verify,
            version.id,
            int(index),
            form.get("verified") == "1",
            client_ip(request),
            by=account_of(request),
        )
    except StateError as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    return RedirectResponse(back + f"#finding-{index}", status_code=303)


@admin_only
async def admin_version_view(request: Request) -> Response:
    """A version's tables and text as the report renders them, the cells its findings name marked."""
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    return await version_view_page(request, site, rnd, unit, f"/admin/rounds/{rnd.id}/units/{unit.id}", admin=True)


@admin_only
async def compare_versions(request: Request) -> Response:
    """Two versions side by side (``?a=1&b=3``), or a version with last year's accepted workbook (``?b=3&with=
    last-year``): every figure and text that differs."""
    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    versions = await site.db(site.store.versions, unit.id)
    if not versions:
        raise Problem(404, "这个单位还没有上传过。")
    by_number = {str(v.number): v for v in versions}
    second = by_number.get(request.query_params.get("b", ""), versions[0])
    back = f"/admin/rounds/{rnd.id}/units/{unit.id}"
    if request.query_params.get("with") == "last-year":
        last = await site.db(site.store.accepted_version, rnd.previous_id, unit)
        if last is None:
            raise Problem(404, "上年的收集中没有这个单位通过审核的填报表，无法比较。")
        first_data = (await site.db(site.store.read_blob, last.sha256), last.filename)
        first_name = "上年通过审核的一版"
    else:
        first = by_number.get(request.query_params.get("a", ""))
        if first is None:
            first = next((v for v in versions if v.number < second.number), None)
        if first is None or first.id == second.id:
            raise Problem(404, "只有一版，没有可比较的。")
        first_data = (await site.db(site.store.read_blob, first.sha256), first.filename)
        first_name = f"第 {first.number} 版"
    second_data = (await site.db(site.store.read_blob, second.sha256), second.filename)
    outcome = await site.run(audits.compare, first_data, second_data)
    if outcome is None:
        raise Problem(422, "有一版无法读取，不能比较。")
    return render(
        request,
        "compare.html",
        admin=True,
        round=rnd,
        unit=unit,
        back=back,
        first_name=first_name,
        second_name=f"第 {second.number} 版",
        versions=versions,
        outcome=outcome,
    )


@admin_only
async def admin_version_file(request: Request) -> Response:
    from .unit import version_download

    site = request.app.state.site
    rnd, unit = await _unit_of_round(request)
    return await version_download(request, site, rnd, unit, allow_report=lambda v: not v.errors)


# -- round downloads -------------------------------------------------------------------------


def _unit_results(units: list[Unit]):
    """The check table: each unit's latest audited upload as a ``batch.UnitResult``."""
    from ..units.batch import UnitResult

    results = []
    for u in units:
        v = u.latest
        if v is None or not v.audited:
            continue
        audit = v.audit
        results.append(
            UnitResult(
                file=f"{u.name}/{v.filename}",
                unit=u.name,
                edition=audit["edition"],
                year=audit["year"],
                template_version=audit["template_version"],
                org_type=u.org_type,
                summary=audit["summary"],
                findings=audit["findings"],
                modified=v.uploaded_at,
                named=True,
            )
        )
    return results


def _findings_csv(units: list[Unit], edition: str) -> bytes:
    """The office's findings table: one row per finding of each unit's latest upload (with the unit's 说明 and the
    office's 已核实), one row for a unit whose upload has none, and one for each unit that has not uploaded."""
    rows: list[list[object]] = [FINDINGS_HEADER]
    for u in units:
        v = u.latest
        if v is None or not v.audited:
            rows.append([u.name, u.status, v.number if v else "", "", "", "", "尚未上传" if v is None else "校验中"])
            continue
        audit = v.audit
        version = f"第 {v.number} 版"
        form = f"{audit['edition']}年版" if audit.get("edition") else ""
        if not audit["findings"]:
            rows.append([u.name, u.status, version, form, "", "", "没有发现问题"])
        explained, verified = v.explained, v.verified_findings
        for i, f in enumerate(audit["findings"]):
            note = (explained.get(str(i)) or explained.get("all", "")) if f["severity"] == "warning" else ""
            rows.append([u.name, u.status, version, form, *finding_columns(f), note, "已核实" if i in verified else ""])
    return csv_bytes([r + [""] * (len(FINDINGS_HEADER) - len(r)) for r in rows])


@admin_only
async def check_table(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    units = await site.db(site.store.units, rnd.id)
    kind = request.path_params["kind"]
    if kind not in ("csv", "json"):
        raise Problem(404, "没有这种下载。")
    if kind == "csv":
        return download(_findings_csv(units, rnd.edition), rnd.title, suffix="-校验结果.csv")
    results = _unit_results(units)
    by_name = {r.unit: r for r in results}
    payload = {
        "round": {"id": rnd.id, "title": rnd.title, "year": rnd.year, "edition": rnd.edition, "deadline": rnd.deadline},
        "summary": {"units": len(units), **{s: n for s, n in _progress(units)["counts"].items()}},
        "units": [
            {
                "name": u.name,
                "org_type": u.org_type,
                "status": u.status,
                "version": u.latest.number if u.latest else None,
                "uploaded_at": u.latest.uploaded_at if u.latest else None,
                "audit": by_name[u.name].as_dict() if u.name in by_name else None,
            }
            for u in units
        ],
    }
    data = json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return download(data, rnd.title, suffix="-校验结果.json")


async def merged_round(site, rnd, units: list[Unit], include: str):
    """The 汇总 of the passed (``include="passed"``) or submitted-and-passed units' versions, lower offices' 汇总s
    added unit by unit; it records the office, how many units its round stands for and which were taken, so that
    the office above can check it (HIER-*)."""
    wanted = ("passed",) if include == "passed" else ("submitted", "passed")
    chosen = [u for u in units if u.review in wanted and u.review_version_id]
    if not chosen:
        return None, None, chosen
    office = await site.db(site.store.office, rnd.office_id) if rnd.office_id is not None else None
    listed = await site.db(site.store.units_below, rnd.id)
    versions = [await site.db(site.store.version_by_id, u.review_version_id) for u in chosen]
    blobs = [await site.db(site.store.read_blob, v.sha256) for v in versions]
    results = await asyncio.gather(
        *(
            site.run(
                audits.unit_result,
                data,
                u.name or f"单位{u.position}",
                v.filename,
                v.uploaded_at,
                client="office",
                name=f"{u.name}的第 {v.number} 版",
            )
            for u, v, data in zip(chosen, versions, blobs, strict=True)
        )
    )
    listed += sum(max(0, (r.lower.listed or 0) - 1) for r, u in zip(results, chosen, strict=True) if _by_hand(u, r))
    outcome, data = await site.run(
        audits.merged,
        list(results),
        rnd.summary_org,
        rnd.summary_org_type,
        office.name if office is not None else None,
        listed,
        include,
        client="office",
        name="汇总",
        factor=max(4.0, len(results) / 5, sum(len(r.lower.leaves) for r in results if r.lower) / 100),
    )
    return outcome, data, chosen


def _by_hand(unit: Unit, result) -> bool:
    """A lower office listed by hand whose 汇总 says how many units its round has (counted as one till now)."""
    return unit.is_lower and unit.member_round_id is None and result.lower is not None


@admin_only
async def summary_download(request: Request) -> Response:
    site = request.app.state.site
    rnd = await _round_or_404(request)
    include = "submitted" if request.query_params.get("include") == "submitted" else "passed"
    units = await site.db(site.store.units, rnd.id)
    outcome, data, chosen = await merged_round(site, rnd, units, include)
    if not chosen:
        what = "已通过" if include == "passed" else "已上报或已通过"
        raise Problem(409, f"还没有{what}的单位，无法汇总。")
    if data is None:
        reasons = "".join(f.message for f in outcome.findings) or "这些填报表都无法读取。"
        raise Problem(409, "无法汇总：" + reasons)
    org = rnd.summary_org or "汇总"
    return download(data, org, suffix=f"{rnd.year}年政府信息公开工作年度报告汇总.xlsx")


def routes() -> list[Route]:
    return [
        Route("/admin", admin_home),
        Route("/admin/rounds/new", round_new, methods=["GET", "POST"]),
        Route("/admin/rounds/{round_id}", dashboard),
        Route("/admin/rounds/{round_id}/units", add_units, methods=["POST"]),
        Route("/admin/rounds/{round_id}/deadline", change_deadline, methods=["POST"]),
        Route("/admin/rounds/{round_id}/archive", archive_round, methods=["POST"]),
        Route("/admin/rounds/{round_id}/report-up", report_up, methods=["POST"]),
        Route("/admin/rounds/{round_id}/units/{unit_id}/extend", extend_unit, methods=["POST"]),
        *(
            Route(f"/admin/rounds/{{round_id}}/units/{{unit_id}}/{action}", manage_unit, methods=["POST"])
            for action in UNIT_ACTIONS
        ),
        Route("/admin/rounds/{round_id}/links", links_page),
        Route("/admin/rounds/{round_id}/links.csv", links_csv),
        Route("/admin/rounds/{round_id}/roster.txt", roster_text),
        Route("/admin/rounds/{round_id}/events", events_page),
        Route("/admin/rounds/{round_id}/reminders", reminders_page),
        Route("/admin/rounds/{round_id}/reminders.csv", reminders_csv),
        Route("/admin/rounds/{round_id}/summary.xlsx", summary_download),
        Route("/admin/rounds/{round_id}/check.{kind}", check_table),
        Route("/admin/rounds/{round_id}/units/{unit_id}", unit_page),
        Route("/admin/rounds/{round_id}/units/{unit_id}/decide", decide, methods=["POST"]),
        Route("/admin/rounds/{round_id}/units/{unit_id}/versions/{number}/verify", verify_warning, methods=["POST"]),
        Route("/admin/rounds/{round_id}/units/{unit_id}/compare", compare_versions),
        Route("/admin/rounds/{round_id}/units/{unit_id}/versions/{number}/view", admin_version_view),
        Route("/admin/rounds/{round_id}/units/{unit_id}/versions/{number}/{kind}", admin_version_file),
    ]
