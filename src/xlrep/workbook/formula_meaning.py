"""Whether two spreadsheet formulas compute the same thing, whatever the program that saved them wrote.

Spreadsheet programs re-spell formulas when they save a workbook: Gnumeric writes ``--ISTEXT(r)`` as
``-(-ISTEXT(r))``, others add or drop spaces, ``$``, sheet-name quotes, redundant parentheses, ``_xlfn.``
prefixes or a unary ``+``, or use ``;`` between arguments. A formula cell is tampered with only when it
computes something else, so the reader compares formulas by their *meaning*: each is split into tokens by
openpyxl's formula tokenizer (the tokenizer of a well-kept library, which knows string literals, sheet
quoting and the operator kinds), parsed into a tree with Excel's operator precedence, and the trees are
compared after canonicalising:

- whitespace (dropped, except where it is the intersection operator), the case of function names,
  references and defined names; ``$`` (absolute and relative references name the same cell); the quotes
  around a sheet name, and a sheet prefix naming the formula's own sheet; a range's corner order
  (``B2:A1`` is ``A1:B2``) and a one-cell range (``A1:A1`` is ``A1``);
- ``_xlfn.`` / ``_xlws.`` function prefixes; redundant parentheses (the tree has none), so ``-(-x)`` and
  ``--x`` are one tree; a unary ``+``; ``;`` as argument separator; number spellings (``1``, ``1.0``, ``1E0``).

What changes the meaning — another reference, a term more or less, a constant in place of a reference,
another function, another operator or literal — gives another tree. A formula the tokenizer cannot parse
is compared as text (after the leading ``=``).

openpyxl is imported only when two formulas are not spelled identically (a workbook saved by the
template's own writer and filled in Excel needs no parsing).
"""

from __future__ import annotations

from functools import lru_cache

PREFIXES = ("_XLFN.", "_XLWS.")
#: Infix operators by precedence (higher binds tighter); Excel's order: reference operators, then negation
#: (prefix), percent, ^, * /, + -, &, comparisons.
INFIX = {
    ":": 9,
    " ": 8,  # intersection
    ",": 7,  # union (only outside a function's argument list)
    "^": 5,
    "*": 4,
    "/": 4,
    "+": 3,
    "-": 3,
    "&": 2,
    "=": 1,
    "<>": 1,
    "<": 1,
    ">": 1,
    "<=": 1,
    ">=": 1,
}


#: Longer formulas are compared as text: Excel's limit is 8,192 characters (a longer one is no template's).
MAX_FORMULA_CHARS = 16_384


class Unparsable(ValueError):
    """The formula is not one the parser understands (compared as text instead)."""


def same_formula(found: object, expected: object, sheet: str | None = None) -> bool:
    """Whether ``found`` computes what ``expected`` does (both ``=…`` texts) in a cell of ``sheet``."""
    a, b = _body(found), _body(expected)
    if a == b:
        return True
    try:
        return canonical(a, sheet) == canonical(b, sheet)
    except Unparsable:
        return False


def _body(text: object) -> str:
    s = str(text or "").strip()
    return s[1:] if s.startswith("=") else s


@lru_cache(maxsize=4096)
def canonical(formula: str, sheet: str | None = None) -> tuple:
    """The meaning of ``formula`` (with or without its ``=``) as a nested tuple; raises ``Unparsable``."""
    from openpyxl.formula.tokenizer import Tokenizer, TokenizerError

    body = _body(formula)
    if len(body) > MAX_FORMULA_CHARS:
        raise Unparsable("too long")
    try:
        tokens = Tokenizer("=" + body).items
    except (TokenizerError, ValueError, IndexError) as exc:
        raise Unparsable(str(exc)) from None
    parser = _Parser(_significant(tokens), _fold(sheet) if sheet else None)
    try:
        tree = parser.expression(0)
    except RecursionError:  # nested deeper than any spreadsheet allows (Excel: 64 levels)
        raise Unparsable("nested too deeply") from None
    if parser.pos != len(parser.tokens):
        raise Unparsable(f"unexpected {parser.tokens[parser.pos].value!r}")
    return tree


