"""Rendering: the Jinja2 environment (autoescaped), pages, errors, downloads, and how an audit is shown."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..common.findings import SEVERITY_NAMES, SEVERITY_ORDER
from ..outputs.report import REPORT_FORMATS
from ..outputs.report import media_type as report_media_type
from .security import CSRF_COOKIE, CSRF_FIELD, content_disposition, csrf_for, new_token, secure_cookies

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

STATUS_CLASSES = {
    "未上传": "idle",
    "有错误": "bad",
    "待上报": "warn",
    "已上报": "sent",
    "已退回": "bad",
    "已通过": "good",
    "校验通过": "good",
    "校验有提示": "warn",
    "校验有错误": "bad",
    "无法读取": "bad",
    "校验中": "idle",
}

#: What the dashboard says of an upload that does not belong to its unit and round (ROUND-* errors).
BELONGING = {
    "ROUND-YEAR": "年度或格式不符",
    "ROUND-OTHER-UNIT": "其他单位的文件",
    "ROUND-OTHER-ROUND": "其他收集的文件",
    "ROUND-ORG-NAME": "机关名称不符",
    "ROUND-PUBLISHED": "上传的是已发布报告",
    "ROUND-MERGED": "上传的是汇总表",
}

#: Files the site sends that are not reports (reports: the report registry, ``report.media_type``).
FILE_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}

_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html"], default_for_string=True, default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["when"] = format_time
        env.filters["size"] = format_size
        env.globals.update(
            severity_name=SEVERITY_NAMES.get,
            status_class=lambda s: STATUS_CLASSES.get(s, "idle"),
            belonging=lambda rules: [BELONGING.get(r, r) for r in (rules or "").split(",") if r],
            csrf_field=CSRF_FIELD,
            report_formats=REPORT_FORMATS,  # (suffix, name) of each report format offered: the report registry's
        )
        _env = env
    return _env


def format_time(ts: float | None) -> str:
    if not ts:
        return ""
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def format_size(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    mb = n / 1024 / 1024
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


def csrf_cookie(request: Request) -> str:
    """The browser's CSRF cookie, or a new one for this response (set by ``render``)."""
    value = request.cookies.get(CSRF_COOKIE)
    if not value or len(value) > 100:
        value = getattr(request.state, "new_csrf", None) or new_token(24)
        request.state.new_csrf = value
    return value


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    site = request.app.state.site
    cookie = csrf_cookie(request)
    context.setdefault("admin", False)
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            csrf=csrf_for(site.store.secret, cookie),
            max_upload=site.max_upload,
            max_upload_text=format_size(site.max_upload),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if getattr(request.state, "new_csrf", None):
        response.set_cookie(
            CSRF_COOKIE,
            cookie,
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request.scope, site.https),
            path="/",
            max_age=None,
        )
    return response


