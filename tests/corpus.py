"""Where the tests find real published reports: ``XLREP_CORPUS`` (default ``../shared/corpus``).

The repository carries no report texts. Tests that need them call ``corpus_dir()``
(or ``samples_dir()``, the published samples beside the corpus; ``reference_dir()``,
the official format description beside it): without the folder they are skipped
with the reason, and ``.ci/run`` sets the variable and fails if it is missing.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus"


def _corpus() -> Path:
    return Path(os.environ.get("XLREP_CORPUS") or DEFAULT)


def corpus_dir() -> Path:
    path = _corpus()
    if not path.is_dir():
        pytest.skip(f"the real-report corpus is not at {path} (set XLREP_CORPUS to it; CI does)")
    return path


def samples_dir() -> Path:
    """The published samples (淮安 2024 PDF and text, the 托里 seed), beside the corpus."""
    path = corpus_dir().parent / "samples"
    if not path.is_dir():
        pytest.skip(f"the published samples are not at {path} (beside XLREP_CORPUS)")
    return path


def reference_dir() -> Path:
    """The official format description and rule catalogue (format.md, checks.md), beside the corpus."""
    path = corpus_dir().parent / "reference"
    if not path.is_dir():
        pytest.skip(f"the format reference is not at {path} (beside XLREP_CORPUS)")
    return path


@cache
def report(name: str) -> dict:
    """One report's transcription (``NNN.json``)."""
    return json.loads((corpus_dir() / f"{name}.json").read_text(encoding="utf-8"))


def report_names() -> list[str]:
    """Every report of the corpus (an empty list without it: parametrised tests then skip)."""
    path = _corpus()
    return sorted(p.stem for p in path.glob("*.json")) if path.is_dir() else []
