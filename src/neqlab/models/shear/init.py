"""Initial states of the sheared fluid: lattices with random momenta, equilibrium ensembles.

Randomness comes only from counter-based streams keyed by (seed, system id)
(``neqlab.core.rng.replica_keys``): system ``first + s`` of a batch is the same whatever
the batch it is drawn in, and whatever the thread count.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, check_seed, replica_keys
from neqlab.models.gas.init import box_for, lattice_sites
from neqlab.models.shear._kernels.draws import draw_momenta
from neqlab.models.shear.dynamics import advance, check_steps
from neqlab.models.shear.state import ShearParams, ShearState, degrees_of_freedom

STREAM = Stream.SHEAR_INITIAL  # the stream of these draws in replica_keys


def lattice_state(n_particles: int, density: float = 0.8, kT: float = 1.0, *, n_systems: int = 1,
                  dim: int = 2, seed: int = 0, first: int = 0, aspect=None) -> ShearState:
    """M = ``n_systems`` systems on a simple lattice at number ``density`` [length^-dim].

    Momenta: Gaussian, total momentum removed, scaled so that 2K = (dN - d - 1) kT
    exactly (``kT`` [energy]); Lees-Edwards offsets uniform in [0, L_x). System s uses
    the stream keyed by (seed, first + s).

    >>> s = lattice_state(56, 0.8, 1.0, n_systems=3, seed=1)
    >>> s.positions.shape, round(float(s.kinetic_energy()[0]), 12)
    ((3, 56, 2), 54.5)
    """
    if isinstance(n_systems, bool) or not isinstance(n_systems, (int, np.integer)) or n_systems < 1:
        raise ConfigError(f"n_systems must be an integer in [1, inf), got {n_systems!r}")
    if not (isinstance(kT, (int, float)) and 0 < kT < np.inf):
        raise ConfigError(f"kT must be a number in (0, inf) [energy], got {kT!r}")
    check_seed(seed)
    if isinstance(first, bool) or not isinstance(first, (int, np.integer)) or first < 0:
        raise ConfigError(f"first must be an integer in [0, inf), got {first!r}")
    box = box_for(n_particles, density, dim, aspect)
    sites = lattice_sites(n_particles, box)
    x = np.broadcast_to(sites, (n_systems, n_particles, dim)).copy()
    keys = replica_keys(seed, np.arange(first, first + n_systems), stream=STREAM)
    p = np.empty((n_systems, n_particles, dim))
    u = np.empty(n_systems)
    draw_momenta(keys, p, u)
    p -= p.mean(axis=1, keepdims=True)
    k2 = np.einsum("sij,sij->s", p, p)
    p *= np.sqrt(kT * degrees_of_freedom(n_particles, dim) / k2)[:, None, None]
    off = np.minimum(u * box[0], np.nextafter(box[0], 0.0))
    return ShearState(x, p, box, off)


def equilibrium_ensemble(n_particles: int, density: float = 0.8, kT: float = 1.0, *, n_systems: int = 1,
                         dim: int = 2, seed: int = 0, first: int = 0, t_eq: float = 10.0,
                         params: ShearParams | None = None) -> ShearState:
    """Samples of the isokinetic equilibrium ensemble at ``kT`` [energy].

    Each system starts from :func:`lattice_state` and runs ``t_eq`` [time] of
    isokinetic dynamics at shear rate 0, which leaves the ensemble
    f ~ delta(K - K0) delta(P) exp(-Phi / kT) invariant (canonical positions, kT =
    2 K0 / (dN - d - 1)); systems are independent (own momenta stream), the Lees-Edwards
    offset of each is uniform in [0, L_x) and fixed. Time and step are reset to 0.
    """
    p = params or ShearParams()
    eq = dataclasses.replace(p, shear_rate=0.0, thermostat="isokinetic")
    n = check_steps("t_eq / dt", int(round(t_eq / p.dt)))
    s = advance(lattice_state(n_particles, density, kT, n_systems=n_systems, dim=dim, seed=seed, first=first), eq, n)
    s.time = 0.0
    s.step = 0
    return s
