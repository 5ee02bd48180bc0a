"""Parameters and state of the sheared WCA fluid (reduced units: sigma = epsilon = m = k_B = 1).

A :class:`ShearState` holds a *batch* of M independent systems of the same N particles in
the same box (M = 1 for a single system): many small systems run in one kernel call.
Momenta are *peculiar* (thermal) momenta p_i = m (v_i - gamma y_i e_x), m = 1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError
from neqlab.models.gas.state import WCA_CUT

THERMOSTATS = ("isokinetic", "isoenergetic", "none")
NEIGHBOURS = ("list", "all_pairs")


@dataclass(frozen=True)
class ShearParams(ConfigBase):
    """How the sheared fluid moves.

    ``shear_rate`` gamma [1/time]: the streaming velocity is u_x = gamma y.
    ``thermostat``: Gaussian ``isokinetic`` (the kinetic energy of the peculiar momenta
    is constant), ``isoenergetic`` (the internal energy H0 = K + Phi is constant, as in
    Evans, Cohen & Morriss 1993), or ``none`` (plain SLLOD; at gamma = 0 this is
    velocity Verlet). ``neighbours``: a Verlet pair list rebuilt by a criterion that
    includes the streaming, or every pair at every step (``all_pairs``). ``threads``:
    numba threads over the systems of a batch (0: numba's current setting); results do
    not depend on it.

    >>> ShearParams(shear_rate=0.5).reversed().shear_rate
    -0.5
    """

    dt: float = param(0.004, lo=0.0, hi=0.02, lo_open=True, unit="time", doc="time step")
    shear_rate: float = param(0.0, lo=-10.0, hi=10.0, unit="1/time", doc="shear rate gamma, u_x = gamma y")
    thermostat: str = param("isokinetic", choices=THERMOSTATS, doc="Gaussian thermostat")
    skin: float = param(0.4, lo=0.05, hi=2.0, unit="length", doc="pair-list skin")
    neighbours: str = param("list", choices=NEIGHBOURS, doc="pair list or all pairs")
    threads: int = param(0, lo=0, hi=256, doc="numba threads over systems (0: current setting)")

    @property
    def r_cut(self) -> float:
        """WCA cutoff 2^(1/6) [length]."""
        return WCA_CUT

    @property
    def r_list(self) -> float:
        """Pair-list radius r_cut + skin [length]."""
        return WCA_CUT + self.skin

    def reversed(self) -> "ShearParams":
        """The same dynamics with the shear rate negated (time reversal, see ``reverse``)."""
        return dataclasses.replace(self, shear_rate=-self.shear_rate)


def degrees_of_freedom(n_particles: int, dim: int) -> int:
    """dN - d - 1: momenta minus the d momentum constraints and the kinetic constraint.

    The isokinetic equilibrium ensemble is canonical in the positions with
    k_B T = 2 K / (dN - d - 1) exactly.

    >>> degrees_of_freedom(56, 2)
    109
    """
    return int(dim * n_particles - dim - 1)


@dataclass
class ShearState:
    """M systems: ``positions`` (M, N, dim) in [0, L), peculiar ``momenta`` (M, N, dim),
    one ``box`` (dim,) [length], each system's Lees-Edwards ``offset`` (M,) [length] in
    [0, L_x) (the image above is shifted by +offset in x), the common ``time`` [time]
    and ``step``.
    """

    positions: np.ndarray
    momenta: np.ndarray
    box: np.ndarray
    offset: np.ndarray
    time: float = 0.0
    step: int = 0

    def __post_init__(self) -> None:
        x = np.ascontiguousarray(self.positions, dtype=np.float64)
        if x.ndim != 3 or x.shape[2] not in (2, 3) or x.shape[1] < 2 or x.shape[0] < 1:
            raise ConfigError(f"positions must have shape (M, N, 2) or (M, N, 3) with M >= 1, N >= 2, got {x.shape}")
        self.positions = x
        self.momenta = np.ascontiguousarray(self.momenta, dtype=np.float64)
        if self.momenta.shape != x.shape:
            raise ConfigError(f"momenta must have shape {x.shape}, got {self.momenta.shape}")
        self.box = np.ascontiguousarray(np.broadcast_to(np.asarray(self.box, dtype=np.float64), (x.shape[2],)))
        if not np.all(self.box > 0):
            raise ConfigError(f"box must be positive on every axis, got {self.box.tolist()}")
        self.offset = np.ascontiguousarray(np.broadcast_to(np.asarray(self.offset, dtype=np.float64),
                                                           (x.shape[0],))).copy()
        if not np.all((self.offset >= 0) & (self.offset < self.box[0])):
            raise ConfigError(f"offset must lie in [0, L_x = {self.box[0]:.6g}), got {self.offset.min():.6g}"
                              f"..{self.offset.max():.6g}")

    @property
    def n_systems(self) -> int:
        return int(self.positions.shape[0])

    @property
    def n_particles(self) -> int:
        return int(self.positions.shape[1])

    @property
    def dim(self) -> int:
        return int(self.positions.shape[2])

    @property
    def volume(self) -> float:
        """Box volume (area in 2D) [length^dim]."""
        return float(np.prod(self.box))

    @property
    def n_dof(self) -> int:
        """:func:`degrees_of_freedom` of this system size."""
        return degrees_of_freedom(self.n_particles, self.dim)

    def kinetic_energy(self) -> np.ndarray:
        """K = sum p^2 / 2 of each system [energy], shape (M,)."""
        return 0.5 * np.einsum("sij,sij->s", self.momenta, self.momenta)

    def copy(self) -> "ShearState":
        return dataclasses.replace(self, positions=self.positions.copy(), momenta=self.momenta.copy(),
                                   offset=self.offset.copy())

    def select(self, systems) -> "ShearState":
        """A new state holding the given systems (indices or a boolean mask), copied."""
        idx = np.arange(self.n_systems)[systems]
        idx = np.atleast_1d(idx)
        return ShearState(self.positions[idx].copy(), self.momenta[idx].copy(), self.box.copy(),
                          self.offset[idx].copy(), self.time, self.step)

    @staticmethod
    def concat(states) -> "ShearState":
        """One batch from several states of the same box, time and step."""
        states = list(states)
        s0 = states[0]
        for s in states[1:]:
            if not np.array_equal(s.box, s0.box) or s.positions.shape[1:] != s0.positions.shape[1:]:
                raise ConfigError("states must share the box and the particle number to be concatenated")
        return ShearState(np.concatenate([s.positions for s in states]), np.concatenate([s.momenta for s in states]),
                          s0.box.copy(), np.concatenate([s.offset for s in states]), s0.time, s0.step)
