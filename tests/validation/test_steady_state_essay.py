"""steady_state at the essay's scale (slow): the default run's verdict, and the transient
theorem in a small box from the experiment's start ensemble (offsets sampled).

Tolerances: |z| < 4 from the estimators' own standard errors (bootstrap over chains),
stated before the runs; the numbers are printed (pytest -s) for the report.
"""

import numpy as np
import pytest

import neqlab
from neqlab.experiments.api import run_config
from neqlab.experiments.steady_state import SCALES
from neqlab.experiments.steady_state.tasks import Fluid, TransientChains, transient
from neqlab.observables import shear as obs
from neqlab.runner import Runner

pytestmark = pytest.mark.slow
Z = 4.0


def test_default_scale_holds_every_subclaim():
    ds = run_config("steady_state", SCALES["default"], runner=Runner(workers=2, progress=False))
    v = neqlab.verdict(ds)
    print("\n" + "\n".join(v.lines()))
    assert [s.holds for s in v.subclaims] == [True] * 5, v.to_json()


def test_transient_theorem_holds_in_a_small_box_with_sampled_offsets():
    """N = 16, gamma = 0.5, isokinetic, the experiment's chains (offsets sampled by Metropolis
    moves), 76 800 trajectories: slope 1 and <exp(-Omega)> = 1 at t = 0.1 and 0.2 tau within
    4 errors (bootstrap / standard error over chains)."""
    n_chains, n_samples = 256, 300
    task = TransientChains(Fluid(16, 0.8, 1.0, 0.004, "isokinetic", 5.0), 0.5, (0.1, 0.2), n_samples, 0.5, 0, 0,
                           n_chains, 2)
    om = transient(task)["omega"]
    chains = np.repeat(np.arange(n_chains), n_samples)
    for k in range(2):
        x = om[:, :, k].ravel()
        fit = obs.fluctuation_slope(x, chains, n_boot=200)
        mean, err = obs.integral_theorem(x, chains)
        print(f"\nt = {task.times[k]}: slope {fit.slope:.4f} +- {fit.slope_err:.4f}; <exp(-Omega)> {mean:.4f} +- {err:.4f}")
        assert abs(fit.slope - 1.0) < Z * fit.slope_err
        assert abs(mean - 1.0) < Z * err
