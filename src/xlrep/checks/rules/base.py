"""What a rule is, and the one registry of them.

A rule is a small class: a stable ``id`` (the contract with users, tests and the JSON
output — never rename one), a ``severity``, a ``title`` (what the clerk must make
true, in plain Chinese: the 填报说明 sheet and the README list it), its message
templates, and — for rules that look at a read workbook — ``check(context)``.
Rules raised elsewhere (an unreadable file, a merge, an import) have no ``check``
and make their findings through ``rule(id).finding(...)``.

Registering is declaring the class with ``@register``; the catalogue order is the
order in which the rule modules are imported (``rules/__init__``), which follows
the order of the reference catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from ...common.findings import SEVERITY_NAMES, CellRef, Finding
from ...common.safetext import quoted_names
from ...workbook.cellexpr import as_number
from ...workbook.engine import all_values

if TYPE_CHECKING:
    from ...edition.form import Form
    from ...workbook.readresult import ReadResult


class Rule:
    id: ClassVar[str]
    severity: ClassVar[str]
    title: ClassVar[str]  # what the clerk must make true, in plain Chinese
    messages: ClassVar[dict[str, str]] = {}  # named message templates, filled with str.format
    filling: ClassVar[bool] = False  # listed on the workbook's 填报说明 sheet
    uses_values: ClassVar[bool] = True  # rests on the values read (not on the file's structure)
    needs_previous: ClassVar[bool] = False  # compares with last year's workbook
    needs_form: ClassVar[bool] = True  # runs only on a workbook whose edition was recognised

    def applies(self, form: Form) -> bool:
        """Whether the rule can fire on this edition (the edition file declares what it needs)."""
        return True

    def check(self, context: Context) -> Iterable[Finding]:
        return ()

    def finding(
        self,
        message: str = "default",
        cells: Iterable[CellRef] = (),
        values: dict | None = None,
        *,
        severity: str | None = None,
        **fields,
    ) -> Finding:
        """A finding of this rule with its message template ``message`` filled from ``fields``."""
        if self.id not in _REGISTRY:  # the catalogue is the one source of IDs (``rule(id)`` fails on others too)
            raise ValueError(f"unknown rule {self.id}")
        text = quoted_names(self.messages[message].format(**fields))
        return Finding(self.id, text, list(cells), dict(values or {}), severity or self.severity)


_REGISTRY: dict[str, Rule] = {}
#: The rule modules, in the order of the reference catalogue (checks.md): the catalogue order.
_MODULES = ("file", "values", "tables", "text", "previous", "merge", "hierarchy", "collection", "importing")
_loaded = False


def _load_all() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from importlib import import_module

        for name in _MODULES:
            import_module(f"{__package__}.{name}")


def register(cls: type[Rule]) -> type[Rule]:
    if cls.id in _REGISTRY:
        raise ValueError(f"rule {cls.id} registered twice")
    if cls.severity not in SEVERITY_NAMES:
        raise ValueError(f"rule {cls.id}: unknown severity {cls.severity}")
    _REGISTRY[cls.id] = cls()
    return cls


_ORDERED: dict[str, Rule] = {}


def registry() -> dict[str, Rule]:
    """Every rule, in catalogue order: the order of the rule modules in ``_MODULES`` (that of the reference
    catalogue), each module's rules as declared — whichever module happened to be imported first."""
    _load_all()
    if len(_ORDERED) != len(_REGISTRY):
        rank = {f"{__package__}.{name}": i for i, name in enumerate(_MODULES)}
        position = {rule_id: i for i, rule_id in enumerate(_REGISTRY)}
        ordered = sorted(_REGISTRY.items(), key=lambda kv: (rank.get(type(kv[1]).__module__, 99), position[kv[0]]))
        _ORDERED.clear()
        _ORDERED.update(ordered)
    return _ORDERED


def rule(rule_id: str) -> Rule:
    return registry()[rule_id]


@dataclass
class Context:
    """What a rule looks at: the workbook read, its totals recomputed, and last year's, when given."""

    result: ReadResult
    previous: ReadResult | None = None
    _shared: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def form(self) -> Form:
        return self.result.form

    @cached_property
    def full(self) -> dict[str, object]:
        """Input values with every total recomputed from them (never a cached result)."""
        return all_values(self.form, self.result.values)

    def n(self, key: str) -> float | int:
        """A cell's number (blank, text and everything unusable count as 0, as in the sheet's SUM)."""
        value = as_number(self.full.get(key))
        return 0 if value is None else value

    def figure(self, name: str) -> float | int:
        return sum(self.n(k) for k in self.form.figure_keys(name))

    def shared(self, name: str, make: Callable[[Context], object]) -> object:
        """What several rules read alike (the narrative's statements), made once per workbook."""
        if name not in self._shared:
            self._shared[name] = make(self)
        return self._shared[name]

    def ref(self, key: str) -> CellRef:
        return self.result.ref(key)

    def refs(self, keys: Iterable[str]) -> list[CellRef]:
        return [self.result.ref(k) for k in keys]


def run(context: Context) -> Iterator[Finding]:
    """Every finding of every rule that applies, in catalogue order; rules never hide one another."""
    form = context.form
    for r in registry().values():
        if form is None and r.needs_form or r.needs_previous and context.previous is None:
            continue
        if form is not None and not r.applies(form):
            continue
        found = list(r.check(context))
        yield from context.result.trusted(found) if r.uses_values else found
