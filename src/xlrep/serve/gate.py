"""What every request passes before the site reads its body: the origin check, the self-check rate limit and
the bytes of uploads the server holds at once.

- A browser's post from another site (``Origin`` of another host, ``Sec-Fetch-Site: cross-site``) is refused:
  no page a clerk visits can make the clerk's browser post files here. Scripts send neither header and are
  not affected (``curl -F file=@填报表.xlsx http://…/api/check``).
- The self-check (``/check``, ``/api/check``: anyone, nothing stored) allows ``api_per_minute`` posts per client
  address and minute (a token bucket).
- An upload reserves its declared size (or the upload limit, when undeclared) before its body is read; when the
  uploads being received or audited already hold ``queued_bytes``, it is refused with 503 and a Chinese message,
  so the server's memory stays bounded under a flood of large posts.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

UPLOAD_PATHS = ("/check", "/api/check")


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _is_upload(path: str) -> bool:
    return path in UPLOAD_PATHS or (path.startswith("/u/") and path.endswith("/upload"))


def foreign_origin(scope) -> bool:
    """Whether a browser says this request comes from a page of another site."""
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None:  # a current browser says where the post comes from
        return fetch_site.lower() not in ("same-origin", "none")
    origin = _header(scope, b"origin")
    if origin is None or origin == "null":
        # a script, or an older browser (its own forms send Origin: null under this site's no-referrer policy)
        return False
    host = _header(scope, b"host") or ""
    parts = urlsplit(origin)
    return not parts.netloc or parts.netloc.lower() != host.lower()


class Buckets:
    """Per-address token buckets: ``per_minute`` requests a minute, refilled continuously."""

    def __init__(self, per_minute: int, max_addresses: int = 10_000):
        self.per_minute, self.max_addresses = per_minute, max_addresses
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, address: str, now: float | None = None) -> float:
        """0 if the request may go on (a token taken), else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(address, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60)
        if tokens < 1:
            self._buckets[address] = (tokens, now)
            return (1 - tokens) * 60 / self.per_minute
        self._buckets[address] = (tokens - 1, now)
        if len(self._buckets) > self.max_addresses:  # forget the full buckets (they are the default anyway)
            for key in [k for k, (t, _) in self._buckets.items() if t >= self.per_minute - 1][: self.max_addresses]:
                self._buckets.pop(key, None)
        return 0.0


class RequestGate:
    """ASGI middleware (inside Starlette, so ``scope["app"]`` is the site): refuses before the body is read."""

    def __init__(self, app, *, per_minute: int, queued_bytes: int, upload_limit: int, refuse):
        self.app = app
        self.buckets = Buckets(per_minute)
        self.queued_bytes = queued_bytes
        self.upload_limit = upload_limit
        self.held = 0  # bytes reserved by the uploads being received or audited now
        self.refuse = refuse  # (scope, status, message) -> ASGI response app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if foreign_origin(scope):
            return await self._refuse(
                scope,
                receive,
                send,
                403,
                "来自其他网站的提交，已拒绝（为防止别的网页借您的浏览器向本网站提交文件）。请直接在本网站的页面上操作。",
            )
        if path in UPLOAD_PATHS:
            client = scope.get("client")
            wait = self.buckets.take(client[0] if client else "?")
            if wait:
                seconds = max(1, int(wait + 0.999))
                return await self._refuse(
                    scope,
                    receive,
                    send,
                    429,
                    f"自查太频繁（每个地址每分钟最多 {self.buckets.per_minute} 次），请 {seconds} 秒后再试。",
                )
        if not _is_upload(path):
            return await self.app(scope, receive, send)
        size = self._declared(scope)
        if self.held and self.held + size > self.queued_bytes:
            return await self._refuse(
                scope, receive, send, 503, "服务器正忙：正在接收和校验的文件太多。请一两分钟后再试，您的文件没有保存。"
            )
        self.held += size
        try:
            await self.app(scope, receive, send)
        finally:
            self.held -= size

    def _declared(self, scope) -> int:
        text = _header(scope, b"content-length")
        if text is not None and text.isdigit():
            return min(int(text), self.upload_limit)
        return self.upload_limit

    async def _refuse(self, scope, receive, send, status: int, message: str) -> None:
        await self._drain(receive, self.upload_limit + 1024 * 1024)
        await self.refuse(scope, status, message)(scope, receive, send)

    @staticmethod
    async def _drain(receive, limit: int) -> None:
        """Read the body away (up to ``limit`` bytes, nothing kept) so the client reads the answer, not a reset."""
        received = 0
        while received <= limit:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
            received += len(message.get("body", b""))
