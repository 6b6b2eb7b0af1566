"""Work shared with forked worker processes: the cold rebuild of the `ipt list` index reads,
parses and validates every course file, about 0.7 ms each, and uses every CPU it may.

Only for many items (MIN_ITEMS) and more than one usable CPU; otherwise, and wherever fork
is missing, the items are done here one by one. Each worker takes every n-th item (so a
share of large and small files alike), sends its results back as one JSON document when
its share is done, and ticks a shared pipe after each item for the progress shown on a
terminal. The parent does its own share meanwhile.

Results are exactly those of a serial run, in the items' order. A failure anywhere (an
exception in any process, a worker killed or exiting with an error, output that does not
decode) is never half-reported: the workers are stopped and every item is done again
here, one by one, in order, so the error raised is the one a serial run raises first.
Workers end with os._exit: they never flush the parent's buffers, run its exit handlers
or write to its standard streams.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 64  # below this, forking and sending results back costs more than it saves
MAX_PROCESSES = 4  # the parent and up to three workers: reading files stops scaling soon
STALL_SECONDS = 30.0  # no item done by any worker for this long: stop them, work alone
Progress = Callable[[int, int], None]  # (done, total)


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_shared(
    items: list[T],
    work: Callable[[T], R],
    encode: Callable[[R], Any],
    decode: Callable[[Any], R],
    *,
    progress: Progress | None = None,
    processes: int | None = None,
) -> list[R]:
    """[work(item) for item in items], shared out when there are many items and CPUs.
    `encode` turns a result into JSON-able data in a worker, `decode` turns it back."""
    count = min(processes or usable_cpus(), MAX_PROCESSES, len(items) // (MIN_ITEMS // 2) or 1)
    if len(items) < MIN_ITEMS or count < 2 or not _can_fork():
        return _serial(items, work, progress)
    try:
        shared = _shared(items, work, encode, decode, count, progress)
    except Exception:
        shared = None  # stopped and reaped: done again below, as a serial run does it
    return _serial(items, work, progress) if shared is None else shared


def _can_fork() -> bool:
    """Linux and the BSDs. Not macOS: its system libraries are not safe to use in a forked
    child (Python itself starts processes there without fork since 3.8)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def _serial(items: list[T], work: Callable[[T], R], progress: Progress | None) -> list[R]:
    results = []
    for done, item in enumerate(items, 1):
        results.append(work(item))
        if progress is not None:
            progress(done, len(items))
    return results


class _Worker:
    """A forked worker: its pid until reaped, the read end of its results until closed."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd
        self.chunks: list[bytes] = []
        self.status: int | None = None  # its exit code, once reaped

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def reap(self, block: bool = True) -> None:
        """Its exit code, once it has ended (without `block`: only if it has)."""
        if self.status is not None:
            return
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped by someone else: its result cannot be trusted
            self.status = -1
            return
        if pid:
            self.status = os.waitstatus_to_exitcode(status)

    def stop(self) -> None:
        """After the work or a failure: kill it only while it is still ours and running
        (never a pid that may have been reused), reap it, close its pipe."""
        self.reap(block=False)
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)  # still our unreaped child: the pid is its
            self.reap()
        self.close()


def _shared(
    items: list[T],
    work: Callable[[T], R],
    encode: Callable[[R], Any],
    decode: Callable[[Any], R],
    count: int,
    progress: Progress | None,
) -> list[R] | None:
    shares = [range(k, len(items), count) for k in range(count)]
    # The parent's first item before any fork: whatever the work imports (the models,
    # pydantic) is then loaded once and shared by the workers, not imported again in each.
    mine = [work(items[shares[0][0]])]
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # nothing buffered is copied into a worker
    ticks = _pipe()  # the workers' progress, and a sign of life
    workers: list[_Worker] = []
    # An ignored SIGCHLD (inherited from whatever started ipt) would reap the workers
    # behind our back; their exit codes are needed.
    child_handler = signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        for share in shares[1:]:
            workers.append(_start(items, share, work, encode, ticks))
        tally = _Tally(len(items), ticks[0], progress)
        tally.mine = 1
        for n in shares[0][1:]:
            mine.append(work(items[n]))
            tally.mine += 1
            tally.show()
        _collect(workers, tally)
    finally:
        for worker in workers:
            worker.stop()
        os.close(ticks[0])
        os.close(ticks[1])
        if child_handler is not None:
            signal.signal(signal.SIGCHLD, child_handler)
    results: list[Any] = [None] * len(items)
    for share, found in zip(shares, [mine, *[_decoded(w, decode) for w in workers]], strict=True):
        if found is None or len(found) != len(share):
            return None
        for n, result in zip(share, found, strict=True):
            results[n] = result
    return results


def _decoded(worker: _Worker, decode: Callable[[Any], R]) -> list[R] | None:
    """A worker's results, or None when it failed (an error, a signal, bad output)."""
    if worker.status != 0:
        return None
    try:
        found = json.loads(b"".join(worker.chunks))
        return [decode(data) for data in found] if isinstance(found, list) else None
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _pipe() -> tuple[int, int]:
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)  # a full pipe drops ticks, never stalls a worker
    return read, write


def _start(
    items: list[T],
    share: range,
    work: Callable[[T], R],
    encode: Callable[[R], Any],
    ticks: tuple[int, int],
) -> _Worker:
    read, write = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the worker: never returns
        status = 1
        try:
            os.close(read)
            found = []
            for n in share:
                if os.getppid() != parent:  # the parent was killed: stop reading files
                    break
                found.append(encode(work(items[n])))
                _tick(ticks[1])
            data = json.dumps(found, ensure_ascii=True).encode("ascii")
            with os.fdopen(write, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return _Worker(pid, read)


def _tick(fd: int) -> None:
    try:
        os.write(fd, b".")
    except OSError:
        pass  # a full pipe: progress is only shown, the work goes on


class _Tally:
    """Everyone's progress: the parent's items, and the workers' ticks on a shared pipe."""

    def __init__(self, total: int, ticks: int, progress: Progress | None) -> None:
        self.total, self.ticks, self.progress = total, ticks, progress
        self.mine = self.theirs = 0

    def show(self) -> None:
        """Drain the ticks (always: an undrained pipe stays readable), and show the count."""
        try:
            self.theirs += len(os.read(self.ticks, 1 << 16))
        except BlockingIOError:
            pass
        if self.progress is not None:
            self.progress(min(self.mine + self.theirs, self.total), self.total)


def _collect(workers: list[_Worker], tally: _Tally) -> None:
    """Read each worker's results as they come (a worker blocks on a full pipe until they
    are read), then reap it."""
    reading = {w.fd: w for w in workers}
    while reading:
        watched = [*reading, tally.ticks]
        ready, _, _ = select.select(watched, [], [], STALL_SECONDS)
        if not ready:
            raise TimeoutError("a worker stalled")  # stopped, and the work done here instead
        for fd in ready:
            if fd not in reading:  # the ticks
                tally.show()
                continue
            chunk = os.read(fd, 1 << 20)
            if chunk:
                reading[fd].chunks.append(chunk)
            else:
                reading.pop(fd).close()
    for worker in workers:
        worker.reap()
