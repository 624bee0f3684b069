"""The office's pages: first sign-in, login, rounds, the dashboard, a unit's file, 退回/通过, downloads."""

from __future__ import annotations

import asyncio
import functools
import json
import re
from datetime import date
from urllib.parse import quote

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
from .records import (
    ARCHIVED_NOT_REPORTED,
    CHECKING,
    LEVEL_RANK,
    LEVELS,
    NOT_LISTED_ABOVE,
    PASSED,
    REVIEWER,
    ROLES,
    STATUSES,
    SUBMITTED,
    Account,
    StateError,
    Unit,
    closed_for,
    open_until,
)
from .roster import RosterEntry, RosterError, clean_name, from_file, from_text, org_types
from .security import (
    DUMMY_HASH,
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    hash_password,
    new_token,
    password_problem,
    secure_cookies,
    token_hash,
    verify_password,
)
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

# -- sessions --------------------------------------------------------------------------------


def _signed_in(request: Request) -> Account | None:
    """The account signed in with this browser's session (None: nobody)."""
    token = request.cookies.get(SESSION_COOKIE)
    return request.app.state.site.store.session_account(token_hash(token)) if token else None


def admin_only(handler):
    """Pages for an office's people only: others are sent to the login page (or refused, for a form post). The
    account is ``request.state.account``; the offices it sees (its own and every one below) ``request.state.scope``."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        site = request.app.state.site
        account = await site.db(_signed_in, request)
        if account is None:
            if request.method == "GET":
                return RedirectResponse("/admin/login?next=" + quote(request.url.path), status_code=303)
            raise Problem(403, "登录已过期，操作没有执行。请重新登录后再操作。")
        request.state.account = account
        if account.must_change_password and request.url.path != "/admin/password":
            # a 管理员 reset this person's password: their own comes first
            if request.method == "GET":
                return RedirectResponse("/admin/password", status_code=303)
            raise Problem(403, "管理员已为您重设了密码。请先在“修改密码”中设置您自己的新密码，再做其他操作。")
        request.state.scope = await site.db(site.store.scope, account.office_id)
        if request.method == "POST" and "round_id" in request.path_params:
            await _refuse_lower_round(request, account)
        return await handler(request)

    return guarded


async def _refuse_lower_round(request: Request, account: Account) -> None:
    """A round of an office below is seen from above, read-only: what is done in it, its own office does."""
    site = request.app.state.site
    raw = str(request.path_params["round_id"])
    found = await site.db(site.store.round, int(raw)) if raw.isdigit() else None
    if found is not None and found.office_id in request.state.scope and found.office_id != account.office_id:
        raise Problem(403, "这是下级机构的收集，上级只能查看。上传、审核、添加单位等由该机构自己办理。")


def manager_only(handler):
    """What only a 管理员 does (accounts, offices, rounds, units); a 审核人 reviews only."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        if not request.state.account.manager:
            raise Problem(403, "审核人只能审核（通过、退回、核实提示），不能做这项操作。请联系本机构的管理员。")
        return await handler(request)

    return admin_only(guarded)


def _by(request: Request) -> Account:
    return request.state.account


def _start_session(request: Request, target: str, account_id: int) -> Response:
    site = request.app.state.site
    token = new_token()
    site.store.create_session(token_hash(token), SESSION_LIFETIME, client_ip(request), account_id)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_LIFETIME,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request.scope, site.https),
        path="/",
    )
    return response


def _safe_next(target: str | None) -> str:
    return target if target and re.fullmatch(r"/admin(/[\w/-]*)?", target) else "/admin"


def _person(form, *, prefix: str = "") -> tuple[str, str]:
    """姓名 and 账号 as typed (``RosterError`` when either is unusable)."""
    name = " ".join(str(form.get(prefix + "name", "")).split())[:50]
    login = str(form.get(prefix + "login", "")).strip()
    if not name:
        raise RosterError("请填写姓名。")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,31}", login):
        raise RosterError("账号须为 2 至 32 个字母、数字或 . _ -（以字母或数字开头），例如 zhangsan。")
    return name, login


