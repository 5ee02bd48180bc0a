"""The WCA equation of state against fresh engine runs off its grid: slow.

State points between the table's densities and temperatures, a different seed from the
table's: the pressure (Z), the potential energy per particle and, as a check of the
free energy the fit integrates (hence of s_ex), the excess chemical potential by Widom
insertion, which the fit never saw. Tolerance: |z| < 4 with
z = (measured - EOS) / sqrt(err_measured^2 + err_fit^2), the measured error from 20
block means, the fit's from its covariance (scaled by chi^2/dof).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from neqlab.observables import wca_eos as E
from neqlab.observables._wca_eos_fit import measure

pytestmark = pytest.mark.slow

# 3D rho = 0.65, kT = 3 (the grid's dense, hot corner): the fit's u_ex tends to lie above
# fresh runs. Measured u_ex z with seeds 1-4: -4.71, -1.30, -2.09, -2.49 (the phased-step
# engine) and +0.74, -2.87, -2.88, -0.80 (the engine before it): a bias of ~0.002 epsilon
# (0.2 %) that the fit's error does not quite cover, not an engine change. Since the
# equilibration keeps its lists between rescalings (the Stepper: a new sample of every
# run) seed 1 gives z = -0.38, inside the bound; the point is tested again as it was
# before the first of these runs. The experiments use the 2D equation of state at rho <= 0.6.
POINTS = [(2, 0.15, 0.7), (2, 0.35, 1.5), (2, 0.55, 0.6), (2, 0.65, 3.0),
          (3, 0.25, 0.7), (3, 0.45, 1.5), (3, 0.65, 3.0)]


@pytest.mark.parametrize("dim,rho,kT", POINTS)
def test_eos_matches_fresh_engine_runs(dim, rho, kT):
    m = measure(dim, rho, kT, t_run=100.0, n_widom=100, seed=1)
    t = m["kT"]  # the run's own mean kinetic temperature
    rows = []
    for q, meas, err in (("z", m["z"], m["z_err"]), ("u_ex", m["u_ex"], m["u_ex_err"]),
                         ("mu_ex", m["mu_ex"], m["mu_ex_err"])):
        pred = {"z": E.compressibility_factor, "u_ex": E.excess_energy, "mu_ex": E.excess_chemical_potential}[q]
        p = float(pred(rho, t, dim))
        z = (meas - p) / math.hypot(err, float(E.fit_error(q, rho, t, dim)))
        rows.append((q, meas, err, p, z))
    print(f"\n{dim}D rho={rho} kT={t:.4f}: " + "; ".join(f"{q} {a:.4f}+-{e:.4f} eos {p:.4f} z {z:+.2f}"
                                                     for q, a, e, p, z in rows))
    assert all(abs(r[4]) < 4.0 for r in rows), rows
    assert np.isfinite(m["mu_ex"])
