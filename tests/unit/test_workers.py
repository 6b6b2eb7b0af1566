"""store/workers.py: work shared with forked processes gives a serial run's results, in
order, and a serial run's first error; a worker that dies is never half-reported."""

from __future__ import annotations

import os

import pytest

from ipt_cli.store import workers

ITEMS = list(range(workers.MIN_ITEMS * 3))


def square(n: int) -> dict[str, int]:
    return {"n": n, "square": n * n, "pid": 0}


def same(data: dict[str, int]) -> dict[str, int]:
    return data


@pytest.mark.parametrize("processes", [2, 3, 4])
def test_shared_results_are_a_serial_runs_in_order(processes: int) -> None:
    parent = os.getpid()
    seen: list[int] = []

    def work(n: int) -> dict[str, int]:
        return {**square(n), "pid": int(os.getpid() != parent)}

    found = workers.map_shared(
        ITEMS, work, same, same, progress=lambda d, t: seen.append(d), processes=processes
    )
    assert [(r["n"], r["square"]) for r in found] == [(n, n * n) for n in ITEMS]
    assert {r["pid"] for r in found} == {0, 1}  # some were done by a worker
    assert seen == sorted(seen) and seen[-1] == len(ITEMS)  # progress only goes forward


def test_the_first_error_is_the_one_a_serial_run_meets_first() -> None:
    def work(n: int) -> dict[str, int]:
        if n in (7, 130):  # 7 in a worker's share, 130 in the parent's
            raise ValueError(f"item {n}")
        return square(n)

    with pytest.raises(ValueError, match="item 7"):
        workers.map_shared(ITEMS, work, same, same, processes=2)


def test_a_worker_that_dies_has_its_share_done_again() -> None:
    parent = os.getpid()

    def work(n: int) -> dict[str, int]:
        if os.getpid() != parent and n == 99:
            os._exit(9)  # a worker killed mid-way
        return square(n)

    found = workers.map_shared(ITEMS, work, same, same, processes=2)
    assert found == [square(n) for n in ITEMS]


def test_an_error_only_a_worker_meets_is_redone_here() -> None:
    parent = os.getpid()

    def work(n: int) -> dict[str, int]:
        if os.getpid() != parent:
            raise MemoryError  # whatever a worker meets, the parent redoes it
        return square(n)

    assert workers.map_shared(ITEMS, work, same, same, processes=3) == [square(n) for n in ITEMS]


def test_output_that_does_not_decode_has_the_work_done_again() -> None:
    parent = os.getpid()

    def decode(data: dict[str, int]) -> dict[str, int]:
        if data["pid"] != 0:
            raise KeyError("pid")  # a worker's result that is not what was sent
        return data

    def work(n: int) -> dict[str, int]:
        return {**square(n), "pid": int(os.getpid() != parent)}

    found = workers.map_shared(ITEMS, work, same, decode, processes=2)
    assert found == [square(n) for n in ITEMS]


def test_few_items_are_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("forked for a few items")

    monkeypatch.setattr(workers.os, "fork", no_fork)
    few = ITEMS[: workers.MIN_ITEMS - 1]
    assert workers.map_shared(few, square, same, same, processes=4) == [square(n) for n in few]
    assert workers.map_shared([], square, same, same) == []


def test_an_ignored_sigchld_neither_loses_the_workers_nor_redoes_their_work() -> None:
    """ipt may be started by a program that ignores SIGCHLD (inherited across exec): the
    workers' exit codes are still read, and no pid is killed after the fact."""
    import signal

    parent = os.getpid()
    done_here: list[int] = []

    def work(n: int) -> dict[str, int]:
        if os.getpid() == parent:
            done_here.append(n)
        return {**square(n), "pid": int(os.getpid() != parent)}

    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        found = workers.map_shared(ITEMS, work, same, same, processes=2)
        assert signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN  # put back as it was
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert [r["square"] for r in found] == [n * n for n in ITEMS]
    assert done_here == ITEMS[::2]  # the parent's share only: nothing was redone
    assert {r["pid"] for r in found} == {0, 1}


def test_a_stalled_worker_is_stopped_and_its_share_done_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    parent = os.getpid()
    monkeypatch.setattr(workers, "STALL_SECONDS", 0.5)

    def work(n: int) -> dict[str, int]:
        if os.getpid() != parent:
            time.sleep(60)  # a worker that never finishes
        return square(n)

    started = time.monotonic()
    found = workers.map_shared(ITEMS, work, same, same, processes=2)
    assert [r["square"] for r in found] == [n * n for n in ITEMS]
    assert time.monotonic() - started < 40  # the stalled worker sleeps 60 s: it was not awaited


def test_the_parent_does_the_first_item_before_any_fork() -> None:
    """So that what the work imports is loaded once and shared by the workers."""
    parent = os.getpid()

    def work(n: int) -> dict[str, int]:
        return {**square(n), "pid": int(os.getpid() != parent)}

    found = workers.map_shared(ITEMS, work, same, same, processes=3)
    assert found[0]["pid"] == 0 and {r["pid"] for r in found} == {0, 1}
