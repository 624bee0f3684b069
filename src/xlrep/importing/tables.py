"""Tables 二, 三 and 四 read from a ``Stream`` by their official labels, and fused digits split under constraints.

Rows are found by the labels of the form (``load_form(edition)``), in the order of the
official table, wherever the published text puts them. The figures of a row are
what stands between its label and the next label. Where the document has cells
(HTML, Word, a ruled PDF), each cell is one figure; where it has none (a text dump),
a run of digits may hold several figures (``21710000218`` = 217|1|0|0|0|0|218).

Splitting never guesses. Every way to split a row into its cells is enumerated
(a figure has no leading zero; only a signed column takes a sign; only an amount a
decimal point), then the relations the form declares are applied: each row's 总计
= its cells, （七）总计 = the result rows, 一 + 二 = （七）+ 四 per column, each block
of 表四. A cell is taken only if every split that satisfies the relations gives it the
same value; otherwise it stays blank and is reported (IMPORT-AMBIGUOUS) with the
digits as published.

A printed total that contradicts its own cells (IMPORT-TOTAL) makes its kind of
relation untrustworthy for this table: it is then not used to split anything, and
the workbook keeps the published cells and recomputes the totals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..findings import Finding
from ..form import Form, Grid, GridColumn, GridRow
from .labels import CELL_CLOSE, CELL_OPEN, Match, Stream, best_sequence, candidates, variants

MAX_SPLITS = 5000  # ways to split one row; beyond this the row is not resolved
MAX_NODES = 200_000  # search steps for one row or one table
MAX_SOLUTIONS = 64
MAX_PIECE = 16  # characters of one published figure

UNSET = object()  # not a valid value for this column


class Text(str):
    """A published cell that is not a number (``-``, ``无``, ``251000元`` in a 万元 column): kept as text."""


# -- specs ---------------------------------------------------------------------------


@dataclass
class RowSpec:
    id: str  # the row's cell-key prefix, e.g. "t3.granted" (t4: "t4")
    label: str
    grid: Grid
    row: GridRow
    foreign: bool = False  # a row of the other edition's table, read to map it onto this one

    @property
    def columns(self) -> tuple[GridColumn, ...]:
        return self.grid.columns

    def keys(self) -> list[str]:
        return [self.grid.cell_key(self.row, c) for c in self.grid.columns]


@dataclass
class Anchor:
    label: str
    kind: str  # "caption", "header", "group", "row"
    row: RowSpec | None = None
    fuzzy: bool = True


def _header_order(grid: Grid) -> list[str]:
    """Column headers as a published table prints them: row by row, left to right."""
    out: list[str] = []
    depth = max((len(c.group) for c in grid.columns), default=0)
    for level in range(depth + 1):
        seen: list[str] = []
        for column in grid.columns:
            path = column.group + (column.label,)
            if level < len(path):
                text = path[level]
                if level == len(path) - 1 or text not in seen:
                    if not seen or seen[-1] != text or level == len(path) - 1:
                        seen.append(text)
        out.extend(seen)
    # a header repeated in several blocks (表四's 结果维持 …) is an anchor each time it is printed
    return out


def table_anchors(form: Form, table: str, other: Form | None) -> list[Anchor]:
    anchors: list[Anchor] = []
    own_labels = {r.label for g in form.grids(table) for r in g.rows}
    foreign_rows = []
    if other is not None and table == "t3":
        og = other.grids(table)[0]
        foreign_rows = [r for r in og.rows if r.label not in own_labels]
    for grid in form.grids(table):
        if grid.caption:
            anchors.append(Anchor(grid.caption, "caption", fuzzy=False))
        if grid.corner:
            anchors.append(Anchor(grid.corner, "header", fuzzy=len(grid.corner) > 8))
        for text in _header_order(grid):
            anchors.append(Anchor(text, "header", fuzzy=len(text) >= 4))
        groups_done: set[str] = set()
        for row in grid.rows:
            for group in row.group:
                if group not in groups_done:
                    groups_done.add(group)
                    # a 2019 row printed where the 2021 table groups sub-rows (or the reverse) is read as a row
                    foreign = [f for f in foreign_rows if f.label == group]
                    if foreign:
                        spec = RowSpec(_row_id(og, foreign[0]), group, og, foreign[0], True)
                        anchors.append(Anchor(group, "row", spec, fuzzy=False))
                    else:
                        anchors.append(Anchor(group, "group", fuzzy=len(group) >= 4))
            if row.label or table == "t4":
                anchors.append(Anchor(row.label, "row", RowSpec(_row_id(grid, row), row.label, grid, row)))
            for f in foreign_rows:
                if f.group and f.group[-1] == row.label:
                    anchors.append(Anchor(f.label, "row", RowSpec(_row_id(og, f), f.label, og, f, True), fuzzy=False))
    return anchors


def _row_id(grid: Grid, row: GridRow) -> str:
    return ".".join(p for p in (grid.table, row.key) if p)


# -- tokens ---------------------------------------------------------------------------

UNITS = variants().get("units", {})
COUNT_UNITS = tuple(UNITS.get("count", ()))
AMOUNT_UNITS = tuple(UNITS.get("amount", ()))
_UNIT = "|".join(re.escape(u) for u in sorted(COUNT_UNITS + AMOUNT_UNITS, key=len, reverse=True))
RUN = re.compile(rf"[+\-]?\d[\d.,+\-]*(?:{_UNIT})?|[\-—–]+|[/\\]|无")
PLACEHOLDER = re.compile(r"[\-—–]+|/|\\|无")
NUMBER = re.compile(
    rf"(?P<sign>[+\-])?(?P<int>0|[1-9]\d*|[1-9]\d{{0,2}}(?:,\d{{3}})+)(?:\.(?P<frac>\d+))?(?P<unit>{_UNIT})?"
)
CELL_VALUE = re.compile(rf"^(?:{NUMBER.pattern}|{PLACEHOLDER.pattern})$")
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    kind: str  # "cell" (one figure), "blank" (an empty cell), "run" (figures, boundaries unknown)
    text: str


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def tokenize(chunk: str, no_placeholder_before: frozenset[str]) -> list[Token]:
    """The figures in a stretch of text between two labels (label remnants and other words are skipped)."""
    tokens: list[Token] = []
    pos = 0
    n = len(chunk)
    while pos < n:
        if chunk[pos] == CELL_OPEN:
            end = chunk.find(CELL_CLOSE, pos + 1)
            if end == -1:  # the start of the next label's cell
                tokens.extend(_free(chunk[pos + 1 :], no_placeholder_before))
                break
            tokens.extend(_cell(chunk[pos + 1 : end], no_placeholder_before))
            pos = end + 1
        else:
            nxt = chunk.find(CELL_OPEN, pos)
            nxt = n if nxt == -1 else nxt
            tokens.extend(_free(chunk[pos:nxt].replace(CELL_CLOSE, " "), no_placeholder_before))
            pos = nxt
    return tokens


def _cell(text: str, no_placeholder_before) -> list[Token]:
    norm = _nfkc(text).strip()
    compact = SPACE.sub("", norm)
    if not compact:
        return [Token("blank", "")]
    if CELL_VALUE.match(compact):
        return [Token("cell", compact)]
    if all(RUN.fullmatch(part) for part in norm.split()):  # several figures in one cell: no boundary inside
        return [Token("run", part) for part in norm.split()]
    return []  # label text


def _free(text: str, no_placeholder_before) -> list[Token]:
    norm = _nfkc(text)
    out: list[Token] = []
    for m in RUN.finditer(norm):
        s = m.group(0)
        after = norm[m.end() : m.end() + 1]
        before = norm[m.start() - 1 : m.start()] if m.start() else ""
        if s == "无" and (after in no_placeholder_before or not _free_standing(before)):
            continue  # part of a label (无法提供, “（四）无”/“法提供” wrapped) or of a sentence
        if s[0].isdigit() or s[0] in "+-":
            if after and _is_cjk(after) and s.endswith("."):
                s = s[:-1]  # "3." before a label is its ordinal: the digit belongs to the label
                s = s[:-1] if s and s[-1].isdigit() else s
                if not s:
                    continue
            elif s.endswith((".", ",")):
                s = s[:-1]
        out.append(Token("run", s))
    return [t for t in out if t.text]


def _free_standing(before: str) -> bool:
    """A 无 stands for a blank cell only after nothing, a space, a figure or another placeholder."""
    return not before or before.isspace() or before.isdigit() or before in "无-—–/\\" or before == CELL_CLOSE


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3400" <= ch <= "\u9fff")


# -- parsing one figure ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # count / signed / amount
    unit: str | None  # the unit the column is in: 万元, 元, or None (counts; or chosen per report)


_PARSED: dict[tuple[str, str, str | None], object] = {}


def parse_piece(piece: str, column: Column):
    """The value of one published figure in ``column``, or UNSET if it cannot be that column's figure."""
    key = (piece, column.kind, column.unit)
    value = _PARSED.get(key)
    if value is None:
        if len(_PARSED) > 100_000:
            _PARSED.clear()
        value = _PARSED[key] = _parse_piece(piece, column)
    return value


