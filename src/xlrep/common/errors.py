"""Errors a user can act on. Every message is Chinese; the command line maps them to exit codes.

``XlrepError`` is misuse or an output that cannot be written; ``UnreadableFile`` is an
input that cannot be read at all (FILE-UNREADABLE). Neither knows about exit codes.
"""

from __future__ import annotations

from pathlib import Path

from .safetext import quoted_names


class XlrepError(Exception):
    """An error the user can act on; ``message`` is Chinese."""

    def __init__(self, message: str):
        message = quoted_names(message)  # a “file name” that is not UTF-8: its bytes shown as �
        super().__init__(message)
        self.message = message


class UnreadableFile(XlrepError):
    """The input is not a workbook (or report) that can be read: FILE-UNREADABLE."""

    def __init__(self, path: Path | str, message: str):
        super().__init__(message)
        self.path = Path(path)
