"""Regenerate the README's reliability table by running every bad-input case of tests/bad_inputs.py."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from bad_inputs import reliability_table

    with tempfile.TemporaryDirectory() as tmp:

        def folder(name: str) -> Path:
            path = Path(tmp) / name
            path.mkdir()
            return path

        table = reliability_table(folder)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    block = f"<!-- reliability:start -->\n{table}<!-- reliability:end -->"
    if "<!-- reliability:start -->" in text:
        text = re.sub(r"<!-- reliability:start -->\n.*?<!-- reliability:end -->", lambda _: block, text, flags=re.S)
    else:
        raise SystemExit("README.md has no <!-- reliability:start --> marker")
    readme.write_text(text, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