def _parse_piece(piece: str, column: Column):
    if len(piece) > MAX_PIECE:
        return UNSET
    if PLACEHOLDER.fullmatch(piece):
        return Text(piece)
    m = NUMBER.fullmatch(piece)
    if not m:
        return UNSET
    sign, whole, frac, unit = m.group("sign"), m.group("int"), m.group("frac"), m.group("unit")
    if sign and (column.kind != "signed" or whole == "0"):
        return UNSET
    if frac is not None and column.kind != "amount":
        return UNSET
    if unit:
        if column.kind == "amount":
            if unit not in AMOUNT_UNITS:
                return UNSET
            if column.unit is not None and unit != column.unit:
                return Text(piece)  # 251000元 in a 万元 column: kept as published, VALUE-TEXT says so
        elif unit not in COUNT_UNITS:
            return UNSET
    digits = whole.replace(",", "")
    if frac is not None:
        value = float(Decimal(f"{digits}.{frac}"))
    else:
        value = int(digits)
    if sign == "-":
        value = -value
    if unit and column.kind == "amount" and column.unit is None:
        return Amount(value, unit)
    return value


@dataclass(frozen=True)
class Amount:
    """An amount whose unit the published cell states, for a column whose unit each report chooses (采购总金额)."""

    value: float | int
    unit: str


