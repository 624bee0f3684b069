#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need, checks the code, then runs the tests.
#   - xlrep itself with its test extras (pip, editable);
#   - Debian packages for the real-client tests, only when missing: LibreOffice Calc and Writer headless
#     with their Python bridge (libreoffice-calc-nogui libreoffice-writer-nogui python3-uno), Gnumeric
#     (its ssconvert recalculates and saves workbooks: the second spreadsheet engine), Chromium
#     for the browser tests, a CJK font so documents render Chinese text, and PostgreSQL's server binaries
#     (postgresql: the tests start their own server in a temporary directory, no system service). These
#     tests fail, never skip, without them;
#   - ruff: lint (with complexity) and format check;
#   - pytest. Tests on real published reports read them from XLREP_CORPUS (default ../shared/corpus)
#     and skip, saying so, when it is missing; .ci/run requires it.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k template -x
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -e ".[test]"

uno_python="${XLREP_UNO_PYTHON:-/usr/bin/python3}"
packages=()
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-calc-nogui libreoffice-writer-nogui)
"$uno_python" -c "import uno" >/dev/null 2>&1 || packages+=(python3-uno)
[ -d /usr/lib/libreoffice/program ] && [ ! -e /usr/lib/libreoffice/program/libswlo.so ] && packages+=(libreoffice-writer-nogui)
command -v ssconvert >/dev/null 2>&1 || packages+=(gnumeric)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || packages+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || packages+=(postgresql)
if [ ${#packages[@]} -gt 0 ]; then
    echo "Installing ${packages[*]} for the real-client tests…" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .

exec "$PYTHON" -m pytest "$@"
