"""An audit as a file: the annotated copy of the workbook (the listing on a terminal is ``xlrep.cli.show``)."""

from __future__ import annotations

import io
from pathlib import Path

from .errors import XlrepError
from .files import write_output
from .findings import ERROR, INFO, WARNING
from .ingest import Audit
from .report.model import clean_text
from .rules import SEVERITY_NAMES

FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C", INFO: "DDEBF7"}


def write_annotated(audit: Audit, target: Path, *, overwrite: bool) -> None:
    """A copy of the workbook with each offending cell tinted and carrying a comment."""
    write_output(target, annotated_bytes(audit), overwrite=overwrite, flag="--overwrite")


#: The largest workbook (inflated) an annotated copy is made of: openpyxl loads a workbook whole, sheets the
#: audit never reads included, at about 15 times its size in memory. A filled template is about 0.2 MB.
ANNOTATE_LIMIT = 32 << 20


def annotated_bytes(audit: Audit) -> bytes:
    """The annotated copy (see ``write_annotated``) as bytes; ``XlrepError`` if it cannot be made."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    size = _inflated_size(audit.file)
    if size > ANNOTATE_LIMIT:
        raise XlrepError(
            f"“{audit.file.name}”解压后有 {size / (1 << 20):.0f} MB（多半是模板以外的工作表），太大，未生成标注副本；"
            "校验结果见上。请删去多余的工作表后重试。"
        )
    try:
        wb = openpyxl.load_workbook(audit.file, keep_vba=audit.file.suffix.lower() == ".xlsm")
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


def _inflated_size(path: Path) -> int:
    """The declared inflated size of every part (zipfile never inflates a part past its declared size)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        return 0
