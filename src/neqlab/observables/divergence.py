"""How fast two nearby gas trajectories separate: distances and the largest Lyapunov exponent.

* :func:`rms_distance` — root-mean-square distance per particle [length] between two
  configurations of the same particles, minimum image on periodic axes. With the
  initial configuration as reference it is the *return error* of a velocity reversal.
* :func:`phase_distance` — Euclidean distance in the 2 N dim phase space (positions
  minimum image, plus velocities; m = tau = 1 so both carry the same units).
* :func:`lyapunov_max` — the largest Lyapunov exponent lambda [1/time] by the two-copy
  method (Benettin et al. 1980): a copy displaced by ``d0`` in a random phase-space
  direction is advanced with the model's public :func:`~neqlab.models.gas.advance`;
  every ``t_renorm`` the separation D is measured, ln(D/d0) accumulated and the copy
  pulled back to distance d0 along the current separation. After a transient
  ``t_transient`` (alignment with the most unstable direction) the remaining time is
  cut into ``n_segments`` consecutive blocks; lambda is their mean and ``err`` the
  standard error over blocks (blocks much longer than 1/lambda are nearly
  independent).

>>> import numpy as np
>>> a = np.array([[0.1, 5.0], [9.9, 1.0]])
>>> b = np.array([[9.9, 5.0], [0.1, 1.0]])        # across the periodic boundary
>>> round(rms_distance(a, b, box=np.array([10.0, 10.0]), periodic=np.array([True, True])), 12)
0.2
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas import LatticeState, Params, State, advance


def _delta(a: np.ndarray, b: np.ndarray, box, periodic) -> np.ndarray:
    """b - a with the minimum-image convention on periodic axes (float64)."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    for k in np.flatnonzero(np.asarray(periodic, dtype=bool)):
        d[:, k] -= box[k] * np.rint(d[:, k] / box[k])
    return d


def rms_distance(a: np.ndarray, b: np.ndarray, box, periodic) -> float:
    """RMS distance per particle [length] between configurations ``a`` and ``b`` (N, dim)."""
    a = np.asarray(a)
    if a.shape != np.shape(b) or a.ndim != 2:
        raise ConfigError(f"positions must be two arrays of the same shape (N, dim), got {a.shape} and {np.shape(b)}")
    d = _delta(a, b, box, periodic)
    return float(math.sqrt(np.sum(d * d) / a.shape[0]))


def phase_distance(a: State | LatticeState, b: State | LatticeState) -> float:
    """Euclidean phase-space distance [length] between two states of the same gas."""
    dx = _delta(a.positions, b.positions, a.box, a.periodic)
    dv = np.asarray(b.velocities, np.float64) - np.asarray(a.velocities, np.float64)
    return float(math.sqrt(np.sum(dx * dx) + np.sum(dv * dv)))


@dataclass(frozen=True)
class LyapunovEstimate:
    """Result of :func:`lyapunov_max`.

    ``value`` [1/time] and ``err`` (one standard error over ``segments``);
    ``t`` [time] the end of each renormalisation interval and ``log_growth`` its
    ln(D/d0); ``running`` the running estimate (after the transient) for
    convergence plots.
    """

    value: float
    err: float
    segments: np.ndarray
    t: np.ndarray
    log_growth: np.ndarray
    running: np.ndarray
    d0: float
    t_renorm: float


def _displaced(state: State, delta_x: np.ndarray, delta_v: np.ndarray) -> State:
    x = state.positions.astype(np.float64) + delta_x
    for k in range(state.dim):
        if state.periodic[k]:
            x[:, k] %= float(state.box[k])
        else:  # a wall axis: keep the copy inside (only matters for a particle at the wall)
            x[:, k] = np.clip(x[:, k], 0.0, float(state.box[k]))
    v = state.velocities.astype(np.float64) + delta_v
    return State(x.astype(state.dtype), v.astype(state.dtype), state.box, state.periodic, state.time, state.step)


