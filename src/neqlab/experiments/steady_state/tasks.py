"""Work items of ``steady_state``: one frozen dataclass per kind, and the function that runs it.

* :class:`TransientChains`: equilibrium chains of the sheared fluid's start ensemble; each
  start is sheared for max(t) and gives Omega_t (Evans-Searles) at every t
  (:func:`transient`);
* :class:`SteadyShear`: sheared systems in their steady state, cut into windows tau
  (:func:`steady`);
* :class:`GreenKuboRun`: the equilibrium stress record for the Green-Kubo viscosity
  (:func:`green_kubo`);
* :class:`LyapunovRun`: the Lyapunov spectrum of the sheared steady state (:func:`lyapunov`);
* :class:`PistonGases`: gases with thermal walls under a sinusoidal piston, one amplitude
  and then another, work and heat per period (:func:`piston`).

:func:`run_task` runs any of them (the runner maps it over a mixed list). Every item
holds a fixed block of system or replica ids, so the result does not depend on the
number of workers.

Seeding. The sheared systems come from :func:`neqlab.models.shear.equilibrium_ensemble`
(stream ``Stream.SHEAR_INITIAL`` keyed by (seed, id)); each part uses its own block of
ids, ``part << 40`` on (:data:`PARTS`). The Metropolis moves of the Lees-Edwards offsets
draw from ``Stream.STEADY_STATE`` with sub = part, per chain id; the piston gases from
``Stream.GAS_INITIAL`` (lattice start, id ``direction << 40 | replica``) and
``Stream.STEADY_STATE_PISTON`` with sub = direction (the thermal walls).

The Lees-Edwards offset is a coordinate of the sheared fluid's phase space: the
equilibrium ensemble of the transient theorem is exp(-Phi(q, offset) / kT) in q *and*
offset (Omega_t of :func:`neqlab.models.shear.dissipation_function` is derived for it).
``equilibrium_ensemble`` draws the offsets uniformly and keeps them fixed, which is that
ensemble only if the free energy does not depend on the offset; in a small box it does.
So every chain here moves its offset by Metropolis steps (:func:`offset_moves`), before
and between its starts: the start ensemble is the theorem's by construction. Whether
uniform offsets bias the theorem measurably is not settled: at N = 16, gamma = 0.5
(isokinetic) one set of 64 chains gave slopes 0.931 +- 0.015 and 0.947 +- 0.012 at
t = 0.1, 0.2 tau (1.006 +- 0.014 and 1.000 +- 0.011 with the moves), another of 256
chains 1.002 +- 0.013 and 1.001 +- 0.010 (0.987 +- 0.010 and 1.000 +- 0.009 with them).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Cycle
from neqlab.core.rng import Stream, replica_keys, replica_rng
from neqlab.models.gas import Params, ThermalWalls, advance as gas_advance, lattice_gas
from neqlab.models.shear import (ShearParams, ShearState, advance, equilibrium_ensemble, potential_energy,
                                 run)
from neqlab.observables.shear import dissipation, lyapunov_spectrum, steady_state_sigma

PARTS = {"transient": 0, "steady": 1, "green_kubo": 2, "lyapunov": 3, "tail": 4,  # tail size i: 4 + i
         "film": 1 << 20}  # far beyond any tail size
ID_SHIFT = 40
OFFSET_STEP = 0.3  # [sigma] largest Metropolis step of an offset (acceptance 0.3-0.6 at density 0.8)
BURN_MOVES = 200  # offset moves before a chain's first start, each after BURN_STEPS of dynamics
BURN_STEPS = 25
SIGMA_DEFINITION = {"isoenergetic": "contraction", "isokinetic": "dissipation"}
T_SETTLE = 10.0  # [tau] sheared run before a steady-state record starts


def system_ids(part: int, first: int, n: int) -> tuple[int, int]:
    """(first id, count) of a block of systems of ``part`` (ids ``part << 40`` on)."""
    return (part << ID_SHIFT) + first, n


@dataclass(frozen=True)
class Fluid:
    """The sheared WCA fluid: ``n_particles`` at ``density`` [sigma^-2], started at ``kT``
    [epsilon] after ``t_equilibrate`` [tau], time step ``dt`` [tau], Gaussian ``thermostat``."""

    n_particles: int
    density: float
    kT: float
    dt: float
    thermostat: str
    t_equilibrate: float

    def params(self, shear_rate: float) -> ShearParams:
        # one numba thread per item: the items are the parallelism (no result depends on it)
        return ShearParams(dt=self.dt, shear_rate=shear_rate, thermostat=self.thermostat, threads=1)

    def systems(self, part: int, first: int, n: int, seed: int) -> ShearState:
        """``n`` samples of the isokinetic equilibrium ensemble (ids of ``part`` from ``first``)."""
        f, m = system_ids(part, first, n)
        return equilibrium_ensemble(self.n_particles, self.density, self.kT, n_systems=m, seed=seed, first=f,
                                    t_eq=self.t_equilibrate, params=self.params(0.0))


def steps(t: float, dt: float) -> int:
    return int(round(t / dt))


@dataclass(frozen=True)
class TransientChains:
    """Chains ``first`` .. ``first + n_chains - 1`` of ``part``: ``n_samples`` starts each,
    ``t_gap`` [tau] apart, each sheared at ``shear_rate`` [1/tau] up to max(``times``) [tau]."""

    fluid: Fluid
    shear_rate: float
    times: tuple[float, ...]
    n_samples: int
    t_gap: float
    part: int
    first: int
    n_chains: int
    seed: int


@dataclass(frozen=True)
class SteadyShear:
    """Systems ``first`` .. of the steady state: ``t_run`` [tau] after T_SETTLE, recorded every
    ``every`` steps; sigma_tau over non-overlapping ``windows`` [steps], every ``strides[k]``-th
    window kept; P_xy and Lambda stored as means over ``coarse`` records."""

    fluid: Fluid
    shear_rate: float
    t_run: float
    every: int
    windows: tuple[int, ...]
    strides: tuple[int, ...]
    coarse: int
    first: int
    n_systems: int
    seed: int


@dataclass(frozen=True)
class GreenKuboRun:
    """Equilibrium (shear rate 0) records of P_xy every ``every`` steps over ``t_run`` [tau]."""

    fluid: Fluid
    t_run: float
    every: int
    first: int
    n_systems: int
    seed: int


@dataclass(frozen=True)
class LyapunovRun:
    """The Lyapunov spectrum of ``n_systems`` sheared systems: ``t_run`` [tau] in ``n_segments``
    after T_SETTLE of shear and ``t_transient`` [tau] of tangent dynamics."""

    fluid: Fluid
    shear_rate: float
    t_run: float
    t_transient: float
    n_segments: int
    renorm_every: int
    n_systems: int
    seed: int


@dataclass(frozen=True)
class PistonGases:
    """Gases ``first`` .. of one ``direction`` (0: a1 -> a2, 1: a2 -> a1): N WCA disks at
    ``density`` [sigma^-2] in a square box with thermal walls at ``kT`` [epsilon], relaxed for
    ``t_equilibrate`` [tau]; the piston (upper wall of x) follows L0 + a sin(2 pi t / T)
    with a = ``amplitude_start`` for ``n_transient`` + ``n_before`` periods, then
    ``amplitude_end`` for ``n_after`` periods [sigma, tau]; work and heat recorded per period."""

    n_particles: int
    density: float
    kT: float
    dt: float
    period: float
    amplitude_start: float
    amplitude_end: float
    n_transient: int
    n_before: int
    n_after: int
    t_equilibrate: float
    direction: int
    first: int
    n_replicas: int
    seed: int

    @property
    def length(self) -> float:
        """L0 [sigma], the side of the square box at rest."""
        return math.sqrt(self.n_particles / self.density)


# ----------------------------------------------------------------------------- sheared fluid
def offset_moves(state: ShearState, params: ShearParams, kT: float, uniforms: np.ndarray,
                 step: float = OFFSET_STEP) -> ShearState:
    """One Metropolis move of every system's Lees-Edwards offset (in place; returns the state).

    Proposal offset + step (2u - 1) (mod L_x) from ``uniforms[:, 0]``, accepted if
    ``uniforms[:, 1]`` is below the target's ratio: exp(-dPhi / kT) for the isokinetic
    ensemble exp(-Phi / kT) delta(K - K0); for the microcanonical shells of the
    isoenergetic thermostat (H0 fixed) the weight of a configuration is
    K^((dN - d) / 2 - 1), K = H0 - Phi, and an accepted move rescales the momenta to the new K.
    """
    phi = potential_energy(state, params)
    trial = state.copy()
    lx = state.box[0]
    trial.offset = np.minimum((state.offset + step * (2.0 * uniforms[:, 0] - 1.0)) % lx, np.nextafter(lx, 0.0))
    phi_new = potential_energy(trial, params)
    if params.thermostat == "isoenergetic":
        k_old = state.kinetic_energy()
        k_new = k_old + phi - phi_new
        power = 0.5 * (state.n_dof + 1) - 1.0  # (dN - d)/2 - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.where(k_new > 0, power * np.log(np.maximum(k_new, 1e-300) / k_old), -np.inf)
    else:
        log_ratio = -(phi_new - phi) / kT
    ok = np.log(np.maximum(uniforms[:, 1], 1e-300)) < log_ratio
    state.offset[ok] = trial.offset[ok]
    if params.thermostat == "isoenergetic":
        scale = np.sqrt(np.where(ok, k_new / k_old, 1.0))
        state.momenta *= scale[:, None, None]
    return state


def _chain_uniforms(task: TransientChains, n_moves: int) -> np.ndarray:
    """(n_chains, n_moves, 2) uniforms of the offset moves, one stream per chain id."""
    first, n = system_ids(task.part, task.first, task.n_chains)
    return np.stack([replica_rng(task.seed, first + c, Stream.STEADY_STATE, sub=task.part).random((n_moves, 2))
                     for c in range(n)])


def transient(task: TransientChains) -> dict[str, np.ndarray]:
    """Omega_t [1] at every t of ``task.times`` for every start: ``omega`` (n_chains, n_samples, n_t)
    (:func:`neqlab.observables.shear.dissipation`: the exact dissipation function of the thermostat)."""
    fl = task.fluid
    p = fl.params(task.shear_rate)
    eq = fl.params(0.0)
    t_steps = np.array([steps(t, fl.dt) for t in task.times])
    every = int(np.gcd.reduce(t_steps))
    cols = t_steps // every - 1
    gap = steps(task.t_gap, fl.dt)
    u = _chain_uniforms(task, BURN_MOVES + task.n_samples)
    chains = fl.systems(task.part, task.first, task.n_chains, task.seed)
    # the burn-in runs the start dynamics (isoenergetic at rest: constant H0, so every chain
    # relaxes within its energy shell) between the offset moves
    for m in range(BURN_MOVES):
        chains = advance(offset_moves(chains, eq, fl.kT, u[:, m]), eq, BURN_STEPS)
    omega = np.empty((task.n_chains, task.n_samples, cols.size))
    for k in range(task.n_samples):
        _, rec = run(chains, p, int(t_steps.max()), record_every=every)
        omega[:, k, :] = dissipation(rec, chains, p)[:, cols]
        chains = offset_moves(advance(chains, eq, gap), eq, fl.kT, u[:, BURN_MOVES + k])
    return {"omega": omega}


def _coarse_means(x: np.ndarray, n: int) -> np.ndarray:
    m = x.shape[1] // n
    return x[:, : m * n].reshape(x.shape[0], m, n).mean(axis=2)


def steady(task: SteadyShear) -> dict[str, np.ndarray]:
    """The steady state: ``sigma_k`` (n_systems, windows kept) for each window length, and
    ``pxy`` [epsilon sigma^-2], ``compression`` [1/tau], ``kinetic_energy`` [epsilon] as
    means over ``coarse`` records (n_systems, n_coarse)."""
    fl = task.fluid
    p = fl.params(task.shear_rate)
    s = advance(fl.systems(PARTS["steady"], task.first, task.n_systems, task.seed), p, steps(T_SETTLE, fl.dt))
    s, rec = run(s, p, steps(task.t_run, fl.dt), record_every=task.every)
    taus = [w * fl.dt for w in task.windows]
    out = {}
    for k, ((sig, _), stride) in enumerate(zip(steady_state_sigma(rec, s, p, taus,
                                                                  definition=SIGMA_DEFINITION[fl.thermostat]),
                                               task.strides)):
        out[f"sigma_{k}"] = sig.reshape(task.n_systems, -1)[:, ::stride]
    n = task.coarse
    out.update(pxy=_coarse_means(rec.pxy, n), compression=_coarse_means(rec.compression, n),
               kinetic_energy=_coarse_means(rec.kinetic_energy, n))
    return out


def green_kubo(task: GreenKuboRun) -> dict[str, np.ndarray]:
    """Equilibrium P_xy interval means (n_systems, n) [epsilon sigma^-2] every ``every`` steps,
    and each system's mean kinetic energy [epsilon]."""
    fl = task.fluid
    s = fl.systems(PARTS["green_kubo"], task.first, task.n_systems, task.seed)
    _, rec = run(s, fl.params(0.0), steps(task.t_run, fl.dt), record_every=task.every)
    return {"pxy": rec.pxy, "kinetic_energy": rec.kinetic_energy.mean(axis=1)}


