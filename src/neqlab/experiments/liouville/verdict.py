"""Verdict of ``liouville``: three sub-claims, each with its own checks.

* ``volume``: every symplectic case (cat and standard maps; pendulum and oscillator with
  leapfrog and yoshida4) keeps |A(t)/A(0) - 1| <= 1e-10 on every record after the start
  while its boundary is resolved (inconclusive if it never is);
* ``gibbs``: the Gaussian ensemble of the oscillator under leapfrog and yoshida4 keeps
  1/2 ln det(2 pi e Sigma) constant to 1e-12 (round-off only: a linear map with det 1);
* ``not_symplectic``: explicit Euler and RK4 multiply the oscillator's area by exactly
  (det J)^n (1 + h^2 and 1 - h^6/72 + h^8/576 per step, 1e-12 relative) and Euler its
  Gibbs entropy by n ln(1 + h^2) (1e-9); on the pendulum both change the area by more
  than 100 times the conservation tolerance.

The dissipative Henon map's area ratio per step (exact |b|) is reported, not judged: at
the quick scale its last record (area 7e-5 of the start on 8109 vertices folded along the
attractor) is 1.25e-8 off |b| relative, beyond the old SMALL-scale tolerance (1e-8):
round-off and boundary discretisation of a shrinking area, not dynamics.

Reads only the dataset.
"""

from __future__ import annotations

import numpy as np

from neqlab.core.i18n import text
from neqlab.experiments._base import Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt
from neqlab.experiments.liouville.config import NAME, SUBSAMPLE
from neqlab.testing import reference as ref

AREA_TOL = 1e-10  # relative area change allowed to symplectic dynamics: round-off in filaments ~1e4 long
GIBBS_TOL = 1e-12  # change of the Gaussian entropy under a linear det-1 map: round-off only (measured few 1e-15)
RATIO_RTOL = 1e-12  # area ratio of a linear map against (det J)^n: round-off of the shoelace sums (~1e-13)
GIBBS_RTOL = 1e-9  # Gibbs entropy change against n ln det J: round-off of the sample covariance
CHANGE_FACTOR = 100.0  # a non-symplectic change must exceed the conservation tolerance this many times
SYMPLECTIC_CASES = ("cat", "standard", "pendulum/leapfrog", "pendulum/yoshida4", "oscillator/leapfrog",
                    "oscillator/yoshida4")


def series(ds, case: str, var: str) -> tuple[np.ndarray, np.ndarray]:
    """(time [steps for maps, tau for flows], values) of ``var`` for a case 'map' or 'system/integrator'."""
    if "/" in case:
        system, integrator = case.split("/")
        return ds["t"].values, ds[f"flow_{var}"].sel(system=system, integrator=integrator).values
    return ds["step"].values, ds[f"map_{var}"].sel(map=case).values


def resolved_records(ds, case: str) -> np.ndarray:
    """Indices of the records after the start at which the boundary is resolved (its area known)."""
    _, ok = series(ds, case, "resolved")
    _, area = series(ds, case, "area")
    return np.flatnonzero(ok.astype(bool) & np.isfinite(area) & (np.arange(ok.size) > 0))


def _why_missing(ds, case: str, t_) -> str:
    _, area = series(ds, case, "area")
    return t_("note.unresolved") if not np.isfinite(area[0]) else t_("note.resolved_only_at_start")


def max_area_change(ds, case: str) -> float | None:
    idx = resolved_records(ds, case)
    if idx.size == 0:
        return None
    _, rel = series(ds, case, "area_rel_change")
    return float(np.max(np.abs(rel[idx])))


def _key(case: str) -> str:
    return case.replace("/", "_")


def volume_checks(ds, t_) -> list[Check]:
    out = []
    for case in SYMPLECTIC_CASES:
        m = max_area_change(ds, case)
        out.append(Check(f"area_change_{_key(case)}", t_("check.area_change", case=t_(f"case.{_key(case)}")), m, None,
                         Bound.below(AREA_TOL, strict=False),
                         note=t_("note.area_tol", tol=fmt(AREA_TOL)) if m is not None else _why_missing(ds, case, t_)))
    return out


def gibbs_checks(ds, t_) -> list[Check]:
    out = []
    for case in ("oscillator/leapfrog", "oscillator/yoshida4"):
        _, s = series(ds, case, "gibbs_entropy")
        out.append(Check(f"gibbs_change_{_key(case)}", t_("check.gibbs_change", case=t_(f"case.{_key(case)}")),
                         float(np.max(np.abs(s - s[0]))), None, Bound.below(GIBBS_TOL, strict=False), "k_B",
                         note=t_("note.gibbs_tol", tol=fmt(GIBBS_TOL))))
    return out


def _rel_bound(exact: float, rtol: float) -> Bound:
    return Bound.within(exact - rtol * abs(exact), exact + rtol * abs(exact))


