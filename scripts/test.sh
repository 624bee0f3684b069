#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need, then runs them.
#   - xlrep itself with its test extras (pip, editable; includes playwright, which drives the browser);
#   - LibreOffice Calc headless and its Python bridge (Debian packages
#     libreoffice-calc-nogui python3-uno), which the real-client tests use;
#   - Chromium (Debian package chromium), the real browser of the `xlrep serve` tests.
#   Without LibreOffice or Chromium those tests fail, they are not skipped.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k template -x
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -e ".[test]"

uno_python="${XLREP_UNO_PYTHON:-/usr/bin/python3}"
chromium="${XLREP_CHROMIUM:-/usr/bin/chromium}"
packages=()
if ! command -v soffice >/dev/null 2>&1 || ! "$uno_python" -c "import uno" >/dev/null 2>&1; then
    echo "Installing LibreOffice (libreoffice-calc-nogui python3-uno) for the real-client tests…" >&2
    packages+=(libreoffice-calc-nogui python3-uno)
fi
if [ ! -x "$chromium" ]; then
    echo "Installing Chromium (chromium) for the browser tests of xlrep serve…" >&2
    packages+=(chromium)
fi
if [ "${#packages[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

exec "$PYTHON" -m pytest "$@"
