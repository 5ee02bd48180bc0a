"""Verdict of ``relaxation``: three sub-claims, each with its own checks.

* ``expansion``: the spatial entropy's plateau is ln M (M cells; within 4 frame-to-frame
  standard deviations plus the Miller-Madow over-correction (M - 1)/(2N)) and the rise
  to it exceeds 4 of those deviations; the last frame's slab counts and flows are
  within Poisson / thermal scatter (largest |z| over slabs < 4 + 0.5);
* ``contact``: the half-temperature difference vanishes (within 10 % of its start or 4
  frame deviations), H falls by more than 4 sd of one estimate and reaches the Maxwell
  value of the same estimator (|z| < 4), the temperature profile is flat (4 slab errors);
* ``fluctuations``: the exponent of each relative fluctuation against N is -1/2 (|z| < 4);
  inconclusive with fewer than 3 sizes or an exponent error above 0.1.

Reads only the dataset.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from neqlab.core.i18n import text
from neqlab.experiments._base import Z_MAX, Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt
from neqlab.experiments.relaxation.config import NAME
from neqlab.observables.relaxation import power_law_fit, relaxation_time, tail
from neqlab.testing import reference as ref

OBSERVABLES = ("kinetic_energy", "pressure", "n_left")
MAX_EXPONENT_ERROR = 0.1  # as before: beyond it the |z| < 4 window (+-0.4) accepts almost any decreasing power
SLAB_MAX_EXTRA = 0.5  # the largest |z| of n_bins slabs may exceed a single slab's bound by about this


def _frame_sd(y: np.ndarray) -> float:
    """Frame-to-frame standard deviation of the plateau (floored at 1e-3: a frozen series is not exact)."""
    return max(float(tail(y).std(ddof=1)), 1e-3)


def expansion_checks(ds, cfg: dict, t_) -> list[Check]:
    n, dim = cfg["n_particles"], cfg["dimension"]
    s = ds["expansion_spatial_entropy"].values
    plateau = float(tail(s).mean())
    sd = _frame_sd(s)
    m_cells = cfg["n_cells"] ** dim
    s_max = ref.uniform_spatial_entropy(cfg["n_cells"], dim)
    allow = (m_cells - 1) / (2 * n) + Z_MAX * sd  # Miller-Madow over-correction of a sub-Poissonian fluid
    nbar = n / cfg["n_bins"]
    rho = ds["expansion_density"].values[-1]
    counts = rho / rho.mean() * nbar
    dens_z = float(np.max(np.abs(counts - nbar)) / math.sqrt(nbar))
    flow = ds["expansion_flow_x"].values[-1]
    flow_z = float(np.nanmax(np.abs(flow)) / math.sqrt(cfg["kT"] / nbar)) if np.isfinite(flow).any() else None
    note_z = t_("note.max_z", n=cfg["n_bins"])
    return [
        Check("expansion_entropy_plateau", t_("check.expansion_entropy_plateau"), plateau, None,
              Bound.within(s_max - allow, s_max + allow), "k_B", note=t_("note.entropy_plateau")),
        Check("expansion_entropy_rise", t_("check.expansion_entropy_rise"), plateau - float(s[0]), None,
              Bound.above(Z_MAX * sd, strict=True), "k_B", note=t_("note.entropy_rise")),
        Check("expansion_density_max_abs_z", t_("check.expansion_density_max_abs_z"), dens_z, None,
              Bound.below(Z_MAX + SLAB_MAX_EXTRA), note=note_z),
        Check("expansion_flow_max_abs_z", t_("check.expansion_flow_max_abs_z"), flow_z, None,
              Bound.below(Z_MAX + SLAB_MAX_EXTRA), note=note_z),
    ]


def contact_checks(ds, cfg: dict, t_) -> list[Check]:
    n, dim = cfg["n_particles"], cfg["dimension"]
    dT = ds["contact_kT_left"].values - ds["contact_kT_right"].values
    dT_plateau = float(tail(dT).mean())
    tol = max(0.1 * abs(float(dT[0])), Z_MAX * float(tail(dT).std(ddof=1)))
    h = ds["contact_h_function"].values
    h_plateau = float(tail(h).mean())
    h_sd = math.sqrt(dim / (2.0 * n))  # sd of a plug-in entropy from n samples, sqrt(var ln f / n)
    h_ref = float(ds["h_reference"].sel(process="contact"))
    nbar = n / cfg["n_bins"]
    with warnings.catch_warnings():  # slabs that stayed empty (NaN) are left out; all empty: not measured
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = np.nanmean(tail(ds["contact_temperature_profile"].values), axis=0)
        dev = float(np.nanmax(np.abs(prof / np.nanmean(prof) - 1.0))) if np.isfinite(prof).any() else None
    return [
        Check("contact_dT_plateau", t_("check.contact_dT_plateau"), dT_plateau, None, Bound.within(-tol, tol),
              "epsilon", note=t_("note.dT_plateau")),
        Check("contact_h_fall", t_("check.contact_h_fall"), float(h[0]) - h_plateau, None,
              Bound.above(Z_MAX * h_sd, strict=True), note=t_("note.h_fall")),
        Check("contact_h_plateau", t_("check.contact_h_plateau"), h_plateau, h_sd, Bound.equal(h_ref, Z_MAX),
              note=t_("note.h_plateau")),
        Check("contact_temperature_profile_max_rel_dev", t_("check.contact_temperature_profile_max_rel_dev"), dev,
              None, Bound.below(Z_MAX * math.sqrt(2.0 / (dim * nbar)), strict=True),
              note=t_("note.temperature_profile", n=fmt(nbar))),
    ]


def exponent_checks(ds, t_) -> tuple[list[Check], dict[str, float | None]]:
    sizes = ds["n_particles"].values
    checks, slopes = [], {}
    for name in OBSERVABLES:
        label = t_(f"check.exponent_{name}")
        bound = Bound.equal(ref.FLUCTUATION_EXPONENT, Z_MAX)
        if sizes.size < 3:
            checks.append(Check(f"exponent_{name}", label, None, None, bound, note=t_("note.too_few_sizes",
                                                                                      n=int(sizes.size))))
            slopes[name] = None
            continue
        fit = power_law_fit(sizes, ds["rel_sd"].sel(observable=name).values,
                            ds["rel_sd_err"].sel(observable=name).values)
        slopes[name] = fit.exponent
        if not fit.error <= MAX_EXPONENT_ERROR:
            checks.append(Check(f"exponent_{name}", label, None, None, bound,
                                note=t_("note.fit_too_uncertain", b=fmt(fit.exponent, 3), err=fmt(fit.error, 2))))
        else:
            checks.append(Check(f"exponent_{name}", label, fit.exponent, fit.error, bound))
    return checks, slopes


def measurements(ds, cfg: dict, t_) -> tuple[Measurement, ...]:
    n = cfg["n_particles"]
    t_e, t_c = ds["t_expansion"].values, ds["t_contact"].values
    h_e = ds["expansion_h_function"].values
    dT = ds["contact_kT_left"].values - ds["contact_kT_right"].values
    energy = [ds[f"{p}_kinetic_energy"].values + ds[f"{p}_potential_energy"].values for p in ("expansion", "contact")]
    drift = max(float(np.abs(e - e[0]).max()) for e in energy) / n
    m = Measurement
    return (
        m("expansion_entropy_start", t_("measure.expansion_entropy_start"),
          float(ds["expansion_spatial_entropy"].values[0]), unit="k_B"),
        m("expansion_tau_entropy", t_("measure.expansion_tau_entropy"),
          relaxation_time(t_e, ds["expansion_spatial_entropy"].values), unit="tau"),
        m("expansion_tau_left_fraction", t_("measure.expansion_tau_left_fraction"),
          relaxation_time(t_e, ds["expansion_left_fraction"].values), unit="tau"),
        m("expansion_left_fraction_min", t_("measure.expansion_left_fraction_min"),
          float(ds["expansion_left_fraction"].values.min())),
        m("expansion_h_overshoot", t_("measure.expansion_h_overshoot"), float(h_e.max() - h_e[0])),
        m("contact_dT_start", t_("measure.contact_dT_start"), float(dT[0]), unit="epsilon"),
        m("contact_tau_temperature", t_("measure.contact_tau_temperature"), relaxation_time(t_c, dT), unit="tau"),
        m("contact_tau_h", t_("measure.contact_tau_h"), relaxation_time(t_c, ds["contact_h_function"].values),
          unit="tau"),
        m("contact_kT_final", t_("measure.contact_kT_final"), float(ds["kT_final"].sel(process="contact")),
          unit="epsilon"),
        m("energy_drift_per_particle", t_("measure.energy_drift_per_particle"), drift, unit="epsilon"),
    )


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    exponents, slopes = exponent_checks(ds, t_)
    subs = (
        SubClaim("expansion", t_("sub.expansion"), expansion_checks(ds, cfg, t_), note=t_("note.expansion")),
        SubClaim("contact", t_("sub.contact"), contact_checks(ds, cfg, t_), note=t_("note.contact")),
        SubClaim("fluctuations", t_("sub.fluctuations"), exponents, note=t_("note.fluctuations")),
    )
    meas = measurements(ds, cfg, t_)
    mv = {m.name: m.value for m in meas}
    dim = cfg["dimension"]
    sizes = ", ".join(str(int(n)) for n in ds["n_particles"].values)
    fields = dict(dim=dim, N=cfg["n_particles"], density=fmt(cfg["density"]), aspect=fmt(cfg["aspect"]),
                  dt=fmt(cfg["dt"]), fill_pct=fmt(100 * cfg["fill"]), kT=fmt(cfg["kT"]), kT_hot=fmt(cfg["kT_hot"]),
                  kT_cold=fmt(cfg["kT_cold"]), t_expansion=fmt(cfg["t_expansion"]), t_contact=fmt(cfg["t_contact"]),
                  n_frames=cfg["n_frames"], n_bins=cfg["n_bins"], n_cells=cfg["n_cells"], sizes=sizes,
                  R=cfg["n_replicas"], sweep_density=fmt(cfg["sweep_density"]), n_samples=cfg["n_samples"],
                  t_sample=fmt(cfg["t_sample"]), z=fmt(Z_MAX), seed=cfg["seed"])
    s = ds["expansion_spatial_entropy"].values
    h = ds["contact_h_function"].values
    dT = ds["contact_kT_left"].values - ds["contact_kT_right"].values
    see = dict(s_start=fmt(float(s[0]), 3), s_plateau=fmt(float(tail(s).mean()), 3),
               s_max=fmt(ref.uniform_spatial_entropy(cfg["n_cells"], dim), 3),
               tau_s=fmt(mv["expansion_tau_entropy"], 2), f_min=fmt(mv["expansion_left_fraction_min"], 2),
               dT_start=fmt(mv["contact_dT_start"], 3), dT_plateau=fmt(float(tail(dT).mean()), 2),
               tau_T=fmt(mv["contact_tau_temperature"], 2), kT_final=fmt(mv["contact_kT_final"], 3),
               h_start=fmt(float(h[0]), 3), h_plateau=fmt(float(tail(h).mean()), 3),
               h_ref=fmt(float(ds["h_reference"].sel(process="contact")), 3),
               h_overshoot=fmt(mv["expansion_h_overshoot"], 2),
               **{f"exp_{k}": fmt(slopes[name], 3) for k, name in (("k", "kinetic_energy"), ("p", "pressure"),
                                                                    ("n", "n_left"))})
    narrative = (t_("story.what", **fields), t_("story.see", **see), t_("story.why"))
    return Verdict.from_checks(NAME, t_("claim"), subclaims=subs, conditions=t_("conditions", **fields),
                               measurements=meas, narrative=narrative, section=t_("section"), lang=lang)
