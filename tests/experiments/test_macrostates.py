import dataclasses

import numpy as np
import pytest

import neqlab
from neqlab.experiments.api import run_config
from neqlab.experiments.macrostates import SMALL
from neqlab.experiments.macrostates.verdict import kac_check_times
from neqlab.runner import Runner


@pytest.fixture(scope="module")
def small():
    return run_config("macrostates", SMALL, runner=Runner(workers=1, progress=False))


def test_small_holds_and_reference_values(small):
    v = neqlab.verdict(small)
    assert v.holds is True, v.to_json()
    assert [s.name for s in v.subclaims] == ["most_probable", "ends_there", "never_leaves", "reversible"]
    assert v.check("kac_recurrence_fraction").measured == 1.0 and v.check("kac_reversal_fraction").measured == 1.0
    assert abs(v.check("width_exponent").measured + 0.5) < 1e-6


def test_verdict_detects_a_wrong_law(small):
    """A check that cannot fail is a defect: corrupt the urn paths and the verdict must say so."""
    bad = small.copy(deep=True)
    bad["ehrenfest_n_left"].values[:] = np.minimum(bad["ehrenfest_n_left"].values + 4, SMALL.n_particles)
    v = neqlab.verdict(bad)
    assert v.holds is False and next(s for s in v.subclaims if s.name == "ends_there").holds is False
    bad2 = small.copy(deep=True)
    bad2["kac_reversal_ok"].values[0] = False
    assert neqlab.verdict(bad2).check("kac_reversal_fraction").passed is False
    bad3 = small.copy(deep=True)
    bad3["ehrenfest_return_time"].values[:] = bad3["ehrenfest_return_time"].values // 2
    assert neqlab.verdict(bad3).check("recurrence_time").passed is False


def test_unmixed_run_is_inconclusive_not_holds():
    cfg = dataclasses.replace(SMALL, n_steps=20)
    v = neqlab.verdict(run_config("macrostates", cfg, runner=Runner(workers=1, progress=False)))
    assert v.holds is None
    c = v.check("urn_equilibrium_p")
    assert c.measured is None and "not relaxed" in c.note


@pytest.mark.parametrize("mu", [0.0, 1.0, -0.0])
def test_marker_fraction_at_its_limits_runs_and_holds(mu):
    """Every value of the declared range runs (issue: mu = 0 and 1 crashed with OverflowError)."""
    cfg = dataclasses.replace(SMALL, marker_fraction=mu, n_rings=4)
    v = neqlab.verdict(run_config("macrostates", cfg, runner=Runner(workers=1, progress=False)))
    assert v.check("kac_recurrence_fraction").measured == 1.0
    assert next(s for s in v.subclaims if s.name == "reversible").holds is True
    assert kac_check_times(cfg.n_sites, mu) == [1, 2, 3]