def _significant(tokens) -> list:
    """The tokens without whitespace; a space between two operands becomes the intersection operator."""
    following: list = [None] * (len(tokens) + 1)  # the next token that is not whitespace, after each position
    for i in range(len(tokens) - 1, -1, -1):
        following[i] = tokens[i] if tokens[i].type != "WHITE-SPACE" else following[i + 1]
    out = []
    for i, token in enumerate(tokens):
        if token.type != "WHITE-SPACE":
            out.append(token)
            continue
        before = out[-1] if out else None
        after = following[i + 1]
        if before is not None and after is not None and _ends_operand(before) and _starts_operand(after):
            out.append(_Token(" ", "OPERATOR-INFIX", ""))
    return out


class _Token:
    def __init__(self, value: str, type_: str, subtype: str) -> None:
        self.value, self.type, self.subtype = value, type_, subtype


def _ends_operand(t) -> bool:
    return t.type in ("OPERAND", "OPERATOR-POSTFIX") or t.subtype == "CLOSE"


def _starts_operand(t) -> bool:
    return t.type in ("OPERAND", "FUNC", "PAREN", "ARRAY") and t.subtype != "CLOSE" or t.type == "OPERATOR-PREFIX"


def _fold(name: str) -> str:
    return name.casefold()


class _Parser:
    def __init__(self, tokens: list, sheet: str | None) -> None:
        self.tokens, self.sheet, self.pos = tokens, sheet, 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        if token is None:
            raise Unparsable("the formula ends too early")
        self.pos += 1
        return token

    def expression(self, lowest: int, in_args: bool = False) -> tuple:
        left = self.prefixed()
        while True:
            token = self.peek()
            if token is None or token.type != "OPERATOR-INFIX":
                return left
            op = token.value
            if op == "," and in_args:
                return left
            precedence = INFIX.get(op)
            if precedence is None:
                raise Unparsable(f"unknown operator {op!r}")
            if precedence < lowest:
                return left
            self.pos += 1
            right = self.expression(precedence + 1, in_args)  # left-associative
            left = ("op", op, left, right)

    def prefixed(self) -> tuple:
        token = self.peek()
        if token is not None and token.type == "OPERATOR-PREFIX":
            self.pos += 1
            operand = self.prefixed()
            return operand if token.value == "+" else ("neg", operand)  # a unary + changes nothing
        node = self.primary()
        while (token := self.peek()) is not None and token.type == "OPERATOR-POSTFIX":
            self.pos += 1
            node = ("percent", node)
        return node

    def primary(self) -> tuple:
        token = self.take()
        if token.type == "OPERAND":
            return self.operand(token)
        if token.type == "FUNC" and token.subtype == "OPEN":
            return self.function(token.value[:-1])
        if token.type == "PAREN" and token.subtype == "OPEN":
            inner = self.expression(0)
            self.expect("PAREN")
            return inner  # parentheses only group: the tree keeps the grouping
        if token.type == "ARRAY" and token.subtype == "OPEN":
            return self.array()
        raise Unparsable(f"unexpected {token.value!r}")

    def expect(self, kind: str) -> None:
        token = self.take()
        if token.type != kind or token.subtype != "CLOSE":
            raise Unparsable(f"expected a closing parenthesis, found {token.value!r}")

    def function(self, name: str) -> tuple:
        name = name.upper()
        for prefix in PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix) :]
        args: list[tuple] = []
        token = self.peek()
        if token is not None and token.type == "FUNC" and token.subtype == "CLOSE":
            self.pos += 1
            if name in ("TRUE", "FALSE"):  # LibreOffice writes the logical constants as TRUE() and FALSE()
                return ("logical", name)
            return ("call", name, ())
        while True:
            token = self.peek()
            if token is not None and (token.type == "SEP" or (token.type == "FUNC" and token.subtype == "CLOSE")):
                args.append(("missing",))  # IF(a,,b): an omitted argument
            else:
                args.append(self.expression(0, in_args=True))
            token = self.take()
            if token.type == "FUNC" and token.subtype == "CLOSE":
                return ("call", name, tuple(args))
            if token.type == "SEP" or (token.type == "OPERATOR-INFIX" and token.value == ","):
                continue  # "," or ";" (the separator of some locales) between arguments
            raise Unparsable(f"unexpected {token.value!r} in the arguments of {name}")

    def array(self) -> tuple:
        rows: list[list] = [[]]
        while True:
            token = self.take()
            if token.type == "ARRAY" and token.subtype == "CLOSE":
                return ("array", tuple(tuple(r) for r in rows))
            if token.type == "SEP":
                if token.subtype == "ROW":
                    rows.append([])
                continue
            if token.type == "OPERATOR-PREFIX" and token.value == "-":
                rows[-1].append(("neg", self.operand(self.take())))
            elif token.type == "OPERAND":
                rows[-1].append(self.operand(token))
            else:
                raise Unparsable(f"unexpected {token.value!r} in an array")

    def operand(self, token) -> tuple:
        value, kind = token.value, token.subtype
        if kind == "NUMBER":
            try:
                return ("number", float(value))
            except ValueError:
                raise Unparsable(f"bad number {value!r}") from None
        if kind == "TEXT":
            return ("text", value[1:-1].replace('""', '"'))
        if kind == "LOGICAL":
            return ("logical", value.upper())
        if kind == "ERROR":
            return ("error", value.upper())
        if kind == "RANGE":
            return reference(value, self.sheet)
        raise Unparsable(f"unknown operand {value!r}")


