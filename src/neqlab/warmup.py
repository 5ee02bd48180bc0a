"""Compile the numba kernels before a first run, in parallel processes.

numba compiles a kernel at its first call and caches the machine code next to the
source (``cache=True``), so a newcomer's first run pays for every compilation. Each
group below calls a model's (or the observables') public API once on a tiny input, with
the argument types the experiments use, which compiles and caches the kernels they will
need; this tool sits above the package's layers, since it reaches into two of them;
:func:`warmup` runs the groups in separate processes (numba compiles one function at a
time per process), longest first, a group that reuses another's kernels after it in
the same process (:data:`AFTER`). With every group (as ``make demo`` runs it) it also
writes the bytecode of the modules a run imports (:func:`write_bytecode`).

>>> sorted(GROUPS)[:3]
['flows', 'gas', 'gas-f32']

Command line: ``python -m neqlab.warmup [--processes N] [group ...]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

from neqlab.core.errors import ConfigError


def _gas(precision: str) -> None:
    from neqlab.core.protocol import Ramp
    from neqlab.models.gas import (Params, State, ThermalWalls, advance, lattice_gas, params_for, potential_energy,
                                   random_gas, reverse, to_lattice)

    for threads in (1, 2):  # one worker: the serial driver; two: the workers' loop
        p = params_for(precision, threads=threads)
        s = lattice_gas(600, 0.3, 1.0, 2, seed=0, periodic=(True, True), precision=precision)
        advance(s, p, 3)
        if precision == "f64":
            w = lattice_gas(40, 0.1, 1.0, 2, seed=0, periodic=(False, True))
            w = State(w.positions, w.velocities, w.box, w.periodic)
            ramp = Ramp(float(w.box[0]), 0.9 * float(w.box[0]), duration=1.0)
            advance(w, p, 3, piston=ramp, bath=ThermalWalls(1.0, 1))
            ex = params_for("exact", threads=threads)
            advance(reverse(advance(to_lattice(s, ex), ex, 3)), ex, 3)
    if precision == "f64":
        potential_energy(lattice_gas(50, 0.3, 1.0, 2, seed=0), Params())
        random_gas(20, 0.2, 1.0, 2, seed=0)


def _small_gases() -> None:
    from neqlab.core.protocol import Ramp
    from neqlab.models.gas import Params
    from neqlab.models.gas.batch import insert_disks, piston_drives

    x = insert_disks(3, 4.0, 4.0, np.random.default_rng(0))[None]
    piston_drives(x, np.zeros_like(x), np.array([4.0, 4.0]), Params(), n_relax=2, n_drive=2,
                  piston=Ramp(4.0, 3.9, 1.0), kT=1.0, keys=np.zeros(1, np.uint64), parallel=False)


def _langevin() -> None:
    """What crooks runs: the overdamped scheme on the calling thread (its work items run
    in a pool's threads: the parallel loops and the underdamped scheme, which no
    experiment's default config uses, would compile for nothing: ~4 s of CPU)."""
    from neqlab.core.protocol import Ramp
    from neqlab.models.langevin import LangevinParams, advance, double_well, dragged_trap, equilibrium_state

    p = LangevinParams(scheme="overdamped")
    for pot in (dragged_trap(), double_well()):  # a quadratic and a tabulated equilibrium start
        s = equilibrium_state(pot, 0.0, p, seed=0, replicas=np.arange(4))
        advance(s, pot, Ramp(0.0, 1.0, duration=1.0), p, 3, parallel=False, record_every=1)


def _piston() -> None:
    """The ideal-gas piston as crooks runs it: on the calling thread."""
    from neqlab.models.piston import PistonParams, run

    run(PistonParams(), seed=0, replicas=np.arange(4), parallel=False)


def _maps() -> None:
    from neqlab.models.maps import MAPS, make_map

    pts = np.full((4, 2), 0.3)
    for name in MAPS:
        m = make_map(name)
        m.step(pts, 2)
        if m.is_symplectic:
            m.step(pts, 2, inverse=True)
        m.step(pts, 2, wrap=False)
        m.jacobian(pts)


def _flows() -> None:
    from neqlab.models.flows import INTEGRATORS, SYSTEMS, Flow

    for name, system in SYSTEMS.items():
        sysm = system()
        for integ in INTEGRATORS:
            f = Flow(sysm, integ, 0.01)
            pts = np.full((2, f.dim), 0.1)
            f.step(pts, 2)
            f.jacobian(pts)


def _toy() -> None:
    from neqlab.core.rng import Stream, replica_keys
    from neqlab.models.toy import KacRing, ehrenfest_n_left, ehrenfest_return_times

    keys = replica_keys(0, np.arange(2), Stream.TESTING)
    ehrenfest_n_left(keys, n_particles=10, n_start=10, n_steps=5)
    ehrenfest_return_times(keys, n_particles=4, n_start=4, max_steps=100)
    ring = KacRing.random(1, 10, 0.1)
    ring.advance(4)
    ring.advance(4, backward=True)


def _shear() -> None:
    from neqlab.models.shear import ShearParams, advance, equilibrium_ensemble, potential_energy, run

    # one thread, as steady_state's work items: the serial 2D run loop (models/shear/_kernels)
    p = ShearParams(dt=0.004, shear_rate=0.5, thermostat="isoenergetic", threads=1)
    s = equilibrium_ensemble(16, 0.8, 1.0, n_systems=2, seed=0, t_eq=0.02, params=p)
    s = advance(s, p, 3)
    run(s, p, 4, record_every=2)
    potential_energy(s, p)


def _shear_tangent() -> None:
    """The tangent dynamics of the Lyapunov spectrum (its own process: as long to compile
    as the run loop, and it needs no run of the fluid)."""
    from neqlab.models.shear import ShearParams, constraint_normals, lattice_state, tangent_step

    p = ShearParams(dt=0.004, shear_rate=0.5, thermostat="isoenergetic", threads=1)
    s = lattice_state(16, 0.8, 1.0, n_systems=2, seed=0)
    n_dof = 2 * s.positions.shape[1] * s.positions.shape[2]
    tangent_step(s, p, np.eye(n_dof)[None].repeat(2, axis=0), 3)
    constraint_normals(s, p)  # the forces (all pairs) of the isoenergetic constraint


def _observables() -> None:
    """The observables' kernels: the clouds' k-th neighbour distances (liouville), cell
    counts (coarse_graining), S_hydro and the histogram entropies (loschmidt, relaxation)."""
    from neqlab.observables.cells import cg_entropy, curve_cg_entropy
    from neqlab.observables.entropy import half_fraction, mu_entropy, spatial_entropy, velocity_entropy
    from neqlab.observables.hydro import hydro_entropy
    from neqlab.observables.phase_volume import knn_entropy

    rng = np.random.default_rng(0)
    pts = rng.random((40, 2))
    knn_entropy(pts, k=4, period=1.0)  # one kernel for the plane and the torus
    for wrap in (True, False):
        cg_entropy(pts, 4, 1.0, wrap=wrap)
    cg_entropy(pts, 4, 1.0, kind="gibbs")
    curve_cg_entropy(pts, 4, 1.0)
    box = np.array([20.0, 20.0])  # density 0.15, 15 particles per S_hydro cell
    x, v = rng.random((60, 2)) * box, rng.normal(size=(60, 2))
    velocity_entropy(v, 1.0)
    spatial_entropy(x, box, 2, miller_madow=True, return_error=True)
    mu_entropy(x, v, box, (2, 1))
    half_fraction(x, box)
    hydro_entropy(x, v, box, 2)


# group -> (what it compiles, its compile CPU seconds on an empty cache: the longest first)
GROUPS = {
    "gas": (lambda: _gas("f64"), 20),
    "gas-f32": (lambda: _gas("f32"), 13),
    "langevin": (_langevin, 3.5),
    "shear": (_shear, 3.5),
    "shear-tangent": (_shear_tangent, 9.5),
    "small-gases": (_small_gases, 4.5),
    "piston": (_piston, 2),
    "maps": (_maps, 2),
    "flows": (_flows, 4),
    "toy": (_toy, 1.5),
    "observables": (_observables, 4),
}
# group -> the group that compiles most of its kernels: both run in one process, that one
# first, so the kernels are loaded from the cache instead of compiled twice at once
# (small gases call the gas engine's serial run; the shear run shares the pair list,
# the forces and the draws with the tangent dynamics)
AFTER = {"small-gases": "gas", "shear": "shear-tangent"}


def _run_groups(names: list[str]) -> dict[str, float]:
    out = {}
    for name in names:
        t0 = time.perf_counter()
        GROUPS[name][0]()
        out[name] = time.perf_counter() - t0
    return out


def _chains(names: list[str]) -> list[list[str]]:
    """The groups as sequences for one process each (a group after the one of
    :data:`AFTER` when both are asked for), the dearest sequence first."""
    chains: dict[str, list[str]] = {}
    for g in names:
        head = AFTER.get(g)
        chains.setdefault(head if head in names else g, []).append(g)
    for head, chain in chains.items():
        chain.sort(key=lambda g: g != head)  # the head first
    return sorted(chains.values(), key=lambda c: -sum(GROUPS[g][1] for g in c))


def warmup(groups=None, processes: int | None = None) -> dict[str, float]:
    """Compile and cache the kernels of ``groups`` (default: all of :data:`GROUPS`) in
    ``processes`` worker processes (default: the CPUs); returns seconds per group.

    Cheap when the cache is warm (a group then takes well under a second).
    """
    names = list(GROUPS) if groups is None else list(dict.fromkeys(groups))
    for g in names:
        if g not in GROUPS:
            raise ConfigError(f"warmup group must be one of {', '.join(GROUPS)}, got {g!r}")
    if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int) or processes < 1):
        raise ConfigError(f"processes must be an integer in [1, inf), got {processes!r}")
    chains = _chains(names)
    n_proc = min(len(chains), processes or os.cpu_count() or 1)
    if n_proc <= 1:
        return _run_groups([g for c in chains for g in c])
    out: dict[str, float] = {}
    with ProcessPoolExecutor(max_workers=n_proc, mp_context=get_context("spawn")) as ex:
        for fu in [ex.submit(_run_groups, c) for c in chains]:
            out.update(fu.result())
    return out


