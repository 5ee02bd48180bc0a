"""A newcomer's ``make demo`` on a fresh clone, stage by stage: process wall times.

Issue 17, goal 1: ``make demo`` on a fresh clone in under 2 minutes on a 2-core machine.
The benchmark clones this repository's committed HEAD into a temporary directory (what
is not committed is not measured) and runs there, as ``make demo`` does, one target at
a time:

1. ``install``: ``make .venv/.installed`` (a fresh venv, pip upgraded, the package
   installed with its dependencies; pip's own download cache is the user's, so the
   figure assumes the wheels are cached, as on a machine that installed them once);
2. ``warm_up``: ``make .venv/.warm`` (``python -m neqlab.warmup``: every kernel compiled
   in parallel processes, cached next to the clone's sources);
3. ``essay``: ``make demo`` (the quick essay, nothing left to compile);
4. ``warm_essay``: the same essay again, into another directory: the baseline, timed in
   the same run on the same machine.

Ratios (baseline / value): the whole ``make demo`` against the 120 s target, and against
the warm essay (how many warm essays a newcomer's first run costs: a figure that
carries across machines better than seconds do).

    python benchmarks/bench_demo.py [--smoke]

``--smoke`` (``run_all.py --smoke`` in ``make test``) clones and runs ``make -n demo``
(make's dry run: the targets exist and chain), in a second.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

TARGET_S = 120.0
ROOT = Path(__file__).resolve().parent.parent


def _timed(cmd: list[str], cwd: Path, env: dict) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr[-400:]}")
    return elapsed


def run(smoke: bool = False) -> dict:
    if shutil.which("git") is None or shutil.which("make") is None:
        raise RuntimeError("bench_demo needs git and make")
    print(f"CPU: {machine()}", file=sys.stderr)
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "VIRTUAL_ENV")}
    times = {}
    with tempfile.TemporaryDirectory(prefix="neqlab-demo-") as tmp:
        clone = Path(tmp) / "neqlab"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True,
                              text=True).stdout.strip()
        if smoke:
            times["dry_run"] = _timed(["make", "-n", "demo"], clone, env)
        else:
            times["install"] = _timed(["make", ".venv/.installed"], clone, env)
            times["warm_up"] = _timed(["make", ".venv/.warm"], clone, env)
            times["essay"] = _timed(["make", "demo"], clone, env)
            times["warm_essay"] = _timed([str(clone / ".venv" / "bin" / "neqlab"), "essay", "--scale", "quick",
                                          "--quiet", "--out", str(Path(tmp) / "again")], clone, env)
    for k, t in times.items():
        print(f"  {k}: {t:.1f} s", file=sys.stderr)
    print(f"  commit {head}; load average after {os.getloadavg()[0]:.2f}; target: make demo < {TARGET_S:g} s",
          file=sys.stderr)
    res = {}

    def add(name, value, base, base_name):
        res[name] = {"value": value, "unit": "s", "baseline": base,
                     "ratio": base / value if value > 0 and math.isfinite(base) else float("nan"),
                     "baseline_name": base_name + (" (ratio = baseline / value)" if math.isfinite(base) else "")}

    if smoke:
        add("make_demo_dry_run_s", times["dry_run"], float("nan"), "make -n demo in a fresh clone")
        return res
    total = times["install"] + times["warm_up"] + times["essay"]
    add("make_demo_fresh_clone_s", total, TARGET_S, f"the target, {TARGET_S:g} s")
    add("make_demo_over_warm_essay_s", total, times["warm_essay"], "the warm quick essay, same clone")
    for stage in ("install", "warm_up", "essay"):
        add(f"make_demo_{stage}_s", times[stage], float("nan"), f"make demo's {stage.replace('_', '-')} stage")
    return res


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    res = run(smoke="--smoke" in sys.argv)
    print_table(res)
    sys.exit(0 if all(math.isfinite(r["value"]) for r in res.values()) else 1)
