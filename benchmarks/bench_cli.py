"""How fast the command line starts: whole-process wall times against ``import numpy``.

Issue 13.8 asks ``neqlab --help``, ``neqlab list``, ``neqlab --version`` and a rejected bad
input to take under 0.5 s. Each is timed as a whole process (interpreter start-up
included, as a user waits for it), interleaved round by round with the baseline
``python -c "import numpy"`` in the same run, and the median of the rounds is reported
with its ratio to the baseline's median (below 1: faster than importing NumPy). Also
printed: the CPU model (lscpu) and the load average, since the machine is shared.

``neqlab list`` needs every experiment's section and claim; while an experiment is still
a flat module (not yet the package shape), that means importing it whole.

Run alone: ``python benchmarks/bench_cli.py`` (``--smoke``: two rounds).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _machine import cpu_model

TARGET = 0.5  # [s] issue 13.8
COMMANDS = {
    "help": ["--help"],
    "list": ["list"],
    "version": ["--version"],
    "rejected_input": ["run", "macrostates", "--set", "n_particles=0"],
}
BASELINE = [sys.executable, "-c", "import numpy"]


def neqlab_command() -> list[str]:
    """The ``neqlab`` console script next to this interpreter, as users run it."""
    script = Path(sys.executable).with_name("neqlab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "neqlab.cli.main"]


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=os.getcwd())
    elapsed = time.perf_counter() - t0
    if r.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}")
    return elapsed


def run(smoke: bool = False) -> dict:
    rounds = 2 if smoke else 9
    neq = neqlab_command()
    cmds = {name: neq + args for name, args in COMMANDS.items()}
    for cmd in (BASELINE, *cmds.values()):  # warm the file cache (and numba's) once
        wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in ("baseline", *cmds)}
    load0 = os.getloadavg()[0]
    for _ in range(rounds):  # interleaved, so a burst of load hits every command alike
        times["baseline"].append(wall(BASELINE))
        for name, cmd in cmds.items():
            times[name].append(wall(cmd))
    load1 = os.getloadavg()[0]
    base = statistics.median(times["baseline"])
    print(f"CPU: {cpu_model()}; {os.cpu_count()} logical cores; load average {load0:.1f} -> {load1:.1f}; "
          f"median of {rounds} rounds", file=sys.stderr)
    label = 'python -c "import numpy"'
    print(f"  {label:44s} {base:6.3f} s", file=sys.stderr)
    out = {}
    for name in cmds:
        med = statistics.median(times[name])
        flag = "" if med < TARGET else f"  (over the {TARGET} s target)"
        print(f"  {'neqlab ' + ' '.join(COMMANDS[name]):44s} {med:6.3f} s  x{med / base:.2f} of import numpy{flag}",
              file=sys.stderr)
        out[f"cli_start_{name}"] = {"value": med, "unit": "s (process wall)", "baseline": base,
                                    "ratio": med / base, "baseline_name": "python -c 'import numpy' (same run)"}
    return out


if __name__ == "__main__":
    run(smoke="--smoke" in sys.argv)
