"""The audit pool hands its workers out first come, first served, within each client's share, and wakes only
the task it serves (with dozens of uploads waiting, a worker coming free used to wake every waiting thread, and
whichever won the race went next). These tests drive the hand-out itself with stand-in workers: no process is
started (but by the last test), so nothing here depends on the machine's speed."""

from __future__ import annotations

import threading
import time

import pytest

from xlrep.serve.audits import AuditPool, AuditUnavailable, _Ticket


class StandIn:
    """A worker as the hand-out sees it."""

    def __init__(self, name: str):
        self.name = name

    def alive(self) -> bool:
        return True

    def kill(self) -> None:
        pass


@pytest.fixture
def pool():
    made = AuditPool(workers=2)  # per_client = 1: one client never takes both workers
    yield made
    made.shutdown()


def _waiting(pool: AuditPool, clients: list[str]) -> list[_Ticket]:
    tickets = [_Ticket(c) for c in clients]
    pool._waiting.extend(tickets)
    return tickets


def test_idle_workers_go_to_the_tasks_in_the_order_they_came(pool):
    tickets = _waiting(pool, ["单位1", "单位2", "单位3", "单位4"])
    first, second = StandIn("一"), StandIn("二")
    with pool._lock:
        pool._idle.append(first)
        pool._hand_out()
    assert [t.ready.is_set() for t in tickets] == [True, False, False, False]
    with pool._lock:
        pool._idle.append(second)
        pool._hand_out()
    assert [t.ready.is_set() for t in tickets] == [True, True, False, False]
    with pool._lock:  # the first task ends: its worker goes to the third task, not the fourth
        pool._release(tickets[0].worker, "单位1", healthy=True)
    assert [t.ready.is_set() for t in tickets] == [True, True, True, False]
    assert tickets[2].worker is first
    assert pool._running == {"单位2": 1, "单位3": 1}


def test_a_client_at_its_share_lets_the_next_one_go_first_and_is_served_when_its_own_task_ends(pool):
    tickets = _waiting(pool, ["某地址", "某地址", "另一地址"])
    with pool._lock:
        pool._idle.extend([StandIn("一"), StandIn("二")])
        pool._hand_out()
    # the second task of 某地址 waits (its share is one running task); 另一地址 behind it is served
    assert [t.ready.is_set() for t in tickets] == [True, False, True]
    with pool._lock:
        pool._release(tickets[2].worker, "另一地址", healthy=True)
    assert not tickets[1].ready.is_set()  # a worker is idle, but 某地址 still has its share running
    with pool._lock:
        pool._release(tickets[0].worker, "某地址", healthy=True)
    assert tickets[1].ready.is_set() and pool._running == {"某地址": 1}


def test_a_worker_that_failed_is_not_handed_out_again(pool):
    tickets = _waiting(pool, ["单位1", "单位2"])
    broken = StandIn("坏")
    with pool._lock:
        pool._idle.append(broken)
        pool._hand_out()
        pool._starting = 1  # (its replacement: counted as starting, not started here)
        pool._release(broken, "单位1", healthy=False)
    assert not tickets[1].ready.is_set() and not pool._idle and not pool._busy


