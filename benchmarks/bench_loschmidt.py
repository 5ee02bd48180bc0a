"""The essay's Loschmidt run, neqlab against LAMMPS, process wall time, in the same run.

Protocol (../shared/BASELINES.md, issue 17): 2D WCA, N = 20000, mean density 0.3; all
particles start in the left half of axis 0 (local density 0.6), equilibrated 10 tau
behind walls with velocity rescaling to kT = 1; released at t = 0 into the full box
whose axis 0 is periodic (the gas spreads through both faces of its slab); every
0.25 tau the left-half fraction f_L is checked and the velocities are reversed when
f_L < 0.75; the run goes back the same number of steps. f64 velocity Verlet,
dt = 0.002, skin 0.3. Each code runs in a fresh process (imports, numba cache loads
and LAMMPS start-up count, as for a user) and is timed from start to exit:

- LAMMPS serial and on 2 MPI ranks (``processors 1 * 1``: the ranks split along y, so
  both hold half of the gas from the start);
- neqlab's engine on the same protocol (the same work: f_L every 0.25 tau, one return
  error at the end; a ``Stepper``, which keeps its lists between the samples, as LAMMPS
  keeps them within a run), 1 thread and 2 threads;
- the essay run itself, the loschmidt experiment's ``Reversal`` task
  (``neqlab.experiments.loschmidt.tasks.reversal``: the entropies and return errors at
  every sample as well), with the engine's automatic threads.

Ratios: LAMMPS time / neqlab time (above 1: neqlab is faster). Target (issue 17):
neqlab on 2 cores at least 1.5 times faster than LAMMPS on 2 ranks.

    python benchmarks/bench_loschmidt.py [--smoke]

``run(smoke=True)`` (``--smoke``, and ``run_all.py --smoke`` in ``make test``) runs the
same protocol and code paths on a tiny gas (:data:`SMOKE`); without LAMMPS (the
``bench`` extra) its baselines are NaN and a note says why.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = 20000
DENSITY, KT, DT, T_EQ, F_STOP, T_SAMPLE = 0.3, 1.0, 0.002, 10.0, 0.75, 0.25
SMOKE = {"N": 2048, "T_EQ": 0.5}  # a tiny run that checks the benchmark still works: run(smoke=True)

_NEQLAB = r"""
import json, math, sys, time
t0 = time.perf_counter()
import numpy as np
from neqlab.models.gas import State, Stepper, confined_gas, params_for
n, density, kT, dt, t_eq, f_stop, t_sample, threads = json.loads(sys.argv[1])
p = params_for("f64", dt=dt, threads=threads)
s = confined_gas(n, density, kT, 2, fill=0.5, seed=0, periodic=(True, True), t_eq=t_eq, params=p)
s = State(s.positions, s.velocities, s.box, s.periodic)  # released: t = 0
start = s.positions.copy()
chunk = int(round(t_sample / dt))
run = Stepper(s, p)
k = 0
while True:
    run.advance(chunk)
    k += 1
    x = run.state.positions
    if np.mean(x[:, 0] < 0.5 * s.box[0]) < f_stop or k * chunk * dt > 200:
        break
run.reverse()
for _ in range(k):
    run.advance(chunk)
d = run.state.positions - start
d -= s.box * np.rint(d / s.box)
print(json.dumps({"t_reverse": k * chunk * dt, "return_error": float(np.sqrt(np.mean(np.sum(d * d, 1)))),
                  "inner_s": time.perf_counter() - t0}))
"""

_ESSAY = r"""
import json, sys, time
t0 = time.perf_counter()
from neqlab.experiments.loschmidt.tasks import Gas, Reversal, reversal
n, t_eq = json.loads(sys.argv[1])
gas = Gas(n_particles=n, dimension=2, density=0.3, fill=0.5, kT=1.0, t_equilibrate=t_eq, dt=0.002,
          expansion_axis="periodic", velocities="maxwell", seed=0)
r = reversal(Reversal(gas, precision="f64", eps=0.0, t_reverse=200.0, f_left_reverse=0.75, t_sample=0.25,
                      n_cells=8, n_show=min(2000, n)))
print(json.dumps({"t_reverse": float(r["t_reverse"]), "return_error": float(r["return_error"][-1]),
                  "inner_s": time.perf_counter() - t0}))