def error_page(request: Request, status: int, message: str, *, title: str | None = None) -> Response:
    """A Chinese error page for browsers, ``{"error": message}`` for the JSON API."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    titles = {
        400: "请求有误",
        403: "无权访问",
        404: "找不到页面",
        405: "不支持的操作",
        409: "无法完成",
        413: "文件太大",
        422: "文件无法读取",
        429: "请稍后再试",
        503: "暂时无法处理",
    }
    href, label = back_link(request.url.path)
    if status == 404 and href.startswith("/u/"):  # the unit's link itself is not (or no longer) valid
        href, label = "/", "回到首页"
    return render(
        request,
        "error.html",
        status=status,
        title=title or titles.get(status, "出错了"),
        message=message,
        back=href,
        back_label=label,
    )


_BACK = (
    (re.compile(r"/u/([A-Za-z0-9_-]{16,64})(?:/.*)?"), "/u/{0}", "回到本单位的页面"),
    (re.compile(r"/admin/rounds/(\d+)/units/(\d+)(?:/.*)?"), "/admin/rounds/{0}/units/{1}", "回到该单位的详情"),
    (re.compile(r"/admin/rounds/new"), "/admin/rounds/new", "回到新建收集"),
    (re.compile(r"/admin/rounds/(\d+)(?:/.*)?"), "/admin/rounds/{0}", "回到本次收集的总览"),
    (re.compile(r"/admin(?:/.*)?"), "/admin", "回到全部收集"),
)


def with_message(request: Request, url: str, *, error: str | None = None, notice: str | None = None) -> str:
    """``url`` carrying a message for the page it leads to, signed with the site's secret: a page shows only the
    messages the site itself wrote (a link someone made up cannot put its own words in an alert)."""
    from urllib.parse import quote

    sig = _message_sig(request, error, notice)
    parts = [f"error={quote(error)}" if error else "", f"notice={quote(notice)}" if notice else "", f"sig={sig}"]
    return url + ("&" if "?" in url else "?") + "&".join(p for p in parts if p)


def _message_sig(request: Request, error: str | None, notice: str | None) -> str:
    import hmac

    text = f"{error or ''}\x00{notice or ''}"
    return hmac.new(request.app.state.site.store.secret, text.encode("utf-8"), "sha256").hexdigest()[:32]


def shown_messages(request: Request) -> dict[str, str | None]:
    """The ``error`` and ``notice`` of ``with_message`` when its signature holds; none otherwise."""
    import hmac

    error, notice = request.query_params.get("error"), request.query_params.get("notice")
    if not (error or notice):
        return {"error": None, "notice": None}
    if not hmac.compare_digest(_message_sig(request, error, notice), request.query_params.get("sig", "")):
        return {"error": None, "notice": None}
    return {"error": error, "notice": notice}


def back_link(path: str) -> tuple[str, str]:
    """Where an error page sends the user back to: the page the failed request belongs to (never an address
    taken from the request's headers), e.g. a unit's own page for a failed upload on its link."""
    for pattern, target, label in _BACK:
        m = pattern.fullmatch(path)
        if m:
            return target.format(*m.groups()), label
    return "/", "回到首页"


def download(data: bytes, filename: str, media_type: str | None = None, *, suffix: str = "") -> Response:
    """``data`` as an attachment. With ``suffix`` (``"-标注.xlsx"``), ``filename`` is the untrusted part
    (a unit's name, an upload's stem) that is shortened when the whole would not fit in 255 bytes;
    without it, ``filename`` is a whole name whose extension is kept."""
    from ..common.safetext import for_filename

    if suffix:
        filename = for_filename(filename, suffix)
    else:
        filename = for_filename(filename, extension=True, default="download")
    suffix = Path(filename).suffix.lower()
    media_type = media_type or FILE_TYPES.get(suffix) or report_media_type(suffix) or "application/octet-stream"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"},
    )


def summary_line(summary: dict) -> str:
    """As ``xlrep ingest`` closes its listing: ``N 项错误，M 项提示`` (and the infos, if any)."""
    text = f"{summary['errors']} 项错误，{summary['warnings']} 项提示"
    if summary.get("infos"):
        text += f"，{summary['infos']} 项信息"
    return text


#: The audit's verdict: what the check found — never the office's decision (审核通过 / 已退回).
VERDICT_ERRORS, VERDICT_WARNINGS, VERDICT_CLEAN = "校验有错误", "校验有提示", "校验通过"


def audit_view(audit: dict) -> dict:
    """An audit (``ingest --json`` object) as the pages show it: verdict, summary line, and the findings
    errors first, then warnings, then infos, each group by sheet in workbook order."""
    summary = audit["summary"]
    unreadable = any(f["rule"] == "FILE-UNREADABLE" for f in audit["findings"])
    if unreadable:
        verdict = "无法读取"
    elif summary["errors"]:
        verdict = VERDICT_ERRORS
    elif summary["warnings"]:
        verdict = VERDICT_WARNINGS
    else:
        verdict = VERDICT_CLEAN
    groups: dict[str, dict[str, list[dict]]] = {severity: {} for severity in SEVERITY_ORDER}
    for index, finding in enumerate(audit["findings"]):  # workbook order in each severity (audits of any release)
        sheet = finding["cells"][0]["sheet"] if finding["cells"] else "整个文件"
        groups.setdefault(finding["severity"], {}).setdefault(sheet, []).append({**finding, "index": index})
    meta = []
    if audit.get("edition"):
        meta.append(f"{audit['edition']}年版")
    if audit.get("year"):
        meta.append(f"{audit['year']} 年度")
    if audit.get("template_version"):
        meta.append(f"模板版本 {audit['template_version']}")
    return {
        "verdict": verdict,
        "summary": summary,
        "line": summary_line(summary),
        "groups": [
            (severity, sum(len(items) for items in sheets.values()), list(sheets.items()))
            for severity, sheets in groups.items()
            if sheets
        ],
        "meta": "，".join(meta),
        "file": audit.get("file"),
    }


def deadline_text(deadline: str | None) -> str:
    if not deadline:
        return ""
    try:
        day = date.fromisoformat(deadline)
    except ValueError:
        return deadline
    days = (day - date.fromtimestamp(time.time())).days
    if days > 0:
        return f"截止日期 {deadline}（还有 {days} 天）"
    if days == 0:
        return f"截止日期 {deadline}（今天截止）"
    return f"截止日期 {deadline}（已过 {-days} 天）"


# -- requests ------------------------------------------------------------------------------------


class Problem(Exception):
    """Answer the request with a Chinese error page (or JSON under /api/) and this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


async def read_form(request: Request, *, csrf: bool = True, max_fields: int = 50):
    """The posted form; with ``csrf``, refused (403) unless it carries this browser's CSRF token."""
    from starlette.exceptions import HTTPException

    from .security import csrf_ok

    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise Problem(400, "请通过页面上的表单提交。")
    from starlette.requests import ClientDisconnect

    try:
        form = await request.form(max_files=2, max_fields=max_fields, max_part_size=1024 * 1024)
    except (HTTPException, ClientDisconnect):  # malformed; or the client went (or was dropped for being slow)
        raise Problem(400, "提交的内容格式不对或不完整。请回到上一页重试。") from None
    if csrf and not csrf_ok(
        request.app.state.site.store.secret, request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)
    ):
        raise Problem(403, "页面已过期或来源不明（缺少安全校验码），操作没有执行。请回到上一页，刷新后重新操作。")
    return form


async def uploaded_file(request: Request, form, field: str = "file") -> tuple[bytes, str]:
    """The uploaded file's bytes and a safe name for it; 400 without a file, 413 over the size limit."""
    from starlette.datastructures import UploadFile

    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Problem(400, "请先选择要上传的填报表文件（.xlsx）。")
    limit = request.app.state.site.max_upload
    data = await upload.read(limit + 1)
    await upload.close()
    if len(data) > limit:
        raise Problem(413, too_large_message(limit))
    return data, upload_name(upload.filename)


def upload_name(filename: str | None, default: str = "填报表") -> str:
    """The name an uploaded file is kept and audited under: the browser's name without any folder it
    carries (``C:\\fakepath\\…``), made a file name by ``safetext.for_filename`` (≤ 255 bytes, extension kept)."""
    from ..common.safetext import for_filename

    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return for_filename(name, extension=True, default=default)


def too_large_message(limit: int) -> str:
    return f"文件超过 {format_size(limit)}，不像是填报表。请确认选对了文件（应是 xlrep 生成、填好后保存的 .xlsx）。"
