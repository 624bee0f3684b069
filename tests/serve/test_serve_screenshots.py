"""``scripts/serve_screenshots.py`` still drives the site it photographs for the README (its pages change: the
script must keep up), in the session's browser: every picture is written, a PNG of the page's width."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_pictures_can_be_taken_again(browser, tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import serve_screenshots
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    out = tmp_path / "images"
    out.mkdir()
    (tmp_path / "work").mkdir()
    pictures = serve_screenshots.photograph(browser, out, tmp_path / "work")
    assert [p.name for p in pictures] == list(serve_screenshots.PICTURES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for picture in pictures:
        head = picture.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", picture
        width, height = struct.unpack(">II", head[16:24])
        assert width == 1180 and height >= 900, (picture, width, height)
        assert f"docs/images/{picture.name}" in readme, f"{picture.name} is not shown in the README"
