"""Storage on a database server (issue 18, part 4): several processes of one site on one PostgreSQL database and
one shared files folder — sessions, the login throttle and the first sign-in link hold across them, writes are
serialised across them, files are written once — and what a wrong ``--database`` says."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading

import pytest
from serve_support import ROOT, Client, ServerProcess, new_round, set_up_admin, unescape

from xlrep.serve.records import StateError
from xlrep.serve.schema import SCHEMA_VERSION
from xlrep.serve.schema import schema_columns as _schema_columns
from xlrep.serve.security import verify_password
from xlrep.serve.storage import Store

ORG_TYPE = "县级以上人民政府部门"


@pytest.fixture
def two_sites(postgres, tmp_path):
    """Two ``xlrep serve`` processes of one site: one PostgreSQL database, one files folder, two data folders."""
    database = postgres.new_database()
    shared = tmp_path / "共用的文件"
    servers = []
    try:
        for name in ("甲", "乙"):
            args = ("--database", database, "--files", str(shared), "--workers", "1")
            servers.append(ServerProcess(tmp_path / f"进程{name}", *args))
        yield servers, database, shared
    finally:
        for server in servers:
            server.stop()


def test_two_processes_on_one_database_share_the_first_link_sessions_and_the_login_throttle(two_sites):
    (first, second), _, shared = two_sites
    # both print the same first sign-in link: whichever process it reaches accepts it, once
    assert first.setup_url and second.setup_url
    assert first.setup_url.rsplit("/", 1)[1] == second.setup_url.rsplit("/", 1)[1]
    assert "数据库：postgresql://postgres@127.0.0.1" in first.output() and "上传的文件" in first.output()
    admin = set_up_admin(second)
    again = Client(first.url).get("/setup/" + first.setup_url.rsplit("/", 1)[1])
    assert again.status == 404 and "已经设置过了" in unescape(again.text)

    # a session made by one process is honoured by the other; signing out on one ends it on both
    on_first = Client(first.url, cookies=dict(admin.cookies))
    assert on_first.get("/admin").status == 200
    assert Client(first.url).get("/admin").status == 303  # (without the cookie: to the login page)
    answer = on_first.post("/admin/logout", form_page="/admin")
    assert answer.status == 303
    assert admin.get("/admin").status == 303  # the second process no longer knows the session

    # wrong passwords count on the database: three on one process, two on the other, then both refuse
    for attempt, server in enumerate((first, second, first, second, first)):
        wrong = Client(server.url).post(
            "/admin/login", {"login": "admin", "password": f"猜测{attempt}"}, form_page="/admin/login"
        )
        assert wrong.status == 401, unescape(wrong.text)
    for server in (first, second):
        blocked = Client(server.url).post(
            "/admin/login", {"password": "测试-" + "0" * 12}, form_page="/admin/login"
        )  # (any password: not even checked)
        assert blocked.status == 429 and "分钟后再试" in unescape(blocked.text)


def test_a_unit_reports_through_one_process_and_the_office_passes_it_on_the_other(two_sites, tmp_path):
    """A round made on one process; the unit's page, upload and 上报 on the other; the office's review on the first."""
    import re

    from filling import clean_values, fill_workbook
    from serve_support import create_round, unit_links

    (first, second), _, shared = two_sites
    admin = set_up_admin(first)
    round_id = create_round(admin, [("两进程局", "部门")], year=2021)
    link = unit_links(admin, round_id)["两进程局"]
    values = clean_values("2021", 2021, seed=3)
    values["info.org_name"] = "两进程局"
    data = fill_workbook(tmp_path / "w.xlsx", "2021", 2021, values).read_bytes()
    unit = Client(second.url)
    assert unit.upload(link + "/upload", "两进程局.xlsx", data, link).status == 303
    assert unit.post(link + "/submit", {"version": "1"}, form_page=link).status == 303
    unit_id = re.search(r'/units/(\d+)">两进程局<', admin.get(f"/admin/rounds/{round_id}").text).group(1)
    path = f"/admin/rounds/{round_id}/units/{unit_id}"
    assert "已上报" in unescape(admin.get(path).text)
    assert admin.post(path + "/decide", {"action": "pass", "version": "1"}, form_page=path).status == 303
    assert "已通过" in unescape(unit.get(link).text)
    stored = [p for p in shared.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == data
    assert not any((tmp_path / f"进程{name}" / "files").exists() for name in ("甲", "乙"))


# -- two stores on one database: the work of two processes, without the web ------------------------------------


def _round(store: Store) -> int:
    return new_round(store, [("甲", ORG_TYPE)])


def test_writes_of_two_stores_on_one_database_are_serialised(postgres, tmp_path):
    """Versions numbered without a gap or a repeat, and at most five password checks in the throttle's window,
    however the two processes' requests interleave."""
    database = postgres.new_database()
    stores = [Store(tmp_path / name, database=database, files=tmp_path / "files") for name in ("a", "b")]
    try:
        round_id = _round(stores[0])
        unit = stores[1].units(round_id)[0]
        errors: list[BaseException] = []
        admitted: list[int] = []

        def work(store: Store, n: int) -> None:
            try:
                for i in range(n):
                    store.add_version(
                        unit, sha256=store.put_blob(b"same bytes"), filename=f"{i}.xlsx", size=10, ip=None
                    )
                    wait, attempt, *_ = store.begin_login("10.0.0.1", 900, 5)
                    if not wait:
                        admitted.append(attempt)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(s, 6)) for s in stores for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        numbers = sorted(v.number for v in stores[0].versions(unit.id))
        assert numbers == list(range(1, 25))
        assert len(admitted) == 5
        assert len([p for p in (tmp_path / "files").rglob("*") if p.is_file()]) == 1  # one file, written once
        audit = {"edition": "2021", "year": 2021, "summary": {"errors": 0, "warnings": 0, "infos": 0}, "findings": []}
        stores[1].set_audit(stores[0].version(unit.id, 24).id, audit, "甲")
        stores[0].submit(unit, 24, None)
        with pytest.raises(StateError, match="已经上报过了"):
            stores[1].submit(unit, 24, None)
    finally:
        for store in stores:
            store.close()


