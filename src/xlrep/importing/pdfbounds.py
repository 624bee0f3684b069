"""Bounded stand-ins for pdfminer's decoders and counted interpreter hooks (``pdf._Limits`` puts them in place
while one PDF is read). Each counts what it produces against the document's limits as it produces it: a stream
that would inflate to a gigabyte stops at the limit, having inflated no more than that.
"""

from __future__ import annotations

import io
import zlib


def _take(limits, decompressor, data: bytes) -> bytes:
    room = limits.room()
    out = decompressor.decompress(data, room + 1)
    limits.inflate(len(out))
    return out


class _Bounded:
    """A zlib decompressor whose output is counted: never more than what is left of the limit."""

    def __init__(self, limits, *args) -> None:
        self._limits = limits
        self._d = zlib.decompressobj(*args)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        return _take(self._limits, self._d, data)

    def copy(self) -> _Bounded:
        other = _Bounded.__new__(_Bounded)
        other._limits, other._d = self._limits, self._d.copy()
        return other

    def __getattr__(self, name):
        return getattr(self._d, name)


def zlib_module(limits):
    """What pdfminer's ``pdftypes`` sees as ``zlib``: ``decompress`` and ``decompressobj`` bounded."""

    class Zlib:
        error = zlib.error

        @staticmethod
        def decompressobj(*args):
            return _Bounded(limits, *args)

        @staticmethod
        def decompress(data: bytes, *args) -> bytes:
            d = _Bounded(limits, *args[:1])
            out = d.decompress(data)
            if not d.eof:
                raise zlib.error("incomplete or truncated stream")
            return out

    return Zlib


def corrupted(limits):
    """pdfminer's ``decompress_corrupted`` (what inflates before a bad checksum), linear and bounded: it fed one
    byte at a time and added each piece to one growing bytes object."""

    def decompress_corrupted(data: bytes) -> bytes:
        d, parts, step = _Bounded(limits), [], 4096
        for i in range(0, len(data), step):
            chunk, before = data[i : i + step], d.copy()
            try:
                parts.append(d.decompress(chunk))
                continue
            except zlib.error:
                pass
            for j in range(len(chunk)):  # the chunk with the error, again byte by byte
                try:
                    parts.append(before.decompress(chunk[j : j + 1]))
                except zlib.error:
                    if i + j < len(data) - 3:
                        raise
                    break
            break
        return b"".join(parts)

    return decompress_corrupted


def lzw(limits):
    def lzwdecode(data: bytes) -> bytes:
        from pdfminer.lzw import LZWDecoder

        parts = []
        for part in LZWDecoder(io.BytesIO(data)).run():
            limits.inflate(len(part))
            parts.append(part)
        return b"".join(parts)

    return lzwdecode


def runlength(limits):
    def rldecode(data: bytes) -> bytes:
        out, i = bytearray(), 0
        while i < len(data) and data[i] != 128:
            length = data[i]
            if length < 128:
                piece = data[i + 1 : i + 2 + length]
                i += 2 + length
            else:
                piece = data[i + 1 : i + 2] * (257 - length)
                i += 2
            limits.inflate(len(piece))
            out += piece
        return bytes(out)

    return rldecode


def counted(original, count):
    """``original`` (a method), calling ``count()`` first: a limit is checked before the work is done."""

    def method(self, *args, **kwargs):
        count()
        return original(self, *args, **kwargs)

    return method
