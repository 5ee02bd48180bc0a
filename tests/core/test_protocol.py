import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Constant, Cycle, Ramp

finite = st.floats(-10, 10)


@given(finite, finite, st.floats(0.1, 10), st.floats(0, 1))
def test_ramp_reversed_is_time_mirror(a, b, T, s):
    r = Ramp(a, b, T)
    assert np.isclose(r.reversed()(s * T), r((1 - s) * T))


@given(finite, finite, st.floats(0.1, 10), st.floats(0.1, 10), st.floats(0, 1))
def test_cycle_reversed_is_time_mirror(m, A, P, T, s):
    c = Cycle(m, A, P, duration=T)
    assert np.isclose(c.reversed()(s * T), c((1 - s) * T), atol=1e-9)


def test_constant_and_errors():
    assert float(Constant(2.0)(5.0)) == 2.0
    with pytest.raises(ConfigError, match="duration"):
        Ramp(0, 1, 0.0)
    with pytest.raises(ConfigError, match="period"):
        Cycle(0, 1, -1.0)
