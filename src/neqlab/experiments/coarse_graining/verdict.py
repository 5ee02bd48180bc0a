"""Verdict of ``coarse_graining``: three sub-claims, judged separately (reads only the dataset).

* ``ks_rate``: the growth rate of S_cg = ln(touched cells) in its linear stage
  (S(0) + 1 <= S <= ln M - 1 at the smallest cell size, fixed before looking) equals the
  KS entropy within |z| < 4; the error combines the spread over independent regions, the
  fit-window systematic (see :func:`neqlab.observables.cells.growth_rate`) and the KS
  error;
* ``integrable_slow``: under the integrable shear, in the same window, S_cg grows at
  less than half the chaotic rate (the bound stated with the experiment before looking);
* ``monotonic``: the essay says the coarse-grained volume increases monotonically. Every
  fall of ln(touched cells) is a violation (cell counts are exact integers, so the
  bound is "= 0"): one row per cell size for the forward runs while S_cg grows
  (S < ln M - 0.5; after saturation a cloud of N points leaves about M e^{-N/M} cells
  empty by chance, which is sampling, not a property of the region), one for the exact
  reversal, one for the finite lattice.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.i18n import text
from neqlab.experiments._base import Z_MAX, Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt
from neqlab.experiments.coarse_graining.config import NAME
from neqlab.observables.cells import growth_rate, largest_drop, linear_stage, saturation_time
from neqlab.testing import reference as ref

SATURATION_MARGIN = 0.5  # S >= ln M - 0.5 (about 60 % of the cells touched) counts as saturated
INTEGRABLE_MAX_RATIO = 0.5  # "slowly": the shear's rate below half the chaotic one
DROP_TOL = 1e-12  # a fall smaller than this is float round-off in ln(count), not a fall


def _slope(t, s) -> float:
    return float(np.polyfit(t, s, 1)[0])


def _side(cell_size: float) -> int:
    return int(round(1.0 / cell_size))


def _frac(x: float) -> str:
    """A length in torus sides as a reader writes it: 1/512, or a decimal."""
    inv = 1.0 / x
    return f"1/{round(inv)}" if abs(inv - round(inv)) < 1e-9 else fmt(x)


def _falls(v: np.ndarray, ln_m: np.ndarray) -> dict[str, np.ndarray]:
    """One-step falls -dS > 0 of curves v (region, t, cell), split at saturation (per cell size)."""
    d = np.diff(v, axis=1)
    growing = v[:, 1:, :] < ln_m[None, None, :] - SATURATION_MARGIN
    fall = d < -DROP_TOL
    return {"fall": fall, "growing": growing, "size": np.where(fall, -d, 0.0)}


def analyse(ds) -> dict:
    """The numbers the verdict judges and reports (no text)."""
    cs = ds["cell_size"].values
    ln_m_all = ds["ln_n_cells"].values
    j = int(np.argmin(cs))
    ln_m = float(ln_m_all[j])
    t = ds["t"].values.astype(float)
    rate, rate_err = growth_rate(t, ds["cg_entropy_replica"].values[:, :, j], ln_m)
    w0 = linear_stage(ds["cg_entropy"].values[:, j], ln_m)
    integ = ds["cg_entropy_integrable"].values[:, j]
    integ_rate = _slope(t[w0], integ[w0]) if w0.size >= 2 else float("nan")
    tsat = np.array([saturation_time(t, ds["cg_entropy"].values[:, c], float(ln_m_all[c]), SATURATION_MARGIN)
                     for c in range(cs.size)])
    ok = np.isfinite(tsat)
    sat_slope = _slope(np.log(1.0 / cs[ok]), tsat[ok]) if ok.sum() >= 2 else float("nan")

    out = {"j": j, "rate": rate, "rate_err": rate_err, "integrable_rate": integ_rate,
           "window": (float(t[w0[0]]), float(t[w0[-1]])) if w0.size else None,
           "saturation_time": tsat, "saturation_slope": sat_slope}
    for kind, name in (("touched", "cg_entropy_replica"), ("gibbs", "cg_entropy_gibbs_replica")):
        f = _falls(ds[name].values, ln_m_all)
        grow = f["fall"] & f["growing"]
        size_growing = np.where(grow, f["size"], 0.0)
        out[kind] = {
            "n_falls": int(f["fall"].sum()),
            "n_falls_growing": int(grow.sum()),
            "largest_growing_per_cell": size_growing.max(axis=(0, 1)),  # (cell_size,)
            "largest_growing": float(size_growing.max()),
            "where_growing": np.unravel_index(int(np.argmax(size_growing)), size_growing.shape),
        }
    out["reversal_drop"] = largest_drop(ds["cg_entropy_reversal"].values[:, j])[0]
    lat = ds["cg_entropy_lattice"].values
    drops = [largest_drop(lat[:, c]) for c in range(lat.shape[1])]
    c_best = int(np.argmax([d for d, _ in drops]))
    out["lattice"] = {"drop": drops[c_best][0], "t": int(ds["t_lattice"].values[drops[c_best][1]]), "c": c_best}
    return out


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    a = analyse(ds)
    cs = ds["cell_size"].values
    j = a["j"]
    m = _side(cs[j])
    ks, ks_err = float(ds.attrs["ks_entropy"]), float(ds.attrs["ks_entropy_err"])
    n_reg = int(ds.sizes["replica"])
    rate, rate_err = a["rate"], a["rate_err"]

    # ks_rate
    if a["window"] is None or not math.isfinite(rate):
        label, note = t_("check.growth_rate_nowindow", m=m), t_("note.no_window", m=m)
    else:
        label = t_("check.growth_rate", t0=fmt(a["window"][0]), t1=fmt(a["window"][1]), m=m, n=n_reg)
        note = "" if math.isfinite(rate_err) else t_("note.one_region")
    err = math.hypot(rate_err, ks_err) if math.isfinite(rate_err) else None
    ks_sub = SubClaim("ks_rate", t_("sub.ks_rate"), (
        Check("growth_rate", label, rate, err, Bound.equal(ks, Z_MAX), "step^-1", note=note),
    ), note=t_("note.ks_rate"))

    # integrable_slow
    ratio = a["integrable_rate"] / rate if math.isfinite(rate) and rate > 0 else float("nan")
    ratio = ratio if math.isfinite(ratio) else None
    integ_sub = SubClaim("integrable_slow", t_("sub.integrable_slow"), (
        Check("integrable_ratio", t_("check.integrable_ratio", m=m), ratio, None, Bound.below(INTEGRABLE_MAX_RATIO),
              note="" if ratio is not None else t_("note.no_window", m=m)),
    ), note=t_("note.integrable_slow"))

    # monotonic
    names = [f"forward_fall_{_side(c)}" for c in cs]
    names = [n if names.count(n) == 1 else f"{n}_{k}" for k, n in enumerate(names)]  # a repeated cell size
    mono = [Check(names[k], t_("check.forward_fall", m=_side(c)), float(a["touched"]["largest_growing_per_cell"][k]),
                  None, Bound.exact(0.0), "k_B")
            for k, c in enumerate(cs)]
    n_rev = int(cfg["n_reverse"])
    mono.append(Check("reversal_fall", t_("check.reversal_fall", n=n_rev, m=m), a["reversal_drop"], None,
                      Bound.exact(0.0), "k_B"))
    lat = a["lattice"]
    n_lat = 2 ** int(cfg["lattice_bits"])
    mono.append(Check("lattice_fall", t_("check.lattice_fall", n=n_lat, m=_side(cs[lat["c"]]), t=lat["t"]),
                      lat["drop"], None, Bound.exact(0.0), "k_B"))
    period = int(ds.attrs["lattice_period"])
    period_exact = ref.cat_map_lattice_period(int(cfg["lattice_bits"]))
    mono_sub = SubClaim("monotonic", t_("sub.monotonic"), mono,
                        note=t_("note.monotonic", n=n_lat, period=period_exact))

    tf = a["touched"]
    gf = a["gibbs"]
    inv_ks = fmt(1.0 / ks, 3) if ks > 0 else fmt(None)
    measurements = (
        Measurement("ks_entropy", t_("measure.ks_entropy"), ks, ks_err, "step^-1"),
        Measurement("integrable_rate", t_("measure.integrable_rate"), a["integrable_rate"], None, "step^-1"),
        Measurement("saturation_slope", t_("measure.saturation_slope", inv_ks=inv_ks),
                    a["saturation_slope"], None, "step"),
        Measurement("forward_falls", t_("measure.forward_falls"), tf["n_falls"]),
        Measurement("forward_falls_growing", t_("measure.forward_falls_growing"), tf["n_falls_growing"]),
        Measurement("gibbs_falls", t_("measure.gibbs_falls"), gf["n_falls"]),
        Measurement("gibbs_falls_growing", t_("measure.gibbs_falls_growing"), gf["n_falls_growing"]),
        Measurement("gibbs_largest_fall_growing", t_("measure.gibbs_largest_fall_growing"), gf["largest_growing"],
                    None, "k_B"),
        Measurement("reversal_max_error", t_("measure.reversal_max_error"), float(ds.attrs["reversal_max_error"])),
        Measurement("lattice_period", t_("measure.lattice_period", n=n_lat, exact=period_exact),
                    period or None, None, "step"),
    )

    sides = ", ".join(f"1/{_side(c)}" for c in cs)
    fields = dict(n_points=cfg["n_points"], n_regions=n_reg, w=_frac(cfg["region_size"]), sides=sides,
                  n_steps=cfg["n_steps"], n_rev=n_rev, n_lat=n_lat, n_lat_steps=cfg["n_lattice_steps"],
                  z=fmt(Z_MAX), seed=cfg["seed"], m=m)
    model_name = t_(f"model.{cfg['model']}", k=fmt(cfg["k"]))
    tw = tf["where_growing"]
    per_cell = tf["largest_growing_per_cell"]
    where = ", ".join(f"1/{_side(c)}" for c, x in zip(cs, per_cell) if x > 0)
    clean = ", ".join(f"1/{_side(c)}" for c, x in zip(cs, per_cell) if x == 0)
    if tf["n_falls_growing"]:
        forward = t_("story.forward_some" if clean else "story.forward_all", n=tf["n_falls_growing"],
                     size=fmt(tf["largest_growing"], 3), t=int(ds["t"].values[tw[1] + 1]), where=where, clean=clean)
    else:
        forward = t_("story.forward_none")
    narrative = (
        t_("story.what", model_name=model_name, **fields),
        t_("story.see", rate=fmt(rate, 3), ks=fmt(ks, 4), integ=fmt(a["integrable_rate"], 2),
           sat=fmt(a["saturation_slope"], 3), inv_ks=inv_ks, rev=fmt(a["reversal_drop"], 3), n_rev=n_rev,
           n_lat=n_lat, lat=fmt(lat["drop"], 3), t_lat=lat["t"], period=period_exact, forward=forward),
        t_("story.why", period=period_exact, n_lat=n_lat),
    )
    return Verdict.from_checks(NAME, t_("claim"), subclaims=(ks_sub, integ_sub, mono_sub),
                               conditions=t_("conditions", model_name=model_name, **fields),
                               measurements=measurements, narrative=narrative, section=t_("section"), lang=lang)
