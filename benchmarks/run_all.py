"""Run every benchmarks/bench_*.py, print a table of ratios, write bench.json.

Each benchmark module has ``run() -> {name: {"value", "unit", "baseline", "ratio",
"baseline_name"}}`` and times its baseline in the same run (the machines are noisy:
ratios are what carry over). ``--only kac,md`` runs a subset.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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
    for path in sorted(HERE.glob("bench_*.py")):
        stem = path.stem.removeprefix("bench_")
        if wanted and stem not in wanted:
            continue
        print(f"== {path.name}", file=sys.stderr, flush=True)
        try:
            mod = _load(path)
            results.update(mod.run(smoke=True) if args.smoke else mod.run())
        except Exception:  # one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(path.name)
    print_table(results)
    if args.smoke:
        print("smoke run: every benchmark ran" if not failed else f"smoke run: failed: {', '.join(failed)}")
        return 1 if failed else 0
    fd, tmp = tempfile.mkstemp(dir=Path(args.out).resolve().parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(results, fh, indent=2)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
