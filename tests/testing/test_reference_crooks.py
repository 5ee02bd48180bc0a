"""Exact references of ``crooks`` in neqlab.testing.reference: the WCA pair's second virial
coefficient and its excess free energy in a walled box."""

import math

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.testing import reference as ref


def test_wca_second_virial_and_reference():
    # 2D WCA at kT = 1: B2 = 1.62 sigma^2 (a hard disk of diameter 1 has pi/2 = 1.571; the soft core adds a
    # little, the WCA diameter at kT = 1 being ~1.02)
    assert 1.55 < ref.wca_b2(1.0) < 1.70
    # independent check: adaptive quadrature of the three Mayer-function moments to r_c;
    # the trapezoid on 20001 points must agree to 1e-6 relative
    from scipy.integrate import quad

    for kT in (0.5, 1.0, 2.0):
        def g(r, kT=kT):
            return 1.0 - math.exp(-(4.0 * (r**-12 - r**-6) + 1.0) / kT) if r > 0.3 else 1.0
        rc = 2.0 ** (1.0 / 6.0)
        refs = [quad(lambda r, p=p: g(r) * r**p, 0.0, rc, points=[0.8, 1.0], limit=200, epsabs=1e-12)[0]
                for p in (1, 2, 3)]
        assert ref.wca_mayer_moments(kT) == pytest.approx((2 * math.pi * refs[0], 4 * refs[1], 2 * refs[2]), rel=1e-6)
        assert ref.wca_b2(kT) == pytest.approx(math.pi * refs[0], rel=1e-6)
    assert ref.wca_b2(0.5) > ref.wca_b2(2.0)  # softer at higher kT: smaller effective diameter
    # a huge box has the bulk second-virial excess kT N(N - 1) B2 / A
    assert ref.box_pair_excess(10, 1e4, 1e4, 1.0) == pytest.approx(90 * ref.wca_b2(1.0) / 1e8, rel=1e-3)
    # the crooks box: 10 disks at density 0.1, L = 5 -> 2.5 (width 10/(0.1 * 5) = 20)
    ideal, virial = ref.box_compression_delta_f(10, 5.0, 2.5, 20.0, 1.0)
    assert ideal == pytest.approx(10 * math.log(2)) and ideal < virial < ideal + 9 * 0.1 * ref.wca_b2(1.0)
    with pytest.raises(ConfigError, match="box"):
        ref.box_pair_excess(2, 1.0, 5.0, 1.0)


def test_box_pair_excess_against_monte_carlo():
    # I = int_box int_box g(|r1 - r2|) for a 2.5 x 3 box by plain Monte Carlo over 4e6 uniform pairs
    # (seed 0); the formula lx ly G0 - (lx + ly) G1 + G2 must agree within 4 standard errors.
    lx, ly, kT = 2.5, 3.0, 1.0
    rng = np.random.default_rng(0)
    m = 4_000_000
    d = rng.uniform((0, 0), (lx, ly), (m, 2)) - rng.uniform((0, 0), (lx, ly), (m, 2))
    r = np.sqrt(np.sum(d * d, axis=1))
    u = np.where(r < 2 ** (1 / 6), 4.0 * (np.maximum(r, 0.3) ** -12 - np.maximum(r, 0.3) ** -6) + 1.0, 0.0)
    samples = (1.0 - np.exp(-u / kT)) * (lx * ly) ** 2
    i_mc, err = samples.mean(), samples.std(ddof=1) / math.sqrt(m)
    i_formula = ref.box_pair_excess(2, lx, ly, kT) * (lx * ly) ** 2 / kT
    assert abs(i_formula - i_mc) < 4 * err, (i_formula, i_mc, err)
    assert abs(i_formula - 2 * ref.wca_b2(kT) * lx * ly) > 10 * err  # the walls matter at this size