def test_text_with_a_nul_character_is_kept_as_text(store):
    """PostgreSQL text cannot hold NUL: a name with one (pasted from somewhere) is stored, not a 500."""
    round_id = new_round(store, [("乙\x00局", ORG_TYPE)], title="名\x00称", ip="127.0.0.1")
    (unit,) = store.units(round_id)
    assert unit.name.startswith("乙") and unit.name.endswith("局")
    assert store.round(round_id).title.startswith("名")


def test_the_files_folder_may_be_elsewhere_and_a_file_is_never_overwritten(tmp_path, backend):
    store = Store(tmp_path / "data", database=backend, files=tmp_path / "共用")
    try:
        digest = store.put_blob(b"workbook")
        path = store.blob_path(digest)
        assert path.parent.parent == tmp_path / "共用"
        before = path.stat().st_mtime_ns, path.stat().st_ino
        assert store.put_blob(b"workbook") == digest
        assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
        assert not (tmp_path / "data" / "files").exists()
    finally:
        store.close()


def test_a_wrong_database_address_is_said_in_chinese(tmp_path, postgres):
    wrong = f"postgresql://postgres:secret-pw@127.0.0.1:{postgres.port}/no_such_database"
    for address, words in (
        (wrong, "无法使用数据库"),
        ("mysql://x@y/z", "须是 PostgreSQL 数据库的地址"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "xlrep", "serve", "--data", str(tmp_path / "d"), "--database", address]
            + ["--no-browser", "--port", "0"],
            capture_output=True,
            text=True,
            timeout=120,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
        )
        assert done.returncode != 0 and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "secret-pw" not in done.stderr


def test_sqlite_does_not_import_psycopg(tmp_path):
    code = (
        "import sys; from pathlib import Path; from xlrep.serve.storage import Store;"
        f"Store(Path({str(tmp_path / 'd')!r})).close(); print('psycopg' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(ROOT / "src")}
    )
    assert done.stdout.strip() == "False", done.stderr


def test_the_postgresql_address_is_shown_without_its_password():
    from xlrep.serve.storage_backends import shown_address

    assert shown_address("postgresql://xlrep:pw-1:x@db.local:5432/site") == "postgresql://xlrep:***@db.local:5432/site"
    assert shown_address("postgresql://xlrep@db.local/site") == "postgresql://xlrep@db.local/site"


def _login_from(server: ServerProcess, address: str, password: str):
    from serve_support import csrf_of, multipart

    client = Client(server.url)
    page = client.get("/admin/login").text
    body, content_type = multipart({"password": password, "csrf_token": csrf_of(page)}, {})
    headers = {"Content-Type": content_type, "X-Forwarded-For": address}
    return client.request("POST", "/admin/login", body, headers)