def lyapunov(task: LyapunovRun) -> dict[str, np.ndarray]:
    """The spectrum [1/tau] (descending) with errors over segments and systems, its sum, the
    mean compression Lambda and multiplier alpha of the same run, Kaplan-Yorke's dimension."""
    fl = task.fluid
    p = fl.params(task.shear_rate)
    s = advance(fl.systems(PARTS["lyapunov"], 0, task.n_systems, task.seed), p, steps(T_SETTLE, fl.dt))
    res = lyapunov_spectrum(s, p, t_run=task.t_run, t_transient=task.t_transient, renorm_every=task.renorm_every,
                            n_segments=task.n_segments, space="constrained", seed=task.seed)
    return {"exponents": res.exponents, "exponents_err": res.exponents_err,
            "scalars": np.array([res.exponent_sum, res.exponent_sum_err, res.compression, res.compression_err,
                                 res.alpha, res.alpha_err, res.kaplan_yorke, res.kaplan_yorke_err,
                                 res.dimension, res.time])}


LYAPUNOV_SCALARS = ("sum", "sum_err", "compression", "compression_err", "alpha", "alpha_err", "kaplan_yorke",
                    "kaplan_yorke_err", "dimension", "time")


# ----------------------------------------------------------------------------- piston gas
def piston(task: PistonGases) -> dict[str, np.ndarray]:
    """``work`` and ``heat`` [epsilon] per recorded period (n_replicas, n_before + n_after):
    the work the piston does on the gas and the heat the gas gives the thermal walls."""
    t = task
    p = Params(dt=t.dt)
    n_period = steps(t.period, t.dt)
    if abs(n_period * t.dt - t.period) > 1e-9 * t.period:
        raise ConfigError(f"piston_period must be a multiple of piston_dt = {t.dt!r} [tau], got {t.period!r}")
    length = t.length
    cycles = (Cycle(length, t.amplitude_start, t.period), Cycle(length, t.amplitude_end, t.period))
    plan = [0] * (t.n_transient + t.n_before) + [1] * t.n_after
    ids = np.arange(t.first, t.first + t.n_replicas)
    keys = replica_keys(t.seed, ids, Stream.STEADY_STATE_PISTON, sub=t.direction)
    n_rec = t.n_before + t.n_after
    work = np.empty((t.n_replicas, n_rec))
    heat = np.empty((t.n_replicas, n_rec))
    for j, r in enumerate(ids):
        walls = ThermalWalls(t.kT, int(keys[j]))
        s = lattice_gas(t.n_particles, t.density, t.kT, 2, seed=t.seed, replica=(t.direction << ID_SHIFT) | int(r),
                        periodic=False, aspect=(1.0, 1.0))
        s = gas_advance(s, p, steps(t.t_equilibrate, t.dt), bath=walls)
        for k, which in enumerate(plan):
            # every period starts at t = 0 (the protocol is periodic; the walls' noise
            # follows the absolute step, which runs on)
            s0 = dataclasses.replace(s, time=0.0)
            s = gas_advance(s0, p, n_period, piston=cycles[which], bath=walls)
            i = k - t.n_transient
            if i >= 0:
                work[j, i], heat[j, i] = s.work - s0.work, s.heat - s0.heat
    return {"work": work, "heat": heat}




