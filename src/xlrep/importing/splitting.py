"""Figures: the published text between two labels → the cells of a row, decided by the form's relations.

Where a document has cells, each cell is one figure. Where it has none (a crawler's text dump), a run
of digits may hold several (``21710000218`` = 217|1|0|0|0|0|218). ``splits`` lists every way to read a
row as one figure per column: a figure has no leading zero, only a signed column takes a sign, only
an amount a decimal point, a unit only where the column has it. ``solve`` then applies the relations
the form declares — each row's 总计, （七）总计 = the result rows, 一 + 二 = （七）+ 四, 表四's blocks —
and keeps a cell only where every reading that satisfies them agrees. Nothing is ever guessed.

A relation that the certain cells contradict (a printed total that is wrong) is not used to decide
anything in that table; the contradiction is returned so that it can be reported (IMPORT-TOTAL).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..edition.form import Form
from .labels import CELL_CLOSE, CELL_OPEN, variants

MAX_SPLITS = 5000  # readings of one row; beyond this the row is not resolved
MAX_STEPS = 200_000  # search steps for one row or one table
MAX_SOLUTIONS = 64
MAX_PIECE = 16  # characters of one published figure

UNSET = object()  # not a valid figure for this column


class Text(str):
    """A published cell that is not a number (``-``, ``无``, ``251000元`` in a 万元 column): kept as text."""


@dataclass(frozen=True)
class Amount:
    """An amount whose unit the published cell states, for a column whose unit each report chooses (采购总金额)."""

    value: float | int
    unit: str


# -- tokens -----------------------------------------------------------------------------------------

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
PROSE = re.compile(r"[\u3400-\u9fff]{4,}")


@dataclass(frozen=True)
class Token:
    kind: str  # "cell" (one figure), "blank" (an empty cell), "run" (figures, boundaries unknown)
    text: str


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def tokenize(chunk: str, word_starts: frozenset[str]) -> list[Token]:
    """The figures in a stretch of text between two labels (label remnants and other words are skipped).

    ``word_starts``: characters that follow 无 inside the form's labels (无法提供): there 无 is a word.
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(chunk):
        if chunk[pos] == CELL_OPEN:
            end = chunk.find(CELL_CLOSE, pos + 1)
            if end == -1:  # the start of the next label's cell
                tokens.extend(_free(chunk[pos + 1 :], word_starts))
                break
            tokens.extend(_cell(chunk[pos + 1 : end]))
            pos = end + 1
        else:
            nxt = chunk.find(CELL_OPEN, pos)
            nxt = len(chunk) if nxt == -1 else nxt
            tokens.extend(_free(chunk[pos:nxt].replace(CELL_CLOSE, " "), word_starts))
            pos = nxt
    return tokens


#: Words of prose looked past for a table's last row's figures. Its figures follow its label at once (a note
#: or two may stand between a label wrapped over lines); each try reads the text from the label again, so an
#: unbounded search over a long text with no figure was quadratic (254 KB of prose after the last label: 140 s).
MAX_PROSE_TRIES = 32


def until_prose(chunk: str, word_starts: frozenset[str]) -> list[Token]:
    """The figures of a table's last row: up to the first sentence after them (a note, the next part's text).

    None when the first ``MAX_PROSE_TRIES`` words of prose after the label have no figure before them: what
    follows is the text of the report, not the row (its cells are left blank and reported)."""
    for tries, m in enumerate(PROSE.finditer(chunk)):
        if tries >= MAX_PROSE_TRIES:
            return []
        before = tokenize(chunk[: m.start()], word_starts)
        if before:
            return before
    return tokenize(chunk, word_starts)


def _cell(text: str) -> list[Token]:
    norm = _nfkc(text).strip()
    compact = SPACE.sub("", norm)
    if not compact:
        return [Token("blank", "")]
    if CELL_VALUE.match(compact):
        return [Token("cell", compact)]
    if all(RUN.fullmatch(part) for part in norm.split()):  # several figures in one cell: no boundary inside
        return [Token("run", part) for part in norm.split()]
    return []  # label text


def _free(text: str, word_starts: frozenset[str]) -> list[Token]:
    norm = _nfkc(text)
    out: list[Token] = []
    for m in RUN.finditer(norm):
        s = m.group(0)
        after = norm[m.end() : m.end() + 1]
        before = norm[m.start() - 1 : m.start()] if m.start() else ""
        if s == "无" and (after in word_starts or not _free_standing(before)):
            continue  # part of a label (无法提供, “（四）无”/“法提供” wrapped) or of a sentence
        if s[0].isdigit() or s[0] in "+-":
            s = _strip_ordinal(s, after)
        if s:
            out.append(Token("run", s))
    return out


