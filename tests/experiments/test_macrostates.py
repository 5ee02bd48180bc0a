import numpy as np

import neqlab
from neqlab.experiments import macrostates as m
from neqlab.experiments.api import run_config
from neqlab.runner import Runner


def test_small_holds_and_reference_values():
    ds = run_config("macrostates", m.SMALL, runner=Runner(workers=1, progress=False))
    v = neqlab.verdict(ds)
    assert v.holds is True, v.to_json()
    assert v.measured["kac_recurrence_fraction"] == 1.0 and v.measured["kac_reversal_fraction"] == 1.0
    assert abs(v.measured["relative_width_exponent"] + 0.5) < 1e-6


def test_verdict_detects_a_wrong_law():
    """A check that cannot fail is a defect: corrupt the urn paths and the verdict must say so."""
    ds = run_config("macrostates", m.SMALL, runner=Runner(workers=1, progress=False))
    bad = ds.copy(deep=True)
    bad["ehrenfest_n_left"].values[:] = np.minimum(bad["ehrenfest_n_left"].values + 4, m.SMALL.n_particles)
    assert neqlab.verdict(bad).holds is False
    bad2 = ds.copy(deep=True)
    bad2["kac_reversal_ok"].values[0] = False
    assert neqlab.verdict(bad2).holds is False


def test_unmixed_run_is_inconclusive_not_holds():
    cfg = m.SMALL.__class__(**{**m.SMALL.to_dict(), "n_steps": 20})
    ds = run_config("macrostates", cfg, runner=Runner(workers=1, progress=False))
    assert neqlab.verdict(ds).holds is None
