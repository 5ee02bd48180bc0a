"""Seeding: a replica's random stream depends only on (seed, stream, replica id).

Never on the number of threads, chunks or workers. Kernels get a 64-bit key per
replica from :func:`replica_keys` and draw from a counter-based stream
(:func:`splitmix64`, :func:`uniform01`), so replica ``i`` sees the same numbers
whichever chunk or worker runs it.

Every stream of the package is named once in :class:`Stream` (as HOOMD-blue lists its
random-number identifiers in one header): two uses never share numbers by accident. A
family of streams (one per sweep point, per direction) adds a ``sub`` index, which
becomes a further element of the SeedSequence spawn key, so ``(stream, sub)`` pairs
cannot collide with each other or with another stream whatever the sweep's length.

>>> int(replica_keys(0, [3], Stream.EHRENFEST)[0]) == int(replica_keys(0, [0, 1, 2, 3], Stream.EHRENFEST)[3])
True
>>> int(replica_keys(0, [0], Stream.CROOKS_SWEEP, sub=1)[0]) != int(replica_keys(0, [0], Stream.CROOKS_SWEEP, sub=2)[0])
True
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

SEED_MAX = 2**63 - 1


class Stream(IntEnum):
    """Every random stream of neqlab, by the module that draws from it.

    Values are unique and never reused; add new streams at the end of their block.
    """

    # models: the streams their public functions draw from
    GAS_INITIAL = 1  # models.gas.init: random placement and Maxwell velocities
    GAS_PACKING = 2  # models.gas.init.random_gas: random sequential addition
    LANGEVIN_NOISE = 3  # models.langevin / models.piston: default per-trajectory noise
    SHEAR_INITIAL = 4  # models.shear.init: lattice momenta and Lees-Edwards offsets per system
    # observables
    DIVERGENCE_DIRECTION = 5  # observables.divergence: direction of the initial separation
    WCA_EOS_WIDOM = 6  # observables._wca_eos_fit: the test particles' insertion points
    # relaxation (essay §1)
    RELAXATION_H_REFERENCE = 10  # Maxwell draws for the H plateau reference
    # macrostates (§2.2)
    EHRENFEST = 20
    EHRENFEST_RECURRENCE = 21
    KAC_MARKERS = 22
    # loschmidt (§2.3)
    LOSCHMIDT_KICK = 30  # the perturbation eps at the reversal
    LOSCHMIDT_SHOWN = 31  # which particles the snapshots keep
    LOSCHMIDT_LYAPUNOV = 32  # the equilibrium gas of the lambda_max measurement
    # crooks (§3)
    CROOKS_FORWARD = 40
    CROOKS_REVERSE = 41
    CROOKS_SWEEP = 42  # sub = 2 * (speed index) + direction
    CROOKS_PISTON = 43  # sub = direction
    CROOKS_NESS = 44
    CROOKS_GAS = 45  # sub = 2 * (density index) + direction
    # steady_state (§3, footnote 6)
    STEADY_STATE = 50  # Metropolis moves of the Lees-Edwards offsets; sub = part (experiments/steady_state/tasks.py)
    STEADY_STATE_PISTON = 51  # the piston gases' thermal walls; sub = direction
    # liouville and coarse_graining (§4)
    LIOUVILLE_CLOUD = 60  # sub = case index
    COARSE_GRAINING_REGION = 70
    COARSE_GRAINING_CORNER = 71
    COARSE_GRAINING_LYAPUNOV = 72
    # the live page
    WEB_KICK = 90  # sub = step of the reversal
    # tests and benchmarks (sub numbers independent streams)
    TESTING = 99


def _spawn(stream, sub: int | None) -> tuple[int, ...]:
    """Spawn-key tail of a stream id: a :class:`Stream`, or a ``(Stream, sub)`` pair."""
    if isinstance(stream, tuple):
        if sub is not None or len(stream) != 2:
            raise ConfigError(f"stream must be a Stream or a (Stream, sub) pair, got {stream!r}")
        stream, sub = stream
    if not isinstance(stream, Stream):
        raise ConfigError(f"stream must be a member of neqlab.core.rng.Stream, got {stream!r}")
    s = stream
    if sub is None:
        return (int(s),)
    if isinstance(sub, bool) or not isinstance(sub, (int, np.integer)) or sub < 0:
        raise ConfigError(f"sub must be an integer in [0, inf), got {sub!r}")
    return (int(s), int(sub))


def check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= SEED_MAX:
        raise ConfigError(f"seed must be an integer in [0, {SEED_MAX}], got {shown(seed)}")
    return int(seed)


def replica_sequence(seed: int, replica: int, stream: Stream, sub: int | None = None) -> np.random.SeedSequence:
    """The SeedSequence of one replica: spawn key ``(replica, stream[, sub])`` under ``seed``."""
    return np.random.SeedSequence(check_seed(seed), spawn_key=(int(replica),) + _spawn(stream, sub))


def replica_rng(seed: int, replica: int, stream: Stream, sub: int | None = None) -> np.random.Generator:
    """A NumPy Generator for one replica (PCG64), independent of scheduling."""
    return np.random.Generator(np.random.PCG64(replica_sequence(seed, replica, stream, sub)))


def replica_keys(seed: int, replicas, stream: Stream, sub: int | None = None) -> np.ndarray:
    """One uint64 key per replica id, for counter-based streams inside kernels.

    key = splitmix64(base ^ splitmix64(id)), where base comes from
    ``SeedSequence(seed, spawn_key=(stream[, sub]))``: a function of (seed, stream, sub,
    id) only, computed in nanoseconds per replica (a SeedSequence per replica costs
    microseconds).
    """
    ids = np.ascontiguousarray(np.asarray(replicas, dtype=np.int64).ravel())
    if ids.size and ids.min() < 0:
        raise ConfigError(f"replica ids must be integers in [0, inf), got {int(ids.min())}")
    base = np.random.SeedSequence(check_seed(seed), spawn_key=_spawn(stream, sub)).generate_state(1, dtype=np.uint64)[0]
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
