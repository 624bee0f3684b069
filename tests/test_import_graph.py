"""The house: no module of xlrep imports itself in a circle, and each layer folder imports only the layers its
``__init__`` names.

Each layer's ``__init__`` docstring has a line ``May import: a, b`` (or ``nothing``); that line is the rule and
these tests enforce it, imports inside functions included.
"""

from __future__ import annotations

import ast
import re

import pytest
from import_graph import SRC, cycles, import_graph

PACKAGE = SRC / "xlrep"
LAYERS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def allowed(layer: str) -> set[str]:
    """The layers ``xlrep/<layer>/__init__.py`` says it may import."""
    doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8"))) or ""
    found = re.search(r"^May import: (.+)$", doc, re.M)
    assert found, f"xlrep/{layer}/__init__.py does not say what it may import (a line “May import: …”)"
    names = [name.strip(" .") for name in found.group(1).split(",")]
    return set() if names == ["nothing"] else set(names)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "xlrep.edition.form" in graph["xlrep.workbook.layout"]
    assert "xlrep.checks.rules" in graph["xlrep.writer.template"]
    # report/compose imports drafting inside a function only
    assert "xlrep.workbook.drafting" in graph["xlrep.outputs.report.compose"]


def test_cycles_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [(["a", "b", "c"], ["a", "b", "c", "a"]), (["e"], ["e", "e"])]


def test_no_circle_anywhere_in_src():
    found = cycles(import_graph())
    assert not found, "\n".join(" → ".join(circle) for _, circle in found)


def test_every_module_lives_in_a_layer_folder():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert loose == [], f"modules outside the layer folders: {loose}"


def test_every_layer_names_only_layers_that_exist():
    for layer in LAYERS:
        assert allowed(layer) <= set(LAYERS), f"xlrep/{layer}: unknown layers {sorted(allowed(layer) - set(LAYERS))}"


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_what_its_init_allows(layer):
    permitted = allowed(layer) | {layer}
    wrong = sorted(
        f"{module} → {target}"
        for module, targets in import_graph().items()
        if layer_of(module) == layer
        for target in targets
        if target != "xlrep" and layer_of(target) not in permitted  # ``xlrep`` itself: only __version__
    )
    assert wrong == [], f"xlrep/{layer} may import only {sorted(permitted)}: " + "; ".join(wrong)


def test_the_layers_go_one_way():
    """No two layers may import each other: the allowed imports form an order (the folders are layers)."""
    graph = {layer: allowed(layer) for layer in LAYERS}
    assert cycles(graph) == []


def test_the_command_line_starts_the_site_and_uses_nothing_else_of_it():
    uses = {t for m, ts in import_graph().items() if layer_of(m) == "cli" for t in ts if layer_of(t) == "serve"}
    assert uses == {"xlrep.serve"}
    assert not any(layer_of(t) == "cli" for m, ts in import_graph().items() if layer_of(m) == "serve" for t in ts)


def test_a_wrong_import_is_caught(tmp_path):
    """The layer check can fail: a made-up edition module importing the audit is named."""
    graph = {"xlrep.edition.form": {"xlrep.auditing.ingest"}, "xlrep.auditing.ingest": set()}
    wrong = [
        f"{m} → {t}"
        for m, ts in graph.items()
        if layer_of(m) == "edition"
        for t in ts
        if layer_of(t) not in allowed("edition") | {"edition"}
    ]
    assert wrong == ["xlrep.edition.form → xlrep.auditing.ingest"]
