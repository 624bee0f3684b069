"""Regenerate the README's rule table from the rule registry (xlrep.checks.rules)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from xlrep.checks.rules import markdown_table

    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if "<!-- rules:start -->" not in text:
        raise SystemExit("README.md has no <!-- rules:start --> marker")
    block = f"<!-- rules:start -->\n{markdown_table()}<!-- rules:end -->"
    text = re.sub(r"<!-- rules:start -->\n.*?<!-- rules:end -->", lambda _: block, text, flags=re.S)
    readme.write_text(text, encoding="utf-8")
    print(markdown_table())


if __name__ == "__main__":
    main()
