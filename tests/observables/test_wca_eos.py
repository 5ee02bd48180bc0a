"""WCA equation of state: the stored fit, thermodynamic consistency, exact limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from neqlab.core.errors import ConfigError
from neqlab.observables import wca_eos as E

WCA_CUT = 2.0 ** (1.0 / 6.0)


def _u(r):
    return 4.0 * (r**-12 - r**-6) + 1.0


def _b2(kT, dim):
    """Second virial coefficient of the WCA potential by adaptive quadrature (independent twin)."""
    shell = math.pi if dim == 2 else 2.0 * math.pi  # B2 = (1/2) int (1 - e^{-u/kT}) d^dim r
    f = lambda r: r ** (dim - 1) * (1.0 - math.exp(-_u(r) / kT))  # noqa: E731
    return shell * (quad(f, 0.5, WCA_CUT, limit=200)[0] + 0.5**dim / dim)


@pytest.mark.parametrize("dim", [2, 3])
def test_stored_coefficients_are_the_fit_of_the_stored_table(dim):
    c, cov, chi2 = E.fit(E.TABLE, dim)
    np.testing.assert_allclose(E.COEFFS[dim], c, rtol=1e-9, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    assert chi2 < 2.0  # the docstring states 1.6 (2D) and 1.0 (3D)


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("kT", [0.3, 1.0, 3.0])
def test_low_density_limit_is_the_exact_second_virial_coefficient(dim, kT):
    rho = 1e-7
    assert E.excess_free_energy(rho, kT, dim) / rho == pytest.approx(_b2(kT, dim), rel=1e-5)
    assert (E.compressibility_factor(rho, kT, dim) - 1.0) / rho == pytest.approx(_b2(kT, dim), rel=1e-5)


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("rho,kT", [(0.1, 0.5), (0.4, 1.0), (0.6, 2.5)])
def test_thermodynamic_consistency(dim, rho, kT):
    """Z from d(phi)/d(rho), u_ex from d(phi)/d(beta), s_ex and mu_ex from their definitions."""
    h = 1e-5
    phi = lambda r, t: float(E.excess_free_energy(r, t, dim))  # noqa: E731
    dphi_drho = (phi(rho * (1 + h), kT) - phi(rho * (1 - h), kT)) / (2 * rho * h)
    b = 1.0 / kT
    dphi_dbeta = (phi(rho, 1.0 / (b * (1 + h))) - phi(rho, 1.0 / (b * (1 - h)))) / (2 * b * h)
    # central differences: relative error ~h^2 = 1e-10 plus round-off ~1e-16/h = 1e-11
    assert float(E.compressibility_factor(rho, kT, dim)) - 1 == pytest.approx(rho * dphi_drho, rel=1e-7)
    assert float(E.excess_energy(rho, kT, dim)) == pytest.approx(dphi_dbeta, rel=1e-7)
    u = float(E.excess_energy(rho, kT, dim))
    assert float(E.excess_entropy(rho, kT, dim)) == pytest.approx(u / kT - phi(rho, kT), rel=1e-12)
    z = float(E.compressibility_factor(rho, kT, dim))
    assert float(E.excess_chemical_potential(rho, kT, dim)) == pytest.approx(kT * (phi(rho, kT) + z - 1), rel=1e-12)


@pytest.mark.parametrize("dim", [2, 3])
def test_fit_reproduces_its_table(dim):
    a = np.array([r for r in E.TABLE if r[0] == dim])
    z = E.compressibility_factor(a[:, 1], a[:, 2], dim)
    u = E.excess_energy(a[:, 1], a[:, 2], dim)
    chi2 = np.sum(((z - a[:, 4]) / a[:, 5]) ** 2 + ((u - a[:, 6]) / a[:, 7]) ** 2) / (2 * len(a) - len(E.TERMS))
    assert chi2 == pytest.approx(E.fit(E.TABLE, dim)[2], rel=1e-9)
    assert np.all(E.in_range(a[:, 1], a[:, 2], dim))


def test_entropy_is_negative_and_falls_with_density():
    rho = np.linspace(0.01, 0.7, 50)
    for dim in (2, 3):
        for kT in (0.25, 1.0, 4.0):
            s = E.excess_entropy(rho[rho < (0.7 if dim == 2 else 0.8)], kT, dim)
            assert np.all(s < 0) and np.all(np.diff(s) < 0)
            assert np.all(E.excess_entropy_err(rho, kT, dim) < 0.003)


def test_diameter_tends_to_the_cutoff_at_low_temperature_and_shrinks_with_kT():
    t = np.array([0.001, 0.01, 0.1, 1.0, 10.0])
    for dim in (2, 3):
        d = E.diameter(t, dim)
        assert np.all(np.diff(d) < 0) and d[0] == pytest.approx(WCA_CUT, abs=0.01)


@pytest.mark.parametrize("dim", [2, 3])
def test_no_value_at_or_beyond_eta_one(dim):
    rho = np.array([0.5, 1.0, 3.0]) / float(E.packing_fraction(1.0, 1.0, dim))  # eta = 0.5, 1, 3
    for f in (E.excess_entropy, E.excess_free_energy, E.compressibility_factor, E.excess_energy):
        v = f(rho, 1.0, dim)
        assert np.isfinite(v[0]) and np.isnan(v[1:]).all()


def test_bad_dim_and_quantity():
    with pytest.raises(ConfigError, match="dim must be one of 2, 3, got 4"):
        E.excess_entropy(0.1, 1.0, 4)
    with pytest.raises(ConfigError, match="quantity must be one of"):
        E.fit_error("pressure", 0.1, 1.0, 2)
