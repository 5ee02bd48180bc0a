"""Langevin ensembles against exact results; tolerances are 4 standard errors of the estimator."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.rng import Stream
from neqlab.core.errors import ConfigError, SimulationError
from neqlab.core.protocol import Ramp
from neqlab.models.langevin import LangevinParams, advance, double_well, dragged_trap, equilibrium_state, stiffness_ramp
from neqlab.observables.fluctuation import free_energy
from neqlab.testing import reference as ref

M = 100_000


def _drive(pot, lam0, lam1, t, params, m=M, seed=0, stream=Stream.LANGEVIN_NOISE):
    s = equilibrium_state(pot, lam0, params, seed=seed, replicas=np.arange(m), stream=stream)
    n = int(round(t / params.dt))
    return advance(s, pot, Ramp(lam0, lam1, t), params, n)[0]


@pytest.fixture(scope="module")
def dragged():
    return _drive(dragged_trap(), 0.0, 1.0, 1.0, LangevinParams(dt=1e-3)).work


def test_dragged_trap_mean_and_variance(dragged):
    mean, var = ref.dragged_trap_work(1.0, k=1.0, v=1.0, gamma=1.0, kT=1.0)
    # the Euler-Maruyama chain's own exact values differ from the continuum by O(dt) ~ 4e-4
    t = np.linspace(0.0, 1.0, 1001)
    dmean, dvar = ref.harmonic_window_work(t, 1.0, 1.0, 1.0, 1e-3, 0, 1000)
    assert abs(dmean - mean) < 1e-3 and abs(dvar - var) < 2e-3
    # standard errors: sqrt(Var/M) for the mean, Var sqrt(2/M) for the variance (Gaussian W)
    assert abs(dragged.mean() - dmean) < 4 * np.sqrt(dvar / M)
    assert abs(dragged.var(ddof=1) - dvar) < 4 * dvar * np.sqrt(2 / M)
    assert abs(dragged.var(ddof=1) - 2 * dragged.mean()) < 4 * dvar * np.sqrt(2 / M) + 4 * 2 * np.sqrt(dvar / M)


def test_dragged_trap_jarzynski(dragged):
    e = np.exp(-dragged)
    assert abs(e.mean() - 1.0) < 4 * e.std() / np.sqrt(M)


def test_stiffness_ramp_free_energy():
    p = LangevinParams(dt=1e-3)
    pot = stiffness_ramp()
    wf = _drive(pot, 1.0, 4.0, 0.5, p, m=50_000).work
    wr = _drive(pot, 4.0, 1.0, 0.5, p, m=50_000, stream=(Stream.TESTING, 8)).work
    exact = ref.stiffness_ramp_delta_f(1.0, 4.0, 1.0)
    assert abs(pot.delta_f(1.0, 4.0, 1.0) - exact) < 1e-12
    est = free_energy(wf, wr, 1.0, methods=("bar", "exp_forward"))
    for val, err in est.values():
        assert abs(val - exact) < 4 * err


def test_double_well_barrier_free_energy_underdamped():
    p = LangevinParams(dt=5e-3, scheme="baoab")
    pot = double_well(control="barrier")
    exact = pot.delta_f(0.0, 2.0, 1.0)
    wf = _drive(pot, 0.0, 2.0, 1.0, p, m=40_000)
    wr = _drive(pot, 2.0, 0.0, 1.0, p, m=40_000, stream=(Stream.TESTING, 8))
    # total work (protocol + shadow) obeys Crooks exactly for BAOAB; BAR standard error, |z| < 4
    val, err = free_energy(wf.work + wf.shadow_work, wr.work + wr.shadow_work, 1.0, methods=("bar",))["bar"]
    assert abs(val - exact) < 4 * err


def test_equilibrium_sampling_of_double_well():
    pot, p = double_well(control="tilt"), LangevinParams()
    x = equilibrium_state(pot, 0.5, p, seed=0, replicas=np.arange(200_000)).x[:, 0]
    grid, cdf = pot.inverse_cdf_table(0.5, 1.0)
    dens = np.gradient(cdf[0], grid[0])
    mean = np.trapezoid(grid[0] * dens, grid[0])
    sd = np.sqrt(np.trapezoid((grid[0] - mean) ** 2 * dens, grid[0]))
    assert abs(x.mean() - mean) < 4 * sd / np.sqrt(x.size)


def test_unstable_step_raises_simulation_error():
    pot, p = double_well(a=50.0), LangevinParams(dt=0.9)
    s = equilibrium_state(pot, 0.0, p, seed=0, replicas=np.arange(10))
    with pytest.raises(SimulationError, match="reduce dt"):
        advance(s, pot, Ramp(0.0, 1.0, 10.0), p, 200)


def test_non_confining_lambda_is_rejected():
    with pytest.raises(ConfigError, match="confining"):
        equilibrium_state(stiffness_ramp(), -1.0, LangevinParams(), seed=0, replicas=[0])


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["dt", "gamma", "kT", "mass"]),
       bad=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1e7), st.just(float("nan"))))
def test_params_validation(name, bad):
    with pytest.raises(ConfigError, match=name):
        LangevinParams(**{name: bad})


@settings(max_examples=10, deadline=None)
@given(scheme=st.text(min_size=1, max_size=8).filter(lambda s: s not in ("overdamped", "baoab")))
def test_scheme_validation(scheme):
    with pytest.raises(ConfigError, match="scheme"):
        LangevinParams(scheme=scheme)


def test_reference_steady_state_slope_matches_discrete_chain():
    # deterministic: the exact discrete-chain moments tend to the continuum formula as dt -> 0
    # (window [12, 14]: the start-up transient e^{-12} is negligible; the chain's bias is O(dt))
    dt = 1e-4
    t = dt * np.arange(int(14.0 / dt) + 1)
    mean, var = ref.harmonic_window_work(t, 1.0, 1.0, 1.0, dt, int(12.0 / dt), int(14.0 / dt))
    assert abs(ref.gaussian_symmetry_slope(mean, var) - ref.dragged_trap_steady_slope(2.0, 1.0, 1.0)) < 5e-4


def test_dragged_trap_from_steady_state():
    # window [8, 10] of a trap dragged at v = 1 from t = 0: the FT slope is 2<W>/Var W = 1.76, not 1
    p, m = LangevinParams(dt=5e-3), 50_000
    pot = dragged_trap()
    s = equilibrium_state(pot, 0.0, p, seed=8, replicas=np.arange(m))
    _, rec = advance(s, pot, Ramp(0.0, 10.0, 10.0), p, 2000, record_every=400)
    w = rec[:, 4, 0] - rec[:, 3, 0]  # records after 1600 and 2000 steps
    t = p.dt * np.arange(2001)
    mean, var = ref.harmonic_window_work(t, 1.0, 1.0, 1.0, p.dt, 1600, 2000)
    # Gaussian W: standard errors sqrt(var/m) for the mean and var sqrt(2/m) for the variance
    assert abs(w.mean() - mean) < 4 * np.sqrt(var / m)
    assert abs(w.var(ddof=1) - var) < 4 * var * np.sqrt(2 / m)
    assert abs(ref.gaussian_symmetry_slope(mean, var) - ref.dragged_trap_steady_slope(2.0, 1.0, 1.0)) < 0.02


def test_bad_inputs_raise_config_error():
    from neqlab.models.langevin import Potential

    with pytest.raises(ConfigError, match="coeffs"):
        Potential("bad", ((1.0, 2.0),))
    p = LangevinParams()
    s = equilibrium_state(dragged_trap(), 0.0, p, seed=0, replicas=np.arange(3))
    with pytest.raises(ConfigError, match="record_every"):
        advance(s, dragged_trap(), Ramp(0.0, 1.0, 1.0), p, 10, record_every=-1)
    with pytest.raises(ConfigError, match="n_steps"):
        advance(s, dragged_trap(), Ramp(0.0, 1.0, 1.0), p, -5)
    with pytest.raises(ConfigError, match="dimension"):
        advance(s, dragged_trap(dim=2), Ramp(0.0, 1.0, 1.0), p, 5)
    with pytest.raises(ConfigError, match="control"):
        double_well(control="twist")


def test_two_dimensional_trap():
    assert stiffness_ramp(dim=2).delta_f(1.0, 3.0, 1.5) == pytest.approx(ref.stiffness_ramp_delta_f(1.0, 3.0, 1.5, dim=2))
    m, p = 20_000, LangevinParams(dt=2e-3)
    w = _drive(dragged_trap(dim=2), 0.0, 1.0, 1.0, p, m=m).work
    t = p.dt * np.arange(501)
    mean, var = ref.harmonic_window_work(t, 1.0, 1.0, 1.0, p.dt, 0, 500)  # only axis 0 is dragged
    assert abs(w.mean() - mean) < 4 * np.sqrt(var / m)