def _strip_ordinal(run: str, after: str) -> str:
    """``00000003.`` before a label: ``3.`` is the label's ordinal; a trailing ``.`` or ``,`` is punctuation."""
    if after and _is_cjk(after) and run.endswith("."):
        run = run[:-1]
        return run[:-1] if run and run[-1].isdigit() else run
    return run[:-1] if run.endswith((".", ",")) else run


def _free_standing(before: str) -> bool:
    """A 无 stands for a blank cell only after nothing, a space, a figure or another placeholder."""
    return not before or before.isspace() or before.isdigit() or before in "无-—–/\\" or before == CELL_CLOSE


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3400" <= ch <= "\u9fff")


def trim_blanks(tokens: list[Token], n: int) -> list[Token]:
    """Empty cells beyond the row's width (a label column left empty, a page's leftover cell) are not figures."""
    tokens = list(tokens)
    count = len(tokens)
    while tokens and count > n and tokens[-1].kind == "blank":
        tokens.pop()
        count -= 1
    while tokens and count > n and tokens[0].kind == "blank":
        tokens.pop(0)
        count -= 1
    return [] if all(t.kind == "blank" for t in tokens) else tokens


# -- one figure -------------------------------------------------------------------------------------------


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
    if not m or not _fits(m, column):
        return UNSET
    sign, whole, frac, unit = m.group("sign"), m.group("int"), m.group("frac"), m.group("unit")
    if unit and column.kind == "amount" and column.unit is not None and unit != column.unit:
        return Text(piece)  # 251000元 in a 万元 column: kept as published, VALUE-TEXT says so
    digits = whole.replace(",", "")
    value = float(Decimal(f"{digits}.{frac}")) if frac is not None else int(digits)
    value = -value if sign == "-" else value
    if unit and column.kind == "amount" and column.unit is None:
        return Amount(value, unit)
    return value


def _fits(m: re.Match, column: Column) -> bool:
    sign, whole, frac, unit = m.group("sign"), m.group("int"), m.group("frac"), m.group("unit")
    if sign and (column.kind != "signed" or whole == "0"):
        return False
    if frac is not None and column.kind != "amount":
        return False
    if unit:
        return unit in (AMOUNT_UNITS if column.kind == "amount" else COUNT_UNITS)
    return True


def splits(tokens: list[Token], columns: list[Column]) -> tuple[list[tuple], bool]:
    """Every way to read ``tokens`` as exactly one figure per column; ``(readings, complete)``."""
    return _Splitter(tokens, columns).run()


class _Splitter:
    def __init__(self, tokens: list[Token], columns: list[Column]):
        self.tokens, self.columns = tokens, columns
        self.out: list[tuple] = []
        self.steps = 0
        self.complete = True
        self.dead: set[tuple[int, int, int]] = set()  # states from which no reading completes the row
        n = len(tokens)
        self.least = [0] * (n + 1)  # cells the tokens from i on need at least / can give at most
        self.most = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            self.least[i] = self.least[i + 1] + 1
            self.most[i] = self.most[i + 1] + (len(tokens[i].text) if tokens[i].kind == "run" else 1)

    def run(self) -> tuple[list[tuple], bool]:
        self.visit(0, 0, 0, [])
        return self.out, self.complete

    def visit(self, ti: int, pos: int, col: int, acc: list) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or len(self.out) >= MAX_SPLITS:
            self.complete = False
            return
        if ti == len(self.tokens):
            if col == len(self.columns):
                self.out.append(tuple(acc))
            return
        state = (ti, pos, col)
        if state in self.dead or not self.feasible(ti, pos, col):
            return
        before = len(self.out)
        self.explore(ti, pos, col, acc)
        if len(self.out) == before and self.complete:
            self.dead.add(state)

    def feasible(self, ti: int, pos: int, col: int) -> bool:
        left = len(self.columns) - col
        if pos:
            lo, hi = 1 + self.least[ti + 1], len(self.tokens[ti].text) - pos + self.most[ti + 1]
        else:
            lo, hi = self.least[ti], self.most[ti]
        return lo <= left <= hi

    def explore(self, ti: int, pos: int, col: int, acc: list) -> None:
        tok = self.tokens[ti]
        if tok.kind != "run":
            value = None if tok.kind == "blank" else parse_piece(tok.text, self.columns[col])
            if value is not UNSET:
                self.visit(ti + 1, 0, col + 1, acc + [value])
            return
        text = tok.text
        for end in range(pos + 1, min(len(text), pos + MAX_PIECE) + 1):
            value = parse_piece(text[pos:end], self.columns[col])
            if value is not UNSET:
                self.visit(ti + (end == len(text)), end % len(text), col + 1, acc + [value])


# -- relations ---------------------------------------------------------------------------------------


