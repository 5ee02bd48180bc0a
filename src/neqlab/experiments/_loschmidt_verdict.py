"""Verdict of the ``loschmidt`` experiment: reads only the dataset.

Criteria (chosen before looking at the large runs):

* *returned* (small system): rms return error below ``return_threshold`` and at least
  90 % of the entropy rise undone, for the position entropy (expansion protocol) and
  for the velocity H-function (velocity protocol).
* *no entropy decrease at all* (large system, velocity protocol): after the reversal
  the velocity entropy -H never falls below its value at the reversal by more than
  4 sqrt(2) standard errors of one estimate (the difference of two independent
  estimates, |z| < 4).
* The position entropy of the large system is reported as the fraction of its rise
  that the reversal still undoes (the macroscopic inward flow), not hidden.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from neqlab.experiments._legacy import Verdict

Z_MAX = 4.0
UNDONE_MIN = 0.9
NAME = "loschmidt"


def _k_rev(ds: xr.Dataset, p: str, n: int) -> int:
    tr = float(ds["reversal_time"].sel(protocol=p, n_particles=n))
    return int(np.argmin(np.abs(ds["t"].values - tr)))


def entropy_changes(ds: xr.Dataset, p: str, n: int, name: str, sign: float) -> dict[str, float]:
    """Rise before the reversal, fraction undone at the end, largest fall after it (in sem units)."""
    k = _k_rev(ds, p, n)
    y = sign * ds[name].sel(protocol=p, n_particles=n).values
    err = ds[f"{name}_err"].sel(protocol=p, n_particles=n).values
    y_end = y[2 * k] if 2 * k < y.size else np.nan
    rise = y[k] - y[0]
    fall = y[k] - np.nanmin(y[k: 2 * k + 1])
    return {"rise": float(rise), "undone": float((y[k] - y_end) / rise) if rise != 0 else float("nan"),
            "max_fall": float(fall), "max_fall_z": float(fall / (math.sqrt(2.0) * err[k])) if err[k] > 0 else float("inf")}


def _get(ds, name, **sel):
    return float(ds[name].sel(**sel).values)


def verdict(ds: xr.Dataset) -> Verdict:
    from neqlab.experiments.loschmidt import CLAIM, ln_sigma_over_eps

    sizes = [int(n) for n in ds["n_particles"].values]
    small, large = sizes[0], sizes[-1]
    lam, lam_err = float(ds.attrs["lyapunov_max"]), float(ds.attrs["lyapunov_max_err"])
    thr = float(ds.attrs["return_threshold"])
    m: dict[str, float] = {"lyapunov_max": lam, "lyapunov_max_err": lam_err,
                           "lyapunov_max_initial": float(ds.attrs["lyapunov_max_initial"]),
                           "density": float(ds.attrs["density"]),
                           "returned_bitwise": float(ds.attrs["returned_bitwise"]),
                           "control_returned_bitwise": float(ds.attrs.get("control_returned_bitwise", float("nan")))}
    prec = str(ds.attrs["precision"])
    for tag, n in (("small", small), ("large", large)):
        tr = _get(ds, "reversal_time", protocol="expansion", n_particles=n)
        err = ds["return_error"].sel(protocol="expansion", n_particles=n).values
        k = int(round(tr / float(ds["s"].values[1]))) if ds["s"].size > 1 else 0
        m[f"n_{tag}"] = n
        m[f"t_reverse_{tag}"] = tr
        m[f"lambda_t_reverse_{tag}"] = lam * tr
        m[f"return_error_{tag}"] = float(err[k])
        m[f"return_error_velocity_{tag}"] = float(
            ds["return_error"].sel(protocol="velocity", n_particles=n).values[k])
        sx = entropy_changes(ds, "expansion", n, "spatial_entropy", +1.0)
        sv = entropy_changes(ds, "velocity", n, "h_function", -1.0)
        mu = entropy_changes(ds, "expansion", n, "mu_entropy", +1.0)
        m[f"spatial_entropy_rise_{tag}"] = sx["rise"]
        m[f"spatial_entropy_undone_{tag}"] = sx["undone"]
        m[f"velocity_entropy_rise_{tag}"] = sv["rise"]
        m[f"velocity_entropy_undone_{tag}"] = sv["undone"]
        m[f"velocity_entropy_max_fall_z_{tag}"] = sv["max_fall_z"]
        m[f"mu_entropy_change_forward_{tag}"] = mu["rise"]
        rate = ds.attrs.get(f"growth_rate_expansion_{n}", float("nan"))
        eps_fit = ds.attrs.get(f"eps_fit_expansion_{n}", float("nan"))
        m[f"growth_rate_{tag}"] = float(rate)
        m[f"eps_eff_{tag}"] = float(eps_fit)
    eps_eff = m["eps_eff_small"] if np.isfinite(m["eps_eff_small"]) else float("nan")
    m["ln_sigma_over_eps_eff"] = float(ln_sigma_over_eps(np.array([eps_eff]))[0]) if np.isfinite(eps_eff) else float("nan")
    expected = {"return_error_small_max": thr, "entropy_undone_small_min": UNDONE_MIN,
                "velocity_entropy_max_fall_z_large_max": Z_MAX}

    small_back = (m["return_error_small"] < thr and m["spatial_entropy_undone_small"] >= UNDONE_MIN
                  and m["velocity_entropy_undone_small"] >= UNDONE_MIN)
    large_none = m["velocity_entropy_max_fall_z_large"] < Z_MAX
    holds = None if small == large else bool(small_back and large_none)
    flow = m["spatial_entropy_undone_large"]
    lost = m["return_error_large"] >= thr
    if m["velocity_entropy_max_fall_z_large"] < Z_MAX:
        kinetic = "the large system shows no decrease of -H at all"
    else:
        kinetic = (f"the large system's -H still falls ({m['velocity_entropy_max_fall_z_large']:.1f} standard "
                   "errors): reverse later (lambda t_r well beyond ln(sigma/eps_eff) plus the H relaxation time)")
    if flow > 0.1 and lost:
        position = (f"the large system's microstate is lost, yet its reversed macroscopic inward flow still "
                    f"recompresses the gas and undoes {100 * flow:.0f}% of the position-entropy rise, so with the "
                    "position entropy 'no decrease at all' needs a reversal long after the flow has damped")
    elif flow > 0.1:
        position = f"the large system also returns ({100 * flow:.0f}% undone): its t_r is too short to lose the microstate"
    else:
        position = "the position entropy of the large system does not fall either"
    conditions = (
        f"{ds.attrs.get('dimension', '')}D WCA gas, density {m['density']:g}, precision {prec}, "
        f"N = {small} vs {large}, reversed at the same stage (t_r = {m['t_reverse_small']:.2f} vs "
        f"{m['t_reverse_large']:.2f} tau); lambda_max = {lam:.2f} +- {lam_err:.2f} /tau at the mean density and "
        f"{m['lyapunov_max_initial']:.2f} at the released gas's density (equilibrium, two copies); the return error "
        f"grows at {m['growth_rate_small']:.2f} /tau from eps_eff = {m['eps_eff_small']:.1g} sigma, so "
        f"growth x t_r = {m['growth_rate_small'] * m['t_reverse_small']:.1f} vs "
        f"{m['growth_rate_small'] * m['t_reverse_large']:.1f} against "
        f"ln(sigma/eps_eff) = {m['ln_sigma_over_eps_eff']:.1f}. Return error {m['return_error_small']:.2g} vs "
        f"{m['return_error_large']:.2g} sigma (returned if < {thr:g}). Velocity H (uniform gas, equal speeds, same t_r): "
        f"{100 * m['velocity_entropy_undone_small']:.0f}% vs {100 * m['velocity_entropy_undone_large']:.0f}% of the "
        f"entropy rise undone; {kinetic}. The exact-integrator control "
        f"{'returns bit for bit at both sizes' if m['control_returned_bitwise'] == 1 else 'does NOT return bitwise'}. "
        "Position entropy (free expansion): "
        f"{100 * m['spatial_entropy_undone_small']:.0f}% vs {100 * flow:.0f}% undone; {position}."
    )
    return Verdict(NAME, CLAIM, holds, m, expected, conditions)
