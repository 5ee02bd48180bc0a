"""Run ``crooks``: the ensembles of :mod:`~neqlab.experiments.crooks.tasks`, then their analysis.

Order: the trap forward and reverse, the speed sweep, the ideal piston, the steady state,
the interacting piston. Each analysis turns an ensemble's arrays into the variables of
:mod:`~neqlab.experiments.crooks.schema` with the estimators of
:mod:`neqlab.observables.fluctuation` (Crooks fit, EXP/BAR/MBAR via pymbar, symmetry
slopes) and the exact results of :mod:`neqlab.testing.reference`.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream
from neqlab.experiments._frame import Cost, owned_runner, stamp
from neqlab.experiments.crooks.config import CLAIM, NAME, SECTION, Config
from neqlab.experiments.crooks.schema import assemble
from neqlab.experiments.crooks.tasks import (METHODS, PISTON_L0, PISTON_L1, RUNS, GasPistonDrive, IdealPistonDrive,
                                             SteadyStateRun, TrapDrive, box_of, exact_delta_f, protocol_of,
                                             steady_state_protocol, windows_of)
from neqlab.observables import fluctuation as fl
from neqlab.observables.work import (entropy_production, gas_work, gaussian_log_density, total_entropy_production,
                                     window_increments)
from neqlab.testing import reference as ref

PISTON_BINS = 60  # histogram bins of the ideal piston's entropy change
DIRECTIONS = ("forward", "reverse")
CHUNK_SECONDS = 0.25  # [s] of one core per chunk: the runner's cost per chunk (a checkpoint file, ~3 ms) stays ~1 %
MIN_CHUNKS, MAX_CHUNKS = 8, 64  # chunks per ensemble: enough for 2-8 workers and a progress bar, no more than needed


def _trap(config: Config, speed: float, reverse: bool, stream: Stream, sub: int | None = None) -> TrapDrive:
    c = config
    return TrapDrive(c.model, c.protocol, speed, reverse, c.dt, c.gamma, c.kT, c.integrator, stream, sub)


def _piston(config: Config, *, expand: bool) -> IdealPistonDrive:
    """The ideal piston's compression L0 = 1 -> L1 = 0.5 at ``piston_speed`` (sub 0), or its reverse (sub 1)."""
    t_move = 0.5 / config.piston_speed
    if expand:
        return IdealPistonDrive(PISTON_L1, PISTON_L0, t_move, config.kT, 1)
    return IdealPistonDrive(PISTON_L0, PISTON_L1, t_move, config.kT, 0)


def _steady(config: Config) -> SteadyStateRun:
    c = config
    w = windows_of(c)
    return SteadyStateRun(c.ness_period, c.ness_amplitude, c.ness_dt, c.gamma, c.kT, w.n_steps, w.record_every)


def replica_seconds(task) -> float:
    """Rough single-core seconds per replica of a task (the rates of :func:`estimate`)."""
    if isinstance(task, TrapDrive):
        return max(1.0, protocol_of(task.model, task.protocol, task.speed)[2] / task.dt) / 1.4e8
    if isinstance(task, SteadyStateRun):
        return task.n_steps / 1.4e8
    if isinstance(task, IdealPistonDrive):
        return 1.0 / 1.5e7
    steps = (task.t_drive + task.t_equilibrate) / task.dt
    return steps * (1.5e-7 + 1.2e-8 * task.n)  # measured on the 2-core machine, one engine call per chunk


