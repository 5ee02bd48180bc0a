"""State and parameters of the particle gas (reduced units: sigma = epsilon = m = k_B = 1).

Two state types share one interface (``positions``, ``velocities`` as arrays of shape
(N, dim), ``box``, ``periodic``, ``time``, ``step``, ``n_particles``, ``dim``):

- :class:`State` for velocity Verlet: float arrays in the chosen precision (the whole
  state, box included, is float64 or float32).
- :class:`LatticeState` for the bit-reversible fixed-point leapfrog: integer lattice
  coordinates; ``positions`` and ``velocities`` are float64 views computed from them.

Geometry: the box spans [0, L_k) on every axis; ``periodic[k]`` False means hard
reflecting walls at 0 and L_k (specular reflection of the particle centre).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError

WCA_CUT = 2.0 ** (1.0 / 6.0)
# The user-facing precisions: the float type of a Verlet state, or the bit-reversible
# integer leapfrog ("exact"). :func:`neqlab.models.gas.params_for` maps them to Params.
PRECISIONS = ("f32", "f64", "exact")
FLOAT_TYPES = {"f64": np.dtype(np.float64), "f32": np.dtype(np.float32)}


def float_type(precision: str) -> np.dtype:
    """The numpy float type of a Verlet precision ("f64" or "f32")."""
    if precision not in FLOAT_TYPES:
        raise ConfigError(f"precision must be one of {', '.join(FLOAT_TYPES)}, got {precision!r}")
    return FLOAT_TYPES[precision]


@dataclass(frozen=True)
class Params(ConfigBase):
    """How the gas moves: potential, integrator, time step, neighbour list.

    >>> Params().r_cut_effective == 2.0 ** (1 / 6)
    True
    >>> Params(potential="lj", r_cut=2.5).r_cut_effective
    2.5
    """

    dt: float = param(0.002, lo=0.0, hi=0.05, lo_open=True, unit="time", doc="time step")
    potential: str = param("wca", choices=("wca", "lj"), doc="pair potential: WCA (repulsive LJ) or truncated-shifted LJ")
    r_cut: float = param(2.5, lo=1.0, hi=5.0, unit="length", doc="cutoff of the 'lj' potential (WCA always cuts at 2^(1/6))")
    skin: float = param(0.3, lo=0.05, hi=2.0, unit="length", doc="Verlet-list skin; rebuild when a particle moved more than skin/2")
    integrator: str = param("verlet", choices=("verlet", "fixed_point"), doc="velocity Verlet (float) or bit-reversible integer leapfrog")
    precision: str = param("f64", choices=tuple(FLOAT_TYPES), doc="float type of the whole Verlet state (f64 or f32)")
    lattice_bits: int = param(32, lo=8, hi=44, doc="fixed point: lattice spacing 2^-lattice_bits [length]")
    threads: int = param(0, lo=0, hi=256, doc="worker threads sharing each step (0 = automatic: 1 below 8000 particles, "
                                                "else the free CPUs); the result is the same for any number")

    @property
    def r_cut_effective(self) -> float:
        """The cutoff in use [length]."""
        return WCA_CUT if self.potential == "wca" else float(self.r_cut)

    @property
    def energy_shift(self) -> float:
        """Pair energy at the cutoff, subtracted so the potential is continuous [energy]."""
        r6i = self.r_cut_effective ** -6
        return 4.0 * r6i * (r6i - 1.0)

    @property
    def dtype(self) -> np.dtype:
        return FLOAT_TYPES[self.precision]


def params_for(precision: str, **overrides) -> Params:
    """The :class:`Params` of a user-facing precision: "f64" or "f32" (velocity Verlet in
    that float type) or "exact" (the bit-reversible fixed-point leapfrog); ``overrides``
    set other fields (e.g. ``dt``).

    >>> params_for("f32", dt=0.001).precision, params_for("exact").integrator
    ('f32', 'fixed_point')
    """
    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    for key in overrides:
        if key not in Params.keys():
            raise ConfigError(f"unknown Params key {key!r}; valid keys: {', '.join(Params.keys())}")
        if key in ("precision", "integrator"):
            raise ConfigError(f"{key} is set by the precision; pass one of {', '.join(PRECISIONS)}, got {key}={overrides[key]!r}")
    if precision == "exact":
        return Params(integrator="fixed_point", **overrides)
    return Params(integrator="verlet", precision=precision, **overrides)


def _vector(value, dtype: np.dtype, dim: int) -> np.ndarray:
    """``value`` as a contiguous (dim,) array of ``dtype`` (a scalar is broadcast)."""
    if isinstance(value, np.ndarray) and value.shape == (dim,) and value.dtype == dtype and value.flags.c_contiguous:
        return value  # the engine's own outputs: no conversion (a state per call in ensembles)
    return np.ascontiguousarray(np.broadcast_to(np.asarray(value, dtype=dtype), (dim,)))


@dataclass
class State:
    """A gas for velocity Verlet: positions in [0, L), velocities, in one float dtype.

    ``work``: cumulative work done on the gas by a moving wall (piston) [energy].
    ``heat``: cumulative heat the gas gave to thermal walls [energy]; with both, the
    first law reads E(t) - E(0) = work - heat (up to the integrator's error).
    """

    positions: np.ndarray
    velocities: np.ndarray
    box: np.ndarray
    periodic: np.ndarray
    time: float = 0.0
    step: int = 0
    work: float = 0.0
    heat: float = 0.0

    def __post_init__(self) -> None:
        x = np.asarray(self.positions)
        if x.ndim != 2 or x.shape[1] not in (2, 3):
            raise ConfigError(f"positions must have shape (N, 2) or (N, 3), got {x.shape}")
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        self.positions = np.ascontiguousarray(x, dtype=dtype)
        self.velocities = np.ascontiguousarray(self.velocities, dtype=dtype)
        if self.velocities.shape != x.shape:
            raise ConfigError(f"velocities must have shape {x.shape}, got {self.velocities.shape}")
        self.box = _vector(self.box, dtype, x.shape[1])
        self.periodic = _vector(self.periodic, np.dtype(np.bool_), x.shape[1])
        if not np.all(self.box > 0):
            raise ConfigError(f"box must be positive on every axis, got {self.box.tolist()}")

    @property
    def n_particles(self) -> int:
        return int(self.positions.shape[0])

    @property
    def dim(self) -> int:
        return int(self.positions.shape[1])

    @property
    def dtype(self) -> np.dtype:
        return self.positions.dtype

    def copy(self) -> "State":
        return dataclasses.replace(self, positions=self.positions.copy(), velocities=self.velocities.copy())

    def astype(self, precision: str) -> "State":
        """The same state in another float precision ("f64" or "f32"; a copy)."""
        dt = float_type(precision)
        return State(self.positions.astype(dt), self.velocities.astype(dt), self.box.astype(dt),
                     self.periodic.copy(), self.time, self.step, self.work, self.heat)


@dataclass(frozen=True)
class ThermalWalls:
    """Walls that act as a heat bath at temperature ``kT`` [energy].

    A particle that hits one leaves with a velocity drawn afresh: the normal component
    from the flux-weighted Maxwell distribution p(v_n) ~ v_n exp(-v_n^2 / 2kT), the
    tangential ones from the Maxwell distribution (m = 1). This leaves the canonical
    distribution invariant (the wall obeys detailed balance), so a walled gas relaxes
    to equilibrium at kT. Every non-periodic wall is thermal except a moving piston.
    The draws come from a counter-based stream keyed by ``key`` (e.g.
    ``neqlab.core.rng.replica_keys(seed, [replica], stream)[0]``), the absolute step and the
    particle id: the same for any memory order or split of the run into calls.

    >>> ThermalWalls(kT=1.0, key=7).kT
    1.0
    """

    kT: float
    key: int

    def __post_init__(self) -> None:
        if not (isinstance(self.kT, (int, float)) and math.isfinite(self.kT) and self.kT > 0):
            raise ConfigError(f"kT of the thermal walls must be a number in (0, inf) [energy], got {self.kT!r}")
        if isinstance(self.key, bool) or not isinstance(self.key, (int, np.integer)) or not 0 <= int(self.key) < 2**64:
            raise ConfigError(f"key of the thermal walls must be an integer in [0, 2^64), got {self.key!r}")


@dataclass
class LatticeState:
    """A gas on the integer lattice of the fixed-point leapfrog (spacing 2^-bits).

    ``u``: unfolded integer coordinates (periodic axes in [0, L); wall axes in [0, 2L),
    the second half being the mirror image of the box); ``d = u_n - u_{n-1}``, the
    last integer displacement; ``a``: the integer acceleration increment at ``u``
    (a function of ``u`` only). ``lbox``: box length in lattice units.
    """

    u: np.ndarray
    d: np.ndarray
    a: np.ndarray
    lbox: np.ndarray
    periodic: np.ndarray
    bits: int
    dt: float
    time: float = 0.0
    step: int = 0

    @property
    def spacing(self) -> float:
        """Lattice spacing 2^-bits [length] (exact in binary floating point)."""
        return float(2.0 ** -self.bits)

    @property
    def box(self) -> np.ndarray:
        return self.lbox.astype(np.float64) * self.spacing

    @property
    def n_particles(self) -> int:
        return int(self.u.shape[0])

    @property
    def dim(self) -> int:
        return int(self.u.shape[1])

    @property
    def sign(self) -> np.ndarray:
        """+1 where the unfolded coordinate lies in the box, -1 in its mirror image."""
        s = np.ones(self.u.shape, np.int64)
        walls = ~self.periodic
        s[:, walls] = np.where(self.u[:, walls] < self.lbox[walls], 1, -1)
        return s

    @property
    def lattice_positions(self) -> np.ndarray:
        """Folded integer positions in [0, L] (lattice units)."""
        s = self.sign
        return np.where(s > 0, self.u, 2 * self.lbox - self.u)

    @property
    def positions(self) -> np.ndarray:
        """Positions [length], float64, exact multiples of the lattice spacing."""
        return self.lattice_positions.astype(np.float64) * self.spacing

    @property
    def velocities(self) -> np.ndarray:
        """Velocities [length/time] at this step: (u_{n+1} - u_{n-1}) / (2 dt)."""
        return self.sign * (2 * self.d + self.a).astype(np.float64) * (self.spacing / (2.0 * self.dt))

    def copy(self) -> "LatticeState":
        return dataclasses.replace(self, u=self.u.copy(), d=self.d.copy(), a=self.a.copy())
