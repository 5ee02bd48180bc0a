"""Work items of ``crooks``: one frozen dataclass per kind, and the function that runs it.

Each function takes ``(task, replicas, seed)`` and returns arrays for the replicas (ids)
given; replica i draws its noise from the stream (seed, stream, sub, i) only, so the
forward, reverse, sweep, piston, gas and steady-state ensembles are independent and each
is bitwise the same for any chunking or number of workers.

* :class:`TrapDrive` — a Brownian particle in a trap U(x, lambda) driven from
  equilibrium along a ramp or a round trip (forward or reverse): work and heat;
* :class:`SteadyStateRun` — the trap oscillating periodically: (work, heat, x) recorded
  every quarter period or so;
* :class:`IdealPistonDrive` — one particle of the ideal-gas piston L0 -> L1 with a
  thermal wall (a gas of N is N consecutive particles): work and heat;
* :class:`GasPistonDrive` — an interacting 2D WCA gas in a box with thermal walls,
  relaxed, then compressed L -> L/2 (or expanded back) by the piston: work, heat and the
  energy change of each drive.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Cycle, Ramp
from neqlab.core.rng import Stream, replica_keys, replica_rng
from neqlab.experiments.crooks.config import Config
from neqlab.models import piston
from neqlab.models.gas import Params, State, ThermalWalls, advance as gas_advance, potential_energy
from neqlab.models.gas.batch import insert_disks, piston_drives
from neqlab.models.langevin import LangevinParams, advance, double_well, dragged_trap, equilibrium_state, stiffness_ramp

# model -> (potential factory, lambda start, lambda stop)
MODELS = {
    "dragged_trap": (lambda: dragged_trap(k=1.0), 0.0, 3.0),
    "stiffness_ramp": (lambda: stiffness_ramp(), 1.0, 4.0),
    "double_well": (lambda: double_well(a=1.0, b=2.0, control="tilt"), -1.0, 1.0),
}
METHODS = ("exp_forward", "exp_reverse", "bar")  # free-energy estimators of the speed sweep
GAS_METHODS = ("batch", "advance")  # how gas_piston_drive runs its replicas (the same bits)
MIN_GAP = 1.0  # [sigma] closest initial distance of two gas particles (the WCA diameter)
PISTON_L0, PISTON_L1 = 1.0, 0.5  # [sigma] the ideal piston's start and end


def stream_of(stream: Stream, sub: int | None):
    """The stream id the models take: a Stream, or a (Stream, sub) pair."""
    return stream if sub is None else (stream, sub)


def protocol_of(model: str, kind: str, speed: float):
    """(forward protocol, reverse protocol, duration [tau]); ``speed`` is |dlambda/dt| for a
    ramp and the peak |dlambda/dt| for the round trip."""
    _, lam0, lam1 = MODELS[model]
    if kind == "ramp":
        duration = abs(lam1 - lam0) / speed
        fwd = Ramp(lam0, lam1, duration)
    else:  # round trip lam0 -> lam1 -> lam0 along half a sine period each way
        duration = 2.0 * abs(lam1 - lam0) / speed * (math.pi / 2.0)  # same peak speed
        fwd = Cycle(0.5 * (lam0 + lam1), 0.5 * (lam1 - lam0), duration, -0.5 * math.pi, duration)
    return fwd, fwd.reversed(), duration


def exact_delta_f(model: str, kind: str, kT: float) -> float:
    """F(lambda_1) - F(lambda_0) [epsilon] of the trap model (0 for a round trip)."""
    factory, lam0, lam1 = MODELS[model]
    return 0.0 if kind == "round_trip" else factory().delta_f(lam0, lam1, kT)


@dataclass(frozen=True)
class TrapDrive:
    """Trajectories of ``model`` driven by ``protocol`` at ``speed`` from equilibrium (forward,
    or reverse: from equilibrium at the final lambda along the reversed protocol)."""

    model: str
    protocol: str
    speed: float  # [lambda/tau]
    reverse: bool
    dt: float  # [tau]
    gamma: float  # [mass/tau]
    kT: float  # [epsilon]
    integrator: str
    stream: Stream
    sub: int | None = None


def trap_drive(task: TrapDrive, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Work (including BAOAB's shadow work) and heat [epsilon] of each trajectory."""
    params = LangevinParams(dt=task.dt, gamma=task.gamma, kT=task.kT, scheme=task.integrator)
    fwd, rev, duration = protocol_of(task.model, task.protocol, task.speed)
    protocol = rev if task.reverse else fwd
    pot = MODELS[task.model][0]()
    state = equilibrium_state(pot, float(protocol(0.0)), params, seed=seed, replicas=replicas,
                              stream=stream_of(task.stream, task.sub))
    n_steps = max(1, int(round(duration / params.dt)))
    end, _ = advance(state, pot, protocol, params, n_steps, parallel=False)
    return {"work": end.work + end.shadow_work, "heat": end.heat}


