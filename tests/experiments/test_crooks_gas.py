"""The interacting-gas piston of ``crooks``: reproducibility, first law, the ideal-gas limit of Jarzynski."""

import functools
import math

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.experiments import _crooks_gas as gas
from neqlab.runner import Runner

KW = dict(length=5.0, kT=1.0, t_eq=2.0, resample=1.0)


def test_bitwise_same_for_one_and_two_workers():
    task = functools.partial(gas.gas_piston_task, n=8, density=0.2, t_drive=2.0, dt=0.004, forward=True,
                             stream=gas.STREAM_GAS, **KW)
    with Runner(workers=1, progress=False) as r1, Runner(workers=2, progress=False) as r2:
        a = r1.ensemble(task, 12, seed=3)
        b = r2.ensemble(task, 12, seed=3, chunk_size=5)
    assert np.array_equal(a["work"], b["work"]) and np.array_equal(a["energy_change"], b["energy_change"])
    assert np.all(a["work"] > 0)  # a compression does positive work on the gas on average and here always


@pytest.mark.parametrize("forward", [True, False])
def test_first_law_of_the_isolated_drive(forward):
    # The isolated gas gains exactly the piston's work, up to Verlet's error. Hard walls make that error
    # O(dt) per reflection during an interaction (docs/engine.md); measured at rho = 0.05, N = 16,
    # dt = 0.001 over 30 drives of 5 tau: max |W - dE| = 0.03 kT, mean 0.004 kT. Bound: 0.1 kT per drive.
    out = gas.gas_piston_task(np.arange(10), 0, n=16, density=0.05, t_drive=5.0, dt=0.001, forward=forward,
                              stream=gas.STREAM_GAS + (0 if forward else 1), **KW)
    err = np.abs(out["work"] - out["energy_change"])
    assert np.all(err < 0.1), err.max()
    assert np.all(np.abs(out["work"]) > 10 * err)  # the work itself is not small


def test_jarzynski_in_the_ideal_gas_limit():
    # N = 2 at rho = 0.002 (box 5 x 200): interactions shift dF by (N - 1) kT B2 rho = 0.003 kT, far below
    # the statistical error, so <exp(-W/kT)> = 2^-N = 0.25 (exact for the ideal gas at any piston speed).
    # 1500 compressions at piston speed 0.5: standard error 0.008 (measured 0.235 +- 0.008, z = 1.9; the next
    # 6000 replicas give 0.2502 +- 0.0041); tolerance |z| < 4.
    out = gas.gas_piston_task(np.arange(1500), 0, n=2, density=0.002, t_drive=5.0, dt=0.004, forward=True,
                              stream=gas.STREAM_GAS, **KW)
    e = np.exp(-out["work"])
    mean, err = e.mean(), e.std(ddof=1) / math.sqrt(e.size)
    assert abs(mean - 0.25) < 4 * err, (mean, err)
    assert out["work"].mean() > math.log(4.0)  # second law: <W> > dF


def test_wca_second_virial_and_reference():
    # 2D WCA at kT = 1: B2 = 1.62 sigma^2 (a hard disk of diameter 1 has pi/2 = 1.571; the soft core adds a
    # little, the WCA diameter at kT = 1 being ~1.02)
    assert 1.55 < gas.wca_b2(1.0) < 1.70
    # independent check: adaptive quadrature of (1/2) int (1 - e^{-u/kT}) 2 pi r dr to r_c;
    # the trapezoid on 20001 points must agree to 1e-6 relative
    from scipy.integrate import quad

    for kT in (0.5, 1.0, 2.0):
        def f(r, kT=kT):
            u = 4.0 * (r**-12 - r**-6) + 1.0
            return (1.0 - math.exp(-u / kT)) * math.pi * r if r > 0.3 else math.pi * r
        ref = quad(f, 0.0, 2.0 ** (1.0 / 6.0), points=[0.8, 1.0], limit=200, epsabs=1e-12)[0]
        assert gas.wca_b2(kT) == pytest.approx(ref, rel=1e-6)
    assert gas.wca_b2(0.5) > gas.wca_b2(2.0)  # softer at higher kT: smaller effective diameter
    ideal, virial = gas.reference_delta_f(10, 0.1, 1.0)
    assert ideal == pytest.approx(10 * math.log(2)) and virial == pytest.approx(ideal + 9 * 0.1 * gas.wca_b2(1.0))


def test_too_dense_to_place_is_a_config_error():
    with pytest.raises(ConfigError, match="gas_piston_density"):
        gas._place(50, 3.0, 3.0, np.random.default_rng(0))
