"""Lyapunov spectra against exact references; +- pairing for symplectic systems."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.models.flows import Flow, SoftDiskGas
from neqlab.models.maps import BakerMap, CatMap, HenonMap, StandardMap
from neqlab.observables.lyapunov import ks_entropy, lyapunov_spectrum


@dataclass(frozen=True)
class Diagonal:
    a: float
    b: float
    dim = 2
    time_per_step = 0.5

    def tangent_step(self, pts, tan, n):
        d = np.array([self.a, self.b]) ** n
        return pts * d, tan * d[None, :, None]


def test_cat_map_exponent():
    res = lyapunov_spectrum(CatMap(), np.random.default_rng(0).random((8, 2)), n_steps=500)
    lam = math.log((3 + math.sqrt(5)) / 2)
    # constant Jacobian: after the transient the estimate is exact up to round-off
    assert res.exponents[0] == pytest.approx(lam, abs=1e-10)
    assert res.exponents[1] == pytest.approx(-lam, abs=1e-10)
    assert ks_entropy(res)[0] == pytest.approx(lam, abs=1e-10)


def test_baker_and_diagonal_maps():
    res = lyapunov_spectrum(BakerMap(), np.random.default_rng(1).random((4, 2)), n_steps=40)
    assert np.allclose(res.exponents, [math.log(2), -math.log(2)], atol=1e-12)
    res = lyapunov_spectrum(Diagonal(3.0, 0.25), np.ones((2, 2)), n_steps=50, renorm_every=5)
    # per unit time (0.5 per step)
    assert np.allclose(res.exponents, [2 * math.log(3.0), 2 * math.log(0.25)], atol=1e-12)


def test_standard_map_k0_exponents_vanish():
    n = 2000
    res = lyapunov_spectrum(StandardMap(k=0.0), np.random.default_rng(2).random((4, 2)) * 6,
                            n_steps=n, n_transient=0)
    # shear J^n = [[1, n], [0, 1]]: finite-time exponents are bounded by ln(1 + n)/n
    assert np.all(np.abs(res.exponents) <= math.log(1 + n) / n)


def test_henon_sum_is_ln_det_and_largest_positive():
    rng = np.random.default_rng(3)
    res = lyapunov_spectrum(HenonMap(), rng.normal(size=(8, 2)) * 0.01, n_steps=1000)
    assert res.exponents.sum() == pytest.approx(math.log(0.3), abs=1e-12)  # exact per step
    # literature value 0.419 (Henon a=1.4, b=0.3); |z| < 4 with the estimator's error
    assert abs(res.exponents[0] - 0.419) < 4 * res.exponents_err[0] + 0.002


def test_symplectic_pairing_in_a_few_particle_gas():
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.random(6) * 2, rng.normal(size=6)])
    f = Flow(SoftDiskGas(n_particles=3), "leapfrog", 0.02)
    res = lyapunov_spectrum(f, np.repeat(x[None], 4, axis=0), n_steps=10_000, renorm_every=10)
    lam, err = res.exponents, res.exponents_err
    assert abs(lam.sum()) < 1e-10  # det J = 1 per step: exact up to round-off
    assert lam[0] > 0.3
    pair = lam + lam[::-1]
    # pairs: |z| < 4 with the errors of both members added in quadrature
    assert np.all(np.abs(pair) < 4 * np.hypot(err, err[::-1]))


def test_tol_controls_convergence():
    res = lyapunov_spectrum(StandardMap(k=6.0), np.random.default_rng(5).random((8, 2)) * 6,
                            n_steps=400, tol=0.01, max_steps=20_000)
    assert res.converged and np.all(res.exponents_err < 0.01)
    assert res.running.shape[0] == res.block_estimates.shape[0]
    with pytest.raises(ConfigError, match="method"):
        lyapunov_spectrum(CatMap(), np.zeros((1, 2)), method="gram")
    with pytest.raises(ConfigError, match="n_exponents"):
        lyapunov_spectrum(CatMap(), np.zeros((1, 2)), n_exponents=3)
