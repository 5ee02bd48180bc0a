"""Stepper: a Verlet run that keeps its lists, forces and half-step velocities between
calls. Its path must not depend on how the steps are split into calls, on looking at it,
or on the number of threads; its first call is ``advance``; it conserves energy and
reverses like velocity Verlet."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.models.gas import (Params, Stepper, advance, equilibrate, lattice_gas, params_for, potential_energy,
                               reverse, to_lattice)


def _same(a, b) -> bool:
    return bool(np.array_equal(a.positions, b.positions) and np.array_equal(a.velocities, b.velocities))


def _splits(total: int, cuts: list[int]) -> list[int]:
    edges = sorted({0, total, *(c % total for c in cuts)})
    return [b - a for a, b in zip(edges, edges[1:]) if b > a]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), n=st.integers(20, 300), walls=st.booleans(), precision=st.sampled_from(["f64", "f32"]),
       cuts=st.lists(st.integers(1, 10_000), max_size=6), look=st.booleans())
def test_the_path_does_not_depend_on_the_split_into_calls_or_on_looking(seed, n, walls, precision, cuts, look):
    # n >= 20: a periodic box of density 0.3 holds two interaction ranges
    s = lattice_gas(n, 0.3, 3.0, 2, seed=seed, periodic=(not walls, True), precision=precision)
    s = advance(s, params_for(precision), 300)  # melted: particles have left their cells
    p = params_for(precision, threads=1)
    total = 200
    one = Stepper(s, p).advance(total).state
    run = Stepper(s, p)
    for k in _splits(total, cuts):
        run.advance(k)
        if look:
            run.state  # noqa: B018  (reading the state must change nothing)
    assert _same(run.state, one)
    assert run.step == s.step + total and run.time == pytest.approx(s.time + total * p.dt)


def _melted(n: int, density: float, seed: int, steps: int = 400):
    """A gas whose particles have left their lattice cells: a list rebuild now reorders
    them (a fresh lattice would sort back into the same order and hide a rebuild)."""
    return advance(lattice_gas(n, density, 2.0, 2, seed=seed, periodic=(True, True)), Params(), steps)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_call_goes_on_without_a_rebuild_when_no_particle_moved_half_the_skin(threads):
    s = _melted(9000, 0.4, 2)
    run = Stepper(s, params_for("f64", threads=threads)).advance(3)
    x0 = run._buf.x0.copy()  # the positions of the last list build
    run.advance(1)
    assert np.array_equal(run._buf.x0, x0)


def test_the_path_is_the_same_for_any_number_of_threads():
    # 9000 disks: above the automatic-threads threshold, several slabs and tasks; melted
    # and run for several rebuilds, so that kept lists and fresh ones would differ
    s = _melted(9000, 0.4, 2)
    want = Stepper(s, params_for("f64", threads=1)).advance(100).advance(1).advance(99).state
    for threads in (2, 3):
        run = Stepper(s, params_for("f64", threads=threads))
        for k in (33, 67, 100):
            run.advance(k)
        assert _same(run.state, want)


def test_the_first_call_is_advance():
    s = lattice_gas(500, 0.4, 1.0, 2, seed=5, periodic=(False, True))
    p = Params()
    assert _same(Stepper(s, p).advance(77).state, advance(s, p, 77))


def test_reversal_retraces_the_path_to_round_off():
    s = lattice_gas(400, 0.4, 1.0, 2, seed=7)
    run = Stepper(s, Params())
    for _ in range(4):
        run.advance(25)
    run.reverse()
    for _ in range(4):
        run.advance(25)
    back = run.state
    d = back.positions - s.positions
    d -= s.box * np.rint(d / s.box)
    # 100 steps of a dense WCA gas amplify round-off (1e-16) by at most e^(lambda t),
    # lambda ~ 3/tau, t = 0.2 tau: far below 1e-9 sigma
    assert np.max(np.abs(d)) < 1e-9
    assert np.max(np.abs(back.velocities + s.velocities)) < 1e-9


def test_energy_is_conserved_across_many_calls():
    s = equilibrate(lattice_gas(600, 0.5, 1.0, 2, seed=1), Params(), 1.0, 1.0)
    p = Params()

    def energy(state):
        return potential_energy(state, p) + 0.5 * float(np.sum(state.velocities.astype(np.float64) ** 2))

    e0 = energy(s)
    run = Stepper(s, p)
    drift = []
    for _ in range(40):
        run.advance(50)
        drift.append(energy(run.state) - e0)
    # velocity Verlet at dt = 0.002: bounded O(dt^2) fluctuation, ~1e-4 per particle here
    assert np.max(np.abs(drift)) / s.n_particles < 1e-3


def test_a_copy_goes_on_alone():
    s = lattice_gas(300, 0.3, 1.0, 2, seed=9)
    a = Stepper(s, Params()).advance(30)
    b = a.copy()
    want = Stepper(s, Params()).advance(60).state
    b.advance(30)
    assert _same(b.state, want)
    assert a.step == 30
    a.advance(30)
    assert _same(a.state, want)


def test_set_velocities_takes_the_original_order():
    s = lattice_gas(300, 0.3, 1.0, 2, seed=4)
    run = Stepper(s, Params()).advance(200)  # particles now in cell order inside
    v = run.state.velocities * 0.5
    run.set_velocities(v)
    assert np.array_equal(run.state.velocities, v) and np.array_equal(run.velocities, v)
    assert np.array_equal(run.reverse().state.velocities, -v)


@pytest.fixture
def wanted_run():
    s = lattice_gas(2000, 0.5, 1.0, 2, seed=3)
    return s, Stepper(s, Params(threads=2)).advance(50).advance(150).state


def test_a_full_pair_buffer_grows_and_the_path_is_unchanged(wanted_run, tiny_pair_buffer):
    s, want = wanted_run  # computed before the buffers shrink
    got = Stepper(s, Params(threads=2)).advance(50).advance(150).state
    assert len(tiny_pair_buffer) >= 2
    assert _same(got, want)


def test_bad_input_is_refused():
    s = lattice_gas(50, 0.3, 1.0, 2, seed=0)
    with pytest.raises(ConfigError, match="integrator must be 'verlet'"):
        Stepper(s, params_for("exact"))
    with pytest.raises(ConfigError, match="state must be a State"):
        Stepper(to_lattice(s, params_for("exact")), Params())
    run = Stepper(s, Params())
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ConfigError, match="n_steps must be an integer"):
            run.advance(bad)
    with pytest.raises(ConfigError, match="velocities must have shape"):
        run.set_velocities(np.zeros((49, 2)))
    assert _same(run.advance(0).state, reverse(reverse(s)))
