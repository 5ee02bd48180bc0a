"""Ensembles of small walled gases in one engine call: the bits of one ``advance`` per
system, without its Python around every call.

An ensemble of small systems (a few to a few hundred particles each, thousands of
replicas) spends as much time in the Python of :func:`neqlab.models.gas.advance` (state
checks, work arrays, the thread choice, the result's state) as in its kernel.
:func:`piston_drives` runs a whole ensemble of piston drives in one numba call, each
system through the same serial Verlet run as ``advance`` (so each ends on the same
bits, for any number of threads); :func:`insert_disks` places disks at random with
the draws of a NumPy Generator, as a Python insertion loop would, at kernel speed.

>>> import numpy as np
>>> from neqlab.core.protocol import Ramp
>>> rng = np.random.default_rng(1)
>>> x = np.stack([insert_disks(4, 5.0, 8.0, rng) for _ in range(3)])
>>> v = rng.normal(0.0, 1.0, size=x.shape)
>>> out = piston_drives(x, v, np.array([5.0, 8.0]), Params(dt=0.004), n_relax=100, n_drive=500,
...                     piston=Ramp(5.0, 2.5, 2.0), kT=1.0, keys=np.arange(3, dtype=np.uint64))
>>> bool(np.all(out["work"] > 0))  # a compression does work on the gas
True
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.gas import _kernels as K
from neqlab.models.gas import _workers
from neqlab.models.gas._kernels import batch as B
from neqlab.models.gas._plumbing import kernel_params, raise_status
from neqlab.models.gas.state import Params

PHASES = ("relaxation", "start energy", "drive", "end energy")


def insert_disks(n: int, lx: float, ly: float, rng: np.random.Generator, *, gap: float = 1.0,
                 max_tries: int | None = None) -> np.ndarray:
    """n uniform positions in [0, lx) x [0, ly) [length], no two closer than ``gap``
    [length], by random sequential insertion.

    Each candidate takes two uniform doubles from ``rng`` (the draws of
    ``rng.uniform((0, 0), (lx, ly))``, x then y) and is kept if it lies at least
    ``gap`` from every disk placed before it; ``rng`` is left where a Python loop doing
    the same would leave it. ``max_tries`` (default 10^4 n) candidates in all, then
    ConfigError.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n <= 10_000_000:
        raise ConfigError(f"n must be an integer in [0, 10000000], got {n!r}")
    for name, val in (("lx", lx), ("ly", ly), ("gap", gap)):
        if not (isinstance(val, (int, float, np.floating, np.integer)) and np.isfinite(val) and val > 0):
            raise ConfigError(f"{name} must be a number in (0, inf) [length], got {val!r}")
    if not isinstance(rng, np.random.Generator):
        raise ConfigError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    tries = 10_000 * int(n) if max_tries is None else max_tries
    if isinstance(tries, bool) or not isinstance(tries, (int, np.integer)) or tries < 0:
        raise ConfigError(f"max_tries must be an integer in [0, inf), got {max_tries!r}")
    out = np.empty((int(n), 2))
    if B.insert_disks(float(lx), float(ly), float(gap) ** 2, np.int64(tries), rng, out) != K.OK:
        raise ConfigError(f"the box {lx:.3g} x {ly:.3g} must leave room for n = {n} disks {gap:g} apart "
                          f"(within {tries} tries)")
    return out


def _geometry(box: np.ndarray, n: int, params: Params) -> tuple:
    """What the serial Verlet run reads of a walled box, as ``advance`` computes it."""
    periodic = np.zeros(box.shape[0], np.bool_)
    rlist = float(np.sqrt(kernel_params(params, np.float64)[K.P_RLIST2]))
    ncell, grid, nt, ns, cap = _workers._geometry(box, periodic, rlist, n)
    return box, periodic, ncell, grid, np.int64(nt), np.int64(ns), np.int64(cap)


