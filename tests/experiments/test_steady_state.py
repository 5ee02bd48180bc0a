"""steady_state: the verdict's checks by name, corrupted datasets, the start ensemble's sampler,
work items independent of how they are split, config cross-checks.

Statistical assertions use |z| < 4 with the estimator's own standard error (fixed seeds).
"""

import dataclasses
import math

import numpy as np
import pytest

import neqlab
from neqlab.core.errors import ConfigError
from neqlab.experiments.api import run_config
from neqlab.experiments.steady_state import SMALL, Config
from neqlab.experiments.steady_state.tasks import (Fluid, PistonGases, TransientChains, offset_moves, piston,
                                                   transient)
from neqlab.models.shear import ShearParams, equilibrium_ensemble, potential_energy
from neqlab.runner import Runner
from neqlab.testing import reference as ref

SUBCLAIMS = ["transient", "steady_state", "contraction", "piston", "transition"]


@pytest.fixture(scope="module")
def small():
    return run_config("steady_state", SMALL, runner=Runner(workers=1, progress=False))


def _sub(v, name):
    return next(s for s in v.subclaims if s.name == name)


def test_small_has_every_subclaim_and_check(small):
    v = neqlab.verdict(small)
    assert [s.name for s in v.subclaims] == SUBCLAIMS
    names = {c.name for c in v.checks}
    for k in range(len(SMALL.t_transient)):
        assert f"transient_slope_{k}" in names
    assert {"ness_slope_longest", "lyapunov_sum", "lyapunov_sum_negative", "kaplan_yorke_deficit",
            "piston_dissipates", "piston_steady_rate", "piston_slope_longest", "transition_settled_rate",
            "transition_crooks_slope", "transition_crooks_crossing"} <= names
    # what SMALL resolves holds; what it cannot resolve says why
    for c in v.checks:
        assert c.passed is not False, c.to_dict()
        if c.measured is None:
            assert c.note
    assert _sub(v, "contraction").holds is True and _sub(v, "transient").holds is True


