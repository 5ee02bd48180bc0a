"""Verdict of ``macrostates``: four sub-claims, each judged against an exact result.

* ``most_probable``: the binomial macrostate law's relative width is N^-1/2 exactly and
  its 3-sigma mass tends to erf(3/sqrt 2) (lattice correction below 5/sqrt N);
* ``ends_there``: the Ehrenfest urn's mean follows E[n_t] exactly (|z| < 4 at four
  times) and its final histogram is the binomial law on the right parity (p > P_MIN);
* ``never_leaves``: the mean return time to the all-left state is 2^N (Kac's lemma);
* ``reversible``: the Kac ring's ensemble mean decays as (1 - 2 mu)^t (|z| < 4), yet every
  ring recurs and runs back exactly.

Reads only the dataset.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.i18n import text
from neqlab.experiments._base import P_MIN, Z_MAX, Bound, Check, Measurement, SubClaim, Verdict, config_of, fmt
from neqlab.experiments.macrostates.config import NAME
from neqlab.observables.macrostate import parity_binomial_pvalue
from neqlab.testing import reference as ref

URN_TIMES = (0.5, 1.0, 2.0, 4.0)  # check times in units of the relaxation time N/2 [steps]
KAC_TIMES = (0.5, 1.0, 2.0)  # check times in units of 1/|ln(1 - 2 mu)| [steps]


def _mean_check(name: str, label: str, sample: np.ndarray, exact: float) -> Check:
    err = float(sample.std(ddof=1) / math.sqrt(sample.size))
    return Check(name, label, float(sample.mean()), err, Bound.equal(exact, Z_MAX))


def kac_check_times(n_sites: int, marker_fraction: float) -> list[int]:
    """Steps at which the ring mean is checked: 0.5, 1, 2 decay times, within 1 .. n_sites - 1.

    With mu = 0 or 1 nothing decays (delta stays 1 or alternates sign): check t = 1, 2, 3.
    """
    a = abs(1.0 - 2.0 * marker_fraction)
    if a in (0.0, 1.0):
        times = [1, 2, 3]
    else:
        rate = -math.log(a)
        times = [max(1, round(k / rate)) for k in KAC_TIMES]
    return sorted({int(min(t, n_sites - 1)) for t in times})


def verdict(ds, lang: str = "en") -> Verdict:
    cfg = config_of(ds)
    t_ = lambda key, **kw: text(f"{NAME}.{key}", lang, **kw)  # noqa: E731
    N, R = cfg["n_particles"], cfg["n_replicas"]

    # most_probable: exact counting
    n_grid = ds["n_counting"].values.astype(float)
    slope = float(np.polyfit(np.log(n_grid), np.log(ds["relative_width"].values), 1)[0])
    n_max = float(n_grid[-1])
    mass = float(ds["mass_3sigma"].values[-1])
    normal = math.erf(3.0 / math.sqrt(2.0))
    lattice = 5.0 / math.sqrt(n_max)  # continuity correction of a lattice law is O(N^-1/2)
    most = SubClaim("most_probable", t_("sub.most_probable"), (
        Check("width_exponent", t_("check.width_exponent"), slope, None, Bound.within(-0.5 - 1e-6, -0.5 + 1e-6)),
        Check("mass_3sigma", t_("check.mass_3sigma", n=f"{int(n_max):,}"), mass, None,
              Bound.within(normal - lattice, normal + lattice)),
    ), note=t_("note.most_probable"))

    # ends_there: the urn's mean and its equilibrium law
    t = ds["t"].values
    paths = ds["ehrenfest_n_left"].values
    urn, seen = [], set()
    for k, mult in enumerate(URN_TIMES):
        i = int(np.argmin(np.abs(t - mult * N / 2)))
        if t[i] == 0 or i in seen:  # a short run snaps several check times to its last record
            continue
        seen.add(i)
        urn.append(_mean_check(f"urn_mean_{k}", t_("check.urn_mean", t=int(t[i])), paths[:, i].astype(float),
                               float(ref.ehrenfest_mean(N, N, t[i]))))
    t_end = int(t[-1])
    residual = (1.0 - 2.0 / N) ** t_end * (N / 2)
    if residual < 0.01 * math.sqrt(N) / 2:  # the mean has relaxed to well within the spread
        p = parity_binomial_pvalue(paths[:, -1], N, (N + t_end) % 2)
        note = "" if math.isfinite(p) else t_("note.chi2_too_few")
    else:
        p, note = None, t_("note.not_relaxed", t=t_end, tau=fmt(N / 2))
    urn.append(Check("urn_equilibrium_p", t_("check.urn_equilibrium_p", t=t_end), p, None, Bound.above(P_MIN),
                     note=note))
    ends = SubClaim("ends_there", t_("sub.ends_there"), urn, note=t_("note.ends_there"))

    # never_leaves: Kac's lemma on a small urn
    n_rec = cfg["recurrence_n_particles"]
    tr = ds["ehrenfest_return_time"].values
    if (tr < 0).any():
        rec = Check("recurrence_time", t_("check.recurrence_time", n=n_rec), None, None,
                    Bound.equal(2.0**n_rec), "step", note=t_("note.recurrence_capped", n=int((tr < 0).sum())))
    else:
        rec = Check("recurrence_time", t_("check.recurrence_time", n=n_rec), float(tr.mean()),
                    float(tr.std(ddof=1) / math.sqrt(tr.size)),
                    Bound.equal(ref.ehrenfest_recurrence_time(n_rec), Z_MAX), "step")
    never = SubClaim("never_leaves", t_("sub.never_leaves"), (rec,), note=t_("note.never_leaves"))

    # reversible: the Kac ring
    n_sites, mu = cfg["n_sites"], cfg["marker_fraction"]
    delta = ds["kac_delta"].values.astype(float)
    kac = [_mean_check(f"kac_mean_{k}", t_("check.kac_mean", t=tk), delta[:, tk], float(ref.kac_ring_mean(mu, tk)))
           for k, tk in enumerate(kac_check_times(n_sites, mu))]
    odd = ds["kac_n_markers"].values % 2 == 1
    at_n = delta[:, n_sites]
    recur = np.where(odd, (at_n == -1.0) & (delta[:, 2 * n_sites] == 1.0), at_n == 1.0)
    kac.append(Check("kac_recurrence_fraction", t_("check.kac_recurrence_fraction"), float(recur.mean()), 0.0,
                     Bound.exact(1.0)))
    kac.append(Check("kac_reversal_fraction", t_("check.kac_reversal_fraction"),
                     float(ds["kac_reversal_ok"].values.mean()), 0.0, Bound.exact(1.0)))
    rev = SubClaim("reversible", t_("sub.reversible"), kac, note=t_("note.reversible"))

    log10_p_all = -(n_max - 1) * math.log10(2.0)
    measurements = (
        Measurement("p_all_left_log10", t_("measure.p_all_left_log10", n=f"{int(n_max):,}"), log10_p_all),
        Measurement("recurrence_time_macro_log10", t_("measure.recurrence_time_macro_log10", n=f"{N:,}"),
                    N * math.log10(2.0)),
    )
    fields = dict(N=f"{N:,}", R=f"{R:,}", n_steps=f"{cfg['n_steps']:,}", n_rec=n_rec, n_sites=f"{n_sites:,}", mu=mu,
                  n_rings=f"{cfg['n_rings']:,}", n_max=f"{int(n_max):,}", z=fmt(Z_MAX), p_min=fmt(P_MIN),
                  seed=cfg["seed"])
    narrative = (
        t_("story.what", **fields),
        t_("story.see", N=N, tau=fmt(N / 2), log10_p=f"{log10_p_all:,.0f}", n_max=f"{int(n_max):,}",
           width=fmt(float(ds["relative_width"].values[-1]))),
        t_("story.why", n_rec=n_rec, t_rec=f"{2**n_rec:,}", N=N, log10_t=f"{N * math.log10(2.0):,.0f}"),
    )
    return Verdict.from_checks(NAME, t_("claim"), subclaims=(most, ends, never, rev),
                               conditions=t_("conditions", **fields), measurements=measurements,
                               narrative=narrative, section=t_("section"), lang=lang)
