"""Experiment liouville: physics of SMALL against exact results, verdict checks that can fail, validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neqlab
from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments.api import run_config
from neqlab.experiments.liouville import SMALL, Config
from neqlab.experiments.liouville.tasks import CASES, INTEGRATORS, MAPS, SYSTEMS, record_steps
from neqlab.experiments.liouville.verdict import AREA_TOL, SYMPLECTIC_CASES, henon_ratio_per_step, series
from neqlab.models.flows import Flow, HarmonicOscillator
from neqlab.models.maps import HenonMap
from neqlab.runner import Runner
from neqlab.testing import reference as ref

from _config_props_maps import check_all_fields


@pytest.fixture(scope="module")
def ds():
    return run_config("liouville", SMALL, runner=Runner(workers=1, progress=False))


def test_registered_with_every_case(ds):
    assert REGISTRY["liouville"].SCALES["default"] == Config()
    assert list(ds["map"].values) == list(MAPS) and list(ds["system"].values) == list(SYSTEMS)
    assert list(ds["integrator"].values) == list(INTEGRATORS)
    assert len(CASES) == len(MAPS) + len(SYSTEMS) * len(INTEGRATORS)
    assert ds["t"].attrs["units"] == "tau" and ds["step"].attrs["units"] == "step"
    assert np.allclose(ds["t"].values, record_steps(SMALL.n_flow_steps, SMALL.n_records) * SMALL.dt, rtol=0, atol=0)


def test_symplectic_area_conserved_and_others_not(ds):
    for case in SYMPLECTIC_CASES:
        _, rel = series(ds, case, "area_rel_change")
        assert np.isfinite(rel).sum() >= 2 and np.nanmax(np.abs(rel)) <= AREA_TOL, case
    for integ in ("euler", "rk4"):
        _, rel = series(ds, f"pendulum/{integ}", "area_rel_change")
        assert np.nanmax(np.abs(rel)) > {"euler": 1e-3, "rk4": 1e-8}[integ]


def test_oscillator_area_and_gibbs_entropy_follow_the_exact_jacobian(ds):
    h = SMALL.dt
    n = ds["t"].values / h
    for integ in ("euler", "rk4", "leapfrog", "yoshida4"):
        ratio = ds["flow_area_rel_change"].sel(system="oscillator", integrator=integ).values + 1
        # linear map: the polygon area scales by det^n up to round-off (1e-13 relative)
        assert np.allclose(ratio, ref.oscillator_jacobian_det(integ, h) ** n, rtol=1e-12, atol=0), integ
    g = ds["flow_gibbs_entropy"].sel(system="oscillator")
    # Gaussian ensemble, sample covariance of the same points: exact up to round-off
    assert np.ptp(g.sel(integrator="leapfrog").values) < 1e-12
    euler = g.sel(integrator="euler").values
    assert euler[-1] - euler[0] == pytest.approx(float(ref.linear_gibbs_entropy_change(1 + h * h, n[-1])), rel=1e-9)


def test_henon_contracts_by_b(ds):
    assert henon_ratio_per_step(ds) == pytest.approx(ref.henon_area_ratio(HenonMap().b), rel=1e-8)
    assert ds.attrs["henon_b"] == HenonMap().b


@settings(max_examples=25, deadline=None)
@given(h=st.floats(1e-3, 1.0), q=st.floats(-2, 2), p=st.floats(-2, 2),
       integ=st.sampled_from(["leapfrog", "yoshida4", "euler", "rk4"]))
def test_reference_dets_are_the_integrators_exact_jacobians(h, q, p, integ):
    det = float(np.linalg.det(Flow(HarmonicOscillator(), integ, h).jacobian(np.array([[q, p]])))[0])
    assert det == pytest.approx(ref.oscillator_jacobian_det(integ, h), rel=1e-12, abs=1e-14)


def test_small_verdict_holds_with_three_sub_claims(ds):
    v = neqlab.verdict(ds)
    assert v.holds is True, v.to_json()
    assert [s.name for s in v.subclaims] == ["volume", "gibbs", "not_symplectic"]
    assert {c.name for c in v.subclaims[0].checks} == {f"area_change_{c.replace('/', '_')}" for c in SYMPLECTIC_CASES}
    assert v.measurement("area_ratio_per_step_henon").value == pytest.approx(0.3, rel=1e-8)


def test_verdict_detects_a_change_of_area_or_entropy(ds):
    bad = ds.copy(deep=True)
    bad["map_area_rel_change"].loc[dict(map="cat")] = np.where(np.arange(ds.sizes["step"]) > 0, 1e-6, 0.0)
    v = neqlab.verdict(bad)
    assert v.check("area_change_cat").passed is False and v.holds is False
    bad = ds.copy(deep=True)
    bad["flow_gibbs_entropy"].loc[dict(system="oscillator", integrator="leapfrog")] += np.linspace(0, 0.01, ds.sizes["t"])
    assert neqlab.verdict(bad).check("gibbs_change_oscillator_leapfrog").passed is False
    bad = ds.copy(deep=True)  # an Euler that conserved the area would contradict its Jacobian
    bad["flow_area_rel_change"].loc[dict(system="oscillator", integrator="euler")] = 0.0
    bad["flow_area_rel_change"].loc[dict(system="pendulum", integrator="euler")] = 0.0
    v = neqlab.verdict(bad)
    assert v.check("area_rel_change_oscillator_euler").passed is False
    assert v.check("area_change_pendulum_euler").passed is False


def test_unresolved_boundary_is_inconclusive_with_the_reason(ds):
    bad = ds.copy(deep=True)
    later = np.arange(ds.sizes["step"]) > 0
    bad["map_resolved"].loc[dict(map="cat")] = ~later
    bad["map_area"].loc[dict(map="cat")] = np.where(later, np.nan, ds["map_area"].sel(map="cat").values)
    v = neqlab.verdict(bad)
    c = v.check("area_change_cat")
    assert c.measured is None and c.passed is None and "only at the start" in c.note
    assert v.subclaims[0].holds is None and v.holds is None


def test_runner_workers_do_not_change_results():
    cfg = dataclasses.replace(SMALL, n_map_steps=2, n_flow_steps=10, n_records=2, n_points=500, max_vertices=5000)
    a = run_config("liouville", cfg, runner=Runner(progress=False, workers=1))
    b = run_config("liouville", cfg, runner=Runner(progress=False, workers=2))
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)


@pytest.mark.parametrize("change", [
    dict(n_map_steps=1, n_records=5), dict(n_flow_steps=1), dict(k=0.0), dict(k=100.0), dict(max_vertices=256),
    dict(n_vertices=16), dict(n_records=200, n_map_steps=3, n_flow_steps=10), dict(knn_k=64, n_points=600),
    dict(max_segment=10.0), dict(max_sagitta=1.0), dict(h=1e3), dict(n_points=100),
], ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()))
def test_edges_of_the_declared_ranges_run(change):
    cfg = dataclasses.replace(SMALL, **{"n_points": 800, "max_vertices": 5000, **change})
    ds = run_config("liouville", cfg, runner=Runner(workers=1, progress=False))
    assert REGISTRY["liouville"].schema.problems(ds) == []
    assert np.unique(ds["step"].values).size == ds.sizes["step"] and np.unique(ds["t"].values).size == ds.sizes["t"]
    v = neqlab.verdict(ds)
    for c in v.checks:
        assert c.measured is not None or c.note, c.name
    neqlab.plot(ds)


def test_config_validation():
    check_all_fields(Config)
    with pytest.raises(ConfigError, match="valid keys"):
        Config.from_mapping({"nonsense": 1})
    with pytest.raises(ConfigError, match=r"^knn_k must be an integer in \[1, 12\] for n_points = 100"):
        Config(n_points=100, knn_k=13)
    with pytest.raises(ConfigError, match=r"^max_vertices must be an integer in \[n_vertices = 256"):
        Config(max_vertices=200)


@pytest.mark.slow
def test_quick_scale_verdict_holds():
    out = run_config("liouville", REGISTRY["liouville"].SCALES["quick"], runner=Runner(progress=False))
    v = neqlab.verdict(out)
    assert v.holds is True, v.to_json()
    # the kNN drift shrinks with more points: an estimator artefact, not a change of S_Gibbs
    assert v.measurement("knn_change_pendulum_leapfrog").value < v.measurement("knn_change_sub_pendulum_leapfrog").value
