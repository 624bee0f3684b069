"""Generated edits of the template's own formulas, on openpyxl's tokens (independent of xlrep's parser).

``respell(formula, sheet, rng)`` writes a formula the way another spreadsheet program may save it —
the same meaning, other spelling (spaces, case, ``$``, sheet quotes, ``_xlfn.``, redundant parentheses,
``-(-x)`` for ``--x``, a unary ``+``, ``;`` between arguments, the own sheet named, numbers respelled).
``change(formula, rng)`` makes one edit that changes what it computes (a reference moved, a term dropped
or added, a constant typed in place of a reference, a function swapped, a literal or operator changed).
Both return the new formula and the names of the edits made.
"""

from __future__ import annotations

import random

from openpyxl.formula.tokenizer import Token, Tokenizer

Tok = tuple[str, str, str]  # value, type, subtype


def tokens(formula: str) -> list[Tok]:
    return [(t.value, t.type, t.subtype) for t in Tokenizer(formula).items]


def render(toks: list[Tok]) -> str:
    return "=" + "".join(v for v, _, _ in toks)


def _is_open(t: Tok) -> bool:
    return t[2] == Token.OPEN and t[1] in (Token.FUNC, Token.PAREN)


def _is_close(t: Tok) -> bool:
    return t[2] == Token.CLOSE and t[1] in (Token.FUNC, Token.PAREN)


def extent(toks: list[Tok], i: int) -> int:
    """The index after the operand starting at ``i`` (prefix operators, then a value, function or group)."""
    while toks[i][1] == Token.OP_PRE:
        i += 1
    if toks[i][1] == Token.OPERAND:
        return i + 1
    assert _is_open(toks[i]), toks[i]
    depth = 0
    for j in range(i, len(toks)):
        if _is_open(toks[j]):
            depth += 1
        elif _is_close(toks[j]):
            depth -= 1
            if depth == 0:
                return j + 1
    raise AssertionError("unbalanced")


def operand_starts(toks: list[Tok]) -> list[int]:
    """Where an operand (possibly prefixed) starts: after an opening, a separator, an infix operator, or at 0."""
    out = []
    for i, t in enumerate(toks):
        before = toks[i - 1] if i else None
        starts = t[1] == Token.OPERAND or _is_open(t) or t[1] == Token.OP_PRE
        if starts and (before is None or _is_open(before) or before[1] in (Token.SEP, Token.OP_IN, Token.WSPACE)):
            out.append(i)
    return out


def _cell_parts(ref: str) -> tuple[str, str]:
    """``'S'!B6:D7`` → ("'S'!", "B6:D7")."""
    if "!" in ref:
        head, _, tail = ref.rpartition("!")
        return head + "!", tail
    return "", ref


def _dollars(address: str, rng: random.Random) -> str:
    out = []
    for part in address.split(":"):
        letters = part.rstrip("0123456789")
        digits = part[len(letters) :]
        out.append(("$" if rng.random() < 0.7 else "") + letters + ("$" if rng.random() < 0.7 else "") + digits)
    return ":".join(out)


def _shift(address: str, rng: random.Random) -> str:
    parts = address.split(":")
    k = rng.randrange(len(parts))
    letters = parts[k].rstrip("0123456789")
    row = int(parts[k][len(letters) :])
    if rng.random() < 0.5:
        parts[k] = f"{letters}{row + 1}"
    else:
        parts[k] = (
            f"{'A' if letters == 'Z' else chr(ord(letters[-1]) + 1) if len(letters) == 1 else letters + 'A'}{row}"
        )
    return ":".join(parts)


def _is_cell_ref(value: str) -> bool:
    _, address = _cell_parts(value)
    return all(p.rstrip("0123456789").isalpha() and p[-1:].isdigit() for p in address.split(":"))


