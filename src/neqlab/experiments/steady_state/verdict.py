"""Verdict of ``steady_state``: five sub-claims, tolerances fixed before the default-scale runs.

Every statistical check is |z| < Z_MAX = 4 with the estimator's own standard error:
fluctuation-theorem slopes from a bootstrap over whole chains, systems or gases (which
carries their correlations), means with errors over chains, systems or gases. A symmetry
fit ln[p(A)/p(-A)] = slope A uses bins of |A| holding >= 20 samples on each side, as many
bins as give about 40 negative samples each (3 to 30); a "longest window" is the longest
whose slope is resolved to a standard error of 0.1 or better (MAX_SLOPE_ERR), so that
what is judged can detect a 40 % deviation.

* ``transient`` (Evans-Searles, exact at every t): at every t of ``t_transient``, the slope
  of ln[p(Omega_t = A)/p(Omega_t = -A)] against A is 1 (too few negative samples for a
  fit -> inconclusive) and <exp(-Omega_t)> is 1. The exponential average is judged
  only where it is sampled: where expm1(Var Omega_t) <=
  n / 100 (for a Gaussian Omega obeying the theorem expm1(Var Omega) is the relative
  variance of exp(-Omega), so this asks for 100 effective samples); elsewhere it is
  reported, not judged.
* ``steady_state`` (ECM 1993; asymptotic): the slope of ln[p(sigma_tau)/p(-sigma_tau)] at the
  longest window tau resolved to 0.1 is 1, and the
  distance |slope - 1| there is smaller than at the shortest window (a sign test: the
  short-window slope is that of the ballistic regime, far from 1). The slopes at every tau
  are reported.
* ``contraction`` (§4's link): the sum of the Lyapunov exponents equals the mean phase-space
  compression <Lambda> of the steady state (independent runs at the same N; the
  Lyapunov run's own <Lambda> if the sizes differ), is below zero by more than 4
  standard errors, and the Kaplan-Yorke dimension is below the dimension of the tangent
  space by more than 4 of its (jackknife) errors. Pairing, lambda_max, the thermostat's
  entropy rate and the viscosities are reported.
* ``piston`` (footnote 6, the periodic steady state): the mean work per period over
  the a1 record is above zero by more than 4 errors, its second half equals its first
  half (|z| < 4: a steady rate), and the slope of ln[p(W/kT)/p(-W/kT)] over the longest
  window of whole periods resolved to 0.1 is 1 (slopes per window and the heat's slope
  are reported).
* ``transition`` (a1 -> a2, steady state to steady state): the dissipation per period
  in the last K periods after the change equals that of the a2 steady state reached the
  other way (|z| < 4), and for the windows of K periods either side of the change the
  Crooks fit of the forward work against the reversed process's (-a2 then -a1) has
  slope 1 and crossing 0 (|z| < 4) at the largest K whose slope is resolved to 0.1
  (10 bins over the overlap, >= 5 counts both ways). The same fit for the heat is
  reported, not judged.

Reads only the dataset.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.i18n import text
from neqlab.experiments._base import Z_MAX, Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt
from neqlab.experiments.steady_state.config import NAME
from neqlab.observables.fluctuation import crooks_fit
from neqlab.observables.shear import fluctuation_slope, integral_theorem, pair_sums
from neqlab.testing import reference as ref

N_BOOT = 100  # bootstrap resamples of the grouped slope errors
MAX_SLOPE_ERR = 0.1  # a "longest window" is the longest whose slope is resolved to this standard error
N_EFF_MIN = 100  # effective samples the exponential average needs to be judged
CROOKS_BINS, CROOKS_MIN = 10, 5
MIN_COUNT = 20  # counts per bin and side of a symmetry fit
MAX_BINS = 30


def symmetry_bins(samples) -> int:
    """Bins of a symmetry fit: about 2 x MIN_COUNT negative samples per bin, 3 to MAX_BINS."""
    return int(np.clip(int(np.sum(samples < 0)) // (2 * MIN_COUNT), 3, MAX_BINS))


def _slope(samples, groups):
    """(slope, error) of the symmetry fit with a group bootstrap, or (None, None)."""
    ok = np.isfinite(samples)
    try:
        fit = fluctuation_slope(samples[ok], groups[ok], n_bins=symmetry_bins(samples[ok]), min_count=MIN_COUNT,
                                n_boot=N_BOOT)
    except ConfigError:
        return None, None
    return fit.slope, fit.slope_err


def _replica_mean(x: np.ndarray) -> tuple[float, float]:
    """Mean of x (replicas, periods) and its standard error over replicas."""
    per = x.mean(axis=1)
    return float(per.mean()), float(per.std(ddof=1) / math.sqrt(per.size))


def _transient(ds, t_):
    om_all = ds["transient_omega"].values
    chains = ds["transient_chain"].values
    checks, measures = [], []
    for k, t in enumerate(ds["t_transient"].values):
        om = om_all[k]
        tt = fmt(float(t))
        s, e = _slope(om, chains)
        checks.append(Check(f"transient_slope_{k}", t_("check.transient_slope", t=tt), s, e, Bound.equal(1.0, Z_MAX),
                            note="" if s is not None else t_("note.too_few_negative", n=int((om < 0).sum()))))
        mean, err = integral_theorem(om, chains)
        var = float(om.var())
        if ref.integral_theorem_relative_variance(var) <= om.size / N_EFF_MIN:
            checks.append(Check(f"transient_integral_{k}", t_("check.transient_integral", t=tt), mean, err,
                                Bound.equal(1.0, Z_MAX)))
        else:
            measures.append(Measurement(f"transient_integral_{k}",
                                        t_("measure.transient_integral_unsampled", t=tt, var=fmt(var, 3),
                                           lim=fmt(math.log1p(om.size / N_EFF_MIN), 3)), mean, err))
    return checks, measures


def _trend_checks(prefix, slopes, taus, unit_tau, t_):
    """The longest-window check and the trend check of a list of (slope, err) per window."""
    have = [k for k, (s, e) in enumerate(slopes) if s is not None and e <= MAX_SLOPE_ERR]
    if not have:
        return [Check(f"{prefix}_slope_longest", t_(f"check.{prefix}_slope_longest", tau="n/a"), None, None,
                      Bound.equal(1.0, Z_MAX), note=t_("note.no_fit"))]
    last, first = have[-1], have[0]
    s_l, e_l = slopes[last]
    out = [Check(f"{prefix}_slope_longest", t_(f"check.{prefix}_slope_longest", tau=fmt(float(taus[last]))), s_l, e_l,
                 Bound.equal(1.0, Z_MAX))]
    if unit_tau:  # the trend check (the shear's steady state)
        if first == last:
            out.append(Check(f"{prefix}_slope_trend", t_("check.ness_slope_trend", a="n/a", b="n/a"), None, None,
                             Bound.above(0.0, strict=True), note=t_("note.one_fit")))
        else:
            s_f, e_f = slopes[first]
            out.append(Check(f"{prefix}_slope_trend",
                             t_("check.ness_slope_trend", a=fmt(float(taus[first])), b=fmt(float(taus[last]))),
                             abs(s_f - 1.0) - abs(s_l - 1.0), math.hypot(e_f, e_l), Bound.above(0.0, strict=True)))
    return out


def _steady(ds, t_):
    sig, sys_id = ds["ness_sigma"].values, ds["ness_system"].values
    taus = ds["tau"].values
    slopes = [_slope(sig[k], sys_id[k]) for k in range(taus.size)]
    checks = _trend_checks("ness", slopes, taus, True, t_)
    measures = [Measurement(f"ness_slope_{k}", t_("measure.ness_slope", tau=fmt(float(taus[k]))), s, e)
                for k, (s, e) in enumerate(slopes)]
    return checks, measures, slopes


def _contraction(ds, cfg, t_):
    a = ds.attrs
    same = cfg["lyapunov_n_particles"] == cfg["n_particles"]
    ref_mean = a["phase_space_contraction_mean"] if same else a["lyapunov_compression_mean"]
    ref_err = a["phase_space_contraction_mean_err"] if same else a["lyapunov_compression_mean_err"]
    lam, lam_err = a["lyapunov_sum"], a["lyapunov_sum_err"]
    m = int(a["lyapunov_dimension"])
    dky, dky_err = a["kaplan_yorke_dimension"], a["kaplan_yorke_dimension_err"]
    checks = [
        Check("lyapunov_sum", t_("check.lyapunov_sum", src=t_("word.steady_runs" if same else "word.same_run")),
              lam, math.hypot(lam_err, ref_err), Bound.equal(ref_mean, Z_MAX), "tau^-1"),
        Check("lyapunov_sum_negative", t_("check.lyapunov_sum_negative"), lam, lam_err,
              Bound.below(-Z_MAX * lam_err, strict=True), "tau^-1"),
        Check("kaplan_yorke_deficit", t_("check.kaplan_yorke_deficit", m=m), m - dky, dky_err,
              Bound.above(Z_MAX * dky_err, strict=True)),
    ]
    lam_i = ds["lyapunov_spectrum"].values
    pairs = pair_sums(lam_i)
    measures = [
        Measurement("lyapunov_max", t_("measure.lyapunov_max"), float(lam_i[0]),
                    float(ds["lyapunov_spectrum_err"].values[0]), "tau^-1"),
        Measurement("pair_sum_mean", t_("measure.pair_sum_mean"), float(pairs.mean()), None, "tau^-1"),
        Measurement("minus_alpha", t_("measure.minus_alpha"), -a["lyapunov_alpha_mean"], a["lyapunov_alpha_mean_err"],
                    "tau^-1"),
        Measurement("pair_sum_rms", t_("measure.pair_sum_rms"), float(pairs.std()), None, "tau^-1"),
        Measurement("pair_sum_worst", t_("measure.pair_sum_worst"), float(np.abs(pairs - pairs.mean()).max()),
                    None, "tau^-1"),
        Measurement("kaplan_yorke_dimension", t_("measure.kaplan_yorke_dimension", m=m), dky, dky_err),
        Measurement("phase_space_contraction_mean", t_("measure.phase_space_contraction_mean"),
                    a["phase_space_contraction_mean"], a["phase_space_contraction_mean_err"], "tau^-1"),
        Measurement("thermostat_entropy_rate", t_("measure.thermostat_entropy_rate"), a["thermostat_entropy_rate"],
                    a["thermostat_entropy_rate_err"], "tau^-1"),
        Measurement("shear_viscosity", t_("measure.shear_viscosity", g=fmt(a["shear_rate"])), a["shear_viscosity"],
                    a["shear_viscosity_err"], "epsilon tau sigma^-2"),
        Measurement("green_kubo_viscosity", t_("measure.green_kubo_viscosity"), a["green_kubo_viscosity"],
                    a["green_kubo_viscosity_err"], "epsilon tau sigma^-2"),
        Measurement("kT_steady", t_("measure.kT_steady"), a["kT_steady"], None, "epsilon"),
    ]
    return checks, measures


def _piston(ds, cfg, t_):
    kT = cfg["kT"]
    switch = int(ds["piston_switch"].values[0])
    w = ds["piston_work"].values[0, :, :switch] / kT
    q = ds["piston_heat"].values[0, :, :switch] / kT
    R, n = w.shape
    mean, err = _replica_mean(w)
    half = n // 2
    diff = w[:, half: 2 * half].mean(axis=1) - w[:, :half].mean(axis=1)
    windows = sorted(cfg["piston_windows"])
    slopes, heat_slopes = [], []
    for k in windows:
        m = n // k
        groups = np.repeat(np.arange(R), m)
        slopes.append(_slope(w[:, : m * k].reshape(R, m, k).sum(axis=2).ravel(), groups))
        heat_slopes.append(_slope(q[:, : m * k].reshape(R, m, k).sum(axis=2).ravel(), groups))
    taus = np.array(windows, dtype=float) * cfg["piston_period"]
    checks = [
        Check("piston_dissipates", t_("check.piston_dissipates"), mean, err, Bound.above(Z_MAX * err, strict=True)),
        Check("piston_steady_rate", t_("check.piston_steady_rate", n=half), float(diff.mean()),
              float(diff.std(ddof=1) / math.sqrt(R)), Bound.equal(0.0, Z_MAX)),
    ] + _trend_checks("piston", slopes, taus, False, t_)
    measures = [Measurement(f"piston_slope_{j}", t_("measure.piston_slope", k=k), s, e)
                for j, (k, (s, e)) in enumerate(zip(windows, slopes))]
    have = [j for j, (s, _) in enumerate(slopes) if s is not None]
    j = have[-1] if have else len(windows) - 1
    measures.append(Measurement("piston_heat_slope", t_("measure.piston_heat_slope", k=windows[j]), *heat_slopes[j]))
    return checks, measures, slopes, heat_slopes, mean


def transition_windows(ds, kT: float, K: int, key: str = "piston_work"):
    """(forward, reverse) sums over K periods either side of the amplitude change, / kT."""
    x = ds[key].values
    s = ds["piston_switch"].values
    return tuple(np.nansum(x[d, :, s[d] - K: s[d] + K], axis=1) / kT for d in (0, 1))


def _transition(ds, cfg, t_):
    kT = cfg["kT"]
    x = ds["piston_work"].values / kT
    s = ds["piston_switch"].values
    K = max(cfg["piston_windows"])
    after = x[0, :, s[0] + K: s[0] + 2 * K]
    other = x[1, :, : s[1]]  # the a2 steady state reached the other way (amplitude -a2)
    m_a, e_a = _replica_mean(after)
    m_o, e_o = _replica_mean(other)
    checks = [Check("transition_settled_rate", t_("check.transition_settled_rate", k=K), m_a, math.hypot(e_a, e_o),
                    Bound.equal(m_o, Z_MAX))]
    fit, heat_fit, k_fit = None, None, None
    for k in sorted(cfg["piston_windows"], reverse=True):
        try:
            fit = crooks_fit(*transition_windows(ds, 1.0, k), 1.0, n_bins=CROOKS_BINS, min_count=CROOKS_MIN)
        except ConfigError:
            continue
        if fit.slope_err > MAX_SLOPE_ERR:
            fit = None
            continue
        k_fit = k
        try:
            heat_fit = crooks_fit(*transition_windows(ds, 1.0, k, "piston_heat"), 1.0, n_bins=CROOKS_BINS,
                                  min_count=CROOKS_MIN)
        except ConfigError:
            heat_fit = None
        break
    kk = "n/a" if k_fit is None else k_fit
    note = "" if fit else t_("note.no_overlap")
    checks += [
        Check("transition_crooks_slope", t_("check.transition_crooks_slope", k=kk), fit and fit.slope,
              fit and fit.slope_err, Bound.equal(1.0, Z_MAX), note=note),
        Check("transition_crooks_crossing", t_("check.transition_crooks_crossing", k=kk),
              fit and fit.crossing * kT, fit and fit.crossing_err * kT, Bound.equal(0.0, Z_MAX), "epsilon", note=note),
    ]
    first = x[0, :, s[0]: s[0] + 1]
    before = x[0, :, : s[0]]
    measures = [
        Measurement("piston_rate_a1", t_("measure.piston_rate", a=fmt(cfg["piston_amplitude"])),
                    *_replica_mean(before)),
        Measurement("piston_rate_a2", t_("measure.piston_rate", a=fmt(cfg["piston_amplitude_final"])), m_o, e_o),
        Measurement("piston_rate_first_after", t_("measure.piston_rate_first_after"), *_replica_mean(first)),
        Measurement("transition_heat_slope", t_("measure.transition_heat_slope", k=kk),
                    heat_fit and heat_fit.slope, heat_fit and heat_fit.slope_err),
    ]
    return checks, measures, fit, heat_fit, k_fit


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    tr_checks, tr_meas = _transient(ds, t_)
    ss_checks, ss_meas, ss_slopes = _steady(ds, t_)
    ct_checks, ct_meas = _contraction(ds, cfg, t_)
    pi_checks, pi_meas, pi_slopes, pi_heat, pi_rate = _piston(ds, cfg, t_)
    tn_checks, tn_meas, fit, heat_fit, k_fit = _transition(ds, cfg, t_)
    subs = (
        SubClaim("transient", t_("sub.transient"), tr_checks, note=t_("note.transient")),
        SubClaim("steady_state", t_("sub.steady_state"), ss_checks, note=t_("note.steady_state")),
        SubClaim("contraction", t_("sub.contraction"), ct_checks, note=t_("note.contraction")),
        SubClaim("piston", t_("sub.piston"), pi_checks, note=t_("note.piston")),
        SubClaim("transition", t_("sub.transition"), tn_checks, note=t_("note.transition")),
    )
    a = ds.attrs
    om = ds["transient_omega"].values
    taus = ds["tau"].values
    have = [k for k, (s, e) in enumerate(ss_slopes) if s is not None and e <= MAX_SLOPE_ERR]
    same = cfg["lyapunov_n_particles"] == cfg["n_particles"]
    f = {
        "N": cfg["n_particles"], "rho": fmt(cfg["density"]), "kT": fmt(cfg["kT"]), "g": fmt(cfg["shear_rate"]),
        "thermo": t_(f"word.{cfg['thermostat']}"), "dt": fmt(cfg["dt"]), "n_traj": f"{om.shape[1]:,}",
        "n_chains": f"{cfg['n_chains']:,}", "t_list": ", ".join(fmt(float(t)) for t in ds["t_transient"].values),
        "M": cfg["n_steady_systems"], "t_steady": fmt(cfg["t_steady"]), "tau_list": ", ".join(fmt(float(t)) for t in taus),
        "N_lyap": cfg["lyapunov_n_particles"], "t_lyap": fmt(cfg["t_lyapunov"]), "m": int(a["lyapunov_dimension"]),
        "Np": cfg["piston_n_particles"], "rho_p": fmt(cfg["piston_density"]), "L0": fmt(a["piston_length"]),
        "a1": fmt(cfg["piston_amplitude"]), "a2": fmt(cfg["piston_amplitude_final"]), "T": fmt(cfg["piston_period"]),
        "R": f"{cfg['piston_n_replicas']:,}", "n_per": cfg["piston_n_periods"],
        "z": fmt(Z_MAX), "seed": cfg["seed"],
    }
    s_first = ss_slopes[have[0]] if have else (None, None)
    s_last = ss_slopes[have[-1]] if have else (None, None)
    p_have = [j for j, (s, e) in enumerate(pi_slopes) if s is not None and e <= MAX_SLOPE_ERR]
    p_last = pi_slopes[p_have[-1]] if p_have else (None, None)
    tail = ds["tail_negative_fraction"].values[:, -1]
    story = {
        "omega1": fmt(float(om[0].mean()), 3), "omegaN": fmt(float(om[-1].mean()), 3), "t_list": f["t_list"],
        "tr_slopes": ", ".join(fmt(c.measured, 3) for c in tr_checks if c.name.startswith("transient_slope")),
        "t_last": fmt(float(ds["t_transient"].values[-1])),
        "tails": ", ".join(f"{fmt(float(x), 3)} (N = {n})" for n, x in zip(ds["tail_n_particles"].values, tail)),
        "s_first": fmt(s_first[0], 3), "tau_first": fmt(float(taus[have[0]])) if have else "n/a",
        "s_last": fmt(s_last[0], 3), "tau_last": fmt(float(taus[have[-1]])) if have else "n/a",
        "lam": fmt(a["lyapunov_sum"], 3),
        "Lam": fmt(a["phase_space_contraction_mean" if same else "lyapunov_compression_mean"], 3),
        "heat": fmt(a["thermostat_entropy_rate"], 3), "dky": fmt(a["kaplan_yorke_dimension"], 4),
        "m": int(a["lyapunov_dimension"]), "rate": fmt(pi_rate, 3),
        "p_slope": fmt(p_last[0], 3), "h_slope": fmt(pi_heat[p_have[-1]][0] if p_have else None, 3),
        "eta": fmt(a["shear_viscosity"], 3), "eta_gk": fmt(a["green_kubo_viscosity"], 3), "g": f["g"],
        "c_slope": fmt(fit.slope if fit else None, 3), "c_heat": fmt(heat_fit.slope if heat_fit else None, 3),
        "K": k_fit if k_fit is not None else "n/a",
    }
    narrative = (t_("story.what", **f), t_("story.see", **story), t_("story.why", **story))
    return Verdict.from_checks(NAME, t_("claim"), subclaims=subs, conditions=t_("conditions", **f),
                               measurements=(*tr_meas, *ss_meas, *ct_meas, *pi_meas, *tn_meas), narrative=narrative,
                               section=t_("section"), lang=lang)