"""


def _lammps_input(n: int, t_eq: float) -> str:
    nx = round(math.sqrt(n / 2))  # the left half: nx columns x 2 nx rows of a square lattice
    if 2 * nx * nx != n:
        raise ValueError(f"n must be 2 k^2 for the LAMMPS lattice, got {n}")
    chunk = int(round(T_SAMPLE / DT))
    eq = int(round(t_eq / DT))
    return "\n".join([
        # axis 0 starts non-periodic (LAMMPS reflects only at non-periodic boundaries) and
        # becomes periodic at the release; sites at half spacings fill the box exactly
        "units lj", "dimension 2", "atom_style atomic", "boundary f p p", "processors 1 * 1",
        f"lattice sq {2 * DENSITY} origin 0.5 0.5 0.0",
        f"region box block 0 {2 * nx} 0 {2 * nx} -0.5 0.5", "create_box 1 box",
        f"region left block 0 {nx} 0 {2 * nx} -0.5 0.5", "create_atoms 1 region left",
        "mass 1 1.0", f"velocity all create {KT} 4928459 mom yes dist gaussian",
        f"pair_style lj/cut {2 ** (1 / 6)!r}", "pair_coeff 1 1 1.0 1.0", "pair_modify shift yes",
        "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes",
        "fix 1 all nve", "fix 2 all enforce2d", f"timestep {DT}", "thermo 0",
        # equilibrate behind walls at 0 and L/2 with velocity rescaling every 50 steps
        f"fix 3 all wall/reflect xlo EDGE xhi {nx} units lattice",
        f"fix 4 all temp/rescale 50 {KT} {KT} 0.0 1.0", f"run {eq}",
        "unfix 3", "unfix 4", "change_box all boundary p p p", f"velocity all scale {KT}",
        "variable fl equal count(all,left)/atoms",
        f"fix 5 all halt {chunk} v_fl < {F_STOP} error continue",
        "variable t0 equal $(step)", "run 100000", "unfix 5",
        "variable nf equal $(step-v_t0)",
        "variable mvx atom -vx", "variable mvy atom -vy", "velocity all set v_mvx v_mvy NULL units box",
        "run ${nf}", 'print "FORWARD_STEPS ${nf} ATOMS $(atoms)"',
    ]) + "\n"


def _run(cmd: list[str], timeout: float = 1800) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {(out.stderr or out.stdout)[-400:]}")
    return wall, out.stdout


def lammps_wall(n: int, t_eq: float, ranks: int) -> tuple[float, dict]:
    """(process wall time [s], what it did) of the protocol in LAMMPS on ``ranks`` ranks."""
    from bench_md import lammps_command

    cmd, why = lammps_command(ranks)
    if cmd is None:
        return float("nan"), {"why": why}
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.loschmidt"
        inp.write_text(_lammps_input(n, t_eq))
        wall, out = _run([*cmd, "-in", str(inp), "-log", "none"])
    tail = out.rsplit("FORWARD_STEPS", 1)[1].split()
    loops = [float(t) for t in re.findall(r"Loop time of ([0-9.eE+-]+)", out)]
    return wall, {"t_reverse": int(tail[0]) * DT, "atoms": int(tail[2]), "loop_s": sum(loops)}


def neqlab_wall(n: int, t_eq: float, threads: int) -> tuple[float, dict]:
    """(process wall time [s], t_r and return error) of the engine on the protocol."""
    args = json.dumps([n, DENSITY, KT, DT, t_eq, F_STOP, T_SAMPLE, threads])
    wall, out = _run([sys.executable, "-c", _NEQLAB, args])
    return wall, json.loads(out.strip().splitlines()[-1])


def essay_wall(n: int, t_eq: float) -> tuple[float, dict]:
    """(process wall time [s], t_r and return error) of the experiment's reversal_run."""
    wall, out = _run([sys.executable, "-c", _ESSAY, json.dumps([n, t_eq])])
    return wall, json.loads(out.strip().splitlines()[-1])


def run(smoke: bool = False) -> dict:
    from bench_md import cpu_model

    n, t_eq = (SMOKE["N"], SMOKE["T_EQ"]) if smoke else (N, T_EQ)
    print(f"CPU: {cpu_model()}", file=sys.stderr)
    neqlab_wall(min(n, 2000), 0.1, 2)  # fill the numba cache outside the timed runs
    lmp1, info1 = lammps_wall(n, t_eq, 1)
    lmp2, info2 = lammps_wall(n, t_eq, 2)
    neq1, m1 = neqlab_wall(n, t_eq, 1)
    neq2, m2 = neqlab_wall(n, t_eq, 2)
    ess, me = essay_wall(n, t_eq)
    if "why" in info1:
        print(f"note: no LAMMPS baseline: {info1['why']}", file=sys.stderr)
    for name, info in (("LAMMPS serial", info1), ("LAMMPS 2 ranks", info2), ("neqlab 1 thread", m1),
                       ("neqlab 2 threads", m2), ("essay Reversal task", me)):
        print(f"  {name}: {info}", file=sys.stderr)
    res = {}

    def add(name, value, base, base_name):
        res[name] = {"value": value, "unit": "s", "baseline": base,
                     "ratio": base / value if value > 0 and math.isfinite(base) else float("nan"),
                     "baseline_name": base_name + " (ratio = baseline / value)"}

    add(f"loschmidt_n{n}_1thread_wall_s", neq1, lmp1, "LAMMPS serial, process wall")
    add(f"loschmidt_n{n}_2threads_wall_s", neq2, lmp2, "LAMMPS 2 MPI ranks, process wall")
    add(f"loschmidt_n{n}_essay_run_wall_s", ess, lmp2, "LAMMPS 2 MPI ranks, process wall")
    add(f"loschmidt_n{n}_2threads_vs_1thread_s", neq2, neq1, "neqlab 1 thread")
    return res


if __name__ == "__main__":
    from run_all import print_table  # this directory is on sys.path when run as a script

    res = run(smoke="--smoke" in sys.argv)
    print_table(res)
    sys.exit(0 if all(math.isfinite(r["value"]) for r in res.values()) else 1)