@dataclass(frozen=True)
class SteadyStateRun:
    """The dragged trap (k = 1) with centre lambda(t) = amplitude sin(2 pi t / period)."""

    period: float  # [tau]
    amplitude: float  # [sigma]
    dt: float  # [tau]
    gamma: float
    kT: float
    n_steps: int
    record_every: int  # [steps]


@dataclass(frozen=True)
class Windows:
    """Where the steady-state windows sit in the records (see :func:`windows_of`)."""

    record_every: int  # steps between records
    burn: int  # records before the first window (two periods)
    lengths: tuple[int, ...]  # window lengths in records (quarter periods)
    n_steps: int  # steps of each run


def windows_of(config: Config) -> Windows:
    """Record layout of the steady-state runs: a record every quarter period."""
    c = config
    every = max(1, int(round(c.ness_period / (4 * c.ness_dt))))
    burn = 8
    lengths = tuple(max(1, int(round(4 * f))) for f in c.ness_windows)
    return Windows(every, burn, lengths, (burn + max(lengths)) * every)


def steady_state_protocol(task: SteadyStateRun) -> Cycle:
    return Cycle(0.0, task.amplitude, task.period)


def steady_state_run(task: SteadyStateRun, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Records (work, heat, x) every ``record_every`` steps, shape (replicas, records, 3)."""
    params = LangevinParams(dt=task.dt, gamma=task.gamma, kT=task.kT)
    protocol = steady_state_protocol(task)
    pot = dragged_trap(k=1.0)
    state = equilibrium_state(pot, float(protocol(0.0)), params, seed=seed, replicas=replicas,
                              stream=Stream.CROOKS_NESS)
    _, rec = advance(state, pot, protocol, params, task.n_steps, record_every=task.record_every, parallel=False)
    return {"records": rec}


@dataclass(frozen=True)
class IdealPistonDrive:
    """One ideal-gas particle per replica, box [0, L], thermal wall at 0, piston L0 -> L1."""

    L0: float  # [sigma]
    L1: float  # [sigma]
    t_move: float  # [tau]
    kT: float
    sub: int  # 0 compression, 1 expansion

    def params(self) -> piston.PistonParams:
        return piston.PistonParams(L0=self.L0, L1=self.L1, t_move=self.t_move, kT=self.kT)


def ideal_piston_drive(task: IdealPistonDrive, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Work and heat [epsilon] of each particle's drive."""
    out = piston.run(task.params(), seed=seed, replicas=replicas, stream=(Stream.CROOKS_PISTON, task.sub),
                     parallel=False)
    return {"work": out["work"], "heat": out["heat"]}


@dataclass(frozen=True)
class GasPistonDrive:
    """Drives of an interacting gas of ``n`` WCA disks in a heat bath (thermal walls).

    The box is ``length`` (axis 0, the piston's) by n / (density length); a replica places
    the disks at random (no pair closer than sigma) with Maxwell velocities, relaxes for
    ``t_equilibrate`` with every wall thermal (the canonical state at kT is the stationary
    state of that dynamics), and is driven along L -> L/2 in ``t_drive`` (forward) or
    L/2 -> L (reverse), the other walls still thermal.
    """

    n: int
    density: float  # [sigma^-2]
    length: float  # [sigma]
    kT: float
    t_drive: float  # [tau]
    t_equilibrate: float  # [tau]
    dt: float  # [tau]
    forward: bool
    sub: int  # 2 * (density index) + direction
    stream: Stream = Stream.CROOKS_GAS


def box_of(n: int, density: float, length: float) -> tuple[float, float]:
    """(axis-0 length, width) [sigma] of the uncompressed box: area n / density."""
    return length, n / (density * length)


def place(n: int, lx: float, ly: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform positions in [0, lx) x [0, ly) with no pair closer than MIN_GAP (random
    sequential insertion, at most 10^4 n candidates of two draws of ``rng`` each; a
    low-density start that the thermostatted MD then equilibrates)."""
    try:
        return insert_disks(n, lx, ly, rng, gap=MIN_GAP, max_tries=10_000 * n)
    except ConfigError:
        raise ConfigError(f"gas_piston_density must leave room for {n} disks, got a box {lx:.3g} x {ly:.3g}") from None


def _walls(kT: float, seed: int, replica: int, stream) -> ThermalWalls:
    return ThermalWalls(kT, int(replica_keys(seed, [int(replica)], stream)[0]))


def canonical_state(task: GasPistonDrive, params: Params, seed: int, replica: int) -> State:
    """A canonical sample at kT of the start box (L, or L/2 for the reverse drive)."""
    stream = (task.stream, task.sub)
    rng = replica_rng(seed, int(replica), stream)
    lx, ly = start_box(task)
    s = State(place(task.n, lx, ly, rng), rng.normal(0.0, math.sqrt(task.kT), size=(task.n, 2)),
              np.array([lx, ly]), (False, False))
    s = gas_advance(s, params, n_relax_of(task, params), bath=_walls(task.kT, seed, replica, stream))
    return dataclasses.replace(s, time=0.0, work=0.0, heat=0.0)


def energy(state: State, params: Params) -> float:
    """Kinetic plus potential energy [epsilon]."""
    return 0.5 * float(np.sum(state.velocities.astype(np.float64) ** 2)) + potential_energy(state, params)


def start_box(task: GasPistonDrive) -> tuple[float, float]:
    """(axis-0 length, width) [sigma] of the box a drive starts in: L, or L/2 for the reverse."""
    lx, ly = box_of(task.n, task.density, task.length)
    return (lx, ly) if task.forward else (lx * 0.5, ly)


def gas_piston_drive(task: GasPistonDrive, replicas: np.ndarray, seed: int, *,
                     method: str = "batch") -> dict[str, np.ndarray]:
    """Work W, heat Q and energy change dE [epsilon] of each drive (first law: dE = W - Q
    up to the integrator's error).

    ``method``: "batch" runs the replicas' relaxations and drives in one engine call
    (:func:`neqlab.models.gas.batch.piston_drives`); "advance" calls ``advance`` twice per
    replica (the reference: the same bits, slower by the Python of each call).
    """
    if method not in GAS_METHODS:
        raise ConfigError(f"method must be one of {', '.join(GAS_METHODS)}, got {method!r}")
    params = Params(dt=task.dt)
    ramp = Ramp(task.length, 0.5 * task.length, task.t_drive)
    proto = ramp if task.forward else ramp.reversed()
    n_steps = max(1, int(round(task.t_drive / task.dt)))
    if method == "advance":
        return _drives_by_advance(task, params, proto, n_steps, replicas, seed)
    stream = (task.stream, task.sub)
    lx, ly = start_box(task)
    x = np.empty((len(replicas), task.n, 2))
    v = np.empty_like(x)
    for i, r in enumerate(replicas):  # the start of each replica from its own Generator (microseconds each)
        rng = replica_rng(seed, int(r), stream)
        x[i] = place(task.n, lx, ly, rng)
        v[i] = rng.normal(0.0, math.sqrt(task.kT), size=(task.n, 2))
    out = piston_drives(x, v, np.array([lx, ly]), params, n_relax=n_relax_of(task, params), n_drive=n_steps,
                        piston=proto, kT=task.kT, keys=replica_keys(seed, replicas, stream), parallel=False)
    return {"work": out["work"], "heat": out["heat"], "energy_change": out["energy_end"] - out["energy_start"]}


def n_relax_of(task: GasPistonDrive, params: Params) -> int:
    """MD steps of the relaxation in the heat bath before a drive."""
    return max(0, int(round(task.t_equilibrate / params.dt)))


def _drives_by_advance(task, params, proto, n_steps, replicas, seed) -> dict[str, np.ndarray]:
    out = {k: np.empty(len(replicas)) for k in ("work", "heat", "energy_change")}
    for i, r in enumerate(replicas):  # one MD run per replica: the reference path of method="advance"
        s0 = canonical_state(task, params, seed, r)
        s1 = gas_advance(s0, params, n_steps, piston=proto, bath=_walls(task.kT, seed, r, (task.stream, task.sub)))
        out["work"][i], out["heat"][i] = s1.work, s1.heat
        out["energy_change"][i] = energy(s1, params) - energy(s0, params)
    return out


RUNS = {TrapDrive: trap_drive, SteadyStateRun: steady_state_run, IdealPistonDrive: ideal_piston_drive,
        GasPistonDrive: gas_piston_drive}


def run_task(task, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Run any task of this module on ``replicas``."""
    return RUNS[type(task)](task, replicas, seed)
