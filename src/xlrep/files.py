"""Writing output files without ever losing a clerk's work.

Every output is written to a temporary file in the target folder, flushed to disk,
and only then moved into place in one step: a crash or Ctrl-C never leaves a
half-written workbook. Without ``overwrite`` an existing file is never replaced,
not even by a file that appears between our check and our write. ``check_target``
is the one check of an output path every command makes before any work: an output
is never one of the inputs (by path or by file identity), whatever flag is given.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import XlrepError

#: OS errors as a clerk reads them (the OS's own text is English).
OS_ERRORS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在磁盘是只读的",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.EEXIST: "文件已存在",
    errno.EIO: "读写磁盘出错",
    errno.EMFILE: "打开的文件太多",
    errno.ELOOP: "路径中的符号链接太多（可能循环）",
}


def os_error_text(exc: OSError) -> str:
    """The reason of an OS error in Chinese."""
    return OS_ERRORS.get(exc.errno, f"系统错误 {exc.errno}" if exc.errno else "系统错误")


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file: the same resolved path, or the same file identity (links, case variants)."""
    try:
        if os.path.samefile(a, b):
            return True
    except (OSError, ValueError):
        pass
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return os.path.abspath(a) == os.path.abspath(b)


def check_target(
    target: Path,
    *,
    inputs: Iterable[tuple[Path, str]] = (),
    suffixes: Iterable[str] | None = None,
    overwrite: bool = False,
    flag: str = "--force",
    what: str = "输出文件",
    option: str = "-o",
) -> Path:
    """Refuse an output path before any work is done, with a Chinese message.

    ``inputs`` are (path, how the message names it) of every file the command reads;
    the output may be none of them, whatever ``overwrite`` says.
    """
    target = Path(target)
    if suffixes is not None:
        allowed = tuple(s.lower() for s in suffixes)
        if target.suffix.lower() not in allowed:
            raise XlrepError(f"{what}“{target}”的格式不对：扩展名须是 {' '.join(dict.fromkeys(allowed))}。")
    for path, role in inputs:
        if same_file(target, path):
            raise XlrepError(f"{what}不能写到{role}上：请用 {option} 指定另一个文件名。原文件没有改动。")
    try:
        if target.is_dir():
            raise XlrepError(f"“{target}”是文件夹，请写文件名。")
        parent = target.parent
        if not parent.exists():
            raise XlrepError(f"输出文件夹“{parent}”不存在，请先建立该文件夹或换一个位置。")
        if not parent.is_dir():
            raise XlrepError(f"“{parent}”不是文件夹。")
        if target.exists() and not overwrite:
            raise XlrepError(f"文件“{target}”已存在，未做任何改动。要覆盖它请加 {flag}，或换一个文件名。")
    except OSError as exc:
        raise XlrepError(f"无法写入“{target}”：{os_error_text(exc)}。") from None
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` in one step. Raises ``FileExistsError`` if it exists and not ``overwrite``."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(str(path))
    fd, tmp_name = tempfile.mkstemp(prefix=".xlrep-", suffix=".part", dir=path.parent)
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
                # Filesystems without hard links (some network shares, FAT): the best we can do.
                if path.exists():
                    raise FileExistsError(str(path)) from None
                os.replace(tmp, path)
            else:
                tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes, *, overwrite: bool = False, flag: str = "--force") -> None:
    """``write_atomically`` for the command line: every failure as a Chinese ``XlrepError``.

    ``flag`` is the option that allows replacing an existing file.
    """
    try:
        write_atomically(path, data, overwrite=overwrite)
    except FileExistsError:
        raise XlrepError(f"文件“{path}”已存在，未做任何改动。要覆盖它请加 {flag}，或换一个文件名。") from None
    except PermissionError:
        raise XlrepError(f"没有权限写入“{path}”：请换一个文件夹，或检查该文件是否正在被打开。") from None
    except OSError as exc:
        raise XlrepError(f"无法写入“{path}”：{os_error_text(exc)}。") from None


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
