"""Pair potentials and the instantaneous forces, energy and virial of a configuration.

Truncated-shifted Lennard-Jones, u(r) = 4 (r^-12 - r^-6) - u(r_c) for r < r_c, zero
beyond (sigma = epsilon = 1). WCA is the special case r_c = 2^(1/6): purely repulsive,
u >= 0, a gas of soft disks (2D) or spheres (3D).
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.gas import _kernels as K
from neqlab.models.gas.state import LatticeState, Params, State

# Pairs closer than this [length] are an overlap (u(0.5) = 4 * 4032 = 16128 energy units).
R_MIN = 0.5

REMEDY = {
    K.NONFINITE: "a position or velocity became NaN or infinite; reduce dt",
    K.OVERLAP: f"two particles came closer than {R_MIN} sigma (overlap); reduce dt or lower the density or the temperature",
    K.ESCAPE: "a particle left the box (moved more than the box in one step); reduce dt",
    K.LIST_FULL: "the neighbour list exceeds 1000 pairs per particle; lower the density",
}


def raise_status(status: int, step: int, what: str) -> None:
    """Turn a kernel status into a one-line SimulationError with a remedy."""
    if status != K.OK:
        raise SimulationError(f"{what} failed at step {step}: {REMEDY.get(int(status), 'unknown status')}")


def kernel_params(params: Params, dtype) -> np.ndarray:
    """The scalar array the kernels read, in the state's dtype."""
    rc = params.r_cut_effective
    rlist = rc + params.skin
    vals = [params.dt, rc * rc, rlist * rlist, (0.5 * params.skin) ** 2, params.energy_shift,
            R_MIN * R_MIN, 48.0, 24.0, 4.0, 1.0, 0.5]
    return np.array(vals, dtype=dtype)


def check_box(box: np.ndarray, periodic: np.ndarray, params: Params) -> None:
    """Periodic axes must hold at least two interaction ranges (single minimum image)."""
    need = 2.0 * (params.r_cut_effective + params.skin)
    for k, (length, per) in enumerate(zip(np.asarray(box, float), periodic)):
        if per and length < need:
            raise ConfigError(f"box[{k}] must be >= 2 (r_cut + skin) = {need:.4g} on a periodic axis, got {length:.4g}")


def _float_state(state: State | LatticeState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(state, LatticeState):
        return state.positions, state.box, state.periodic
    return state.positions, state.box, state.periodic


def _evaluate(state: State | LatticeState, params: Params) -> tuple[np.ndarray, float, float]:
    x, box, periodic = _float_state(state)
    x = x.copy()
    box = np.asarray(box, dtype=x.dtype)
    check_box(box, periodic, params)
    prm = kernel_params(params, x.dtype)
    n = x.shape[0]
    ids = np.arange(n, dtype=np.int64)
    ncell = K._cell_grid(box, periodic, float(np.sqrt(prm[K.P_RLIST2])))
    st, start, nbr = K.rebuild(x, (x.copy(),), ids, box, periodic, ncell, prm[K.P_RLIST2], True,
                               np.empty(8 * n + 16, np.int32))
    raise_status(st, state.step, "the neighbour list")
    f = np.empty_like(x)
    # the OVERLAP status is ignored here: a close pair is a state to evaluate, not a
    # failed run (the integrators raise on it)
    _, epot, vir = K.half_list_forces(x, box, periodic, prm, start, nbr, f)
    out = np.empty_like(f)
    out[ids] = f
    return out, float(epot), float(vir)


def forces(state: State | LatticeState, params: Params) -> np.ndarray:
    """Forces [energy/length] on every particle (= accelerations, m = 1), in id order."""
    return _evaluate(state, params)[0]


def potential_energy(state: State | LatticeState, params: Params) -> float:
    """Total potential energy [energy] of the configuration."""
    return _evaluate(state, params)[1]


def pair_virial(state: State | LatticeState, params: Params) -> float:
    """Sum over pairs of r_ij . F_ij [energy] (enters the virial pressure)."""
    return _evaluate(state, params)[2]