def splits(tokens: list[Token], columns: list[Column]) -> tuple[list[tuple], bool]:
    """Every way to read ``tokens`` as exactly one figure per column; ``(splits, complete)``."""
    n = len(columns)
    out: list[tuple] = []
    steps = 0
    complete = True
    remaining_min = [0] * (len(tokens) + 1)
    remaining_max = [0] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        t = tokens[i]
        remaining_min[i] = remaining_min[i + 1] + 1
        remaining_max[i] = remaining_max[i + 1] + (len(t.text) if t.kind == "run" else 1)

    dead: set[tuple[int, int, int]] = set()  # states from which no reading completes the row

    def rec(ti: int, pos: int, col: int, acc: list) -> None:
        nonlocal steps, complete
        steps += 1
        if steps > MAX_NODES or len(out) >= MAX_SPLITS:
            complete = False
            return
        if ti == len(tokens):
            if col == n:
                out.append(tuple(acc))
            return
        state = (ti, pos, col)
        if state in dead:
            return
        before = len(out)
        explore(ti, pos, col, acc)
        if len(out) == before and complete:
            dead.add(state)

    def explore(ti: int, pos: int, col: int, acc: list) -> None:
        tok = tokens[ti]
        left = n - col
        if tok.kind == "run" and pos:
            rest_chars = len(tok.text) - pos
            lo, hi = 1 + remaining_min[ti + 1], rest_chars + remaining_max[ti + 1]
        else:
            lo, hi = remaining_min[ti], remaining_max[ti]
        if left < lo or left > hi:
            return
        if tok.kind == "blank":
            rec(ti + 1, 0, col + 1, acc + [None])
            return
        if tok.kind == "cell":
            value = parse_piece(tok.text, columns[col])
            if value is not UNSET:
                rec(ti + 1, 0, col + 1, acc + [value])
            return
        text = tok.text
        for end in range(pos + 1, min(len(text), pos + MAX_PIECE) + 1):
            value = parse_piece(text[pos:end], columns[col])
            if value is UNSET:
                continue
            if end == len(text):
                rec(ti + 1, 0, col + 1, acc + [value])
            else:
                rec(ti, end, col + 1, acc + [value])

    rec(0, 0, 0, [])
    return out, complete


# -- relations -------------------------------------------------------------------------


@dataclass
class Relation:
    """``sum(left) == sum(right)`` over cell keys; for a printed total, ``left`` is the total."""

    left: list[str]
    right: list[str]
    family: str  # the rule: T3-ROW-SUM, T3-RESULT-SUM, T3-IDENTITY, T4-SUM
    total: bool  # left is one printed total

    def holds(self, value) -> bool | None:
        """True/False, or None where it does not apply (a blank or text total)."""
        if self.total:
            printed = value(self.left[0])
            if not isinstance(printed, (int, float)) or isinstance(printed, bool):
                return None
        return _sum(value, self.left) == _sum(value, self.right)


def _num(v) -> int | float:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0


def _sum(value, keys) -> int | float:
    return sum(_num(value(k)) for k in keys)


def form_relations(form: Form, table: str) -> list[Relation]:
    out = []
    for cell in form.cells.values():
        if cell.table == table and cell.sum_of:
            out.append(Relation([cell.key], list(cell.sum_of), cell.sum_rule, True))
    for check in form.checks:
        if check.left and form.cells[check.left[0]].table == table:
            out.append(Relation(list(check.left), list(check.right), check.rule, False))
    return out


# -- the result of reading one table ----------------------------------------------------


