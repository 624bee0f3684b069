"""The annotated copy of a workbook: each offending cell tinted by severity and carrying a comment.

Library code (the command line's ``--annotate`` and the site's download both use ``annotated_bytes``): it works on
the workbook as the audit read it, from its path or from the bytes it was given (nothing is written to disk).
"""

from __future__ import annotations

import io
import zipfile

from ..common.errors import XlrepError
from ..common.findings import ERROR, INFO, WARNING

FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C", INFO: "DDEBF7"}
#: The largest workbook (inflated) an annotated copy is made of: openpyxl loads a workbook whole, sheets the
#: audit never reads included, at about 15 times its size in memory. A filled template is about 0.2 MB.
ANNOTATE_LIMIT = 32 << 20


def write_annotated(audit, target, *, overwrite: bool) -> None:
    """The annotated copy written to ``target`` (``xlrep ingest --annotate``): never over an input, never over a
    file without ``--overwrite``, atomically."""
    from ..common.files import write_output

    write_output(target, annotated_bytes(audit), overwrite=overwrite, flag="--overwrite")


def annotated_bytes(audit) -> bytes:
    """The annotated copy of ``audit``'s workbook (an ``ingest.Audit``) as bytes; ``XlrepError`` if it cannot be
    made."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from ..common.findings import SEVERITY_NAMES
    from .report.model import clean_text

    source = audit.workbook()
    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    size = _inflated_size(opened)
    if size > ANNOTATE_LIMIT:
        raise XlrepError(
            f"“{audit.file.name}”解压后有 {size / (1 << 20):.0f} MB（多半是模板以外的工作表），太大，未生成标注副本；"
            "校验结果见上。请删去多余的工作表后重试。"
        )
    try:
        if isinstance(opened, io.BytesIO):
            opened.seek(0)
        wb = openpyxl.load_workbook(opened, keep_vba=audit.file.suffix.lower() == ".xlsm")
    except Exception as exc:  # our reader is stricter about safety, openpyxl about structure
        raise XlrepError(f"无法为“{audit.file.name}”生成标注副本（{type(exc).__name__}）；校验结果见上。") from None
    notes: dict[tuple[str, str], list] = {}
    for finding in audit.findings:
        for cell in finding.cells:
            if cell.sheet in wb.sheetnames:
                notes.setdefault((cell.sheet, cell.cell), []).append(finding)
    rank = {ERROR: 0, WARNING: 1, INFO: 2}
    for (sheet, a1), findings in notes.items():
        xl = wb[sheet][a1]
        worst = min(findings, key=lambda f: rank[f.severity]).severity
        xl.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = clean_text("\n\n".join(f"[{SEVERITY_NAMES[f.severity]} {f.rule}] {f.message}" for f in findings))
        comment = Comment(text[:30000], "xlrep")
        comment.width, comment.height = 360, min(600, 80 + 18 * (len(text) // 24))
        xl.comment = comment
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _inflated_size(source) -> int:
    """The declared inflated size of every part (zipfile never inflates a part past its declared size)."""
    try:
        with zipfile.ZipFile(source) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        return 0
