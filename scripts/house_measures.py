"""The house in numbers (README, Architecture): import circles in src/xlrep, modules outside a layer folder, the
largest module and the largest function.

    python scripts/house_measures.py            # this checkout
    python scripts/house_measures.py OTHER/src  # another checkout's src, e.g. a worktree of an older commit
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from import_graph import cycles, import_graph  # noqa: E402  (the graph the tests check)


def measures(src: Path) -> dict:
    package = src / "xlrep"
    files = sorted(package.rglob("*.py"))
    modules = [(len(p.read_text(encoding="utf-8").splitlines()), str(p.relative_to(src))) for p in files]
    functions = [
        (node.end_lineno - node.lineno + 1, f"{p.relative_to(src)}:{node.name}")
        for p in files
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    return {
        "modules": len(files),
        "loose": sum(1 for p in package.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}),
        "circles": [" → ".join(circle) for _, circle in cycles(import_graph(src))],
        "largest_module": max(modules),
        "largest_function": max(functions),
    }


if __name__ == "__main__":
    found = measures(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "src")
    print(f"modules: {found['modules']}; outside a layer folder: {found['loose']}")
    print(f"import circles: {len(found['circles'])}" + "".join(f"\n  {c}" for c in found["circles"]))
    print("largest module: {1} ({0} lines)".format(*found["largest_module"]))
    print("largest function: {1} ({0} lines)".format(*found["largest_function"]))