@dataclass
class TableRead:
    table: str
    found: bool = False
    values: dict[str, object] = field(default_factory=dict)  # input cells: int/float/Text/None, as published
    printed: dict[str, object] = field(default_factory=dict)  # totals as printed (where certain)
    findings: list[Finding] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # other fields learnt (the 采购总金额 unit)
    rows_found: int = 0
    rows_expected: int = 0
    loose: list[tuple[Match, str]] = field(default_factory=list)  # (match, where) for IMPORT-LABEL
    first: int | None = None  # compact position of the first label of the table found


@dataclass
class _Row:
    spec: RowSpec
    match: Match | None
    chunk: str = ""
    tokens: list[Token] = field(default_factory=list)
    options: list[tuple] = field(default_factory=list)
    complete: bool = True
    unreadable: bool = False  # digits there, but no split fits the row
    forced_unique: bool = False  # must be unique without relations (the next row's label is missing)

    @property
    def present(self) -> bool:
        return self.match is not None and not self.unreadable and bool(self.options)


NO_PLACEHOLDER_CACHE: dict[str, frozenset[str]] = {}


def _no_placeholder_before(form: Form) -> frozenset[str]:
    """Characters that follow 无 inside the form's labels (无法提供, 无正当理由): there 无 is a word, not a blank."""
    if form.edition not in NO_PLACEHOLDER_CACHE:
        chars = set()
        for grid in form.grids():
            for text in [r.label for r in grid.rows] + [g for r in grid.rows for g in r.group]:
                for i, ch in enumerate(text[:-1]):
                    if ch == "无":
                        chars.add(text[i + 1])
        NO_PLACEHOLDER_CACHE[form.edition] = frozenset(chars)
    return NO_PLACEHOLDER_CACHE[form.edition]


def _columns(spec: RowSpec, unit_of) -> list[Column]:
    return [Column(spec.grid.cell_key(spec.row, c), c.kind, unit_of(c)) for c in spec.columns]


def _unit_of(column: GridColumn) -> str | None:
    if column.kind != "amount":
        return None
    if "万元" in column.label:
        return "万元"
    if "（元）" in column.label or column.label.endswith("元"):
        return "元"
    return None  # 采购总金额: the format names no unit; each report states its own


def read_table(stream: Stream, form: Form, table: str, lo: int, hi: int, other: Form | None) -> TableRead:
    """Read one table (``t2``, ``t3`` or ``t4``) from compact positions [lo, hi) of the stream."""
    result = TableRead(table)
    anchors = table_anchors(form, table, other)
    options = [candidates(stream, a.label, lo, hi, fuzzy=a.fuzzy) if a.label else [] for a in anchors]
    chosen = best_sequence(options)
    matched = [(a, m) for a, m in zip(anchors, chosen) if m is not None]
    result.first = matched[0][1].start if matched else None
    for idx, (a, m) in enumerate(matched):
        # a row label found loosely is reported; a header only when it is a known misspelling (variants.toml):
        # a header near-match is usually a header wrapped by the page, and headers carry no figures
        end = matched[idx + 1][1].start if idx + 1 < len(matched) else hi
        if a.kind == "row" and m.quality in ("variant", "approx", "suffix", "prefix") and not _wrapped(stream, m, end):
            result.loose.append((m, a.kind))
        elif a.kind != "row" and m.quality == "variant":
            result.loose.append((m, a.kind))
    rows: dict[str, _Row] = {}
    order: list[str] = []
    no_ph = _no_placeholder_before(form)
    own_rows = [a.row for a in anchors if a.kind == "row" and not a.row.foreign]
    result.rows_expected = len(own_rows)
    if table == "t4":
        return _read_t4(stream, form, matched, lo, hi, result, no_ph)
    for idx, (anchor, match) in enumerate(matched):
        if anchor.kind != "row":
            continue
        end = matched[idx + 1][1].start if idx + 1 < len(matched) else hi
        chunk = stream.text[stream.end_at(match.end) : stream.at(end)]
        last = idx + 1 == len(matched)
        tokens = tokenize(chunk, no_ph)
        if last:
            tokens = _until_prose(chunk, tokens, no_ph)
        row = _Row(anchor.row, match, chunk, tokens)
        rows[anchor.row.id] = row
        order.append(anchor.row.id)
    for spec in own_rows:
        if spec.id not in rows:
            rows[spec.id] = _Row(spec, None)
    # a row whose successor's label was not found may have swallowed the successor's figures
    own_ids = [s.id for s in own_rows]
    for i, rid in enumerate(own_ids[:-1]):
        if rows[rid].match is not None and rows[own_ids[i + 1]].match is None:
            rows[rid].forced_unique = True
    result.rows_found = sum(1 for s in own_rows if rows[s.id].match is not None)
    result.found = result.rows_found > 0
    if not result.found:
        return result
    for row in rows.values():
        if row.match is None:
            continue
        if not row.tokens:
            row.options = [tuple([None] * len(row.spec.columns))] if not row.spec.foreign else []
            continue
        row.tokens = _trim_blanks(row.tokens, len(row.spec.columns))
        row.options, row.complete = splits(row.tokens, _columns(row.spec, _unit_of))
        if not row.options:
            row.unreadable = True
    _solve_and_emit(form, table, rows, result, stream)
    return result


