"""A gas that keeps its neighbour list, forces and half-step velocities between calls.

:func:`~neqlab.models.gas.advance` is a pure function of a :class:`State`: every call
sorts the particles into cells, builds the pair lists, computes the forces and ends
with a closing half kick. A run made of many short calls (observables every 0.25 tau,
a thermostat every 50 steps) pays for that at each call. :class:`Stepper` holds the
engine's own arrays instead (particles in cell order, forces, pair lists, the
positions of the last list build) and goes on from where it stopped:

>>> import numpy as np
>>> from neqlab.models.gas import Params, Stepper, lattice_gas
>>> p = Params(dt=0.002)
>>> a = Stepper(lattice_gas(200, density=0.3, kT=1.0, dim=2, seed=1), p)
>>> b = Stepper(lattice_gas(200, density=0.3, kT=1.0, dim=2, seed=1), p)
>>> _ = a.advance(30)
>>> _ = b.advance(10); seen = b.state; _ = b.advance(20)   # looking changes nothing
>>> bool(np.array_equal(a.state.positions, b.state.positions))
True

Its trajectory depends on the state it started from, the parameters and the total
number of steps only: not on how the steps are split into calls, on how often
:attr:`Stepper.state` is read, or on the number of threads. Between calls the
velocities are kept half a step behind (as inside a Verlet call); :attr:`state` gives
them at the full step. :meth:`reverse` and :meth:`set_velocities` (a thermostat)
change the velocities at the full step; the forces stay those of the positions.

The bits differ from a sequence of ``advance`` calls on the same states (those rebuild
the lists at every call, and the order of the force sums follows the lists): both are
velocity Verlet to round-off.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.gas import _kernels as K
from neqlab.models.gas import _workers
from neqlab.models.gas._plumbing import check_box, kernel_params, raise_status
from neqlab.models.gas.state import Params, State


class Stepper:
    """Velocity Verlet on a :class:`State` that goes on between calls (no piston, no
    thermal walls: use :func:`~neqlab.models.gas.advance` for those).

    ``state``: the start (copied); ``params``: a Verlet :class:`Params` (``threads``
    as in ``advance``). Raises ConfigError for a wrong state or integrator, and
    SimulationError (with the step) when the gas overlaps, escapes or turns non-finite.
    """

    def __init__(self, state: State, params: Params):
        if not isinstance(state, State):
            raise ConfigError(f"state must be a State (velocity Verlet), got {type(state).__name__}")
        if params.integrator != "verlet":
            raise ConfigError(f"integrator must be 'verlet' for a Stepper, got {params.integrator!r}")
        dtype = params.dtype
        check_box(state.box, state.periodic, params)
        self.params = params
        self._x = state.positions.astype(dtype, copy=True)
        self._v = state.velocities.astype(dtype, copy=True)
        self._ids = np.arange(state.n_particles, dtype=np.int64)
        self._box = np.array(state.box, dtype=dtype)
        self._periodic = np.array(state.periodic, dtype=np.bool_)
        self._prm = kernel_params(params, dtype)
        n, dim = self._x.shape
        ncell, _, _, _, cap = _workers._geometry(self._box, self._periodic, math.sqrt(self._prm[K.P_RLIST2]), n)
        self._buf = _workers.Buffers(n, dim, dtype, int(np.prod(ncell)), cap)
        self._kept = False  # forces, lists and list positions belong to _x
        self._half = False  # velocities half a step behind the positions
        self._time0, self._step0 = float(state.time), int(state.step)
        self.step = int(state.step)

    @property
    def time(self) -> float:
        """Time of the positions [tau]: the start's time plus steps done times dt."""
        return self._time0 + (self.step - self._step0) * self.params.dt

    @property
    def n_particles(self) -> int:
        return int(self._x.shape[0])

    def advance(self, n_steps: int) -> "Stepper":
        """Integrate ``n_steps`` more steps of ``params.dt``; returns self."""
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
            raise ConfigError(f"n_steps must be an integer in [0, inf), got {n_steps!r}")
        n_steps = int(n_steps)
        if n_steps == 0:
            return self
        empty = np.empty(0, dtype=self._x.dtype)
        st, done, _, _, _ = _workers.verlet_run(
            self._x, self._v, self._ids, self._box, self._periodic, self._prm, n_steps, empty, np.empty(0),
            np.uint64(0), self.step, self.params.threads, buffers=self._buf, kept=self._kept, resume=self._half,
            final=False)
        self._kept = st == K.OK
        self._half = True
        if st != K.OK:
            self._half = done > 0 or self._half
        raise_status(st, self.step + done, f"velocity Verlet ({self.params.precision})")
        self.step += n_steps
        return self

    def _full_velocities(self) -> np.ndarray:
        """Velocities at the positions' time, in the engine's (cell) order."""
        if not self._half:
            return self._v.copy()
        if not self._kept:
            raise ConfigError("the Stepper stopped on an error; its velocities are not defined: start a new one")
        return self._v + self._buf.f * (self._prm[K.P_HALF] * self._prm[K.P_DT])

    @property
    def velocities(self) -> np.ndarray:
        """A copy of the velocities at the full step, particles in their original order
        [sigma/tau] (cheaper than :attr:`state` when only they are needed)."""
        v = np.empty_like(self._v)
        v[self._ids] = self._full_velocities()
        return v

    @property
    def state(self) -> State:
        """A copy of the gas now: particles in their original order, positions wrapped
        into the periodic box [sigma], velocities at the full step [sigma/tau]."""
        x = np.empty_like(self._x)
        v = np.empty_like(self._v)
        x[self._ids] = self._x
        v[self._ids] = self._full_velocities()
        for k in np.flatnonzero(self._periodic):
            L = self._box[k]
            x[:, k] -= L * np.floor(x[:, k] / L)
            x[:, k] = np.where(x[:, k] >= L, x[:, k] - L, x[:, k])
        return State(x, v, self._box.copy(), self._periodic.copy(), self.time, self.step)

    def copy(self) -> "Stepper":
        """An independent Stepper at the same point (arrays and lists copied): both go
        on exactly as this one would."""
        new = copy.copy(self)
        for name in ("_x", "_v", "_ids", "_box", "_periodic", "_prm"):
            setattr(new, name, getattr(self, name).copy())
        new._buf = copy.deepcopy(self._buf)
        return new

    def set_velocities(self, velocities: np.ndarray) -> "Stepper":
        """Replace the velocities at the full step (particles in their original order,
        [sigma/tau]); positions, forces and lists are kept. Returns self."""
        v = np.asarray(velocities)
        if v.shape != self._v.shape:
            raise ConfigError(f"velocities must have shape {self._v.shape}, got {v.shape}")
        self._v[:] = v[self._ids]
        self._half = False
        return self

    def reverse(self) -> "Stepper":
        """Reverse every velocity at the full step, positions unchanged. Returns self."""
        self._v[:] = -self._full_velocities()
        self._half = False
        return self


__all__ = ["Stepper"]
