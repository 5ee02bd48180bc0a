"""Seeding: a replica's random stream depends only on (seed, replica id).

Never on the number of threads, chunks or workers. Kernels get a 64-bit key per
replica from :func:`replica_keys` and draw from a counter-based stream
(:func:`splitmix64`, :func:`uniform01`), so replica ``i`` sees the same numbers
whichever chunk or worker runs it.

>>> int(replica_keys(0, [3])[0]) == int(replica_keys(0, [0, 1, 2, 3])[3])
True
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

SEED_MAX = 2**63 - 1


def check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= SEED_MAX:
        raise ConfigError(f"seed must be an integer in [0, {SEED_MAX}], got {shown(seed)}")
    return int(seed)


def replica_sequence(seed: int, replica: int, stream: int = 0) -> np.random.SeedSequence:
    """The SeedSequence of one replica: ``SeedSequence(seed).spawn(n)[replica]`` for ``stream`` 0."""
    key = (int(replica),) if stream == 0 else (int(replica), int(stream))
    return np.random.SeedSequence(check_seed(seed), spawn_key=key)


def replica_rng(seed: int, replica: int, stream: int = 0) -> np.random.Generator:
    """A NumPy Generator for one replica (PCG64), independent of scheduling."""
    return np.random.Generator(np.random.PCG64(replica_sequence(seed, replica, stream)))


def replica_keys(seed: int, replicas, stream: int = 0) -> np.ndarray:
    """One uint64 key per replica id, for counter-based streams inside kernels.

    key = splitmix64(base ^ splitmix64(id)), where base comes from
    ``SeedSequence(seed, spawn_key=(stream,))``: a function of (seed, stream, id) only,
    computed in nanoseconds per replica (a SeedSequence per replica costs microseconds).
    """
    ids = np.ascontiguousarray(np.asarray(replicas, dtype=np.int64).ravel())
    if ids.size and ids.min() < 0:
        raise ConfigError(f"replica ids must be integers in [0, inf), got {int(ids.min())}")
    base = np.random.SeedSequence(check_seed(seed), spawn_key=(int(stream),)).generate_state(1, dtype=np.uint64)[0]
    out = np.empty(ids.size, dtype=np.uint64)
    _derive_keys(np.uint64(base), ids, out)
    return out


@njit(cache=True, inline="always")
def splitmix64(x):
    """One splitmix64 output for the 64-bit counter ``x`` (a bijective mixer)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _derive_keys(base, ids, out):
    for j in range(ids.size):
        out[j] = splitmix64(base ^ splitmix64(np.uint64(ids[j])))
    return 0


@njit(cache=True, inline="always")
def uniform01(key, counter):
    """Uniform double in [0, 1) from stream ``key`` at position ``counter`` (53 bits)."""
    z = splitmix64(key ^ splitmix64(np.uint64(counter)))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