PROSE = re.compile(r"[\u3400-\u9fff]{4,}")


def _until_prose(chunk: str, tokens: list[Token], no_ph) -> list[Token]:
    """The last row of a table: figures up to the first sentence after them (a note, the next part's text)."""
    for m in PROSE.finditer(chunk):
        before = tokenize(chunk[: m.start()], no_ph)
        if before:
            return before
    return tokens


def _wrapped(stream: Stream, match: Match, end: int) -> bool:
    """A label found by its start only is wrapped when the rest of it follows among the figures."""
    from .labels import norm

    full = norm(match.label)
    if not full.startswith(match.found):
        return False
    figures = re.compile(r"[\d.,+\-]")
    rest = figures.sub("", full[len(match.found) :])
    between = figures.sub("", stream.compact[match.end : end])
    return bool(rest) and rest in between


def _trim_blanks(tokens: list[Token], n: int) -> list[Token]:
    """Empty cells beyond the row's width (a label column left empty, a page's leftover cell) are not figures."""
    fixed = sum(1 for t in tokens if t.kind != "run")
    runs = sum(1 for t in tokens if t.kind == "run")
    tokens = list(tokens)
    while tokens and fixed + runs > n and tokens[-1].kind == "blank":
        tokens.pop()
        fixed -= 1
    while tokens and fixed + runs > n and tokens[0].kind == "blank":
        tokens.pop(0)
        fixed -= 1
    if all(t.kind == "blank" for t in tokens):
        return []
    return tokens


def _read_t4(stream: Stream, form: Form, matched, lo: int, hi: int, result: TableRead, no_ph) -> TableRead:
    """表四 has no row label: its figures follow the last of its headers."""
    headers = [m for a, m in matched if a.kind == "header"]
    spec_anchor = next(a for a in table_anchors(form, "t4", None) if a.kind == "row")
    if not headers:
        return result
    start = max(m.end for m in headers)
    chunk = stream.text[stream.end_at(start) : stream.at(hi)]
    tokens = _until_prose(chunk, tokenize(chunk, no_ph), no_ph)
    spec = spec_anchor.row
    row = _Row(spec, headers[-1], chunk, tokens)
    result.found = True
    result.rows_found = 1
    if tokens:
        row.tokens = _trim_blanks(tokens, len(spec.columns))
        row.options, row.complete = splits(row.tokens, _columns(spec, _unit_of))
        row.unreadable = not row.options
    else:
        row.options = [tuple([None] * len(spec.columns))]
    _solve_and_emit(form, "t4", {spec.id: row}, result, stream)
    return result


# -- solving -----------------------------------------------------------------------------