def lyapunov_max(state: State, params: Params, *, t_total: float, t_renorm: float = 0.1, d0: float = 1e-7,
                 t_transient: float = 1.0, n_segments: int = 8, seed: int = 0) -> LyapunovEstimate:
    """Largest Lyapunov exponent [1/time] of the gas started at ``state`` (two-copy method).

    ``t_total`` [time] of measurement after ``t_transient`` [time]; renormalise every
    ``t_renorm`` [time] to the phase-space distance ``d0`` [length]; the initial
    direction is random (``replica_rng(seed, 0, Stream.DIVERGENCE_DIRECTION)``). Velocity Verlet only
    (a lattice state would round the small separation away).
    """
    if not isinstance(state, State) or params.integrator != "verlet":
        raise ConfigError("state must be a float State advanced by integrator 'verlet' for lyapunov_max, "
                          f"got {type(state).__name__} with integrator {params.integrator!r}")
    for name, val, lo in (("t_total", t_total, 0.0), ("t_renorm", t_renorm, 0.0), ("d0", d0, 0.0),
                          ("t_transient", t_transient, -1e-300)):
        if not (math.isfinite(val) and val > lo):
            raise ConfigError(f"{name} must be a number in ({max(lo, 0.0):g}, inf), got {val!r}")
    if not isinstance(n_segments, int) or not 2 <= n_segments <= 10**4:
        raise ConfigError(f"n_segments must be an integer in [2, 10000], got {n_segments!r}")
    n_ren = max(1, int(round(t_renorm / params.dt)))
    n_trans = int(math.ceil(t_transient / (n_ren * params.dt)))
    n_meas = int(math.ceil(t_total / (n_ren * params.dt)))
    n_meas = max(n_segments, n_meas - n_meas % n_segments)
    rng = replica_rng(seed, 0, Stream.DIVERGENCE_DIRECTION)
    u = rng.normal(size=(2,) + state.positions.shape)
    u *= d0 / math.sqrt(np.sum(u * u))
    ref = state
    copy = _displaced(state, u[0], u[1])
    logs = np.empty(n_trans + n_meas)
    for k in range(n_trans + n_meas):
        ref = advance(ref, params, n_ren)
        copy = advance(copy, params, n_ren)
        dx = _delta(ref.positions, copy.positions, ref.box, ref.periodic)
        dv = copy.velocities.astype(np.float64) - ref.velocities.astype(np.float64)
        dist = math.sqrt(np.sum(dx * dx) + np.sum(dv * dv))
        if not (dist > 0 and math.isfinite(dist)):
            raise ConfigError(f"d0 must be large enough to survive round-off in {params.precision}, got {d0!r}")
        logs[k] = math.log(dist / d0)
        copy = _displaced(ref, dx * (d0 / dist), dv * (d0 / dist))
    tau = n_ren * params.dt
    meas = logs[n_trans:]
    seg = meas.reshape(n_segments, -1).sum(axis=1) / (meas.size // n_segments * tau)
    running = np.cumsum(meas) / (tau * np.arange(1, meas.size + 1))
    t = state.time + tau * np.arange(1, logs.size + 1)
    return LyapunovEstimate(float(seg.mean()), float(seg.std(ddof=1) / math.sqrt(n_segments)), seg, t, logs,
                            running, float(d0), float(tau))


def growth_fit(s: np.ndarray, error: np.ndarray, *, lo: float = 1e-13, hi: float = 1e-2,
               s_min: float = 0.5) -> tuple[float, float, int]:
    """Fit error(s) = eps_eff * exp(rate * s) over the points with lo < error < hi, s >= s_min.

    Returns (rate [1/time], eps_eff [length], number of points used); NaNs when fewer
    than three points qualify (e.g. a bit-exact return with error 0).
    """
    s = np.asarray(s, float)
    e = np.asarray(error, float)
    ok = np.isfinite(e) & (e > lo) & (e < hi) & (s >= s_min)
    if ok.sum() < 3:
        return float("nan"), float("nan"), int(ok.sum())
    slope, icpt = np.polyfit(s[ok], np.log(e[ok]), 1)
    return float(slope), float(math.exp(icpt)), int(ok.sum())


__all__ = ["LyapunovEstimate", "growth_fit", "lyapunov_max", "phase_distance", "rms_distance"]
