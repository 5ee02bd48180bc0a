"""Area-preserving maps (cat, baker, standard) and a dissipative contrast (Henon).

Every map is a frozen, validated dataclass with the same public surface:

- ``step(points, n_steps=1, *, inverse=False, wrap=True)``: a new (n, 2) array;
- ``jacobian(points)``: the one-step tangent map, shape (n, 2, 2);
- ``tangent_step(points, tangents, n_steps)``: points and tangent matrices together
  (what the Lyapunov observable uses);
- ``period``: side of the torus (None on the plane), ``time_per_step`` = 1,
  ``is_symplectic``.

``wrap=False`` iterates the lift to the plane (no ``mod``), which keeps a closed curve
continuous for boundary tracking. The cat map is bit-exact and exactly invertible on
dyadic points (multiples of 2**-k, k <= 52; see :func:`dyadic`):

>>> import numpy as np
>>> m = CatMap()
>>> p0 = dyadic(np.random.default_rng(0).random((1000, 2)), bits=40)
>>> bool(np.array_equal(m.step(m.step(p0, 50), 50, inverse=True), p0))
True
>>> float(np.linalg.det(m.jacobian(p0[:1]))[0])
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from neqlab.core.config import ConfigBase, param
from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.maps import _kernels as K

__all__ = ["CatMap", "BakerMap", "StandardMap", "HenonMap", "MAPS", "make_map", "dyadic"]


def dyadic(points: np.ndarray, bits: int = 40) -> np.ndarray:
    """Round points to multiples of 2**-bits (exact, reversible cat-map arithmetic)."""
    if not 1 <= int(bits) <= 52:
        raise ConfigError(f"bits must be an integer in [1, 52], got {bits!r}")
    scale = float(2 ** int(bits))
    return np.floor(np.asarray(points, dtype=np.float64) * scale) / scale


def _points(points: np.ndarray) -> np.ndarray:
    arr = np.array(points, dtype=np.float64, order="C", copy=True)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ConfigError(f"points must be an array of shape (n, 2), got shape {arr.shape}")
    return arr


def _n_steps(n_steps: int) -> int:
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ConfigError(f"n_steps must be an integer in [0, inf), got {n_steps!r}")
    return int(n_steps)


class _MapBase:
    dim: ClassVar[int] = 2
    time_per_step: ClassVar[float] = 1.0
    is_symplectic: ClassVar[bool] = True
    period: ClassVar[float | None] = 1.0
    name: ClassVar[str] = ""

    def step(self, points, n_steps=1, *, inverse=False, wrap=True):  # pragma: no cover
        raise NotImplementedError

    def jacobian(self, points: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def tangent_step(self, points: np.ndarray, tangents: np.ndarray, n_steps: int = 1):
        """Advance points and tangent matrices (n, 2, m) together by ``n_steps``."""
        pts = _points(points)
        tan = np.array(tangents, dtype=np.float64, copy=True)
        for _ in range(_n_steps(n_steps)):
            tan = np.matmul(self.jacobian(pts), tan)
            pts = self.step(pts, 1)
        return pts, tan


@dataclass(frozen=True)
class CatMap(ConfigBase, _MapBase):
    """Arnold's cat map on the unit torus, (x, y) -> (x + y, x + 2y) mod 1.

    Uniformly hyperbolic; Lyapunov exponents +-ln((3 + sqrt 5)/2) (exact).
    """

    name: ClassVar[str] = "cat"

    def step(self, points, n_steps=1, *, inverse=False, wrap=True):
        pts = _points(points)
        K.cat_run(pts, _n_steps(n_steps), bool(inverse), bool(wrap))
        return pts

    def jacobian(self, points):
        n = np.asarray(points).shape[0]
        return np.broadcast_to(np.array([[1.0, 1.0], [1.0, 2.0]]), (n, 2, 2)).copy()

    @property
    def exponents(self) -> tuple[float, float]:
        lam = math.log((3.0 + math.sqrt(5.0)) / 2.0)
        return (lam, -lam)


@dataclass(frozen=True)
class BakerMap(ConfigBase, _MapBase):
    """Baker's map on the unit square; exponents +-ln 2 (exact).

    In float64 every forward step shifts one bit of x out: after ~52 steps from random
    doubles x is exactly 0. Use it for short runs (and as a Lyapunov reference) only.
    It is discontinuous, so boundary tracking does not apply.
    """

    name: ClassVar[str] = "baker"

    def step(self, points, n_steps=1, *, inverse=False, wrap=True):
        pts = _points(points)
        K.baker_run(pts, _n_steps(n_steps), bool(inverse))
        return pts

    def jacobian(self, points):
        n = np.asarray(points).shape[0]
        return np.broadcast_to(np.array([[2.0, 0.0], [0.0, 0.5]]), (n, 2, 2)).copy()


@dataclass(frozen=True)
class StandardMap(ConfigBase, _MapBase):
    """Chirikov's standard map on the torus [0, 2 pi)^2: p' = p + K sin x, x' = x + p'.

    K = 0 is an integrable shear (both exponents 0); K ~ 1-2 is mixed; for K >> 1 the
    largest exponent approaches ln(K/2).
    """

    name: ClassVar[str] = "standard"
    period: ClassVar[float | None] = 2.0 * math.pi
    k: float = param(1.0, lo=0.0, hi=1e4, doc="kick strength K [dimensionless]")

    def step(self, points, n_steps=1, *, inverse=False, wrap=True):
        pts = _points(points)
        K.standard_run(pts, float(self.k), _n_steps(n_steps), bool(inverse), bool(wrap))
        return pts

    def jacobian(self, points):
        x = _points(points)[:, 0]
        c = self.k * np.cos(x)
        jac = np.empty((x.size, 2, 2))
        jac[:, 0, 0] = 1.0 + c
        jac[:, 0, 1] = 1.0
        jac[:, 1, 0] = c
        jac[:, 1, 1] = 1.0
        return jac


@dataclass(frozen=True)
class HenonMap(ConfigBase, _MapBase):
    """Henon's map (x, y) -> (1 - a x^2 + y, b x): det J = -b, dissipative for |b| < 1.

    The contrast to Liouville: areas shrink by |b| per step onto a strange attractor.
    """

    name: ClassVar[str] = "henon"
    is_symplectic: ClassVar[bool] = False
    period: ClassVar[float | None] = None
    a: float = param(1.4, lo=-10.0, hi=10.0, doc="nonlinearity a [dimensionless]")
    b: float = param(0.3, lo=-1.0, hi=1.0, doc="contraction b (det J = -b) [dimensionless]")

    def check(self) -> None:
        if self.b == 0.0:
            raise ConfigError("b must be a nonzero number in [-1.0, 1.0], got 0.0")

    def step(self, points, n_steps=1, *, inverse=False, wrap=True):
        pts = _points(points)
        status = np.zeros(pts.shape[0], dtype=np.int8)
        K.henon_run(pts, float(self.a), float(self.b), _n_steps(n_steps), bool(inverse), status)
        if status.any():
            raise SimulationError(
                f"{int(status.sum())} Henon orbits escaped to infinity; "
                "start inside the basin of the attractor (e.g. near the origin) or take fewer steps"
            )
        return pts

    def jacobian(self, points):
        x = _points(points)[:, 0]
        jac = np.zeros((x.size, 2, 2))
        jac[:, 0, 0] = -2.0 * self.a * x
        jac[:, 0, 1] = 1.0
        jac[:, 1, 0] = self.b
        return jac


MAPS = {"cat": CatMap, "baker": BakerMap, "standard": StandardMap, "henon": HenonMap}


def make_map(name: str, **params):
    """A map by name with its parameters, e.g. ``make_map("standard", k=2.0)``."""
    if name not in MAPS:
        raise ConfigError(f"map must be one of {', '.join(map(repr, MAPS))}, got {name!r}")
    return MAPS[name](**params)
