"""A newcomer's first quick essay against a warm one: process wall times, in the same run.

Issue 17, goals 1 and 4. Every command runs in a fresh process, timed from start to exit
as a user waits for it, with numba's cache in a fresh temporary directory
(``NUMBA_CACHE_DIR``), so that "cold" really is a first run and the user's own cache
is left alone:

1. ``cold_essay``: ``neqlab essay --scale quick`` on an empty cache (every kernel
   compiled when first called: what a run without ``make demo``'s warm-up costs);
2. ``warm_up``: ``python -m neqlab.warmup`` on another empty cache (what
   ``make demo`` runs after the install: every kernel group, in parallel processes);
3. ``first_essay``: the essay right after that warm-up;
4. ``warm_essay``: the essay again (a new output directory: nothing reused);
5. ``one_at_a_time``: the warm essay with its experiments one after another, each with
   every worker (``run_essay(side_by_side=False)``), against the default, which runs
   two at a time on one shared pool of workers (the same bits).

Ratios (baseline / value, so below 1 means slower than the warm essay): cold essay,
warm-up + first essay (``make demo`` after its install), against the warm essay; the
warm essay against one experiment at a time (above 1: side by side is faster).
Targets: cold/warm <= 1.3 (ratio >= 0.77) and the warm quick essay under 60 s.

    python benchmarks/bench_essay.py [--smoke]

``--smoke`` (and ``run_all.py --smoke`` in ``make test``) times one group's warm-up and
a quick ``macrostates`` run, on the existing cache: the same code paths in seconds.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import cpu_model

TARGET_WARM_S = 60.0
TARGET_COLD_OVER_WARM = 1.3


def _neqlab() -> list[str]:
    script = Path(sys.executable).with_name("neqlab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "neqlab.cli.main"]


def _wall(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr[-400:]}")
    return elapsed


def run(smoke: bool = False) -> dict:
    print(f"CPU: {cpu_model()}", file=sys.stderr)
    load0 = os.getloadavg()[0]
    warm_up = [sys.executable, "-m", "neqlab.warmup"] + (["toy"] if smoke else [])
    with tempfile.TemporaryDirectory(prefix="neqlab-bench-") as tmp:
        tmp = Path(tmp)

        def essay(out: str) -> list[str]:
            if smoke:
                return [*_neqlab(), "run", "macrostates", "--scale", "quick", "--quiet", "--out", str(tmp / f"{out}.nc")]
            return [*_neqlab(), "essay", "--scale", "quick", "--quiet", "--out", str(tmp / out)]

        env = dict(os.environ)
        times = {}
        if smoke:  # the user's cache as it is: seconds, not minutes
            times["warm_up"] = _wall(warm_up, env)
            times["first_essay"] = _wall(essay("first"), env)
        else:
            (tmp / "cold").mkdir()
            (tmp / "warm").mkdir()
            times["cold_essay"] = _wall(essay("cold"), {**env, "NUMBA_CACHE_DIR": str(tmp / "cold")})
            env = {**env, "NUMBA_CACHE_DIR": str(tmp / "warm")}
            times["warm_up"] = _wall(warm_up, env)
            times["first_essay"] = _wall(essay("first"), env)
        times["warm_essay"] = _wall(essay("again"), env)
        if not smoke:
            code = ("import sys; from neqlab.report import run_essay; "
                    "run_essay(sys.argv[1], scale='quick', progress=False, log=lambda m: None, side_by_side=False)")
            times["one_at_a_time"] = _wall([sys.executable, "-c", code, str(tmp / "serial")], env)
    load1 = os.getloadavg()[0]
    for k, t in times.items():
        print(f"  {k}: {t:.1f} s", file=sys.stderr)
    print(f"  load average {load0:.2f} before, {load1:.2f} after; targets: warm essay < {TARGET_WARM_S:g} s, "
          f"cold/warm <= {TARGET_COLD_OVER_WARM}", file=sys.stderr)
    warm = times["warm_essay"]
    res = {}

    def add(name, value, base, base_name):
        res[name] = {"value": value, "unit": "s", "baseline": base,
                     "ratio": base / value if value > 0 and math.isfinite(base) else float("nan"),
                     "baseline_name": base_name + " (ratio = baseline / value)"}

    what = "macrostates_quick" if smoke else "quick_essay"
    add(f"{what}_warm_s", warm, TARGET_WARM_S, f"the target, {TARGET_WARM_S:g} s")
    if "cold_essay" in times:  # not in the smoke run, whose cache is the user's
        add(f"{what}_cold_s", times["cold_essay"], warm, "the warm run")
    add(f"{what}_warm_up_plus_first_s", times["warm_up"] + times["first_essay"], warm, "the warm run")
    add(f"{what}_first_after_warm_up_s", times["first_essay"], warm, "the warm run")
    if "one_at_a_time" in times:
        add(f"{what}_side_by_side_s", warm, times["one_at_a_time"],
            "the same essay one experiment at a time")
    return res


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    res = run(smoke="--smoke" in sys.argv)
    print_table(res)
    sys.exit(0 if all(math.isfinite(r["value"]) for r in res.values()) else 1)
