"""Initial conditions: lattices with Maxwell-Boltzmann velocities, equilibrated fluids,
a gas confined to part of the box (free expansion), two halves at different kT.

All draw their randomness from ``replica_rng(seed, replica, Stream.GAS_INITIAL)``: the same arguments give
the same state on any machine and any number of threads.
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas.state import Params, State, float_type


def box_for(n_particles: int, density: float, dim: int, aspect=None) -> np.ndarray:
    """Box lengths [length] holding ``n_particles`` at number ``density`` [length^-dim].

    ``aspect``: relative lengths of the axes (default all equal).
    """
    _check(n_particles, density, dim)
    asp = np.ones(dim) if aspect is None else np.asarray(aspect, dtype=float)
    if asp.shape != (dim,) or not np.all(asp > 0):
        raise ConfigError(f"aspect must be {dim} positive numbers, got {aspect!r}")
    volume = n_particles / density
    scale = (volume / np.prod(asp)) ** (1.0 / dim)
    return asp * scale


def _check(n_particles, density, dim) -> None:
    if dim not in (2, 3):
        raise ConfigError(f"dim must be one of 2, 3, got {dim!r}")
    if not isinstance(n_particles, (int, np.integer)) or n_particles < 2:
        raise ConfigError(f"n_particles must be an integer in [2, inf), got {n_particles!r}")
    if not (0 < density <= 1.2):
        raise ConfigError(f"density must be a number in (0, 1.2], got {density!r}")


def lattice_sites(n_particles: int, region: np.ndarray, origin=None) -> np.ndarray:
    """The first ``n_particles`` sites of a simple lattice filling the box ``region``.

    The number of sites per axis is proportional to the region's lengths, so the
    spacing is as uniform as possible; sites sit at cell centres.
    """
    region = np.asarray(region, dtype=float)
    dim = region.size
    per = np.maximum(1, np.floor(region * (n_particles / np.prod(region)) ** (1.0 / dim))).astype(int)
    while np.prod(per) < n_particles:
        k = int(np.argmax(region / per))
        per[k] += 1
    grids = np.meshgrid(*[(np.arange(m) + 0.5) * (region[k] / m) for k, m in enumerate(per)], indexing="ij")
    sites = np.stack([g.ravel() for g in grids], axis=1)[:n_particles]
    if origin is not None:
        sites = sites + np.asarray(origin, dtype=float)
    return sites


def maxwell_boltzmann(n_particles: int, dim: int, kT: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian velocities with zero total momentum, rescaled so 2 KE / (dim (N - 1)) = kT exactly."""
    if not (kT >= 0 and math.isfinite(kT)):
        raise ConfigError(f"kT must be a number in [0, inf), got {kT!r}")
    v = rng.normal(size=(n_particles, dim))
    v -= v.mean(axis=0)
    ke2 = float(np.sum(v * v))
    target = kT * dim * (n_particles - 1)
    return v * math.sqrt(target / ke2) if ke2 > 0 else v


def lattice_gas(n_particles: int, density: float = 0.5, kT: float = 1.0, dim: int = 2, *,
                seed: int = 0, replica: int = 0, aspect=None, periodic=True, fill: float = 1.0,
                precision: str = "f64") -> State:
    """Particles on a lattice with Maxwell-Boltzmann velocities at ``kT`` [energy].

    ``fill`` < 1 puts all particles into the first fraction ``fill`` of axis 0 (the
    rest of the box empty). ``periodic``: bool or one bool per axis (False: walls).
    ``precision``: float type of the state, "f64" or "f32".
    """
    box = box_for(n_particles, density, dim, aspect)
    if not (0 < fill <= 1):
        raise ConfigError(f"fill must be a number in (0, 1], got {fill!r}")
    region = box.copy()
    region[0] *= fill
    x = lattice_sites(n_particles, region)
    rng = replica_rng(seed, replica, Stream.GAS_INITIAL)
    v = maxwell_boltzmann(n_particles, dim, kT, rng)
    ft = float_type(precision)
    return State(x.astype(ft), v.astype(ft), box.astype(ft), periodic)


def _rescale(v: np.ndarray, kT: float, dof: int) -> np.ndarray:
    """Zero total momentum, then scale so that 2 KE / dof = kT exactly."""
    v = v - v.mean(axis=0)
    ke2 = float(np.sum(v.astype(np.float64) ** 2))
    return v * math.sqrt(kT * dof / ke2) if ke2 > 0 else v


def equilibrate(state: State, params: Params, kT: float, t_eq: float, *, every: int = 50) -> State:
    """Run ``t_eq`` [time] with velocity rescaling to ``kT`` every ``every`` steps.

    Ends with an exact rescale (zero momentum, 2 KE / (dim (N - 1)) = kT). One
    :class:`~neqlab.models.gas.Stepper` runs it all (the lists and forces are kept
    across the rescalings, which leave the positions alone).
    """
    from neqlab.models.gas.stepper import Stepper  # the dynamics, not a kernel

    n_steps = int(round(t_eq / params.dt))
    dof = state.dim * (state.n_particles - 1)
    run = Stepper(state, params)
    done = 0
    while done < n_steps:
        k = min(every, n_steps - done)
        run.advance(k)
        run.set_velocities(_rescale(run.velocities, kT, dof))
        done += k
    s = run.state
    s.velocities[:] = _rescale(s.velocities, kT, dof)
    return s


