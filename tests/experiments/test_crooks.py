"""The crooks experiment: verdict on SMALL by sub-claim, checks that fail on corrupted data,
inconclusive cases that say why, reproducibility across runners, the edges of the config ranges."""

import dataclasses
import functools
import math

import numpy as np
import pytest

import neqlab
from neqlab.core.errors import ConfigError
from neqlab.experiments.api import run_config
from neqlab.experiments.crooks import SCALES, SMALL, Config
from neqlab.experiments.crooks.run import MAX_CHUNKS, MIN_CHUNKS, chunk_size, tasks_for
from neqlab.experiments.crooks.tasks import TrapDrive, trap_drive
from neqlab.core.rng import Stream
from neqlab.runner import Runner

SUBCLAIMS = ["trap", "sweep", "ideal_piston", "gas_piston", "steady_state"]
# the smallest run that exercises every part (the edges below vary one key of it at a time)
TINY = dict(n_trajectories=1000, speeds=(1.0,), n_sweep=1000, n_particles=(1, 10), n_piston=1000, n_ness=1000,
            ness_windows=(0.25, 1.0), gas_piston_n=(4,), gas_piston_replicas=20, gas_piston_t_drive=2.5,
            gas_piston_t_equilibrate=1.0)


@pytest.fixture(scope="module")
def small():
    return run_config("crooks", SMALL, runner=Runner(workers=1, progress=False))


def _sub(v, name):
    return next(s for s in v.subclaims if s.name == name)


def test_small_holds_by_subclaim(small):
    v = neqlab.verdict(small)
    assert v.holds is True, v.to_json()
    assert [s.name for s in v.subclaims] == SUBCLAIMS
    assert all(s.holds is True for s in v.subclaims)
    for key in ("delta_f_bar", "delta_f_bar_err", "crooks_slope", "crooks_slope_err", "delta_f_mbar",
                "delta_f_exp_forward"):
        assert math.isfinite(float(small[key])), key
    assert math.isfinite(small.attrs["delta_f_exact"])
    assert set(small["direction"].values) == {"forward", "reverse"}
    assert small["work"].dims == ("direction", "replica") and small["heat"].shape == small["work"].shape


def test_small_physics(small):
    # the piston's entropy decreases vanish with N (essay): P(w < 0) falls from N = 1 to N = 100
    p = small["piston_p_negative"].values
    assert p[0] > 0.3 and p[-1] < 0.01
    # the steady-state slope approaches 1 from above as the window grows (exact Gaussian values)
    assert np.all(np.diff(small["ness_slope_exact"].values) < 0)
    # MBAR on two path ensembles is BAR
    assert abs(float(small["delta_f_mbar"]) - float(small["delta_f_bar"])) < 1e-9
    # second law: the mean work of each direction exceeds +-dF
    assert float(small["mean_entropy_production"].sel(direction="forward")) > 0
    assert float(small["mean_entropy_production"].sel(direction="reverse")) > 0


def _corrupt(ds, **changes):
    bad = ds.copy(deep=True)
    for name, fn in changes.items():
        bad[name].values[...] = fn(bad[name].values)
    return neqlab.verdict(bad)


def test_corrupted_data_make_the_relevant_checks_fail(small):
    """A check that cannot fail is a defect: break each system's data and its sub-claim must say so."""
    v = _corrupt(small, crooks_slope=lambda x: x * 0.8)
    assert v.check("crooks_slope").passed is False and _sub(v, "trap").holds is False and v.holds is False
    v = _corrupt(small, delta_f_bar=lambda x: x + 1.0)
    assert v.check("delta_f_bar").passed is False
    v = _corrupt(small, sweep_delta_f=lambda x: x + 1.0)
    assert v.check("sweep_bar_0").passed is False and _sub(v, "sweep").holds is False
    v = _corrupt(small, piston_jarzynski=lambda x: x * 0.9)
    assert v.check("piston_jarzynski").passed is False
    v = _corrupt(small, piston_p_negative=lambda x: np.full_like(x, 0.45) if x.size else x)
    assert v.check("piston_p_negative_n10").passed is False and _sub(v, "ideal_piston").holds is False
    v = _corrupt(small, gas_piston_crooks_slope=lambda x: np.where(np.isfinite(x), x + 3.0, x))
    assert _sub(v, "gas_piston").holds is False
    v = _corrupt(small, gas_piston_delta_f_virial=lambda x: x + 2.0)
    assert v.check("gas_bar_vs_virial_rho0.02_n4").passed is False
    v = _corrupt(small, ness_entropy_slope=lambda x: x * 1.3)
    assert v.check("ness_entropy_slope_0").passed is False and _sub(v, "steady_state").holds is False
    v = _corrupt(small, ness_slope_exact=lambda x: x[::-1].copy())
    assert v.check("ness_exact_slope_approach").passed is False


def test_unevaluable_checks_are_inconclusive_and_say_why(small):
    v = _corrupt(small, crooks_slope=lambda x: np.nan)
    c = v.check("crooks_slope")
    assert c.measured is None and "overlap" in c.note and _sub(v, "trap").holds is None and v.holds is None
    v = _corrupt(small, gas_piston_crooks_slope=lambda x: np.full_like(x, np.nan))
    c = v.check("gas_crooks_slope")
    assert c.measured is None and c.note and _sub(v, "gas_piston").holds is None
    v = _corrupt(small, ness_slope=lambda x: np.full_like(x, np.nan))
    assert v.check("ness_entropy_slope").measured is None and _sub(v, "steady_state").holds is None
    v = _corrupt(small, delta_f_mbar_err=lambda x: np.nan)
    assert v.check("delta_f_mbar").passed is None and "standard error" in v.check("delta_f_mbar").note
    v = _corrupt(small, piston_p_negative=lambda x: np.zeros_like(x))
    c = v.check("piston_p_negative_n10")
    assert c.measured is None and "N = 1" in c.note
    v = _corrupt(small, ness_slope=lambda x: np.where(np.arange(x.size) == 0, np.nan, x))
    assert "0.5 τ" in _sub(v, "steady_state").note and v.holds is True  # an unfitted window is named, not judged


