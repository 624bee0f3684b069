"""Every regular expression in src/, collected programmatically, and adversarial texts to run them on.

Two sources, so that none is missed: the compiled patterns reachable from each module of ``xlrep`` (module
globals, class attributes, and the containers they sit in), and every literal pattern passed to a function of
``re`` anywhere in the source (``re.sub(r"\\s+", …)`` inside a function), read from the syntax tree.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def _modules() -> list:
    import xlrep

    out = [xlrep]
    for info in pkgutil.walk_packages(xlrep.__path__, "xlrep."):
        if not info.name.endswith("__main__"):  # running it would run the command line
            out.append(importlib.import_module(info.name))
    return out


def _patterns_in(value, found: dict, depth: int = 0) -> None:
    if isinstance(value, re.Pattern):
        found.setdefault((value.pattern, value.flags), value)
    elif depth < 3 and isinstance(value, dict):
        for item in list(value.values()) + list(value.keys()):
            _patterns_in(item, found, depth + 1)
    elif depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _patterns_in(item, found, depth + 1)


def _literal_patterns() -> dict:
    """``re.<function>("literal", …)`` calls anywhere in src/ (patterns built at run time are caught as objects):
    (pattern, flags) → (compiled, the functions it is called with)."""
    found: dict = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in RE_FUNCTIONS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, (str, bytes))
            ):
                flags = 0
                given = [kw.value for kw in node.keywords if kw.arg == "flags"]
                if node.func.attr in ("compile", "search", "match", "fullmatch", "finditer", "findall"):
                    given += node.args[1:2] if node.func.attr == "compile" else node.args[2:3]
                for expression in given:  # re.S | re.I
                    for name in ast.walk(expression):
                        if isinstance(name, ast.Attribute) and isinstance(getattr(re, name.attr, None), re.RegexFlag):
                            flags |= getattr(re, name.attr)
                pattern = re.compile(node.args[0].value, flags)
                uses = "search" if node.func.attr == "compile" else node.func.attr
                found.setdefault((pattern.pattern, pattern.flags), (pattern, set()))[1].add(uses)
    return found


#: How a pattern is run on a text: a compiled object every way (its use is not known here); a literal pattern
#: the way its call uses it (``re.fullmatch(r"([A-Z]+)(\d+)", a1)`` never searches, so it is never searched).
WAYS = {
    "search": ("finditer",),
    "finditer": ("finditer",),
    "findall": ("finditer",),
    "sub": ("finditer",),
    "subn": ("finditer",),
    "split": ("finditer",),
    "match": ("match",),
    "fullmatch": ("fullmatch",),
}
EVERY_WAY = ("finditer", "match", "fullmatch")


def all_patterns() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    """Every distinct pattern of src/, (pattern, flags) once each in a stable order, with the ways to run it:
    ``finditer`` (every match, as search, sub and split scan), ``match``, ``fullmatch``."""
    found: dict = {}
    for module in _modules():
        for value in list(vars(module).values()):
            _patterns_in(value, found)
            if isinstance(value, type) and value.__module__ == module.__name__:
                for attr in list(vars(value).values()):
                    _patterns_in(attr, found)
    out = {key: (pattern, EVERY_WAY) for key, pattern in found.items()}
    for key, (pattern, uses) in _literal_patterns().items():
        if key not in out:
            out[key] = (pattern, tuple(sorted({w for u in uses for w in WAYS[u]})))
    return [out[k] for k in sorted(out, key=lambda k: (str(k[0]), k[1]))]


def own_alphabet(pattern: re.Pattern, size: int = 100_000) -> dict[str, str]:
    """Runs of the characters the pattern itself names (its literal CJK, punctuation, letters and digits): the
    texts most likely to make a repetition of it re-read what it read."""
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    chars = sorted(set(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]|[0-9A-Za-z|:<>/=\"' -]", source)))
    out = {}
    if chars:
        cycle = "".join(chars)
        out["own-alphabet"] = (cycle * (size // len(cycle) + 1))[:size]
        out["own-alphabet-digit"] = out["own-alphabet"][:-1] + "1"
    for ch in chars[:6]:
        out[f"own-run-{ord(ch):04x}"] = ch * size
    # its literal words repeated (<table<table…: a lazy .*? to a closing word never found, from every start)
    words = [w for w in re.findall(r"(?<!\\)[^\\()\[\]{}?*+|.^$]{2,}", source) if not w.startswith("?")]
    if words:
        cycle = "".join(dict.fromkeys(words))
        out["own-words"] = (cycle * (size // len(cycle) + 1))[:size]
        out["own-first-word"] = (words[0] * (size // len(words[0]) + 1))[:size]
    return out


def hostile_texts(size: int = 100_000) -> dict[str, str]:
    """Texts of ``size`` characters built to make a backtracking pattern work quadratically."""
    from xlrep.checks.statements import T2_ROWS, T3_VERBS, T4_WORDS

    words = [w for table in (T3_VERBS, T4_WORDS, T2_ROWS) for ws in table.values() for w in ws if "(" not in w]
    words += ["收到申请", "本年新收政府信息公开申请数量", "上年结转", "较上年", "占", "的比例为", "同比增长"]
    fragments = "".join(words)

    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "digits": fill("1"),
        "digits-after-label": "收到申请" + fill("7")[4:],
        "digits-then-label": fill("3")[:-4] + "收到申请",
        "thousands": fill("1,234,567"),
        "thousands-fullwidth": fill("１２３，"),
        "decimals": fill("1.2."),
        "digits-spaces": fill("12  "),
        "spaces": fill(" "),
        "ideographic-spaces": fill("\u3000"),
        "tabs-newlines": fill("\t \n"),
        "punctuation": fill("，。；：、（）“”《》！？"),
        "ascii-punctuation": fill(",.;:()[]\"'-_/\\|<>=+*&^%$#@!~`"),
        "chinese-numerals": fill("一二三四五六七八九十百千万零〇两"),
        "labels": fill(fragments),
        "label-prefixes": fill("".join(w[: max(1, len(w) - 1)] for w in words)),
        "ordinals": fill("一、（一）1.（1）第一"),
        "percent": fill("12.5%％"),
        "years": fill("2021年度"),
        "mixed": fill("收到申请12，345件，占比1.5%，较上年增长（一）“予以公开”。\n"),
        "dates": fill("2021年1月2日"),
        "units": fill("件起宗条个份项万元"),
        "letters": fill("aZ9_"),
        "cells": fill("AB12"),
        "underscores": fill("_x000"),
        "brackets": fill("（（（（)))）"),
        "quotes": fill('"""'),
    }