# -- meaning-preserving rewrites -----------------------------------------------------------------------
def _spaces(toks, sheet, rng):
    out = []
    for t in toks:
        if t[1] == Token.OP_IN and rng.random() < 0.6:
            out += [(" ", Token.WSPACE, ""), t, (" ", Token.WSPACE, "")]
        elif t[1] == Token.SEP and rng.random() < 0.6:
            out += [t, (" ", Token.WSPACE, "")]
        elif _is_open(t) and t[1] == Token.FUNC and rng.random() < 0.3:
            out += [t, (" ", Token.WSPACE, "")]
        else:
            out.append(t)
    return out


def _case(toks, sheet, rng):
    out = []
    for v, ty, st in toks:
        if ty == Token.FUNC and st == Token.OPEN and rng.random() < 0.6:
            v = v.lower()
        elif ty == Token.OPERAND and st == Token.RANGE and rng.random() < 0.6:
            head, address = _cell_parts(v)
            v = head + address.lower()
        out.append((v, ty, st))
    return out


def _dollar(toks, sheet, rng):
    out = []
    for v, ty, st in toks:
        if ty == Token.OPERAND and st == Token.RANGE and _is_cell_ref(v):
            head, address = _cell_parts(v)
            v = head + _dollars(address, rng)
        out.append((v, ty, st))
    return out


def _quotes(toks, sheet, rng):
    out = []
    for v, ty, st in toks:
        if ty == Token.OPERAND and st == Token.RANGE and "!" in v:
            head, address = _cell_parts(v)
            name = head[:-1]
            if name.startswith("'") and "''" not in name and " " not in name:
                v = name[1:-1] + "!" + address
            elif not name.startswith("'"):
                v = "'" + name + "'!" + address
        out.append((v, ty, st))
    return out


def _xlfn(toks, sheet, rng):
    return [
        (rng.choice(("_xlfn.", "_xlws.", "_XLFN.")) + v, ty, st)
        if ty == Token.FUNC and st == Token.OPEN and rng.random() < 0.5
        else (v, ty, st)
        for v, ty, st in toks
    ]


def _parentheses(toks, sheet, rng):
    for _ in range(rng.randint(1, 3)):
        i = rng.choice(operand_starts(toks))
        end = extent(toks, i)
        toks = (
            toks[:i] + [("(", Token.PAREN, Token.OPEN)] + toks[i:end] + [(")", Token.PAREN, Token.CLOSE)] + toks[end:]
        )
    if rng.random() < 0.3:
        toks = [("(", Token.PAREN, Token.OPEN), *toks, (")", Token.PAREN, Token.CLOSE)]
    return toks


def _double_negation(toks, sheet, rng):
    """``--x`` → ``-(-x)`` (what Gnumeric writes), or the reverse."""
    for i in range(len(toks) - 1):
        if toks[i][:2] == ("-", Token.OP_PRE) and toks[i + 1][:2] == ("-", Token.OP_PRE):
            end = extent(toks, i + 1)
            return (
                toks[: i + 1]
                + [("(", Token.PAREN, Token.OPEN)]
                + toks[i + 1 : end]
                + [(")", Token.PAREN, Token.CLOSE)]
                + toks[end:]
            )
    return toks


def _unary_plus(toks, sheet, rng):
    starts = [i for i in operand_starts(toks) if toks[i][1] != Token.OP_PRE]
    for i in sorted(rng.sample(starts, min(len(starts), rng.randint(1, 2))), reverse=True):
        toks = toks[:i] + [("+", Token.OP_PRE, "")] + toks[i:]
    return toks


def _semicolons(toks, sheet, rng):
    return [(";", ty, st) if ty == Token.SEP and v == "," else (v, ty, st) for v, ty, st in toks]


def _own_sheet(toks, sheet, rng):
    quoted = "'" + sheet.replace("'", "''") + "'!"
    return [
        (quoted + v, ty, st)
        if ty == Token.OPERAND and st == Token.RANGE and "!" not in v and _is_cell_ref(v) and rng.random() < 0.7
        else (v, ty, st)
        for v, ty, st in toks
    ]


