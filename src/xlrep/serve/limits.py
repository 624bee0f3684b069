"""The site's limits: what one file, one client and all clients together may cost the server.

One hostile request must not make the site unavailable to the others (issue 22). Each audit runs in a
worker process under a budget the worker enforces on itself (CPU seconds and memory, as resource limits)
and the site enforces from outside (a wall-clock deadline after which the worker is killed and replaced).
A client may have only a few audits and a few files waiting; all clients together only so many bytes.
Connections are capped and must send their request within a deadline (slow senders are dropped first).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    audit_cpu_seconds: float = 5.0  # CPU time for one file's audit (or report, annotated copy, template)
    audit_memory_mb: int = 768  # memory one audit may add to its worker
    audit_wall_seconds: float | None = None  # killed after this; default: 3 × CPU + 10 s
    client_audits: int = 3  # audits one client address may have waiting or running
    queued_mb: int | None = None  # bytes of uploads waiting or being audited, all clients: default 4 uploads
    max_connections: int = 500  # open connections at once (the oldest idle or slow ones are dropped first)
    header_seconds: float = 20.0  # to send a request's headers
    body_idle_seconds: float = 20.0  # between two parts of a request's body
    api_per_minute: int = 30  # POST /api/check and /check per client address and minute
    log_repeats: int = 20  # the same log message at most this often per minute

    @property
    def audit_wall(self) -> float:
        return self.audit_wall_seconds or 3 * self.audit_cpu_seconds + 10

    def queued_bytes(self, max_upload: int) -> int:
        return (self.queued_mb * 1024 * 1024) if self.queued_mb else 4 * max_upload