def _office_fields(form, *, prefix: str = "") -> tuple[str, str]:
    name = " ".join(str(form.get(prefix + "office_name", "")).split())[:100]
    level = str(form.get(prefix + "level", ""))
    if not name:
        raise RosterError("请填写机构名称，例如“某某县人民政府办公室（政务公开办）”。")
    if level not in LEVELS:
        raise RosterError("请选择机构的级别（省、市、县、区）。")
    return name, level


async def setup_page(request: Request) -> Response:
    """The first sign-in: the first office and its first 管理员 (after ``--reset-password``: that 管理员's new
    password only)."""
    site = request.app.state.site
    token = request.path_params["token"]
    if not await site.db(site.store.needs_setup):
        raise Problem(404, "管理员账号已经设置过了。请直接登录。")
    if not site.setup_token or token != site.setup_token:
        raise Problem(404, "这个首次登录链接无效。请使用本次启动时终端窗口中显示的链接。")
    existing = await site.db(site.store.first_account)
    error = None
    values = {"office_name": "", "level": "县", "name": "管理员", "login": "admin"}
    if request.method == "POST":
        form = await read_form(request)
        values.update({k: str(form.get(k, values[k])) for k in values})
        password, repeated = str(form.get("password", "")), str(form.get("repeat", ""))
        try:
            office = person = ("", "")
            if existing is None:
                office, person = _office_fields(form), _person(form)
            error = password_problem(password, repeated)
            if error is None:
                hashed = await run_in_threadpool(hash_password, password)
                account_id = await site.db(site.store.set_up, hashed, client_ip(request), office=office, person=person)
                site.setup_token = None
                return await site.db(_start_session, request, "/admin", account_id)
        except RosterError as exc:
            error = exc.message
        except StateError as exc:
            if existing is None and "已被使用" not in exc.message:
                raise Problem(409, exc.message) from None
            error = exc.message
    return render(
        request,
        "setup.html",
        error=error,
        existing=existing,
        values=values,
        levels=LEVELS,
        status=400 if error else 200,
    )


async def login_page(request: Request) -> Response:
    site = request.app.state.site
    target = _safe_next(request.query_params.get("next"))
    configured = not await site.db(site.store.needs_setup)
    if request.method == "GET":
        if configured and await site.db(_signed_in, request):
            return RedirectResponse(target, status_code=303)
        return render(request, "login.html", error=None, next=target, configured=configured, login="")
    form = await read_form(request)
    target = _safe_next(str(form.get("next", "")))
    login = str(form.get("login", "")).strip()[:64]
    if not configured:  # nothing to guess yet: say so, count nothing
        error = "还没有设置管理员账号，无法登录。请使用启动网站时终端窗口中显示的“首次使用”链接。"
        return render(request, "login.html", status=409, error=error, next=target, configured=configured, login=login)
    ip = client_ip(request)
    # Checked and counted in one transaction before the hash is computed: parallel guesses cannot slip through.
    wait, attempt, earlier = await site.db(site.store.begin_login, ip, LOGIN_WINDOW, LOGIN_MAX_FAILURES, login or None)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise Problem(429, f"账号或密码输错次数过多，为防止猜测密码，请 {minutes} 分钟后再试。")
    account = await site.db(site.store.account_by_login, login) if login else None
    stored = account.password_hash if account else DUMMY_HASH  # (an unknown login costs the same time)
    ok = await run_in_threadpool(verify_password, str(form.get("password", "")), stored) and account is not None
    if ok and account.disabled_at:  # said only to whoever knows the password: logins cannot be probed with it
        await site.db(site.store.finish_login, ip, attempt, False, account, login)
        error = "账号已停用，请联系本机构管理员。"
        return render(request, "login.html", status=403, error=error, next=target, configured=configured, login=login)
    await site.db(site.store.finish_login, ip, attempt, ok, account if ok else None, login)
    if ok:
        if account.must_change_password:
            target = "/admin/password"
        return await site.db(_start_session, request, target, account.id)
    left = LOGIN_MAX_FAILURES - earlier - 1
    error = "账号或密码不对。" + (f"再错 {left} 次将暂停登录 15 分钟。" if left > 0 else "已暂停登录 15 分钟。")
    return render(request, "login.html", status=401, error=error, next=target, configured=configured, login=login)


