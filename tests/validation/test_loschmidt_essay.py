"""The essay's Loschmidt observation at its own sizes (default scale): slow.

N = 2500 vs 20000, 2D WCA at density 0.3, f64, reversed at the same stage of the free
expansion (left-half fraction < 0.85), the small system's expansion reversed again at
200 tau, plus the phase map over N (2D and 3D), t_r, precision and eps. Thresholds are the
verdict's, fixed before the runs.
"""

from __future__ import annotations

import numpy as np
import pytest

import neqlab
from neqlab.experiments.api import run_config
from neqlab.experiments.loschmidt import SCALES
from neqlab.runner import Runner

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ds():
    return run_config("loschmidt", SCALES["default"], runner=Runner(workers=2, progress=False))


def test_essay_observation_with_the_kinetic_h(ds):
    v = neqlab.verdict(ds)
    m = lambda name: v.measurement(name).value  # noqa: E731
    assert list(ds["n_particles"].values) == [2500, 20000]
    assert m("t_reverse_large") > 2 * m("t_reverse_small")  # same stage, bigger box: later
    assert v.check("return_error_small").measured < 0.1  # microscopically back
    assert m("return_error_large") > 1.0  # microscopically lost (error above one diameter)
    assert v.check("velocity_entropy_undone_small").measured > 0.9
    assert v.check("spatial_entropy_undone_small").measured > 0.9
    assert v.check("velocity_entropy_max_fall_z_large").measured < 4.0  # no decrease at all of -H
    subs = {s.name: s.holds for s in v.subclaims}
    # measured (seed 0): the large system's position entropy falls back with the reversed flow, and
    # its S_hydro falls back by 45 % of its rise in the last 4 tau (the released gas's edge, smeared
    # over the cells, sharpened again); the late reversal: see test_late_reversal_... below
    del subs["late_reversal"]  # at its bound: its own test below
    assert subs == {"small_returns": True, "large_velocity_entropy": True, "large_hydro_entropy": False,
                    "large_spatial_entropy": False, "mechanism": True}
    assert v.holds is False  # the position entropy of the large system does fall: the claim is refuted there
    # the exact-integrator control of the same expansions returns bit for bit, N = 20000 too
    assert ds["control_returned_bitwise"].values.all()
    assert np.all(ds["control_return_error"].values[np.isfinite(ds["control_return_error"].values)] == 0.0)


def test_position_entropy_caveat_is_measured(ds):
    # the reversed macroscopic flow still recompresses the large gas: its position entropy
    # falls by a large part of its rise even though the microstate is lost (the flow caveat)
    v = neqlab.verdict(ds)
    assert v.check("spatial_entropy_undone_large").measured > 0.3
    assert v.check("spatial_entropy_max_fall_z_large").passed is False


def test_hydro_entropy_was_produced_and_the_rarefaction_is_nearly_isentropic(ds):
    v = neqlab.verdict(ds)
    for tag in ("small", "large"):  # entropy was produced by t_r
        m = v.measurement(f"hydro_entropy_rise_{tag}")
        assert m.value > 0
    m = v.measurement("hydro_entropy_rise_large")
    assert m.value > 4 * m.error
    # from 2 tau to t_r the large gas's positional entropy rises while the cooling pays for it:
    # S_hydro changes by less than 4 standard errors of the difference, its positional part by
    # more than 20 (an isentropic rarefaction, within the stated error)
    sel = dict(protocol="expansion", n_particles=20000)
    t = ds["t"].values
    a, k = int(np.argmin(np.abs(t - 2.0))), int(np.argmin(np.abs(t - float(ds["reversal_time"].sel(**sel)))))
    y, th, err = (ds[name].sel(**sel).values for name in ("hydro_entropy", "hydro_thermal_entropy",
                                                         "hydro_entropy_err"))
    e = np.hypot(err[a], err[k])
    assert abs(y[k] - y[a]) < 4 * e
    assert (y[k] - th[k]) - (y[a] - th[a]) > 20 * e
    # while the reversed flow recompresses the gas S_hydro does not fall; it falls in the last 4 tau
    assert v.measurement("hydro_entropy_max_fall_z_before_end_large").value < 4.0
    # the stated error is an upper bound: S_hydro of the uniform gas scatters by less
    assert v.measurement("hydro_entropy_scatter_large").value < 1.0
    assert v.measurement("hydro_entropy_scatter_small").value < 1.0


# Four samples of the same seed's chaotic run (each engine change rounds differently) gave the
# position entropy's largest fall after the late reversal as 3.9, 4.8, 4.1 and 3.4 standard
# errors against the bound 4, set before the first run: the check sits at its bound and its
# false-alarm rate is not calibrated (docs/experiments/loschmidt.md). The current sample passes;
# S_hydro has never fallen (0.4 to 1.3 standard errors).
def test_late_reversal_comes_after_the_flow_has_dissipated_and_nothing_falls(ds):
    v = neqlab.verdict(ds)
    assert float(ds["reversal_time"].sel(protocol="late", n_particles=2500)) == 200.0
    assert v.check("flow_left_late").passed is True  # <= 10 % of the peak flow energy over the last 50 tau
    assert v.check("return_error_late").measured > 1.0  # the microstate is lost
    for name in ("spatial_entropy", "hydro_entropy"):
        assert v.check(f"{name}_max_fall_z_late").passed is True
        assert v.check(f"{name}_undone_late").passed is True