def chunk_size(task, n: int) -> int:
    """Replicas per chunk: about CHUNK_SECONDS of work, between MIN_CHUNKS and MAX_CHUNKS
    chunks. Any chunking gives the same bits (each replica draws from its own stream)."""
    size = int(round(CHUNK_SECONDS / replica_seconds(task)))
    return max(-(-n // MAX_CHUNKS), min(-(-n // MIN_CHUNKS), max(1, size)))


def tasks_for(config: Config) -> dict[str, tuple[object, int]]:
    """Ensemble name -> (task, number of replicas), in the order they run."""
    c = config
    out: dict[str, tuple[object, int]] = {
        "crooks_forward": (_trap(c, c.speed, False, Stream.CROOKS_FORWARD), c.n_trajectories),
        "crooks_reverse": (_trap(c, c.speed, True, Stream.CROOKS_REVERSE), c.n_trajectories),
    }
    for j, v in enumerate(c.speeds):
        for d, label in enumerate(DIRECTIONS):
            out[f"crooks_sweep{j}_{label}"] = (_trap(c, v, d == 1, Stream.CROOKS_SWEEP, 2 * j + d), c.n_sweep)
    out["crooks_piston_compress"] = (_piston(c, expand=False), c.n_piston)
    out["crooks_piston_expand"] = (_piston(c, expand=True), c.n_piston)
    out["crooks_ness"] = (_steady(c), c.n_ness)
    for a, rho in enumerate(c.gas_piston_density):
        for b, n in enumerate(c.gas_piston_n):
            for d, label in enumerate(DIRECTIONS):
                task = GasPistonDrive(n, rho, c.gas_piston_length, c.kT, c.gas_piston_t_drive,
                                      c.gas_piston_t_equilibrate, c.gas_piston_dt, d == 0, 2 * a + d)
                out[f"crooks_gas_{a}_{b}_{label}"] = (task, c.gas_piston_replicas)
    return out


def estimate(config: Config) -> Cost:
    """Rough peak memory and single-core time.

    Rates measured on the 2-core development machine: overdamped trap 1.4e8
    trajectory-steps/s per core; the ideal piston 1.5e7 particle drives/s; the gas
    piston about 1.5e-7 s per drive-step plus 1.2e-8 s per particle-step (a fixed cost per
    step dominates these small systems); MBAR and the histograms a few 1e-7 s per work.
    """
    c = config
    _, _, duration = protocol_of(c.model, c.protocol, c.speed)
    trap_steps = 2 * c.n_trajectories * max(1.0, duration / c.dt)
    sweep_steps = sum(2 * c.n_sweep * max(1.0, protocol_of(c.model, c.protocol, v)[2] / c.dt) for v in c.speeds)
    w = windows_of(c)
    gas_steps = ((c.gas_piston_t_drive + c.gas_piston_t_equilibrate) / c.gas_piston_dt
                 * 2 * c.gas_piston_replicas * len(c.gas_piston_density))
    gas_seconds = gas_steps * sum(1.5e-7 + 1.2e-8 * n for n in c.gas_piston_n)
    seconds = ((trap_steps + sweep_steps + c.n_ness * w.n_steps) / 1.4e8 + 2 * c.n_piston / 1.5e7
               + gas_seconds + 5e-7 * (2 * c.n_trajectories + 2 * c.n_piston))
    n_records = w.n_steps // w.record_every
    memory = (8.0 * 2 * c.n_trajectories * 6  # work and heat each way, pymbar's reduced potentials
              + 8.0 * c.n_ness * n_records * 3 * 2  # the records and their concatenation
              + 8.0 * 2 * c.n_piston * 4)
    return Cost(memory, seconds, ("n_trajectories", "n_sweep", "speeds", "n_piston", "n_ness", "ness_windows",
                                  "gas_piston_replicas", "gas_piston_n", "gas_piston_t_drive"))


def run(config: Config, *, runner=None):
    """Run the five systems; return the dataset of :mod:`~neqlab.experiments.crooks.schema`.

    Each system is analysed as soon as its ensembles are done, so only its own raw arrays
    are held at a time (the steady state's records are the largest).
    """
    key = config.to_json()
    tasks = tasks_for(config)
    with owned_runner(runner) as r:
        def ens(name: str) -> dict:
            task, n = tasks.pop(name)
            return r.ensemble(partial(RUNS[type(task)], task), n, seed=config.seed, name=name, key=key,
                              chunk_size=chunk_size(task, n))

        parts = [trap(config, ens("crooks_forward"), ens("crooks_reverse")),
                 sweep(config, [(ens(f"crooks_sweep{j}_forward"), ens(f"crooks_sweep{j}_reverse"))
                                for j in range(len(config.speeds))]),
                 ideal_piston(config, ens("crooks_piston_compress")["work"], ens("crooks_piston_expand")["work"]),
                 steady_state(config, ens("crooks_ness")["records"]),
                 gas_piston(config, {name: ens(name) for name in list(tasks)})]
    return stamp(assemble(config, *parts), config, name=NAME, section=SECTION, claim=CLAIM)


def trap(config: Config, f: dict, r: dict) -> dict:
    """Crooks fit, Jarzynski, EXP/BAR/MBAR and the finite-n Jarzynski bias of the main trap run."""
    c = config
    wf, wr = f["work"], r["work"]
    dfx = exact_delta_f(c.model, c.protocol, c.kT)
    _, _, duration = protocol_of(c.model, c.protocol, c.speed)
    try:
        fit = fl.crooks_fit(wf, wr, c.kT)
    except ConfigError:  # too few trajectories for overlapping histograms: the verdict says inconclusive
        nan = np.full(0, np.nan)
        fit = fl.CrooksFit(nan, nan, nan, np.nan, np.nan, np.nan, np.nan, np.nan, 0)
    est = fl.free_energy(wf, wr, c.kT)
    jar, jar_err = fl.jarzynski(np.asarray(wf) - dfx, c.kT)
    sizes = np.unique(np.logspace(0, np.log10(max(10, wf.size // 20)), 12).astype(int))
    jm, js = fl.jarzynski_convergence(wf, c.kT, sizes)
    data = {
        "work": np.stack([wf, wr]), "heat": np.stack([f["heat"], r["heat"]]),
        "mean_work": np.array([np.mean(wf), np.mean(wr)]),
        "mean_entropy_production": np.array([np.mean(entropy_production(wf, dfx, c.kT)),
                                             np.mean(entropy_production(wr, -dfx, c.kT))]),
        "crooks_x": fit.x, "crooks_log_ratio": fit.y, "crooks_log_ratio_err": fit.y_err,
        "crooks_slope": fit.slope, "crooks_slope_err": fit.slope_err,
        "crooks_crossing": fit.crossing, "crooks_crossing_err": fit.crossing_err,
        "crooks_chi2": fit.chi2, "crooks_dof": int(fit.dof),
        "jarzynski": jar, "jarzynski_err": jar_err,
        "jarzynski_estimate": jm, "jarzynski_estimate_sd": js,
    }
    for meth, (val, err) in est.items():
        data[f"delta_f_{meth}"], data[f"delta_f_{meth}_err"] = val, err
    attrs = {"delta_f_exact": dfx, "duration": duration, "kT": c.kT}
    if c.model == "dragged_trap" and c.integrator == "overdamped" and c.protocol == "ramp":
        attrs["mean_work_exact"], attrs["var_work_exact"] = ref.dragged_trap_work(duration, 1.0, c.speed, c.gamma, c.kT)
    return {"data": data, "coords": {"sample_size": sizes}, "attrs": attrs}


def sweep(config: Config, pairs: list[tuple[dict, dict]]) -> dict:
    """dF by EXP (both ways) and BAR, and the mean dissipation <W> - dF, per driving speed."""
    c = config
    dfx = exact_delta_f(c.model, c.protocol, c.kT)
    est = np.full((len(c.speeds), len(METHODS), 2), np.nan)
    diss = np.empty(len(c.speeds))
    for j, (f, r) in enumerate(pairs):
        diss[j] = np.mean(f["work"]) - dfx
        res = fl.free_energy(f["work"], r["work"], c.kT, methods=METHODS)
        for m, meth in enumerate(METHODS):
            est[j, m] = res[meth]
    return {"data": {"sweep_delta_f": est[:, :, 0], "sweep_delta_f_err": est[:, :, 1], "sweep_dissipation": diss}}


def ideal_piston(config: Config, compress: np.ndarray, expand: np.ndarray) -> dict:
    """Per gas size N: entropy change w = (W - dF)/kT, P(w < 0), Jarzynski, EXP, BAR, Crooks slope."""
    c = config
    base = _piston(c, expand=False).params()
    sizes = list(c.n_particles)
    keys = ("w_mean", "w_sd", "p_negative", "delta_f_exp", "delta_f_exp_err", "delta_f_bar", "delta_f_bar_err",
            "delta_f_exact", "crooks_slope", "crooks_slope_err", "jarzynski", "jarzynski_err", "jarzynski_exact")
    st = {k: np.full(len(sizes), np.nan) for k in keys}
    n_gases = np.zeros(len(sizes), dtype=np.int64)
    centers = np.full((len(sizes), PISTON_BINS), np.nan)
    dens = np.full((len(sizes), PISTON_BINS), np.nan)
    for j, n in enumerate(sizes):
        wf, wr = gas_work(compress, n), gas_work(expand, n)
        dfx = base.delta_f(n)
        w = entropy_production(wf, dfx, c.kT)
        n_gases[j] = wf.size
        st["delta_f_exact"][j] = dfx
        st["w_mean"][j], st["w_sd"][j] = w.mean(), w.std(ddof=1)
        st["p_negative"][j] = np.mean(w < 0)
        st["jarzynski"][j], st["jarzynski_err"][j] = fl.jarzynski(wf, c.kT)
        st["jarzynski_exact"][j] = ref.piston_jarzynski(base.L0, base.L1, n)
        res = fl.free_energy(wf, wr, c.kT, methods=("exp_forward", "bar"))
        st["delta_f_exp"][j], st["delta_f_exp_err"][j] = res["exp_forward"]
        st["delta_f_bar"][j], st["delta_f_bar_err"][j] = res["bar"]
        try:
            fit = fl.crooks_fit(wf, wr, c.kT, n_bins=40, min_count=10, atoms=(0.0,))  # W = 0: no hit
            st["crooks_slope"][j], st["crooks_slope_err"][j] = fit.slope, fit.slope_err
        except ConfigError:  # no overlap of P_F(W) and P_R(-W): the large-N point of the essay
            pass
        h, e = np.histogram(w, bins=PISTON_BINS)
        centers[j] = 0.5 * (e[1:] + e[:-1])
        dens[j] = h / (w.size * np.diff(e))
    data = {f"piston_{k}": v for k, v in st.items()}
    data.update({"piston_n_gases": n_gases, "piston_w_center": centers, "piston_w_density": dens})
    return {"data": data}


def steady_state(config: Config, rec: np.ndarray) -> dict:
    """Per window length tau: symmetry slopes of W_tau/kT (with the exact Gaussian value) and of
    Seifert's total entropy production, and <exp(-s_tot)>."""
    c = config
    w = windows_of(c)
    task = _steady(c)
    zeros = np.zeros((rec.shape[0], 1))
    work = np.concatenate([zeros, rec[:, :, 0]], axis=1)  # record r at step r * record_every
    heat = np.concatenate([zeros, rec[:, :, 1]], axis=1)
    lam = np.asarray(steady_state_protocol(task)(c.ness_dt * np.arange(w.n_steps + 1)))
    mean, var = ref.harmonic_moments(lam, 1.0, c.gamma, c.kT, c.ness_dt)
    keys = ("slope", "slope_err", "slope_exact", "mean", "entropy_slope", "entropy_slope_err", "ift", "ift_err")
    out = {k: np.full(len(w.lengths), np.nan) for k in keys}
    burn, every = w.burn, w.record_every
    for j, L in enumerate(w.lengths):
        s_w = window_increments(work, burn, L) / c.kT
        i0, i1 = burn * every, (burn + L) * every
        x0, x1 = rec[:, burn - 1, 2], rec[:, burn + L - 1, 2]
        s_tot = total_entropy_production(window_increments(heat, burn, L), c.kT,
                                         gaussian_log_density(x0, mean[i0], var[i0]),
                                         gaussian_log_density(x1, mean[i1], var[i1]))
        out["mean"][j] = s_w.mean()
        mu, vv = ref.harmonic_window_work(lam, 1.0, c.gamma, c.kT, c.ness_dt, i0, i1)
        out["slope_exact"][j] = ref.gaussian_symmetry_slope(mu / c.kT, vv / c.kT**2)
        try:
            f = fl.symmetry_slope(s_w)
            out["slope"][j], out["slope_err"][j] = f.slope, f.slope_err
            g = fl.symmetry_slope(s_tot)
            out["entropy_slope"][j], out["entropy_slope_err"][j] = g.slope, g.slope_err
        except ConfigError:  # too few negative values at this window length
            pass
        out["ift"][j], out["ift_err"][j] = fl.jarzynski(s_tot, 1.0)
    return {"data": {f"ness_{k}": v for k, v in out.items()},
            "coords": {"tau": np.array(w.lengths) / 4.0 * c.ness_period}}


def gas_piston(config: Config, out: dict) -> dict:
    """Per (density, N): dF by EXP both ways and BAR, the Crooks fit where P_F(W) and P_R(-W)
    overlap, the ideal and walled-box second-virial dF, entropy production and P(w < 0)."""
    c = config
    dens, sizes, reps = c.gas_piston_density, c.gas_piston_n, c.gas_piston_replicas
    shape = (len(dens), len(sizes))
    work = np.empty((2,) + shape + (reps,))
    heat, de = np.empty_like(work), np.empty_like(work)
    for a in range(len(dens)):
        for b in range(len(sizes)):
            for d, label in enumerate(DIRECTIONS):
                o = out[f"crooks_gas_{a}_{b}_{label}"]
                work[d, a, b], heat[d, a, b], de[d, a, b] = o["work"], o["heat"], o["energy_change"]
    keys = ("delta_f_exp", "delta_f_exp_err", "delta_f_exp_reverse", "delta_f_exp_reverse_err", "delta_f_bar",
            "delta_f_bar_err", "crooks_slope", "crooks_slope_err", "crooks_crossing", "crooks_crossing_err",
            "delta_f_ideal", "delta_f_virial", "w_mean", "w_sd", "p_negative")
    st = {k: np.full(shape, np.nan) for k in keys}
    for a, rho in enumerate(dens):
        for b, n in enumerate(sizes):
            wf, wr = work[0, a, b], work[1, a, b]
            lx, ly = box_of(n, rho, c.gas_piston_length)
            st["delta_f_ideal"][a, b], st["delta_f_virial"][a, b] = ref.box_compression_delta_f(n, lx, 0.5 * lx, ly,
                                                                                                c.kT)
            res = fl.free_energy(wf, wr, c.kT, methods=("exp_forward", "exp_reverse", "bar"))
            st["delta_f_exp"][a, b], st["delta_f_exp_err"][a, b] = res["exp_forward"]
            st["delta_f_exp_reverse"][a, b], st["delta_f_exp_reverse_err"][a, b] = res["exp_reverse"]
            st["delta_f_bar"][a, b], st["delta_f_bar_err"][a, b] = res["bar"]
            w = (wf - st["delta_f_bar"][a, b]) / c.kT  # entropy production with the BAR dF
            st["w_mean"][a, b], st["w_sd"][a, b] = w.mean(), w.std(ddof=1)
            st["p_negative"][a, b] = np.mean(w < 0)
            try:
                fit = fl.crooks_fit(wf, wr, c.kT, n_bins=15, min_count=10)
                st["crooks_slope"][a, b], st["crooks_slope_err"][a, b] = fit.slope, fit.slope_err
                st["crooks_crossing"][a, b], st["crooks_crossing_err"][a, b] = fit.crossing, fit.crossing_err
            except ConfigError:  # no overlap of P_F(W) and P_R(-W) at this N
                pass
    data = {f"gas_piston_{k}": v for k, v in st.items()}
    # first law of each drive: W - Q - (E_end - E_start), the integrator's error
    data.update({"gas_piston_work": work, "gas_piston_heat": heat, "gas_piston_first_law_error": work - heat - de})
    return {"data": data}


__all__ = ["estimate", "run", "tasks_for"]
