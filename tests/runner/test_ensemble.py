import functools

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, replica_keys
from neqlab.models.toy import ehrenfest_n_left
from neqlab.runner import Runner, run_ensemble
from neqlab.runner.checkpoint import Checkpoint


def urn_task(replicas, seed, *, n_steps=200):
    keys = replica_keys(seed, replicas, Stream.TESTING)
    return {"n": ehrenfest_n_left(keys, n_particles=20, n_start=20, n_steps=n_steps), "id": replicas.copy()}


def test_bitwise_identical_for_1_and_2_workers_and_any_chunking():
    a = run_ensemble(urn_task, 101, seed=3, workers=1, progress=False)
    b = run_ensemble(urn_task, 101, seed=3, workers=2, progress=False)
    c = run_ensemble(urn_task, 101, seed=3, workers=2, progress=False, chunk_size=7)
    assert np.array_equal(a["n"], b["n"]) and np.array_equal(a["n"], c["n"])
    assert np.array_equal(a["id"], np.arange(101))
    d = run_ensemble(urn_task, 101, seed=4, workers=1, progress=False)
    assert not np.array_equal(a["n"], d["n"])


def test_dask_backend_matches_local():
    pytest.importorskip("dask.distributed")
    a = run_ensemble(urn_task, 40, seed=9, workers=1, progress=False)
    b = run_ensemble(urn_task, 40, seed=9, backend="dask", workers=2, progress=False)
    assert np.array_equal(a["n"], b["n"])


def test_checkpoint_resume_is_bitwise(tmp_path):
    full = run_ensemble(urn_task, 50, seed=1, workers=1, progress=False, chunk_size=5)
    ck = tmp_path / "ck"
    r = Runner(workers=1, checkpoint_dir=ck, progress=False)
    r.ensemble(urn_task, 50, seed=1, chunk_size=5, name="u")
    files = sorted(ck.glob("*.npz"))
    assert len(files) == 10
    for f in files[::2]:  # lose half of the chunks, as after a crash
        f.unlink()
    r2 = Runner(workers=2, checkpoint_dir=ck, progress=False)
    again = r2.ensemble(urn_task, 50, seed=1, chunk_size=5, name="u")
    assert r2.resumed_chunks == 5
    assert np.array_equal(full["n"], again["n"])


def test_checkpoint_of_other_params_not_reused(tmp_path):
    ck = tmp_path / "ck"
    Runner(workers=1, checkpoint_dir=ck, progress=False).ensemble(
        functools.partial(urn_task, n_steps=10), 10, seed=1, chunk_size=5, name="u")
    r = Runner(workers=1, checkpoint_dir=ck, progress=False)
    out = r.ensemble(functools.partial(urn_task, n_steps=20), 10, seed=1, chunk_size=5, name="u")
    assert r.resumed_chunks == 0 and out["n"].shape == (10, 21)


def test_corrupt_chunk_is_recomputed(tmp_path):
    ck = Checkpoint(tmp_path)
    ck.save("a", "k", {"x": np.arange(3)})
    (tmp_path / "a-k.npz").write_bytes(b"garbage")
    assert ck.load("a", "k") is None


def test_map_keeps_order():
    r = Runner(workers=2, progress=False)
    out = r.map(lambda i: {"v": np.array([i * i])}, list(range(9)), name="sq")
    assert [int(o["v"][0]) for o in out] == [i * i for i in range(9)]


@pytest.mark.parametrize("kw, msg", [
    ({"backend": "mpi"}, "backend must be one of 'local', 'dask', got 'mpi'"),
    ({"workers": 0}, r"workers must be an integer in \[1, 1024\], got 0"),
    ({"scheduler": "tcp://x:1"}, "scheduler needs backend 'dask'"),
])
def test_bad_runner_input(kw, msg):
    with pytest.raises(ConfigError, match=msg):
        Runner(**kw)
