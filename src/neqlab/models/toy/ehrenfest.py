"""The Ehrenfest urn: N balls in two urns; each step one ball, chosen at random, changes urn.

Exact results (PHYSICS.md): stationary law Binomial(N, 1/2); mean relaxation
E[n_t] - N/2 = (1 - 2/N)^t (n_0 - N/2); mean return time to state n is 2^N / C(N, n).

>>> import numpy as np
>>> from neqlab.core.rng import Stream, replica_keys
>>> paths = ehrenfest_n_left(replica_keys(0, [0, 1], Stream.TESTING), n_particles=10, n_start=10, n_steps=4)
>>> paths.shape, int(paths[0, 0]), int(abs(paths[0, 1] - paths[0, 0]))
((2, 5), 10, 1)
"""

from __future__ import annotations

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.models.toy._kernels import ehrenfest_return, ehrenfest_walk


def _check(n_particles: int, n_start: int) -> None:
    if not 1 <= n_particles <= 10**9:
        raise ConfigError(f"n_particles must be an integer in [1, 1000000000], got {n_particles!r}")
    if not 0 <= n_start <= n_particles:
        raise ConfigError(f"n_start must be an integer in [0, {n_particles}], got {n_start!r}")


def ehrenfest_n_left(keys: np.ndarray, *, n_particles: int, n_start: int, n_steps: int, stride: int = 1) -> np.ndarray:
    """Number of balls in the left urn, shape (replicas, n_steps // stride + 1), int32.

    keys: one uint64 stream key per replica (``neqlab.core.rng.replica_keys``).
    """
    _check(n_particles, n_start)
    if n_steps < 0 or stride < 1:
        raise ConfigError(f"n_steps must be >= 0 and stride >= 1, got {n_steps!r}, {stride!r}")
    out = np.empty((keys.shape[0], n_steps // stride + 1), dtype=np.int32)
    ehrenfest_walk(np.ascontiguousarray(keys, dtype=np.uint64), int(n_particles), int(n_start), int(n_steps), int(stride), out)
    return out


def ehrenfest_return_times(keys: np.ndarray, *, n_particles: int, n_start: int, max_steps: int) -> np.ndarray:
    """First return time [steps] to ``n_start`` per replica; -1 if not back within max_steps."""
    _check(n_particles, n_start)
    out = np.empty(keys.shape[0], dtype=np.int64)
    ehrenfest_return(np.ascontiguousarray(keys, dtype=np.uint64), int(n_particles), int(n_start), int(max_steps), out)
    return out
