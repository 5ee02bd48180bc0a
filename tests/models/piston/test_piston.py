"""The ideal-gas piston against exact results (Lua & Grosberg 2005); |z| < 4 tolerances."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError, SimulationError
from neqlab.models.piston import PistonParams, run
from neqlab.testing import reference as ref

M = 200_000


def _jarzynski(w):
    e = np.exp(-w)
    return e.mean(), e.std(ddof=1) / np.sqrt(e.size)


@pytest.mark.parametrize("t_move", [0.2, 2.0])
def test_compression_jarzynski_is_half(t_move):
    out = run(PistonParams(L0=1.0, L1=0.5, t_move=t_move), seed=1, replicas=np.arange(M))
    val, err = _jarzynski(out["work"])
    assert abs(val - ref.piston_jarzynski(1.0, 0.5)) < 4 * err
    assert out["work"].mean() > ref.piston_delta_f(1.0, 0.5, 1.0)  # second law on average


def test_slow_expansion_jarzynski_is_two():
    out = run(PistonParams(L0=0.5, L1=1.0, t_move=4.0), seed=2, replicas=np.arange(M))
    val, err = _jarzynski(out["work"])
    assert abs(val - 2.0) < 4 * err


def test_sudden_expansion_violates_support_condition():
    # negative control: a piston much faster than the particles never gets hit, W = 0, <e^-W> = 1, not 2
    out = run(PistonParams(L0=0.5, L1=1.0, t_move=0.01), seed=3, replicas=np.arange(20_000))
    assert np.mean(out["work"] == 0.0) > 0.999
    assert abs(_jarzynski(out["work"])[0] - 1.0) < 0.01


def test_first_law_and_determinism():
    p = PistonParams(L0=1.0, L1=0.5, t_move=1.0, t_rest=1.0)
    a = run(p, seed=4, replicas=np.arange(1000))
    b = run(p, seed=4, replicas=np.arange(1000), parallel=False)
    c = run(p, seed=4, replicas=np.arange(500, 1000))
    assert np.abs(a["energy_end"] - a["energy_start"] - (a["work"] - a["heat"])).max() < 1e-12
    for k in a:
        assert np.array_equal(a[k], b[k]) and np.array_equal(a[k][500:], c[k])
    assert a["n_events"].mean() > 1.0


def test_event_budget_raises():
    with pytest.raises(SimulationError, match="max_events"):
        run(PistonParams(t_move=100.0, max_events=3), seed=0, replicas=np.arange(100))


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["L0", "L1", "t_move", "kT", "mass"]),
       bad=st.one_of(st.floats(max_value=0.0), st.floats(min_value=2e6), st.just(float("inf"))))
def test_params_validation(name, bad):
    with pytest.raises(ConfigError, match=name):
        PistonParams(**{name: bad})


def test_reversed_and_delta_f():
    p = PistonParams(L0=1.0, L1=0.5)
    assert p.reversed().L0 == 0.5 and p.reversed().L1 == 1.0
    assert p.delta_f(3) == pytest.approx(3 * np.log(2.0))