async def logout(request: Request) -> Response:
    site = request.app.state.site
    await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        account = await site.db(_signed_in, request)
        await site.db(site.store.delete_session, token_hash(token))
        if account is not None:
            await site.db(site.store.log, account.name, "logout", ip=client_ip(request), by=account)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@admin_only
async def password_page(request: Request) -> Response:
    site = request.app.state.site
    account = _by(request)
    error = done = None
    if request.method == "POST":
        form = await read_form(request)
        if not await run_in_threadpool(verify_password, str(form.get("current", "")), account.password_hash):
            error = "当前密码不对。"
        else:
            error = password_problem(str(form.get("password", "")), str(form.get("repeat", "")))
        if error is None and account.must_change_password and form.get("password") == form.get("current"):
            error = "请设置一个与管理员给的初始密码不同的新密码。"
        if error is None:
            hashed = await run_in_threadpool(hash_password, str(form.get("password", "")))
            await site.db(site.store.set_password, account, hashed, client_ip(request))
            return await site.db(_start_session, request, "/admin", account.id)
    return render(
        request,
        "password.html",
        admin=True,
        error=error,
        done=done,
        must_change=bool(account.must_change_password),
        status=400 if error else 200,
    )


# -- offices and accounts ------------------------------------------------------------------------


@manager_only
async def offices_page(request: Request) -> Response:
    """机构与账号 of the account's own office."""
    return await _office_page(request, _by(request).office_id)


@manager_only
async def office_below_page(request: Request) -> Response:
    """机构与账号 of an office below the account's (any depth): its 管理员s manage it as they manage their own."""
    office_id = _id_param(request, "office_id")
    if office_id not in request.state.scope:  # a sibling's or a parent's: as if there were none
        raise Problem(404, "没有这个机构。")
    return await _office_page(request, office_id)


def _id_param(request: Request, name: str) -> int:
    text = request.path_params[name]
    if not text.isdigit() or len(text) > 18:
        raise Problem(404, "没有这个机构。" if name == "office_id" else "没有这个账号。")
    return int(text)


def _office_path(account: Account, office_id: int) -> str:
    return "/admin/offices" if office_id == account.office_id else f"/admin/offices/{office_id}"