def _numbers(toks, sheet, rng):
    out = []
    for v, ty, st in toks:
        if ty == Token.OPERAND and st == Token.NUMBER:
            x = float(v)  # (openpyxl's tokenizer reads an exponent only after a digit 1-9: "0E0" is not a number)
            v = rng.choice((v + ".0", f"{x:E}" if x else "0.00", f"{x}"))
        out.append((v, ty, st))
    return out


def _corners(toks, sheet, rng):
    out = []
    for v, ty, st in toks:
        if ty == Token.OPERAND and st == Token.RANGE and _is_cell_ref(v) and ":" in v and rng.random() < 0.5:
            head, address = _cell_parts(v)
            a, b = address.split(":")
            v = f"{head}{b}:{a}"
        out.append((v, ty, st))
    return out


def _logical_calls(toks, sheet, rng):
    """``TRUE`` → ``TRUE()`` (what LibreOffice writes)."""
    out = []
    for v, ty, st in toks:
        if ty == Token.OPERAND and st == Token.LOGICAL:
            out += [(v.upper() + "(", Token.FUNC, Token.OPEN), (")", Token.FUNC, Token.CLOSE)]
        else:
            out.append((v, ty, st))
    return out


RESPELLINGS = {
    "logical-calls": _logical_calls,
    "spaces": _spaces,
    "case": _case,
    "dollar": _dollar,
    "quotes": _quotes,
    "xlfn": _xlfn,
    "parentheses": _parentheses,
    "double-negation": _double_negation,
    "unary-plus": _unary_plus,
    "semicolons": _semicolons,
    "own-sheet": _own_sheet,
    "numbers": _numbers,
    "corners": _corners,
}


def respell(formula: str, sheet: str, rng: random.Random) -> tuple[str, list[str]]:
    """The same formula, spelled otherwise by 1–4 random re-spellings (never the original text)."""
    while True:
        names = rng.sample(sorted(RESPELLINGS), rng.randint(1, 4))
        toks = tokens(formula)
        for name in names:
            toks = RESPELLINGS[name](toks, sheet, rng)
        out = render(toks)
        if out != formula:
            return out, names


# -- meaning-changing edits ---------------------------------------------------------------------------
SWAPS = {
    "SUM": "MAX",
    "SUMPRODUCT": "SUM",
    "ISTEXT": "ISNUMBER",
    "COUNTIF": "SUMIF",
    "AND": "OR",
    "OR": "AND",
    "ROUND": "ROUNDUP",
    "FIXED": "DOLLAR",
    "COUNTA": "COUNT",
    "COUNT": "COUNTA",
    "ABS": "SIGN",
}
OPERATORS = {"=": "<>", "<>": "=", "+": "-", "-": "+", "*": "/", "/": "*", ">": ">=", "<": "<="}


def _arguments(toks, i) -> list[tuple[int, int]]:
    """The (start, end) of each top-level argument of the function opened at ``i``."""
    args, depth, start = [], 0, i + 1
    for j in range(i, len(toks)):
        t = toks[j]
        if _is_open(t):
            depth += 1
        elif _is_close(t):
            depth -= 1
            if depth == 0:
                args.append((start, j))
                return args
        elif t[1] == Token.SEP and depth == 1:
            args.append((start, j))
            start = j + 1
    raise AssertionError("unbalanced")


def _moved(toks, rng):
    refs = [i for i, t in enumerate(toks) if t[1] == Token.OPERAND and t[2] == Token.RANGE and _is_cell_ref(t[0])]
    if not refs:
        return None
    i = rng.choice(refs)
    head, address = _cell_parts(toks[i][0])
    return toks[:i] + [(head + _shift(address, rng), Token.OPERAND, Token.RANGE)] + toks[i + 1 :]


