"""Best-of-n timing for the benchmark scripts (a noisy machine: the minimum is the
figure least disturbed by other work).

Not a benchmark (``run_all.py`` runs ``bench_*.py`` only); the scripts import it as a
sibling module.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable, NamedTuple


class Timing(NamedTuple):
    wall: float  # the shortest wall time of the calls [s]
    cpu: float  # the shortest CPU time of this process over the calls [s]
    result: Any  # what the last call returned


def best_of(fn: Callable[[], Any], repeat: int = 3, *, warm: bool = False) -> Timing:
    """Call ``fn`` ``repeat`` times (after one untimed call if ``warm``: compilation,
    caches) and return the shortest wall and CPU times and the last result."""
    if warm:
        fn()
    wall = cpu = math.inf
    out = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return Timing(wall, cpu, out)