def _cookies_set(server: ServerProcess, headers: dict) -> dict[str, str]:
    """The cookies the login page and a sign-in set (name → the whole Set-Cookie header), each request sent with
    ``headers``."""
    import http.client
    from urllib.parse import urlsplit

    from serve_support import ADMIN_PASSWORD, csrf_of, multipart

    parts = urlsplit(server.url)
    found: dict[str, str] = {}

    def send(method: str, body: bytes | None, extra: dict) -> str:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request(method, "/admin/login", body, {**headers, **extra})
            response = conn.getresponse()
            text = response.read().decode()
            for k, v in response.getheaders():
                if k.lower() == "set-cookie":
                    found[v.split("=", 1)[0]] = v
        finally:
            conn.close()
        return text

    page = send("GET", None, {})
    csrf = found["xlrep_csrf"].split("=", 1)[1].split(";", 1)[0]
    body, content_type = multipart({"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf_of(page)}, {})
    send("POST", body, {"Content-Type": content_type, "Cookie": f"xlrep_csrf={csrf}"})
    return found


def _secure(set_cookie: str) -> bool:
    return "secure" in [p.strip().lower() for p in set_cookie.split(";")]


def test_behind_a_proxy_the_clients_are_told_apart_by_the_address_it_forwards(tmp_path):
    """``--proxy 127.0.0.1``: every request comes from nginx, yet one client's wrong passwords do not lock out the
    others; without ``--proxy`` the header is not believed (a client could name any address). The session and CSRF
    cookies are Secure when nginx says the browser came over HTTPS (``X-Forwarded-Proto``), from that proxy only."""
    server = ServerProcess(tmp_path / "d", "--proxy", "127.0.0.1", "--workers", "1")
    try:
        set_up_admin(server)
        over_https = _cookies_set(server, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.9.1"})
        assert set(over_https) == {"xlrep_csrf", "xlrep_session"}, over_https
        assert all(_secure(v) for v in over_https.values()), over_https
        over_http = _cookies_set(server, {"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.0.9.2"})
        assert set(over_http) == set(over_https) and not any(_secure(v) for v in over_http.values()), over_http
        for attempt in range(5):
            assert _login_from(server, "10.0.0.1", f"猜测{attempt}").status == 401
        assert _login_from(server, "10.0.0.1", "猜测").status == 429
        assert _login_from(server, "10.0.0.2", "猜测").status == 401  # another client: not throttled
    finally:
        server.stop()
    plain = ServerProcess(tmp_path / "e", "--workers", "1")
    try:
        set_up_admin(plain)
        claimed = _cookies_set(plain, {"X-Forwarded-Proto": "https"})  # (no proxy named: nobody is believed)
        assert set(claimed) == {"xlrep_csrf", "xlrep_session"} and not any(_secure(v) for v in claimed.values())
        for attempt in range(5):
            assert _login_from(plain, f"10.0.1.{attempt}", "猜测").status == 401
        assert _login_from(plain, "10.0.1.99", "猜测").status == 429  # all one client: 127.0.0.1
    finally:
        plain.stop()


def test_a_process_starting_leaves_the_half_written_files_of_running_ones_in_a_shared_folder(postgres, tmp_path):
    import os

    database = postgres.new_database()
    shared = tmp_path / "files"
    (shared / "ab").mkdir(parents=True)
    fresh, old = shared / "ab" / ".xlrep-new.part", shared / "ab" / ".xlrep-old.part"
    fresh.write_bytes(b"being written by another process")
    old.write_bytes(b"left by a crash")
    os.utime(old, (os.path.getmtime(old) - 7200,) * 2)
    store = Store(tmp_path / "d", database=database, files=shared)
    store.close()
    assert fresh.exists() and not old.exists() and store.removed_parts == 1


@pytest.mark.parametrize("earlier", [str(v) for v in range(1, int(SCHEMA_VERSION))])
def test_a_database_of_each_earlier_format_is_upgraded_at_start(tmp_path, backend, earlier):
    """Every earlier data format (the first release's tables, then each release's migrations) is brought up to
    this one at start, on both databases: every table and column there, the data kept, an upload cut off before
    its audit resumed."""
    import release1

    folder = tmp_path / "数据"
    ids = release1.make_folder(folder, backend)
    release1.migrate(folder, backend, earlier)
    store = Store(folder, database=backend)
    try:
        assert store._meta("schema_version") == SCHEMA_VERSION
        found = store.backend.tables()
        for table, columns in _schema_columns().items():
            assert columns <= found[table], (table, columns - found[table])
        unit = store.unit(ids["unit_2025"])
        assert unit.version_count == 2 and unit.status == "校验中" and unit.last_year_id == ids["unit_2024"]
        ((pending_unit, pending),) = store.pending_versions()  # the upload a stop cut off: resumed
        assert pending_unit.id == unit.id and pending.number == 2 and pending.audit_claimed_by == store.owner
        # the office the site served is the first office, its admin the first account with the same password
        account = store.account_by_login("admin")
        assert account is not None and account.name == "管理员" and account.role == "管理员"
        assert verify_password(release1.ADMIN_PASSWORD, account.password_hash)
        office = store.office(account.office_id)
        assert office.parent_id is None and store.offices_below(office.id) == []
        assert (office.name, office.level) == ("本级政务公开办", "县")  # (no 汇总 named yet; the 管理员 corrects it)
        assert [r.id for r in store.rounds({office.id})] == [ids["round_2025"], ids["round_2024"]]
        assert not store.needs_setup() and "admin" not in store.backend.tables()
        assert account.state == "在用" and account.disabled_at is None and not account.must_change_password
    finally:
        store.close()


def test_an_audit_another_process_is_doing_is_left_to_it(postgres, tmp_path):
    database = postgres.new_database()
    first, second = (Store(tmp_path / n, database=database, files=tmp_path / "files") for n in ("a", "b"))
    try:
        round_id = _round(first)
        unit = first.units(round_id)[0]
        version = first.add_version(unit, sha256=first.put_blob(b"x"), filename="x.xlsx", size=1, ip=None)
        assert second.pending_versions() == [] and not second.claim_audit(version.id)  # the first audits it
        assert first.claim_audit(version.id)
        with first._write() as db:  # the first process ended long ago without finishing it
            db.execute("UPDATE versions SET audit_claimed_at = audit_claimed_at - 3600 WHERE id = ?", (version.id,))
        ((_, resumed),) = second.pending_versions()
        assert resumed.id == version.id and not first.claim_audit(version.id)
    finally:
        first.close()
        second.close()


def test_a_database_of_another_program_is_refused_untouched(postgres, tmp_path):
    import psycopg

    from xlrep.serve.storage import DataFolderError

    database = postgres.new_database()
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id integer)")
    with pytest.raises(DataFolderError, match="不是 xlrep 收集网站的数据库") as refused:
        Store(tmp_path / "d", database=database)
    assert "createdb" in refused.value.message
    with psycopg.connect(database) as conn:
        tables = {
            r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        }
    assert tables == {"orders"}


def test_a_page_on_another_process_does_not_audit_again_what_one_process_audits(postgres, tmp_path):
    """``unit.audit_version`` asks the store first: a version another process took on is left to it (its result
    comes through the database)."""
    import asyncio
    import concurrent.futures

    from xlrep.serve import unit as unit_routes

    database = postgres.new_database()
    first, second = (Store(tmp_path / n, database=database, files=tmp_path / "files") for n in ("a", "b"))
    try:
        round_id = _round(first)
        unit = first.units(round_id)[0]
        version = first.add_version(unit, sha256=first.put_blob(b"x"), filename="x.xlsx", size=1, ip=None)

        class Other:  # the second process's site, as far as audit_version reaches before auditing
            store = second
            auditing: set = set()

            @staticmethod
            async def db(fn, *args):
                return fn(*args)

            @staticmethod
            async def run(*args, **kwargs):
                raise AssertionError("audited twice")

        # in a thread of its own: a browser test's Playwright keeps an event loop running in this one
        coroutine = unit_routes.audit_version(Other, unit, second.version_by_id(version.id))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, coroutine).result() == {}
    finally:
        first.close()
        second.close()


def test_processes_starting_together_on_an_empty_database_make_its_tables_once(postgres, tmp_path):
    database = postgres.new_database()
    opened: list[Store] = []
    errors: list[BaseException] = []

    def start(name: str) -> None:
        try:
            opened.append(Store(tmp_path / name, database=database, files=tmp_path / "files"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(f"p{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not errors and len(opened) == 4, errors
        assert len({s.secret for s in opened}) == 1 and len({s.site_id for s in opened}) == 1  # one site
        assert sum(s.created for s in opened) >= 1
    finally:
        for s in opened:
            s.close()


def test_a_session_borrows_one_connection_for_its_reads_and_writes(postgres, tmp_path):
    """Inside ``Store.session()`` (the site opens one around each store call) every statement and write
    transaction uses one pooled connection; a refused write inside it is rolled back and the session goes on;
    outside a session the store works as before."""
    store = Store(tmp_path / "data", database=postgres.new_database())
    try:
        round_id = _round(store)
        unit = store.units(round_id)[0]

        def backend_pid(db) -> int:
            return db.execute("SELECT pg_backend_pid()").fetchone()[0]

        with store.session():
            reading = backend_pid(store._db())
            assert backend_pid(store._db()) == reading
            with store._write() as db:
                assert backend_pid(db) == reading
            with store.session():  # a session inside a session is the same one
                assert backend_pid(store._db()) == reading
            store.add_version(unit, sha256=store.put_blob(b"x"), filename="1.xlsx", size=1, ip=None)
            with pytest.raises(StateError), store._write() as db:
                db.execute("UPDATE units SET name = '改了' WHERE id = ?", (unit.id,))
                raise StateError("refused")
            assert store.unit(unit.id).name == unit.name and backend_pid(store._db()) == reading
            assert store.unit(unit.id).version_count == 1
        assert [v.number for v in store.versions(unit.id)] == [1]
        with store._write() as db:  # outside a session: a connection of its own, as before
            assert backend_pid(db) != 0
    finally:
        store.close()


def test_a_session_that_only_touches_files_borrows_no_connection(postgres, tmp_path):
    """The session's connection is borrowed when a statement first needs it: storing and reading an upload's bytes
    takes nothing from the pool (and still works with the database out of reach)."""
    store = Store(tmp_path / "data", database=postgres.new_database())
    try:
        pool = store.backend.pool

        def borrowed() -> int:
            return pool.get_stats()["requests_num"]

        before = borrowed()
        with store.session():
            digest = store.put_blob(b"bytes of an upload")
            assert store.read_blob(digest) == b"bytes of an upload"
        assert borrowed() == before
        with store.session():
            store.read_blob(digest)
            store._db().execute("SELECT 1")
            store._db().execute("SELECT 2")
        assert borrowed() == before + 1  # the first statement borrowed it, the second used the same
        pool.close()  # the database out of reach: the files still answer, a statement says so
        with store.session():
            assert store.read_blob(digest) == b"bytes of an upload"
            with pytest.raises(store.errors):
                store._db().execute("SELECT 1")
    finally:
        store.close()


def test_rows_read_by_name_and_position_and_statements_without_rows(postgres, tmp_path):
    """A statement's rows on PostgreSQL read as ``sqlite3.Row`` reads them (by column name and by position, as a
    dict), whichever statement ran before on the connection; a statement with no rows to return (an UPDATE) is
    no rows and its count; a SELECT that finds nothing is no rows."""
    store = Store(tmp_path / "data", database=postgres.new_database())
    try:
        round_id = _round(store)
        with store.session():
            db = store._db()
            first = db.execute("SELECT id, name FROM units WHERE round_id = ? ORDER BY id", (round_id,)).fetchall()
            assert first and [row["name"] for row in first] == [row[1] for row in first]
            again = db.execute("SELECT name, id FROM units WHERE round_id = ? ORDER BY id", (round_id,)).fetchall()
            assert [(row["id"], row["name"]) for row in again] == [(row[0], row[1]) for row in first]
            assert dict(again[0]) == {"name": first[0]["name"], "id": first[0]["id"]}
            with store._write() as write:
                changed = write.execute("UPDATE units SET name = name WHERE round_id = ?", (round_id,))
                assert changed.rowcount == len(first) and changed.fetchall() == []
            assert db.execute("SELECT id FROM units WHERE id = ?", (-1,)).fetchone() is None
    finally:
        store.close()


def test_statements_translated_for_postgresql_are_remembered_within_a_bound():
    """The store's statements are translated once (``?`` → ``%s``, a literal ``%`` doubled) and remembered; a site
    that builds many different ones (lists of any length) holds at most ``REMEMBERED_MAX`` of them."""
    from xlrep.serve import storage_backends as backends

    assert backends.postgres_sql("SELECT '5%' || ? FROM t WHERE a = ?") == "SELECT '5%%' || %s FROM t WHERE a = %s"
    for n in range(backends.REMEMBERED_MAX + 50):
        text = "SELECT id FROM units WHERE id IN (" + ", ".join("?" * (n + 1)) + ")"
        assert backends.postgres_sql(text).count("%s") == n + 1
        assert len(backends._translated) <= backends.REMEMBERED_MAX
    assert backends.postgres_sql("CREATE TABLE t (x REAL)") == "CREATE TABLE t (x DOUBLE PRECISION)"


def test_a_write_inside_a_write_is_a_savepoint_and_a_failed_one_is_undone_alone(postgres, tmp_path):
    """A write transaction opened inside another on the session's connection is a savepoint: refused, only its own
    change is undone and the outer one commits; a refused outer write undoes everything and leaves the connection
    out of any transaction, with the write lock released (another store writes at once)."""
    database = postgres.new_database()
    store, other = Store(tmp_path / "a", database=database), Store(tmp_path / "b", database=database)
    try:
        round_id = _round(store)
        unit = store.units(round_id)[0]
        with store.session():
            with store._write() as db:
                db.execute("UPDATE units SET name = '外层' WHERE id = ?", (unit.id,))
                with pytest.raises(StateError), store._write() as inner:
                    inner.execute("UPDATE units SET name = '内层' WHERE id = ?", (unit.id,))
                    raise StateError("refused")
                assert db.execute("SELECT name FROM units WHERE id = ?", (unit.id,)).fetchone()[0] == "外层"
            assert other.unit(unit.id).name == "外层"
            with pytest.raises(StateError), store._write() as db:
                db.execute("UPDATE units SET name = '撤销' WHERE id = ?", (unit.id,))
                raise StateError("refused")
            assert store.backend._borrowed().conn.info.transaction_status == 0  # IDLE: nothing left open
            held = other._db().execute("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()[0]
            assert held == 0  # the write lock went with the rollback
            with other._write() as db:
                db.execute("UPDATE units SET name = '另一个进程' WHERE id = ?", (unit.id,))
            assert store.unit(unit.id).name == "另一个进程"
    finally:
        store.close()
        other.close()


def test_a_write_whose_lock_is_not_granted_or_whose_statement_failed_leaves_nothing_open(postgres, tmp_path):
    """A write whose write lock is not granted (here a ``lock_timeout`` while another process holds it) is rolled
    back: the session's connection reads and writes again at once. A write whose statement failed but whose error
    was caught inside the block is not confirmed: the server rolled it back, and the store says so."""
    import psycopg

    from xlrep.serve.storage_backends import WRITE_LOCK

    database = postgres.new_database()
    store = Store(tmp_path / "data", database=database)
    holder = psycopg.connect(database, autocommit=True)
    try:
        round_id = _round(store)
        unit = store.units(round_id)[0]
        with store.session():
            store._db().execute("SET lock_timeout = '100ms'")
            holder.execute("BEGIN")
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            with pytest.raises(psycopg.errors.LockNotAvailable), store._write() as db:
                db.execute("UPDATE units SET name = '没有锁' WHERE id = ?", (unit.id,))
            holder.execute("ROLLBACK")
            assert store.backend._borrowed().conn.info.transaction_status == 0  # IDLE
            assert store._db().execute("SELECT name FROM units WHERE id = ?", (unit.id,)).fetchone()[0] == unit.name
            with store._write() as db:
                db.execute("UPDATE units SET name = '有锁' WHERE id = ?", (unit.id,))
            with pytest.raises(psycopg.errors.InFailedSqlTransaction), store._write() as db:
                db.execute("UPDATE units SET name = '撤销了' WHERE id = ?", (unit.id,))
                with contextlib.suppress(psycopg.Error):
                    db.execute("SELECT 1 / 0")
        assert store.unit(unit.id).name == "有锁"
    finally:
        holder.close()
        store.close()


def test_a_unit_is_read_with_its_latest_version_and_its_count(store):
    """A unit found by its link or its id carries how many versions it has and the newest of them, whole (what
    the unit's page, an upload and 上报 start from), on both databases; a unit with none has none."""
    round_id = new_round(store, [("甲", ORG_TYPE), ("乙", ORG_TYPE)])
    first, second = store.units(round_id)
    for n in range(3):
        data = f"第{n}版".encode()
        store.add_version(first, sha256=store.put_blob(data), filename=f"{n}.xlsx", size=len(data), ip=None)
    newest = store.versions(first.id)[0]
    for found in (store.unit_by_token(first.token), store.unit(first.id)):
        assert found.version_count == 3 and found.latest == newest and found.latest.number == 3
        assert found.name == "甲" and found.token == first.token
    other = store.unit_by_token(second.token)
    assert other.version_count == 0 and other.latest is None and other.name == "乙"
