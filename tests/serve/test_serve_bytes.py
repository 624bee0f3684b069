"""The site hands uploads to the library as bytes: a running site audits an upload, a published report and a
damaged file, makes the report, the annotated copy, a unit's template and its audit — and neither its process nor
its workers ever make a file or folder in the system's temporary folder (the site used to write every upload
there). Every process of the site loads a ``sitecustomize`` that logs each such call of ``tempfile``."""

from __future__ import annotations

import re
import textwrap

from crafted import filled
from serve_support import Client, ServerProcess, create_round, set_up_admin, unescape, unit_links


def test_uploads_are_audited_without_a_temporary_file(tmp_path):
    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import REPORT_SUFFIXES, build_report, render

    watched = tmp_path / "tmp"
    watched.mkdir()
    hooks, log = tmp_path / "hooks", tmp_path / "tempfile.log"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(_LOGGING_TEMPFILE.format(log=str(log)), encoding="utf-8")
    workbook = filled()
    published = render(build_report(audit(workbook, name="2021.xlsx")), ".html")
    server = ServerProcess(tmp_path / "data", env={"TMPDIR": str(watched), "PYTHONPATH": str(hooks)})
    try:
        clerk = Client(server.url)
        for name, data in (("某某局填报表.xlsx", workbook), ("2021年报告.html", published)):
            answer = clerk.upload("/check", name, data, form_page="/")
            assert answer.status == 200, unescape(answer.text)
            page = unescape(answer.text)
            token = re.search(r'href="/check/([^/"]+)/annotated\.xlsx"', page).group(1)
            for suffix in REPORT_SUFFIXES:  # every format of the registry is offered and made
                assert f"/check/{token}/report{suffix}" in page
            report = clerk.get(f"/check/{token}/report.docx")
            assert report.status == 200 and report.body.startswith(b"PK")
            assert report.headers["content-type"].endswith("wordprocessingml.document")
            if name.endswith(".xlsx"):  # a published report has no workbook of its own to annotate
                assert clerk.get(f"/check/{token}/annotated.xlsx").body.startswith(b"PK")
        broken = clerk.upload("/check", "损坏的.xlsx", workbook[:2000], form_page="/")
        assert broken.status == 422 and "“损坏的.xlsx”" in unescape(broken.text)
        assert "/tmp" not in unescape(broken.text) and str(watched) not in unescape(broken.text)

        admin = set_up_admin(server)
        round_id = create_round(admin, [("某某局", "县级以上人民政府部门")])
        link = unit_links(admin, round_id)["某某局"]
        unit = Client(server.url)
        template = unit.get(f"{link}/template.xlsx")
        assert template.status == 200 and template.body.startswith(b"PK")
        uploaded = unit.upload(f"{link}/upload", "某某局.xlsx", workbook, form_page=link)
        assert uploaded.status == 303, unescape(uploaded.text)
    finally:
        server.stop()
    logged = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    # openpyxl saves each sheet of the annotated copy through a temporary file of its own (its writer has no
    # in-memory mode in its public API): the one exception, named by its prefix
    assert [line for line in logged if not line.endswith(" openpyxl.")] == []
    assert sorted(p.name for p in watched.iterdir()) == []


def test_the_hook_sees_a_temporary_folder(tmp_path):
    """The ``sitecustomize`` above does log what the site used to do (so an empty log means something)."""
    import subprocess
    import sys

    hooks, log = tmp_path / "hooks", tmp_path / "tempfile.log"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(_LOGGING_TEMPFILE.format(log=str(log)), encoding="utf-8")
    probe = "import tempfile\nwith tempfile.TemporaryDirectory(prefix='xlrep-'):\n    pass\ntempfile.mkstemp(dir='.')"
    subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(hooks)}, cwd=tmp_path, check=True)
    logged = log.read_text(encoding="utf-8").splitlines()
    assert any("TemporaryDirectory" in line for line in logged)
    assert not any("mkstemp" in line for line in logged)  # a file beside a target (dir=…) is not logged


_LOGGING_TEMPFILE = textwrap.dedent(
    """
    import functools, os, tempfile

    def _logged(name, original):
        @functools.wraps(original)
        def call(*args, **kwargs):
            where = kwargs.get("dir", args[2] if name in ("mkstemp", "mkdtemp") and len(args) > 2 else None)
            if where is None:  # in the system's temporary folder
                with open({log!r}, "a", encoding="utf-8") as handle:
                    handle.write(f"{{os.getpid()}} {{name}} {{kwargs.get('prefix')}}\\n")
            return original(*args, **kwargs)
        return call

    for _name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "TemporaryDirectory"):
        setattr(tempfile, _name, _logged(_name, getattr(tempfile, _name)))
    """
)
