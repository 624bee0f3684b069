"""Writing output files without ever losing a clerk's work.

Every output is written to a temporary file in the target folder, flushed to disk,
and only then moved into place in one step: a crash or Ctrl-C never leaves a
half-written workbook. Without ``overwrite`` an existing file is never replaced,
not even by a file that appears between our check and our write.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class XlrepError(Exception):
    """An error the user can act on; ``message`` is Chinese, ``exit_code`` is the process exit code."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` in one step. Raises ``FileExistsError`` if it exists and not ``overwrite``."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(str(path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                # A hard link fails if the target exists: no window in which a file could be clobbered.
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:
                # Filesystems without hard links (some network shares): the best we can do.
                if path.exists():
                    raise FileExistsError(str(path)) from None
                os.replace(tmp, path)
            else:
                tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes, *, overwrite: bool = False, flag: str = "--force") -> None:
    """``write_atomically`` for the command line: every failure as a Chinese ``XlrepError`` (exit 2).

    ``flag`` is the option that allows replacing an existing file.
    """
    try:
        write_atomically(path, data, overwrite=overwrite)
    except FileExistsError:
        raise XlrepError(f"文件“{path}”已存在，未做任何改动。要覆盖它请加 {flag}，或换一个文件名。") from None
    except PermissionError:
        raise XlrepError(f"没有权限写入“{path}”：请换一个文件夹，或检查该文件是否正在被打开。") from None
    except OSError as exc:
        raise XlrepError(f"无法写入“{path}”：{exc.strerror or exc}。") from None


def rewrite_zip_member(package: bytes, member: str, transform) -> bytes:
    """An OOXML package (bytes) with one part passed through ``transform(bytes) -> bytes``, the rest copied."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, transform(data) if info.filename == member else data)
    return out.getvalue()