async def _office_page(request: Request, office_id: int) -> Response:
    """机构与账号: an office and its accounts (their state, 停用/启用/删除/重设密码), the offices below it; add an
    account, create a child office, correct the office's name and level."""
    site = request.app.state.site
    account = _by(request)
    office = await site.db(site.store.office, office_id)
    if office is None:
        raise Problem(404, "没有这个机构。")
    here = _office_path(account, office.id)
    error = notice = None
    values = {
        "name": "",
        "login": "",
        "role": REVIEWER,
        "office_name": "",
        "level": "",
        "admin_name": "",
        "admin_login": "",
    }
    if request.method == "POST":
        form = await read_form(request)
        values.update({k: str(form.get(k, "")) for k in values})
        action = str(form.get("action", ""))
        password, repeated = str(form.get("password", "")), str(form.get("repeat", ""))
        try:
            if action == "account":
                name, login = _person(form)
                role = values["role"] if values["role"] in ROLES else REVIEWER
                problem = password_problem(password, repeated)
                if problem:
                    raise RosterError(problem)
                hashed = await run_in_threadpool(hash_password, password)
                await site.db(
                    site.store.add_account, office.id, name, login, hashed, role, by=account, ip=client_ip(request)
                )
                notice = f"已为“{name}”建立账号 {login}（{role}）。请把账号和初始密码告诉本人，登录后自行修改密码。"
            elif action == "office":
                office_name, level = _office_fields(form)
                person, login = _person(form, prefix="admin_")
                problem = password_problem(password, repeated)
                if problem:
                    raise RosterError(problem)
                hashed = await run_in_threadpool(hash_password, password)
                await site.db(
                    site.store.create_office,
                    office,
                    office_name,
                    level,
                    (person, login, hashed),
                    by=account,
                    ip=client_ip(request),
                )
                notice = f"已建立下级机构“{office_name}”，其管理员账号为 {login}。"
            elif action == "edit":
                office_name, level = _office_fields(form, prefix="own_")
                await site.db(site.store.edit_office, office, office_name, level, by=account, ip=client_ip(request))
                notice = f"{'本' if office.id == account.office_id else '该'}机构已改为“{office_name}”（{level}级）。"
            else:
                raise Problem(400, "未知的操作。")
        except (RosterError, StateError) as exc:
            error = exc.message
        else:
            return RedirectResponse(with_message(request, here, notice=notice), status_code=303)
    below = await site.db(site.store.offices_below, office.id)
    parent = await site.db(site.store.office, office.parent_id) if office.parent_id else None
    return render(
        request,
        "offices.html",
        status=400 if error else 200,
        admin=True,
        office=office,
        own=office.id == account.office_id,
        here=here,
        me=account,
        parent=parent,
        parent_path=_office_path(account, parent.id) if parent and parent.id in request.state.scope else None,
        accounts=await site.db(site.store.accounts, office.id),
        acted=await site.db(site.store.accounts_acted, office.id),
        log=await site.db(site.store.office_log, request.state.scope, 50) if office.id == account.office_id else [],
        below=below,
        names={o.id: o.name for o in [office, *below]},
        levels=[v for v in LEVELS if LEVEL_RANK[v] > LEVEL_RANK[office.level]],
        all_levels=LEVELS,
        roles=ROLES,
        values=values,
        **(shown_messages(request) | ({"error": error} if error else {})),
    )


ACCOUNT_ACTIONS = ("disable", "enable", "delete", "password")


@manager_only
async def manage_account(request: Request) -> Response:
    """停用, 启用, 删除 an account of the 管理员's office or of one below it, or set its password anew."""
    site = request.app.state.site
    by = _by(request)
    account_id = _id_param(request, "account_id")
    target = await site.db(site.store.account, account_id)
    if target is None or target.office_id not in request.state.scope:  # another office's: as if there were none
        raise Problem(404, "没有这个账号。")
    form = await read_form(request)
    action = request.url.path.rsplit("/", 1)[1]
    back = _office_path(by, target.office_id)
    ip = client_ip(request)
    try:
        if action == "disable":
            await site.db(site.store.disable_account, target.id, by=by, ip=ip)
            notice = f"已停用“{target.name}”的账号 {target.login}：其登录已全部失效，不能再登录。"
        elif action == "enable":
            await site.db(site.store.enable_account, target.id, by=by, ip=ip)
            notice = f"已启用“{target.name}”的账号 {target.login}：可以用原密码登录。"
        elif action == "delete":
            _, deleted = await site.db(site.store.delete_account, target.id, by=by, ip=ip)
            notice = (
                f"已删除“{target.name}”的账号 {target.login}。"
                if deleted
                else f"“{target.name}”已有操作记录，账号保留（操作记录仍显示其姓名）并已停用。"
            )
        elif action == "password":
            problem = password_problem(str(form.get("password", "")), str(form.get("repeat", "")))
            if problem:
                raise StateError(problem)
            if target.id == by.id:
                raise StateError("自己的密码请在“修改密码”中修改。")
            hashed = await run_in_threadpool(hash_password, str(form.get("password", "")))
            await site.db(site.store.reset_password, target.id, hashed, by=by, ip=ip)
            notice = (
                f"已重设“{target.name}”（账号 {target.login}）的密码：其登录已全部失效。"
                "请把新的初始密码告诉本人，本人登录后须先修改密码。"
            )
        else:
            raise Problem(404, "没有这种操作。")
    except StateError as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    return RedirectResponse(with_message(request, back, notice=notice), status_code=303)


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
    account = _by(request)
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
    rounds = await site.db(site.store.rounds, {_by(request).office_id})  # (last year's: this office's own)
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
                by=_by(request),
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
    if found.office_id != _by(request).office_id:
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
    own = rnd.office_id == _by(request).office_id
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
    return {"unit": unit, "round": upper, "office": office, "closed": closed_for(upper, unit)}


