"""The statement reader's records: a ``Statement`` read from the narrative, a ``Mismatch`` with the tables and its
``Hint``."""

from __future__ import annotations

from collections import namedtuple

# Records are plain named tuples and slotted classes, not dataclasses or typing.NamedTuple: those cost a
# millisecond or more each to create (typing compiles every annotation), and this module is imported by every
# ingest and template, whose start-up time is measured.


class Record:
    """A plain record with slots: positional fields in ``__slots__`` order, then keywords; ``_defaults`` for
    the fields that may be left out."""

    __slots__ = ()
    _defaults: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        names = self.__slots__
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields")
        for name, value in zip(names, args, strict=False):
            setattr(self, name, value)
        for name in names[len(args) :]:
            setattr(self, name, kwargs.pop(name) if name in kwargs else self._defaults[name])
        if kwargs:
            raise TypeError(f"{type(self).__name__} has no field {next(iter(kwargs))}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Statement(Record):
    """One number-bearing statement of the narrative.

    ``kind``: "count", "share", "rate", "change", "zero"; ``readings``: each the figures whose sum is meant;
    ``number`` and ``unit`` (件 起 宗 条 个 份 项, %, 万元/元/亿元) as stated; ``text``: the statement as written
    ("予以公开及部分公开42件"), in ``sentence``, at ``start``–``end`` of the part; ``column``: qualifier
    candidates (applicant column, 表四 block, 表二 column; empty: all); ``decimals`` stated (the precision of a
    share or an amount); ``scope``: "year" (the report year), "previous" (last year), "year:<year>", "other"
    (never compared); ``of``: the denominators a share or rate may mean; ``direction``: +1 增长, -1 下降;
    ``topic``: a zero claim's (review / suit); ``area``: said of the whole area (全市 …), this unit's own only
    when it is the area's government.
    """

    __slots__ = (
        "kind",
        "readings",
        "number",
        "unit",
        "text",
        "sentence",
        "start",
        "end",
        "column",
        "decimals",
        "scope",
        "of",
        "direction",
        "topic",
        "area",
    )
    _defaults = {
        "column": (),
        "decimals": 0,
        "scope": "year",
        "of": (),
        "direction": 0,
        "topic": None,
        "area": False,
    }


class Hint(namedtuple("Hint", ("kind", "parts", "advice"), defaults=(None,))):
    """What a stated number happens to equal instead: ``kind`` "natural_person" (the 自然人 column: ``parts``
    its (title, value)) or "sum" (``parts`` the (title, value) of each figure added up, ``advice`` the name of
    the advice the message adds, from ``HINTS``)."""

    __slots__ = ()


_MISMATCH_FIELDS = ("rule", "statement", "stated", "table", "figure", "keys", "title")


_MISMATCH_OPTIONAL = {
    "unit": "件",
    "last_year": False,
    "others": (),
    "hints": (),
    "value": None,
    "base": None,
    "before": None,
    "claim": None,
}


class Mismatch(
    namedtuple("Mismatch", _MISMATCH_FIELDS + tuple(_MISMATCH_OPTIONAL), defaults=tuple(_MISMATCH_OPTIONAL.values()))
):
    """A statement no reading of which fits the tables: what it says, what the tables say, and why.

    ``rule``: TEXT-NUMBER, TEXT-SHARE, TEXT-CHANGE or TEXT-CLAIM; ``stated`` the number written; ``table`` the
    tables' number (a count, an amount in the stated unit, a share, the size of a change); ``figure`` the
    figure(s) compared with ("granted+partly"); ``keys`` the table cells to name; ``title`` how the message
    names what was compared (for a share: its part); ``unit`` of ``table`` (件, an amount's unit, %);
    ``last_year``: a count stated of last year, compared with last year's workbook; ``others``: the other
    readings, which do not fit either, as (title, value); ``hints``; ``value``: a share's part, a change's
    figure this year; ``base``: what a share is of, (title, value); ``before``: a change's figure last year;
    ``claim``: TEXT-CLAIM's claim (no_correction_review …). The rules (``rules.text``) word it.
    """

    __slots__ = ()