@dataclass(frozen=True)
class ShearFilm:
    """One system of the sheared fluid in its steady state (after T_SETTLE), a frame every
    ``every`` steps, ``n_frames`` frames: positions in [0, L), laboratory velocities
    dq/dt = p + shear_rate y e_x [sigma/tau], and the Lees-Edwards tilt offset / L_y."""

    fluid: Fluid
    shear_rate: float
    every: int
    n_frames: int
    seed: int


def film(task: ShearFilm) -> dict[str, np.ndarray]:
    fl = task.fluid
    p = fl.params(task.shear_rate)
    s = advance(fl.systems(PARTS["film"], 0, 1, task.seed), p, steps(T_SETTLE, fl.dt))
    pos, vel, tilt = [], [], []
    for k in range(task.n_frames):
        if k:
            s = advance(s, p, task.every)
        x = np.array(s.positions[0])
        v = np.array(s.momenta[0])
        v[:, 0] += task.shear_rate * x[:, 1]  # SLLOD: the streaming velocity gamma y of the laboratory frame
        pos.append(x)
        vel.append(v)
        tilt.append(float(s.offset[0]) / float(s.box[1]))
    return {"trajectory_positions": np.stack(pos), "trajectory_velocities": np.stack(vel),
            "trajectory_step": np.arange(task.n_frames, dtype=np.int64) * task.every,
            "trajectory_tilt": np.array(tilt), "trajectory_box": np.asarray(s.box, dtype=np.float64),
            "trajectory_periodic": np.ones(s.box.size, dtype=bool)}


RUNS = {TransientChains: transient, SteadyShear: steady, GreenKuboRun: green_kubo, LyapunovRun: lyapunov,
        PistonGases: piston, ShearFilm: film}


def run_task(task) -> dict[str, np.ndarray]:
    """Run any work item of this module."""
    return RUNS[type(task)](task)
