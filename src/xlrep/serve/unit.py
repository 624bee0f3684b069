"""A unit's pages, reached only through its private link ``/u/<token>``: template, upload, audit, 上报.

Everything a unit can see or do is looked up through its own token: another unit's versions,
files and findings are never reachable from it (a version number of another unit is simply 404).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..outputs.report import REPORT_SUFFIXES
from . import audits
from .belonging import issued_to, round_findings, unit_code, with_round_findings
from .records import NewerVersion, StateError, Unit, Version, closed_for, open_until
from .views import Problem, audit_view, client_ip, deadline_text, download, read_form, render, uploaded_file

#: The report downloads of a version (``report`` + suffix), one per format the report registry offers.
REPORT_KINDS = tuple(f"report{suffix}" for suffix in REPORT_SUFFIXES)
# What a redirect may ask the unit's page to say (fixed words: a link cannot put its own text on the page).
NOTICES = {
    "newer": "没有上报：在您打开页面之后，本单位又上传了一版（可能是另一位同事）。下面是最新一版的校验结果，"
    "请核对后再确认上报。",
}


INVALID_LINK = "这个填报链接无效。请检查链接是否完整，或向政务公开办索取本单位的专用链接。"


def _unit_of(store, token: str) -> Unit | None:
    """The unit whose link this is (None: not a link, or no longer a unit's)."""
    return store.unit_by_token(token) if 16 <= len(token) <= 64 else None


async def _unit(request: Request) -> Unit:
    site = request.app.state.site
    found = await site.db(_unit_of, site.store, request.path_params["token"])
    if found is None:
        raise Problem(404, INVALID_LINK)
    return found


def _previous_of(store, rnd, unit: Unit) -> tuple[bytes, str] | None:
    """Last year's workbook of this unit (the version the office passed in the previous round)."""
    accepted = store.accepted_version(rnd.previous_id, unit)
    return (store.read_blob(accepted.sha256), accepted.filename) if accepted is not None else None


async def _previous(site, rnd, unit: Unit) -> tuple[bytes, str] | None:
    return await site.db(_previous_of, site.store, rnd, unit)


def _audit_inputs(store, unit: Unit, version: Version, data: bytes | None):
    """What auditing ``version`` needs, read in one call to the store: its round, its bytes (unless the upload
    just gave them), last year's workbook (a unit) or how many units the lower office's round stands for (a lower
    office's line)."""
    rnd = store.round(unit.round_id)
    data = store.read_blob(version.sha256) if data is None else data
    if unit.is_lower:
        return rnd, data, None, store.units_below(unit.member_round_id) if unit.member_round_id else None
    return rnd, data, _previous_of(store, rnd, unit), None


async def audit_version(
    site, unit: Unit, version: Version, client: str | None = None, data: bytes | None = None, inputs=None
) -> dict:
    """Audit a stored upload (with PREV-* against last year's accepted workbook) and record the result.
    ``data``: the version's bytes when the caller holds them (the upload), else read from the store; ``inputs``:
    ``_audit_inputs`` when the caller read them already (the upload, in the store call that recorded it)."""
    mine = version.audited or version.audit_claimed_by == site.store.owner
    if not mine and not await site.db(site.store.claim_audit, version.id):
        return {}  # another process of the site audits it now (storage.CLAIM_SECONDS)
    site.auditing.add(version.id)
    try:
        rnd, data, previous, listed = inputs or await site.db(_audit_inputs, site.store, unit, version, data)
        if unit.is_lower:  # a lower office's 汇总: its tables and its units (HIER-*), no text, no last year
            args = (audits.check_lower_office, data, version.filename, rnd.edition, rnd.year, listed)
            outcome = await site.run(*args, client=client, factor=4.0)
        else:
            outcome = await site.run(audits.check, data, version.filename, previous, client=client)
        issued = (outcome.get("belongs") or {}).get("unit")
        foreign = issued and issued != unit_code(site.store.site_id, unit.id)
        units = await site.db(site.store.units, rnd.id) if foreign else []  # to name whose file it is
        offices = await _offices(site, rnd, unit) if unit.is_lower else ()
        found = round_findings(site.store.site_id, rnd, unit, units, outcome, version.filename, offices)
        outcome["audit"] = with_round_findings(outcome["audit"], found)
        await site.db(
            site.store.set_audit,
            version.id,
            outcome["audit"],
            outcome.get("org_name"),
            outcome.get("content"),
            outcome.get("phone"),
        )
        return outcome
    finally:
        site.auditing.discard(version.id)


async def _offices(site, rnd, unit: Unit) -> tuple[str, ...]:
    """For a lower office's line: the name of the round's own office, and of the office whose round the line stands
    for (its name now: it may have changed since the line was made)."""
    own = await site.db(site.store.office, rnd.office_id) if rnd.office_id is not None else None
    names = [own.name if own is not None else ""]
    lower = await site.db(site.store.round, unit.member_round_id) if unit.member_round_id else None
    office = await site.db(site.store.office, lower.office_id) if lower and lower.office_id is not None else None
    if office is not None:
        names.append(office.name)
    return tuple(names)


def audit_again(site, unit: Unit) -> bool:
    """Audit the unit's latest upload again in the background (after a rename: ROUND-ORG-NAME compares its 机关名称
    with the new name), unless it is 已上报 or 已通过 — what was reported, with its 说明, stays as it was."""

    latest = unit.latest
    if latest is None or unit.review in ("submitted", "passed") or latest.id in site.auditing:
        return False
    _audit_in_background(site, unit, latest)
    return True


def _audit_in_background(site, unit: Unit, version: Version) -> None:
    """Audit ``version`` in a task of the site (marked as being audited until it ends)."""
    import asyncio

    site.auditing.add(version.id)
    task = asyncio.get_running_loop().create_task(audit_version(site, unit, version))
    site.background.add(task)
    task.add_done_callback(site.background.discard)


def audit_pending(site, unit: Unit, versions: list[Version]) -> bool:
    """Start auditing the unit's uploads whose audit was cut off (a restart, a failed worker); True if any."""

    pending = [v for v in versions if not v.audited]
    for version in pending:
        if version.id not in site.auditing:
            _audit_in_background(site, unit, version)
    return bool(pending)


def _unit_page(store, token: str):
    """The unit of the link, its round, its versions (newest first) and last year's passed version, in one call to
    the store; None for a link that is not (or no longer) a unit's."""
    unit = _unit_of(store, token)
    if unit is None:
        return None
    rnd = store.round(unit.round_id)
    return unit, rnd, store.versions(unit.id), store.accepted_version(rnd.previous_id, unit)


async def unit_home(request: Request) -> Response:
    site = request.app.state.site
    found = await site.db(_unit_page, site.store, request.path_params["token"])
    if found is None:
        raise Problem(404, INVALID_LINK)
    unit, rnd, versions, previous = found
    wanted = request.query_params.get("v", "")
    shown = next((v for v in versions if str(v.number) == wanted), None) if wanted else None
    shown = shown or (versions[0] if versions else None)
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
        error=NOTICES.get(request.query_params.get("notice", "")),
        closed=closed_for(rnd, unit),
        until=open_until(rnd, unit),
    )


