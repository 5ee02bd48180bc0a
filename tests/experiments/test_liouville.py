"""Experiment liouville: contract, physics of SMALL, validation, round-trip."""

import time

import numpy as np
import pytest
from matplotlib.figure import Figure

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY, liouville
from neqlab.experiments._legacy import Verdict  # TRANSITIONAL
from neqlab.io.store import load, save
from neqlab.runner import Runner

from _config_props_maps import check_all_fields


@pytest.fixture(scope="module")
def ds():
    liouville.run(liouville.SMALL)  # compile / load caches
    t = time.perf_counter()
    out = liouville.run(liouville.SMALL)
    out.attrs["elapsed"] = time.perf_counter() - t
    out.attrs["config"] = liouville.SMALL.to_json()
    return out


def test_registered_and_fast(ds):
    assert REGISTRY["liouville"].module("run") is liouville  # TRANSITIONAL: a flat module
    assert ds.attrs["elapsed"] < 10.0
    assert set(ds["case"].values) == set(liouville.CASES)


def test_symplectic_area_conserved_and_others_not(ds):
    rel = ds["area_rel_change"]
    for c in liouville.SYMPLECTIC:
        v = rel.sel(case=c).values
        assert np.isfinite(v).sum() >= 2 and np.nanmax(np.abs(v)) <= liouville.AREA_TOL
    assert np.nanmax(np.abs(rel.sel(case="pendulum/euler").values)) > 1e-3
    assert np.nanmax(np.abs(rel.sel(case="pendulum/rk4").values)) > 1e-8


def test_oscillator_area_follows_exact_det(ds):
    h = liouville.SMALL.dt
    n = ds["t"].sel(case="oscillator/euler").values / h
    for integ, det in (("euler", 1 + h * h), ("rk4", 1 - h**6 / 72 + h**8 / 576)):
        ratio = ds["area_rel_change"].sel(case=f"oscillator/{integ}").values + 1
        # linear map: the polygon area scales by det^n up to round-off (1e-13 relative)
        assert np.allclose(ratio, det**n, rtol=1e-12, atol=0)
    g = ds["gibbs_entropy"]
    # Gaussian ensemble, sample covariance of the same points: exact up to round-off
    assert np.ptp(g.sel(case="oscillator/leapfrog").values) < 1e-12
    assert g.sel(case="oscillator/euler").values[-1] - g.sel(case="oscillator/euler").values[0] == pytest.approx(
        n[-1] * np.log(1 + h * h), rel=1e-9)


def test_henon_contracts_by_b(ds):
    assert liouville._ratio_per_step(ds, "henon") == pytest.approx(0.3, rel=1e-8)


def test_verdict_plot_roundtrip(ds, tmp_path):
    v = liouville.verdict(ds)
    assert isinstance(v, Verdict) and v.holds is True
    assert isinstance(liouville.plot(ds), Figure)
    path = tmp_path / "l.nc"
    save(ds, path)
    back = load(path)
    assert liouville.verdict(back).to_dict() == v.to_dict()


def test_runner_workers_do_not_change_results():
    cfg = liouville.Config(n_map_steps=2, n_flow_steps=10, n_records=2, n_points=500, max_vertices=5000)
    a = liouville.run(cfg, runner=Runner(progress=False, workers=1))
    b = liouville.run(cfg, runner=Runner(progress=False, workers=2))
    assert a.equals(b)


def test_config_validation():
    check_all_fields(liouville.Config)
    with pytest.raises(ConfigError, match="valid keys"):
        liouville.Config.from_mapping({"nonsense": 1})


@pytest.mark.slow
def test_quick_scale_verdict_holds():
    out = liouville.run(liouville.SCALES["quick"])
    v = liouville.verdict(out)
    assert v.holds is True
    # the kNN drift shrinks with more points: an estimator artefact, not a change of S_Gibbs
    assert v.measured["gibbs_drift_pendulum_leapfrog"] < v.measured["gibbs_drift_pendulum_leapfrog_sub"]
