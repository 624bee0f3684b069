"""``xlrep serve``: the office's collection site (units upload and see their audit; the office reviews and adds up).

Only ``xlrep serve`` imports this package: Starlette, Jinja2 and uvicorn are never loaded by the
other commands. ``run_server`` binds the address, prepares the data folder, prints how to sign in,
and runs the site until Ctrl+C.

May import: common, edition, workbook, checks, writer, importing, auditing, outputs, units
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
from pathlib import Path

from ..common.errors import XlrepError

NEEDED = ("starlette", "jinja2", "uvicorn", "multipart")


def _say(text: str = "") -> None:
    """A line on standard output, through ``safetext.for_terminal`` like every other command's."""
    from ..common.terminal import out

    out(text)


class TerminalFormatter(logging.Formatter):
    """Log lines (they quote request paths and exceptions) made safe for the terminal they are printed on."""

    def format(self, record: logging.LogRecord) -> str:
        from ..common.safetext import for_terminal

        return for_terminal(super().format(record), keep_newlines=True)


def _os_reason(exc: OSError) -> str:
    from ..common.files import os_error_text

    return os_error_text(exc)


def _check_components() -> None:
    import importlib.util

    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        names = {"multipart": "python-multipart"}
        raise XlrepError(
            "缺少运行网站所需的组件："
            + "、".join(names.get(m, m) for m in missing)
            + "。请在 xlrep 的文件夹中运行 pip install . 后再试。"
        )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio then sets TCP_NODELAY on every accepted connection (otherwise a response
    # written in two parts waits ~40 ms for the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if sys.platform == "win32":
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", socket.SO_REUSEADDR), 1)
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48, 10048) or "in use" in str(exc).lower():
            raise XlrepError(
                f"端口 {port} 已被占用（可能 xlrep serve 已经在运行）。请用 --port 换一个端口，如 --port 8080。"
            ) from None
        if exc.errno in (13, 10013):
            raise XlrepError(f"没有权限使用端口 {port}。请用 --port 换一个 1024 以上的端口，如 --port 8000。") from None
        raise XlrepError(f"无法在地址 {host} 端口 {port} 上启动：{_os_reason(exc)}。请检查 --host 是否写对。") from None
    sock.listen(256)
    return sock


def _lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, as its own name resolves (no packet is sent)."""
    try:
        _, _, addresses = socket.gethostbyname_ex(socket.gethostname())
    except OSError:
        return []
    return [a for a in addresses if not a.startswith("127.")]


def _url(scheme: str, host: str, port: int) -> str:
    shown = host if ":" not in host else f"[{host}]"
    return f"{scheme}://{shown}:{port}"


def _open_files_allow(wanted: int) -> int:
    """Raise this process's open-file limit as far as allowed; the connections that fit in it (a few dozen
    files stay for the database, uploads and workers)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted + 256)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(8, min(wanted, soft - 128))


def _check_options(data: Path, certfile, keyfile, max_upload_mb: int, workers: int | None) -> None:
    if (certfile is None) != (keyfile is None):
        raise XlrepError("启用 HTTPS 需要同时给出 --certfile（证书）和 --keyfile（私钥）。")
    for path, what in ((certfile, "证书文件"), (keyfile, "私钥文件")):
        if path is not None and not path.is_file():
            raise XlrepError(f"找不到{what}“{path}”。")
    if certfile is not None:
        import ssl

        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise XlrepError(f"证书或私钥无法使用（{exc}）。请确认两个文件是配套的 PEM 格式文件。") from None
    if max_upload_mb < 1:
        raise XlrepError("--max-upload-mb 须为正整数。")
    if workers is not None and workers < 1:
        raise XlrepError("--workers 须为正整数。")
    try:
        if data.exists() and not data.is_dir():
            raise XlrepError(f"“{data}”不是文件夹。请用 --data 指定存放数据的文件夹。")
    except OSError as exc:  # a name too long, …
        raise XlrepError(f"无法使用数据文件夹“{data}”：{_os_reason(exc)}。") from None


LOCK_NAME = "xlrep.lock"
_held: list = []  # the open lock files of this process (closing one would release its lock)