@manager_only
async def report_up(request: Request) -> Response:
    """向上级上报: the round's 汇总 (as the 汇总 download makes it) becomes a version of the unit that stands for it
    in the round of the office above; its audit there (HIER-*) is shown on that unit's page, where it is 上报ed."""
    site = request.app.state.site
    rnd = await _round_or_404(request)
    back = f"/admin/rounds/{rnd.id}"
    form = await read_form(request)
    include = "submitted" if form.get("include") == "submitted" else "passed"
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
            by=_by(request),
        )
    except StateError as exc:
        return RedirectResponse(with_message(request, back, error=exc.message), status_code=303)
    await audit_version(site, unit, version, "office")
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
        await site.db(site.store.set_deadline, rnd.id, deadline, reason, client_ip(request), by=_by(request))
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
        await site.db(site.store.extend_unit, unit, until, reason, client_ip(request), by=_by(request))
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
            await site.db(site.store.rename_unit, unit, name, ip, by=_by(request))
            notice = f"已改名为“{name}”（原名“{unit.name}”记入操作记录）。"
            if audit_again(site, await site.db(site.store.unit, unit.id)):
                notice += "最新上传的一版按新名称重新校验。"
        elif action == "new-link":
            await site.db(site.store.new_link, unit, ip, by=_by(request))
            notice = "已更换填报链接：旧链接已失效，请把新链接发给该单位。"
        elif action == "remove":
            deleted = await site.db(site.store.remove_unit, unit, ip, by=_by(request))
            notice = f"已将“{unit.name}”" + ("从名单中删除。" if deleted else "移出名单（它上传的文件仍保留）。")
            return RedirectResponse(with_message(request, f"/admin/rounds/{rnd.id}", notice=notice), status_code=303)
        elif action == "last-year":
            chosen = str(form.get("last_year_id", ""))
            await site.db(
                site.store.link_last_year, unit, int(chosen) if chosen.isdigit() else None, ip, by=_by(request)
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
        await site.db(site.store.archive, rnd.id, client_ip(request), by=_by(request))
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
        existing = await site.db(site.store.add_units, rnd.id, units, client_ip(request), by=_by(request))
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
    own = rnd.office_id == _by(request).office_id
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
            site.store.decide, unit, action, comment, client_ip(request), version=int(version), by=_by(request)
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
            site.store.verify, version.id, int(index), form.get("verified") == "1", client_ip(request), by=_by(request)
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
    office = await site.db(site.store.office, rnd.office_id) if rnd.office_id is not None else None
    listed = await site.db(site.store.units_below, rnd.id)
    chosen = [u for u in units if u.review in wanted and u.review_version_id]
    if not chosen:
        return None, None, chosen
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
        Route("/setup/{token}", setup_page, methods=["GET", "POST"]),
        Route("/admin/login", login_page, methods=["GET", "POST"]),
        Route("/admin/logout", logout, methods=["POST"]),
        Route("/admin", admin_home),
        Route("/admin/password", password_page, methods=["GET", "POST"]),
        Route("/admin/offices", offices_page, methods=["GET", "POST"]),
        Route("/admin/offices/{office_id}", office_below_page, methods=["GET", "POST"]),
        *(
            Route(f"/admin/accounts/{{account_id}}/{action}", manage_account, methods=["POST"])
            for action in ACCOUNT_ACTIONS
        ),
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
