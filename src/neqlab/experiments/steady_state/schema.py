"""The ``steady_state`` dataset: coordinates, data variables and attributes with units.

Sheared fluid: Omega_t of every transient trajectory on (``t_transient``, ``replica``)
and the negative tail P(Omega_t < 0) for several sizes; the steady state's sigma_tau on
(``tau``, ``window``), its P_xy and Lambda series on (``system``, ``t_ness``); the
Lyapunov spectrum on ``exponent``. Piston gas: work and heat per period on
(``direction``, ``piston_replica``, ``period``) and sigma over windows of whole periods on
(``piston_tau``, ``piston_window``). Scalars (viscosities, mean contraction, Lyapunov
sum, Kaplan-Yorke dimension, ...) are attributes with units.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.experiments.steady_state.config import GREEN_KUBO_EVERY, Config, coarse_interval, piston_plan, tail_sizes
from neqlab.experiments.steady_state.tasks import LYAPUNOV_SCALARS
from neqlab.io import trajectory
from neqlab.io.schema import Schema, Var
from neqlab.models.shear import Record, degrees_of_freedom
from neqlab.observables.shear import green_kubo_viscosity, shear_viscosity

ETA = "epsilon tau sigma^-2"  # shear viscosity in 2D: stress [epsilon sigma^-2] times time
DIRECTIONS = ("forward", "reverse")
GREEN_KUBO_T_MAX = 2.0  # [tau] upper limit of the Green-Kubo integral (several stress relaxation times)

SCHEMA = Schema(
    "steady_state",
    coords={
        **trajectory.COORDS,  # a sheared system's film (trajectory_every > 0), with its Lees-Edwards tilt
        "t_transient": Var(("t_transient",), "tau", "time t since the shear was switched on (transient theorem)"),
        "replica": Var(("replica",), "1", "transient trajectory (chain-major: chain * starts per chain + start)",
                       "int"),
        "tail_n_particles": Var(("tail_n_particles",), "1", "particles N of the fluids of the negative-tail panel",
                                "int"),
        "tau": Var(("tau",), "tau", "window length tau of the steady-state theorem"),
        "window": Var(("window",), "1", "stored window (system-major; NaN padding beyond the windows of a tau)",
                      "int"),
        "system": Var(("system",), "1", "sheared steady-state system", "int"),
        "t_ness": Var(("t_ness",), "tau", "end of each stored interval of the steady-state record"),
        "exponent": Var(("exponent",), "1", "index i of the Lyapunov exponent (descending order)", "int"),
        "piston_tau": Var(("piston_tau",), "tau", "window of whole piston periods (k T)"),
        "piston_window": Var(("piston_window",), "1",
                             "window of the piston's steady state (replica-major, n_periods // k per replica)", "int"),
        "direction": Var(("direction",), "1", "forward: a1 then a2; reverse: the time-reversed protocol, -a2 then -a1",
                         "str"),
        "piston_replica": Var(("piston_replica",), "1", "piston gas", "int"),
        "period": Var(("period",), "1", "recorded piston period (0 = the first after the transient)", "int"),
    },
    data_vars={
        **trajectory.DATA_VARS,
        "transient_omega": Var(("t_transient", "replica"), "1",
                               "dissipation function Omega_t integrated from the equilibrium start"),
        "transient_chain": Var(("replica",), "1", "equilibrium chain the trajectory started from", "int"),
        "tail_negative_fraction": Var(("tail_n_particles", "t_transient"), "1", "fraction of trajectories with Omega_t < 0"),
        "tail_negative_fraction_err": Var(("tail_n_particles", "t_transient"), "1",
                                          "standard error of tail_negative_fraction (over chains)"),
        "ness_sigma": Var(("tau", "window"), "1",
                          "steady-state entropy production sigma_tau over a window (NaN: padding)"),
        "ness_system": Var(("tau", "window"), "1", "system of each stored window (-1: padding)", "int"),
        "pxy": Var(("system", "t_ness"), "epsilon sigma^-2", "shear pressure P_xy, mean over the stored interval"),
        "compression": Var(("system", "t_ness"), "tau^-1",
                           "phase-space compression factor Lambda, mean over the stored interval"),
        "lyapunov_spectrum": Var(("exponent",), "tau^-1", "Lyapunov exponents of the sheared steady state"),
        "lyapunov_spectrum_err": Var(("exponent",), "tau^-1", "standard error of each exponent (segments, systems)"),
        "piston_sigma": Var(("piston_tau", "piston_window"), "1",
                            "piston's entropy production W/kT over k whole periods at a1 (NaN: padding)"),
        "piston_work": Var(("direction", "piston_replica", "period"), "epsilon",
                           "work done by the piston on the gas during the period (NaN: not recorded)"),
        "piston_heat": Var(("direction", "piston_replica", "period"), "epsilon",
                           "heat the gas gives the thermal walls during the period (NaN: not recorded)"),
        "piston_period_amplitude": Var(("direction", "period"), "sigma",
                                       "piston amplitude a of the period, x = L0 + a sin(2 pi t / T) (NaN: none)"),
        "piston_switch": Var(("direction",), "1", "first recorded period of the second amplitude", "int"),
    },
    attrs={
        "kT": Var((), "epsilon", "temperature of the equilibrium starts and of the thermal walls"),
        "shear_rate": Var((), "tau^-1", "shear rate gamma"),
        "volume": Var((), "sigma^2", "area V of the sheared fluid"),
        "n_dof": Var((), "1", "thermostatted degrees of freedom dN - d - 1"),
        "kT_steady": Var((), "epsilon", "kinetic temperature 2<K>/(dN - d - 1) in the sheared steady state"),
        "phase_space_contraction_mean": Var((), "tau^-1", "time average <Lambda> in the steady state"),
        "phase_space_contraction_mean_err": Var((), "tau^-1", "standard error over systems"),
        "thermostat_entropy_rate": Var((), "tau^-1",
                                       "entropy the thermostat carries away per time, gamma V <-P_xy> / kT_steady"),
        "thermostat_entropy_rate_err": Var((), "tau^-1", "standard error over systems"),
        "shear_viscosity": Var((), ETA, "steady-state viscosity -<P_xy>/gamma"),
        "shear_viscosity_err": Var((), ETA, "standard error (blocks of the systems' records)"),
        "green_kubo_viscosity": Var((), ETA, "Green-Kubo viscosity V/kT int <P_xy(0) P_xy(s)> ds at rest"),
        "green_kubo_viscosity_err": Var((), ETA, "standard error over systems and blocks"),
        "green_kubo_t_max": Var((), "tau", "upper limit of the Green-Kubo integral"),
        "lyapunov_sum": Var((), "tau^-1", "sum of the Lyapunov exponents"),
        "lyapunov_sum_err": Var((), "tau^-1", "standard error over segments and systems"),
        "lyapunov_compression_mean": Var((), "tau^-1", "<Lambda> over the Lyapunov run itself"),
        "lyapunov_compression_mean_err": Var((), "tau^-1", "standard error over segments and systems"),
        "lyapunov_alpha_mean": Var((), "tau^-1", "mean thermostat multiplier alpha over the Lyapunov run"),
        "lyapunov_alpha_mean_err": Var((), "tau^-1", "standard error over segments and systems"),
        "kaplan_yorke_dimension": Var((), "1", "Kaplan-Yorke dimension of the steady state's attractor"),
        "kaplan_yorke_dimension_err": Var((), "1", "jackknife standard error"),
        "lyapunov_dimension": Var((), "1", "dimension of the tangent space (the constraint surface)"),
        "lyapunov_time": Var((), "tau", "measurement time per system of the Lyapunov spectrum"),
        "piston_length": Var((), "sigma", "box side L0 of the piston gas at rest"),
    },
)


def _cat(results: list[dict], key: str) -> np.ndarray:
    return np.concatenate([r[key] for r in results], axis=0)


def _chain_se(values: np.ndarray, chains: np.ndarray) -> float:
    """Standard error of a mean over equal-size groups (the chains): that of the group means."""
    means = np.bincount(chains, weights=values) / np.bincount(chains)
    return float(means.std(ddof=1) / math.sqrt(means.size)) if means.size > 1 else float("nan")


def _record(pxy: np.ndarray, interval: float) -> Record:
    z = np.zeros_like(pxy)
    return Record(t=interval * np.arange(1, pxy.shape[1] + 1), interval=interval, pxy=pxy, pxy_kinetic=z, alpha=z,
                  compression=z, potential_energy=z, kinetic_energy=z, rebuilds=np.zeros(pxy.shape[0], np.int64))


def _se_over_systems(per_system: np.ndarray) -> float:
    return float(per_system.std(ddof=1) / math.sqrt(per_system.size))


def _transient(config: Config, items: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    om = _cat(items, "omega")  # (chains, samples, n_t)
    chains = np.repeat(np.arange(om.shape[0]), om.shape[1])
    return om.reshape(-1, om.shape[2]).T, chains


def _tail(config: Config, omega: np.ndarray, chains: np.ndarray, tail_items: list[dict]):
    sizes = [config.n_particles] + tail_sizes(config)
    per = len(tail_items) // max(1, len(sizes) - 1) if len(sizes) > 1 else 0
    samples = [(omega, chains)]
    for i in range(len(sizes) - 1):
        om, ch = _transient(config, tail_items[i * per: (i + 1) * per])
        samples.append((om, ch))
    frac = np.array([[np.mean(om[k] < 0) for k in range(om.shape[0])] for om, _ in samples])
    err = np.array([[_chain_se((om[k] < 0).astype(float), ch) for k in range(om.shape[0])] for om, ch in samples])
    order = np.argsort(sizes)
    return np.array(sizes)[order], frac[order], err[order]


def _steady(config: Config, items: list[dict]):
    n_tau = len(config.windows)
    parts = []
    for k in range(n_tau):
        sig = _cat(items, f"sigma_{k}")  # (systems, kept windows)
        parts.append((sig.ravel(), np.repeat(np.arange(sig.shape[0]), sig.shape[1])))
    width = max(p[0].size for p in parts)
    sigma = np.full((n_tau, width), np.nan)
    system = np.full((n_tau, width), -1, dtype=np.int64)
    for k, (s, sys_id) in enumerate(parts):
        sigma[k, : s.size] = s
        system[k, : s.size] = sys_id
    return sigma, system, _cat(items, "pxy"), _cat(items, "compression"), _cat(items, "kinetic_energy")


def _piston(config: Config, items: list[dict]):
    plan = piston_plan(config)
    per_dir = len(items) // 2
    width = max(b + a for _, _, b, a in plan.values())
    R = config.piston_n_replicas
    work = np.full((2, R, width), np.nan)
    heat = np.full((2, R, width), np.nan)
    amp = np.full((2, width), np.nan)
    switch = np.zeros(2, np.int64)
    for d, (a0, a1, before, after) in plan.items():
        sel = items[d * per_dir: (d + 1) * per_dir]
        work[d, :, : before + after] = _cat(sel, "work")
        heat[d, :, : before + after] = _cat(sel, "heat")
        amp[d, :before], amp[d, before: before + after] = a0, a1
        switch[d] = before
    windows = sorted(config.piston_windows)
    n_p = config.piston_n_periods
    sigma = np.full((len(windows), R * (n_p // windows[0])), np.nan)
    for k, w in enumerate(windows):
        m = n_p // w
        s = work[0, :, : m * w].reshape(R, m, w).sum(axis=2).ravel() / config.kT
        sigma[k, : s.size] = s
    return work, heat, amp, switch, np.array(windows, dtype=float) * config.piston_period, sigma


def assemble(config: Config, groups: dict[str, list], results: dict[str, list[dict]]):
    """The dataset of one run from every work item's output (``results[group]`` in the order
    of ``groups[group]``, see :func:`neqlab.experiments.steady_state.run.tasks_for`)."""
    c = config
    omega, chains = _transient(c, results["transient"])
    tail_n, tail_frac, tail_err = _tail(c, omega, chains, results["tail"])
    sigma, system, pxy, comp, kin = _steady(c, results["steady"])
    n_dof = degrees_of_freedom(c.n_particles, 2)
    volume = c.n_particles / c.density
    kT_steady = float(2.0 * kin.mean() / n_dof)
    interval_ness = coarse_interval(c)
    eta, eta_err = shear_viscosity(_record(pxy, interval_ness), c.shear_rate, n_blocks=min(10, pxy.shape[1]))
    per_sys_heat = c.shear_rate * volume * (-pxy.mean(axis=1)) / (2.0 * kin.mean(axis=1) / n_dof)
    gk_pxy = _cat(results["green_kubo"], "pxy")
    gk_kT = float(2.0 * _cat(results["green_kubo"], "kinetic_energy").mean() / n_dof)
    interval = GREEN_KUBO_EVERY * c.dt
    t_max = min(GREEN_KUBO_T_MAX, c.t_green_kubo / 4.0)
    lag = int(round(t_max / interval))
    n_blocks = max(1, min(4, gk_pxy.shape[1] // (4 * lag)))
    gk = green_kubo_viscosity(_record(gk_pxy, interval), gk_kT, volume, t_max=lag * interval, n_blocks=n_blocks)
    lyap = results["lyapunov"][0]
    ls = dict(zip(LYAPUNOV_SCALARS, lyap["scalars"]))
    work, heat, amp, switch, piston_tau, piston_sigma = _piston(c, results["piston"])
    n_coarse = pxy.shape[1]
    data = {
        "transient_omega": omega, "transient_chain": chains,
        "tail_negative_fraction": tail_frac, "tail_negative_fraction_err": tail_err,
        "ness_sigma": sigma, "ness_system": system, "pxy": pxy, "compression": comp,
        "lyapunov_spectrum": lyap["exponents"], "lyapunov_spectrum_err": lyap["exponents_err"],
        "piston_sigma": piston_sigma, "piston_work": work, "piston_heat": heat,
        "piston_period_amplitude": amp, "piston_switch": switch,
    }
    coords = {
        "t_transient": np.array(c.t_transient), "replica": np.arange(omega.shape[1]), "tail_n_particles": tail_n,
        "tau": np.array(c.windows), "window": np.arange(sigma.shape[1]), "system": np.arange(pxy.shape[0]),
        "t_ness": interval_ness * np.arange(1, n_coarse + 1), "exponent": np.arange(1, lyap["exponents"].size + 1),
        "piston_tau": piston_tau, "piston_window": np.arange(piston_sigma.shape[1]),
        "direction": list(DIRECTIONS), "piston_replica": np.arange(work.shape[1]), "period": np.arange(work.shape[2]),
    }
    attrs = {
        "kT": c.kT, "shear_rate": c.shear_rate, "volume": volume, "n_dof": n_dof, "kT_steady": kT_steady,
        "phase_space_contraction_mean": float(comp.mean()),
        "phase_space_contraction_mean_err": _se_over_systems(comp.mean(axis=1)),
        "thermostat_entropy_rate": float(per_sys_heat.mean()),
        "thermostat_entropy_rate_err": _se_over_systems(per_sys_heat),
        "shear_viscosity": eta, "shear_viscosity_err": eta_err,
        "green_kubo_viscosity": gk.value, "green_kubo_viscosity_err": gk.err, "green_kubo_t_max": lag * interval,
        "lyapunov_sum": ls["sum"], "lyapunov_sum_err": ls["sum_err"],
        "lyapunov_compression_mean": ls["compression"], "lyapunov_compression_mean_err": ls["compression_err"],
        "lyapunov_alpha_mean": ls["alpha"], "lyapunov_alpha_mean_err": ls["alpha_err"],
        "kaplan_yorke_dimension": ls["kaplan_yorke"], "kaplan_yorke_dimension_err": ls["kaplan_yorke_err"],
        "lyapunov_dimension": int(ls["dimension"]), "lyapunov_time": ls["time"],
        "piston_length": math.sqrt(c.piston_n_particles / c.piston_density),
    }
    if results.get("film"):  # one sheared system's film (trajectory_every > 0)
        data.update(results["film"][0])
        coords["frame"] = results["film"][0]["trajectory_step"] * c.dt
        coords["axis"] = np.array(trajectory.AXES[:2])
    return SCHEMA.assemble(data, coords=coords, attrs=attrs)


__all__ = ["DIRECTIONS", "SCHEMA", "assemble"]