def _lock_folder(data: Path) -> None:
    """Hold the data folder for this process (released when it ends, even when killed): a second ``xlrep serve``
    on the same folder — another port, an upgrade, ``--reset-password`` — is refused, not run beside it."""
    try:
        data.mkdir(parents=True, exist_ok=True)
        handle = open(data / LOCK_NAME, "a+")  # noqa: SIM115 - kept open for the life of the process
    except OSError as exc:  # read-only, full, …: said as the store says it
        from .storage import data_folder_message

        raise XlrepError(data_folder_message(data, exc)) from None
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise XlrepError(
            f"数据文件夹“{data}”正被另一个 xlrep serve 使用。同一个数据文件夹只能开一个网站：请先停止那一个"
            "（在它的终端窗口按 Ctrl+C），再启动。"
        ) from None
    _held.append(handle)


def _open_store(data: Path, database: str | None = None, files: Path | None = None):
    """The data folder (or the PostgreSQL database and the files' folder), checked (database integrity and
    structure); a Chinese ``XlrepError`` if it cannot be used."""
    import sqlite3

    from .storage import DataFolderError, Store, data_folder_message

    if database:
        return _open_server_store(data, database, files)
    try:
        return Store(data, files=files)
    except (DataFolderError, OSError, sqlite3.Error) as exc:
        raise XlrepError(data_folder_message(data, exc)) from None


def _open_server_store(data: Path, database: str, files: Path | None):
    """``--database postgresql://…``: psycopg is needed (and imported) only here."""
    import importlib.util

    from .storage import DataFolderError, Store, data_folder_message
    from .storage_backends import shown_address

    if not database.startswith(("postgresql://", "postgres://")):
        raise XlrepError("--database 须是 PostgreSQL 数据库的地址，如 postgresql://用户名:密码@服务器:5432/数据库名。")
    if importlib.util.find_spec("psycopg") is None or importlib.util.find_spec("psycopg_pool") is None:
        raise XlrepError(
            "使用 PostgreSQL 数据库需要 psycopg 组件。请在 xlrep 的文件夹中运行 pip install '.[postgresql]' 后再试。"
        )
    try:
        return Store(data, database=database, files=files)
    except (DataFolderError, OSError) as exc:
        raise XlrepError(data_folder_message(files or data, exc)) from None
    except Exception as exc:  # noqa: BLE001 - psycopg's errors (not importable before here)
        if not type(exc).__module__.startswith(("psycopg", "psycopg_pool")):
            raise
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise XlrepError(
            f"无法使用数据库“{shown_address(database)}”（{reason}）。数据没有改动。"
            "请检查 --database 的地址、用户名、密码和数据库名，以及数据库服务器是否在运行、是否允许本机连接。"
        ) from None


def _announce(store, host: str, port: int, scheme: str, local: str, first_url: str, setup: bool, tls: bool) -> None:
    _say(f"xlrep 收集网站已启动：{local}/")
    from ..common.safetext import display_path

    if store.backend.kind == "sqlite":
        _say(f"数据文件夹：{display_path(store.folder.resolve())}" + ("（新建）" if store.created else ""))
    else:
        from .storage_backends import shown_address

        _say(f"数据库：{shown_address(store.backend.address)}" + ("（新建）" if store.created else ""))
    if store.files != store.folder / "files" or store.backend.kind != "sqlite":
        _say(f"上传的文件：{display_path(store.files.resolve())}")
    if store.removed_parts:
        _say(f"已删除上次中断时留下的 {store.removed_parts} 个未写完的临时文件（从未确认过，不缺任何数据）。")
    if host in ("0.0.0.0", "::"):
        _say(
            f"警告：网站对局域网开放（--host {host}），同一网络中的任何电脑都能访问。"
            + ("" if tls else "传输未加密，建议用 --certfile/--keyfile 启用 HTTPS。")
        )
        lan = _lan_addresses()
        if lan:
            _say("各单位访问地址：" + "  ".join(f"{_url(scheme, a, port)}/" for a in lan))
        else:
            _say(f"各单位访问地址：{scheme}://本机的局域网地址:{port}/（地址可用 ipconfig 或 ip addr 查看）")
    if setup:
        _say("首次使用：请在浏览器中打开下面的链接，设置管理员密码（链接只在本次运行期间有效）：")
        _say(f"  {first_url}")
    else:
        _say(f"政务公开办登录：{local}/admin")
    _say("按 Ctrl+C 停止。")


