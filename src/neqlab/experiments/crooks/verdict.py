"""Verdict of ``crooks``: five sub-claims, one per driven system (reads only the dataset).

* ``trap``: Crooks' line has slope 1 and crosses at the exact dF; BAR, MBAR and
  Jarzynski (EXP, forward) give the exact dF (|z| < 4 each);
* ``sweep``: at every driving speed BAR gives the exact dF (|z| < 4), while the
  dissipation and the one-sided EXP estimate's error are reported;
* ``ideal_piston``: <exp(-W/kT)> = 2^-N and the Crooks slope 1 at the smallest N, and
  the fraction of entropy-decreasing compressions falls below its value at the smallest
  N for every larger N;
* ``gas_piston``: where forward and reverse work overlap, the Crooks slope is 1, BAR
  equals the Crooks crossing and forward EXP, and at the lowest density BAR equals the
  walled-box second-virial dF (|z| < 4); entropy decreases become rarer with N;
* ``steady_state``: at every window with a fit, the slope for Seifert's total entropy
  production is 1 and the slope for W_tau/kT its exact finite-tau value, which falls
  towards 1 as the window grows.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from neqlab.core.i18n import text
from neqlab.experiments._base import Z_MAX, Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt, fmt_measure
from neqlab.experiments.crooks.config import NAME


def _f(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _binomial_se(p: float, n: int) -> float:
    return math.sqrt(p * (1.0 - p) / n)


def _missing(t_, value, error) -> str:
    """Why an estimate judged within z standard errors cannot be judged ('' if it can)."""
    if value is None:
        return t_("note.estimator_failed")
    return "" if error is not None else t_("note.no_error")


def _explained(sub: SubClaim, t_) -> SubClaim:
    """Every check that cannot be evaluated says why."""
    checks = [c if c.passed is not None or c.note else dataclasses.replace(c, note=_missing(t_, c.measured, c.error))
              for c in sub.checks]
    return dataclasses.replace(sub, checks=tuple(checks))


def _trap(ds, t_, dfx: float) -> SubClaim:
    v = lambda name: _f(ds[name].values)  # noqa: E731
    no_fit = t_("note.no_overlap") if v("crooks_slope") is None else ""
    checks = [
        Check("crooks_slope", t_("check.crooks_slope"), v("crooks_slope"), v("crooks_slope_err"),
              Bound.equal(1.0, Z_MAX), "1", no_fit),
        Check("crooks_crossing", t_("check.crooks_crossing"), v("crooks_crossing"), v("crooks_crossing_err"),
              Bound.equal(dfx, Z_MAX), "epsilon", no_fit),
    ]
    for meth in ("bar", "mbar", "exp_forward"):
        val, err = v(f"delta_f_{meth}"), v(f"delta_f_{meth}_err")
        checks.append(Check(f"delta_f_{meth}", t_(f"check.delta_f_{meth}"), val, err, Bound.equal(dfx, Z_MAX),
                            "epsilon", _missing(t_, val, err)))
    return SubClaim("trap", t_("sub.trap"), checks, note=t_("note.trap"))


def _sweep(ds, t_, dfx: float) -> SubClaim:
    bar = ds["sweep_delta_f"].sel(estimator="bar").values
    err = ds["sweep_delta_f_err"].sel(estimator="bar").values
    checks = [Check(f"sweep_bar_{j}", t_("check.sweep_bar", v=fmt(float(v))), _f(bar[j]), _f(err[j]),
                    Bound.equal(dfx, Z_MAX), "epsilon", _missing(t_, _f(bar[j]), _f(err[j])))
              for j, v in enumerate(ds["speed"].values)]
    return SubClaim("sweep", t_("sub.sweep"), checks, note=t_("note.sweep"))


def _fewer_decreases(prefix: str, t_, ns, p, n_samples, label_fields: dict) -> list[Check]:
    """P(w < 0) at every N above the smallest must lie below its value at the smallest N."""
    order = np.argsort(ns)
    j0 = int(order[0])
    p0 = float(p[j0])
    out = []
    for j in order[1:]:
        n = int(ns[j])
        fields = dict(label_fields, n=n, n0=int(ns[j0]))
        if not p0 > 0:  # nothing to fall from
            out.append(Check(f"{prefix}_n{n}", t_("check.p_negative", **fields), None, None, Bound.below(0.0),
                             note=t_("note.no_decrease_at_n0", n0=int(ns[j0]))))
            continue
        pj = float(p[j])
        out.append(Check(f"{prefix}_n{n}", t_("check.p_negative", **fields), pj,
                         _binomial_se(pj, int(n_samples[j])), Bound.below(p0, strict=True)))
    return out


def _ideal_piston(ds, t_) -> SubClaim:
    ns = ds["n_particles"].values
    j0 = int(np.argmin(ns))
    n0 = int(ns[j0])
    g = ds.isel(n_particles=j0)
    slope = _f(g["piston_crooks_slope"].values)
    checks = [
        Check("piston_jarzynski", t_("check.piston_jarzynski", n=n0), _f(g["piston_jarzynski"].values),
              _f(g["piston_jarzynski_err"].values), Bound.equal(float(g["piston_jarzynski_exact"]), Z_MAX)),
        Check("piston_crooks_slope", t_("check.piston_crooks_slope", n=n0), slope,
              _f(g["piston_crooks_slope_err"].values), Bound.equal(1.0, Z_MAX),
              note="" if slope is not None else t_("note.no_overlap")),
    ]
    checks += _fewer_decreases("piston_p_negative", t_, ns, ds["piston_p_negative"].values,
                               ds["piston_n_gases"].values, {"system": t_("word.ideal_gas")})
    return SubClaim("ideal_piston", t_("sub.ideal_piston"), checks, note=t_("note.ideal_piston"))


def _gas_piston(ds, t_) -> SubClaim:
    rhos, ns = ds["gas_density"].values, ds["n_gas"].values
    rho_min = float(rhos.min())
    checks = []
    for a, rho in enumerate(rhos):
        for b, n in enumerate(ns):
            g = ds.isel(gas_density=a, n_gas=b)
            v = lambda name: float(g[f"gas_piston_{name}"].values)  # noqa: E731
            if not math.isfinite(v("crooks_slope")):
                continue  # no overlap of P_F(W) and P_R(-W): reported in the figure, not judged
            tag, kw = f"rho{float(rho):g}_n{int(n)}", {"rho": fmt(float(rho)), "n": int(n)}
            bar, bar_err = v("delta_f_bar"), v("delta_f_bar_err")
            checks += [
                Check(f"gas_crooks_slope_{tag}", t_("check.gas_crooks_slope", **kw), v("crooks_slope"),
                      v("crooks_slope_err"), Bound.equal(1.0, Z_MAX)),
                Check(f"gas_bar_vs_crossing_{tag}", t_("check.gas_bar_vs_crossing", **kw), bar - v("crooks_crossing"),
                      math.hypot(bar_err, v("crooks_crossing_err")), Bound.equal(0.0, Z_MAX), "epsilon"),
                Check(f"gas_bar_vs_exp_{tag}", t_("check.gas_bar_vs_exp", **kw), bar - v("delta_f_exp"),
                      math.hypot(bar_err, v("delta_f_exp_err")), Bound.equal(0.0, Z_MAX), "epsilon"),
            ]
            if float(rho) == rho_min:
                checks.append(Check(f"gas_bar_vs_virial_{tag}", t_("check.gas_bar_vs_virial", **kw), bar, bar_err,
                                    Bound.equal(v("delta_f_virial"), Z_MAX), "epsilon"))
    if not checks:
        checks.append(Check("gas_crooks_slope", t_("check.gas_crooks_slope_any"), None, None, Bound.equal(1.0, Z_MAX),
                            note=t_("note.gas_no_overlap")))
    n_rep = np.full(ns.size, ds.sizes["gas_replica"])
    for a, rho in enumerate(rhos):
        checks += _fewer_decreases(f"gas_p_negative_rho{float(rho):g}", t_, ns,
                                   ds["gas_piston_p_negative"].values[a], n_rep,
                                   {"system": t_("word.wca_gas", rho=fmt(float(rho)))})
    return SubClaim("gas_piston", t_("sub.gas_piston"), checks, note=t_("note.gas_piston"))


def _steady_state(ds, t_) -> SubClaim:
    tau = ds["tau"].values
    s, se = ds["ness_slope"].values, ds["ness_slope_err"].values
    es, ese = ds["ness_entropy_slope"].values, ds["ness_entropy_slope_err"].values
    exact = ds["ness_slope_exact"].values
    fitted = np.isfinite(s) & np.isfinite(es)
    checks = []
    for k in np.flatnonzero(fitted):
        kw = {"tau": fmt(float(tau[k]))}
        checks += [
            Check(f"ness_entropy_slope_{k}", t_("check.ness_entropy_slope", **kw), es[k], ese[k],
                  Bound.equal(1.0, Z_MAX)),
            Check(f"ness_slope_{k}", t_("check.ness_slope", **kw), s[k], se[k], Bound.equal(float(exact[k]), Z_MAX)),
        ]
    if not checks:
        checks.append(Check("ness_entropy_slope", t_("check.ness_entropy_slope_any"), None, None,
                            Bound.equal(1.0, Z_MAX), note=t_("note.ness_no_fit")))
    rising = int(np.sum(np.diff(np.abs(exact - 1.0)) >= 0))  # successive windows where |exact - 1| does not fall
    checks.append(Check("ness_exact_slope_approach", t_("check.ness_exact_slope_approach"), rising, 0.0,
                        Bound.exact(0.0)))
    note = t_("note.steady_state")
    if not fitted.all():
        note += " " + t_("note.ness_unfitted", taus=", ".join(fmt(float(x)) for x in tau[~fitted]))
    return SubClaim("steady_state", t_("sub.steady_state"), checks, note=note)


def _measurements(ds, t_, dfx: float, kT: float) -> tuple[Measurement, ...]:
    wf = ds["work"].sel(direction="forward").values
    out = [Measurement("mean_work_forward", t_("measure.mean_work_forward"), float(wf.mean()),
                       float(wf.std(ddof=1) / math.sqrt(wf.size)), "epsilon")]
    if "mean_work_exact" in ds.attrs:
        out.append(Measurement("mean_work_exact", t_("measure.mean_work_exact"), float(ds.attrs["mean_work_exact"]),
                               None, "epsilon"))
    out.append(Measurement("jarzynski", t_("measure.jarzynski"), _f(ds["jarzynski"].values),
                           _f(ds["jarzynski_err"].values)))
    out.append(Measurement("delta_f_exp_reverse", t_("measure.delta_f_exp_reverse"),
                           _f(ds["delta_f_exp_reverse"].values), _f(ds["delta_f_exp_reverse_err"].values), "epsilon"))
    speeds = ds["speed"].values
    j = int(np.argmax(speeds))
    exp_f = ds["sweep_delta_f"].sel(estimator="exp_forward").values[j]
    out += [
        Measurement("sweep_dissipation_fastest", t_("measure.sweep_dissipation", v=fmt(float(speeds[j]))),
                    _f(ds["sweep_dissipation"].values[j]), None, "epsilon"),
        Measurement("sweep_exp_error_fastest", t_("measure.sweep_exp_error", v=fmt(float(speeds[j]))),
                    _f(exp_f - dfx), _f(ds["sweep_delta_f_err"].sel(estimator="exp_forward").values[j]), "epsilon"),
    ]
    ns = ds["n_particles"].values
    jn = int(np.argmax(ns))
    out.append(Measurement("piston_w_per_particle", t_("measure.piston_w_per_particle", n=int(ns[jn])),
                           _f(ds["piston_w_mean"].values[jn] / ns[jn]), None, "k_B"))
    err = np.abs(ds["gas_piston_first_law_error"].values.ravel())
    out.append(Measurement("gas_first_law_median", t_("measure.gas_first_law_median"), float(np.median(err)),
                           None, "epsilon"))
    out.append(Measurement("ness_ift", t_("measure.ness_ift", tau=fmt(float(ds["tau"].values[0]))),
                           _f(ds["ness_ift"].values[0]), _f(ds["ness_ift_err"].values[0])))
    return tuple(out)


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    kT, dfx = float(ds.attrs["kT"]), float(ds.attrs["delta_f_exact"])
    subs = tuple(_explained(sub, t_) for sub in (_trap(ds, t_, dfx), _sweep(ds, t_, dfx), _ideal_piston(ds, t_),
                                                   _gas_piston(ds, t_), _steady_state(ds, t_)))
    measurements = _measurements(ds, t_, dfx, kT)
    fields = _fields(ds, cfg, t_, dfx, kT, lang)
    narrative = (t_("story.what", **fields), t_("story.see", **fields), t_("story.why", **fields))
    return Verdict.from_checks(NAME, t_("claim"), subclaims=subs, conditions=t_("conditions", **fields),
                               measurements=measurements, narrative=narrative, section=t_("section"), lang=lang)


def _g(x) -> str:
    """Three significant digits for the narrative."""
    return fmt(None if x is None else float(x), 3)


def _join(values) -> str:
    return ", ".join(fmt(float(x)) for x in values)


def _fields(ds, cfg: dict, t_, dfx: float, kT: float, lang: str) -> dict:
    """The numbers the conditions and the narrative quote (all finite or 'n/a')."""
    speeds = ds["speed"].values
    js = int(np.argmax(speeds))
    ns = ds["n_particles"].values
    p = ds["piston_p_negative"].values
    i0, i1 = int(np.argmin(ns)), int(np.argmax(ns))
    jar = ds["jarzynski_estimate"].values
    gw = ds["gas_piston_w_mean"].values
    gp = ds["gas_piston_p_negative"].values
    gn = ds["n_gas"].values
    ess = ds["ness_entropy_slope"].values
    return dict(
        model=t_(f"word.{cfg['model']}"), integrator=t_(f"word.{cfg['integrator']}"),
        protocol=t_(f"word.{cfg['protocol']}"),
        speed=fmt(cfg["speed"]), duration=fmt(float(ds.attrs["duration"])), dt=fmt(cfg["dt"]), kT=fmt(kT),
        gamma=fmt(cfg["gamma"]), n_traj=cfg["n_trajectories"], speeds=_join(speeds), n_sweep=cfg["n_sweep"],
        piston_speed=fmt(cfg["piston_speed"]), n_piston=cfg["n_piston"], n_particles=_join(ns),
        period=fmt(cfg["ness_period"]), amplitude=fmt(cfg["ness_amplitude"]), n_ness=cfg["n_ness"],
        taus=_join(ds["tau"].values), ness_dt=fmt(cfg["ness_dt"]), length=fmt(cfg["gas_piston_length"]),
        rhos=_join(ds["gas_density"].values), ns=_join(gn), t_drive=fmt(cfg["gas_piston_t_drive"]),
        t_eq=fmt(cfg["gas_piston_t_equilibrate"]), gas_dt=fmt(cfg["gas_piston_dt"]),
        reps=cfg["gas_piston_replicas"], z=fmt(Z_MAX), seed=cfg["seed"],
        dfx=fmt(dfx), slope=fmt_measure(_f(ds["crooks_slope"].values), _f(ds["crooks_slope_err"].values), "1", lang),
        bar=fmt_measure(_f(ds["delta_f_bar"].values), _f(ds["delta_f_bar_err"].values), "epsilon", lang),
        bias_n1=_g(_f((jar[0] - dfx) / kT) if jar.size else None),
        v_max=fmt(float(speeds[js])), diss_max=_g(_f(ds["sweep_dissipation"].values[js] / kT)),
        exp_dev=_g(_f((ds["sweep_delta_f"].sel(estimator="exp_forward").values[js] - dfx) / kT)),
        bar_dev=_g(_f((ds["sweep_delta_f"].sel(estimator="bar").values[js] - dfx) / kT)),
        n0=int(ns[i0]), n1=int(ns[i1]), p0=_g(float(p[i0])), p1=_g(float(p[i1])),
        n_gases1=int(ds["piston_n_gases"].values[i1]),
        w_per_n=_g(_f(ds["piston_w_mean"].values[i1] / ns[i1])),
        gas_n0=int(gn.min()), gas_n1=int(gn.max()), gas_p0=_g(_f(gp[0, int(np.argmin(gn))])),
        gas_p1=_g(_f(gp[0, int(np.argmax(gn))])), gas_w1=_g(_f(gw[0, int(np.argmax(gn))])),
        rho0=fmt(float(ds["gas_density"].values[0])),
        ness_s0=_g(_f(ds["ness_slope"].values[0])), ness_exact0=_g(_f(ds["ness_slope_exact"].values[0])),
        tau0=fmt(float(ds["tau"].values[0])), tau1=fmt(float(ds["tau"].values[-1])),
        ness_exact1=_g(_f(ds["ness_slope_exact"].values[-1])),
        ess_lo=_g(_f(np.nanmin(ess)) if np.isfinite(ess).any() else None),
        ess_hi=_g(_f(np.nanmax(ess)) if np.isfinite(ess).any() else None),
    )
