"""Ensembles of independent replicas, run locally or on Dask, chunked and checkpointed.

A *task* is a picklable top-level function ``task(replicas, seed) -> dict[str, ndarray]``
(extra parameters bound with :func:`functools.partial`). It receives an int64 array of
replica ids and must return arrays whose first axis runs over those replicas. It must
draw randomness only from streams keyed by ``(seed, replica id)``
(:mod:`neqlab.core.rng`); then the result is bitwise the same for any number of
workers, any backend, and after a checkpoint/resume, because the chunking depends only
on ``n_replicas`` and ``chunk_size``, never on the workers.

>>> import functools, numpy as np
>>> from neqlab.runner.ensemble import run_ensemble, _demo_task
>>> a = run_ensemble(_demo_task, 10, seed=1, workers=1, progress=False)
>>> b = run_ensemble(_demo_task, 10, seed=1, workers=2, progress=False)
>>> bool(np.array_equal(a["x"], b["x"]))
True
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, check_seed, replica_rng
from neqlab.runner.checkpoint import Checkpoint, fingerprint
from neqlab.runner.scheduler import BACKENDS, CONNECT_TIMEOUT

Task = Callable[[np.ndarray, int], dict[str, np.ndarray]]


def _demo_task(replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """A tiny task for doctests: one normal number per replica."""
    return {"x": np.array([replica_rng(seed, int(i), Stream.TESTING).normal() for i in replicas])}


def default_chunk_size(n_items: int) -> int:
    """Chunks small enough for a progress bar and checkpoints, large enough to amortise."""
    return max(1, min(4096, -(-n_items // 64)))


@dataclass
class Runner:
    """How to run ensembles: backend, workers, checkpoints, progress.

    backend: ``"local"`` (a thread pool; numba kernels release the GIL) or ``"dask"``
    (``dask.distributed``: a LocalCluster, or the cluster at ``scheduler``).
    workers: parallel tasks (default: number of cores). checkpoint_dir: where finished
    chunks are kept so a rerun resumes. progress: show a progress bar on stderr.
    pool: a :class:`~neqlab.runner.pool.SharedPool` whose workers run the items (local
    backend; ``workers`` is then ignored), served by ``priority`` against the other
    runners sharing it (smaller first).
    """

    backend: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    checkpoint_dir: str | os.PathLike | None = None
    progress: bool = True
    pool: Any = None
    priority: int = 0
    resumed_chunks: int = field(default=0, init=False)
    rejected_chunks: int = field(default=0, init=False)  # checkpoint files refused (recomputed)
    _client: Any = field(default=None, init=False, repr=False)
    _cluster: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {self.backend!r}")
        if self.workers is not None:
            if isinstance(self.workers, bool) or not isinstance(self.workers, (int, np.integer)) or not 1 <= self.workers <= 1024:
                raise ConfigError(f"workers must be an integer in [1, 1024], got {self.workers!r}")
        if self.scheduler is not None and self.backend != "dask":
            raise ConfigError(f"scheduler needs backend 'dask', got backend {self.backend!r}")

    @property
    def n_workers(self) -> int:
        return int(self.workers) if self.workers else (os.cpu_count() or 1)

    # -- public API ---------------------------------------------------------------
    def ensemble(
        self,
        task: Task,
        n_replicas: int,
        *,
        seed: int,
        name: str = "ensemble",
        chunk_size: int | None = None,
        key: object = "",
        label: str | None = None,
    ) -> dict[str, np.ndarray]:
        """Run ``task`` over replicas ``0 .. n_replicas-1``; concatenate in replica order.

        ``key`` (e.g. the config JSON) goes into the checkpoint fingerprint so stale
        chunks of another config are never reused.
        """
        if isinstance(n_replicas, bool) or not isinstance(n_replicas, (int, np.integer)) or n_replicas < 1:
            raise ConfigError(f"n_replicas must be an integer in [1, inf), got {n_replicas!r}")
        seed = check_seed(seed)
        size = int(chunk_size or default_chunk_size(int(n_replicas)))
        bounds = [(lo, min(lo + size, int(n_replicas))) for lo in range(0, int(n_replicas), size)]
        items = [np.arange(lo, hi, dtype=np.int64) for lo, hi in bounds]
        keys = [fingerprint(_task_name(task), _task_args(task), key, seed, lo, hi) for lo, hi in bounds]
        idents = [{"kind": "ensemble", "task": _task_name(task), "seed": seed, "chunk": j,
                   "n_chunks": len(bounds), "replicas": [lo, hi]} for j, (lo, hi) in enumerate(bounds)]
        results = self._run_chunks(lambda ids: task(ids, seed), items, keys, name, label or name, idents)
        return {k: np.concatenate([r[k] for r in results], axis=0) for k in results[0]}

    def map(
        self,
        fn: Callable[[Any], dict[str, np.ndarray]],
        items: Sequence[Any],
        *,
        name: str = "map",
        key: object = "",
        label: str | None = None,
    ) -> list[dict[str, np.ndarray]]:
        """Apply ``fn`` to each item (e.g. one config of a sweep), checkpointing each result."""
        keys = [fingerprint(_task_name(fn), _task_args(fn), key, repr(it)) for it in items]
        idents = [{"kind": "map", "task": _task_name(fn), "item": j, "n_items": len(keys),
                   "item_hash": fingerprint(repr(it))} for j, it in enumerate(items)]
        return self._run_chunks(fn, list(items), keys, name, label or name, idents)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    # -- internals ------------------------------------------------------------------
    def _run_chunks(self, fn, items, keys, name, label, idents) -> list[dict[str, np.ndarray]]:
        """Load the chunks whose checkpoint is exactly theirs, compute the others, save each."""
        ckpt = Checkpoint(self.checkpoint_dir) if self.checkpoint_dir is not None else None
        results: list[dict[str, np.ndarray] | None] = [None] * len(items)
        todo = []
        for j, k in enumerate(keys):
            got = ckpt.load(name, k, identity=idents[j]) if ckpt else None
            if got is not None:
                results[j] = got
                self.resumed_chunks += 1
            else:
                todo.append(j)
        if ckpt:
            self.rejected_chunks += ckpt.rejected
        with _Progress(label, total=len(items), done=len(items) - len(todo), enabled=self.progress) as bar:
            for j, res in self._execute(fn, items, todo):
                res = {k: np.asarray(v) for k, v in res.items()}
                if ckpt:
                    ckpt.save(name, keys[j], res, identity=idents[j])
                results[j] = res
                bar.advance()
        return results  # type: ignore[return-value]

    def _execute(self, fn, items, todo):
        if not todo:
            return
        if self.backend == "dask":
            yield from self._execute_dask(fn, items, todo)
            return
        if self.pool is not None:
            yield from _completed({self.pool.submit((self.priority, j), fn, items[j]): j for j in todo})
            return
        if self.n_workers == 1 or len(todo) == 1:
            for j in todo:
                yield j, fn(items[j])
            return
        with cf.ThreadPoolExecutor(max_workers=self.n_workers) as pool:
            yield from _completed({pool.submit(fn, items[j]): j for j in todo})

    def _execute_dask(self, fn, items, todo):
        from dask.distributed import Client, LocalCluster, as_completed

        if self._client is None:
            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout=f"{CONNECT_TIMEOUT}s")
                except OSError as exc:
                    raise ConfigError(f"cannot reach scheduler {self.scheduler!r} within {CONNECT_TIMEOUT:g} s "
                                      f"({' '.join(str(exc).split())[:160]})") from None
            else:
                self._cluster = LocalCluster(  # the dashboard on a free port: 8787 may be another cluster's
                    n_workers=self.n_workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=40,
                )
                self._client = Client(self._cluster)
            if self.progress:
                print(_dask_banner(self._client, self.scheduler), file=sys.stderr, flush=True)
        futures = {self._client.submit(fn, items[j], pure=False): j for j in todo}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _completed(futures: dict):
    """(item index, result) of each future as it completes; on an error (or when the
    consumer stops), the futures not started yet are cancelled."""
    try:
        for fut in cf.as_completed(futures):
            yield futures[fut], fut.result()
    except BaseException:
        for f in futures:
            f.cancel()
        raise


def _dask_banner(client, scheduler: str | None) -> str:
    """One line: where Dask runs, how many workers, and its dashboard link (or how to get one)."""
    info = client.scheduler_info()
    n = len(info.get("workers", {}))
    where = f"scheduler {scheduler}" if scheduler else "a local cluster"
    if "dashboard" not in info.get("services", {}):
        return f"dask: {where}, {n} worker(s); no dashboard"
    # the scheduler serves the page; it draws it only where bokeh is installed
    bokeh = "" if scheduler or importlib.util.find_spec("bokeh") else " (install bokeh to see it)"
    return f"dask: {where}, {n} worker(s); dashboard {client.dashboard_link}{bokeh}"


def _task_name(task) -> str:
    """Module and qualified name of a task (or of the function a partial wraps): no addresses."""
    fn = getattr(task, "func", task)
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


def _task_args(task) -> str:
    """The bound arguments of a functools.partial (they change the result)."""
    args = getattr(task, "args", ())
    kw = getattr(task, "keywords", {})
    return repr((args, sorted(kw.items()) if kw else ()))


def run_ensemble(
    task: Task,
    n_replicas: int,
    *,
    seed: int,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> dict[str, np.ndarray]:
    """Functional form of :meth:`Runner.ensemble` (a Runner made and closed for one call)."""
    with Runner(backend=backend, workers=workers, scheduler=scheduler,
                checkpoint_dir=checkpoint_dir, progress=progress) as r:
        return r.ensemble(task, n_replicas, seed=seed, chunk_size=chunk_size)


class _Board:
    """The one rich live display of this process: the bars of every runner at work (the
    essay runs two experiments at once; rich allows one live display at a time). Started
    with the first bar, stopped with the last."""

    _lock = threading.Lock()
    _progress = None
    _bars = 0

    @classmethod
    def add(cls, label: str, total: int, done: int):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        with cls._lock:
            if cls._progress is None:
                cls._progress = Progress(
                    TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True,
                )
                cls._progress.start()
            cls._bars += 1
            return cls._progress, cls._progress.add_task(label, total=total, completed=done)

    @classmethod
    def remove(cls, task) -> None:
        with cls._lock:
            if cls._progress is None:
                return
            cls._progress.remove_task(task)
            cls._bars -= 1
            if cls._bars == 0:
                cls._progress.stop()
                cls._progress = None


class _Progress:
    """A rich progress bar with elapsed time and ETA on stderr, shown once the work has
    lasted ``DELAY`` seconds (even before its first chunk is done, and for one chunk);
    the bars of runners at work at once share one display (:class:`_Board`)."""

    DELAY = 1.0  # [s] shorter work shows no bar

    def __init__(self, label: str, total: int, done: int, enabled: bool):
        self.label, self.total, self.done = label, total, done
        self.enabled = enabled and done < total
        self._bar = None
        self._task = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self):
        if self.enabled:
            self._timer = threading.Timer(self.DELAY, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _start(self):
        with self._lock:
            if self._closed or self._bar is not None:
                return
            self._bar, self._task = _Board.add(self.label, self.total, self.done)

    def advance(self):
        with self._lock:
            self.done += 1
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done)

    def __exit__(self, *exc):
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._bar is not None:
                _Board.remove(self._task)
                self._bar = None
