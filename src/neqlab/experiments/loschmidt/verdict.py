"""Verdict of ``loschmidt``: four sub-claims, each saying which entropy it is about.

Criteria (chosen before looking at the large runs):

* ``small_returns``: the small system's rms return error (free expansion) is below
  ``return_threshold``, and at least 90 % of the rise of its position entropy (free
  expansion) and of its velocity entropy -H (uniform gas) is undone;
* ``large_velocity_entropy``: after the reversal the large system's velocity entropy -H
  (uniform gas) never falls below its value at the reversal by 4 sqrt(2) standard errors
  of one estimate or more (the difference of two independent estimates, |z| < 4);
* ``large_spatial_entropy``: the same rule for its position entropy (free expansion);
  the reversed macroscopic flow makes it fail at the essay's stage (the flow memory);
* ``mechanism``: lambda t_r (two-copy lambda at the released density) is below
  ln(sigma/eps_eff) for the small system and above it for the large one, eps_eff fitted
  to the small system's return error; the bit-reversible control returns bit for bit.

The claim holds only if every sub-claim holds. A further entropy (e.g. a hydrodynamic
one) is one row of :data:`ENTROPIES` and of :data:`NO_DECREASE`, with its texts in the
catalogue (``entropy.<name>``, ``sub.large_<name>``, ``note.large_<name>``).
Reads only the dataset.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.i18n import text
from neqlab.experiments._base import Z_MAX, Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt
from neqlab.experiments.loschmidt.config import NAME
from neqlab.testing.reference import unit_roundoff

UNDONE_MIN = 0.9  # fraction of an entropy rise a reversal must undo to count as "returned"
# entropy -> (data variable, sign that turns it into an entropy)
ENTROPIES = {"spatial_entropy": ("spatial_entropy", 1.0), "velocity_entropy": ("h_function", -1.0),
             "mu_entropy": ("mu_entropy", 1.0)}
# the small system returns in these entropies: (protocol, entropy)
RETURNS = (("expansion", "spatial_entropy"), ("velocity", "velocity_entropy"))
# the large system shows no decrease of these: (protocol, entropy), one sub-claim each
NO_DECREASE = (("velocity", "velocity_entropy"), ("expansion", "spatial_entropy"))


def _k_rev(ds, protocol: str, n: int) -> int:
    tr = float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))
    return int(np.argmin(np.abs(ds["t"].values - tr)))


def entropy_changes(ds, protocol: str, n: int, entropy: str) -> dict[str, float]:
    """Rise before the reversal, fraction undone at the end, largest fall after the reversal
    [k_B] and that fall in standard errors of a difference of two estimates (sqrt 2 err)."""
    name, sign = ENTROPIES[entropy]
    k = _k_rev(ds, protocol, n)
    y = sign * ds[name].sel(protocol=protocol, n_particles=n).values
    err = ds[f"{name}_err"].sel(protocol=protocol, n_particles=n).values
    y_end = y[2 * k] if 2 * k < y.size else np.nan
    rise = y[k] - y[0]
    rise_err = math.hypot(err[0], err[k])
    fall = y[k] - np.nanmin(y[k: 2 * k + 1])
    return {"rise": float(rise), "rise_err": float(rise_err),
            "undone": float((y[k] - y_end) / rise) if rise != 0 else float("nan"),
            "max_fall": float(fall),
            "max_fall_z": float(fall / (math.sqrt(2.0) * err[k])) if err[k] > 0 else float("nan")}


def rose(change: dict[str, float]) -> bool:
    """Did the entropy rise before the reversal by more than Z_MAX standard errors of the difference?

    Otherwise the fraction of the rise undone is a ratio of noise and is not judged.
    """
    return change["rise"] > Z_MAX * change["rise_err"]


def _end(ds, name: str, n: int, protocol: str | None = None) -> float:
    """The last finite value of a return-error series."""
    da = ds[name].sel(n_particles=n) if protocol is None else ds[name].sel(protocol=protocol, n_particles=n)
    y = da.values
    ok = np.flatnonzero(np.isfinite(y))
    return float(y[ok[-1]]) if ok.size else float("nan")


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    sizes = [int(n) for n in ds["n_particles"].values]
    small = sizes[0]
    large = sizes[-1] if len(sizes) > 1 else None
    thr = float(cfg["return_threshold"])
    lam0, lam0_err = float(ds.attrs["lyapunov_max_initial"]), float(ds.attrs["lyapunov_max_initial_err"])
    tr = {n: float(ds["reversal_time"].sel(protocol="expansion", n_particles=n)) for n in sizes}
    ent = lambda key: t_(f"entropy.{key}")  # noqa: E731
    proto = lambda key: t_(f"protocol.{key}")  # noqa: E731
    ch = {(p, e, n): entropy_changes(ds, p, n, e) for n in sizes for p in ("expansion", "velocity")
          for e in ENTROPIES}

    # eps_eff: the fitted initial error of the small system's return error (else the large one's, else the kick)
    exact_no_kick = cfg["precision"] == "exact" and cfg["eps"] == 0
    fits = [float(ds["eps_fit"].sel(protocol="expansion", n_particles=n)) for n in sizes]
    eps_eff = next((f for f in fits if math.isfinite(f) and f > 0), cfg["eps"] if cfg["eps"] > 0 else float("nan"))
    ln_eps = -math.log(eps_eff) if math.isfinite(eps_eff) and not exact_no_kick else float("nan")
    t_cross = ln_eps / lam0 if math.isfinite(ln_eps) and lam0 > 0 else float("nan")
    err_small = _end(ds, "return_error", small, "expansion")
    err_large = _end(ds, "return_error", large, "expansion") if large else float("nan")

    # small_returns
    checks = [Check("return_error_small", t_("check.return_error_small", n=small), err_small, None,
                    Bound.below(thr), "sigma")]
    for p, e in RETURNS:
        c = ch[(p, e, small)]
        ok = rose(c) and math.isfinite(c["undone"])
        note = "" if ok else t_("note.no_rise", rise=fmt(c["rise"], 3), err=fmt(c["rise_err"], 2), z=fmt(Z_MAX))
        checks.append(Check(f"{e}_undone_small", t_("check.undone_small", entropy=ent(e), n=small, protocol=proto(p)),
                            c["undone"] if ok else None, None, Bound.above(UNDONE_MIN), note=note))
    subs = [SubClaim("small_returns", t_("sub.small_returns", n=small, thr=fmt(thr)), checks,
                     note=t_("note.small_returns", ln_eps=fmt(_finite(ln_eps), 3), t_cross=fmt(_finite(t_cross), 3)))]

    # the large system: no decrease, one sub-claim per entropy
    for p, e in NO_DECREASE:
        label = t_("check.max_fall_z_large", entropy=ent(e), n=large if large else "—", protocol=proto(p))
        if large is None:
            c = Check(f"{e}_max_fall_z_large", label, None, None, Bound.below(Z_MAX), note=t_("note.no_large"))
        else:
            z = ch[(p, e, large)]["max_fall_z"]
            c = Check(f"{e}_max_fall_z_large", label, z, None, Bound.below(Z_MAX),
                      note="" if math.isfinite(z) else t_("note.no_error"))
        undone = ch[(p, e, large)]["undone"] if large else float("nan")
        subs.append(SubClaim(f"large_{e}", t_(f"sub.large_{e}", n=large if large else "—"), (c,),
                             note=t_(f"note.large_{e}", t_cross=fmt(_finite(t_cross), 3),
                                     undone=fmt(_finite(100 * undone), 3), err=fmt(_finite(err_large), 2))))

    # mechanism
    mech = []
    for tag, n, bound in (("small", small, Bound.below(0.0)), ("large", large, Bound.above(0.0, strict=True))):
        label = t_("check.lambda_t_reverse", n=n if n else "—", t=fmt(tr[n]) if n else "—")
        if n is None or not math.isfinite(ln_eps):
            note = t_("note.no_large") if n is None else t_("note.exact_no_kick") if exact_no_kick else t_("note.no_fit")
            mech.append(Check(f"lambda_t_reverse_{tag}", label, None, None, bound, note=note))
        else:
            mech.append(Check(f"lambda_t_reverse_{tag}", label, lam0 * tr[n] - ln_eps, lam0_err * tr[n], bound))
    for tag, n in (("small", small), ("large", large)):
        label = t_("check.control_bitwise", n=n if n else "—")
        value = float(ds["control_returned_bitwise"].sel(n_particles=n)) if n else None
        mech.append(Check(f"control_bitwise_{tag}", label, value, 0.0, Bound.exact(1.0),
                          note="" if n else t_("note.no_large")))
    subs.append(SubClaim("mechanism", t_("sub.mechanism"), mech, note=t_("note.mechanism", t_cross=fmt(_finite(t_cross), 3))))

    measurements = _measurements(ds, cfg, t_, sizes, tr, ch, eps_eff, ln_eps)
    fields = _fields(ds, cfg, t_, sizes, tr, ch, eps_eff, ln_eps, t_cross, lam0)
    if exact_no_kick:
        why = t_("story.why.exact", lam=fmt(lam0, 3), t_cross_f64=fmt(-math.log(unit_roundoff("f64")) / lam0, 3))
    elif large is not None and err_large >= thr:
        why = t_("story.why.lost", **fields)
    else:
        why = t_("story.why.kept", **fields)
    narrative = (t_("story.what", **fields), t_("story.see", **fields), why)
    return Verdict.from_checks(NAME, t_("claim"), subclaims=subs, conditions=_conditions(ds, cfg, t_, sizes),
                               measurements=measurements, narrative=narrative, section=t_("section"), lang=lang)


def _measurements(ds, cfg, t_, sizes, tr, ch, eps_eff, ln_eps) -> tuple[Measurement, ...]:
    ent = lambda key: t_(f"entropy.{key}")  # noqa: E731
    density0 = cfg["density"] / cfg["fill"]
    out = [Measurement("lyapunov_max", t_("measure.lyapunov_max", density=fmt(cfg["density"])),
                       ds.attrs["lyapunov_max"], ds.attrs["lyapunov_max_err"], "tau^-1"),
           Measurement("lyapunov_max_initial", t_("measure.lyapunov_max_initial", density=fmt(density0)),
                       ds.attrs["lyapunov_max_initial"], ds.attrs["lyapunov_max_initial_err"], "tau^-1")]
    tags = ("small", "large")
    for tag, n in zip(tags, sizes):
        out.append(Measurement(f"t_reverse_{tag}", t_("measure.t_reverse", n=n), tr[n], None, "tau"))
        out.append(Measurement(f"box_length_{tag}", t_("measure.box_length", n=n),
                               float(ds["box_length"].sel(n_particles=n).values[0]), None, "sigma"))
    if len(sizes) > 1:
        out.append(Measurement("return_error_large", t_("measure.return_error_large", n=sizes[-1]),
                               _end(ds, "return_error", sizes[-1], "expansion"), None, "sigma"))
    for tag, n in zip(tags, sizes):
        out.append(Measurement(f"return_error_velocity_{tag}", t_("measure.return_error_velocity", n=n),
                               _end(ds, "return_error", n, "velocity"), None, "sigma"))
    for tag, n in zip(tags, sizes):
        g = float(ds["growth_rate"].sel(protocol="expansion", n_particles=n))
        out.append(Measurement(f"growth_rate_{tag}", t_("measure.growth_rate", n=n), g, None, "tau^-1"))
        out.append(Measurement(f"eps_eff_{tag}", t_("measure.eps_eff", n=n),
                               float(ds["eps_fit"].sel(protocol="expansion", n_particles=n)), None, "sigma"))
        out.append(Measurement(f"growth_t_reverse_{tag}", t_("measure.growth_t_reverse", n=n), g * tr[n]))
    out.append(Measurement("ln_sigma_over_eps_eff", t_("measure.ln_sigma_over_eps_eff"), ln_eps))
    for p, e in (("expansion", "spatial_entropy"), ("velocity", "velocity_entropy")):
        for tag, n in zip(tags, sizes):
            c = ch[(p, e, n)]
            out.append(Measurement(f"{e}_rise_{tag}", t_("measure.rise", entropy=ent(e), n=n), c["rise"], None, "k_B"))
            if tag == "large":
                out.append(Measurement(f"{e}_undone_{tag}", t_("measure.undone", entropy=ent(e), n=n), c["undone"]))
    for tag, n in zip(tags, sizes):
        out.append(Measurement(f"mu_entropy_change_forward_{tag}", t_("measure.mu_entropy_change_forward", n=n),
                               ch[("expansion", "mu_entropy", n)]["rise"], None, "k_B"))
    if "map_growth_rate_median" in ds.attrs:
        out.append(Measurement("map_growth_rate_median", t_("measure.map_growth_rate_median"),
                               ds.attrs["map_growth_rate_median"], None, "tau^-1"))
    return tuple(out)


def _fields(ds, cfg, t_, sizes, tr, ch, eps_eff, ln_eps, t_cross, lam0) -> dict[str, str]:
    small = sizes[0]
    large = sizes[-1] if len(sizes) > 1 else None
    pct = lambda x: fmt(_finite(100 * x), 3)  # noqa: E731
    get = lambda p, e, key: ch[(p, e, large)][key] if large else float("nan")  # noqa: E731
    box = ds["box_length"].values[:, 0]
    if (small, large) == (2500, 20000):
        sizes_text = t_("story.sizes_essay")
    else:
        sizes_text = t_("story.sizes_other", small=small, large=large or "—",
                        ratio=fmt(large / small, 3) if large else "—",
                        box_ratio=fmt(float(box[-1] / box[0]), 3) if large else "—")
    g = float(ds["growth_rate"].sel(protocol="expansion", n_particles=small))
    tr_small, tr_large = fmt(tr[small]), fmt(tr[large]) if large else "—"
    if cfg["f_left_reverse"] > 0:
        when = t_("story.when.stage", f=fmt(cfg["f_left_reverse"]), tr_small=tr_small, tr_large=tr_large)
    else:
        when = t_("story.when.time", tr_small=tr_small, tr_large=tr_large)
    return dict(
        dim=cfg["dimension"], density=fmt(cfg["density"]), fill_pct=fmt(100 * cfg["fill"]), small=small,
        large=large or "—", when=when, sizes=sizes_text,
        vu_small=pct(ch[("velocity", "velocity_entropy", small)]["undone"]),
        vu_large=pct(get("velocity", "velocity_entropy", "undone")),
        z_large=fmt(_finite(get("velocity", "velocity_entropy", "max_fall_z")), 3),
        xu_small=pct(ch[("expansion", "spatial_entropy", small)]["undone"]),
        xu_large=pct(get("expansion", "spatial_entropy", "undone")),
        g=fmt(_finite(g), 3), eps=fmt(_finite(eps_eff), 2),
        err_small=fmt(_finite(_end(ds, "return_error", small, "expansion")), 2),
        err_large=fmt(_finite(_end(ds, "return_error", large, "expansion")), 2) if large else "—",
        ctl=fmt(_finite(max(_end(ds, "control_return_error", n) for n in sizes)), 2),
        lam=fmt(lam0, 3), ln_eps=fmt(_finite(ln_eps), 3), t_cross=fmt(_finite(t_cross), 3),
        lt_small=fmt(lam0 * tr[small], 3), lt_large=fmt(lam0 * tr[large], 3) if large else "—",
    )


def _conditions(ds, cfg, t_, sizes) -> str:
    if cfg["f_left_reverse"] > 0:
        stage = t_("stage_fraction", f=fmt(cfg["f_left_reverse"]), t=fmt(cfg["t_reverse"]))
    else:
        stage = t_("stage_time", t=fmt(cfg["t_reverse"]))
    return t_("conditions", dim=cfg["dimension"], density=fmt(cfg["density"]), kT=fmt(cfg["kT"]),
              t_eq=fmt(cfg["t_equilibrate"]), fill_pct=fmt(100 * cfg["fill"]),
              axis=t_(f"axis_{cfg['expansion_axis']}"), small=sizes[0], large=sizes[-1] if len(sizes) > 1 else "—",
              precision=cfg["precision"], eps=fmt(cfg["eps"]), stage=stage, dt=fmt(cfg["dt"]),
              t_sample=fmt(cfg["t_sample"]), n_cells=cfg["n_cells"], thr=fmt(cfg["return_threshold"]),
              undone_pct=fmt(100 * UNDONE_MIN), z=fmt(Z_MAX), n_lyap=cfg["lyapunov_n_particles"],
              t_lyap=fmt(cfg["t_lyapunov"]), n_map=ds.sizes.get("map_point", 0), seed=cfg["seed"])
