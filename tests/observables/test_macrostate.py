import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import comb

from neqlab.observables.macrostate import log_omega, macrostate_probabilities, mass_within, relative_width


@given(st.integers(1, 60), st.data())
def test_log_omega_is_log_binomial(N, data):
    n = data.draw(st.integers(0, N))
    assert np.isclose(log_omega(N, n), np.log(comb(N, n, exact=True)), rtol=1e-12, atol=1e-12)


def test_probabilities_and_widths():
    p = macrostate_probabilities(30)
    assert np.isclose(p.sum(), 1.0) and np.isclose(p[0], 2.0**-30, rtol=1e-9)
    for N in (10, 1000, 10**6):
        assert np.isclose(relative_width(N), N**-0.5, rtol=1e-8)
    assert abs(mass_within(10**6) - 0.9973002) < 1e-3
    assert np.isfinite(log_omega(10**7, 5 * 10**6))  # no overflow in log space