def test_stopping_wakes_every_waiting_task_with_the_pool_unavailable(pool):
    pool._starting = 1  # a worker is said to be starting: the waiting tasks do not start one themselves
    outcomes: list[str] = []
    entered = threading.Semaphore(0)

    def wait_for_a_worker() -> None:
        entered.release()
        try:
            pool._take("单位")
            outcomes.append("served")
        except AuditUnavailable:
            outcomes.append("unavailable")

    threads = [threading.Thread(target=wait_for_a_worker) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in threads:
        assert entered.acquire(timeout=30)
    pause, deadline = threading.Event(), time.monotonic() + 30
    while time.monotonic() < deadline:  # until all three are in line
        with pool._lock:
            if len(pool._waiting) == 3:
                break
        pause.wait(0.01)
    assert len(pool._waiting) == 3
    pool.shutdown()
    for t in threads:
        t.join(timeout=30)
    assert outcomes == ["unavailable"] * 3
    with pytest.raises(AuditUnavailable):
        pool._take("单位")


def test_a_dead_worker_found_while_the_site_stops_is_not_replaced(pool):
    """A task handed a worker that died meanwhile starts a replacement — unless the site is stopping: then the task
    ends as unavailable (audited again at the next start) and no new worker process is spawned."""

    class DiedAtTheStop(StandIn):
        def alive(self) -> bool:
            pool._closed = True  # (the stop comes while the task looks at its worker)
            return False

    pool._idle.extend([StandIn("另一个"), DiedAtTheStop("停")])  # the pool whole: nothing to start but a replacement
    with pytest.raises(AuditUnavailable):
        pool._call("单位", print, (), 1.0)
    assert pool._starting == 0 and not pool._busy and pool._running == {}


def test_a_worker_that_failed_to_start_while_the_others_were_busy_is_made_up_for(pool, monkeypatch):
    """A start that fails (the machine short of memory for a moment) is tried again while tasks wait: the pool
    does not stay a worker short for good. Used to: only a pool with no worker at all started one again."""
    starts: list[str] = []

    def start() -> None:  # the starter thread's work, recorded instead of spawning a process
        starts.append("start")

    monkeypatch.setattr(pool._starters, "submit", lambda fn: start())
    busy = StandIn("忙")
    with pool._lock:
        pool._busy.add(busy)
        pool._running["单位1"] = 1
        pool._revive()  # one worker busy, the other failed to start (nothing starting): start one
    assert starts == ["start"] and pool._starting == 1
    with pool._lock:
        pool._revive()  # already starting: not a second one at once
    assert starts == ["start"]
    with pool._lock:  # that start failed as well (_add_worker counts it off): tried again at the next call
        pool._starting -= 1
        pool._revive()
    assert starts == ["start", "start"]
    with pool._lock:  # the pool whole again: nothing more to start
        pool._starting -= 1
        pool._idle.append(StandIn("新"))
        pool._revive()
    assert starts == ["start", "start"]


def test_a_worker_replaced_after_its_limit_is_started_once_even_when_a_task_comes_meanwhile(pool, monkeypatch):
    """A task's worker goes over its budget: it is killed (which can take up to 5 s) and one worker started in its
    place. A task that comes while the old one is being killed must not start a second one: the pool would then
    keep a worker more than its number for good (each one more process, more memory)."""
    starts: list[str] = []
    monkeypatch.setattr(pool._starters, "submit", lambda fn: starts.append("start"))

    class OverBudget(StandIn):
        def call(self, *args):
            return ("limit", "cpu")

        def kill(self) -> None:  # (while it is killed, outside the lock, another task comes)
            with pool._lock:
                pool._waiting.clear()
            ticket = _Ticket("单位2")
            with pool._lock:
                pool._waiting.append(ticket)
                pool._hand_out()
                pool._revive()

    pool._idle.extend([StandIn("好"), OverBudget("坏")])  # the pool whole: two workers, none starting
    assert pool._call("单位1", print, (), 1.0) == ("limit", "cpu")
    assert starts == ["start"], f"{len(starts)} workers started in place of one"


def test_a_start_that_failed_is_tried_again_after_a_pause_while_a_worker_still_serves(pool, monkeypatch):
    """A worker that fails to start (the machine short of memory) is not tried again at every waiting task while
    another worker still serves: the next try waits a pause that doubles with each failure in a row. With no
    worker left, it is tried at once (the tasks have nothing else); a start that succeeds ends the pauses."""
    from xlrep.serve import audits

    def fail_to_start():
        raise OSError("Cannot allocate memory")

    monkeypatch.setattr(pool, "_spawn", fail_to_start)
    starts: list[str] = []
    monkeypatch.setattr(pool._starters, "submit", lambda fn: starts.append("start"))
    now = [1000.0]
    monkeypatch.setattr(audits.time, "monotonic", lambda: now[0])
    with pool._lock:
        pool._busy.add(StandIn("忙"))  # one worker serves; the other is to start
        pool._starting += 1
    pool._add_worker()  # fails
    assert pool._failed_starts == 1 and not pool._idle
    with pool._lock:
        pool._revive()  # within the pause: not yet
    assert starts == []
    now[0] += 2.5
    with pool._lock:
        pool._revive()  # the pause (2 s) is over: tried again
    assert starts == ["start"]
    pool._add_worker()  # fails again: the next pause is 4 s
    now[0] += 2.5
    with pool._lock:
        pool._revive()
    assert starts == ["start"]
    with pool._lock:
        pool._busy.clear()  # no worker left: tried at once, pause or not
        pool._revive()
    assert starts == ["start", "start"]
    monkeypatch.setattr(pool, "_spawn", lambda: StandIn("新"))
    monkeypatch.setattr(StandIn, "wait_ready", lambda self, timeout: True, raising=False)
    pool._add_worker()  # succeeds: no pause any more
    assert pool._failed_starts == 0 and len(pool._idle) == 1


def test_a_real_worker_keeps_what_it_loaded_out_of_the_collectors_way():
    """(The one test here that starts a worker process.) Once loaded, a worker freezes what it loaded — the rules,
    the layouts, the modules — so the collector does not walk those objects again after every few audits."""
    import asyncio
    import gc

    real = AuditPool(workers=1)
    try:
        frozen = asyncio.run(real.run(gc.get_freeze_count, client="test"))
    finally:
        real.shutdown()
    assert frozen > 10_000, frozen
