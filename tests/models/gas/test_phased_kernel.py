"""The phased step kernel: pair lists, one step against a NumPy twin, the same bits for
any number of threads, buffer growth, and the task scheduler."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.models.gas import Params, ThermalWalls, advance, lattice_gas
from neqlab.models.gas import _kernels as K
from neqlab.models.gas import _workers
from neqlab.models.gas._kernels import sched
from neqlab.models.gas._kernels.cells import cell_grid, grid3
from neqlab.models.gas._plumbing import kernel_params

from test_forces import naive, random_gas


def _pairs(x, box, periodic, params):
    """The pairs the kernel lists (in original particle ids, i < j), by a zero-step run."""
    x = x.copy()
    v = np.zeros_like(x)
    ids = np.arange(x.shape[0])
    prm = kernel_params(params, x.dtype)
    ncell = cell_grid(box, float(np.sqrt(prm[K.P_RLIST2])))
    nt, ns = _workers.slab_counts(x.shape[0], ncell, periodic)
    b = _workers.Buffers(x.shape[0], x.shape[1], x.dtype, int(np.prod(ncell)), 4 * x.shape[0] + 16)
    sched.start(b.ctl, K.K_BIN, nt)
    b.ctl[sched.C_NTASK], b.ctl[sched.C_NSLAB] = nt, ns
    run = (np.empty(0, x.dtype), np.empty(0), np.uint64(0), np.int64(0), np.int64(0), False, True)
    geo = (box, periodic, ncell, prm, grid3(box, periodic, ncell, x.shape[1]))
    K.verlet_worker(b.ctl, (x, v, ids), geo, b.verlet(), b.slabs(), run, False, False)
    assert b.ctl[sched.C_STATUS] in (K.OK, K.OVERLAP)  # random points may overlap: the lists are built before
    cap = b.pi.shape[0] // sched.MAX_TASKS
    out = [np.stack([b.pi[k * cap: b.pend[8 * k]], b.pj[k * cap: b.pend[8 * k]]], axis=1) for k in range(ns)]
    pairs = ids[np.concatenate(out).astype(np.int64)]
    return np.sort(pairs, axis=1), ns


def _naive_pairs(x, box, periodic, rlist):
    d = x[:, None, :] - x[None, :, :]
    for k in range(x.shape[1]):
        if periodic[k]:
            d[..., k] -= box[k] * np.rint(d[..., k] / box[k])
    r2 = np.sum(d * d, axis=-1)
    i, j = np.nonzero(np.triu(r2 < rlist * rlist, k=1))
    return np.stack([i, j], axis=1)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), dim=st.sampled_from([2, 3]), n=st.integers(2, 400),
       per=st.lists(st.booleans(), min_size=3, max_size=3), density=st.floats(0.05, 0.6))
def test_slab_pair_lists_hold_every_pair_within_reach_once(seed, dim, n, per, density):
    rng = np.random.default_rng(seed)
    box = np.full(dim, (n / density) ** (1 / dim))
    periodic = np.array(per[:dim])
    p = Params()
    box = np.maximum(box, 2.0 * (p.r_cut_effective + p.skin) + 1e-9)  # check_box's minimum
    x = rng.uniform(0, 1, size=(n, dim)) * box
    got, _ = _pairs(x, box, periodic, p)
    want = _naive_pairs(x, box, periodic, p.r_cut_effective + p.skin)
    assert len(got) == len(np.unique(got, axis=0))  # no pair twice
    assert np.array_equal(np.unique(got, axis=0), np.unique(want, axis=0))


def test_many_slabs_on_a_big_periodic_box():
    rng = np.random.default_rng(1)
    box = np.array([120.0, 30.0])
    x = random_gas(rng, 1500, box, r_min=0.9)
    got, ns = _pairs(x, box, np.array([True, True]), Params())
    assert ns == 4  # 1500 particles: 5 tasks of >= 256, an even number of slabs on a periodic axis 0
    want = _naive_pairs(x, box, np.array([True, True]), Params().r_cut_effective + Params().skin)
    assert np.array_equal(np.unique(got, axis=0), np.unique(want, axis=0))


@pytest.mark.parametrize("dim,periodic", [(2, (True, True)), (2, (False, True)), (3, (True, False, True))])
def test_one_step_equals_a_numpy_velocity_verlet_with_naive_forces(dim, periodic):
    p = Params(dt=0.002)
    s = advance(lattice_gas(300, 0.4, 1.0, dim, seed=2, periodic=periodic), p, 50)
    x, v, box = s.positions, s.velocities, s.box
    f0 = naive(x, box, periodic, p.r_cut_effective)[0]
    v_half = v + 0.5 * p.dt * f0
    x1 = x + p.dt * v_half
    for k in range(dim):  # specular walls: nobody is near one after 50 steps from the lattice
        if not periodic[k]:
            assert np.all((x1[:, k] > 0) & (x1[:, k] < box[k]))
    f1 = naive(x1 % np.where(periodic, box, np.inf), box, periodic, p.r_cut_effective)[0]
    v1 = v_half + 0.5 * p.dt * f1
    s1 = advance(s, p, 1)
    x1w = np.where(periodic, x1 % box, x1)
    # the twin sums forces in another order: round-off only (forces ~ 10, dt 0.002)
    assert np.abs(s1.positions - x1w).max() < 1e-13
    assert np.abs(s1.velocities - v1).max() < 1e-12


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("dim,n", [(2, 3001), (3, 1501)])
def test_the_same_bits_for_one_two_and_three_threads(precision, dim, n):
    s = lattice_gas(n, 0.5, 1.0, dim, seed=6, periodic=(True, False, True)[:dim], precision=precision)
    runs = [advance(s, Params(precision=precision, threads=t), 120) for t in (1, 2, 3)]
    for r in runs[1:]:
        assert np.array_equal(r.positions, runs[0].positions) and np.array_equal(r.velocities, runs[0].velocities)


@pytest.fixture
def wanted_heated():
    s = advance(lattice_gas(2000, 0.5, 1.0, 2, seed=3, periodic=(True, False)), Params(), 20)
    return s, advance(s, Params(threads=2), 200, bath=ThermalWalls(1.0, 5))


def test_a_full_pair_buffer_grows_and_the_run_is_unchanged(wanted_heated, tiny_pair_buffer):
    s, want = wanted_heated  # computed before the buffers shrink
    got = advance(s, Params(threads=2), 200, bath=ThermalWalls(1.0, 5))
    assert len(tiny_pair_buffer) >= 2  # the first allocation and at least one growth
    assert np.array_equal(got.positions, want.positions) and np.array_equal(got.velocities, want.velocities)
    assert got.heat == want.heat


def test_a_helper_that_never_runs_changes_nothing(monkeypatch):
    # the scheduler never waits for a worker to arrive: with the helpers' pool stalled,
    # the calling thread does every task alone and gets the same bits
    s = lattice_gas(2000, 0.5, 1.0, 2, seed=4)
    want = advance(s, Params(threads=1), 100)

    class Stalled:
        def submit(self, fn, *args):
            class Future:
                def cancel(self):
                    return True

            return Future()

    monkeypatch.setattr(_workers, "_pool", lambda: Stalled())
    monkeypatch.setattr(_workers, "_CPUS", 2)  # two workers even on a one-CPU machine
    got = advance(s, Params(threads=2), 100)
    assert np.array_equal(got.positions, want.positions)


def test_claims_hand_out_every_task_once_under_contention():
    from numba import njit

    @njit(nogil=True)
    def worker(ctl, seen, back, n_phases):
        spins = np.int64(0)
        while True:
            kind, t, nt, spins = sched.claim(ctl, spins, back)
            if kind == sched.K_DONE:
                return
            seen[ctl[sched.C_STEP], t] += 1
            if sched.done(ctl, nt):
                ctl[sched.C_STEP] += 1
                if ctl[sched.C_STEP] == n_phases:
                    sched.publish(ctl, *sched.stop(ctl, 0, 0))
                else:
                    sched.publish(ctl, 1, 1 + ctl[sched.C_STEP] % 16)

    n_phases = 3000
    ctl = np.zeros(sched.CTL_SIZE, np.int64)
    seen = np.zeros((n_phases, 16), np.int64)
    sched.start(ctl, 1, 1)
    helpers = [threading.Thread(target=worker, args=(ctl, seen, b, n_phases)) for b in (True, False, True)]
    for h in helpers:
        h.start()
    worker(ctl, seen, False, n_phases)
    for h in helpers:
        h.join()
    expect = np.zeros_like(seen)
    for ph in range(n_phases):
        expect[ph, : 1 + ph % 16] = 1
    assert np.array_equal(seen, expect)


def test_automatic_threads_follow_size_cpus_and_calls_in_flight(monkeypatch):
    monkeypatch.setattr(_workers, "_usable_cpus", lambda: 8)
    assert _workers.resolve_threads(3, 10) == 3  # an explicit count is kept
    assert _workers.resolve_threads(0, _workers.AUTO_MIN_PARTICLES - 1) == 1
    assert _workers.resolve_threads(0, 10**6) == 8
    assert _workers.resolve_threads(0, 10**6, active=3) == 2  # three engine calls share 8 CPUs
    assert _workers.resolve_threads(0, 3 * _workers.PER_WORKER) == 3
    monkeypatch.undo()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert _workers.resolve_threads(0, 10**6) == 1
    monkeypatch.delenv("OMP_NUM_THREADS")

    def in_a_thread_with_one_numba_thread():  # numba's count is per thread (the essay's pool workers)
        numba.set_num_threads(1)
        return _workers.resolve_threads(0, 10**6)

    with ThreadPoolExecutor(1) as ex:
        assert ex.submit(in_a_thread_with_one_numba_thread).result() == 1
    assert _workers.resolve_threads(0, 10**6) == min(_workers._usable_cpus(), 10**6 // _workers.PER_WORKER)


@pytest.mark.parametrize("periodic", [(True, True), (False, True)])
def test_small_systems_take_the_one_task_loop_with_the_same_bits(periodic):
    # threads=1 runs small systems in a fused step loop; two workers run the phases
    s = lattice_gas(60, 0.3, 1.0, 2, seed=8, periodic=periodic)
    bath = ThermalWalls(1.0, 3) if not all(periodic) else None
    a = advance(s, Params(threads=1), 700, bath=bath)
    b = advance(s, Params(threads=2), 700, bath=bath)
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.velocities, b.velocities)
    assert a.heat == b.heat
