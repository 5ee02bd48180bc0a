"""The shared pool of the essay's side-by-side experiments: order, cancellation, errors,
thread shares, and runners on it giving the bits of a runner alone."""

import threading
import time
from concurrent.futures import CancelledError, ThreadPoolExecutor

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, replica_keys
from neqlab.models.toy import ehrenfest_n_left
from neqlab.runner import Runner
from neqlab.runner import ensemble as E
from neqlab.runner.pool import SharedPool


def urn_task(replicas, seed):
    keys = replica_keys(seed, replicas, Stream.TESTING)
    return {"n": ehrenfest_n_left(keys, n_particles=20, n_start=20, n_steps=200), "id": replicas.copy()}


def _blocked_pool():
    """A one-worker pool whose worker waits on the returned event (so calls queue up)."""
    gate = threading.Event()
    pool = SharedPool(1)
    first = pool.submit((-1, 0), gate.wait, 10.0)
    for _ in range(1000):  # until the worker holds it
        if first.running():
            break
        time.sleep(0.01)
    assert first.running()
    return pool, gate, first


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=12))
def test_queued_calls_run_by_priority_then_submission(prios):
    pool, gate, first = _blocked_pool()
    ran = []
    with pool:
        futs = [pool.submit((p, 0), ran.append, (p, k)) for k, p in enumerate(prios)]
        gate.set()
        assert first.result() is True
        for f in futs:
            f.result(timeout=10)
    assert ran == sorted(ran)  # priority first, then the order of submission
    assert sorted(ran) == sorted((p, k) for k, p in enumerate(prios))


def test_cancel_drops_queued_calls_and_running_ones_finish():
    pool, gate, first = _blocked_pool()
    with pool:
        queued = [pool.submit((0, k), lambda: 1) for k in range(5)]
        assert pool.cancel() == 5
        gate.set()
        assert first.result(timeout=10) is True
        for f in queued:
            assert f.cancelled()
            with pytest.raises(CancelledError):
                f.result()


def test_errors_reach_the_caller_and_the_pool_goes_on():
    with SharedPool(2) as pool:
        bad = pool.submit(0, lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            bad.result(timeout=10)
        assert pool.submit(0, lambda: 7).result(timeout=10) == 7
    with pytest.raises(CancelledError, match="shut down"):
        pool.submit(0, lambda: 1)


def test_each_worker_has_its_share_of_the_threads():
    with SharedPool(2, threads_per_worker=1) as pool:
        counts = [pool.submit(0, numba.get_num_threads).result(timeout=10) for _ in range(4)]
    assert counts == [1, 1, 1, 1]
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS  # the caller's own count is untouched


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_bad_workers(workers):
    with pytest.raises(ConfigError, match=r"workers must be an integer in \[1, 1024\], got"):
        SharedPool(workers)


def test_runners_sharing_a_pool_give_the_bits_of_a_runner_alone(monkeypatch, tmp_path):
    """Two runners at once on one pool (with their progress bars on one display), each
    with its checkpoints: the results of each alone."""
    monkeypatch.setattr(E._Progress, "DELAY", 0.0)
    alone = [Runner(workers=1, progress=False).ensemble(urn_task, 60, seed=s, chunk_size=7) for s in (1, 2)]
    with SharedPool(2) as pool:
        def one(seed):
            with Runner(pool=pool, priority=seed, progress=True, checkpoint_dir=tmp_path / str(seed)) as r:
                return r.ensemble(urn_task, 60, seed=seed, chunk_size=7)

        with ThreadPoolExecutor(2) as ex:
            both = list(ex.map(one, (1, 2)))
    for a, b in zip(alone, both):
        assert np.array_equal(a["n"], b["n"]) and np.array_equal(a["id"], b["id"])
    assert E._Board._progress is None and E._Board._bars == 0  # the display stopped with its last bar


def test_a_runner_waiting_on_cancelled_items_wakes_up(tmp_path):
    """cancel() must wake whoever waits on the futures (as_completed in the runner), or an
    interrupted essay would wait forever."""
    pool, gate, first = _blocked_pool()
    errors = []

    def run():
        try:
            Runner(pool=pool, progress=False).ensemble(urn_task, 20, seed=1, chunk_size=2)
        except CancelledError as exc:
            errors.append(exc)

    with pool:
        t = threading.Thread(target=run)
        t.start()
        for _ in range(1000):  # until its ten items are queued
            if len(pool._heap) == 10:
                break
            time.sleep(0.01)
        assert pool.cancel() == 10
        t.join(timeout=10)
        assert not t.is_alive() and len(errors) == 1
        gate.set()
