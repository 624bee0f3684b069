"""Connections and logs under hostile use: read deadlines, a connection cap, and logs that do not flood.

``guarded_protocol(limits)`` is uvicorn's h11 protocol with three additions:

- A request's headers must arrive within ``header_seconds`` (also for the next request on a kept-alive
  connection); its body may pause at most ``body_idle_seconds`` between two parts. A connection that does not
  keep to this is closed: a client trickling a byte every ten seconds holds nothing for long.
- At most ``max_connections`` are open. A new connection beyond that closes the oldest one that is idle or
  still sending its headers, or else the slowest one sending a body; if every connection is being answered,
  the new one is closed at once. A clerk opening the site while slow connections pile up is served.
- ``RepeatLimit``: a log filter letting the same message through at most ``log_repeats`` times a minute, then
  one line saying how many were left out.
"""

from __future__ import annotations

import logging
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MIN_BODY_RATE = 10 * 1024  # bytes per second: a body slower than this is the first to go when connections run out
GRACE = 2.0  # seconds before a body's rate is judged


def guarded_protocol(limits):
    """The h11 protocol class for uvicorn, bound to ``limits`` (``limits.Limits``)."""

    class Guarded(_GuardedProtocol):
        LIMITS = limits

    return Guarded


class _GuardedProtocol(H11Protocol):
    LIMITS = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._opened = self._phase_started = time.monotonic()
        self._received = 0
        self._deadline = None
        self._arm(self.LIMITS.header_seconds)
        if len(self.connections) > self.LIMITS.max_connections:
            victim = self._victim()
            (victim or self).transport.close()

    # -- which connection gives way ------------------------------------------------------------------------
    def _waiting_for_headers(self) -> bool:
        return self.conn.their_state in (h11.IDLE, h11.DONE) and (self.cycle is None or self.cycle.response_complete)

    def _sending_body(self) -> bool:
        return self.conn.their_state is h11.SEND_BODY

    def _slow(self, now: float) -> bool:
        elapsed = now - self._phase_started
        return elapsed > GRACE and self._received / elapsed < MIN_BODY_RATE

    def _victim(self):
        now = time.monotonic()
        others = [c for c in self.connections if c is not self and not c.transport.is_closing()]
        idle = [c for c in others if isinstance(c, _GuardedProtocol) and c._waiting_for_headers()]
        if idle:
            return min(idle, key=lambda c: c._opened)
        slow = [c for c in others if isinstance(c, _GuardedProtocol) and c._sending_body() and c._slow(now)]
        if slow:
            return min(slow, key=lambda c: c._received / max(1e-3, now - c._phase_started))
        return None

    # -- deadlines ---------------------------------------------------------------------------------------------
    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._waiting_for_headers() or self._sending_body():
            if self.cycle is not None and not self.cycle.response_complete:
                self.cycle.disconnected = True  # the application's receive() learns the client is gone
                self.cycle.message_event.set()
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        super().data_received(data)
        self._received += len(data)
        if self.transport.is_closing():
            return
        if self.cycle is not before or self._sending_body():
            if self.cycle is not before:  # the headers are complete: now the body, if any
                self._phase_started, self._received = time.monotonic(), 0
            if self._sending_body():
                self._arm(self.LIMITS.body_idle_seconds)
            else:
                self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._opened = time.monotonic()
            self._arm(self.LIMITS.header_seconds)  # the next request's headers, on a kept-alive connection

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


class RepeatLimit(logging.Filter):
    """At most ``per_minute`` records of one message (its template and logger) a minute; then a count."""

    def __init__(self, per_minute: int):
        super().__init__()
        self.per_minute = per_minute
        self._seen: dict[tuple[str, str], list] = {}  # key → [window start, count, left out]

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        key = (record.name, str(record.msg)[:200])
        entry = self._seen.get(key)
        if entry is None or now - entry[0] >= 60:
            if entry is not None and entry[2]:
                record.msg = f"（上一分钟内同样的记录又有 {entry[2]} 条，已省略）" + str(record.msg)
            if len(self._seen) > 1000:
                self._seen.clear()
            self._seen[key] = [now, 1, 0]
            return True
        entry[1] += 1
        if entry[1] <= self.per_minute:
            return True
        entry[2] += 1
        return False


class AcceptFailure(logging.Filter):
    """asyncio's “socket.accept() out of system resource” (a traceback each time) as one Chinese line: the
    open-file limit was reached for a moment; asyncio stops accepting for a second and goes on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("socket.accept() out of system resource"):
            record.msg = "连接过多，已达到系统允许打开的文件数：暂停接受新连接 1 秒（已有的连接不受影响）。"
            record.args = ()
            record.exc_info = record.exc_text = None
        return True


def limit_logs(per_minute: int, handler: logging.Handler) -> None:
    """Every log line of the site (its own, uvicorn's, asyncio's) through ``handler`` and one ``RepeatLimit``."""
    repeat, accept = RepeatLimit(per_minute), AcceptFailure()
    handler.addFilter(accept)
    handler.addFilter(repeat)
    for name in ("uvicorn", "uvicorn.error", "asyncio"):
        logger = logging.getLogger(name)
        for existing in logger.handlers:
            existing.addFilter(accept)
            existing.addFilter(repeat)
    asyncio_log = logging.getLogger("asyncio")
    if not asyncio_log.handlers:
        asyncio_log.addHandler(handler)
        asyncio_log.propagate = False