def equilibrated_fluid(n_particles: int, density: float = 0.5, kT: float = 1.0, dim: int = 2, *,
                       seed: int = 0, replica: int = 0, aspect=None, periodic=True,
                       t_eq: float = 5.0, params: Params | None = None) -> State:
    """A fluid at ``kT`` [energy]: lattice start melted for ``t_eq`` [time] with rescaling."""
    p = params or Params()
    s = lattice_gas(n_particles, density, kT, dim, seed=seed, replica=replica, aspect=aspect,
                    periodic=periodic, precision=p.precision)
    return equilibrate(s, p, kT, t_eq)


def confined_gas(n_particles: int, density: float = 0.5, kT: float = 1.0, dim: int = 2, *,
                 fill: float = 0.5, seed: int = 0, replica: int = 0, aspect=None, periodic=False,
                 t_eq: float = 5.0, params: Params | None = None) -> State:
    """Free-expansion start: a fluid equilibrated in the first fraction ``fill`` of axis 0.

    ``density`` is the mean density of the whole box (the local density is
    density / fill). The gas is equilibrated behind a hard wall at x = fill L_x, then
    returned in the full box, whose axis 0 has walls unless ``periodic`` says otherwise
    (``fill = 1`` with a periodic axis 0: equilibrated periodic, no wall at all).
    """
    p = params or Params()
    if not (0 < fill <= 1):
        raise ConfigError(f"fill must be a number in (0, 1], got {fill!r}")
    box = box_for(n_particles, density, dim, aspect)
    per = np.broadcast_to(np.asarray(periodic, dtype=bool), (dim,)).copy()
    inner = box.copy()
    inner[0] *= fill
    per_in = per.copy()
    # a wall at fill L confines the gas; with fill = 1 on a periodic axis there is nothing
    # to confine, and walls at 0 and L would leave touching pairs across the boundary
    per_in[0] = per[0] and fill == 1
    x = lattice_sites(n_particles, inner)
    v = maxwell_boltzmann(n_particles, dim, kT, replica_rng(seed, replica, Stream.GAS_INITIAL))
    s = State(x.astype(p.dtype), v.astype(p.dtype), inner.astype(p.dtype), per_in)
    s = equilibrate(s, p, kT, t_eq)
    return State(s.positions, s.velocities, box.astype(p.dtype), per)


def thermal_contact_gas(n_particles: int, density: float = 0.5, kT_left: float = 2.0,
                        kT_right: float = 0.5, dim: int = 2, *, seed: int = 0, replica: int = 0,
                        aspect=None, periodic=False, t_eq: float = 5.0,
                        params: Params | None = None) -> State:
    """Thermal-contact start: an equilibrated fluid whose halves x < L/2 and x >= L/2
    are rescaled to ``kT_left`` and ``kT_right`` [energy] (each half: zero momentum,
    exact kinetic temperature with dim (n_half - 1) degrees of freedom).
    """
    kT_mean = 0.5 * (kT_left + kT_right)
    s = equilibrated_fluid(n_particles, density, kT_mean, dim, seed=seed, replica=replica,
                           aspect=aspect, periodic=periodic, t_eq=t_eq, params=params)
    left = s.positions[:, 0] < 0.5 * s.box[0]
    for mask, kT in ((left, kT_left), (~left, kT_right)):
        if mask.sum() >= 2:
            s.velocities[mask] = _rescale(s.velocities[mask], kT, dim * (int(mask.sum()) - 1))
    return s


def random_gas(n_particles: int, density: float = 0.3, kT: float = 1.0, dim: int = 2, *,
               seed: int = 0, replica: int = 0, aspect=None, periodic=True, r_min: float = 0.9,
               precision: str = "f64") -> State:
    """Uniformly random positions (random sequential addition, no two centres closer
    than ``r_min`` [length]) with Maxwell-Boltzmann velocities at ``kT`` [energy].

    Unlike a lattice, the particle numbers in sub-volumes fluctuate from the start
    (about binomially), which long-wavelength modes of a big box would take very long
    to build up dynamically. Deterministic in (seed, replica). ``precision``: "f64" or "f32".
    """
    from neqlab.core.rng import replica_keys
    from neqlab.models.gas import _kernels as K

    box = box_for(n_particles, density, dim, aspect)
    per = np.broadcast_to(np.asarray(periodic, dtype=bool), (dim,)).copy()
    x = np.zeros((n_particles, dim))
    key = replica_keys(seed, [replica], Stream.GAS_PACKING)[0]
    if K.random_sequential_addition(x, box, per, float(r_min), key, 10_000) != K.OK:
        raise ConfigError(f"density must be lower for random packing with r_min = {r_min}, got {density!r}")
    v = maxwell_boltzmann(n_particles, dim, kT, replica_rng(seed, replica, Stream.GAS_INITIAL))
    ft = float_type(precision)
    return State(x.astype(ft), v.astype(ft), box.astype(ft), per)
