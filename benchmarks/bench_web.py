"""Live page: frames per second the server can produce for one tab (N = 2500).

Baseline, timed in the same run: the engine alone advancing the same steps (no
observables, no frame packing), so the ratio shows what the page's measurements cost.
Target (issue 8): >= 30 frames/s at N = 2500 with the default 10 steps per frame.
"""

from __future__ import annotations

import time

from neqlab.models.gas import advance
from neqlab.web.session import Session, SessionConfig


def _fps(precision: str, n_frames: int = 60, n_particles: int = 2500) -> tuple[float, float]:
    s = Session(SessionConfig(n_particles=n_particles, precision=precision, steps_per_frame=10))
    s.start()
    s.advance()
    s.frame()
    t0 = time.perf_counter()
    for _ in range(n_frames):
        s.advance()
        s.frame()
    fps = n_frames / (time.perf_counter() - t0)
    state = s.state
    t0 = time.perf_counter()
    for _ in range(n_frames):
        state = advance(state, s.params, 10)
    raw = n_frames / (time.perf_counter() - t0)
    return fps, raw


def run(smoke: bool = False) -> dict:
    """``smoke``: a few frames of a small gas (make test checks the benchmark still works)."""
    out = {}
    for precision in ("exact", "f64"):
        fps, raw = _fps(precision, *((3, 100) if smoke else ()))
        out[f"web_frames_per_s_n2500_{precision}"] = {
            "value": fps, "unit": "frames/s", "baseline": raw, "ratio": fps / raw,
            "baseline_name": "engine advance alone (10 steps/frame)",
        }
    return out


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from run_all import print_table

    print_table(run())
