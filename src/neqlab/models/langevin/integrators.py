"""Langevin ensembles: M independent trajectories driven by a protocol lambda(t).

Overdamped dynamics (Euler-Maruyama), ``gamma dx = -dU/dx dt + sqrt(2 gamma kT) dB``,
or underdamped (BAOAB, Leimkuhler & Matthews). Each trajectory accumulates its work
W (change of U when lambda moves at fixed x) and the heat Q given to the bath, so
that ``U_end - U_start = W - Q`` (plus the shadow work of BAOAB) per trajectory up to
round-off. Trajectory ``i`` draws its noise from a stream that depends only on
``(seed, i)``: results are bitwise the same for any thread count or chunking.

>>> from neqlab.core.protocol import Ramp
>>> from neqlab.models.langevin.potentials import dragged_trap
>>> p = LangevinParams(dt=1e-3)
>>> s = equilibrium_state(dragged_trap(), 0.0, p, seed=1, replicas=np.arange(4))
>>> s2, _ = advance(s, dragged_trap(), Ramp(0.0, 1.0, duration=1.0), p, 1000)
>>> bool(np.allclose(s2.energy(dragged_trap(), 1.0) - s.energy(dragged_trap(), 0.0),
...                  s2.work - s2.heat, atol=1e-12))
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError, SimulationError
from neqlab.core.rng import Stream, replica_keys
from neqlab.models import _threads
from neqlab.models.langevin import _kernels as K
from neqlab.models.langevin.potentials import Potential

SCHEMES = ("overdamped", "baoab")
NOISE_STREAM = Stream.LANGEVIN_NOISE  # the default noise stream


@dataclass(frozen=True)
class LangevinParams(ConfigBase):
    """Integration parameters (reduced units, k_B = 1)."""

    experiment: ClassVar[str] = "langevin"
    dt: float = param(1e-3, lo=0.0, lo_open=True, hi=1.0, unit="time", doc="time step")
    gamma: float = param(1.0, lo=0.0, lo_open=True, hi=1e6, unit="mass/time", doc="friction coefficient")
    kT: float = param(1.0, lo=0.0, lo_open=True, hi=1e6, unit="energy", doc="bath temperature")
    mass: float = param(1.0, lo=0.0, lo_open=True, hi=1e6, unit="mass", doc="particle mass (baoab only)")
    scheme: str = param("overdamped", choices=SCHEMES, doc="integrator")


@dataclass
class State:
    """An ensemble: positions (M, dim), velocities (baoab) and per-trajectory tallies."""

    x: np.ndarray
    v: np.ndarray | None
    keys: np.ndarray  # per-trajectory stream states (advance with the noise)
    work: np.ndarray
    heat: np.ndarray
    shadow_work: np.ndarray
    time: float = 0.0
    step: int = 0

    @property
    def n_trajectories(self) -> int:
        return self.x.shape[0]

    def energy(self, potential: Potential, lam: float, mass: float = 1.0) -> np.ndarray:
        """Potential plus (if underdamped) kinetic energy per trajectory [energy]."""
        e = potential.energy(self.x, lam)
        if self.v is not None:
            e = e + 0.5 * mass * (self.v**2).sum(axis=1)
        return e


def trajectory_keys(seed: int, replicas, stream: int = NOISE_STREAM) -> np.ndarray:
    """A 64-bit stream key per trajectory id, a function of (seed, id) only.

    The keys of :func:`neqlab.core.rng.replica_keys` for the noise ``stream``
    (nanoseconds per trajectory).

    >>> a = trajectory_keys(3, [0, 1, 2, 5])
    >>> bool(a[3] == trajectory_keys(3, [5])[0]) and len(set(a.tolist())) == 4
    True
    """
    return replica_keys(seed, replicas, stream)


def equilibrium_state(potential: Potential, lam0: float, params: LangevinParams, *, seed: int, replicas,
                      stream: int = NOISE_STREAM) -> State:
    """Trajectories drawn from the Boltzmann distribution at lam0 (exactly: Gaussian or tabulated).

    Trajectory ``i`` (an id in ``replicas``) gets the noise stream of (seed, stream, i).
    """
    potential.check_confining(lam0)
    keys = trajectory_keys(seed, replicas, stream)
    m, d = keys.size, potential.dim
    if potential.is_quadratic():
        z = np.empty((m, 2 * d))
        K.init_normals(keys, 2 * d, z)
        mean, var = potential.gaussian(lam0, params.kT)
        x = mean + np.sqrt(var) * z[:, :d]
    else:
        u = np.empty((m, d))
        K.init_uniforms(keys, d, u)
        grid, cdf = potential.inverse_cdf_table(lam0, params.kT)
        x = np.column_stack([np.interp(u[:, a], cdf[a], grid[a]) for a in range(d)])
        z = np.empty((m, 2 * d))
        K.init_normals(keys, 2 * d, z)
    v = np.sqrt(params.kT / params.mass) * z[:, d:] if params.scheme == "baoab" else None
    zeros = np.zeros(m)
    return State(np.ascontiguousarray(x), None if v is None else np.ascontiguousarray(v), keys,
                 zeros.copy(), zeros.copy(), zeros.copy())


def protocol_values(protocol, t0: float, dt: float, n_steps: int) -> np.ndarray:
    """lambda at the n_steps + 1 step boundaries t0, t0 + dt, ..."""
    return np.ascontiguousarray(np.asarray(protocol(t0 + dt * np.arange(n_steps + 1)), dtype=np.float64))


def advance(state: State, potential: Potential, protocol, params: LangevinParams, n_steps: int,
            *, record_every: int = 0, parallel: bool = True) -> tuple[State, np.ndarray]:
    """Run ``n_steps`` steps of ``params.scheme``; return the new State and the records.

    ``parallel``: numba threads over trajectories; False runs on the calling thread
    (inside a Runner's thread pool). Results are bitwise the same either way.

    Records (overdamped only): shape (M, n_steps // record_every, 2 + dim) holding
    (work, heat, x...) after every ``record_every`` steps; empty if 0.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ConfigError(f"n_steps must be an integer in [0, inf), got {n_steps!r}")
    if isinstance(record_every, bool) or not isinstance(record_every, (int, np.integer)) or record_every < 0:
        raise ConfigError(f"record_every must be an integer in [0, inf), got {record_every!r}")
    if state.x.shape[1] != potential.dim:
        raise ConfigError(f"state dimension must equal potential dim {potential.dim}, got {state.x.shape[1]}")
    lam = protocol_values(protocol, state.time, params.dt, int(n_steps))
    c = potential.table
    x = state.x.copy()
    keys = state.keys.copy()
    work, heat, shadow = state.work.copy(), state.heat.copy(), state.shadow_work.copy()
    v = state.v  # overdamped steps leave velocities (if any) untouched
    n_rec = int(n_steps) // record_every if record_every > 0 else 0
    rec = np.zeros((x.shape[0], n_rec, 2 + x.shape[1]))
    if parallel:
        _threads.configure()
    if params.scheme == "overdamped":
        run = K.overdamped_run if parallel else K.overdamped_run_serial
        scal = np.array([params.dt, params.gamma, params.kT])
        bad = run(x, keys, c, lam, scal, int(record_every), work, heat, rec)
    else:
        if state.v is None:
            raise ConfigError("scheme 'baoab' needs a state with velocities, got an overdamped state")
        if record_every:
            raise ConfigError(f"record_every must be 0 for scheme 'baoab', got {record_every!r}")
        v = state.v.copy()
        acc = np.column_stack([work, heat, shadow])
        run = K.baoab_run if parallel else K.baoab_run_serial
        bad = run(x, v, keys, c, lam, np.array([params.dt, params.gamma, params.kT, params.mass]), acc)
        work, heat, shadow = (np.ascontiguousarray(acc[:, j]) for j in range(3))
    if bad:
        raise SimulationError(f"{bad} trajectories left the finite range (unstable integration); reduce dt")
    new = replace(state, x=x, v=v, keys=keys, work=work, heat=heat, shadow_work=shadow,
                  time=state.time + int(n_steps) * params.dt, step=state.step + int(n_steps))
    return new, rec