def reference(text: str, own_sheet: str | None = None) -> tuple:
    """A reference operand's meaning: (sheet or None for the formula's own, canonical address)."""
    sheet, address = _split_sheet(text)
    if sheet is not None and own_sheet is not None and _fold(sheet) == own_sheet:
        sheet = None
    parts = []
    for part in address.split(":"):
        part_sheet, part = _split_sheet(part)
        if part_sheet is not None and sheet is None and (own_sheet is None or _fold(part_sheet) != own_sheet):
            sheet = part_sheet  # Sheet!A1:Sheet!B2
        parts.append(part.replace("$", "").upper())
    cells = [_cell(p) for p in parts]
    if len(parts) == 2 and all(cells):
        (c1, r1), (c2, r2) = cells
        lo, hi = (min(c1, c2), min(r1, r2)), (max(c1, c2), max(r1, r2))
        address = _a1(*lo) if lo == hi else f"{_a1(*lo)}:{_a1(*hi)}"
    else:
        address = ":".join(parts)
    return ("ref", _fold(sheet) if sheet is not None else None, address)


def _split_sheet(text: str) -> tuple[str | None, str]:
    """``'It''s'!A1`` → ("It's", "A1"); ``A1`` → (None, "A1")."""
    if text.startswith("'"):
        i, name = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    name.append("'")
                    i += 2
                    continue
                break
            name.append(text[i])
            i += 1
        rest = text[i + 1 :]
        if rest.startswith("!"):
            return "".join(name), rest[1:]
        raise Unparsable(f"bad sheet reference {text!r}")
    head, bang, tail = text.partition("!")
    if bang and ":" not in head:
        return head, tail
    return None, text


def _cell(text: str) -> tuple[int, int] | None:
    """``"AB12"`` → (28, 12); ``None`` for what is not one cell (a column, a row, a name, row 0)."""
    # openpyxl's A1 helpers: loaded with its tokenizer (``canonical``), so they cost no import
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.utils.exceptions import CellCoordinatesException

    try:
        letters, row = coordinate_from_string(text)
    except CellCoordinatesException:
        return None
    return column_index_from_string(letters), row


def _a1(col: int, row: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return f"{get_column_letter(col)}{row}"