def _solve_and_emit(form: Form, table: str, rows: dict[str, _Row], result: TableRead, stream: Stream) -> None:
    cell_at: dict[str, tuple[str, int]] = {}
    for rid, row in rows.items():
        for ci, key in enumerate(row.spec.keys()):
            cell_at[key] = (rid, ci)
    relations = _mapped_relations(form, table, rows)
    # a row whose splits could not all be listed is unknown: its true reading may be missing from the list,
    # so it must not be used to rule out the readings of other rows
    known = {rid for rid, row in rows.items() if row.present and row.complete}
    usable = [r for r in relations if all(cell_at.get(k, ("", 0))[0] in known for k in r.left + r.right)]
    local = [r for r in usable if len({cell_at[k][0] for k in r.left + r.right}) == 1]
    cross = [r for r in usable if r not in local]

    def keeps(rel: Relation, option) -> bool | None:
        """``rel.holds`` for a relation within one row, on index positions (it runs on every split of a row)."""
        left = [cell_at[k][1] for k in rel.left]
        if rel.total:
            printed = option[left[0]]
            if not isinstance(printed, (int, float)) or isinstance(printed, bool):
                return None
        return sum(_num(option[i]) for i in left) == sum(_num(option[cell_at[k][1]]) for k in rel.right)

    # 1. Which kinds of relation does this table keep? Not one that its certain cells contradict.
    untrusted: set[str] = set()
    for rel in local:
        rid = cell_at[rel.left[0]][0]
        opts = rows[rid].options
        verdicts = [keeps(rel, o) for o in opts]
        if len(opts) == 1 and verdicts[0] is False:
            untrusted.add(rel.family)
        elif opts and all(v is False for v in verdicts):
            untrusted.add(rel.family)  # digits there, but no split matches the printed total
    fixed = {rid: rows[rid].options[0] for rid in known if len(rows[rid].options) == 1 and rows[rid].complete}
    for rel in cross:
        rids = {cell_at[k][0] for k in rel.left + rel.right}
        if rids <= fixed.keys():
            v = rel.holds(lambda key: fixed[cell_at[key][0]][cell_at[key][1]])
            if v is False:
                untrusted.add(rel.family)
                if rel.family == "T3-RESULT-SUM":
                    untrusted.add("T3-IDENTITY")  # the identity rests on the same printed （七）总计

    # 2. Each row's splits that keep the trusted relations of the row itself.
    options: dict[str, list[tuple]] = {}
    for rid in known:
        row = rows[rid]
        opts = row.options
        for rel in local:
            if rel.family in untrusted or cell_at[rel.left[0]][0] != rid:
                continue
            opts = [o for o in opts if keeps(rel, o) is not False]
        if row.forced_unique and len(row.options) > 1:
            opts = []  # cannot tell its own figures from its missing neighbour's
        options[rid] = opts
    # 3. The rows together, under the trusted relations across rows.
    active = [r for r in cross if r.family not in untrusted]
    solutions, exhaustive = _search(options, active, cell_at)
    while not solutions and exhaustive and active:
        dropped = active[0].family
        untrusted.add(dropped)
        active = [r for r in active if r.family != dropped]
        solutions, exhaustive = _search(options, active, cell_at)
    # 4. Each cell: certain if every solution agrees.
    final: dict[str, object] = {}
    doubtful: dict[str, list[str]] = {}  # row id -> cell keys in doubt
    for rid, row in rows.items():
        keys = row.spec.keys()
        if row.match is None:
            continue
        if row.spec.foreign and not row.present:
            continue  # a row of the other edition that is not printed (nothing after its label)
        if rid not in options or not options[rid]:
            doubtful[rid] = [k for k in keys if not form.cells.get(k) or not form.cells[k].is_total] or keys
            continue
        for ci, key in enumerate(keys):
            if exhaustive and solutions:
                seen = {_freeze(s[rid][ci]) for s in solutions}
            else:
                seen = {_freeze(o[ci]) for o in options.get(rid, ())}
            if len(seen) == 1 and row.complete:
                final[key] = next(iter(seen))[1]
            else:
                doubtful.setdefault(rid, []).append(key)
    _emit(form, table, rows, final, doubtful, options, relations, cell_at, untrusted, result)


def _freeze(v):
    return (type(v).__name__, v)


def _search(options: dict[str, list[tuple]], relations: list[Relation], cell_at) -> tuple[list[dict], bool]:
    """All combinations of the rows' splits that keep ``relations`` (up to a bound; ``exhaustive`` if none cut off).

    Each relation is linear (Σ left − Σ right = 0) and every figure in it is a count, so a partial
    assignment is dropped as soon as the rows still open cannot bring the difference back to 0.
    """
    rids = [r for r in sorted(options, key=lambda r: len(options[r])) if options[r]]
    if not rids:
        return [], True
    position = {r: i for i, r in enumerate(rids)}
    linear: list[dict[str, list[int | float]]] = []
    for rel in relations:
        terms: dict[str, list[tuple[int, int]]] = {}
        for sign, keys in ((1, rel.left), (-1, rel.right)):
            for key in keys:
                rid, ci = cell_at[key]
                terms.setdefault(rid, []).append((ci, sign))
        if any(rid not in position for rid in terms):
            continue
        if rel.total:
            rid, ci = cell_at[rel.left[0]]
            if any(not isinstance(o[ci], (int, float)) or isinstance(o[ci], bool) for o in options[rid]):
                continue  # a blank or text total: the relation does not apply
        linear.append({rid: [sum(s * _num(o[ci]) for ci, s in t) for o in options[rid]] for rid, t in terms.items()})
    n = len(rids)
    low = [[0] * (n + 1) for _ in linear]  # least and most the rows from i on can still add
    high = [[0] * (n + 1) for _ in linear]
    for r, contrib in enumerate(linear):
        for i in range(n - 1, -1, -1):
            c = contrib.get(rids[i])
            low[r][i] = low[r][i + 1] + (min(c) if c else 0)
            high[r][i] = high[r][i + 1] + (max(c) if c else 0)
    involved = {rid: [r for r, contrib in enumerate(linear) if rid in contrib] for rid in rids}
    partial = [0] * len(linear)
    solutions: list[dict] = []
    assignment: dict[str, tuple] = {}
    steps = 0
    exhaustive = True

    def rec(i: int) -> None:
        nonlocal steps, exhaustive
        if i == n:
            solutions.append(dict(assignment))
            if len(solutions) >= MAX_SOLUTIONS:
                exhaustive = False
            return
        rid = rids[i]
        for oi, option in enumerate(options[rid]):
            steps += 1
            if steps > MAX_NODES:
                exhaustive = False
                return
            fits = True
            for r in involved[rid]:
                value = partial[r] + linear[r][rid][oi]
                if value + low[r][i + 1] > 0 or value + high[r][i + 1] < 0:
                    fits = False
                    break
            if not fits:
                continue
            for r in involved[rid]:
                partial[r] += linear[r][rid][oi]
            assignment[rid] = option
            rec(i + 1)
            for r in involved[rid]:
                partial[r] -= linear[r][rid][oi]
            if not exhaustive:
                return
        assignment.pop(rid, None)

    rec(0)
    return solutions, exhaustive


