"""Time stepping: velocity Verlet (float64/float32) and the bit-reversible integer leapfrog.

>>> import numpy as np
>>> from neqlab.models.gas import Params, lattice_gas, advance, reverse, to_lattice
>>> p = Params(integrator="fixed_point")
>>> s0 = to_lattice(lattice_gas(64, density=0.5, kT=1.0, dim=2, seed=1), p)
>>> s1 = advance(reverse(advance(s0, p, 50)), p, 50)   # forward, reverse, back
>>> bool(np.array_equal(reverse(s1).u, s0.u) and np.array_equal(reverse(s1).d, s0.d))
True
"""

from __future__ import annotations

import dataclasses

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.gas import _workers
from neqlab.models.gas._plumbing import check_box, kernel_params, raise_status
from neqlab.models.gas.state import LatticeState, Params, State, ThermalWalls, float_type


def advance(state: State | LatticeState, params: Params, n_steps: int, *, piston=None,
            bath: ThermalWalls | None = None) -> State | LatticeState:
    """Integrate ``n_steps`` steps of ``params.dt``; returns a new state (input untouched).

    A :class:`State` is advanced by velocity Verlet (``params.integrator == "verlet"``),
    a :class:`LatticeState` by the integer leapfrog (``"fixed_point"``). Raises
    SimulationError with a remedy on overlap, NaN, escape or overflow.
    ``params.threads`` workers share every step; the result is bitwise the same for any
    number of threads.

    ``piston``: a protocol x_w(t) (e.g. ``neqlab.core.protocol.Ramp``) giving the
    position [length] of the upper wall of axis 0 at absolute time t (axis 0 must have
    walls; Verlet only). Particles reflect off the moving wall; the work it does
    on the gas accumulates in ``state.work`` and ``box[0]`` follows the wall.

    ``bath``: :class:`ThermalWalls` make every wall but the piston a heat bath (Verlet
    only); the heat the gas gives them accumulates in ``state.heat``.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ConfigError(f"n_steps must be an integer in [0, inf), got {n_steps!r}")
    n_steps = int(n_steps)
    if isinstance(state, LatticeState):
        if params.integrator != "fixed_point":
            raise ConfigError(f"integrator must be 'fixed_point' for a LatticeState, got {params.integrator!r}")
        if piston is not None or bath is not None:
            raise ConfigError("piston and bath need the 'verlet' integrator (the fixed-point leapfrog has fixed walls only)")
        return _advance_lattice(state, params, n_steps)
    if bath is not None and not isinstance(bath, ThermalWalls):
        raise ConfigError(f"bath must be a ThermalWalls or None, got {type(bath).__name__}")
    if params.integrator != "verlet":
        raise ConfigError(f"integrator must be 'verlet' for a State (convert with to_lattice), got {params.integrator!r}")
    return _advance_verlet(state, params, n_steps, piston, bath)


def _wall_positions(state: State, params: Params, n_steps: int, piston) -> np.ndarray:
    if state.periodic[0]:
        raise ConfigError("periodic[0] must be False (walls) to move a piston along axis 0, got True")
    t = state.time + params.dt * np.arange(n_steps + 1)
    wall = np.asarray(piston(t), dtype=np.float64) * np.ones(n_steps + 1)
    if not np.all(np.isfinite(wall)) or wall.min() <= 0:
        raise ConfigError(f"piston must stay at a positive position [length], got min {wall.min()!r}")
    x_max = float(np.max(state.positions[:, 0])) if state.n_particles else 0.0
    if x_max > wall[0]:
        raise ConfigError(f"piston must start beyond every particle (x <= {wall[0]:.6g}), got a particle at x = {x_max:.6g}")
    return wall


def _advance_verlet(state: State, params: Params, n_steps: int, piston=None, bath=None) -> State:
    dtype = params.dtype
    check_box(state.box, state.periodic, params)
    bath_arr = np.empty(0, dtype=np.float64)
    key = np.uint64(0)
    if bath is not None:
        if bool(np.all(state.periodic)):
            raise ConfigError("periodic must be False on at least one axis for thermal walls, got all True")
        bath_arr = np.array([bath.kT], dtype=np.float64)
        key = np.uint64(bath.key)
    x = state.positions.astype(dtype, copy=True)
    v = state.velocities.astype(dtype, copy=True)
    box = state.box.astype(dtype)
    wall = np.empty(0, dtype=dtype)
    if piston is not None:
        wall = _wall_positions(state, params, n_steps, piston).astype(dtype)
        box = box.copy()
        box[0] = wall.max()  # the cell grid spans every wall position
    ids = np.arange(state.n_particles, dtype=np.int64)
    prm = kernel_params(params, dtype)
    st, done, work, heat, _ = _workers.verlet_run(x, v, ids, box, state.periodic, prm, n_steps, wall, bath_arr, key,
                                                  state.step, params.threads)
    raise_status(st, state.step + done, f"velocity Verlet ({params.precision})")
    if piston is not None:
        box[0] = wall[-1]
    out_x = np.empty_like(x)
    out_v = np.empty_like(v)
    out_x[ids] = x
    out_v[ids] = v
    _wrap(out_x, box, state.periodic)
    return State(out_x, out_v, box, state.periodic.copy(), state.time + n_steps * params.dt,
                 state.step + n_steps, state.work + float(work), state.heat + float(heat))


def _wrap(x: np.ndarray, box: np.ndarray, periodic: np.ndarray) -> None:
    for k in np.flatnonzero(periodic):
        x[:, k] -= box[k] * np.floor(x[:, k] / box[k])
        x[:, k] = np.where(x[:, k] >= box[k], x[:, k] - box[k], x[:, k])


def _lattice_consts(params: Params, bits: int) -> np.ndarray:
    scale = 2.0 ** -bits
    return np.array([scale, params.dt * params.dt * 2.0**bits])


def _advance_lattice(state: LatticeState, params: Params, n_steps: int) -> LatticeState:
    if state.bits != params.lattice_bits or state.dt != params.dt:
        raise ConfigError(
            f"lattice_bits and dt must match the LatticeState ({state.bits}, {state.dt}), "
            f"got ({params.lattice_bits}, {params.dt})"
        )
    check_box(state.box, state.periodic, params)
    u, d, a = state.u.copy(), state.d.copy(), np.empty_like(state.a)
    ids = np.arange(state.n_particles, dtype=np.int64)
    st, done = _workers.lattice_run(u, d, a, ids, state.lbox, state.periodic, kernel_params(params, np.float64),
                                    _lattice_consts(params, state.bits), n_steps, params.threads)
    raise_status(st, state.step + done, "fixed-point leapfrog")
    out = [np.empty_like(u) for _ in range(3)]
    for o, src in zip(out, (u, d, a)):
        o[ids] = src
    return dataclasses.replace(state, u=out[0], d=out[1], a=out[2],
                               time=state.time + n_steps * params.dt, step=state.step + n_steps)


def reverse(state: State | LatticeState) -> State | LatticeState:
    """Reverse every velocity at the same instant (positions unchanged); exact.

    For a LatticeState the integer displacement d becomes -(d + a): the next step then
    lands exactly on the previous lattice positions, so ``reverse`` is an involution
    and forward n steps, reverse, n steps retraces the path bit for bit.
    """
    if isinstance(state, LatticeState):
        return dataclasses.replace(state, u=state.u.copy(), d=-(state.d + state.a), a=state.a.copy())
    return dataclasses.replace(state, positions=state.positions.copy(), velocities=-state.velocities)


def to_lattice(state: State, params: Params) -> LatticeState:
    """Put a float state on the integer lattice of the fixed-point leapfrog.

    Positions are rounded to multiples of 2^-lattice_bits (the box too); the integer
    displacement is chosen so that the lattice velocity matches ``state.velocities``
    to within one lattice unit per step.
    """
    bits = params.lattice_bits
    check_box(state.box, state.periodic, params)
    lbox = np.rint(state.box.astype(np.float64) * 2.0**bits).astype(np.int64)
    if np.any(lbox >= 2**61):
        raise ConfigError(f"lattice_bits must be small enough for the box (2 L 2^bits < 2^62), got {bits}")
    x = state.positions.astype(np.float64)
    u = np.rint(x * 2.0**bits).astype(np.int64)
    for k in range(state.dim):
        if state.periodic[k]:
            u[:, k] %= lbox[k]
        else:
            u[:, k] = np.clip(u[:, k], 0, lbox[k])
    zero = np.zeros_like(u)
    ls = LatticeState(u, zero, zero.copy(), lbox, state.periodic.copy(), bits, float(params.dt),
                      state.time, state.step)
    ls = _advance_lattice(ls, params, 0)  # fills a = integer acceleration at u
    vel = state.velocities.astype(np.float64) * (params.dt * 2.0**bits)
    d = np.rint(vel - 0.5 * ls.a).astype(np.int64)
    return dataclasses.replace(ls, d=d)


def from_lattice(state: LatticeState, precision: str = "f64") -> State:
    """A float :class:`State` (positions, velocities) of a lattice state, in ``precision``
    ("f64" or "f32")."""
    dt = float_type(precision)
    return State(state.positions.astype(dt), state.velocities.astype(dt),
                 state.box.astype(dt), state.periodic.copy(), state.time, state.step)