async def unit_template(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    if unit.is_lower:
        raise Problem(409, "下级机构报送的是本机构的汇总表，没有填报表可下载。请在本机构的收集中生成汇总表后上传。")
    rnd = await site.db(site.store.round, unit.round_id)
    previous = await _previous(site, rnd, unit)
    identity = issued_to(site.store.site_id, rnd, unit)
    data, _carried = await site.run(
        audits.unit_template,
        rnd.year,
        rnd.edition,
        unit.name,
        unit.org_type,
        previous,
        identity,
        client=f"单位{unit.id}",
        name=f"{unit.name}的填报表",
    )
    return download(data, unit.name, suffix=f"{rnd.year}年政府信息公开工作年度报告填报表.xlsx")


def _record_upload(store, unit: Unit, data: bytes, name: str, ip: str | None) -> Version:
    """Store an upload's bytes and record it as the unit's next version (``StateError`` when the unit may not
    upload now: asked before the bytes are stored, so a refused upload leaves nothing on the disk)."""
    store.refuse_upload(unit)
    sha256 = store.put_blob(data)
    return store.add_version(unit, sha256=sha256, filename=name, size=len(data), ip=ip)


def _upload_recorded(store, unit: Unit, data: bytes, name: str, ip: str | None):
    """(One call to the store, one thread hop.) ``_record_upload``, and what the new version's audit needs."""
    version = _record_upload(store, unit, data, name, ip)
    return version, _audit_inputs(store, unit, version, data)


async def upload(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    form = await read_form(request)
    data, name = await uploaded_file(request, form)
    try:
        version, inputs = await site.db(_upload_recorded, site.store, unit, data, name, client_ip(request))
    except StateError as exc:
        raise Problem(409, exc.message) from None
    await audit_version(site, unit, version, f"单位{unit.id}", data, inputs)  # a unit's share: its link, its identity
    return RedirectResponse(f"/u/{unit.token}?v={version.number}#result", status_code=303)


async def submit(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    form = await read_form(request, max_fields=2000)  # a 说明 for each 提示: as many fields as a version has
    number = str(form.get("version", ""))
    if not number.isdigit():
        raise Problem(400, "请选择要上报的版本。")
    explanations = {
        key.removeprefix("explain-"): str(value)
        for key, value in form.multi_items()
        if isinstance(key, str) and key.startswith("explain-") and isinstance(value, str)
    }
    try:
        await site.db(site.store.submit, unit, int(number), client_ip(request), explanations)
    except NewerVersion as exc:  # another clerk uploaded since this page was shown: show that version's result
        return RedirectResponse(f"/u/{unit.token}?v={exc.latest}&notice=newer#result", status_code=303)
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
        return download(out, stem, suffix="-标注.xlsx")
    if kind not in REPORT_KINDS:
        raise Problem(404, "没有这种下载。")
    if not version.audited or version.errors or not allow_report(version):
        raise Problem(409, "这一版不能生成报告：有错误，或尚未上报。")
    suffix = kind.removeprefix("report")
    out = await site.run(audits.report_file, data, version.filename, suffix, previous, client=f"单位{unit.id}")
    if out is None:
        raise Problem(409, "这一版有错误，不生成报告。")
    return download(out, unit.name, suffix=f"{rnd.year}年政府信息公开工作年度报告{suffix}")


async def version_view_page(request: Request, site, rnd, unit: Unit, back: str, *, admin: bool = False) -> Response:
    """A stored version as the report renders it (its tables and text; a draft while it has errors), the cells
    its findings name marked by severity."""
    number = request.path_params["number"]
    version = await site.db(site.store.version, unit.id, int(number)) if str(number).isdigit() else None
    if version is None:
        raise Problem(404, "没有这一版。")
    data = await site.db(site.store.read_blob, version.sha256)
    shown = await site.run(audits.version_view, data, version.filename, await _previous(site, rnd, unit))
    if shown is None:
        raise Problem(422, "这一版无法读取，不能显示。")
    return render(
        request, "version_view.html", admin=admin, round=rnd, unit=unit, version=version, shown=shown, back=back
    )


async def unit_version_view(request: Request) -> Response:
    site = request.app.state.site
    unit = await _unit(request)
    rnd = await site.db(site.store.round, unit.round_id)
    return await version_view_page(request, site, rnd, unit, f"/u/{unit.token}")


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
        Route("/u/{token}/versions/{number}/view", unit_version_view),
        Route("/u/{token}/versions/{number}/{kind}", unit_file),
    ]