def _steps(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ConfigError(f"{name} must be an integer in [0, inf), got {value!r}")
    return int(value)


def piston_drives(positions: np.ndarray, velocities: np.ndarray, box, params: Params, *, n_relax: int,
                  n_drive: int, piston, kT: float, keys: np.ndarray, parallel: bool = True) -> dict[str, np.ndarray]:
    """Relax, then drive by a piston, R gases in boxes with walls; per system ``work``,
    ``heat`` (given to the thermal walls), ``energy_start`` and ``energy_end`` (kinetic
    plus potential, of the drive) [energy].

    System r starts as ``State(positions[r], velocities[r], box, periodic=False)``
    (arrays (R, N, dim) [length], [length/time]; ``box`` (dim,) [length]) and runs
    ``advance(s, params, n_relax, bath=ThermalWalls(kT, keys[r]))`` (every wall a heat
    bath at ``kT`` [energy]); its time, work and heat are then set to zero (the step
    count, which keys the walls' noise, runs on) and it runs ``advance(s, params,
    n_drive, piston=piston, bath=...)``: ``piston`` x_w(t) [length] moves the upper
    wall of axis 0 from t = 0. The energies are ``0.5 sum v^2 + potential_energy``
    before and after the drive. Every system ends on the bits of those calls whether
    ``parallel`` (slices of the ensemble on ``numba.get_num_threads()`` threads) or not
    (the calling thread).
    """
    if not isinstance(params, Params):
        raise ConfigError(f"params must be a neqlab.models.gas.Params, got {type(params).__name__}")
    if params.integrator != "verlet" or params.precision != "f64":
        raise ConfigError(f"params must use integrator 'verlet' with precision 'f64', got "
                          f"{params.integrator!r} with {params.precision!r}")
    x = np.ascontiguousarray(positions, dtype=np.float64)
    v = np.ascontiguousarray(velocities, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] not in (2, 3) or x.shape[1] < 1:
        raise ConfigError(f"positions must have shape (R, N, 2) or (R, N, 3) with N >= 1, got {x.shape}")
    if v.shape != x.shape:
        raise ConfigError(f"velocities must have the shape of positions {x.shape}, got {v.shape}")
    n_sys, n, dim = x.shape
    b = np.ascontiguousarray(np.broadcast_to(np.asarray(box, dtype=np.float64), (dim,))).copy()
    if not np.all(np.isfinite(b) & (b > 0)):
        raise ConfigError(f"box must be positive and finite on every axis [length], got {b.tolist()}")
    if not (isinstance(kT, (int, float, np.floating)) and np.isfinite(kT) and kT > 0):
        raise ConfigError(f"kT must be a number in (0, inf) [energy], got {kT!r}")
    k = np.asarray(keys)
    if k.dtype != np.uint64 or k.shape != (n_sys,):
        raise ConfigError(f"keys must be a uint64 array of shape ({n_sys},), got {k.dtype} {k.shape}")
    n_relax, n_drive = _steps("n_relax", n_relax), _steps("n_drive", n_drive)
    if not callable(piston):
        raise ConfigError(f"piston must be a protocol x_w(t) [length] (e.g. a Ramp), got {type(piston).__name__}")
    wall = np.asarray(piston(params.dt * np.arange(n_drive + 1)), dtype=np.float64) * np.ones(n_drive + 1)
    if not np.all(np.isfinite(wall)) or wall.min() <= 0:
        raise ConfigError(f"piston must stay at a positive position [length], got min {wall.min()!r}")
    end = b.copy()
    end[0] = wall[-1]
    drive_box = b.copy()
    drive_box[0] = wall.max()  # the cell grid spans every wall position
    geos = (_geometry(b, n, params), _geometry(drive_box, n, params), _geometry(end, n, params))
    out = np.zeros((n_sys, 4))
    status = np.zeros((n_sys, 3), np.int64)
    systems = (x, v, np.ascontiguousarray(k))
    drive = (wall, np.array([float(kT)]), np.array([n_relax, n_drive], np.int64))
    prm = kernel_params(params, np.float64)
    threads = min(numba.get_num_threads(), n_sys) if parallel else 1
    if threads <= 1:
        B.piston_drives_run(systems, geos, prm, drive, out, status)
    else:  # slices of the ensemble on threads (the kernel releases the GIL); each system runs alone
        bounds = np.linspace(0, n_sys, 4 * threads + 1).astype(np.int64)
        parts = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="neqlab-drives") as pool:
            for fu in [pool.submit(B.piston_drives_run, (x[s], v[s], systems[2][s]), geos, prm, drive, out[s],
                                   status[s]) for s in parts]:
                fu.result()
    if np.any(status[:, 0] != K.OK):
        r = int(np.flatnonzero(status[:, 0])[0])
        code, phase, step = (int(c) for c in status[r])
        if code == B.BEYOND:
            raise ConfigError(f"piston must start beyond every particle (x <= {wall[0]:.6g}), got system {r} "
                              f"with a particle beyond it after its relaxation in a box of length {b[0]:.6g}")
        what = "the neighbour list" if phase in (1, 3) else "velocity Verlet (f64)"
        raise_status(code, step, f"{what} of system {r} ({PHASES[phase]})")
    return {"work": out[:, 0], "heat": out[:, 1], "energy_start": out[:, 2], "energy_end": out[:, 3]}


__all__ = ["insert_disks", "piston_drives"]