def test_bitwise_same_for_one_and_two_workers_and_chunks():
    task = tasks_for(dataclasses.replace(SMALL, n_trajectories=3000))["crooks_forward"][0]
    assert isinstance(task, TrapDrive) and task.stream == Stream.CROOKS_FORWARD
    run = functools.partial(trap_drive, task)
    with Runner(workers=1, progress=False) as r1, Runner(workers=2, progress=False) as r2:
        a = r1.ensemble(run, 3000, seed=5)
        b = r2.ensemble(run, 3000, seed=5, chunk_size=333)
    assert np.array_equal(a["work"], b["work"]) and np.array_equal(a["heat"], b["heat"])


def test_bitwise_same_on_dask():
    run = functools.partial(trap_drive, tasks_for(SMALL)["crooks_reverse"][0])
    with Runner(workers=1, progress=False) as r1, Runner(backend="dask", workers=2, progress=False) as r2:
        a = r1.ensemble(run, 2000, seed=5)
        b = r2.ensemble(run, 2000, seed=5, chunk_size=300)
    assert np.array_equal(a["work"], b["work"])


def test_scales():
    assert SCALES["default"] == Config() and Config().n_trajectories == 1_000_000
    assert SCALES["quick"].n_trajectories == 100_000 and SCALES["full"].n_trajectories == 10_000_000


def test_cross_field_checks():
    with pytest.raises(ConfigError, match="^ness_windows must be increasing"):
        Config(ness_windows=(2.0, 1.0))
    with pytest.raises(ConfigError, match="^dt must be in"):
        Config(integrator="baoab", dt=0.03)
    with pytest.raises(ConfigError, match="^n_particles must leave at least 100 gases"):
        Config(n_piston=1000, n_particles=(1, 100))
    with pytest.raises(ConfigError, match="^gas_piston_length must leave a box width"):
        Config(gas_piston_n=(2,), gas_piston_density=(0.35,), gas_piston_length=10.0)
    with pytest.raises(ConfigError, match="^ness_dt must be at most 0.05 gamma"):
        Config(gamma=0.05)
    with pytest.raises(ConfigError, match="^ness_period must be at least 4 ness_dt"):
        Config(ness_period=0.01)
    with pytest.raises(ConfigError, match="^gas_piston_dt must be at most"):
        Config(kT=10.0)
    with pytest.raises(ConfigError, match="^gas_piston_t_drive must be at least"):
        Config(gas_piston_t_drive=0.5)
    assert Config.from_mapping({"speed": "4", "model": "stiffness_ramp"}).speed == 4.0
    assert Config(gamma=0.1).gamma == 0.1  # 0.005 / 0.1 = 0.05: at the limit


# Keys at the edges of their ranges (or of a cross-field limit), a few per run of the tiny config: each
# must run and be judged, every check that cannot be evaluated saying why; the degenerate ones (no overlap,
# no fit anywhere) must still draw a figure.
EDGES = {
    "double_well_fastest": (dict(model="double_well", dt=0.05, speed=1e3, speeds=(1e3,)), False),
    "baoab_round_trip_low_friction": (dict(integrator="baoab", dt=0.02, protocol="round_trip", model="stiffness_ramp",
                                           gamma=0.01, ness_dt=5e-4), False),
    "hot_dense_sudden_piston": (dict(kT=10.0, gas_piston_dt=0.003, gas_piston_density=(0.35,), gas_piston_length=3.0,
                                     piston_speed=1e3), True),
    "cold_slow_piston_fast_cycle": (dict(kT=0.01, piston_speed=1e-3, ness_period=0.02), True),
    "high_friction_long_window": (dict(gamma=1e3, ness_amplitude=1e3, ness_windows=(100.0,)), True),
    "gas_fastest_drive": (dict(gas_piston_dt=0.01, gas_piston_t_drive=2.5, gas_piston_t_equilibrate=0.0), False),
    "gas_longest_box": (dict(gas_piston_length=1e3, gas_piston_density=(0.001,), gas_piston_t_drive=500.0,
                             gas_piston_dt=0.01), False),
}


@pytest.mark.parametrize("edge", EDGES)
def test_edges_of_the_ranges_run(edge):
    keys, draw = EDGES[edge]
    cfg = dataclasses.replace(SMALL, **{**TINY, **keys})
    ds = run_config("crooks", cfg, runner=Runner(workers=1, progress=False))
    v = neqlab.verdict(ds)
    assert v.holds in (True, False, None)
    for c in v.checks:
        assert c.passed is not None or c.note, c.name
    if draw:
        neqlab.plot(ds)


def test_estimate_names_real_keys_and_grows_with_the_work():
    from neqlab.experiments.crooks.run import estimate

    small, default = estimate(SMALL), estimate(Config())
    assert 0 < small.seconds < default.seconds and 0 < small.memory_bytes < default.memory_bytes
    assert set(default.keys) <= set(Config.keys())


@pytest.mark.parametrize("config", [SMALL, *SCALES.values()], ids=["small", *SCALES])
def test_chunks_per_ensemble_stay_between_the_bounds(config):
    for name, (task, n) in tasks_for(config).items():
        size = chunk_size(task, n)
        chunks = -(-n // size)
        assert 1 <= size <= n and min(MIN_CHUNKS, n) <= chunks <= MAX_CHUNKS, (name, n, size)
