"""Worker threads shared by several runners at once, the most urgent work item first.

The essay runs its experiments two at a time; their runners hand their work items to
one :class:`SharedPool` instead of each starting a pool of its own. A worker that frees
up takes the queued item of the smallest ``(priority, submission order)``: the items of
the experiment that started first go first, and the next experiment's items fill a core
its predecessor leaves idle (its last items, its serial steps between two maps). The
cores stay busy without being oversubscribed, and no result depends on which worker ran
an item (a work item draws its randomness from its own streams).

Each worker thread is given ``cpus // workers`` threads of its own for numba's parallel
loops and the gas engine's automatic threads (numba's thread count is per thread).

>>> with SharedPool(2) as pool:
...     futs = [pool.submit((0, k), pow, 2, k) for k in range(4)]
...     [f.result() for f in futs]
[1, 2, 4, 8]
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from concurrent.futures import CancelledError, Future

from neqlab.core.errors import ConfigError


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class SharedPool:
    """``workers`` threads serving queued calls in order of ``priority`` (any orderable
    value; the smaller first), then of submission.

    ``submit`` returns a :class:`concurrent.futures.Future`. ``cancel()`` drops every
    queued call (its future is cancelled); calls already running finish. Leaving the
    ``with`` block (or ``shutdown()``) cancels what is still queued and waits for the
    workers; a later ``submit`` raises CancelledError.
    """

    def __init__(self, workers: int, *, threads_per_worker: int | None = None):
        if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 1024:
            raise ConfigError(f"workers must be an integer in [1, 1024], got {workers!r}")
        self.workers = workers
        self.threads_per_worker = threads_per_worker or max(1, _cpus() // workers)
        self._heap: list = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"neqlab-pool-{k}", daemon=True)
                         for k in range(workers)]
        for t in self._threads:
            t.start()

    def submit(self, priority, fn, *args, **kwargs) -> Future:
        fut: Future = Future()
        with self._cond:
            if self._closed:
                raise CancelledError("the SharedPool was shut down")
            heapq.heappush(self._heap, (priority, next(self._seq), fut, fn, args, kwargs))
            self._cond.notify()
        return fut

    def cancel(self) -> int:
        """Cancel every queued call; returns how many."""
        with self._cond:
            queued, self._heap = self._heap, []
        for entry in queued:
            if entry[2].cancel():
                entry[2].set_running_or_notify_cancel()  # wakes as_completed / wait on it, as an executor does
        return len(queued)

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.cancel()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join()

    def __enter__(self) -> "SharedPool":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def _work(self) -> None:
        try:  # this thread's share of the CPUs for numba's parallel loops (a per-thread setting)
            import numba

            numba.set_num_threads(min(self.threads_per_worker, numba.config.NUMBA_NUM_THREADS))
        except (ImportError, RuntimeError, ValueError):  # no threading layer: numba's loops run serially anyway
            pass
        while True:
            with self._cond:
                while not self._heap and not self._closed:
                    self._cond.wait()
                if not self._heap:
                    return
                _, _, fut, fn, args, kwargs = heapq.heappop(self._heap)
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                res = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting runner
                fut.set_exception(exc)
            else:
                fut.set_result(res)
            del fut, fn, args, kwargs


__all__ = ["SharedPool"]
