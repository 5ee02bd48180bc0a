"""Verdict of ``loschmidt``: six sub-claims, each saying which entropy it is about.

Criteria (chosen before looking at the large runs):

* ``small_returns``: the small system's rms return error (free expansion) is below
  ``return_threshold``, and at least 90 % of the rise of its position entropy (free
  expansion) and of its velocity entropy -H (uniform gas) is undone;
* ``large_velocity_entropy``: after the reversal the large system's velocity entropy -H
  (uniform gas) never falls below its value at the reversal by 4 sqrt(2) standard errors
  of one estimate or more (the difference of two independent estimates, |z| < 4), and the
  reversal undoes at most 10 % of its rise (the mirror of the small system's 90 %; judged
  if the rise exceeds 4 errors);
* ``large_hydro_entropy``: the same two rules for its thermodynamic (local-equilibrium)
  entropy S_hydro (free expansion): how much had been produced by t_r and what fraction of
  it the reversal undoes;
* ``large_spatial_entropy``: the same two rules for its position entropy (free expansion);
  the reversed macroscopic flow makes it fail at the essay's stage (the flow memory);
* ``late_reversal``: the small system's expansion reversed at ``t_reverse_late``, once
  the flow has dissipated (its energy stayed below :data:`FLOW_LEFT_MAX` of its peak over
  the last quarter of the forward run, or over the last ln(sigma/eps_eff)/lambda if longer:
  the backward run retraces that much exactly) and with the microstate lost (return error
  at least ``return_threshold``): neither the position entropy nor S_hydro falls by the two rules;
* ``mechanism``: lambda t_r (two-copy lambda at the released density) is below
  ln(sigma/eps_eff) for the small system and above it for the large one, eps_eff fitted
  to the small system's return error; the bit-reversible control returns bit for bit.

The claim holds only if every sub-claim holds. A further entropy is one row of
:data:`ENTROPIES` and of :data:`NO_DECREASE` (or :data:`LATE`), with its texts in the
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
FLOW_LEFT_MAX = 0.1  # the flow has dissipated: at most this fraction of its peak energy left
FLOW_WINDOW = 0.25  # ... over this last fraction of the forward run
# entropy -> (data variable, sign that turns it into an entropy)
ENTROPIES = {"spatial_entropy": ("spatial_entropy", 1.0), "velocity_entropy": ("h_function", -1.0),
             "mu_entropy": ("mu_entropy", 1.0), "hydro_entropy": ("hydro_entropy", 1.0)}
# the small system returns in these entropies: (protocol, entropy)
RETURNS = (("expansion", "spatial_entropy"), ("velocity", "velocity_entropy"))
# the large system shows no decrease of these: (protocol, entropy), one sub-claim each
NO_DECREASE = (("velocity", "velocity_entropy"), ("expansion", "hydro_entropy"), ("expansion", "spatial_entropy"))
# after the late reversal none of these falls (one check each in ``late_reversal``)
LATE = ("spatial_entropy", "hydro_entropy")
# windows of the expansion over which the produced share of the positional rise is reported:
# (name, start [tau], end [tau], None: the reversal)
WINDOWS = (("first_tau", 0.0, 1.0), ("after_2_tau", 2.0, None))
EARLY = 4.0  # [tau] the early expansion, where S_hydro rose; the backward run re-creates it in its last EARLY tau
RELAXED = 2.0  # [tau] the uniform gas's velocities are Maxwell's after this (its -H has relaxed)


def _k_rev(ds, protocol: str, n: int) -> int:
    tr = float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))
    return int(np.argmin(np.abs(ds["t"].values - tr)))


def entropy_changes(ds, protocol: str, n: int, entropy: str) -> dict[str, float]:
    """Rise before the reversal, fraction undone at the end, largest fall after the reversal
    [k_B] and that fall in standard errors of a difference of two estimates (sqrt 2 err)."""
    nan = float("nan")
    if not np.isfinite(float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))):
        return {"rise": nan, "rise_err": nan, "undone": nan, "max_fall": nan, "max_fall_z": nan,
                "max_fall_z_before_end": nan}  # not run
    name, sign = ENTROPIES[entropy]
    k = _k_rev(ds, protocol, n)
    y = sign * ds[name].sel(protocol=protocol, n_particles=n).values
    err = ds[f"{name}_err"].sel(protocol=protocol, n_particles=n).values
    y_end = y[2 * k] if 2 * k < y.size else np.nan
    rise = y[k] - y[0]
    rise_err = math.hypot(err[0], err[k])
    fall = y[k] - np.nanmin(y[k: 2 * k + 1])
    t = ds["t"].values
    mid = (t[k: 2 * k + 1] <= t[2 * k] - EARLY + 1e-9) if 2 * k < t.size else np.zeros(k + 1, bool)
    fall_mid = y[k] - np.nanmin(y[k: 2 * k + 1][mid]) if mid.any() else nan
    z = lambda f: float(f / (math.sqrt(2.0) * err[k])) if err[k] > 0 else nan  # noqa: E731
    return {"rise": float(rise), "rise_err": float(rise_err),
            "undone": float((y[k] - y_end) / rise) if rise != 0 else nan,
            "max_fall": float(fall), "max_fall_z": z(fall), "max_fall_z_before_end": z(fall_mid)}


def rose(change: dict[str, float]) -> bool:
    """Did the entropy rise before the reversal by more than Z_MAX standard errors of the difference?

    Otherwise the fraction of the rise undone is a ratio of noise and is not judged.
    """
    return change["rise"] > Z_MAX * change["rise_err"]


def flow_left(ds, protocol: str, n: int, t_retrace: float = 0.0) -> float:
    """Largest flow energy over the end of the forward run, as a fraction of its peak over the
    forward run (NaN if not run or no flow).

    The end is the last :data:`FLOW_WINDOW` of the run, or the last ``t_retrace`` [tau] if
    longer: the time the backward run retraces the forward one before its microstate is lost
    (ln(sigma/eps_eff)/lambda), over which the reversal undoes whatever happened exactly.
    """
    tr = float(ds["reversal_time"].sel(protocol=protocol, n_particles=n))
    if not np.isfinite(tr):
        return float("nan")
    t = ds["t"].values
    k = _k_rev(ds, protocol, n)
    e = ds["flow_energy"].sel(protocol=protocol, n_particles=n).values[: k + 1]
    peak = np.nanmax(e) if np.isfinite(e).any() else float("nan")
    if not peak > 0:
        return float("nan")
    window = max(FLOW_WINDOW * tr, t_retrace if math.isfinite(t_retrace) else 0.0)
    return float(np.nanmax(e[t[: k + 1] >= tr - window - 1e-9]) / peak)


def produced_share(ds, n: int, t0: float, t1: float | None) -> tuple[float, float]:
    """Share of the positional rise of S_hydro between t0 and t1 [tau] (free expansion; None: t_r)
    that is entropy produced, dS_hydro / dS_positional (0: isentropic, the rise paid for by
    cooling; 1: no cooling), with the error of dS_hydro over dS_positional; NaN past t_r or for
    an empty window."""
    t = ds["t"].values
    tr = float(ds["reversal_time"].sel(protocol="expansion", n_particles=n))
    t1 = tr if t1 is None else t1
    if t1 > tr + 1e-9 or t1 <= t0 + 1e-9:
        return float("nan"), float("nan")
    a, b = int(np.argmin(np.abs(t - t0))), int(np.argmin(np.abs(t - t1)))
    sel = dict(protocol="expansion", n_particles=n)
    y, th, err = (ds[v].sel(**sel).values for v in ("hydro_entropy", "hydro_thermal_entropy", "hydro_entropy_err"))
    d_pos = (y[b] - th[b]) - (y[a] - th[a])
    if not d_pos > 0:
        return float("nan"), float("nan")
    return float((y[b] - y[a]) / d_pos), float(math.hypot(err[a], err[b]) / d_pos)


def hydro_scatter(ds, n: int) -> float:
    """Standard deviation of S_hydro over the uniform gas's forward run from :data:`RELAXED` on
    (no flow, Maxwell's velocities: constant in expectation) in units of its mean stated error;
    below 1 when the stated error is an upper bound. NaN with fewer than 3 samples."""
    k = _k_rev(ds, "velocity", n)
    t = ds["t"].values[: k + 1]
    y = ds["hydro_entropy"].sel(protocol="velocity", n_particles=n).values[: k + 1]
    err = ds["hydro_entropy_err"].sel(protocol="velocity", n_particles=n).values[: k + 1]
    ok = np.isfinite(y) & np.isfinite(err) & (t >= RELAXED - 1e-9)
    return float(np.std(y[ok], ddof=1) / np.mean(err[ok])) if ok.sum() >= 3 else float("nan")


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
    ch = {(p, e, n): entropy_changes(ds, p, n, e) for n in sizes for p in ("expansion", "velocity", "late")
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
    hy = ch[("expansion", "hydro_entropy", large)] if large else None
    scatter = hydro_scatter(ds, large) if large else float("nan")
    cell = fmt(float(ds["box_length"].sel(n_particles=large).values[0] / ds["hydro_n_cells"].sel(n_particles=large)),
               3) if large else "—"
    for p, e in NO_DECREASE:
        n_text = large if large else "—"
        checks = no_decrease(t_, ch[(p, e, large)] if large else None, e, "large", n_text, proto(p))
        undone = ch[(p, e, large)]["undone"] if large else float("nan")
        subs.append(SubClaim(f"large_{e}", t_(f"sub.large_{e}", n=n_text), checks,
                             note=t_(f"note.large_{e}", t_cross=fmt(_finite(t_cross), 3),
                                     undone=fmt(_finite(100 * undone), 3), err=fmt(_finite(err_large), 2),
                                     rise=fmt(_finite(hy["rise"]) if hy else None, 3),
                                     rise_err=fmt(_finite(hy["rise_err"]) if hy else None, 2),
                                     scatter=fmt(_finite(scatter), 2), early=fmt(EARLY), cell=cell)))

    subs.append(_late(ds, t_, small, thr, ch, t_cross))

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

    measurements = _measurements(ds, cfg, t_, sizes, tr, ch, ln_eps)
    sep = "" if lang == "ja" else " "
    fields = _fields(ds, cfg, t_, sizes, tr, ch, eps_eff, ln_eps, t_cross, lam0)
    if exact_no_kick:
        why = t_("story.why.exact", lam=fmt(lam0, 3), t_cross_f64=fmt(-math.log(unit_roundoff("f64")) / lam0, 3))
    elif large is not None and err_large >= thr:
        hydro_holds = next(sc for sc in subs if sc.name == "large_hydro_entropy").holds
        why = sep.join([t_("story.why.lost", **fields),
                        t_("story.why.hydro_kept" if hydro_holds else "story.why.hydro_fell", **fields),
                        t_("story.why.late", **fields)])
    else:
        why = t_("story.why.kept", **fields)
    see = [t_("story.see.intro", **fields)]
    if large is not None:
        see.append(t_("story.see.large_lost" if err_large >= thr else "story.see.large_back", **fields))
        see.append(t_("story.see.parts" if fields["share"] != "n/a" else "story.see.parts_short", **fields))
    see.append(t_("story.see.rest", **fields))
    narrative = (t_("story.what", **fields), sep.join(see), why)
    return Verdict.from_checks(NAME, t_("claim"), subclaims=subs, conditions=_conditions(ds, cfg, t_, sizes),
                               measurements=measurements, narrative=narrative, section=t_("section"), lang=lang)


def no_decrease(t_, change: dict[str, float] | None, entropy: str, tag: str, n, protocol: str) -> list[Check]:
    """The two checks of "no decrease" after a reversal: the largest fall stays below Z_MAX
    standard errors of a difference, and at most 1 - UNDONE_MIN of the rise is undone at the end
    (judged only if the entropy rose by more than Z_MAX errors; ``change`` None: no such run)."""
    ent = t_(f"entropy.{entropy}")
    z_label = t_(f"check.max_fall_z_{tag}", entropy=ent, n=n, protocol=protocol)
    u_label = t_(f"check.undone_{tag}", entropy=ent, n=n, protocol=protocol)
    z_bound, u_bound = Bound.below(Z_MAX), Bound.below(1.0 - UNDONE_MIN, strict=False)
    if change is None:
        note = t_("note.no_large")
        return [Check(f"{entropy}_max_fall_z_{tag}", z_label, None, None, z_bound, note=note),
                Check(f"{entropy}_undone_{tag}", u_label, None, None, u_bound, note=note)]
    z = change["max_fall_z"]
    ok = rose(change) and math.isfinite(change["undone"])
    return [Check(f"{entropy}_max_fall_z_{tag}", z_label, z, None, z_bound,
                  note="" if math.isfinite(z) else t_("note.no_error")),
            Check(f"{entropy}_undone_{tag}", u_label, change["undone"] if ok else None, None, u_bound,
                  note="" if ok else t_("note.no_rise", rise=fmt(change["rise"], 3), err=fmt(change["rise_err"], 2),
                                         z=fmt(Z_MAX)))]


def _late(ds, t_, small, thr, ch, t_cross) -> SubClaim:
    """The late reversal: the flow has dissipated and the microstate is lost, and no entropy of LATE falls."""
    t_late = float(ds["reversal_time"].sel(protocol="late", n_particles=small))
    left = flow_left(ds, "late", small, t_cross)
    window = max(FLOW_WINDOW * t_late, t_cross if math.isfinite(t_cross) else 0.0)
    checks = [Check("flow_left_late", t_("check.flow_left_late", n=small, window=fmt(window, 3)),
                    left, None, Bound.below(FLOW_LEFT_MAX, strict=False),
                    note="" if math.isfinite(left) else t_("note.no_flow")),
              Check("return_error_late", t_("check.return_error_late", n=small),
                    _end(ds, "return_error", small, "late"), None, Bound.above(thr), "sigma")]
    for e in LATE:
        checks += no_decrease(t_, ch[("late", e, small)], e, "late", small, t_("protocol.late"))
    return SubClaim("late_reversal", t_("sub.late_reversal", n=small, t=fmt(t_late)), checks,
                    note=t_("note.late_reversal", flow_pct=fmt(100 * FLOW_LEFT_MAX)))


def _measurements(ds, cfg, t_, sizes, tr, ch, ln_eps) -> tuple[Measurement, ...]:
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
    for p, e in (("expansion", "spatial_entropy"), ("expansion", "hydro_entropy"), ("velocity", "velocity_entropy")):
        for tag, n in zip(tags, sizes):
            c = ch[(p, e, n)]
            out.append(Measurement(f"{e}_rise_{tag}", t_("measure.rise", entropy=ent(e), n=n), c["rise"],
                                   c["rise_err"] if e == "hydro_entropy" else None, "k_B"))
        if e == "hydro_entropy":  # the large system's fraction undone is a check of large_hydro_entropy
            c = ch[(p, e, sizes[0])]
            out.append(Measurement(f"{e}_undone_small", t_("measure.undone", entropy=ent(e), n=sizes[0]), c["undone"]))
    for tag, n in zip(tags, sizes):
        out.append(Measurement(f"mu_entropy_change_forward_{tag}", t_("measure.mu_entropy_change_forward", n=n),
                               ch[("expansion", "mu_entropy", n)]["rise"], None, "k_B"))
    if len(sizes) > 1:
        out.append(Measurement("hydro_entropy_max_fall_z_before_end_large",
                               t_("measure.max_fall_z_before_end", entropy=ent("hydro_entropy"), n=sizes[-1],
                                  early=fmt(EARLY)),
                               ch[("expansion", "hydro_entropy", sizes[-1])]["max_fall_z_before_end"]))
    for tag, n in zip(tags, sizes):
        k = _k_rev(ds, "expansion", n)
        out.append(Measurement(f"flow_energy_reversal_{tag}", t_("measure.flow_energy_reversal", n=n),
                               float(ds["flow_energy"].sel(protocol="expansion", n_particles=n).values[k]), None,
                               "epsilon"))
        for name, t0, t1 in WINDOWS:
            share, share_err = produced_share(ds, n, t0, t1)
            t1_text = fmt(t1) if t1 is not None else fmt(float(ds["reversal_time"].sel(protocol="expansion",
                                                                                       n_particles=n)))
            out.append(Measurement(f"produced_share_{name}_{tag}",
                                   t_("measure.produced_share", n=n, t0=fmt(t0), t1=t1_text), share, share_err))
        out.append(Measurement(f"hydro_entropy_scatter_{tag}", t_("measure.hydro_entropy_scatter", n=n),
                               hydro_scatter(ds, n)))
    small = sizes[0]
    out.append(Measurement("t_reverse_late", t_("measure.t_reverse_late", n=small),
                           float(ds["reversal_time"].sel(protocol="late", n_particles=small)), None, "tau"))
    for e in LATE:
        out.append(Measurement(f"{e}_rise_late", t_("measure.rise_late", entropy=ent(e), n=small),
                               ch[("late", e, small)]["rise"], None, "k_B"))
    if "map_growth_rate_median" in ds.attrs:
        out.append(Measurement("map_growth_rate_median", t_("measure.map_growth_rate_median"),
                               ds.attrs["map_growth_rate_median"], None, "tau^-1"))
    return tuple(out)


def _fields(ds, cfg, t_, sizes, tr, ch, eps_eff, ln_eps, t_cross, lam0) -> dict[str, str]:
    """The numbers the narrative quotes, formatted (n/a where a size or a value is missing)."""
    small = sizes[0]
    large = sizes[-1] if len(sizes) > 1 else None
    box = ds["box_length"].values[:, 0]
    if (small, large) == (2500, 20000):
        sizes_text = t_("story.sizes_essay")
    else:
        sizes_text = t_("story.sizes_other", small=small, large=large or "—",
                        ratio=fmt(large / small, 3) if large else "—",
                        box_ratio=fmt(float(box[-1] / box[0]), 3) if large else "—")
    tr_small, tr_large = fmt(tr[small]), fmt(tr[large]) if large else "—"
    if cfg["f_left_reverse"] > 0:
        when = t_("story.when.stage", f=fmt(cfg["f_left_reverse"]), tr_small=tr_small, tr_large=tr_large)
    else:
        when = t_("story.when.time", tr_small=tr_small, tr_large=tr_large)
    pct = lambda x: fmt(_finite(100 * x), 3)  # noqa: E731
    num = lambda x, d=3: fmt(_finite(x), d)  # noqa: E731
    get = lambda p, e, key, n=large: ch[(p, e, n)][key] if n else float("nan")  # noqa: E731
    g = float(ds["growth_rate"].sel(protocol="expansion", n_particles=small))
    k_large = _k_rev(ds, "expansion", large) if large else None
    share, share_err = produced_share(ds, large, *WINDOWS[1][1:]) if large else (float("nan"), float("nan"))
    share0, _ = produced_share(ds, large, *WINDOWS[0][1:]) if large else (float("nan"), float("nan"))
    return dict(
        dim=cfg["dimension"], density=fmt(cfg["density"]), fill_pct=fmt(100 * cfg["fill"]), small=small,
        large=large or "—", when=when, sizes=sizes_text, n_cells=cfg["n_cells"],
        t_late=fmt(float(ds["reversal_time"].sel(protocol="late", n_particles=small))),
        vu_small=pct(ch[("velocity", "velocity_entropy", small)]["undone"]),
        vu_large=pct(get("velocity", "velocity_entropy", "undone")),
        z_large=num(get("velocity", "velocity_entropy", "max_fall_z")),
        xr_small=num(ch[("expansion", "spatial_entropy", small)]["rise"]),
        xr_large=num(get("expansion", "spatial_entropy", "rise")),
        xu_small=pct(ch[("expansion", "spatial_entropy", small)]["undone"]),
        xu_large=pct(get("expansion", "spatial_entropy", "undone")),
        yr_small=num(ch[("expansion", "hydro_entropy", small)]["rise"]),
        ye_small=num(ch[("expansion", "hydro_entropy", small)]["rise_err"], 2),
        yr_large=num(get("expansion", "hydro_entropy", "rise")),
        ye_large=num(get("expansion", "hydro_entropy", "rise_err"), 2),
        yu_small=pct(ch[("expansion", "hydro_entropy", small)]["undone"]),
        yu_large=pct(get("expansion", "hydro_entropy", "undone")),
        yz_large=num(get("expansion", "hydro_entropy", "max_fall_z")),
        yz_mid=num(get("expansion", "hydro_entropy", "max_fall_z_before_end")), early=fmt(EARLY),
        share0=pct(share0), share=pct(share), share_err=pct(share_err),
        flow_large=num(float(ds["flow_energy"].sel(protocol="expansion", n_particles=large).values[k_large]))
        if large else "n/a",
        flow_pct=pct(flow_left(ds, "late", small, t_cross)),
        xz_late=num(ch[("late", "spatial_entropy", small)]["max_fall_z"]),
        yz_late=num(ch[("late", "hydro_entropy", small)]["max_fall_z"]),
        err_late=num(_end(ds, "return_error", small, "late"), 2),
        g=num(g), eps=num(eps_eff, 2),
        err_small=num(_end(ds, "return_error", small, "expansion"), 2),
        err_large=num(_end(ds, "return_error", large, "expansion"), 2) if large else "—",
        ctl=num(max(_end(ds, "control_return_error", n) for n in sizes), 2),
        lam=fmt(lam0, 3), ln_eps=num(ln_eps), t_cross=num(t_cross),
        lt_small=fmt(lam0 * tr[small], 3), lt_large=fmt(lam0 * tr[large], 3) if large else "—",
    )


def _conditions(ds, cfg, t_, sizes) -> str:
    if cfg["f_left_reverse"] > 0:
        stage = t_("stage_fraction", f=fmt(cfg["f_left_reverse"]), t=fmt(cfg["t_reverse"]))
    else:
        stage = t_("stage_time", t=fmt(cfg["t_reverse"]))
    hc = ds["hydro_n_cells"].values
    return t_("conditions", dim=cfg["dimension"], density=fmt(cfg["density"]), kT=fmt(cfg["kT"]),
              t_eq=fmt(cfg["t_equilibrate"]), fill_pct=fmt(100 * cfg["fill"]),
              axis=t_(f"axis_{cfg['expansion_axis']}"), small=sizes[0], large=sizes[-1] if len(sizes) > 1 else "—",
              precision=cfg["precision"], eps=fmt(cfg["eps"]), stage=stage, t_late=fmt(cfg["t_reverse_late"]),
              dt=fmt(cfg["dt"]), t_sample=fmt(cfg["t_sample"]), n_cells=cfg["n_cells"],
              hydro_cells=" / ".join(str(int(m)) for m in hc), thr=fmt(cfg["return_threshold"]),
              undone_pct=fmt(100 * UNDONE_MIN), undone_rest_pct=fmt(100 * (1 - UNDONE_MIN)), z=fmt(Z_MAX), flow_pct=fmt(100 * FLOW_LEFT_MAX),
              window_pct=fmt(100 * FLOW_WINDOW), n_lyap=cfg["lyapunov_n_particles"],
              t_lyap=fmt(cfg["t_lyapunov"]), n_map=ds.sizes.get("map_point", 0), seed=cfg["seed"])
