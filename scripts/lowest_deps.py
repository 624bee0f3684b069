"""The lowest end of the dependency ranges: a fresh venv with the lowest version every runtime dependency
allows (its ``>=`` bound in pyproject.toml), xlrep itself without dependencies, then the command-line, reader
and some of the site's tests. The top of the ranges (what pip installs today) is the ordinary run, scripts/test.sh.

A bound whose exact version pip cannot find makes the run fail, naming it: the README's range would be
untested. Transitive dependencies are whatever pip picks for those versions.

Run:  python3 scripts/lowest_deps.py [--venv DIR] [--keep] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The command line (every command, help and usage errors, bad inputs) and the workbook reader and writer.
TESTS = [
    "tests/test_cli_help.py",
    "tests/test_cli_template.py",
    "tests/test_ingest_cli.py",
    "tests/test_import_cli.py",
    "tests/test_batch.py",
    "tests/test_bad_inputs.py",
    "tests/test_names.py",
    "tests/test_report_formats.py",
    "tests/test_xlsx_strict.py",
    "tests/test_template_workbook.py",
    # the site's parts and its answers over HTTP (starlette, jinja2, uvicorn, python-multipart at their lowest)
    "tests/serve/test_serve_parts.py",
    "tests/serve/test_serve_security.py",
    "tests/serve/test_serve_views.py",
    # the site's records on PostgreSQL (psycopg and its pool at their lowest), two processes on one database
    "tests/serve/test_serve_storage.py",
    "tests/serve/test_serve_offices.py",
]
# What the tests themselves need (the ``test`` extra without ruff; LibreOffice and Chromium come from scripts/test.sh).
TEST_TOOLS = ["pytest", "hypothesis", "defusedxml", "markdown-it-py", "playwright", "hatchling"]


#: The optional runtime extras tested at their lowest too (``xlrep serve --database``: psycopg and its pool).
EXTRAS = ["postgresql"]


def lowest_pins() -> list[str]:
    """``name[extras]==X`` for every runtime dependency ``name>=X,…`` of pyproject.toml and of its runtime
    ``EXTRAS``; a dependency without a lower bound is an error (its lowest version would be anything)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    for spec in project["dependencies"] + [s for e in EXTRAS for s in project["optional-dependencies"][e]]:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*(.*)", spec)
        name, extras, constraints = m.group(1), m.group(2) or "", m.group(3)
        low = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", constraints)
        if low is None:
            raise SystemExit(f"lowest_deps: {spec!r} has no >= bound")
        pins.append(f"{name}{extras}=={low.group(1)}")
    return pins


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="where to make the venv (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary venv")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlrep-lowest-") as tmp:
        venv = args.venv or Path(tmp) / "venv"
        if args.keep and args.venv is None:
            venv = Path(tempfile.mkdtemp(prefix="xlrep-lowest-"))
        return run(venv, args.pytest_args)


def run(venv: Path, pytest_args: list[str]) -> int:
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pins = lowest_pins()
    print("lowest_deps: " + " ".join(pins), flush=True)
    done = subprocess.run(pip + pins)
    if done.returncode != 0:
        print("lowest_deps: pip could not install these exact versions (see above)", file=sys.stderr)
        return done.returncode
    subprocess.run(pip + TEST_TOOLS, check=True)
    subprocess.run(pip + ["--no-deps", "-e", str(ROOT)], check=True)
    subprocess.run([python, "-m", "pip", "check"], check=True)  # the pins agree with each other
    installed = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    names = {re.split(r"[=<>\[ ]", p)[0].lower().replace("_", "-") for p in pins}
    print(
        "lowest_deps: installed",
        ", ".join(line for line in installed.splitlines() if line.split("==")[0].lower().replace("_", "-") in names),
        flush=True,
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS, *pytest_args]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
