"""Reading inputs as bytes or paths, and writing output files without ever losing a clerk's work.

Every library entry point (``ingest.audit``, ``importing.import_report``, ``reader.read_workbook``)
takes a file's path or its bytes (an upload) with the name messages call it by: ``Source``,
``source_name`` and ``check_regular_file``/``read_limited`` are the checks both share.

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
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import XlrepError

#: What a library function reads: a file's path, or the file's bytes (an upload, a workbook made in memory).
Source = bytes | bytearray | memoryview | str | os.PathLike

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


def is_data(source: object) -> bool:
    """Whether ``source`` is a file's bytes rather than its path."""
    return isinstance(source, (bytes, bytearray, memoryview))


def source_name(source: Source, name: str | None = None, default: str = "上传的文件") -> Path:
    """How messages and results name ``source``: ``name`` when given (an upload's file name), else its path;
    bytes without a name are called ``default``."""
    if name:
        return Path(name)
    if is_data(source):
        return Path(default)
    return Path(source)


def check_regular_file(path: Path, fail: Callable[[str], Exception], what: str, kind: str) -> None:
    """Refuse, before opening it, a path that is not a readable regular file (a FIFO would block forever).

    ``fail(message)`` makes the exception raised; ``what`` is the file expected in the message about a folder
    (工作簿文件, 报告文件), ``kind`` the one asked for in the message about a pipe (填报表文件, 报告文件)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise fail(f"找不到文件“{path}”。") from None
    except PermissionError:
        raise fail(f"没有权限读取“{path}”。") from None
    except (OSError, ValueError) as exc:
        reason = os_error_text(exc) if isinstance(exc, OSError) else "路径无效"
        raise fail(f"无法读取“{path}”：{reason}。") from None
    if stat.S_ISDIR(mode):
        raise fail(f"“{path}”是文件夹，不是{what}。")
    if not stat.S_ISREG(mode):
        raise fail(f"“{path}”不是普通文件（是管道、设备或套接字），无法读取。请给出{kind}。")


def check_size(size: int, name: str, limit: int, fail: Callable[[str], Exception]) -> None:
    """Refuse an empty input, or one larger than ``limit`` bytes (Chinese messages naming ``name``)."""
    if size == 0:
        raise fail(f"“{name}”是空文件（0 字节）。")
    if size > limit:
        raise fail(f"“{name}”有 {size // (1 << 20)} MB，远大于一份年度报告，不像是报告文件，已停止读取。")


def read_limited(
    source: Source, name: Path, limit: int, fail: Callable[[str], Exception], what: str, kind: str
) -> bytes:
    """The input's bytes, refusing what is not a regular file, empty or over ``limit`` bytes. ``source`` given as
    bytes is checked the same way (no file is touched)."""
    if is_data(source):
        data = bytes(source)
        check_size(len(data), name.name, limit, fail)
        return data
    path = Path(source)
    check_regular_file(path, fail, what, kind)
    try:
        check_size(path.stat().st_size, name.name, limit, fail)
        return path.read_bytes()
    except PermissionError:
        raise fail(f"没有权限读取“{path}”。") from None
    except OSError as exc:
        raise fail(f"无法读取“{path}”：{os_error_text(exc)}。") from None


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