@dataclass
class Relation:
    """``sum(left) == sum(right)`` over cell keys; for a printed total, ``left`` is the total."""

    left: list[str]
    right: list[str]
    family: str  # the rule: T3-ROW-SUM, T3-RESULT-SUM, T3-IDENTITY, T4-SUM
    total: bool  # left is one printed total

    def holds(self, value) -> bool | None:
        """True/False, or None where it does not apply (a blank or text total)."""
        if self.total and not is_number(value(self.left[0])):
            return None
        return total(value, self.left) == total(value, self.right)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def num(v) -> int | float:
    return v if is_number(v) else 0


def total(value, keys) -> int | float:
    return sum(num(value(k)) for k in keys)


def form_relations(form: Form, table: str) -> list[Relation]:
    out = []
    for cell in form.cells.values():
        if cell.table == table and cell.sum_of:
            out.append(Relation([cell.key], list(cell.sum_of), cell.sum_rule, True))
    for check in form.checks:
        if check.left and form.cells[check.left[0]].table == table:
            out.append(Relation(list(check.left), list(check.right), check.rule, False))
    return out


# -- solving --------------------------------------------------------------------------------------------


@dataclass
class RowReadings:
    keys: list[str]  # the row's cell keys, column by column
    options: list[tuple]  # every reading (all of them when ``complete``)
    complete: bool = True


@dataclass
class Solution:
    values: dict[str, object] = field(default_factory=dict)  # the cells every admissible reading agrees on
    doubtful: dict[str, list[str]] = field(default_factory=dict)  # row id -> its cells in doubt
    options: dict[str, list[tuple]] = field(default_factory=dict)  # row id -> readings that fit its own relations
    untrusted: set[str] = field(default_factory=set)  # relation families the table's certain cells contradict
    contradictions: list[tuple[Relation, object, object]] = field(default_factory=list)  # (relation, printed, sum)


def solve(rows: dict[str, RowReadings], relations: list[Relation]) -> Solution:
    """Decide each cell of a table's rows under its relations (see the module docstring)."""
    return _Solver(rows, relations).run()


class _Solver:
    def __init__(self, rows: dict[str, RowReadings], relations: list[Relation]):
        self.rows = rows
        self.cell_at = {key: (rid, ci) for rid, row in rows.items() for ci, key in enumerate(row.keys)}
        # a row whose readings could not all be listed is unknown: its true reading may be missing from the
        # list, so it must not rule out the readings of other rows
        self.known = {rid for rid, row in rows.items() if row.options and row.complete}
        usable = [r for r in relations if all(self.cell_at.get(k, ("", 0))[0] in self.known for k in r.left + r.right)]
        self.relations = relations
        self.local = [r for r in usable if len({self.cell_at[k][0] for k in r.left + r.right}) == 1]
        self.cross = [r for r in usable if r not in self.local]

    def keeps(self, rel: Relation, option: tuple) -> bool | None:
        """``rel.holds`` within one row, on positions (it runs on every reading of a row)."""
        left = [self.cell_at[k][1] for k in rel.left]
        if rel.total and not is_number(option[left[0]]):
            return None
        return sum(num(option[i]) for i in left) == sum(num(option[self.cell_at[k][1]]) for k in rel.right)

    def run(self) -> Solution:
        solution = Solution(untrusted=self.untrusted())
        for rid in self.known:
            opts = self.rows[rid].options
            for rel in self.local:
                if rel.family not in solution.untrusted and self.cell_at[rel.left[0]][0] == rid:
                    opts = [o for o in opts if self.keeps(rel, o) is not False]
            solution.options[rid] = opts
        active = [r for r in self.cross if r.family not in solution.untrusted]
        found, exhaustive = search(solution.options, active, self.cell_at)
        while not found and exhaustive and active:  # the table contradicts itself: drop a kind of relation
            solution.untrusted.add(active[0].family)
            active = [r for r in active if r.family not in solution.untrusted]
            found, exhaustive = search(solution.options, active, self.cell_at)
        self.decide(solution, found if exhaustive else [])
        solution.contradictions = self.contradictions(solution.values)
        return solution

    def untrusted(self) -> set[str]:
        """Families of relations that the table's own certain cells contradict: not used to decide anything."""
        out: set[str] = set()
        for rel in self.local:
            opts = self.rows[self.cell_at[rel.left[0]][0]].options
            if opts and all(self.keeps(rel, o) is False for o in opts):
                out.add(rel.family)  # figures there, but no reading matches the printed total
        fixed = {rid: self.rows[rid].options[0] for rid in self.known if len(self.rows[rid].options) == 1}
        for rel in self.cross:
            if {self.cell_at[k][0] for k in rel.left + rel.right} <= fixed.keys():
                if rel.holds(lambda key: fixed[self.cell_at[key][0]][self.cell_at[key][1]]) is False:
                    out.add(rel.family)
                    if rel.family == "T3-RESULT-SUM":
                        out.add("T3-IDENTITY")  # the identity rests on the same printed （七）总计
        return out

    def decide(self, solution: Solution, found: list[dict]) -> None:
        for rid, row in self.rows.items():
            opts = solution.options.get(rid)
            if not opts:
                solution.doubtful[rid] = list(row.keys)
                continue
            for ci, key in enumerate(row.keys):
                seen = {_freeze(s[rid][ci]) for s in found} if found else {_freeze(o[ci]) for o in opts}
                if len(seen) == 1:
                    solution.values[key] = next(iter(seen))[1]
                else:
                    solution.doubtful.setdefault(rid, []).append(key)

    def contradictions(self, values: dict[str, object]) -> list:
        out = []
        for rel in self.relations:
            if not rel.total or any(k not in values for k in rel.left + rel.right):
                continue
            printed = values[rel.left[0]]
            if is_number(printed) and printed != total(values.get, rel.right):
                out.append((rel, printed, total(values.get, rel.right)))
        return out


