"""The ensembles of the ``crooks`` experiment: picklable tasks and their analyses.

Each task is a top-level function ``task(replicas, seed, **bound) -> dict`` for
:meth:`neqlab.runner.Runner.ensemble`; trajectory i of a task draws its noise from the
stream (seed, stream, i), so forward, reverse, sweep, piston and steady-state
ensembles are independent and each is bitwise reproducible for any worker count.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Cycle, Ramp
from neqlab.core.rng import Stream
from neqlab.models import piston
from neqlab.models.langevin import LangevinParams, advance, double_well, dragged_trap, equilibrium_state, stiffness_ramp
from neqlab.observables import fluctuation as fl
from neqlab.observables.work import entropy_production, gas_work, window_increments
from neqlab.testing import reference as ref

# model -> (potential factory, lambda start, lambda stop, unit of lambda)
MODELS = {
    "dragged_trap": (lambda: dragged_trap(k=1.0), 0.0, 3.0, "length"),
    "stiffness_ramp": (lambda: stiffness_ramp(), 1.0, 4.0, "energy/length^2"),
    "double_well": (lambda: double_well(a=1.0, b=2.0, control="tilt"), -1.0, 1.0, "energy/length"),
}
METHODS = ("exp_forward", "exp_reverse", "bar")


def protocol_of(model: str, kind: str, speed: float):
    """(forward protocol, reverse protocol, duration [time]); ``speed`` is |dlambda/dt| for a
    ramp and the peak |dlambda/dt| for the round trip."""
    _, lam0, lam1, _ = MODELS[model]
    if kind == "ramp":
        duration = abs(lam1 - lam0) / speed
        fwd = Ramp(lam0, lam1, duration)
    else:  # round trip lam0 -> lam1 -> lam0 along half a sine period each way
        duration = 2.0 * abs(lam1 - lam0) / speed * (math.pi / 2.0)  # same peak speed
        fwd = Cycle(0.5 * (lam0 + lam1), 0.5 * (lam1 - lam0), duration, -0.5 * math.pi, duration)
    return fwd, fwd.reversed(), duration


def exact_delta_f(model: str, kind: str, kT: float) -> float:
    factory, lam0, lam1, _ = MODELS[model]
    return 0.0 if kind == "round_trip" else factory().delta_f(lam0, lam1, kT)


def langevin_task(replicas, seed, *, model, protocol, duration, params, stream):
    """Work and heat of trajectories ``replicas`` driven by ``protocol`` from equilibrium."""
    pot = MODELS[model][0]()
    lam0 = float(protocol(0.0))
    state = equilibrium_state(pot, lam0, params, seed=seed, replicas=replicas, stream=stream)
    n_steps = max(1, int(round(duration / params.dt)))
    end, _ = advance(state, pot, protocol, params, n_steps, parallel=False)
    return {"work": end.work + end.shadow_work, "heat": end.heat}


def ness_task(replicas, seed, *, protocol, params, n_steps, rec_every):
    """Records (work, heat, x) every ``rec_every`` steps for the periodically dragged trap."""
    pot = dragged_trap(k=1.0)
    state = equilibrium_state(pot, float(protocol(0.0)), params, seed=seed, replicas=replicas, stream=Stream.CROOKS_NESS)
    _, rec = advance(state, pot, protocol, params, n_steps, record_every=rec_every, parallel=False)
    return {"records": rec}


def piston_task(replicas, seed, *, params, stream):
    out = piston.run(params, seed=seed, replicas=replicas, stream=stream, parallel=False)
    return {"work": out["work"], "heat": out["heat"]}


def langevin_pair(runner, cfg, model, speed, n, streams, name):
    """Forward and reverse work and heat arrays for one driving speed."""
    params = LangevinParams(dt=cfg.dt, gamma=cfg.gamma, kT=cfg.kT, scheme=cfg.integrator)
    fwd, rev, duration = protocol_of(model, cfg.protocol, speed)
    out = []
    for proto, stream, label in ((fwd, streams[0], "forward"), (rev, streams[1], "reverse")):
        task = partial(langevin_task, model=model, protocol=proto, duration=duration, params=params, stream=stream)
        out.append(runner.ensemble(task, n, seed=cfg.seed, name=f"{name}_{label}",
                                   key=f"{cfg.to_json()}|{speed}|{label}"))
    return out[0], out[1], duration


def speed_sweep(runner, cfg):
    """dF by EXP and BAR against the exact value, and the mean dissipation, per speed."""
    dfx = exact_delta_f(cfg.model, cfg.protocol, cfg.kT)
    est = np.full((len(cfg.speeds), len(METHODS), 2), np.nan)
    diss = np.empty(len(cfg.speeds))
    for j, v in enumerate(cfg.speeds):
        f, r, _ = langevin_pair(runner, cfg, cfg.model, v, cfg.n_sweep,
                                ((Stream.CROOKS_SWEEP, 2 * j), (Stream.CROOKS_SWEEP, 2 * j + 1)), f"crooks_sweep{j}")
        diss[j] = np.mean(f["work"]) - dfx
        res = fl.free_energy(f["work"], r["work"], cfg.kT, methods=METHODS)
        for m, meth in enumerate(METHODS):
            est[j, m] = res[meth]
    return est, diss


def piston_part(runner, cfg):
    """Compression and expansion of ideal gases of N particles; statistics per N."""
    base = piston.PistonParams(L0=1.0, L1=0.5, t_move=0.5 / cfg.piston_speed, kT=cfg.kT)
    n_total = cfg.n_piston
    works = []
    for params, stream, label in ((base, (Stream.CROOKS_PISTON, 0), "compress"), (base.reversed(), (Stream.CROOKS_PISTON, 1), "expand")):
        task = partial(piston_task, params=params, stream=stream)
        works.append(runner.ensemble(task, n_total, seed=cfg.seed, name=f"crooks_piston_{label}",
                                     key=f"{cfg.to_json()}|{label}")["work"])
    sizes = [n for n in cfg.n_particles if n_total // n >= 100]
    n_bins = 60
    stats = {k: np.full(len(sizes), np.nan) for k in (
        "w_mean", "w_sd", "p_negative", "df_exp", "df_exp_err", "df_bar", "df_bar_err",
        "delta_f_exact", "slope", "slope_err", "jarzynski", "jarzynski_err", "jarzynski_exact", "n_gases")}
    centers = np.full((len(sizes), n_bins), np.nan)
    dens = np.full((len(sizes), n_bins), np.nan)
    for j, n in enumerate(sizes):
        wf, wr = gas_work(works[0], n), gas_work(works[1], n)
        dfx = base.delta_f(n)
        w = entropy_production(wf, dfx, cfg.kT)
        stats["n_gases"][j] = wf.size
        stats["delta_f_exact"][j] = dfx
        stats["w_mean"][j], stats["w_sd"][j] = w.mean(), w.std(ddof=1)
        stats["p_negative"][j] = np.mean(w < 0)
        stats["jarzynski"][j], stats["jarzynski_err"][j] = fl.jarzynski(wf, cfg.kT)
        stats["jarzynski_exact"][j] = ref.piston_jarzynski(base.L0, base.L1, n)
        res = fl.free_energy(wf, wr, cfg.kT, methods=("exp_forward", "bar"))
        stats["df_exp"][j], stats["df_exp_err"][j] = res["exp_forward"]
        stats["df_bar"][j], stats["df_bar_err"][j] = res["bar"]
        try:
            fit = fl.crooks_fit(wf, wr, cfg.kT, n_bins=40, min_count=10, atoms=(0.0,))  # W = 0: no hit
            stats["slope"][j], stats["slope_err"][j] = fit.slope, fit.slope_err
        except ConfigError:  # no overlap of P_F(W) and P_R(-W): the large-N point of the essay
            pass
        h, e = np.histogram(w, bins=n_bins)
        centers[j] = 0.5 * (e[1:] + e[:-1])
        dens[j] = h / (w.size * np.diff(e))
    return sizes, stats, centers, dens


def ness_part(runner, cfg):
    """Windows of the periodically dragged trap's steady state: symmetry slopes per window."""
    period, amp, dt = cfg.ness_period, cfg.ness_amplitude, cfg.ness_dt
    params = LangevinParams(dt=dt, gamma=cfg.gamma, kT=cfg.kT)
    rec_every = max(1, int(round(period / (4 * dt))))
    burn = 8  # records (two periods) before the first window
    lengths = [max(1, int(round(4 * f))) for f in cfg.ness_windows]
    n_rec = burn + max(lengths)
    n_steps = n_rec * rec_every
    proto = Cycle(0.0, amp, period)
    task = partial(ness_task, protocol=proto, params=params, n_steps=n_steps, rec_every=rec_every)
    rec = runner.ensemble(task, cfg.n_ness, seed=cfg.seed, name="crooks_ness", key=cfg.to_json())["records"]
    zeros = np.zeros((rec.shape[0], 1))
    work = np.concatenate([zeros, rec[:, :, 0]], axis=1)  # record r at step r * rec_every
    heat = np.concatenate([zeros, rec[:, :, 1]], axis=1)
    lam = np.asarray(proto(dt * np.arange(n_steps + 1)))
    mean, var = ref.harmonic_moments(lam, 1.0, cfg.gamma, cfg.kT, dt)
    out = {k: np.full(len(lengths), np.nan) for k in (
        "slope", "slope_err", "slope_exact", "mean", "entropy_slope", "entropy_slope_err", "ift", "ift_err")}
    for j, L in enumerate(lengths):
        s_w = window_increments(work, burn, L) / cfg.kT
        s_q = window_increments(heat, burn, L) / cfg.kT
        i0, i1 = burn * rec_every, (burn + L) * rec_every
        x0, x1 = rec[:, burn - 1, 2], rec[:, burn + L - 1, 2]
        lnp0 = -0.5 * (x0 - mean[i0]) ** 2 / var[i0] - 0.5 * np.log(var[i0])
        lnp1 = -0.5 * (x1 - mean[i1]) ** 2 / var[i1] - 0.5 * np.log(var[i1])
        s_tot = s_q + lnp0 - lnp1  # Seifert's total entropy production
        out["mean"][j] = s_w.mean()
        mu, vv = ref.harmonic_window_work(lam, 1.0, cfg.gamma, cfg.kT, dt, i0, i1)
        out["slope_exact"][j] = ref.gaussian_symmetry_slope(mu / cfg.kT, vv / cfg.kT**2)
        try:
            f = fl.symmetry_slope(s_w)
            out["slope"][j], out["slope_err"][j] = f.slope, f.slope_err
            g = fl.symmetry_slope(s_tot)
            out["entropy_slope"][j], out["entropy_slope_err"][j] = g.slope, g.slope_err
        except ConfigError:  # too few negative values at this window length
            pass
        e = np.exp(-s_tot)
        out["ift"][j], out["ift_err"][j] = e.mean(), e.std(ddof=1) / np.sqrt(e.size)
    return np.array(lengths) / 4.0, out
