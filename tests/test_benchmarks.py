"""Every benchmark still runs: ``benchmarks/run_all.py --smoke`` at tiny sizes (issue 13.7).

A benchmark that drifts from the code (a renamed key, a removed function, a changed
wire format) fails here, in ``make test``, instead of in a long ``make bench``. The
smoke figures are not checked (they mean nothing at these sizes); what is checked is
that every ``bench_*.py`` ran, returned finite values, and that run_all says so. Once
numba's cache is warm the whole run takes ~15 s on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_ALL = ROOT / "benchmarks" / "run_all.py"


def test_every_benchmark_runs_in_smoke_mode(tmp_path):
    benches = sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert len(benches) >= 11  # eleven today: a glob that finds none would make this no test
    # a temporary working directory: the smoke run must write nothing (no bench.json) into the repo
    out = subprocess.run([sys.executable, str(RUN_ALL), "--smoke"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=900)  # generous: a cold numba cache compiles every kernel first
    report = f"exit {out.returncode}\n--- stdout\n{out.stdout[-3000:]}\n--- stderr\n{out.stderr[-6000:]}"
    assert out.returncode == 0, report
    assert out.stdout.rstrip().splitlines()[-1] == "smoke run: every benchmark ran", report
    ran = sorted(line.split()[1].rstrip(":") for line in out.stderr.splitlines()
                 if line.startswith("== ") and line.endswith(" s wall"))
    assert ran == benches, report  # each bench_*.py ran (and profile_md.py, not a benchmark, did not)
    assert list(tmp_path.iterdir()) == [], "the smoke run wrote files"
