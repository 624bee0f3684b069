"""The collection site: an ASGI application (Starlette) over the store, the audit pool and the templates.

``create_app(data_folder, …)`` returns the application; ``xlrep serve`` runs it with uvicorn.
The routes are in three groups: the self-check (anyone, nothing stored: ``/``, ``/check``,
``/api/check``), the office (``/setup``, ``/admin/…``, see ``accounts.py`` and ``office.py``) and the units
(``/u/<token>/…``, see ``unit.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from anyio import CapacityLimiter, to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..outputs.report import REPORT_SUFFIXES
from . import accounts, audits, office, unit
from .audits import AuditLimit, AuditPool, AuditUnavailable
from .gate import RequestGate
from .limits import Limits
from .security import BodyLimit, SecurityHeaders
from .storage import DataFolderError, Store, failure_message
from .views import (
    STATIC,
    Problem,
    audit_view,
    client_ip,
    download,
    error_page,
    read_form,
    render,
    too_large_message,
    uploaded_file,
)

log = logging.getLogger("xlrep.serve")

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
# Threads for the store's calls. They hold the interpreter's lock for nearly all of their work (SQLite, building
# rows), so more threads only switch more: with dozens of uploads at once, calls wait their turn in a short line
# instead of every thread contending (measured: benchmarks/bench_province.py). A call waiting for the write lock
# or the database server holds a thread; the one holding the lock holds another, so they always move on.
STORE_THREADS = 8


class CheckCache:
    """Self-check uploads kept in memory (never on disk) for an hour, so the result page can offer downloads."""

    def __init__(self, max_items: int = 200, max_bytes: int = 256 * 1024 * 1024, ttl: float = 3600):
        self.max_items, self.max_bytes, self.ttl = max_items, max_bytes, ttl
        self._items: OrderedDict[str, tuple[float, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: bytes, name: str) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._items[token] = (time.time(), data, name)
            self._evict()
        return token

    def get(self, token: str) -> tuple[bytes, str] | None:
        with self._lock:
            self._evict()
            item = self._items.get(token)
        return (item[1], item[2]) if item else None

    def _evict(self) -> None:
        now = time.time()
        while self._items:
            token, (created, _, _) = next(iter(self._items.items()))
            total = sum(len(d) for _, d, _ in self._items.values())
            if created < now - self.ttl or len(self._items) > self.max_items or total > self.max_bytes:
                self._items.pop(token)
            else:
                break


class Admission:
    """How many audits each client (an address, or a unit by its link) has waiting or running: at most
    ``client_audits``. The office's own work (the 汇总) and the audits the site resumes by itself are not
    counted; every client's share of the workers is the pool's (``AuditPool.per_client``)."""

    UNCOUNTED = (None, "office")

    def __init__(self, client_audits: int):
        self.client_audits = client_audits
        self.pending: dict[str, int] = {}

    @contextlib.contextmanager
    def enter(self, client: str | None):
        if client in self.UNCOUNTED:
            yield
            return
        if self.pending.get(client, 0) >= self.client_audits:
            raise Problem(
                429, f"您已有 {self.client_audits} 个文件正在校验，请等它们完成后再上传（一次上传一个文件即可）。"
            )
        self.pending[client] = self.pending.get(client, 0) + 1
        try:
            yield
        finally:
            self.pending[client] -= 1
            if not self.pending[client]:
                del self.pending[client]


@dataclass
class Site:
    store: Store
    pool: AuditPool
    max_upload: int = DEFAULT_MAX_UPLOAD
    https: bool = False
    setup_token: str | None = None
    checks: CheckCache = field(default_factory=CheckCache)
    on_ready: Callable[[], None] | None = None
    auditing: set[int] = field(default_factory=set)  # versions being audited now
    background: set = field(default_factory=set)  # their tasks (kept referenced until done)
    limits: Limits = field(default_factory=Limits)
    admission: Admission | None = None
    _store_threads: object = None  # the threads store calls run in (``STORE_THREADS`` at most)

    def __post_init__(self):
        if self.admission is None:
            self.admission = Admission(self.limits.client_audits)

    async def run(self, fn, *args, client: str | None = None, name: str | None = None, factor: float = 1.0):
        """Run ``fn`` in the audit pool, within the client's share and the site's budget.

        An audit (``audits.check``) stopped at its budget answers FILE-UNREADABLE naming the limit (a stored
        version shows it, never stays 校验中); any other task stopped so is a Chinese 422. A client with too
        many audits waiting is a 429 (too many bytes of uploads on the whole site: a 503 from ``gate.py``).
        """
        name = name or next((a for a in args if isinstance(a, str)), "这个文件")
        with self.admission.enter(client):  # (the bytes of an upload are held by its request: gate.py)
            try:
                return await self.pool.run(fn, *args, client=client or "site", factor=factor)
            except AuditLimit as exc:
                log.warning("校验未完成（%s）：%s %s", exc.kind, name, exc.detail)
                if fn in (audits.check, audits.check_lower_office):
                    return audits.limit_outcome(exc.kind, name, self.limits)
                raise Problem(422, audits.limit_message(exc.kind, name, self.limits, factor)) from None
            except AuditUnavailable:
                raise Problem(503, "网站正在停止，校验没有完成。请稍后重新上传。") from None

    async def db(self, fn, *args, **kwargs):
        """A store call, off the event loop (its commits wait for the disk). A disk or database that fails
        (full, read-only, gone) is a Chinese 503: nothing is confirmed that was not saved."""
        if self._store_threads is None:  # (made inside the event loop it belongs to)
            self._store_threads = CapacityLimiter(STORE_THREADS)
        try:
            return await to_thread.run_sync(self._in_session, fn, args, kwargs, limiter=self._store_threads)
        except (OSError, DataFolderError, *self.store.errors) as exc:
            log_failure(exc)
            raise Problem(503, failure_message(exc)) from None

    def _in_session(self, fn, args, kwargs):
        with self.store.session():
            return fn(*args, **kwargs)


# -- self-check ------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    return render(request, "index.html")


async def check_page(request: Request) -> Response:
    site: Site = request.app.state.site
    form = await read_form(request)
    data, name = await uploaded_file(request, form)
    outcome = await site.run(audits.check, data, name, client=client_ip(request))
    view = audit_view(outcome["audit"])
    token = None if "error" in outcome else site.checks.put(data, name)
    return render(
        request,
        "check_result.html",
        status=422 if "error" in outcome else 200,
        view=view,
        error=outcome.get("error"),
        name=name,
        token=token,
        suffixes=REPORT_SUFFIXES,
    )


async def check_download(request: Request) -> Response:
    site: Site = request.app.state.site
    kept = site.checks.get(request.path_params["token"])
    if kept is None:
        raise Problem(404, "这个下载链接已过期（自查的文件只在内存中保留 1 小时，不会存到服务器上）。请重新上传自查。")
    data, name = kept
    stem = Path(name).stem
    kind = request.path_params["kind"]
    if kind == "annotated.xlsx":
        out = await site.run(audits.annotated, data, name, client=client_ip(request))
        if out is None:
            raise Problem(422, "无法为这个文件生成标注副本。")
        return download(out, stem, suffix="-标注.xlsx")
    suffix = "." + kind.removeprefix("report.")
    if not kind.startswith("report.") or suffix not in REPORT_SUFFIXES:
        raise Problem(404, "没有这种下载。")
    out = await site.run(audits.report_file, data, name, suffix, client=client_ip(request))
    if out is None:
        raise Problem(409, "这个填报表有错误，不生成报告。请改正后重新自查。")
    return download(out, stem, suffix=f"-报告{suffix}")


async def api_check(request: Request) -> Response:
    """``POST /api/check`` (multipart field ``file``): the object ``xlrep ingest --json`` prints."""
    site: Site = request.app.state.site
    form = await read_form(request, csrf=False)
    data, name = await uploaded_file(request, form)
    outcome = await site.run(audits.check, data, name, client=client_ip(request))
    if "error" in outcome:
        return JSONResponse({"error": outcome["error"]}, status_code=422)
    return JSONResponse(outcome["audit"])


# -- errors ----------------------------------------------------------------------------------

HTTP_MESSAGES = {
    400: "请求的格式不对。请回到上一页重试。",
    404: "找不到这个页面。请检查链接是否完整（单位的专用链接很长，复制时不要漏掉字符）。",
    405: "不支持这种访问方式。请从页面上的按钮操作。",
}


async def on_problem(request: Request, exc: Problem) -> Response:
    return error_page(request, exc.status, exc.message)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    return error_page(request, exc.status_code, HTTP_MESSAGES.get(exc.status_code, "请求无法完成。"))


def log_failure(exc: BaseException) -> None:
    log.error("无法保存：%s", failure_message(exc) + f"（{type(exc).__name__}: {exc}）")


async def on_crash(request: Request, exc: Exception) -> Response:
    from starlette.requests import ClientDisconnect

    if isinstance(exc, ClientDisconnect):  # nobody to answer, nothing to log
        return Response(status_code=400)
    if isinstance(
        exc, (OSError, sqlite3.Error, DataFolderError, *request.app.state.site.store.errors)
    ):  # a store call made outside ``Site.db``
        log_failure(exc)
        return error_page(request, 503, failure_message(exc))
    log.exception("内部错误：%s %s", request.method, request.url.path)
    try:
        return error_page(
            request, 500, "程序内部出错，操作没有完成，已记录在服务器的窗口中。请稍后重试或联系政务公开办。"
        )
    except Exception:  # noqa: BLE001 - even the error page failed: plain Chinese text
        return Response("程序内部出错。", status_code=500, media_type="text/plain; charset=utf-8")


def _refusal(scope, status: int, message: str) -> Response:
    return error_page(Request(scope), status, message)


def _too_large(site: Site):
    def responder(scope) -> Response:
        return error_page(Request(scope), 413, too_large_message(site.max_upload))

    return responder


# -- the application -------------------------------------------------------------------------


async def _resume_pending(site: Site) -> None:
    """Audit the uploads whose audit was cut off when the site last stopped."""
    for pending_unit, version in await site.db(site.store.pending_versions):
        if version.id in site.auditing:
            continue
        try:
            await unit.audit_version(site, pending_unit, version)
        except Exception:  # noqa: BLE001 - keep the others going; the page shows 校验中
            log.exception("补做校验失败：第 %s 版", version.number)


def create_app(
    data: Path,
    *,
    max_upload: int = DEFAULT_MAX_UPLOAD,
    workers: int | None = None,
    https: bool = False,
    setup_token: str | None = None,
    on_ready: Callable[[], None] | None = None,
    store: Store | None = None,
    limits: Limits | None = None,
):
    """The site's ASGI application over the data folder ``data``."""
    store = store or Store(data)
    limits = limits or Limits()
    site = Site(
        store=store,
        pool=AuditPool(workers, limits),
        limits=limits,
        max_upload=max_upload,
        https=https,
        setup_token=setup_token,
        on_ready=on_ready,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await run_in_threadpool(site.pool.warm_up)
        resume = asyncio.create_task(_resume_pending(site))
        if site.on_ready:
            site.on_ready()
        try:
            yield
        finally:
            resume.cancel()
            site.pool.shutdown()
            store.close()

    routes = [
        Route("/", index),
        Route("/check", check_page, methods=["POST"]),
        Route("/check", lambda request: RedirectResponse("/", 303), methods=["GET"]),
        Route("/check/{token}/{kind}", check_download),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", 301)),
        *accounts.routes(),
        *office.routes(),
        *unit.routes(),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={Problem: on_problem, HTTPException: on_http_error, Exception: on_crash},
    )
    app.state.site = site
    app.add_middleware(BodyLimit, limit=max_upload + 256 * 1024, on_too_large=_too_large(site))
    app.add_middleware(
        RequestGate,
        per_minute=limits.api_per_minute,
        queued_bytes=limits.queued_bytes(max_upload),
        upload_limit=max_upload + 256 * 1024,
        refuse=_refusal,
    )
    return SecurityHeaders(app)