def not_symplectic_checks(ds, cfg: dict, t_) -> list[Check]:
    h = cfg["dt"]
    out = []
    for integrator in ("euler", "rk4"):
        case = f"oscillator/{integrator}"
        name = f"area_rel_change_oscillator_{integrator}"
        det = ref.oscillator_jacobian_det(integrator, h)
        idx = resolved_records(ds, case)
        t, rel = series(ds, case, "area_rel_change")
        j = int(idx[-1]) if idx.size else t.size - 1
        n = int(round(t[j] / h))
        exact = det**n  # A(t)/A(0); the check is on A(t)/A(0) - 1, within RATIO_RTOL of the ratio
        bound = Bound.within(exact - 1.0 - RATIO_RTOL * exact, exact - 1.0 + RATIO_RTOL * exact)
        if idx.size == 0:
            out.append(Check(name, t_(f"check.{name}"), None, None, bound, note=_why_missing(ds, case, t_)))
            continue
        out.append(Check(name, t_(f"check.{name}"), float(rel[j]), None, bound,
                         note=t_("note.exact_ratio", t=f"{fmt(float(t[j]))} τ", n=n)))
    t, s = series(ds, "oscillator/euler", "gibbs_entropy")
    n = int(round(t[-1] / h))
    exact = float(ref.linear_gibbs_entropy_change(ref.oscillator_jacobian_det("euler", h), n))
    out.append(Check("gibbs_change_oscillator_euler", t_("check.gibbs_change_oscillator_euler"), float(s[-1] - s[0]),
                     None, _rel_bound(exact, GIBBS_RTOL), "k_B", note=t_("note.exact_gibbs", n=n)))
    for integrator in ("euler", "rk4"):
        case = f"pendulum/{integrator}"
        m = max_area_change(ds, case)
        out.append(Check(f"area_change_pendulum_{integrator}", t_(f"check.area_change_pendulum_{integrator}"), m, None,
                         Bound.above(CHANGE_FACTOR * AREA_TOL, strict=True),
                         note=t_("note.changes") if m is not None else _why_missing(ds, "pendulum/" + integrator, t_)))
    return out


def henon_ratio_per_step(ds) -> float | None:
    """(A(n)/A(0))^(1/n) of the Henon map at its last resolved record (exact: |b|)."""
    idx = resolved_records(ds, "henon")
    if idx.size == 0:
        return None
    step, area = series(ds, "henon", "area")
    j = int(idx[-1])
    return float((area[j] / area[0]) ** (1.0 / step[j]))


def measurements(ds, cfg: dict, t_) -> tuple[Measurement, ...]:
    n, n_sub = cfg["n_points"], -(-cfg["n_points"] // SUBSAMPLE)
    b = float(ds.attrs["henon_b"])
    out = [Measurement("area_ratio_per_step_henon", t_("measure.area_ratio_per_step_henon",
                                                       b=fmt(ref.henon_area_ratio(b))), henon_ratio_per_step(ds))]
    for case in ("cat", "standard", "pendulum/leapfrog"):
        label = t_(f"case.{_key(case)}")
        for var, key, count in (("gibbs_entropy", "knn_change", n), ("gibbs_entropy_sub", "knn_change_sub", n_sub)):
            _, s = series(ds, case, var)
            out.append(Measurement(f"{key}_{_key(case)}", t_(f"measure.{key}", case=label, n=count),
                                   float(s[-1] - s[0]), unit="k_B"))
    t, ok = series(ds, "cat", "resolved")
    _, nv = series(ds, "cat", "n_vertices")
    last = int(np.flatnonzero(ok.astype(bool))[-1]) if ok.any() else 0
    label = t_("case.cat")
    out.append(Measurement("resolved_until_cat", t_("measure.resolved_until", case=label),
                           float(t[last]) if ok.any() else None))
    out.append(Measurement("vertices_cat", t_("measure.vertices", case=label), float(nv[last])))
    return tuple(out)


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    volume, gibbs, changed = volume_checks(ds, t_), gibbs_checks(ds, t_), not_symplectic_checks(ds, cfg, t_)
    subs = (
        SubClaim("volume", t_("sub.volume"), volume, note=t_("note.volume")),
        SubClaim("gibbs", t_("sub.gibbs"), gibbs, note=t_("note.gibbs")),
        SubClaim("not_symplectic", t_("sub.not_symplectic"), changed, note=t_("note.not_symplectic")),
    )
    meas = measurements(ds, cfg, t_)
    value = {c.name: c.measured for c in (*volume, *gibbs, *changed)} | {m.name: m.value for m in meas}
    maps = [value[k] for k in ("area_change_cat", "area_change_standard") if value[k] is not None]
    fields = dict(k=fmt(cfg["k"]), b=fmt(float(ds.attrs["henon_b"])), n_map_steps=cfg["n_map_steps"],
                  n_flow_steps=cfg["n_flow_steps"], dt=fmt(cfg["dt"]), n_records=cfg["n_records"],
                  n_vertices=cfg["n_vertices"], max_segment=fmt(cfg["max_segment"]),
                  max_sagitta=fmt(cfg["max_sagitta"]), max_vertices=cfg["max_vertices"], n_points=cfg["n_points"],
                  knn_k=cfg["knn_k"], tol=fmt(AREA_TOL), seed=cfg["seed"])
    flows = [value[f"area_change_{_key(c)}"] for c in SYMPLECTIC_CASES if "/" in c]
    flows = [v for v in flows if v is not None]
    see = dict(max_map=fmt(max(maps) if maps else None, 2), tol=fmt(AREA_TOL),
               max_flow=fmt(max(flows) if flows else None, 2),
               leap_gibbs=fmt(value["gibbs_change_oscillator_leapfrog"], 2),
               cat_knn_sub=fmt(value["knn_change_sub_cat"], 3),
               henon=fmt(value["area_ratio_per_step_henon"], 6),
               euler_ratio=fmt(None if value["area_rel_change_oscillator_euler"] is None
                               else 1.0 + value["area_rel_change_oscillator_euler"], 4),
               rk4_change=fmt(value["area_change_pendulum_rk4"], 2),
               euler_change=fmt(value["area_change_pendulum_euler"], 3),
               euler_gibbs=fmt(value["gibbs_change_oscillator_euler"], 4), cat_knn=fmt(value["knn_change_cat"], 3))
    narrative = (t_("story.what", **fields), t_("story.see", **see), t_("story.why", **fields))
    return Verdict.from_checks(NAME, t_("claim"), subclaims=subs, conditions=t_("conditions", **fields),
                               measurements=meas, narrative=narrative, section=t_("section"), lang=lang)
