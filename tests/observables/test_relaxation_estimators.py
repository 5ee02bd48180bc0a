"""Relaxation observables: plateaus, relaxation times, relative fluctuations, power-law fits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.observables.relaxation import power_law_fit, relative_fluctuation, relaxation_time, tail


def test_power_law_fit_of_an_exact_power_law():
    n = np.array([100, 400, 1600, 6400])
    y = 0.7 * n**-0.5
    fit = power_law_fit(n, y, 0.01 * y)
    assert fit.exponent == pytest.approx(-0.5, abs=1e-12) and fit.log_prefactor == pytest.approx(math.log(0.7))
    assert fit.error == pytest.approx(0.01 / np.std(np.log(n)) / 2, rel=1e-9)  # sd(slope) = s/(sqrt(n) sd(x))


@settings(max_examples=40, deadline=None)
@given(b=st.floats(-3.0, 3.0), a=st.floats(-5.0, 5.0), rel=st.floats(1e-4, 0.3), n0=st.integers(2, 1000))
def test_power_law_fit_recovers_any_exact_power_law(b, a, rel, n0):
    n = n0 * 2.0 ** np.arange(5)
    y = math.exp(a) * n**b
    fit = power_law_fit(n, y, rel * y)
    assert fit.exponent == pytest.approx(b, abs=1e-9) and fit.log_prefactor == pytest.approx(a, abs=1e-7)
    assert fit.chi2_per_dof < 1e-12 and fit.error > 0


def test_power_law_fit_error_grows_with_scatter_never_shrinks():
    n = np.array([100.0, 200.0, 400.0, 800.0])
    y = n**-0.5 * np.array([1.0, 1.2, 0.8, 1.1])  # scatter far beyond the 1 % error bars
    fit = power_law_fit(n, y, 0.01 * y)
    bare = 0.01 / (np.std(np.log(n)) * math.sqrt(n.size))
    assert fit.chi2_per_dof > 1 and fit.error == pytest.approx(bare * math.sqrt(fit.chi2_per_dof), rel=1e-9)


def test_relaxation_time_of_an_exponential():
    t = np.linspace(0, 50, 5001)
    assert relaxation_time(t, 3.0 - 2.0 * np.exp(-t / 4.0)) == pytest.approx(4.0, abs=0.02)
    assert relaxation_time(t[:4], np.ones(4)) == 0.0  # already at its plateau


def test_tail_is_the_last_quarter_with_a_minimum():
    y = np.arange(100)
    assert np.array_equal(tail(y), np.arange(75, 100))
    assert tail(np.arange(3)).size == 2 and tail(np.arange(3), at_least=1).size == 1


def test_relative_fluctuation_of_normal_samples():
    rng = np.random.default_rng(1)
    x = rng.normal(10.0, 1.0, size=(40, 50))
    rel, err = relative_fluctuation(x)
    # sd of a sample sd from 2000 normal values: 1/sqrt(2 * 1999) relative: |z| < 4 with the jackknife
    assert abs(rel - 0.1) < 4 * max(err, 0.1 / math.sqrt(2 * 1999))
    assert 0.5 * 0.1 / math.sqrt(2 * 1999) < err < 2.0 * 0.1 / math.sqrt(2 * 1999)


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(1e-3, 1e3), seed=st.integers(0, 1000))
def test_relative_fluctuation_does_not_depend_on_the_unit(scale, seed):
    x = np.random.default_rng(seed).normal(5.0, 1.0, size=(4, 6))
    rel, err = relative_fluctuation(x)
    rel2, err2 = relative_fluctuation(scale * x)
    assert rel2 == pytest.approx(rel, rel=1e-9) and err2 == pytest.approx(err, rel=1e-6, abs=1e-15)
