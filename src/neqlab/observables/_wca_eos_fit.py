"""Measure the WCA equation of state with the engine (the data behind :mod:`wca_eos`).

One state point: a periodic WCA fluid of ``n_particles`` is melted from a lattice with
velocity rescaling to ``kT`` for ``t_equilibrate``, then run at constant energy for
``t_run``; every ``t_sample`` the kinetic temperature T = 2K / (dim (N - 1)), the
potential energy per particle u_ex and the pair virial W are recorded.
Z = 1 + W / (dim N T) (the ideal part without the O(1/N) momentum term). Errors: one
standard error from ``n_blocks`` block means (blocks of t_run / n_blocks, much longer
than the correlation times of these sums). Optionally the excess chemical potential by
Widom test-particle insertion, mu_ex = -T ln <exp(-u_test / T)> over uniform random
insertion points (T the run's mean kinetic temperature; error from the block means of
the Boltzmann factor), an independent check of the free energy the fit integrates.

Regenerate the table of :mod:`neqlab.observables.wca_eos` (about 10 minutes on one core)::

    python -m neqlab.observables._wca_eos_fit > table.txt
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas import Params, advance, equilibrate, lattice_gas, pair_virial, potential_energy

WCA_CUT = 2.0 ** (1.0 / 6.0)
#: largest packing fraction measured (hard-disk fluid ends near 0.70, hard spheres freeze at 0.494)
ETA_GRID = {2: 0.65, 3: 0.47}

#: the state points of the table: densities [sigma^-dim] and temperatures [epsilon]
GRID = {
    2: ((0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75), (0.25, 0.5, 1.0, 2.0, 4.0)),
    3: ((0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), (0.25, 0.5, 1.0, 2.0, 4.0)),
}


def wca_pair_energy(r: np.ndarray) -> np.ndarray:
    """WCA pair energy 4 (r^-12 - r^-6) + 1 for r < 2^(1/6), else 0 [energy]."""
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        r6 = r ** -6.0
        return np.where(r < WCA_CUT, 4.0 * r6 * (r6 - 1.0) + 1.0, 0.0)


def insertion_energies(positions: np.ndarray, box: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Energy [energy] of a test particle at each of ``points`` in a periodic box."""
    from scipy.spatial import cKDTree

    tree = cKDTree(np.mod(positions, box), boxsize=box)
    dist = tree.sparse_distance_matrix(cKDTree(np.mod(points, box), boxsize=box), WCA_CUT, output_type="coo_matrix")
    e = np.zeros(points.shape[0])
    np.add.at(e, dist.col, wca_pair_energy(np.maximum(dist.data, 1e-3)))
    return e


def _block_sem(x: np.ndarray, n_blocks: int) -> tuple[float, float]:
    b = np.asarray(x, dtype=np.float64)[: (len(x) // n_blocks) * n_blocks].reshape(n_blocks, -1).mean(axis=1)
    return float(b.mean()), float(b.std(ddof=1) / math.sqrt(n_blocks))


def measure(dim: int, density: float, kT: float, *, n_particles: int = 1000, t_equilibrate: float = 10.0,
            t_run: float = 100.0, t_sample: float = 0.05, n_blocks: int = 20, n_widom: int = 0,
            seed: int = 0) -> dict[str, float]:
    """Measure (T, Z, u_ex [, mu_ex]) with errors at one state point (see the module doc).

    ``n_widom``: test particles per sample (0: no insertion). Time step
    0.002 min(1, kT^-1/2) [tau] (the closest approach steepens as kT grows).
    """
    dt = 0.002 * min(1.0, 1.0 / math.sqrt(kT))
    p = Params(dt=dt)
    s = lattice_gas(n_particles, density, kT, dim, seed=seed)
    s = equilibrate(s, p, kT, t_equilibrate)
    stride = max(1, int(round(t_sample / dt)))
    n_samples = n_blocks * max(1, int(round(t_run / (stride * dt) / n_blocks)))
    rng = replica_rng(seed, 0, stream=Stream.WCA_EOS_WIDOM)
    temp, u, w, boltz = [], [], [], []
    dof = dim * (n_particles - 1)
    for _ in range(n_samples):
        s = advance(s, p, stride)
        temp.append(float(np.sum(np.asarray(s.velocities, np.float64) ** 2)) / dof)
        u.append(potential_energy(s, p) / n_particles)
        w.append(pair_virial(s, p))
        if n_widom:
            box = np.asarray(s.box, np.float64)
            pts = rng.uniform(size=(n_widom, dim)) * box
            boltz.append(insertion_energies(np.asarray(s.positions, np.float64), box, pts))
    temp_a, u_a, w_a = np.array(temp), np.array(u), np.array(w)
    z = 1.0 + w_a / (dim * n_particles * temp_a)
    out = {"dim": dim, "density": density, "kT_target": kT}
    out["kT"], out["kT_err"] = _block_sem(temp_a, n_blocks)
    out["z"], out["z_err"] = _block_sem(z, n_blocks)
    out["u_ex"], out["u_ex_err"] = _block_sem(u_a, n_blocks)
    if n_widom:
        e = np.array(boltz)  # (samples, n_widom)
        f = np.exp(-e / out["kT"]).mean(axis=1)
        fm, fe = _block_sem(f, n_blocks)
        out["mu_ex"] = -out["kT"] * math.log(fm)
        out["mu_ex_err"] = out["kT"] * fe / fm
    return out


def table(dims=(2, 3), *, seed: int = 0, t_run: float = 100.0) -> list[dict[str, float]]:
    """Measure every fluid state point of :data:`GRID` (packing fraction <= :data:`ETA_GRID`)."""
    from neqlab.observables.wca_eos import packing_fraction

    rows = []
    for dim in dims:
        rhos, temps = GRID[dim]
        for kT in temps:
            for rho in rhos:
                if packing_fraction(rho, kT, dim) > ETA_GRID[dim]:
                    continue
                rows.append(measure(dim, rho, kT, t_run=t_run, seed=seed))
                print(_row_text(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _row_text(r: dict[str, float]) -> str:
    return (f"    ({r['dim']}, {r['density']:.3f}, {r['kT']:.5f}, {r['kT_err']:.5f}, {r['z']:.5f}, "
            f"{r['z_err']:.5f}, {r['u_ex']:.6f}, {r['u_ex_err']:.6f}),")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="measure the WCA EOS table (printed as Python tuples)")
    ap.add_argument("--dims", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--t-run", type=float, default=100.0)
    a = ap.parse_args(argv)
    for r in table(tuple(a.dims), seed=a.seed, t_run=a.t_run):
        print(_row_text(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