def _freeze(v):
    return (type(v).__name__, v)


def search(options: dict[str, list[tuple]], relations: list[Relation], cell_at) -> tuple[list[dict], bool]:
    """All combinations of the rows' readings that keep ``relations`` (up to a bound; ``exhaustive`` if none cut off).

    Each relation is linear (Σ left − Σ right = 0) and every figure in it is a count, so a partial
    assignment is dropped as soon as the rows still open cannot bring the difference back to 0.
    """
    return _Search(options, relations, cell_at).run()


class _Search:
    def __init__(self, options, relations, cell_at):
        self.rids = [r for r in sorted(options, key=lambda r: len(options[r])) if options[r]]
        self.options = options
        position = {r: i for i, r in enumerate(self.rids)}
        self.linear = [c for rel in relations if (c := _linear(rel, options, cell_at, position)) is not None]
        n = len(self.rids)
        self.low = [[0] * (n + 1) for _ in self.linear]  # least and most the rows from i on can still add
        self.high = [[0] * (n + 1) for _ in self.linear]
        for r, contrib in enumerate(self.linear):
            for i in range(n - 1, -1, -1):
                c = contrib.get(self.rids[i])
                self.low[r][i] = self.low[r][i + 1] + (min(c) if c else 0)
                self.high[r][i] = self.high[r][i + 1] + (max(c) if c else 0)
        self.involved = {rid: [r for r, c in enumerate(self.linear) if rid in c] for rid in self.rids}
        self.partial = [0] * len(self.linear)
        self.solutions: list[dict] = []
        self.assignment: dict[str, tuple] = {}
        self.steps = 0
        self.exhaustive = True

    def run(self) -> tuple[list[dict], bool]:
        if self.rids:
            self.visit(0)
        return self.solutions, self.exhaustive

    def fits(self, i: int, rid: str, oi: int) -> bool:
        for r in self.involved[rid]:
            value = self.partial[r] + self.linear[r][rid][oi]
            if value + self.low[r][i + 1] > 0 or value + self.high[r][i + 1] < 0:
                return False
        return True

    def visit(self, i: int) -> None:
        if i == len(self.rids):
            self.solutions.append(dict(self.assignment))
            self.exhaustive = len(self.solutions) < MAX_SOLUTIONS
            return
        rid = self.rids[i]
        for oi, option in enumerate(self.options[rid]):
            self.steps += 1
            if self.steps > MAX_STEPS:
                self.exhaustive = False
            if not self.exhaustive:
                return
            if not self.fits(i, rid, oi):
                continue
            for r in self.involved[rid]:
                self.partial[r] += self.linear[r][rid][oi]
            self.assignment[rid] = option
            self.visit(i + 1)
            for r in self.involved[rid]:
                self.partial[r] -= self.linear[r][rid][oi]
        self.assignment.pop(rid, None)


def _linear(rel: Relation, options, cell_at, position) -> dict[str, list] | None:
    """A relation as each row's contribution to Σ left − Σ right, per reading; None where it does not apply."""
    terms: dict[str, list[tuple[int, int]]] = {}
    for sign, keys in ((1, rel.left), (-1, rel.right)):
        for key in keys:
            rid, ci = cell_at[key]
            terms.setdefault(rid, []).append((ci, sign))
    if any(rid not in position for rid in terms):
        return None
    if rel.total:
        rid, ci = cell_at[rel.left[0]]
        if any(not is_number(o[ci]) for o in options[rid]):
            return None  # a blank or text total: the relation does not apply
    return {rid: [sum(s * num(o[ci]) for ci, s in t) for o in options[rid]] for rid, t in terms.items()}
