"""Measurements on the sheared fluid: estimators on synthetic data, then small physical systems.

Statistical checks use |z| < 4 with z from the estimator's own standard error (a false
alarm once in ~16 000 runs for a Gaussian estimator; seeds are fixed).
"""

import dataclasses

import numba
import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.models.shear import (Record, ShearParams, advance, dissipation_function, equilibrium_ensemble,
                                 lattice_state, run)
from neqlab.observables import shear as obs

Z = 4.0


def _record(pxy, interval=0.02, kinetic=None):
    m, n = pxy.shape
    z = np.zeros((m, n))
    return Record(t=interval * np.arange(1, n + 1), interval=interval, pxy=pxy, pxy_kinetic=z, alpha=z,
                  compression=z, potential_energy=z, kinetic_energy=z + 1.0 if kinetic is None else kinetic,
                  rebuilds=np.zeros(m, np.int64))


def _ar1(rng, m, n, phi, sigma):
    x = np.empty((m, n))
    x[:, 0] = rng.normal(0, sigma, m)
    e = rng.normal(0, sigma * np.sqrt(1 - phi * phi), (m, n))
    for k in range(1, n):
        x[:, k] = phi * x[:, k - 1] + e[:, k]
    return x


def test_green_kubo_of_an_ar1_series_equals_its_analytic_integral():
    # C_k = sigma^2 phi^k: V/kT * interval * (C_0/2 + sum_k>=1 C_k) = V/kT dt sigma^2 (1+phi)/(2(1-phi))
    rng = np.random.default_rng(0)
    phi, sigma, dt, vol, kT = 0.9, 0.7, 0.02, 50.0, 1.3
    rec = _record(_ar1(rng, 16, 20_000, phi, sigma), dt)
    gk = obs.green_kubo_viscosity(rec, kT, vol, t_max=3.0, n_blocks=4)  # 150 lags: phi^150 ~ 1e-7
    exact = vol / kT * dt * sigma**2 * (1 + phi) / (2 * (1 - phi))
    assert abs(gk.value - exact) < Z * gk.err
    assert gk.running.shape == gk.t.shape and gk.acf[0] == pytest.approx(sigma**2, rel=0.05)
    with pytest.raises(ConfigError, match="t_max must be a number in"):
        obs.green_kubo_viscosity(rec, kT, vol, t_max=1000.0)


def test_steady_state_viscosity_and_its_block_error():
    rng = np.random.default_rng(1)
    gamma, eta = 0.2, 2.5
    rec = _record(-eta * gamma + _ar1(rng, 8, 20_000, 0.8, 0.5))
    val, err = obs.shear_viscosity(rec, gamma, n_blocks=20)
    assert abs(val - eta) < Z * err
    # the block error is the correlated one: about sqrt((1 + phi)/(1 - phi)) = 3 times the naive error
    naive = rec.pxy.std() / np.sqrt(rec.pxy.size) / gamma
    assert 2.0 < err / naive < 4.5
    with pytest.raises(ConfigError, match="shear_rate must be a nonzero"):
        obs.shear_viscosity(rec, 0.0)


def test_theorem_estimators_on_samples_that_obey_it_exactly():
    # Gaussian with Var = 2 <Omega> obeys p(A)/p(-A) = e^A exactly
    rng = np.random.default_rng(2)
    om = rng.normal(1.0, np.sqrt(2.0), 200_000)
    groups = np.repeat(np.arange(400), 500)
    mean, err = obs.integral_theorem(om, groups)
    assert abs(mean - 1.0) < Z * err
    fit = obs.fluctuation_slope(om, groups, n_boot=50)
    assert abs(fit.slope - 1.0) < Z * fit.slope_err
    wrong = obs.fluctuation_slope(1.3 * om)  # rescaled: slope 1/1.3, must be detected
    assert abs(wrong.slope - 1 / 1.3) < Z * wrong.slope_err and abs(wrong.slope - 1) > Z * wrong.slope_err


def test_steady_state_windows_sum_the_rate():
    pxy = np.arange(24.0).reshape(2, 12)
    rec = _record(pxy, 0.5, kinetic=np.full((2, 12), 2.0))
    state = lattice_state(16, 0.8, 1.0, n_systems=2)
    params = ShearParams(shear_rate=0.3)
    [(sig, sys_id)] = obs.steady_state_sigma(rec, state, params, [1.5], t_skip=1.0)
    beta = state.n_dof / 4.0
    expect = -beta * 0.3 * state.volume * 0.5 * np.array([2 + 3 + 4, 5 + 6 + 7, 8 + 9 + 10, 14 + 15 + 16,
                                                           17 + 18 + 19, 20 + 21 + 22])
    np.testing.assert_allclose(sig, expect)
    assert sys_id.tolist() == [0, 0, 0, 1, 1, 1]


def test_kaplan_yorke_and_pairs():
    assert obs.kaplan_yorke_dimension([2.0, -1.0, -3.0]) == pytest.approx(2 + 1 / 3)
    assert obs.kaplan_yorke_dimension([-1.0, -2.0]) == 0.0
    assert obs.kaplan_yorke_dimension([1.0, 0.5]) == 2.0
    np.testing.assert_allclose(obs.pair_sums([3.0, 1.0, 0.0, -2.0, -4.0]), [-1.0, -1.0])


