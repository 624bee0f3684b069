"""Audits under a budget on the site (issue 22, rows 1 and 13): a hostile file is stopped at its CPU, memory or
wall-clock limit with a Chinese message naming the limit, the version shows it (never stays 校验中), a clerk's
normal check is answered meanwhile, and the workers die with the server (stopped or killed).

The hostile work is asked for through ``XLREP_SERVE_FAULTS=hostile`` (``serve/audits.py``): by its name a file
spins in Python (the CPU limit), allocates without end (the memory limit) or runs one regular expression that
never yields (only the site's wall-clock kill stops it). The budget is low (1 CPU second, 200 MB) so that the
tests are quick; waiting is always for a condition with a deadline.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest
from filling import clean_values, fill_workbook
from serve_support import (
    Client,
    ServerProcess,
    create_round,
    process_group,
    set_up_admin,
    unescape,
    unit_links,
    workers_computing,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from machine import wait_until  # noqa: E402

BUDGET = ("--workers", "2", "--audit-seconds", "1", "--audit-memory-mb", "200")
WALL = 3 * 1 + 10  # the site's deadline for a one-CPU-second budget (limits.py)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("books")
    clean = fill_workbook(folder / "clean.xlsx", "2021", 2021, clean_values("2021", 2021)).read_bytes()
    return {"clean": clean}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("hostile") / "数据", *BUDGET, env={"XLREP_SERVE_FAULTS": "hostile"})
    try:
        admin = set_up_admin(server)
        yield server, admin
    finally:
        server.stop()


def test_a_file_over_the_cpu_budget_is_stopped_and_its_version_says_why(hostile, books):
    server, admin = hostile
    round_id = create_round(admin, [("循环局", "部门")])
    (link,) = unit_links(admin, round_id).values()
    unit = Client(server.url)
    answer = unit.upload(link + "/upload", "死循环.xlsx", books["clean"], link)
    assert answer.status == 303, answer.text
    page = unescape(unit.get(answer.location).text)
    assert "计算时间超过上限（每个文件最多 1 秒 CPU 时间）" in page and "已停止校验" in page
    assert "校验中" not in page and "无法读取" in page
    # the worker that stopped is replaced: the next file is audited as usual
    assert unit.upload(link + "/upload", "填报表.xlsx", books["clean"], link).status == 303
    assert "通过" in unescape(unit.get(link + "?v=2").text)


def test_a_file_over_the_memory_budget_is_stopped_with_the_limit_named(hostile, books):
    server, _ = hostile
    answer = Client(server.url).request("POST", "/api/check", *_multipart("吃内存.xlsx", books["clean"]))
    assert answer.status == 422, answer.text
    assert "内存超过上限（每个文件最多 200 MB）" in answer.json()["error"]
    ok = Client(server.url).request("POST", "/api/check", *_multipart("填报表.xlsx", books["clean"]))
    assert ok.status == 200 and ok.json()["summary"]["errors"] == 0


def _multipart(name: str, data: bytes) -> tuple[bytes, dict]:
    from serve_support import multipart

    body, content_type = multipart({}, {"file": (name, data)})
    return body, {"Content-Type": content_type}


def test_a_stuck_audit_is_killed_at_the_deadline_while_a_clerk_is_answered(hostile, books):
    server, admin = hostile
    round_id = create_round(admin, [("卡住局", "部门")])
    (link,) = unit_links(admin, round_id).values()
    order: list[str] = []
    answers = {}

    def stuck():
        client = Client(server.url, source="127.0.0.2")
        answers["stuck"] = client.upload(link + "/upload", "卡住.xlsx", books["clean"], link)
        order.append("stuck")

    before = process_group(server)
    thread = threading.Thread(target=stuck)
    thread.start()
    try:
        wait_until(lambda: workers_computing(server, before), 60, "a worker computing the stuck file")
        clerk = Client(server.url).request("POST", "/api/check", *_multipart("填报表.xlsx", books["clean"]))
        order.append("clerk")
        assert clerk.status == 200 and clerk.json()["summary"]["errors"] == 0
    finally:
        thread.join(timeout=WALL + 120)
    assert order == ["clerk", "stuck"]  # the stuck file holds one worker until its deadline, never the other
    assert answers["stuck"].status == 303
    page = unescape(Client(server.url).get(answers["stuck"].location).text)
    assert f"超过 {WALL} 秒仍未完成（时间上限）" in page and "校验中" not in page


@pytest.mark.parametrize("how", ["Ctrl+C", "SIGKILL"])
def test_workers_end_with_the_server_even_mid_audit(tmp_path, books, how):
    server = ServerProcess(tmp_path / "数据", *BUDGET, env={"XLREP_SERVE_FAULTS": "hostile"})
    try:
        before = process_group(server)
        assert len(before) >= 3  # the server and its two workers
        thread = threading.Thread(
            target=lambda: _quietly(
                lambda: Client(server.url).request("POST", "/api/check", *_multipart("卡住.xlsx", books["clean"]))
            )
        )
        thread.start()
        wait_until(lambda: workers_computing(server, before), 60, "a worker computing the stuck file")
        if how == "SIGKILL":
            assert server.kill(grace=10), "the audit workers outlived the killed server"
        else:
            server.proc.send_signal(signal.SIGINT)
            server.proc.wait(timeout=60)
            wait_until(lambda: not process_group(server), 10, "the workers to end with the stopped server")
        thread.join(timeout=60)
    finally:
        server.stop()


def _quietly(call) -> None:
    try:
        call()
    except OSError:  # the server went away mid-answer
        pass
    except Exception as exc:  # noqa: BLE001 - http.client's errors for a cut answer
        if "Remote" not in type(exc).__name__ and "Incomplete" not in type(exc).__name__:
            raise


def test_the_budget_options_are_in_the_help(tmp_path):
    import subprocess

    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    done = subprocess.run([sys.executable, "-m", "xlrep", "serve", "--help"], capture_output=True, timeout=60, env=env)
    text = done.stdout.decode("utf-8")
    assert "--audit-seconds" in text and "--audit-memory-mb" in text and "--max-connections" in text


def test_the_32000_digit_narrative_of_the_issue_is_answered_and_a_clerk_meanwhile(hostile, books, tmp_path):
    """Issue 22 row 1 as reported: 收到申请 and 32,000 digits in one narrative cell, posted to the public API.
    Whether the text rules are linear (answered with its findings) or not (stopped at the CPU budget, named),
    it is answered, and a clerk's normal check posted meanwhile is answered too."""
    server, _ = hostile
    values = clean_values("2021", 2021)
    values["s1.on_request"] = "收到申请" + "1" * 32_000
    digits = fill_workbook(tmp_path / "数字.xlsx", "2021", 2021, values).read_bytes()
    answers = {}

    def post():
        answers["digits"] = Client(server.url, source="127.0.0.2").request(
            "POST", "/api/check", *_multipart("数字.xlsx", digits)
        )

    thread = threading.Thread(target=post)
    thread.start()
    try:
        clerk = Client(server.url).request("POST", "/api/check", *_multipart("填报表.xlsx", books["clean"]))
        assert clerk.status == 200 and clerk.json()["summary"]["errors"] == 0
    finally:
        thread.join(timeout=WALL + 120)
    answer = answers["digits"]
    assert answer.status in (200, 422), answer.text
    if answer.status == 422:
        assert "计算时间超过上限（每个文件最多 1 秒 CPU 时间）" in answer.json()["error"]
    else:
        assert set(answer.json()["summary"]) == {"errors", "warnings", "infos"}  # audited within its budget


def test_one_client_may_have_only_three_audits_waiting(tmp_path, books):
    server = ServerProcess(tmp_path / "数据", *BUDGET, env={"XLREP_SERVE_FAULTS": "hostile"})
    threads = []
    try:
        before = process_group(server)

        def stuck(n: int):
            _quietly(
                lambda: Client(server.url, source="127.0.0.4").request(
                    "POST", "/api/check", *_multipart(f"卡住{n}.xlsx", books["clean"])
                )
            )

        threads = [threading.Thread(target=stuck, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        wait_until(lambda: workers_computing(server, before), 60, "the first stuck file being audited")
        fourth = Client(server.url, source="127.0.0.4").request(
            "POST", "/api/check", *_multipart("第四个.xlsx", books["clean"])
        )
        assert fourth.status == 429 and "您已有 3 个文件正在校验" in fourth.json()["error"]
        other = Client(server.url, source="127.0.0.5").request(
            "POST", "/api/check", *_multipart("填报表.xlsx", books["clean"])
        )
        assert other.status == 200  # another client: the stuck ones hold one worker, never both
    finally:
        server.stop()  # cuts the stuck audits off
        for thread in threads:
            thread.join(timeout=60)
