"""Fixtures for the ``xlrep serve`` tests: one real server and one real browser for the whole session.

``site``: ``xlrep serve`` started as a subprocess on a free loopback port with a temporary data
folder, its administrator password set through the first sign-in link it printed.
``browser``: Debian's Chromium driven by Playwright. Browser tests FAIL, never skip, when
Chromium or Playwright is missing (``bash scripts/test.sh`` installs both).
Every wait is bounded: Playwright's default timeout is set on every page.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from serve_support import ADMIN_PASSWORD, Client, ServerProcess, set_up_admin, sign_in

CHROMIUM = os.environ.get("XLREP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_TIMEOUT_MS = 30_000
BROWSER_HINT = "the browser tests need Chromium and Playwright: run bash scripts/test.sh (apt chromium, pip playwright)"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the site in a real Chromium (Playwright)")


class Site:
    """The running server, its data folder and the office's signed-in HTTP client."""

    def __init__(self, server: ServerProcess, admin: Client):
        self.server = server
        self.url = server.url
        self.data = server.data
        self.admin = admin
        self.password = ADMIN_PASSWORD

    def client(self) -> Client:
        return Client(self.url)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    # the session's many self-checks come from one address: its rate limit is tested on a server of its own
    server = ServerProcess(tmp_path_factory.mktemp("serve") / "数据", "--api-per-minute", "1000")
    try:
        admin = set_up_admin(server)
        yield Site(server, admin)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{BROWSER_HINT} ({CHROMIUM} not found)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"{BROWSER_HINT} (playwright is not installed)", pytrace=False)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
    except Exception as exc:  # noqa: BLE001 - any launch failure is the same missing prerequisite
        playwright.stop()
        pytest.fail(f"{BROWSER_HINT} (Chromium did not start: {exc})", pytrace=False)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh browser profile (own cookies) and page for one test."""
    context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.script_errors = errors
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def new_page(browser):
    """More than one browser profile in one test (the office and a unit side by side)."""
    contexts = []

    def make():
        context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1200, "height": 900})
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


# -- the database server -------------------------------------------------------------------------------

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres():
    """The tests' own PostgreSQL server (``pg_server.py``); fails, never skips, when it cannot start."""
    import sys

    from pg_server import HINT, PostgresServer

    if sys.platform != "linux":  # the only place the tests' server cannot be installed from (Debian's package)
        pytest.skip(f"{HINT}: PostgreSQL tests run on Linux only")
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.fail(f"{HINT} (psycopg and psycopg_pool are not installed: pip install -e '.[test]')", pytrace=False)
    try:
        server = PostgresServer()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each storage test once per database: ``None`` (SQLite in the data folder) or a new PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def store(tmp_path, backend):
    from xlrep.serve.storage import Store

    s = Store(tmp_path / "data", database=backend)
    yield s
    s.close()


@pytest.fixture(scope="session")
def site_on_postgres(tmp_path_factory, postgres):
    """The site as a city runs it: two ``xlrep serve`` processes on one PostgreSQL database and one files folder.
    ``url`` (the browser's, the units') is the first process; the office's signed-in HTTP client is on the second."""
    database = postgres.new_database()
    root = tmp_path_factory.mktemp("serve-pg")
    args = ("--database", database, "--files", str(root / "files"), "--api-per-minute", "1000", "--workers", "1")
    servers = []
    try:
        servers.append(ServerProcess(root / "甲", *args))
        servers.append(ServerProcess(root / "乙", *args))
        set_up_admin(servers[0])
        yield Site(servers[0], sign_in(servers[1]))
    finally:
        for server in servers:
            server.stop()