def _dropped(toks, rng):
    choices = []
    for i, t in enumerate(toks):
        if t[1] == Token.FUNC and t[2] == Token.OPEN:
            args = _arguments(toks, i)
            if len(args) >= 2:
                choices += [(args, k) for k in range(len(args))]
        if t[1] == Token.OP_IN and t[0] in "+&":
            choices.append((None, i))
    if not choices:
        return None
    args, k = rng.choice(choices)
    if args is None:  # drop "op operand"
        end = extent(toks, k + 1)
        return toks[:k] + toks[end:]
    start, end = args[k]
    if k == len(args) - 1:
        start -= 1  # the separator before it
    else:
        end += 1  # the separator after it
    return toks[:start] + toks[end:]


def _added(toks, rng):
    sums = [
        i
        for i, t in enumerate(toks)
        if t[1] == Token.FUNC and t[2] == Token.OPEN and t[0].upper() in ("SUM(", "AND(", "OR(")
    ]
    if sums and rng.random() < 0.6:
        i = rng.choice(sums)
        close = _arguments(toks, i)[-1][1]
        extra = rng.choice(("Z99", "A1", "1"))
        kind = Token.NUMBER if extra == "1" else Token.RANGE
        return toks[:close] + [(",", Token.SEP, Token.ARG), (extra, Token.OPERAND, kind)] + toks[close:]
    starts = [i for i in operand_starts(toks) if toks[i][1] != Token.OP_PRE]
    i = rng.choice(starts)
    end = extent(toks, i)
    return toks[:end] + [("+", Token.OP_IN, ""), ("1", Token.OPERAND, Token.NUMBER)] + toks[end:]


def _constant(toks, rng):
    refs = [i for i, t in enumerate(toks) if t[1] == Token.OPERAND and t[2] in (Token.RANGE, Token.NUMBER)]
    i = rng.choice(refs)
    value, _, kind = toks[i]
    new = str(rng.choice((0, 1, 7, 100)))
    if kind == Token.NUMBER and float(value) == float(new):
        new = str(float(value) + 1)
    return toks[:i] + [(new, Token.OPERAND, Token.NUMBER)] + toks[i + 1 :]


def _swapped(toks, rng):
    funcs = [i for i, t in enumerate(toks) if t[1] == Token.FUNC and t[2] == Token.OPEN and t[0][:-1].upper() in SWAPS]
    if not funcs:
        return None
    i = rng.choice(funcs)
    return toks[:i] + [(SWAPS[toks[i][0][:-1].upper()] + "(", Token.FUNC, Token.OPEN)] + toks[i + 1 :]


def _literal(toks, rng):
    texts = [i for i, t in enumerate(toks) if t[1] == Token.OPERAND and t[2] == Token.TEXT and len(t[0]) > 2]
    ops = [i for i, t in enumerate(toks) if t[1] == Token.OP_IN and t[0] in OPERATORS]
    if texts and (not ops or rng.random() < 0.5):
        i = rng.choice(texts)
        return toks[:i] + [(toks[i][0][:-1] + 'X"', Token.OPERAND, Token.TEXT)] + toks[i + 1 :]
    if not ops:
        return None
    i = rng.choice(ops)
    return toks[:i] + [(OPERATORS[toks[i][0]], Token.OP_IN, "")] + toks[i + 1 :]


CHANGES = {
    "reference-moved": _moved,
    "term-dropped": _dropped,
    "term-added": _added,
    "constant-typed": _constant,
    "function-swapped": _swapped,
    "literal-or-operator": _literal,
}


def change(formula: str, rng: random.Random, kind: str | None = None) -> tuple[str, str]:
    """One meaning-changing edit of ``formula`` (of ``kind`` when given and possible)."""
    kinds = [kind] if kind else list(CHANGES)
    while True:
        name = rng.choice(kinds)
        toks = CHANGES[name](tokens(formula), rng)
        if toks is None:
            kinds = list(CHANGES)
            continue
        out = render(toks)
        if out != formula:
            return out, name
