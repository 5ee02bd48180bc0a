"""Ensembles of small piston gases in one call (models.gas.batch) against their twins:
one ``advance`` per system, a Python insertion loop, ``np.sum``; bitwise."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.core.protocol import Ramp
from neqlab.models.gas import Params, State, ThermalWalls, advance, potential_energy
from neqlab.models.gas import batch
from neqlab.models.gas._kernels import batch as B


def insert_twin(n, lx, ly, rng, gap=1.0, max_tries=None):
    """The Python insertion loop the kernel replaces (one uniform pair per candidate)."""
    x = np.empty((n, 2))
    k = tries = 0
    limit = 10_000 * n if max_tries is None else max_tries
    while k < n:
        tries += 1
        if tries > limit:
            return None
        p = rng.uniform((0.0, 0.0), (lx, ly))
        if k and np.min(np.sum((x[:k] - p) ** 2, axis=1)) < gap**2:
            continue
        x[k] = p
        k += 1
    return x


def energy_twin(s: State, p: Params) -> float:
    return 0.5 * float(np.sum(s.velocities.astype(np.float64) ** 2)) + potential_energy(s, p)


def drives_twin(x, v, box, p, n_relax, n_drive, piston, kT, keys):
    """One advance for the relaxation and one for the drive per system: the reference."""
    out = np.empty((x.shape[0], 4))
    for r in range(x.shape[0]):
        walls = ThermalWalls(kT, int(keys[r]))
        s = advance(State(x[r], v[r], box.copy(), (False,) * x.shape[2]), p, n_relax, bath=walls)
        s0 = dataclasses.replace(s, time=0.0, work=0.0, heat=0.0)
        s1 = advance(s0, p, n_drive, piston=piston, bath=walls)
        out[r] = s1.work, s1.heat, energy_twin(s0, p), energy_twin(s1, p)
    return out


def start(n_sys, n, lx, ly, seed, kT=1.0):
    rng = np.random.default_rng(seed)
    x = np.stack([batch.insert_disks(n, lx, ly, rng) for _ in range(n_sys)])
    return x, rng.normal(0.0, math.sqrt(kT), size=x.shape)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), lx=st.floats(1.0, 30.0), ly=st.floats(1.0, 30.0), seed=st.integers(0, 2**32))
def test_insert_disks_draws_as_the_python_loop(n, lx, ly, seed):
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    ref = insert_twin(n, lx, ly, a, max_tries=200 * max(n, 1))
    if ref is None:
        with pytest.raises(ConfigError, match="must leave room"):
            batch.insert_disks(n, lx, ly, b, max_tries=200 * max(n, 1))
        return
    got = batch.insert_disks(n, lx, ly, b, max_tries=200 * max(n, 1))
    assert np.array_equal(got, ref)
    assert a.random() == b.random()  # the Generator is left at the same place


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=-1), "n must be an integer"), (dict(lx=0.0), "lx must be a number"), (dict(ly=np.inf), "ly must be"),
    (dict(gap=-1.0), "gap must be"), (dict(rng=np.random.RandomState(0)), "rng must be a numpy.random.Generator"),
    (dict(max_tries=-3), "max_tries must be an integer in \\[0, inf\\)"),
])
def test_insert_disks_rejects_bad_input(kwargs, match):
    args = dict(n=3, lx=4.0, ly=4.0, rng=np.random.default_rng(0))
    args.update(kwargs)
    n, lx, ly, rng = args.pop("n"), args.pop("lx"), args.pop("ly"), args.pop("rng")
    with pytest.raises(ConfigError, match=match):
        batch.insert_disks(n, lx, ly, rng, **args)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 3000), seed=st.integers(0, 2**32), scale=st.floats(-30, 30))
def test_pairwise_sum_is_numpys_sum(n, seed, scale):
    a = np.random.default_rng(seed).standard_normal(n) * 10.0**scale
    assert 0.0 + B.pairwise_sum(a, 0, n) == np.sum(a)  # the same order of additions, so the same bits


def test_pairwise_sum_of_a_slice_and_of_many_sizes():
    a = np.random.default_rng(1).exponential(size=20_000)
    for n in list(range(0, 300)) + [1023, 1024, 1025, 8191, 19_993]:
        assert 0.0 + B.pairwise_sum(a, 7, n) == np.sum(a[7:7 + n]), n


DRIVE = dict(n_relax=60, n_drive=300, kT=1.0)


@settings(max_examples=12, deadline=None)
@given(n=st.integers(2, 24), rho=st.sampled_from([0.02, 0.2]), forward=st.booleans(), seed=st.integers(0, 2**31))
def test_piston_drives_are_bitwise_one_advance_per_system(n, rho, forward, seed):
    length = 5.0
    lx, ly = (length if forward else 0.5 * length), n / (rho * length)
    x, v = start(3, n, lx, ly, seed)
    ramp = Ramp(length, 0.5 * length, 1.2)
    piston = ramp if forward else ramp.reversed()
    keys = np.random.default_rng(seed + 1).integers(0, 2**63, size=3).astype(np.uint64)
    p = Params(dt=0.004)
    got = batch.piston_drives(x, v, np.array([lx, ly]), p, piston=piston, keys=keys, parallel=False, **DRIVE)
    ref = drives_twin(x, v, np.array([lx, ly]), p, DRIVE["n_relax"], DRIVE["n_drive"], piston, 1.0, keys)
    for j, k in enumerate(("work", "heat", "energy_start", "energy_end")):
        assert np.array_equal(got[k], ref[:, j]), k


def test_parallel_and_serial_give_the_same_bits():
    x, v = start(9, 12, 5.0, 6.0, 4)
    keys = np.arange(9, dtype=np.uint64)
    args = (x, v, np.array([5.0, 6.0]), Params(dt=0.004))
    kw = dict(piston=Ramp(5.0, 2.5, 1.0), keys=keys, **DRIVE)
    a = batch.piston_drives(*args, parallel=False, **kw)
    b = batch.piston_drives(*args, parallel=True, **kw)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    # one system alone gives what it gives in the ensemble: no dependence on the others
    c = batch.piston_drives(x[4:5], v[4:5], np.array([5.0, 6.0]), Params(dt=0.004), parallel=False,
                            **dict(kw, keys=keys[4:5]))
    assert all(c[k][0] == a[k][4] for k in a)


def test_a_pair_buffer_that_must_grow_leaves_the_bits_unchanged(monkeypatch):
    # a dense gas (64 disks at density 0.5) with room for 8 pairs per slab: the kernel stops, grows the buffer
    # and resumes, as advance does; the result is that of the roomy run
    x, v = start(2, 64, 8.0, 16.0, 7)
    kw = dict(piston=Ramp(8.0, 7.0, 0.4), keys=np.arange(2, dtype=np.uint64), n_relax=40, n_drive=100, kT=1.0)
    roomy = batch.piston_drives(x, v, np.array([8.0, 16.0]), Params(dt=0.004), parallel=False, **kw)
    geometry = batch._geometry

    def tight(box, n, params):
        g = geometry(box, n, params)
        return g[:6] + (np.int64(8),)

    monkeypatch.setattr(batch, "_geometry", tight)
    small = batch.piston_drives(x, v, np.array([8.0, 16.0]), Params(dt=0.004), parallel=False, **kw)
    assert all(np.array_equal(roomy[k], small[k]) for k in roomy)
    ref = drives_twin(x, v, np.array([8.0, 16.0]), Params(dt=0.004), 40, 100, kw["piston"], 1.0, kw["keys"])
    assert np.array_equal(small["work"], ref[:, 0])


def _args():
    x, v = start(2, 4, 5.0, 5.0, 0)
    return dict(positions=x, velocities=v, box=np.array([5.0, 5.0]), params=Params(dt=0.004), n_relax=10,
                n_drive=20, piston=Ramp(5.0, 4.0, 0.08), kT=1.0, keys=np.arange(2, dtype=np.uint64))


@pytest.mark.parametrize("change, match", [
    (dict(params=Params(precision="f32")), "params must use integrator 'verlet' with precision 'f64'"),
    (dict(params="fast"), "params must be a neqlab.models.gas.Params"),
    (dict(positions=np.zeros((2, 4))), "positions must have shape \\(R, N, 2\\)"),
    (dict(velocities=np.zeros((2, 3, 2))), "velocities must have the shape of positions"),
    (dict(box=np.array([5.0, -1.0])), "box must be positive"),
    (dict(kT=0.0), "kT must be a number in \\(0, inf\\)"),
    (dict(keys=np.arange(2)), "keys must be a uint64 array of shape \\(2,\\)"),
    (dict(n_relax=-1), "n_relax must be an integer in \\[0, inf\\)"),
    (dict(n_drive=2.5), "n_drive must be an integer"),
    (dict(piston=3.0), "piston must be a protocol"),
    (dict(piston=Ramp(5.0, -1.0, 0.08)), "piston must stay at a positive position"),
])
def test_bad_input_is_a_config_error(change, match):
    with pytest.raises(ConfigError, match=match):
        batch.piston_drives(**dict(_args(), **change), parallel=False)


def test_a_piston_that_starts_inside_the_gas_is_a_config_error():
    a = _args()
    a["positions"][0] = ((0.5, 0.5), (0.5, 2.0), (0.5, 3.5), (2.0, 0.5))  # system 0 stays left of x = 2.5
    a["positions"][1] = ((4.5, 2.5), (0.5, 0.5), (0.5, 2.0), (2.0, 4.0))  # 10 steps move a disk by ~0.1
    with pytest.raises(ConfigError, match="piston must start beyond every particle .*system 1"):
        batch.piston_drives(**dict(a, piston=Ramp(3.0, 2.5, 0.08)), parallel=False)


def test_a_failed_system_is_named():
    a = _args()
    a["positions"][1, :2] = ((2.0, 2.0), (2.1, 2.0))  # two disks 0.1 apart: an overlap in the first force phase
    with pytest.raises(SimulationError, match="system 1 \\(relaxation\\).*overlap"):
        batch.piston_drives(**a, parallel=False)
