"""Work items of ``macrostates``: one frozen dataclass per kind, and the function that runs it.

Each runs on a chunk of replica ids with the experiment's seed; a replica's randomness
comes only from its (seed, stream, id) key, so chunking and workers change no bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neqlab.core.rng import Stream, replica_keys
from neqlab.experiments.macrostates.config import Config
from neqlab.models.toy import KacRing, ehrenfest_n_left, ehrenfest_return_times


def stride_of(config: Config) -> int:
    """Recording interval of the urn paths [steps]: at most 1001 recorded times."""
    return max(1, config.n_steps // 1000)


def recurrence_cap(config: Config) -> int:
    """Longest wait for a return [steps]: 200 mean recurrence times."""
    return 200 * 2**config.recurrence_n_particles


@dataclass(frozen=True)
class UrnPaths:
    """Ehrenfest urns started all-left: n_left every ``stride`` steps up to ``n_steps``."""

    n_particles: int
    n_steps: int
    stride: int


@dataclass(frozen=True)
class UrnRecurrence:
    """First return time [steps] of a small urn to its all-left start (capped at ``max_steps``)."""

    n_particles: int
    max_steps: int


@dataclass(frozen=True)
class KacRings:
    """Kac rings, all white: delta(t) for 2 n_sites steps, markers, exact reversal."""

    n_sites: int
    marker_fraction: float


def urn_paths(task: UrnPaths, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    keys = replica_keys(seed, replicas, Stream.EHRENFEST)
    return {"n_left": ehrenfest_n_left(keys, n_particles=task.n_particles, n_start=task.n_particles,
                                       n_steps=task.n_steps, stride=task.stride)}


def urn_recurrence(task: UrnRecurrence, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    keys = replica_keys(seed, replicas, Stream.EHRENFEST_RECURRENCE)
    return {"t_return": ehrenfest_return_times(keys, n_particles=task.n_particles, n_start=task.n_particles,
                                               max_steps=task.max_steps)}


def kac_rings(task: KacRings, replicas: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    keys = replica_keys(seed, replicas, Stream.KAC_MARKERS)
    n = task.n_sites
    delta = np.empty((len(replicas), 2 * n + 1), dtype=np.float32)
    markers = np.empty(len(replicas), dtype=np.int64)
    reversal_ok = np.empty(len(replicas), dtype=bool)
    for j, key in enumerate(keys):  # one kernel call per ring of n_sites^2 updates
        ring = KacRing.random(int(key), n, task.marker_fraction)
        delta[j, 0] = 1.0
        delta[j, 1:] = ring.advance(2 * n)
        ring.advance(2 * n, backward=True)
        reversal_ok[j] = ring.time == 0 and bool((ring.colour == 1).all())
        markers[j] = ring.n_markers
    return {"delta": delta, "n_markers": markers, "reversal_ok": reversal_ok}
