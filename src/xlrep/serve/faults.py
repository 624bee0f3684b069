"""Faults a test switches on in a running server, to see the site answer them as it would the real thing.

``XLREP_SERVE_FAULTS`` (comma-separated names) is read once when the server starts; it is never set in use.
``enospc``: storing an uploaded file fails as on a full disk (``OSError(ENOSPC)``).
"""

from __future__ import annotations

import os

ACTIVE = frozenset(name.strip() for name in os.environ.get("XLREP_SERVE_FAULTS", "").split(",") if name.strip())


def on(name: str) -> bool:
    return name in ACTIVE
