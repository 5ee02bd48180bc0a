"""Thermodynamic observables of a gas state, global and as profiles (pure functions).

Reduced units (sigma = epsilon = m = k_B = 1). Every function takes a state of
:mod:`neqlab.models.gas` (``State`` or ``LatticeState``) and never modifies it.

>>> from neqlab.models.gas import lattice_gas, Params
>>> s = lattice_gas(100, density=0.5, kT=1.5, dim=2, seed=0)
>>> round(temperature(s), 12)
1.5
>>> bool(abs(momentum(s)).max() < 1e-12)
True
"""

from __future__ import annotations

import numpy as np

from neqlab.models.gas import Params, pair_virial
from neqlab.models.gas import potential_energy as _potential_energy


def _v(state) -> np.ndarray:
    return np.asarray(state.velocities, dtype=np.float64)


def kinetic_energy(state) -> float:
    """Total kinetic energy sum m v^2 / 2 [energy]."""
    return 0.5 * float(np.sum(_v(state) ** 2))


def potential_energy(state, params: Params) -> float:
    """Total pair potential energy [energy]."""
    return _potential_energy(state, params)


def total_energy(state, params: Params) -> float:
    """Kinetic plus potential energy [energy] (conserved by the dynamics)."""
    return kinetic_energy(state) + potential_energy(state, params)


def momentum(state) -> np.ndarray:
    """Total momentum sum m v [mass length/time], shape (dim,)."""
    return _v(state).sum(axis=0)


def degrees_of_freedom(state) -> int:
    """dim N minus one per periodic axis (momentum is conserved only along those)."""
    return int(state.dim * state.n_particles - int(np.sum(state.periodic)))


def temperature(state) -> float:
    """Kinetic temperature 2 KE / dof [energy] (dof: :func:`degrees_of_freedom`)."""
    return 2.0 * kinetic_energy(state) / degrees_of_freedom(state)


def volume(state) -> float:
    """Box volume (area in 2D) [length^dim]."""
    return float(np.prod(np.asarray(state.box, dtype=np.float64)))


def pressure(state, params: Params) -> float:
    """Virial pressure P = (2 KE + sum_pairs r.F) / (dim V) [energy / length^dim].

    With walls this is the bulk (virial) pressure of the particles; the wall collisions
    are not included.
    """
    return (2.0 * kinetic_energy(state) + pair_virial(state, params)) / (state.dim * volume(state))


def _slabs(state, n_bins: int, axis: int) -> tuple[np.ndarray, np.ndarray, float]:
    length = float(state.box[axis])
    x = np.asarray(state.positions, dtype=np.float64)[:, axis]
    idx = np.clip((x / length * n_bins).astype(np.int64), 0, n_bins - 1)
    centres = (np.arange(n_bins) + 0.5) * (length / n_bins)
    return idx, centres, length / n_bins


def density_profile(state, n_bins: int = 20, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(slab centres [length], number density per slab [length^-dim]) along ``axis``."""
    idx, centres, width = _slabs(state, n_bins, axis)
    counts = np.bincount(idx, minlength=n_bins).astype(np.float64)
    slab_volume = width * volume(state) / float(state.box[axis])
    return centres, counts / slab_volume


def flow_profile(state, n_bins: int = 20, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(slab centres, mean velocity per slab, shape (n_bins, dim)) [length/time]; NaN if empty."""
    idx, centres, _ = _slabs(state, n_bins, axis)
    v = _v(state)
    counts = np.bincount(idx, minlength=n_bins).astype(np.float64)
    u = np.stack([np.bincount(idx, weights=v[:, k], minlength=n_bins) for k in range(v.shape[1])], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return centres, u / counts[:, None]


def temperature_profile(state, n_bins: int = 20, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(slab centres, local temperature [energy]) along ``axis``.

    T_slab = sum |v - u_slab|^2 / (dim (n_slab - 1)): peculiar velocities about the
    slab's flow velocity u_slab, with the dim degrees of freedom of u_slab removed, so
    the estimate is unbiased for Maxwellian slabs. NaN where a slab holds < 2 particles.
    """
    idx, centres, _ = _slabs(state, n_bins, axis)
    v = _v(state)
    dim = v.shape[1]
    counts = np.bincount(idx, minlength=n_bins).astype(np.float64)
    _, u = flow_profile(state, n_bins, axis)
    peculiar = v - np.nan_to_num(u)[idx]
    s2 = np.bincount(idx, weights=np.sum(peculiar**2, axis=1), minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return centres, np.where(counts >= 2, s2 / (dim * (counts - 1)), np.nan)


def half_temperatures(state, axis: int = 0) -> tuple[float, float]:
    """Kinetic temperatures [energy] of the lower and upper halves of ``axis``.

    T_half = sum |v|^2 / (dim (n_half - 1)) over the particles of that half (no flow
    subtracted: a half moving as a whole counts as hot); NaN for a half with < 2
    particles.
    """
    v = _v(state)
    lower = np.asarray(state.positions)[:, axis] < 0.5 * float(state.box[axis])
    out = []
    for m in (lower, ~lower):
        k = int(m.sum())
        out.append(float(np.sum(v[m] ** 2) / (state.dim * (k - 1))) if k > 1 else float("nan"))
    return out[0], out[1]