def test_small_dataset_is_consistent(small):
    n_t = len(SMALL.t_transient)
    assert small["transient_omega"].shape == (n_t, SMALL.n_trajectories)
    chains = small["transient_chain"].values
    assert np.array_equal(np.bincount(chains), np.full(SMALL.n_chains, SMALL.n_trajectories // SMALL.n_chains))
    # the thermostat keeps the steady state dissipating: <sigma_tau> > 0 at every tau, and the
    # mean compression is negative (phase volume shrinks)
    sig = small["ness_sigma"].values
    assert np.all(np.nanmean(sig, axis=1) > 0)
    assert small.attrs["phase_space_contraction_mean"] < 0
    # the Lyapunov exponents come sorted, and their count is the constraint surface's dimension
    lam = small["lyapunov_spectrum"].values
    assert np.all(np.diff(lam) <= 0) and lam.size == 4 * SMALL.lyapunov_n_particles - 3
    # the piston's recorded periods: forward switches after n_periods, the reverse after K
    sw = small["piston_switch"].values
    assert sw.tolist() == [SMALL.piston_n_periods, max(SMALL.piston_windows)]
    amp = small["piston_period_amplitude"].values
    assert amp[0, 0] == SMALL.piston_amplitude and amp[0, sw[0]] == SMALL.piston_amplitude_final
    assert amp[1, 0] == -SMALL.piston_amplitude_final and amp[1, sw[1]] == -SMALL.piston_amplitude


def test_a_wrong_transient_law_is_detected(small):
    """A check that cannot fail is a defect: Omega scaled by 3 breaks both relations."""
    bad = small.copy(deep=True)
    bad["transient_omega"].values *= 3.0
    v = neqlab.verdict(bad)
    assert _sub(v, "transient").holds is False
    assert v.check("transient_integral_0").passed is False


def test_an_expanding_phase_volume_is_detected(small):
    bad = small.copy(deep=True)
    bad.attrs["lyapunov_sum"] = -bad.attrs["lyapunov_sum"]
    v = neqlab.verdict(bad)
    assert v.check("lyapunov_sum_negative").passed is False and v.check("lyapunov_sum").passed is False
    bad.attrs["kaplan_yorke_dimension"] = float(bad.attrs["lyapunov_dimension"])
    assert neqlab.verdict(bad).check("kaplan_yorke_deficit").passed is False


def test_a_piston_that_does_not_dissipate_or_drifts_is_detected(small):
    bad = small.copy(deep=True)
    bad["piston_work"].values[0] *= -1.0
    assert neqlab.verdict(bad).check("piston_dissipates").passed is False
    bad = small.copy(deep=True)
    n = SMALL.piston_n_periods
    bad["piston_work"].values[0, :, n // 2: n] += 5.0 * SMALL.kT  # the rate jumps half-way
    assert neqlab.verdict(bad).check("piston_steady_rate").passed is False
    bad = small.copy(deep=True)
    sw = int(bad["piston_switch"].values[0])
    bad["piston_work"].values[0, :, sw:] += 5.0 * SMALL.kT  # never settles at the a2 rate
    assert neqlab.verdict(bad).check("transition_settled_rate").passed is False


def test_unresolved_slopes_are_inconclusive_and_say_why():
    """Windows far longer than the negative tail reaches: no slope to judge, not a pass."""
    cfg = dataclasses.replace(SMALL, windows=(4.0,), t_transient=(0.1, 2.0), n_trajectories=256, n_chains=32)
    v = neqlab.verdict(run_config("steady_state", cfg, runner=Runner(workers=1, progress=False)))
    c = v.check("ness_slope_longest")
    assert c.measured is None and c.passed is None and "resolved" in c.note
    assert _sub(v, "steady_state").holds is None and v.holds is not True
    late = v.check("transient_slope_1")
    assert late.measured is None and "negative" in late.note


def test_isokinetic_thermostat_runs_and_judges():
    """Both values of the thermostat key run (the dissipation function differs)."""
    cfg = dataclasses.replace(SMALL, thermostat="isokinetic", piston_n_replicas=4)
    ds = run_config("steady_state", cfg, runner=Runner(workers=1, progress=False))
    v = neqlab.verdict(ds)
    # at SMALL's 0.2-tau Lyapunov segments the isokinetic sum is not resolved (its Lambda
    # carries beta dPhi/dt, a boundary term): every number is measured, none is judged wrong
    assert all(c.measured is not None for c in _sub(v, "contraction").checks)
    assert v.check("lyapunov_sum").passed is True
    assert abs(ds.attrs["kT_steady"] - SMALL.kT) < 1e-9  # the isokinetic constraint is exact


def _fluid(thermostat="isokinetic", n=16):
    return Fluid(n, 0.8, 1.0, 0.004, thermostat, 1.0)


def test_offset_moves_sample_the_boltzmann_weight_of_the_offset():
    """Positions frozen, only the offset moves: its histogram must follow exp(-Phi(q, offset)/kT),
    computed exactly on a grid (chi-square, p > 6.3e-5 as |z| < 4)."""
    from scipy import stats

    fl = _fluid()
    p = fl.params(0.0)
    one = equilibrium_ensemble(16, 0.8, 1.0, n_systems=1, seed=3, t_eq=1.0, params=p)
    m = 400
    batch = one.select(np.zeros(m, dtype=int))
    grid = (np.arange(200) + 0.5) * one.box[0] / 200
    probe = one.select(np.zeros(grid.size, dtype=int))
    probe.offset = grid
    w = np.exp(-(potential_energy(probe, p) - potential_energy(probe, p).min()) / fl.kT)
    rng = np.random.default_rng(0)
    for _ in range(300):
        offset_moves(batch, p, fl.kT, rng.random((m, 2)))
    edges = np.linspace(0, one.box[0], 11)
    counts, _ = np.histogram(batch.offset, edges)
    expect = np.array([w[(grid >= lo) & (grid < hi)].sum() for lo, hi in zip(edges[:-1], edges[1:])])
    expect = expect / expect.sum() * m
    keep = expect > 5
    chi2 = float(np.sum((counts[keep] - expect[keep]) ** 2 / expect[keep]))
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 6.3e-5, (counts, expect.round(1))
    assert np.array_equal(batch.positions, one.select(np.zeros(m, dtype=int)).positions)  # only offsets moved


def test_isoenergetic_offset_moves_keep_the_energy_of_each_system():
    fl = _fluid("isoenergetic")
    p = fl.params(0.0)
    s = equilibrium_ensemble(16, 0.8, 1.0, n_systems=8, seed=4, t_eq=1.0, params=p)
    h0 = s.kinetic_energy() + potential_energy(s, p)
    rng = np.random.default_rng(1)
    moved = 0
    for _ in range(20):
        before = s.offset.copy()
        offset_moves(s, p, fl.kT, rng.random((8, 2)))
        moved += int(np.sum(s.offset != before))
    assert moved > 0
    np.testing.assert_allclose(s.kinetic_energy() + potential_energy(s, p), h0, rtol=1e-12)
    np.testing.assert_allclose(s.momenta.sum(axis=1), 0.0, atol=1e-10)


def test_transient_items_do_not_depend_on_how_the_chains_are_split():
    """Chains are keyed by (seed, id): one item of 4 chains = two items of 2, bit for bit."""
    fl = _fluid()
    kw = dict(fluid=fl, shear_rate=0.5, times=(0.04, 0.08), n_samples=2, t_gap=0.04, part=0, seed=7)
    whole = transient(TransientChains(first=0, n_chains=4, **kw))["omega"]
    halves = [transient(TransientChains(first=f, n_chains=2, **kw))["omega"] for f in (0, 2)]
    assert np.array_equal(whole, np.concatenate(halves))


def test_piston_items_do_not_depend_on_how_the_gases_are_split():
    kw = dict(n_particles=6, density=0.3, kT=1.0, dt=0.004, period=0.4, amplitude_start=0.2, amplitude_end=0.1,
              n_transient=1, n_before=2, n_after=2, t_equilibrate=0.2, direction=0, seed=3)
    whole = piston(PistonGases(first=0, n_replicas=4, **kw))
    halves = [piston(PistonGases(first=f, n_replicas=2, **kw)) for f in (0, 2)]
    for key in ("work", "heat"):
        assert np.array_equal(whole[key], np.concatenate([h[key] for h in halves]))
    assert np.all(np.isfinite(whole["work"])) and whole["work"].shape == (4, 4)


def test_piston_period_must_be_a_multiple_of_the_step():
    kw = dict(n_particles=6, density=0.3, kT=1.0, dt=0.004, period=0.401, amplitude_start=0.2, amplitude_end=0.1,
              n_transient=0, n_before=1, n_after=1, t_equilibrate=0.0, direction=0, first=0, n_replicas=1, seed=0)
    with pytest.raises(ConfigError, match="piston_period must be a multiple of piston_dt"):
        piston(PistonGases(**kw))


@pytest.mark.parametrize("changes, key", [
    (dict(n_trajectories=1000, n_chains=64), "n_trajectories"),
    (dict(t_transient=(0.1, 0.101)), "t_transient"),
    (dict(windows=(0.041,)), "windows"),
    (dict(windows=(30.0,)), "windows"),
    (dict(windows=(5e-324,)), "windows"),  # zero steps (found by the command-line fuzz test)
    (dict(t_transient=(1e-5, 0.1)), "t_transient"),
    (dict(piston_windows=(1, 16)), "piston_windows"),
    (dict(tail_n_particles=(4,)), "tail_n_particles"),
    (dict(piston_amplitude=3.0), "piston_amplitude"),
])
def test_cross_field_checks_name_the_key(changes, key):
    with pytest.raises(ConfigError, match=rf"^{key} must"):
        dataclasses.replace(SMALL, **changes)


def test_the_reverse_piston_protocol_is_the_time_reversed_cycle():
    """piston_plan runs the reversed change with negated amplitudes: over whole periods that is
    Cycle.reversed() (x(T - t) = L0 - a sin(2 pi t / T))."""
    from neqlab.core.protocol import Cycle
    from neqlab.experiments.steady_state.config import piston_plan

    L0, a, T = 10.0, 0.2, 10.0
    t = np.linspace(0.0, 3 * T, 301)
    np.testing.assert_allclose(Cycle(L0, a, T, duration=3 * T).reversed()(t), Cycle(L0, -a, T)(t), atol=1e-12)
    plan = piston_plan(SMALL)
    assert plan[1][:2] == (-SMALL.piston_amplitude_final, -SMALL.piston_amplitude)


def test_default_is_the_1993_setup():
    c = Config()
    assert (c.n_particles, c.density, c.thermostat) == (56, 0.8, "isoenergetic")


def test_integral_theorem_relative_variance_is_that_of_a_gaussian_obeying_the_theorem():
    rng = np.random.default_rng(5)
    var = 1.3
    om = rng.normal(var / 2, math.sqrt(var), 400_000)
    e = np.exp(-om)
    rel = e.var() / e.mean() ** 2
    # the sample relative variance of a lognormal converges slowly; 5 % at this n and var
    assert abs(rel - ref.integral_theorem_relative_variance(var)) < 0.05 * ref.integral_theorem_relative_variance(var)
    with pytest.raises(ConfigError):
        ref.integral_theorem_relative_variance(-1.0)


def test_params_are_one_thread_per_item():
    assert _fluid().params(0.3) == ShearParams(dt=0.004, shear_rate=0.3, thermostat="isokinetic", threads=1)


def test_a_sheared_film_exports_with_its_tilt(tmp_path):
    """trajectory_every keeps one sheared system's film (docs/export.md); everything else is
    bitwise the run without it; GSD carries the Lees-Edwards tilt as the box's xy."""
    import dataclasses

    import gsd.hoomd
    import numpy as np

    import neqlab
    from neqlab.experiments.steady_state import SMALL
    from neqlab.io.export import export_result

    plain = neqlab.experiments.api.run_config("steady_state", SMALL)
    ds = neqlab.experiments.api.run_config("steady_state", dataclasses.replace(SMALL, trajectory_every=0.2,
                                                                                trajectory_max_frames=6))
    for v in plain.data_vars:
        np.testing.assert_array_equal(ds[v].values, plain[v].values, err_msg=v)
    tilt = ds["trajectory_tilt"].values
    assert ds.sizes["frame"] == 6 and np.all((tilt >= 0) & (tilt < ds["trajectory_box"].values[0] / ds["trajectory_box"].values[1]))
    assert len(set(np.round(tilt, 12))) > 1  # the images slide: the shear moves the offset
    path = neqlab.save(ds, tmp_path / "s.nc")
    export_result(path, "gsd", tmp_path / "s.gsd")
    with gsd.hoomd.open(tmp_path / "s.gsd") as f:
        assert len(f) == 6 and f[0].particles.N == SMALL.n_particles
        assert f[2].configuration.box[3] != 0.0  # xy tilt of a sheared box
