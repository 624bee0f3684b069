"""Passwords, sessions, CSRF tokens, the login throttle, security headers and the upload size cap.

- The admin password is hashed with scrypt (memory-hard, in the standard library).
- Sessions and CSRF are random tokens in HttpOnly, SameSite=Strict cookies (Secure over HTTPS, also behind a
  TLS-terminating proxy: ``secure_cookies``); the database keeps
  only a session token's SHA-256. A form's CSRF token is an HMAC of the browser's CSRF cookie
  under the site's secret (signed double submit), so it needs no server-side state.
- Every response carries a CSP without inline script or style, nosniff, frame-ancestors 'none'
  and no-referrer (a unit's private link must not leak to another site through the Referer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time

SESSION_COOKIE = "xlrep_session"
CSRF_COOKIE = "xlrep_csrf"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME = 12 * 3600  # one working day
LOGIN_WINDOW = 15 * 60  # seconds
LOGIN_MAX_FAILURES = 5  # per client address within the window
MIN_PASSWORD_LENGTH = 8

# n=2**15, r=8: 32 MiB of memory and about a tenth of a second per guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024
# At most this many hashes at once (each takes 32 MiB): a burst of logins waits instead of piling up memory.
SCRYPT_AT_ONCE = threading.BoundedSemaphore(2)

# What an unknown login's password is checked against (no password matches it): a wrong login costs the
# same time as a wrong password, so timing does not tell which logins exist.
DUMMY_HASH = "scrypt$32768$8$1$" + "A" * 22 + "==$" + "A" * 43 + "="

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    with SCRYPT_AT_ONCE:
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=SCRYPT_MAXMEM, dklen=32
        )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        with SCRYPT_AT_ONCE:
            actual = hashlib.scrypt(
                password.encode("utf-8"),
                salt=base64.b64decode(salt),
                n=int(n),
                r=int(r),
                p=int(p),
                maxmem=SCRYPT_MAXMEM,
                dklen=len(expected),
            )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def password_problem(password: str, repeated: str) -> str | None:
    """Why a new admin password is not acceptable (Chinese), or None."""
    if password != repeated:
        return "两次输入的密码不一致。"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 个字符。"
    if len(set(password)) < 4:
        return "密码过于简单，请换一个。"
    return None


def secure_cookies(scope, https: bool) -> bool:
    """Whether the cookies answering this request are ``Secure``: the site has its own certificate (``https``), or
    the request reached the reverse proxy over HTTPS. uvicorn takes the proxy's ``X-Forwarded-Proto`` into the
    request's scheme only from the addresses ``--proxy`` names (anyone else's header is ignored), so behind nginx
    terminating TLS the session and CSRF cookies are Secure, and a client cannot make them otherwise."""
    return https or scope.get("scheme") == "https"


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_for(secret: bytes, cookie: str) -> str:
    return hmac.new(secret, b"csrf:" + cookie.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, cookie: str | None, submitted: str | None) -> bool:
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(csrf_for(secret, cookie), submitted)


def throttle_wait(
    failures: list[float],
    now: float | None = None,
    *,
    window: float = LOGIN_WINDOW,
    max_failures: int = LOGIN_MAX_FAILURES,
) -> int:
    """Seconds the client must wait before the next login attempt (0: it may try now).

    After ``max_failures`` failures within ``window`` (``LOGIN_MAX_FAILURES``, ``LOGIN_WINDOW``), attempts are
    refused until the oldest of those failures leaves the window.
    """
    now = time.time() if now is None else now
    recent = [t for t in failures if t > now - window]
    if len(recent) < max_failures:
        return 0
    return max(1, int(recent[-max_failures] + window - now) + 1)


# -- file names -----------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the real (Chinese) name as RFC 5987 ``filename*``.

    The name is made by ``safetext.for_filename`` (at most 255 bytes, extension kept): what the
    browser saves is a valid file name on the clerk's disk, however long the unit's name.
    """
    from urllib.parse import quote

    from ..common.safetext import for_filename

    filename = for_filename(filename, extension=True, default="download")
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_")
    fallback = (ascii_stem if re.search(r"[A-Za-z0-9]", ascii_stem) else "download") + (f".{suffix}" if dot else "")
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# -- ASGI middleware ------------------------------------------------------------------------------


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(SECURITY_HEADERS)]
                message = dict(message, headers=headers + SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


def _content_length(scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413.

    A declared Content-Length over the limit is answered at once, after reading the body away (up to
    ``drain`` bytes) so that the client, still sending, reads the answer instead of a reset connection.
    A chunked body is counted as it arrives.
    """

    def __init__(self, app, limit: int, on_too_large, drain: int | None = None):
        self.app = app
        self.limit = limit
        self.drain = drain if drain is not None else max(4 * limit, 100 * 1024 * 1024)
        self.on_too_large = on_too_large  # (scope) -> ASGI response app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            if declared <= self.drain:
                await self._discard(receive)
            return await self.on_too_large(scope)(scope, receive, send)
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            if received <= self.drain:
                await self._discard(receive)
            await self.on_too_large(scope)(scope, receive, send)

    @staticmethod
    async def _discard(receive) -> None:
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