def test_dissipation_of_a_record_is_the_integrated_dissipation_function():
    s = equilibrium_ensemble(16, 0.8, 1.0, n_systems=2, seed=3, t_eq=1.0)
    p = ShearParams(shear_rate=0.6)
    states = [s]
    for _ in range(6):
        states.append(advance(states[-1], p, 1))
    _, rec = run(s, p, 6, record_every=3)
    rate = np.array([dissipation_function(x, p) for x in states])  # (7, M)
    trap = np.array([rate[0] / 2 + rate[1:3].sum(0) + rate[3] / 2, rate[0] / 2 + rate[1:6].sum(0) + rate[6] / 2])
    np.testing.assert_allclose(obs.dissipation(rec, s, p), (trap * p.dt).T, rtol=1e-10)


@pytest.fixture(scope="module")
def transient():
    chains = equilibrium_ensemble(16, 0.8, 1.0, n_systems=64, seed=1, t_eq=5.0)
    return obs.transient_dissipation(chains, ShearParams(shear_rate=0.5), (0.1, 0.2), n_samples=40, t_gap=0.5)


def test_transient_theorem_holds_on_a_small_system(transient):
    assert transient.omega.shape == (2, 64 * 40)
    for k in range(2):
        om = transient.omega[k]
        assert om.mean() > 0  # the second law on average
        mean, err = obs.integral_theorem(om, transient.chain)
        assert abs(mean - 1.0) < Z * err, (transient.t[k], mean, err)
        fit = obs.fluctuation_slope(om, transient.chain, n_boot=100)
        assert abs(fit.slope - 1.0) < Z * fit.slope_err, (transient.t[k], fit.slope, fit.slope_err)


def test_transient_theorem_needs_the_equilibrium_start():
    # negative control: the same dynamics and Omega from 640 starts in the sheared steady
    # state (not the ensemble the theorem is about): <exp(-Omega)> is far below 1
    p = ShearParams(shear_rate=0.5)
    ss = advance(equilibrium_ensemble(16, 0.8, 1.0, n_systems=640, seed=2, t_eq=2.0), p, 500)
    res = obs.transient_dissipation(ss, p, (0.1,), n_samples=1, t_gap=0.0)
    mean, err = obs.integral_theorem(res.omega[0])
    assert mean < 1.0 - Z * err, (mean, err)


@pytest.fixture(scope="module")
def steady16():
    s = equilibrium_ensemble(16, 0.8, 1.0, n_systems=2, seed=5, t_eq=2.0)
    return advance(s, ShearParams(shear_rate=1.0), 500)


@pytest.mark.parametrize("space", ["constrained", "full"])
def test_sum_of_exponents_is_the_mean_compression_to_the_integrators_order(steady16, space):
    # per segment the QR sum is ln det of the step map; Lambda is integrated by the trapezoid
    # rule: they differ by the splitting error only, which vanishes with dt
    gaps = []
    for dt in (0.004, 0.002):
        p = ShearParams(shear_rate=1.0, dt=dt)
        res = obs.lyapunov_spectrum(steady16, p, t_run=2.0, t_transient=0.5, renorm_every=25, n_segments=4,
                                    space=space)
        assert res.dimension == (64 - 3 if space == "constrained" else 64)
        gaps.append(res.sum_gap)
    assert abs(gaps[0]) < 2e-3 * abs(res.compression)
    # at least ~dt^1.3 (the per-step error is O(dt^3); averaged over segments it shrank
    # 4-8x in trials); a missing O(1) term would not shrink at all
    assert gaps[0] / gaps[1] > 2.5, gaps


def test_full_spectrum_holds_the_constraint_exponents(steady16):
    # full space = constrained spectrum + {0 (kinetic energy), -<alpha> x d (total momentum)}
    p = ShearParams(shear_rate=1.0)
    full = obs.lyapunov_spectrum(steady16, p, t_run=4.0, t_transient=0.5, n_segments=4, space="full")
    con = obs.lyapunov_spectrum(steady16, p, t_run=4.0, t_transient=0.5, n_segments=4)
    assert full.exponent_sum - con.exponent_sum == pytest.approx(-2 * full.alpha, rel=0.05)
    # the d = 2 momentum directions: two exponents at -<alpha>, each within 4 combined standard
    # errors (over segments) of the exponent and of <alpha>. (A bound of 5 % of alpha, set on one
    # seed, was not derived from these errors: alpha's own error here is ~20 %.)
    gap = np.abs(full.exponents + full.alpha)
    two = np.argsort(gap)[:2]
    assert np.all(gap[two] < 4.0 * np.hypot(full.exponents_err[two], full.alpha_err)), (gap[two], full.alpha_err)


def test_lyapunov_spectrum_is_the_same_for_one_or_two_threads(steady16):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs 2 numba threads")
    p = ShearParams(shear_rate=1.0, threads=1)
    a = obs.lyapunov_spectrum(steady16, p, t_run=0.4, t_transient=0.1, n_segments=2)
    b = obs.lyapunov_spectrum(steady16, dataclasses.replace(p, threads=2), t_run=0.4, t_transient=0.1, n_segments=2)
    assert np.array_equal(a.segments, b.segments)
