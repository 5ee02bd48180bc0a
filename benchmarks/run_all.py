"""Run every benchmarks/bench_*.py, print a table of ratios, write bench.json.

The table starts with the machine (CPU model from ``lscpu``, widest SIMD, CPUs, load):
ratios carry across machines better than times, and neither without it. bench.json
holds ``{"machine": ..., "date": ..., "results": {name: entry}}``.

Each benchmark module has ``run(smoke: bool = False) -> {name: {"value", "unit",
"baseline", "ratio", "baseline_name"}}`` and times its baseline in the same run (the
machines are noisy: ratios are what carry over). ``--only kac,md`` runs a subset.
Other scripts here (``profile_md.py``) are not benchmarks and are not run.

``--smoke`` runs every benchmark's ``run(smoke=True)``: tiny sizes, the same code paths,
no output file, a few seconds each once numba's cache is warm (``make test`` runs it:
tests/test_benchmarks.py). A benchmark fails if it raises or returns no result, or a
result without a finite value (a NaN baseline is allowed: LAMMPS is optional); the
exit status is 1 if any failed, and the last line says which.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from _machine import machine  # a sibling module: this directory is on sys.path when run as a script

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def benchmark_files() -> list[Path]:
    """The benchmark scripts: ``bench_*.py`` in this directory, sorted (not profile_md.py)."""
    return sorted(HERE.glob("bench_*.py"))


def check_results(results) -> None:
    """Raise ValueError unless ``results`` is a non-empty {name: entry} whose entries have a
    finite numeric ``value`` and a ``unit`` (baselines and ratios may be NaN)."""
    if not isinstance(results, dict) or not results:
        raise ValueError(f"run() returned no results: {results!r}")
    for name, r in results.items():
        if not isinstance(r, dict) or "unit" not in r:
            raise ValueError(f"{name}: an entry needs 'value' and 'unit', got {r!r}")
        value = r.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name}: value must be a finite number, got {value!r}")


def print_table(results: dict, file=sys.stdout) -> None:
    print(f"{'benchmark':44s} {'value':>12s} {'unit':>18s} {'baseline':>12s} {'ratio':>7s}  baseline", file=file)
    for name, r in results.items():
        print(f"{name:44s} {r['value']:12.4g} {r['unit']:>18s} {r.get('baseline', float('nan')):12.4g} "
              f"{r.get('ratio', float('nan')):7.2f}  {r.get('baseline_name', '')}", file=file)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="bench.json")
    ap.add_argument("--only", default="", help="comma-separated stems, e.g. kac,md")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, no output file: does every benchmark still run?")
    args = ap.parse_args(argv)
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    results: dict = {}
    failed = []
    stems = {path.stem.removeprefix("bench_") for path in benchmark_files()}
    if wanted - stems:
        ap.error(f"--only: unknown benchmark(s) {', '.join(sorted(wanted - stems))}; choose from {', '.join(sorted(stems))}")
    for path in benchmark_files():
        stem = path.stem.removeprefix("bench_")
        if wanted and stem not in wanted:
            continue
        print(f"== {path.name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            mod = _load(path)
            res = mod.run(smoke=True) if args.smoke else mod.run()
            check_results(res)
            results.update(res)
        except Exception:  # one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(path.name)
        print(f"== {path.name}: {time.perf_counter() - t0:.1f} s wall"
              + (" (FAILED)" if failed and failed[-1] == path.name else ""), file=sys.stderr, flush=True)
    machine_line = machine()
    print(f"machine: {machine_line}")
    print_table(results)
    if args.smoke:
        print("smoke run: every benchmark ran" if not failed else f"smoke run: failed: {', '.join(failed)}")
        return 1 if failed else 0
    fd, tmp = tempfile.mkstemp(dir=Path(args.out).resolve().parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump({"machine": machine_line, "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "results": results}, fh,
                  indent=2)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
