"""Regenerate the sample workbooks (samples/*.xlsx) from their descriptions (samples/*.toml)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build(toml_path: Path) -> bytes:
    from xlrep.edition.form import load_form
    from xlrep.writer.template import build_template

    data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    return build_template(data["year"], load_form(data["edition"]), values=data["values"])


def main() -> None:
    from xlrep.common.files import write_atomically

    for toml_path in sorted(HERE.glob("*.toml")):
        target = toml_path.with_suffix(".xlsx")
        write_atomically(target, build(toml_path), overwrite=True)
        print(f"wrote {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    sys.exit(main())