def write_bytecode(modules) -> int:
    """Write the cached bytecode (``__pycache__/*.pyc``) of every module in ``modules``
    that comes from a ``.py`` file and has none yet; returns how many were written.

    ``make demo`` installs with ``pip --no-compile`` (pip would byte-compile every module
    of every dependency: half of the install's time), and Python writes the bytecode of
    what a run imports at its first import, unless told not to (PYTHONDONTWRITEBYTECODE,
    as on some build machines): then every process compiles its imports again (measured:
    importing the CLI, the report and the experiments took 1.9 s instead of 0.66 s).
    A module whose directory is not writable is skipped.
    """
    import py_compile

    n = 0
    for mod in list(modules):
        src, cached = getattr(mod, "__file__", None), getattr(mod, "__cached__", None)
        if not (isinstance(src, str) and src.endswith(".py") and isinstance(cached, str)) or os.path.exists(cached):
            continue
        try:
            py_compile.compile(src, cfile=cached, doraise=True)
            n += 1
        except (py_compile.PyCompileError, OSError):
            pass
    return n


def _bytecode(out: list) -> None:
    """Import every neqlab module (and so what they import) and write the missing bytecode."""
    import importlib
    import pkgutil

    import neqlab

    for m in pkgutil.walk_packages(neqlab.__path__, "neqlab."):
        if not m.name.endswith("__main__"):
            try:
                importlib.import_module(m.name)
            except ImportError:  # a part whose optional dependency is missing needs no bytecode
                pass
    out.append(write_bytecode(sys.modules.values()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m neqlab.warmup", description=__doc__.split("\n\n")[0])
    ap.add_argument("groups", nargs="*", help=f"groups to compile (default all): {', '.join(GROUPS)}")
    ap.add_argument("--processes", type=int, default=None, help="worker processes (default: the CPUs)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    # with every group (make demo): the bytecode of what a run imports, on a thread of
    # this process, which otherwise waits for its compiling processes
    written: list = []
    bytecode = threading.Thread(target=_bytecode, args=(written,), daemon=True) if not args.groups else None
    try:
        if bytecode is not None:
            bytecode.start()
        times = warmup(args.groups or None, args.processes)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for g, s in times.items():
        print(f"{g:13s} {s:6.1f} s")
    if bytecode is not None:
        bytecode.join()
        print(f"bytecode      {written[0] if written else 0} modules")
    print(f"warm-up done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
