"""What the reader found in a workbook: identity, structure and every cell as stored.

The reader only reports; the rules judge (``rules.file`` for the structure,
``rules.values`` for the values). ``values`` are the usable values — numbers as a
spreadsheet's SUM would add them, texts, dates — and never a cached total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..common.findings import CellRef, Finding
from ..edition.cellvalue import Interpreted, RawCell
from ..edition.form import Form
from .layout import Layout, build_layout, cell_ref
from .xlsx import Anomaly


@dataclass(frozen=True)
class FoundFormula:
    """A cell the template fills with a formula, as found: its content and cached result."""

    key: str
    sheet: str
    a1: str
    label: str
    expected: str  # the formula the template writes (references follow a renamed sheet)
    found: object  # ``=…`` when it is still a formula, else what was typed over it
    cached: object
    older: str | None = None  # what an older template wrote there, accepted in a workbook of that template

    @property
    def typed_over(self) -> bool:
        return not (isinstance(self.found, str) and self.found.startswith("="))


@dataclass(frozen=True)
class ChangedLabels:
    """Label cells of one sheet whose text is not the template's."""

    sheet: str
    cells: list[CellRef]  # where, with the official text as label
    found: dict[str, str]  # A1 → what is there now
    moved_table: bool  # rows/columns inserted without the names following: the sheet was not read


@dataclass
class ReadResult:
    path: Path
    form: Form | None
    year: int | None
    template_version: str | None
    fingerprint: str | None
    identity_source: str  # "properties", "hidden sheet", "labels" or "none"
    declared_edition: str | None = None  # what the file says it is, when that is not what it was read as
    merged_units: int | None = None  # a 汇总 written by ``xlrep merge``: how many units it adds up
    imported_from: str | None = None  # written by ``xlrep import`` from this published report (file name)
    issued_round: str | None = None  # issued by a collection site for this round (``xlrep.round``) …
    issued_unit: str | None = None  # … to this unit of it (``xlrep.unit``); None: made elsewhere
    raw: dict[str, RawCell] = field(default_factory=dict)  # every input cell as stored
    readings: dict[str, Interpreted] = field(default_factory=dict)  # number inputs, interpreted
    text_formulas: dict[str, RawCell] = field(default_factory=dict)  # text inputs holding a formula
    anomalies: dict[str, Anomaly] = field(default_factory=dict)  # inputs stored in a form no spreadsheet writes
    extra_sheets: list[str] = field(default_factory=list)  # sheets the template does not have (never read)
    values: dict[str, object] = field(default_factory=dict)  # usable values; None if blank or unusable
    blank: set[str] = field(default_factory=set)
    formulas: list[FoundFormula] = field(default_factory=list)
    addresses: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (sheet, A1) where it was read
    renamed: dict[str, str] = field(default_factory=dict)  # template sheet name -> name in this workbook
    moved: dict[str, list[CellRef]] = field(default_factory=dict)  # sheet -> cells whose names moved inside it
    missing_sheets: list[str] = field(default_factory=list)
    unprotected: list[str] = field(default_factory=list)
    structure_locked: bool = True  # the workbook-structure protection the template sets is still there
    meta_state: str | None = None  # the identity sheet's state ("veryHidden" as written; None: no such sheet)
    changed_labels: list[ChangedLabels] = field(default_factory=list)
    # Sheets whose numbers and texts could not be read where the template puts them (missing, or rows/columns
    # inserted so that the labels moved but the defined names did not): their values are unknown, not 0.
    unread_sheets: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)  # found while reading (an import's doubts, …)
    # key -> (the address it was made from, CellRef): the rules ask for the same cells' references many times
    _refs: dict[str, tuple[object, CellRef]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def layout(self) -> Layout | None:
        return build_layout(self.form) if self.form is not None else None

    @property
    def edition(self) -> str | None:
        return self.form.edition if self.form is not None else None

    def ref(self, key: str) -> CellRef:
        address = self.addresses.get(key)
        made = self._refs.get(key)
        if made is not None and made[0] is address:
            return made[1]
        form = self.form
        if address is not None:
            sheet, a1 = address
        else:
            sheet, row, col = self.layout.addresses[key]
            a1 = cell_ref(row, col)
        label = form.cells[key].label if key in form.cells else ""
        ref = self._refs[key] = address, CellRef(sheet, a1, label)
        return ref[1]

    def trusted(self, findings: list[Finding]) -> list[Finding]:
        """Drop the findings that rest on a cell of an unread sheet (they would compare against an unknown as 0)."""
        return [f for f in findings if not any(c.sheet in self.unread_sheets for c in f.cells)]

    def text(self, role: str) -> str:
        """The text of the cell playing ``role`` (``org_name`` …), stripped; "" when blank or absent."""
        key = self.form.role(role) if self.form is not None else None
        value = self.values.get(key) if key else None
        return "" if value is None else str(value).strip()
