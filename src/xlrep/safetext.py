"""Untrusted text made safe where it goes (placeholder until the full module lands)."""

from __future__ import annotations

import re
import unicodedata


def for_filename(text: str, suffix: str = "", max_bytes: int = 255) -> str:
    """A file name from user text: printable characters only, no path or reserved characters, fits ``max_bytes``."""
    text = "".join(ch for ch in str(text) if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    text = re.sub(r'[\\/:*?"<>|\s]+', "", text).strip(". ")
    while len((text + suffix).encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text + suffix
