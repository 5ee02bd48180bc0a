"""Work items of ``loschmidt``: one frozen dataclass per kind, and the function that runs it.

* :class:`Gas` says how a gas is prepared (:func:`initial_state`);
* :class:`Reversal` runs it forward to t_r, reverses every velocity (kicked by eps),
  and runs it back the same number of steps (:func:`reversal`);
* :class:`ReversalSweep` reverses one forward trajectory at several t_r, for the phase
  map (:func:`reversal_sweep`);
* :class:`Lyapunov` measures lambda_max of an equilibrium gas (:func:`lyapunov`).

:func:`run_task` runs any of them (the runner maps it over a mixed list). Each is a
top-level function of its task alone, so the runner can ship it to threads or Dask
workers; its randomness comes only from the task's seed and a named stream.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas import (PRECISIONS, Params, State, Stepper, advance, box_for, confined_gas, lattice_sites,
                               maxwell_boltzmann, params_for, reverse, to_lattice)
from neqlab.observables.divergence import growth_fit, lyapunov_max, rms_distance
from neqlab.observables.entropy import (MU_BIN_WIDTH, V_MAX, half_fraction, mu_entropy, spatial_entropy,
                                        velocity_entropy)
from neqlab.observables.hydro import hydro_entropy

AXES = ("walls", "periodic")
VELOCITIES = ("maxwell", "monokinetic")
# what is recorded at every sample of a reversal run (one series each, see observe)
OBSERVED = ("h_function", "h_function_err", "spatial_entropy", "spatial_entropy_err", "left_fraction",
            "mu_entropy", "mu_entropy_err", "hydro_entropy", "hydro_entropy_err", "hydro_thermal_entropy",
            "flow_energy")
HYDRO_MIN_PER_CELL = 15  # fewest particles per S_hydro cell on average (its bias: -0.005 per particle at 10)


@dataclass(frozen=True)
class Gas:
    """A gas confined to the first ``fill`` of axis 0 and equilibrated there, ready to be released.

    ``density`` [sigma^-d] the mean density over the whole box, ``kT`` [epsilon],
    ``t_equilibrate`` [tau] behind the wall, ``dt`` [tau]; after the release axis 0 has
    walls or is periodic (``expansion_axis``), the other axes are periodic;
    ``velocities``: Maxwell's, or ``monokinetic`` (every particle the speed
    sqrt(dim kT), keeping its direction). ``fill = 1`` is an equilibrium gas in the whole box.
    """

    n_particles: int
    dimension: int
    density: float
    fill: float
    kT: float
    t_equilibrate: float
    dt: float
    expansion_axis: str = "walls"
    velocities: str = "maxwell"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.expansion_axis not in AXES:
            raise ConfigError(f"expansion_axis must be one of {', '.join(AXES)}, got {self.expansion_axis!r}")
        if self.velocities not in VELOCITIES:
            raise ConfigError(f"velocities must be one of {', '.join(VELOCITIES)}, got {self.velocities!r}")


@dataclass(frozen=True)
class Reversal:
    """Run ``gas`` forward, reverse every velocity at t_r, run back the same number of steps.

    t_r is the first sample at which the left-half fraction is below ``f_left_reverse``
    (0: none), at the latest ``t_reverse`` [tau]; at the reversal every position is
    shifted by ``eps`` [sigma] rms (0: none). Observables every ``t_sample`` [tau],
    positions coarse-grained in ``n_cells`` per axis; ``n_show`` particles kept for
    the snapshots.
    """

    gas: Gas
    precision: str
    eps: float
    t_reverse: float
    f_left_reverse: float
    t_sample: float
    n_cells: int
    n_show: int = 1
    trajectory_samples: int = 0  # keep every this many samples, forward and back, as a trajectory frame (0: none)

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")


@dataclass(frozen=True)
class ReversalSweep:
    """One forward trajectory of ``gas``, reversed (and kicked by ``eps`` [sigma]) at each
    of ``t_reverse`` [tau] and run back: one phase-map point per reversal time."""

    gas: Gas
    precision: str
    eps: float
    t_reverse: tuple[float, ...]
    t_sample: float
    n_cells: int

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")


@dataclass(frozen=True)
class Lyapunov:
    """lambda_max of an equilibrium gas in a periodic box at ``density`` [sigma^-d]: two copies,
    ``t_lyapunov`` [tau] after ``t_equilibrate`` [tau], in ``n_segments`` blocks."""

    n_particles: int
    dimension: int
    density: float
    kT: float
    t_equilibrate: float
    dt: float
    t_lyapunov: float
    n_segments: int = 8
    seed: int = 0


def initial_state(gas: Gas) -> State:
    """The released gas of :class:`Gas` (zero total momentum, kinetic temperature exactly kT)."""
    g = gas
    periodic = [g.expansion_axis == "periodic"] + [True] * (g.dimension - 1)
    s = confined_gas(g.n_particles, g.density, g.kT, g.dimension, fill=g.fill, seed=g.seed, periodic=periodic,
                     t_eq=g.t_equilibrate, params=Params(dt=g.dt))
    v = np.asarray(s.velocities, np.float64)
    if g.velocities == "monokinetic":
        v = v * (math.sqrt(g.dimension * g.kT) / np.linalg.norm(v, axis=1, keepdims=True))
    return State(s.positions, v, s.box, s.periodic)


def _start(state: State, precision: str, params: Params):
    if precision == "exact":
        return to_lattice(state, params)
    return state.astype(params.precision)


class _Run:
    """A run of the task's integrator that goes on between samples: a
    :class:`~neqlab.models.gas.Stepper` for f32/f64 (its lists and forces kept, so the
    path does not depend on how often it is looked at), ``advance`` on a LatticeState
    for the exact integrator (whose integer forces do not depend on it either)."""

    def __init__(self, state, params: Params):
        self.params = params
        self.exact = params.integrator == "fixed_point"
        self._s = state if self.exact else Stepper(state, params)

    def advance(self, n_steps: int) -> None:
        if self.exact:
            self._s = advance(self._s, self.params, n_steps)
        else:
            self._s.advance(n_steps)

    @property
    def state(self):
        return self._s if self.exact else self._s.state

    def reversed(self, precision: str, eps: float, seed: int, *, keep: bool = False) -> "_Run":
        """The run with every velocity reversed (and positions kicked by eps); with
        ``keep`` this run is left as it was (a copy is reversed)."""
        if eps > 0 or self.exact:
            return _Run(_perturb(self.state, precision, self.params, eps, seed), self.params)
        out = _Run.__new__(_Run)
        out.params, out.exact = self.params, False
        out._s = (self._s.copy() if keep else self._s).reverse()
        return out


def _perturb(state, precision: str, params: Params, eps: float, seed: int):
    """Reverse every velocity; with eps > 0 also displace positions (rms eps per particle)."""
    rev = reverse(state)
    if eps <= 0:
        return rev
    rng = replica_rng(seed, 0, Stream.LOSCHMIDT_KICK)
    x = rev.positions.astype(np.float64) + eps / math.sqrt(state.dim) * rng.normal(size=rev.positions.shape)
    box = np.asarray(rev.box, np.float64)
    for k in range(state.dim):
        if rev.periodic[k]:
            x[:, k] %= box[k]
        else:  # reflect at the walls
            x[:, k] = np.abs(x[:, k])
            x[:, k] = np.where(x[:, k] > box[k], 2 * box[k] - x[:, k], x[:, k])
    fl = State(x, rev.velocities.astype(np.float64), box, rev.periodic, rev.time, rev.step)
    return to_lattice(fl, params) if precision == "exact" else fl.astype(params.precision)


def hydro_cells(n_particles: int, dimension: int, n_cells: int) -> int:
    """Cells per axis of S_hydro: ``n_cells``, fewer if a cell would hold under
    :data:`HYDRO_MIN_PER_CELL` particles on average (at least 1)."""
    m = n_cells
    while m > 1 and n_particles < HYDRO_MIN_PER_CELL * m**dimension:
        m -= 1
    return m


def observe(state, kT: float, n_cells: int) -> dict[str, float]:
    """The :data:`OBSERVED` values of one state, per particle, with standard errors.

    H = -S_v (velocity component histograms); the position entropy (``n_cells`` per
    axis); the left-half fraction; the mu-space entropy (``n_cells`` slabs along axis 0
    times velocity bins of sqrt(kT)/2, Grassberger-corrected); the local-equilibrium
    entropy S_hydro on :func:`hydro_cells` per axis (WCA equation of state, each cell's
    mean velocity as its rest frame), its thermal part, and the kinetic energy of the
    cells' flow [epsilon], per counted particle.
    """
    x = np.asarray(state.positions, np.float64)
    v = np.asarray(state.velocities, np.float64)
    box = np.asarray(state.box, np.float64)
    n, dim = x.shape
    sv, sv_err = velocity_entropy(v, kT)
    sx, sx_err = spatial_entropy(x, box, n_cells, miller_madow=True, return_error=True)
    width = MU_BIN_WIDTH * math.sqrt(kT)
    smu, smu_err = mu_entropy(x, v, box, (n_cells,) + (1,) * (dim - 1), bin_width=width,
                              v_max=width * (V_MAX / MU_BIN_WIDTH))
    h = hydro_entropy(x, v, box, hydro_cells(n, dim, n_cells))
    counted = max(h.n_counted, 1)
    return {"h_function": -sv, "h_function_err": sv_err, "spatial_entropy": sx, "spatial_entropy_err": sx_err,
            "left_fraction": half_fraction(x, box), "mu_entropy": smu, "mu_entropy_err": smu_err,
            "hydro_entropy": h.per_particle, "hydro_entropy_err": h.per_particle_err,
            "hydro_thermal_entropy": h.thermal / counted if h.n_counted else math.nan,
            "flow_energy": h.flow_energy / counted if h.n_counted else math.nan}


def reversal(task: Reversal) -> dict[str, np.ndarray]:
    """Forward until the reversal, reverse (perturb by eps), run back the same number of steps.

    Returns the :data:`OBSERVED` series on the sample grid (forward, then backward), the
    return error [sigma] against backward time (rms distance to the mirrored forward
    state, minimum image), t_r [tau], whether the stage was reached, whether the exact
    integrator came back bit for bit, snapshots at the reversal and at the end, the
    shown particles' initial position along axis 0 (fraction of the occupied length)
    and the box [sigma]. The observables of a sample are computed on a second thread
    while the dynamics goes on (the same values: they only read the sample's copy).
    """
    c, g = task, task.gas
    params = params_for(c.precision, dt=g.dt)
    s0f = initial_state(g)
    s0 = _start(s0f, c.precision, params)
    n_chunk = max(1, int(round(c.t_sample / g.dt)))
    n_max = int(math.ceil(c.t_reverse / (n_chunk * g.dt) - 1e-9))
    box, periodic = np.asarray(s0.box, np.float64), np.asarray(s0.periodic)
    kept: list[tuple[int, np.ndarray, np.ndarray]] = []  # (sample, positions, velocities) of the film

    def keep(sample: int, state) -> None:
        if c.trajectory_samples and sample % c.trajectory_samples == 0:
            kept.append((sample, np.array(state.positions, np.float64), np.array(state.velocities, np.float64)))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neqlab-observe") as pool:
        obs = [pool.submit(observe, s0, g.kT, c.n_cells)]
        frames = [np.asarray(s0.positions, np.float64)]
        keep(0, s0)
        run = _Run(s0, params)
        for _ in range(n_max):
            run.advance(n_chunk)
            s = run.state
            obs.append(pool.submit(observe, s, g.kT, c.n_cells))
            frames.append(np.asarray(s.positions, np.float64))
            keep(len(frames) - 1, s)
            if c.f_left_reverse > 0 and half_fraction(frames[-1], box) < c.f_left_reverse:
                break
        k_rev = len(frames) - 1
        reached = c.f_left_reverse <= 0 or half_fraction(frames[-1], box) < c.f_left_reverse
        show = np.sort(replica_rng(g.seed, 0, Stream.LOSCHMIDT_SHOWN).permutation(g.n_particles)[: c.n_show])
        snap = [frames[-1][show]]
        back = run.reversed(c.precision, c.eps, g.seed)
        b = back.state
        err = [pool.submit(rms_distance, frames[k_rev], b.positions, box, periodic)]
        for k in range(k_rev):
            back.advance(n_chunk)
            b = back.state
            obs.append(pool.submit(observe, b, g.kT, c.n_cells))
            err.append(pool.submit(rms_distance, frames[k_rev - 1 - k], b.positions, box, periodic))
            keep(k_rev + 1 + k, b)
        snap.append(np.asarray(b.positions, np.float64)[show])
        obs = [o.result() for o in obs]
        err = [e.result() for e in err]
    bitwise = False
    if c.precision == "exact":
        home = reverse(b)
        bitwise = bool(np.array_equal(home.u, s0.u) and np.array_equal(home.d, s0.d))
    out = {name: np.array([o[name] for o in obs]) for name in OBSERVED}
    out.update({
        "return_error": np.array(err), "t_reverse": np.array(k_rev * n_chunk * g.dt),
        "reached_stage": np.array(reached), "returned_bitwise": np.array(bitwise),
        "snapshot": np.stack(snap).astype(np.float32),
        "initial_x": (s0f.positions[show, 0] / (g.fill * float(box[0]))).astype(np.float32),
        "box": box,
    })
    if kept:  # the film, forward then back: positions/velocities as the run had them (after the kick, reversed)
        out["trajectory_positions"] = np.stack([k[1] for k in kept])
        out["trajectory_velocities"] = np.stack([k[2] for k in kept])
        out["trajectory_step"] = np.array([k[0] * n_chunk for k in kept], dtype=np.int64)
        out["trajectory_periodic"] = np.asarray(periodic, dtype=bool)
    return out


def reversal_sweep(task: ReversalSweep) -> dict[str, np.ndarray]:
    """One forward trajectory, reversed at each of ``t_reverse``: returned or not, each time.

    Returns per reversal time the final return error [sigma] and the fractions of the
    position entropy, velocity entropy, mu-space entropy and S_hydro rise undone, and, for the
    longest reversal, the growth fit (rate [1/tau], eps_eff [sigma]) of the return
    error against backward time.
    """
    c, g = task, task.gas
    params = params_for(c.precision, dt=g.dt)
    s0 = _start(initial_state(g), c.precision, params)
    box, periodic = np.asarray(s0.box, np.float64), np.asarray(s0.periodic)
    n_chunk = max(1, int(round(c.t_sample / g.dt)))
    stops = sorted({max(1, int(round(t / (n_chunk * g.dt)))) for t in c.t_reverse})
    o0 = observe(s0, g.kT, c.n_cells)
    h0, x0, m0, y0 = o0["h_function"], o0["spatial_entropy"], o0["mu_entropy"], o0["hydro_entropy"]
    frames, s, run = [np.asarray(s0.positions, np.float64)], s0, _Run(s0, params)
    out = {k: [] for k in ("t_reverse", "return_error", "spatial_undone", "h_undone", "mu_undone", "hydro_undone")}
    rate = eps_eff = float("nan")
    for j, k_rev in enumerate(stops):
        while len(frames) - 1 < k_rev:
            run.advance(n_chunk)
            s = run.state
            frames.append(np.asarray(s.positions, np.float64))
        o1 = observe(s, g.kT, c.n_cells)
        h1, x1, m1, y1 = o1["h_function"], o1["spatial_entropy"], o1["mu_entropy"], o1["hydro_entropy"]
        back = run.reversed(c.precision, c.eps, g.seed, keep=True)
        b = back.state
        errs = [rms_distance(frames[k_rev], b.positions, box, periodic)]
        for k in range(k_rev):
            back.advance(n_chunk)
            b = back.state
            errs.append(rms_distance(frames[k_rev - 1 - k], b.positions, box, periodic))
        o2 = observe(b, g.kT, c.n_cells)
        h2, x2, m2, y2 = o2["h_function"], o2["spatial_entropy"], o2["mu_entropy"], o2["hydro_entropy"]
        out["t_reverse"].append(k_rev * n_chunk * g.dt)
        out["return_error"].append(errs[-1])
        out["spatial_undone"].append((x1 - x2) / (x1 - x0) if x1 != x0 else float("nan"))
        out["h_undone"].append((h2 - h1) / (h0 - h1) if h1 != h0 else float("nan"))
        out["mu_undone"].append((m1 - m2) / (m1 - m0) if m1 != m0 else float("nan"))
        out["hydro_undone"].append((y1 - y2) / (y1 - y0) if y1 != y0 else float("nan"))
        if j == len(stops) - 1:
            rate, eps_eff, _ = growth_fit(np.arange(k_rev + 1) * n_chunk * g.dt, np.array(errs))
    res = {k: np.array(v, dtype=float) for k, v in out.items()}
    res["growth_rate"] = np.array(rate)
    res["eps_fit"] = np.array(eps_eff)
    return res


def lyapunov(task: Lyapunov) -> dict[str, np.ndarray]:
    """lambda_max [1/tau] of the equilibrium gas, its standard error and the running estimate."""
    c = task
    box = box_for(c.n_particles, c.density, c.dimension)
    rng = replica_rng(c.seed, 0, Stream.LOSCHMIDT_LYAPUNOV)
    s = State(lattice_sites(c.n_particles, box), maxwell_boltzmann(c.n_particles, c.dimension, c.kT, rng), box, True)
    p = Params(dt=c.dt)
    s = advance(s, p, int(round(c.t_equilibrate / c.dt)))
    est = lyapunov_max(s, p, t_total=c.t_lyapunov, t_renorm=0.1, d0=1e-7, t_transient=1.0,
                       n_segments=c.n_segments, seed=c.seed)
    return {"value": np.array(est.value), "err": np.array(est.err), "running": est.running}


RUNS = {Reversal: reversal, ReversalSweep: reversal_sweep, Lyapunov: lyapunov}


def run_task(task: Reversal | ReversalSweep | Lyapunov) -> dict[str, np.ndarray]:
    """Run one work item of any kind (the function the runner maps)."""
    return RUNS[type(task)](task)


__all__ = ["Gas", "Lyapunov", "OBSERVED", "Reversal", "ReversalSweep", "hydro_cells", "initial_state", "lyapunov",
           "observe", "reversal", "reversal_sweep", "run_task"]