def run_server(
    data: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = True,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    max_upload_mb: int = 20,
    workers: int | None = None,
    reset_password: bool = False,
    audit_seconds: float = 5.0,
    audit_memory_mb: int = 768,
    max_connections: int = 500,
    request_timeout: float = 20.0,
    api_per_minute: int = 30,
    database: str | None = None,
    files: Path | None = None,
    proxy: str | None = None,
) -> int:
    """Run the site until interrupted; returns the exit code. Problems are ``XlrepError`` (Chinese).

    With ``reset_password`` the admin password is removed first (every browser signed out; the collected data
    untouched), so the start offers the first sign-in link again.

    ``database`` (``postgresql://…``): the records are kept there instead of the data folder's SQLite file, and
    several processes (on one machine or several, sharing the ``files`` folder) may serve the same site.
    ``proxy``: the address(es) of the reverse proxy in front (nginx), whose ``X-Forwarded-For`` names the client
    (the login throttle, the self-check's rate limit and the log count clients, not the proxy)."""
    _check_components()
    _check_options(data, certfile, keyfile, max_upload_mb, workers)
    if not audit_seconds > 0 or audit_memory_mb < 64:
        raise XlrepError("--audit-seconds 须为正数，--audit-memory-mb 至少 64。")
    if max_connections < 8 or api_per_minute < 1 or not request_timeout > 0:
        raise XlrepError("--max-connections 至少 8，--api-per-minute 须为正整数，--request-timeout 须为正数。")
    from .limits import Limits

    max_connections = _open_files_allow(max_connections)
    limits = Limits(
        audit_cpu_seconds=audit_seconds,
        audit_memory_mb=audit_memory_mb,
        max_connections=max_connections,
        header_seconds=request_timeout,
        body_idle_seconds=request_timeout,
        api_per_minute=api_per_minute,
    )

    import uvicorn

    from .app import create_app
    from .security import new_token

    sock = _bind(host, port)  # first: a start that cannot serve changes nothing in the data folder
    if not database:  # one site per data folder: no upgrade or reset under a running one (SQLite)
        _lock_folder(data)
    store = _open_store(data, database, files)
    if reset_password and store.reset_admin_password():
        _say("已清除管理员密码（已登录的浏览器都已退出；收集的数据没有改动）。请用下面的链接重新设置。")
    port = sock.getsockname()[1]
    scheme = "https" if certfile else "http"
    local = _url(scheme, "127.0.0.1" if host in ("0.0.0.0", "127.0.0.1") else host, port)
    setup_token = store.setup_token(new_token(18)) if store.needs_setup() else None
    first_url = f"{local}/setup/{setup_token}" if setup_token else f"{local}/admin"

    def ready() -> None:
        _announce(store, host, port, scheme, local, first_url, setup_token is not None, certfile is not None)
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(first_url,), daemon=True).start()

    app = create_app(
        data,
        max_upload=max_upload_mb * 1024 * 1024,
        workers=workers,
        https=certfile is not None,
        setup_token=setup_token,
        on_ready=ready,
        store=store,
        limits=limits,
    )
    from .connections import guarded_protocol

    handler = logging.StreamHandler()
    handler.setFormatter(TerminalFormatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("xlrep.serve")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        proxy_headers=bool(proxy),  # only from the proxy named: anyone else could claim any address
        forwarded_allow_ips=proxy or None,
        server_header=False,
        lifespan="on",
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        timeout_graceful_shutdown=10,
        http=guarded_protocol(limits),
        # asyncio accepts up to ``backlog`` connections at a time before any is closed: kept well inside the
        # file descriptors left over the connection cap
        backlog=32,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    from .connections import limit_logs

    limit_logs(limits.log_repeats, handler)  # after uvicorn.Config: it sets up uvicorn's own log handlers
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl+C (or SIGTERM) it handled: a normal stop
        pass
    finally:
        sock.close()
    if not server.started:
        raise XlrepError("网站未能启动（详见上面的信息）。")
    _say("xlrep 收集网站已停止。")
    return 0
