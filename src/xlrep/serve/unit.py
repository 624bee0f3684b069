"""A unit's pages, reached only through its private link ``/u/<token>``: template, upload, audit, 上报.

Everything a unit can see or do is looked up through its own token: another unit's versions,
files and findings are never reachable from it (a version number of another unit is simply 404).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import audits
from .audits import REPORT_SUFFIXES
from .storage import StateError, Unit, Version
from .views import Problem, audit_view, client_ip, deadline_text, download, read_form, render, uploaded_file

REPORT_KINDS = tuple(f"report{s}" for s in REPORT_SUFFIXES)


async def _unit(request: Request) -> Unit:
    site = request.app.state.site
    token = request.path_params["token"]
    found = await site.db(site.store.unit_by_token, token) if 16 <= len(token) <= 64 else None
    if found is None:
        raise Problem(404, "这个填报链接无效。请检查链接是否完整，或向政务公开办索取本单位的专用链接。")
    return found


async def _previous(site, rnd, unit: Unit) -> tuple[bytes, str] | None:
    """Last year's workbook of this unit (the version the office passed in the previous round)."""
    accepted = await site.db(site.store.accepted_version, rnd.previous_id, unit.name)
    if accepted is None:
        return None
    return await site.db(site.store.read_blob, accepted.sha256), accepted.filename


async def audit_version(site, unit: Unit, version: Version, client: str | None = None) -> dict:
    """Audit a stored upload (with PREV-* against last year's accepted workbook) and record the result."""
    site.auditing.add(version.id)
    try:
        rnd = await site.db(site.store.round, unit.round_id)
        data = await site.db(site.store.read_blob, version.sha256)
        previous = await _previous(site, rnd, unit)
        outcome = await site.run(audits.check, data, version.filename, previous, client=client)
        await site.db(site.store.set_audit, version.id, outcome["audit"], outcome.get("org_name"))
        return outcome
    finally:
        site.auditing.discard(version.id)


def audit_pending(site, unit: Unit, versions: list[Version]) -> bool:
    """Start auditing the unit's uploads whose audit was cut off (a restart, a failed worker); True if any."""
    import asyncio

    pending = [v for v in versions if not v.audited]
    for version in pending:
        if version.id not in site.auditing:
            site.auditing.add(version.id)
            task = asyncio.get_running_loop().create_task(audit_version(site, unit, version))
            site.background.add(task)
            task.add_done_callback(site.background.discard)
    return bool(pending)


async def unit_home(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    rnd = await site.db(site.store.round, unit.round_id)
    versions = await site.db(site.store.versions, unit.id)
    wanted = request.query_params.get("v", "")
    shown = next((v for v in versions if str(v.number) == wanted), None) if wanted else None
    shown = shown or (versions[0] if versions else None)
    previous = await site.db(site.store.accepted_version, rnd.previous_id, unit.name)
    return render(
        request,
        "unit.html",
        round=rnd,
        unit=unit,
        versions=versions,
        shown=shown,
        view=audit_view(shown.audit) if shown and shown.audited else None,
        pending=audit_pending(site, unit, versions),
        deadline=deadline_text(rnd.deadline),
        carried=previous is not None,
        report_kinds=REPORT_KINDS,
        error=None,
    )


async def unit_template(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    rnd = await site.db(site.store.round, unit.round_id)
    previous = await _previous(site, rnd, unit)
    data, _carried = await site.run(
        audits.unit_template,
        rnd.year,
        rnd.edition,
        unit.name,
        unit.org_type,
        previous,
        client=f"单位{unit.id}",
        name=f"{unit.name}的填报表",
    )
    return download(data, f"{unit.name}{rnd.year}年政府信息公开工作年度报告填报表.xlsx")


async def upload(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    form = await read_form(request)
    data, name = await uploaded_file(request, form)
    sha256 = await site.db(site.store.put_blob, data)
    try:
        version = await site.db(
            site.store.add_version, unit, sha256=sha256, filename=name, size=len(data), ip=client_ip(request)
        )
    except StateError as exc:
        raise Problem(409, exc.message) from None
    await audit_version(site, unit, version, f"单位{unit.id}")  # a unit's share: its link is its identity
    return RedirectResponse(f"/u/{unit.token}?v={version.number}#result", status_code=303)


async def submit(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    form = await read_form(request)
    number = str(form.get("version", ""))
    if not number.isdigit():
        raise Problem(400, "请选择要上报的版本。")
    try:
        await site.db(site.store.submit, unit, int(number), client_ip(request))
    except StateError as exc:
        raise Problem(409, exc.message) from None
    return RedirectResponse(f"/u/{unit.token}", status_code=303)


async def version_download(request: Request, site, rnd, unit: Unit, *, allow_report) -> Response:
    """A stored version's files: the workbook as uploaded, its annotated copy, its report (when allowed)."""
    number = request.path_params["number"]
    version = await site.db(site.store.version, unit.id, int(number)) if str(number).isdigit() else None
    if version is None:
        raise Problem(404, "没有这一版。")
    kind = request.path_params["kind"]
    data = await site.db(site.store.read_blob, version.sha256)
    stem = Path(version.filename).stem
    if kind == "file":
        return download(data, version.filename)
    previous = await _previous(site, rnd, unit)
    if kind == "annotated.xlsx":
        out = await site.run(audits.annotated, data, version.filename, previous, client=f"单位{unit.id}")
        if out is None:
            raise Problem(422, "无法为这个文件生成标注副本（文件无法读取）。")
        return download(out, f"{stem}-标注.xlsx")
    if kind not in REPORT_KINDS:
        raise Problem(404, "没有这种下载。")
    if not version.audited or version.errors or not allow_report(version):
        raise Problem(409, "这一版不能生成报告：有错误，或尚未上报。")
    suffix = kind.removeprefix("report")
    out = await site.run(audits.report_file, data, version.filename, suffix, previous, client=f"单位{unit.id}")
    if out is None:
        raise Problem(409, "这一版有错误，不生成报告。")
    return download(out, f"{unit.name}{rnd.year}年政府信息公开工作年度报告{suffix}")


async def unit_file(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    rnd = await site.db(site.store.round, unit.round_id)

    def submitted(version: Version) -> bool:
        return unit.review in ("submitted", "passed") and unit.review_version_id == version.id

    return await version_download(request, site, rnd, unit, allow_report=submitted)


def routes() -> list[Route]:
    return [
        Route("/u/{token}", unit_home),
        Route("/u/{token}/template.xlsx", unit_template),
        Route("/u/{token}/upload", upload, methods=["POST"]),
        Route("/u/{token}/submit", submit, methods=["POST"]),
        Route("/u/{token}/versions/{number}/{kind}", unit_file),
    ]
