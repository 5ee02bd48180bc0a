"""The interacting-gas piston of ``crooks``: reproducibility, first law, the ideal-gas limit of Jarzynski,
the second-virial reference in a walled box."""

import functools
import math

import numpy as np
import pytest

from neqlab.core.rng import Stream
from neqlab.core.errors import ConfigError
from neqlab.experiments import _crooks_gas as gas
from neqlab.runner import Runner

KW = dict(length=5.0, kT=1.0, t_eq=2.0)


def test_bitwise_same_for_one_and_two_workers():
    task = functools.partial(gas.gas_piston_task, n=8, density=0.2, t_drive=2.0, dt=0.004, forward=True,
                             stream=(Stream.CROOKS_GAS, 0), **KW)
    with Runner(workers=1, progress=False) as r1, Runner(workers=2, progress=False) as r2:
        a = r1.ensemble(task, 12, seed=3)
        b = r2.ensemble(task, 12, seed=3, chunk_size=5)
    for k in ("work", "heat", "energy_change"):
        assert np.array_equal(a[k], b[k]), k
    assert np.all(a["work"] > 0)  # a compression does positive work on the gas on average and here always


@pytest.mark.parametrize("forward", [True, False])
def test_first_law_of_each_drive(forward):
    # dE = W - Q per drive up to Verlet's error; hard walls make that error O(dt) per reflection
    # during an interaction (docs/engine.md). Measured at rho = 0.05, N = 16, dt = 0.001 over 10
    # drives of 5 tau: max |W - Q - dE| = 0.013 kT. Bound: 0.1 kT per drive.
    out = gas.gas_piston_task(np.arange(10), 0, n=16, density=0.05, t_drive=5.0, dt=0.001, forward=forward,
                              stream=(Stream.CROOKS_GAS, 0 if forward else 1), **KW)
    err = np.abs(out["work"] - out["heat"] - out["energy_change"])
    assert np.all(err < 0.1), err.max()
    assert np.all(np.abs(out["work"]) > 10 * err)  # the work itself is not small
    assert np.all(out["heat"] != 0.0)  # the walls do exchange heat during the drive


def test_jarzynski_in_the_ideal_gas_limit():
    # N = 2 at rho = 0.002 (box 5 x 200): interactions shift dF by (N - 1) kT B2 rho = 0.003 kT, far below
    # the statistical error, so <exp(-W/kT)> = 2^-N = 0.25 (exact for the ideal gas at any piston speed).
    # 1500 compressions at piston speed 0.5: standard error 0.008 (measured 0.235 +- 0.008, z = 1.9; the next
    # 6000 replicas give 0.2502 +- 0.0041); tolerance |z| < 4.
    out = gas.gas_piston_task(np.arange(1500), 0, n=2, density=0.002, t_drive=5.0, dt=0.004, forward=True,
                              stream=(Stream.CROOKS_GAS, 0), **KW)
    e = np.exp(-out["work"])
    mean, err = e.mean(), e.std(ddof=1) / math.sqrt(e.size)
    assert abs(mean - 0.25) < 4 * err, (mean, err)
    assert out["work"].mean() > math.log(4.0)  # second law: <W> > dF


def test_wca_second_virial_and_reference():
    # 2D WCA at kT = 1: B2 = 1.62 sigma^2 (a hard disk of diameter 1 has pi/2 = 1.571; the soft core adds a
    # little, the WCA diameter at kT = 1 being ~1.02)
    assert 1.55 < gas.wca_b2(1.0) < 1.70
    # independent check: adaptive quadrature of the three Mayer-function moments to r_c;
    # the trapezoid on 20001 points must agree to 1e-6 relative
    from scipy.integrate import quad

    for kT in (0.5, 1.0, 2.0):
        def g(r, kT=kT):
            return 1.0 - math.exp(-(4.0 * (r**-12 - r**-6) + 1.0) / kT) if r > 0.3 else 1.0
        rc = 2.0 ** (1.0 / 6.0)
        refs = [quad(lambda r, p=p: g(r) * r**p, 0.0, rc, points=[0.8, 1.0], limit=200, epsabs=1e-12)[0]
                for p in (1, 2, 3)]
        assert gas._wca_moments(kT) == pytest.approx((2 * math.pi * refs[0], 4 * refs[1], 2 * refs[2]), rel=1e-6)
        assert gas.wca_b2(kT) == pytest.approx(math.pi * refs[0], rel=1e-6)
    assert gas.wca_b2(0.5) > gas.wca_b2(2.0)  # softer at higher kT: smaller effective diameter
    # a huge box has the bulk second-virial excess kT N(N - 1) B2 / A
    assert gas.box_pair_excess(10, 1e4, 1e4, 1.0) == pytest.approx(90 * gas.wca_b2(1.0) / 1e8, rel=1e-3)
    ideal, virial = gas.reference_delta_f(10, 0.1, 5.0, 1.0)
    assert ideal == pytest.approx(10 * math.log(2)) and ideal < virial < ideal + 9 * 0.1 * gas.wca_b2(1.0)
    with pytest.raises(ConfigError, match="box"):
        gas.box_pair_excess(2, 1.0, 5.0, 1.0)


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
    i_formula = gas.box_pair_excess(2, lx, ly, kT) * (lx * ly) ** 2 / kT
    assert abs(i_formula - i_mc) < 4 * err, (i_formula, i_mc, err)
    assert abs(i_formula - 2 * gas.wca_b2(kT) * lx * ly) > 10 * err  # the walls matter at this size


def test_too_dense_to_place_is_a_config_error():
    with pytest.raises(ConfigError, match="gas_piston_density"):
        gas._place(50, 3.0, 3.0, np.random.default_rng(0))
