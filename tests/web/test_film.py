"""The status logic, the return error and the film of recorded frames (no gas)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.web.film import (RETURN_THRESHOLD, STATUSES, Film, eps_eff, ln_sigma_over_eps, return_error,
                             status_of)


def test_statuses_are_the_four_exact_values():
    assert STATUSES == ("running", "reversed", "returned", "did not return")
    assert RETURN_THRESHOLD == 0.1


@pytest.mark.parametrize("is_reversed, is_back, error, expected", [
    (False, False, math.nan, "running"),
    (True, False, math.nan, "reversed"),
    (True, False, 5.0, "reversed"),          # far off but not back yet: still running back
    (True, True, 0.0, "returned"),
    (True, True, 0.0999, "returned"),
    (True, True, 0.1, "did not return"),     # the threshold itself does not count as returned
    (True, True, 3.0, "did not return"),
    (True, True, math.nan, "did not return"),  # no measured error is no evidence of a return
])
def test_status_of(is_reversed, is_back, error, expected):
    assert status_of(is_reversed=is_reversed, is_back=is_back, error=error) == expected


def test_eps_eff_is_the_unit_roundoff_or_the_kick():
    assert eps_eff("f64", 0.0) == 2.0**-53 and eps_eff("f32", 0.0) == 2.0**-24 and eps_eff("exact", 0.0) == 0.0
    assert eps_eff("exact", 1e-3) == 1e-3 and eps_eff("f64", 1e-6) == 1e-6
    assert ln_sigma_over_eps("exact", 0.0) is None
    assert ln_sigma_over_eps("f64", 0.0) == pytest.approx(53 * math.log(2))
    assert ln_sigma_over_eps("f32", 0.0) == pytest.approx(24 * math.log(2))
    with pytest.raises(ConfigError, match=r"^precision must be one of f64, f32, exact, got 'f16'$"):
        eps_eff("f16", 0.0)


def _naive_return_error(a, b, box, periodic):
    """One particle at a time, minimum image by trying the neighbouring images."""
    total = 0.0
    for i in range(len(a)):
        d2 = 0.0
        for k in range(a.shape[1]):
            d = a[i, k] - b[i, k]
            if periodic[k]:
                d = min((d + m * box[k] for m in (-1, 0, 1)), key=abs)
            d2 += d * d
        total += d2
    return math.sqrt(total / len(a))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), seed=st.integers(0, 2**32 - 1), periodic=st.lists(st.booleans(), min_size=2, max_size=2))
def test_return_error_matches_naive_twin(n, seed, periodic):
    rng = np.random.default_rng(seed)
    box = rng.uniform(2.0, 50.0, 2)
    a, b = rng.uniform(0, 1, (n, 2)) * box, rng.uniform(0, 1, (n, 2)) * box
    got = return_error(a, b, box, np.array(periodic))
    assert got == pytest.approx(_naive_return_error(a, b, box, periodic), rel=1e-12, abs=1e-12)


def test_return_error_is_zero_only_for_identical_positions():
    x = np.random.default_rng(1).uniform(0, 10, (50, 2))
    box, walls = np.array([10.0, 10.0]), np.array([False, False])
    assert return_error(x, x.copy(), box, walls) == 0.0
    y = x.copy()
    y[7, 1] = np.nextafter(y[7, 1], np.inf)  # one ulp of one coordinate
    assert return_error(x, y, box, walls) > 0.0


def test_film_keeps_the_start_and_doubles_its_stride():
    f = Film(stride=5, capacity=8)
    for i in range(0, 200):
        if f.is_mark(i):
            f.record(i, np.full((3, 2), float(i)))
    assert 0 in f.frames and len(f.frames) <= 8
    assert all(i % f.stride == 0 for i in f.frames)
    # every mark of the current stride up to the last recorded one is there
    last = max(f.frames)
    assert sorted(f.frames) == list(range(0, last + 1, f.stride))
    assert f.error_at(last, np.full((3, 2), float(last)), np.array([1e3, 1e3]), np.array([False, False])) == 0.0
    assert f.error_at(last + 1, np.zeros((3, 2)), np.array([1e3, 1e3]), np.array([False, False])) is None


@pytest.mark.parametrize("index, direction, expected", [(0, 1, 50), (7, 1, 43), (50, 1, 50), (57, -1, 7), (50, -1, 50),
                                                         (3, -1, 3)])
def test_steps_to_mark(index, direction, expected):
    assert Film(50, 4).steps_to_mark(index, direction) == expected


def test_film_rejects_bad_sizes():
    with pytest.raises(ConfigError, match="stride and capacity"):
        Film(0, 10)
