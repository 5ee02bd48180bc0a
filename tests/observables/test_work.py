import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neqlab.core.errors import ConfigError
from neqlab.observables.work import entropy_production, first_law_residual, gas_work, window_increments, work_histogram


@given(arrays(float, st.integers(1, 50), elements=st.floats(-1e3, 1e3)), st.integers(1, 7))
def test_gas_work_sums_groups(w, n):
    if w.size < n:
        with pytest.raises(ConfigError, match="n_particles"):
            gas_work(w, n)
        return
    g = gas_work(w, n)
    assert g.size == w.size // n
    assert np.allclose(g, [w[i * n:(i + 1) * n].sum() for i in range(g.size)])


def test_gas_work_rejects_bad_n():
    with pytest.raises(ConfigError, match="n_particles"):
        gas_work(np.ones(3), 0)


def test_entropy_production_and_residual():
    assert np.allclose(entropy_production([2.0, 4.0], 1.0, 0.5), [2.0, 6.0])
    with pytest.raises(ConfigError, match="kT"):
        entropy_production([1.0], 0.0, 0.0)
    assert np.allclose(first_law_residual([1.0], [3.0], [5.0], [3.0]), [0.0])


def test_window_increments_bounds():
    s = np.cumsum(np.ones((2, 5)), axis=1)
    assert np.array_equal(window_increments(s, 1, 3), [3.0, 3.0])
    with pytest.raises(ConfigError, match="window"):
        window_increments(s, 3, 3)


def test_work_histogram_normalised_with_binomial_error():
    w = np.random.default_rng(0).normal(size=10_000)
    dens, err = work_histogram(w, np.linspace(-5, 5, 41))
    assert abs((dens * 0.25).sum() - 1.0) < 1e-3 and (err >= 0).all()
