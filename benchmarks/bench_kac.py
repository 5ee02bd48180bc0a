"""Kac ring: numba kernel vs a vectorised NumPy version of the same update, same run.

Target (issue 3): >= 1e8 site-updates/s per core. Both versions are checked to give the
same delta(t) before timing.
"""

from __future__ import annotations

import numpy as np

from _timing import best_of
from neqlab.models.toy import KacRing


def numpy_kac(sign: np.ndarray, n_steps: int, t0: int = 0) -> np.ndarray:
    """Vectorised twin of the kernel: balls indexed by start site, colour *= sign[(b+t-1) % n]."""
    n = sign.size
    colour = np.ones(n, np.int8)
    out = np.empty(n_steps)
    for k in range(n_steps):
        t = t0 + k + 1
        colour *= np.roll(sign, -((t - 1) % n))
        out[k] = colour.sum(dtype=np.int64) / n
    return out


def _best(fn, repeat=3):
    return best_of(fn, repeat).wall


def run(smoke: bool = False) -> dict:
    """``smoke``: a tiny size that runs in a second (make test checks the benchmark still works)."""
    n, steps = (2_000, 20) if smoke else (200_000, 400)
    ring = KacRing.random(key=1, n_sites=n, marker_fraction=0.01)
    ring.advance(2)  # compile
    ring = KacRing.random(key=1, n_sites=n, marker_fraction=0.01)
    ref = numpy_kac(ring.sign, 50)
    assert np.array_equal(ring.advance(50), ref), "kernel and NumPy twin disagree"

    def numba_run():
        KacRing.random(key=1, n_sites=n, marker_fraction=0.01).advance(steps)

    def numpy_run():
        numpy_kac(ring.sign, steps)

    t_nb, t_np = _best(numba_run), _best(numpy_run)
    rate_nb, rate_np = n * steps / t_nb, n * steps / t_np
    return {
        "kac_ring_site_updates_per_s": {
            "value": rate_nb, "unit": "site-updates/s", "baseline": rate_np,
            "ratio": rate_nb / rate_np, "baseline_name": "vectorised NumPy (np.roll)",
        }
    }


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from run_all import print_table

    print_table(run())
