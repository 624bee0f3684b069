"""The office's people: who is signed in and what they may do (``admin_only``, ``manager_only``: every page under
``/admin`` is behind one of them), the first sign-in, login and logout, the password, 机构与账号 (an office's accounts
and the offices below it) and the steps on an account (停用, 启用, 删除, 重设密码)."""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .records import (
    LEVEL_RANK,
    LEVELS,
    REVIEWER,
    ROLES,
    Account,
    StateError,
)
from .roster import RosterError
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
from .views import (
    Problem,
    client_ip,
    read_form,
    render,
    shown_messages,
    with_message,
)

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


def account_of(request: Request) -> Account:
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
    wait, attempt, earlier, busy = await site.db(
        site.store.begin_login, ip, LOGIN_WINDOW, LOGIN_MAX_FAILURES, login or None
    )
    if busy:  # several people of one office signing in at the same moment, from one address
        raise Problem(429, f"同时登录的人较多，请 {wait} 秒后再试。")
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
    account = account_of(request)
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
    return await _office_page(request, account_of(request).office_id)


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
    account = account_of(request)
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
    by = account_of(request)
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


def routes() -> list[Route]:
    return [
        Route("/setup/{token}", setup_page, methods=["GET", "POST"]),
        Route("/admin/login", login_page, methods=["GET", "POST"]),
        Route("/admin/logout", logout, methods=["POST"]),
        Route("/admin/password", password_page, methods=["GET", "POST"]),
        Route("/admin/offices", offices_page, methods=["GET", "POST"]),
        Route("/admin/offices/{office_id}", office_below_page, methods=["GET", "POST"]),
        *(
            Route(f"/admin/accounts/{{account_id}}/{action}", manage_account, methods=["POST"])
            for action in ACCOUNT_ACTIONS
        ),
    ]
