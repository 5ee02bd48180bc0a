"""The truth about a reversal: the forward film, the return error and the status.

A live gas runs forward along its "film" (film index = steps from the start), is
reversed once, and runs back until the film index is 0 again. The forward run records
the positions at every film index that is a multiple of ``stride`` (a :class:`Film`);
the backward run, passing the same indices, compares its positions with them:

    return error at backward time s = rms_i |x_back,i(s) - x_fwd,i(t_r - s)|   [sigma],

so at s = t_r (film index 0) it is the rms distance of the returned state to the initial
microstate. With the bit-reversible integrator and no kick it is exactly 0 at every s;
with round-off or a kick eps it grows like eps_eff e^{lambda s} (the loschmidt
experiment's definition, `docs/experiments/loschmidt.md`).

The status of a run is one of :data:`STATUSES` (exact English values; the page shows
them translated): ``running`` before the reversal, ``reversed`` while running back,
then ``returned`` if back at t = 0 with a return error below :data:`RETURN_THRESHOLD`,
else ``did not return``.

>>> status_of(is_reversed=True, is_back=True, error=0.0)
'returned'
>>> status_of(is_reversed=True, is_back=True, error=0.25)
'did not return'
>>> round(ln_sigma_over_eps("f64", 0.0), 1), ln_sigma_over_eps("exact", 0.0)
(36.7, None)
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.errors import ConfigError

STATUSES = ("running", "reversed", "returned", "did not return")
RETURN_THRESHOLD = 0.1  # [sigma]: "returned" means back at t = 0 closer than this to the initial microstate
UNIT_ROUNDOFF = {"f64": 2.0**-53, "f32": 2.0**-24, "exact": 0.0}


def status_of(*, is_reversed: bool, is_back: bool, error: float) -> str:
    """The status of a run: see :data:`STATUSES`. ``is_back``: reversed and back at film index 0;
    ``error``: the return error there [sigma] (NaN counts as not returned)."""
    if not is_reversed:
        return "running"
    if not is_back:
        return "reversed"
    return "returned" if error < RETURN_THRESHOLD else "did not return"


def eps_eff(precision: str, eps: float) -> float:
    """The error the reversal starts from [sigma]: the kick ``eps`` if set, else the unit
    round-off of the float type (2^-53 for f64, 2^-24 for f32), 0 for the exact integrator."""
    if precision not in UNIT_ROUNDOFF:
        raise ConfigError(f"precision must be one of {', '.join(UNIT_ROUNDOFF)}, got {precision!r}")
    return float(eps) if eps > 0 else UNIT_ROUNDOFF[precision]


def ln_sigma_over_eps(precision: str, eps: float) -> float | None:
    """ln(sigma / eps_eff) [-]; None when eps_eff = 0 (exact, no kick: the reversal never fails)."""
    e = eps_eff(precision, eps)
    return math.log(1.0 / e) if e > 0 else None


def return_error(a: np.ndarray, b: np.ndarray, box: np.ndarray, periodic: np.ndarray) -> float:
    """rms over particles of |a_i - b_i| [sigma], minimum image on the periodic axes.

    >>> return_error(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[0.0, 0.0], [1.0, 2.0]]),
    ...              np.array([10.0, 10.0]), np.array([False, False]))
    0.7071067811865476
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    for k in np.flatnonzero(np.asarray(periodic, dtype=bool)):
        d[:, k] -= box[k] * np.rint(d[:, k] / box[k])
    return float(np.sqrt(np.mean(np.sum(d * d, axis=1)))) if d.shape[0] else 0.0


class Film:
    """Positions of the forward run at film indices that are multiples of ``stride`` [steps].

    At most ``capacity`` frames are kept: when the forward run would exceed it, the
    stride doubles and every other frame is dropped (index 0, the initial microstate,
    is always kept). Positions are stored as given (float32 for an f32 gas), so the
    return error resolves the round-off of the float type itself.

    >>> f = Film(stride=10, capacity=4)
    >>> for i in range(0, 60, 10):
    ...     f.record(i, np.full((1, 2), float(i)))
    >>> f.stride, sorted(f.frames)
    (20, [0, 20, 40])
    """

    def __init__(self, stride: int, capacity: int):
        if stride < 1 or capacity < 2:
            raise ConfigError(f"stride and capacity must be integers >= 1 and >= 2, got {stride}, {capacity}")
        self.stride = int(stride)
        self.capacity = int(capacity)
        self.frames: dict[int, np.ndarray] = {}

    def is_mark(self, index: int) -> bool:
        """True if the forward run records (and the backward run compares) at ``index``."""
        return index % self.stride == 0

    def steps_to_mark(self, index: int, direction: int) -> int:
        """Steps from ``index`` to the next mark in ``direction`` (+1 forward, -1 back); >= 1."""
        if direction > 0:
            return self.stride - index % self.stride
        r = index % self.stride
        return r if r else self.stride

    def record(self, index: int, positions: np.ndarray) -> None:
        """Keep the positions at a mark of the forward run (ignored elsewhere)."""
        if not self.is_mark(index) or index in self.frames:
            return
        if len(self.frames) >= self.capacity:
            self.stride *= 2
            self.frames = {i: x for i, x in self.frames.items() if i % self.stride == 0}
            if not self.is_mark(index):
                return
        self.frames[index] = np.array(positions, copy=True)

    def error_at(self, index: int, positions: np.ndarray, box, periodic) -> float | None:
        """The return error at ``index`` if the forward run recorded it, else None."""
        ref = self.frames.get(index)
        return None if ref is None else return_error(positions, ref, box, periodic)