def _mapped_relations(form: Form, table: str, rows: dict[str, _Row]) -> list[Relation]:
    """The form's relations, with a row published in the other edition's shape standing in for its rows."""
    relations = form_relations(form, table)
    if table != "t3":
        return relations
    subst: dict[str, list[str]] = {}
    foreign = [r for r in rows.values() if r.spec.foreign and r.present]
    for f in foreign:
        own_group = [r for r in rows.values() if not r.spec.foreign and f.spec.label in r.spec.row.group]
        if own_group and all(not r.present or _all_blank(r) for r in own_group):
            # 2019's single （六）其他处理 row in a 2021 table: it stands for the three sub-rows
            for ci, column in enumerate(f.spec.columns):
                keys = [r.spec.keys()[ci] for r in own_group]
                subst[keys[0]] = [f.spec.keys()[ci]]
                for k in keys[1:]:
                    subst[k] = []
    own_by_label = {r.spec.label: r for r in rows.values() if not r.spec.foreign}
    groups: dict[str, list[_Row]] = {}
    for f in foreign:
        if f.spec.row.group and f.spec.row.group[-1] in own_by_label:
            groups.setdefault(f.spec.row.group[-1], []).append(f)
    for label, subs in groups.items():
        own = own_by_label[label]
        if not own.present or _all_blank(own):
            # 2021's three （六） sub-rows in a 2019 table: their sum is the single row
            for ci, key in enumerate(own.spec.keys()):
                subst[key] = [s.spec.keys()[ci] for s in subs]
    for f in foreign:  # a foreign row's own 总计 is a relation too
        for column in f.spec.columns:
            if column.sum_of:
                by_key = {c.key: c for c in f.spec.columns}
                relations.append(
                    Relation(
                        [f.spec.grid.cell_key(f.spec.row, column)],
                        [f.spec.grid.cell_key(f.spec.row, by_key[k]) for k in column.sum_of],
                        column.rule,
                        True,
                    )
                )
    if not subst:
        return relations
    out = []
    for rel in relations:
        left = [x for k in rel.left for x in subst.get(k, [k])]
        right = [x for k in rel.right for x in subst.get(k, [k])]
        if rel.total and (len(left) != 1 or left[0] != rel.left[0]) and rel.left[0] in subst:
            continue  # the printed total of a row that was not printed
        out.append(Relation(left, right, rel.family, rel.total))
    return out


def _all_blank(row: _Row) -> bool:
    return bool(row.options) and all(v is None for o in row.options for v in o)


# -- findings and values --------------------------------------------------------------------------------