def test_lyapunov_is_converged_and_in_the_expected_range(ds):
    lam, err = ds.attrs["lyapunov_max"], ds.attrs["lyapunov_max_err"]
    assert err < 0.1 * lam
    # PHYSICS.md guide: 2-3 /tau at density 0.3 (2D WCA, kT = 1); denser is faster
    assert 1.5 < lam < 3.5
    assert ds.attrs["lyapunov_max_initial"] - lam > 4 * np.hypot(err, ds.attrs["lyapunov_max_initial_err"])


def predicted_log_error(ds) -> np.ndarray:
    """ln of the predicted return error [sigma] of every phase-map point.

    ln err = ln eps_eff + g t_r, with g and eps_eff measured on the two main runs (their
    return error against backward time; N = 2500 and 20000 averaged), i.e. on data the
    phase map does not contain. eps_eff: that of f64 for f64, times 2^29 (the ratio of the
    unit round-offs 2^-24 / 2^-53) for f32, and the kick eps for the exact integrator.
    """
    g = float(ds["growth_rate"].sel(protocol="expansion", n_particles=[2500, 20000]).mean())
    le64 = float(np.log(ds["eps_fit"].sel(protocol="expansion", n_particles=[2500, 20000])).mean())
    prec, eps = ds["map_precision"].values, ds["map_eps"].values
    le = np.where(prec == "f64", le64, np.where(prec == "f32", le64 + 29 * np.log(2.0),
                                                  np.log(np.maximum(eps, 1e-300))))
    return le + g * ds["map_t_reverse"].values


# Stated prediction error: 3 in ln (a factor 20). Fixed on the seed-0 default run, where the
# largest |ln err - prediction| over the unsaturated 2D points with N >= 2500 was 2.6 (exact
# integrator, eps = 1e-9) and <= 1.1 otherwise, then checked on seed 1 before being adopted
# (largest there: 2.60, the same points).
# Smaller boxes are excluded: their gas thins out sooner and the error grows more slowly there
# (N = 250: 11 below the prediction at t_r = 10), so g from N >= 2500 does not apply.
LN_TOL = 3.0
THRESHOLD = SCALES["default"].return_threshold  # [sigma]


def test_phase_map_follows_the_measured_error_growth(ds):
    # eps_eff e^{g t_r}: where the prediction is LN_TOL below ln(threshold) the run must
    # return, where it is LN_TOL above it must not; unsaturated errors follow the prediction
    pred = predicted_log_error(ds)
    ln_thr = np.log(THRESHOLD)
    err = ds["map_return_error"].values
    ret = ds["map_returned"].values.astype(bool)
    prec, eps = ds["map_precision"].values, ds["map_eps"].values
    exact0 = (prec == "exact") & (eps == 0)
    assert ret[exact0].all()  # the bit-reversible integrator always returns
    sel = ~exact0 & (ds["map_dimension"].values == 2) & (ds["map_n_particles"].values >= 2500)
    surely_back = sel & (pred < ln_thr - LN_TOL)
    surely_lost = sel & (pred > ln_thr + LN_TOL)
    assert ret[surely_back].all()
    assert not ret[surely_lost].any()
    assert surely_back.sum() > 5 and surely_lost.sum() > 5
    unsat = sel & (err < THRESHOLD)
    assert unsat.sum() > 10
    assert np.all(np.abs(np.log(err[unsat]) - pred[unsat]) < LN_TOL), np.log(err[unsat]) - pred[unsat]


def test_small_boxes_grow_the_error_no_faster_than_predicted(ds):
    # the measured counterpart of the exclusion above: in the smaller 2D boxes the gas
    # dilutes sooner, so the unsaturated error stays at or below the N >= 2500 prediction
    pred = predicted_log_error(ds)
    err = ds["map_return_error"].values
    prec = ds["map_precision"].values
    sel = (np.isin(prec, ("f32", "f64")) & (ds["map_dimension"].values == 2) & (ds["map_n_particles"].values < 2500)
           & (err < THRESHOLD))
    assert sel.sum() > 5
    assert np.all(np.log(err[sel]) - pred[sel] < LN_TOL)


def test_error_grows_with_n_at_fixed_t_reverse(ds):
    # at fixed t_r the error grows with N in this protocol (measured, default run): the bigger
    # box stays dense longer (faster growth, lambda(0.6) > lambda(0.3)) and has larger
    # coordinates (round-off ~ ulp(L)); asserted between the extreme sizes only
    sel = (ds["map_precision"].values == "f64") & (ds["map_dimension"].values == 2)
    ns = ds["map_n_particles"].values
    for t in (7.0, 10.0, 14.0):
        at = sel & (ds["map_t_reverse"].values == t)
        e = ds["map_return_error"].values
        assert e[at & (ns == ns[sel].max())][0] > e[at & (ns == ns[sel].min())][0], t
