"""Kernel-level tests: the normal generator, per-trajectory determinism, the first law."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from scipy import stats

from neqlab.core.rng import Stream
from neqlab.core.protocol import Cycle, Ramp
from neqlab.models.langevin import (
    LangevinParams, Potential, advance, double_well, dragged_trap, equilibrium_state, stiffness_ramp, trajectory_keys,
)
from neqlab.models.langevin import _kernels as K

N_DRAWS = 2_000_000


@pytest.fixture(scope="module")
def normals():
    keys = trajectory_keys(5, np.arange(1000))
    out = np.empty((1000, N_DRAWS // 1000))
    K.fill_normals(keys, out)
    return out.ravel()


def test_ziggurat_moments(normals):
    n = normals.size
    # standard errors of mean, variance, third and fourth moments: 1, sqrt(2), sqrt(15), sqrt(96) over sqrt(n)
    assert abs(normals.mean()) < 4 / np.sqrt(n)
    assert abs(normals.var() - 1) < 4 * np.sqrt(2 / n)
    assert abs(np.mean(normals**3)) < 4 * np.sqrt(15 / n)
    assert abs(np.mean(normals**4) - 3) < 4 * np.sqrt(96 / n)


def test_ziggurat_distribution_and_tail(normals):
    # KS at n = 2e6 resolves |F - Phi| ~ 1e-3; p > 1e-4 fails with probability 1e-4 if exact
    assert stats.kstest(normals, "norm").pvalue > 1e-4
    # the tail beyond the base strip r = 3.654 comes from the slow branch: binomial count, |z| < 4
    p = 2 * stats.norm.sf(K._ZIG_R)
    k = np.sum(np.abs(normals) > K._ZIG_R)
    assert abs(k - p * normals.size) < 4 * np.sqrt(p * normals.size)


def _run(pot, proto, params, ids, n_steps=200, parallel=True, seed=3):
    s = equilibrium_state(pot, float(proto(0.0)), params, seed=seed, replicas=ids)
    return advance(s, pot, proto, params, n_steps, parallel=parallel)[0]


@pytest.mark.parametrize("scheme", ["overdamped", "baoab"])
def test_bitwise_independent_of_threads_and_chunks(scheme):
    p = LangevinParams(dt=1e-2, scheme=scheme)
    pot, proto = double_well(dim=2), Ramp(-1.0, 1.0, 2.0)
    ids = np.arange(300)
    whole = _run(pot, proto, p, ids)
    serial = _run(pot, proto, p, ids, parallel=False)
    parts = [_run(pot, proto, p, ids[a:b], parallel=False) for a, b in ((0, 7), (7, 150), (150, 300))]
    for name in ("x", "work", "heat", "shadow_work"):
        a = getattr(whole, name)
        assert np.array_equal(a, getattr(serial, name))
        assert np.array_equal(a, np.concatenate([getattr(q, name) for q in parts]))
    assert not np.array_equal(whole.work, _run(pot, proto, p, ids, seed=4).work)


def test_keys_depend_only_on_seed_stream_and_id():
    a = trajectory_keys(9, [4, 5, 6])
    assert np.array_equal(a[1:], trajectory_keys(9, [5, 6]))
    assert len(set(trajectory_keys(9, np.arange(100000)).tolist())) == 100000
    assert not np.array_equal(a, trajectory_keys(9, [4, 5, 6], stream=(Stream.TESTING, 8)))


coef = st.floats(-2.0, 2.0, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(p4=st.floats(0.0, 2.0), k0=st.floats(0.5, 3.0), k1=coef, h0=coef, h1=coef, e2=coef,
       dt=st.floats(1e-4, 2e-2), lam1=st.floats(-1.0, 1.0), scheme=st.sampled_from(["overdamped", "baoab"]))
def test_first_law_per_trajectory(p4, k0, k1, h0, h1, e2, dt, lam1, scheme):
    pot = Potential("random", ((p4, k0, k1, h0, h1, e2), (0.0, 1.0, 0.0, 0.0, 0.0, 0.0)))
    p = LangevinParams(dt=dt, scheme=scheme)
    s = equilibrium_state(pot, 0.0, p, seed=1, replicas=np.arange(20))
    e = advance(s, pot, Ramp(0.0, lam1, 50 * dt), p, 60)[0]
    lhs = e.energy(pot, lam1) - s.energy(pot, 0.0)
    rhs = e.work + e.shadow_work - e.heat
    scale = 1.0 + np.abs(e.work).max() + np.abs(e.heat).max() + np.abs(lhs).max()
    assert np.abs(lhs - rhs).max() < 1e-11 * scale  # sums of 60 differences in f64: round-off only
    assert (e.shadow_work == 0).all() if scheme == "overdamped" else True


def test_records_match_final_tallies():
    p = LangevinParams(dt=1e-2)
    pot = dragged_trap()
    s = equilibrium_state(pot, 0.0, p, seed=2, replicas=np.arange(50))
    e, rec = advance(s, pot, Cycle(0.0, 1.0, 2.0), p, 100, record_every=25)
    assert rec.shape == (50, 4, 3)
    assert np.allclose(rec[:, -1, 0], e.work, rtol=0, atol=1e-12)
    assert np.allclose(rec[:, -1, 1], e.heat, rtol=0, atol=1e-12)
    assert np.array_equal(rec[:, -1, 2], e.x[:, 0])


def test_stiffness_ramp_is_quadratic_and_2d_shapes():
    pot = stiffness_ramp(dim=2)
    assert pot.is_quadratic() and pot.dim == 2
    s = equilibrium_state(pot, 2.0, LangevinParams(), seed=0, replicas=np.arange(10))
    assert s.x.shape == (10, 2) and s.v is None


@njit(cache=False)
def _overdamped_three_potentials(x, keys, c, lam, scal, work, heat):
    """The overdamped step as first written (three potentials per step, records left out):
    the kernel evaluates U(x_t, lam_t) once instead of twice and must keep its bits."""
    mob = scal[0] / scal[1]
    amp = np.sqrt(2.0 * scal[2] * scal[0] / scal[1])
    for i in range(x.shape[0]):
        s = keys[i]
        for a in range(x.shape[1]):
            xa = x[i, a]
            wa = 0.0
            qa = 0.0
            for t in range(lam.size - 1):
                u_mid = K.energy1(xa, lam[t + 1], c, a)
                wa += u_mid - K.energy1(xa, lam[t], c, a)
                s, z = K.next_normal(s)
                xa = xa + mob * K.force1(xa, lam[t + 1], c, a) + amp * z
                qa += u_mid - K.energy1(xa, lam[t + 1], c, a)
            x[i, a] = xa
            work[i] += wa
            heat[i] += qa
        keys[i] = s


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**40), d=st.integers(1, 3), n=st.integers(1, 400),
       coef=st.lists(st.floats(-2.0, 2.0), min_size=6, max_size=6))
def test_overdamped_kernel_keeps_the_bits_of_three_potentials_per_step(seed, d, n, coef):
    rng = np.random.default_rng(seed)
    c = np.tile(np.array(coef), (d, 1))
    c[:, 0] = np.abs(c[:, 0])  # a confining quartic or none: the walk stays finite over 400 steps
    c[:, 1] = np.abs(c[:, 1]) + 0.1
    lam = np.linspace(rng.uniform(-1, 1), rng.uniform(-1, 1), n + 1)
    scal = np.array([1e-3, 1.0, 1.0])
    x0 = rng.normal(size=(5, d))
    k0 = rng.integers(0, 2**63, size=5).astype(np.uint64)
    x, k, w, q = x0.copy(), k0.copy(), np.zeros(5), np.zeros(5)
    assert K.overdamped_run_serial(x, k, c, lam, scal, 0, w, q, np.empty((5, 0, 2 + d))) == 0
    x2, k2, w2, q2 = x0.copy(), k0.copy(), np.zeros(5), np.zeros(5)
    _overdamped_three_potentials(x2, k2, c, lam, scal, w2, q2)
    for a, b in ((x, x2), (k, k2), (w, w2), (q, q2)):
        assert np.array_equal(a, b)


@njit(cache=False)
def _one_at_a_time(x, keys, c, lam, scal, rec_every, work, heat, rec):
    bad = 0
    for i in range(x.shape[0]):
        bad += K._overdamped_one(i, x, keys, c, lam, scal, rec_every, work, heat, rec)
    return bad


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**40), m=st.integers(1, 9), d=st.integers(1, 2), n=st.integers(1, 300),
       rec_every=st.integers(0, 40), parallel=st.booleans(), blow_up=st.booleans())
def test_trajectories_in_pairs_keep_the_bits_of_one_at_a_time(seed, m, d, n, rec_every, parallel, blow_up):
    rng = np.random.default_rng(seed)
    c = np.tile(np.array([0.3, 1.0, 0.5, 0.1, 1.0, 0.2]), (d, 1))
    lam = np.linspace(0.0, rng.uniform(-2, 2), n + 1)
    scal = np.array([1e-3, 1.0, 1.0])
    n_rec = n // rec_every if rec_every else 0
    x0 = rng.normal(size=(m, d))
    if blow_up:
        x0[rng.integers(m), 0] = np.inf  # a trajectory that is not finite: counted once, pairs or not
    k0 = rng.integers(0, 2**63, size=m).astype(np.uint64)

    def run(fn):
        x, k, w, q = x0.copy(), k0.copy(), np.zeros(m), np.zeros(m)
        rec = np.zeros((m, n_rec, 2 + d))
        with np.errstate(invalid="ignore"):
            bad = fn(x, k, c, lam, scal, rec_every, w, q, rec)
        return bad, x, k, w, q, rec

    ref = run(_one_at_a_time)
    got = run(K.overdamped_run if parallel else K.overdamped_run_serial)
    assert got[0] == ref[0] == int(blow_up)
    for a, b in zip(got[1:], ref[1:]):
        assert np.array_equal(a, b, equal_nan=True)