def _fmt(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    if isinstance(v, Amount):
        return f"{_fmt(v.value)}{v.unit}"
    return str(v)


def _emit(form, table, rows, final, doubtful, options, relations, cell_at, untrusted, result: TableRead) -> None:
    from .doubts import ambiguous_finding, missing_rows_finding, total_finding

    # values of the form's input cells, printed totals
    for rid, row in rows.items():
        if row.spec.foreign:
            continue
        for ci, key in enumerate(row.spec.keys()):
            cell = form.cells.get(key)
            if cell is None or key not in final:
                continue
            value = final[key]
            if isinstance(value, Amount):
                result.extra[f"{key}_unit"] = value.unit
                value = value.value
            if cell.is_total:
                result.printed[key] = value
            else:
                result.values[key] = value
    covered = _map_foreign(form, rows, final, doubtful, result)
    for rid, keys in doubtful.items():
        row = rows[rid]
        if row.spec.foreign:
            continue
        opts = options.get(rid) or row.options
        inputs = [k for k in keys if k in form.cells and not form.cells[k].is_total]
        if not inputs:
            continue
        raw = _raw_figures(row)
        shown = [" | ".join(_fmt(v) for v in o) for o in opts[:3]]
        result.findings.append(ambiguous_finding(form, table, row.spec, inputs, raw, shown, len(opts), row.complete))
        note = (
            f"报告中这一行的数字是“{raw}”，"
            + (
                f"可以拆成 {len(opts)} 种以上不同的读法（如 {'；'.join(shown[:2])}），"
                if len(opts) > 1
                else "无法按表格的列拆开，"
            )
            + "无法确定这一格，已留空。请对照原报告填写。"
        )
        for key in inputs:
            result.comments[key] = note
            result.values[key] = None
    missing = [rid for rid, row in rows.items() if row.match is None and not row.spec.foreign and rid not in covered]
    if missing and result.found:
        result.findings.append(missing_rows_finding(form, table, [rows[r].spec for r in missing]))

    # printed totals that contradict their cells (each is where the workbook will show another number)
    def value(key):
        return final.get(key)

    contradictions = []
    for rel in relations:
        if not rel.total:
            continue
        keys = rel.left + rel.right
        if any(k not in final for k in keys):
            continue
        printed = final[rel.left[0]]
        if not isinstance(printed, (int, float)) or isinstance(printed, bool):
            continue
        total = _sum(value, rel.right)
        if printed != total:
            contradictions.append((rel, printed, total))
    if contradictions:
        result.findings.append(total_finding(form, table, contradictions))
        for rel, printed, total in contradictions:
            result.comments[rel.left[0]] = (
                f"报告中印的总计是 {_fmt(printed)}，但各单元格相加是 {_fmt(total)}。"
                "填报表保留报告中各单元格的数字，总计由公式重新计算。请核对原报告。"
            )


def _raw_figures(row: _Row) -> str:
    parts = [t.text if t.kind != "blank" else "（空）" for t in row.tokens]
    return " ".join(parts)[:200]


def _map_foreign(form: Form, rows: dict[str, _Row], final, doubtful, result: TableRead) -> set[str]:
    """A row printed in the other edition's shape, written into this edition's rows where that is exact."""
    from .doubts import layout_finding

    foreign = [r for r in rows.values() if r.spec.foreign and r.present]
    covered: set[str] = set()
    if not foreign:
        return covered
    own_by_label = {r.spec.label: r for r in rows.values() if not r.spec.foreign}
    for f in foreign:
        group = [r for r in rows.values() if not r.spec.foreign and f.spec.label in r.spec.row.group]
        if group and all(r.match is None or _all_blank(r) for r in group):
            # one published row for three: exact only where it is 0 (counts are never negative) or blank
            unsplit = []
            for ci, column in enumerate(f.spec.columns):
                fkey = f.spec.keys()[ci]
                keys = [r.spec.keys()[ci] for r in group]
                if form.cells[keys[0]].is_total:
                    continue
                v = final.get(fkey, "?")
                if v == 0 or v is None:
                    for k in keys:
                        result.values[k] = v
                else:
                    unsplit.append((column, keys, v))
                    for k in keys:
                        result.values[k] = None
                        result.comments[k] = (
                            f"报告按 2019 年版格式只有一行“{f.spec.label}”，这一列是 {_fmt(v) if v != '?' else '（无法确定）'}，"
                            "无法分到 2021 年版的三行，已留空。请对照原始台账填写。"
                        )
            result.findings.append(layout_finding(form, f.spec, group, unsplit))
            for r in group:
                doubtful.pop(r.spec.id, None)
                covered.add(r.spec.id)
    groups: dict[str, list[_Row]] = {}
    for f in foreign:
        if f.spec.row.group and f.spec.row.group[-1] in own_by_label:
            groups.setdefault(f.spec.row.group[-1], []).append(f)
    for label, subs in groups.items():
        own = own_by_label[label]
        if own.present and not _all_blank(own):
            continue
        for ci, key in enumerate(own.spec.keys()):
            if form.cells[key].is_total:
                continue
            parts = [final.get(s.spec.keys()[ci], "?") for s in subs]
            if any(p == "?" for p in parts):
                result.values[key] = None
                result.comments[key] = f"报告按 2021 年版格式分三行列出“{label}”，其中有无法确定的数字，已留空。"
            elif all(p is None for p in parts):
                result.values[key] = None
            else:
                result.values[key] = sum(_num(p) for p in parts)
        result.findings.append(layout_finding(form, own.spec, subs, []))
        covered.add(own.spec.id)
        doubtful.pop(own.spec.id, None)
    return covered


__all__ = ["TableRead", "read_table", "splits", "parse_piece", "tokenize", "Column", "Token", "Text"]
