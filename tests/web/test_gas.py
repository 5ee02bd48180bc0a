"""One live gas: the film, the return error, the status, the entropies and the binary record."""

import math

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.observables.hydro import hydro_entropy
from neqlab.web.gas import (BACK, ENTROPY_EVERY, ENTROPY_FRESH, ERROR_FRESH, REVERSED, GasSpec, LiveGas,
                            hydro_cells, parse_records)
from neqlab.web.session import Session, SessionConfig


def _run(gas: LiveGas, t_reverse: float, steps: int = 100, **kick) -> list[dict]:
    """Forward until t_reverse [tau], reverse, back to the start; the records of every frame."""
    gas.start()
    out = []
    while gas.index * gas.spec.dt < t_reverse - 1e-9:
        gas.advance(steps)
        out += parse_records(gas.record())
    gas.reverse(**kick)
    out += parse_records(gas.record())  # the server sends a frame after every command
    while gas.running:
        gas.advance(steps)
        out += parse_records(gas.record())
    return out


def _gas(n=400, precision="f64", seed=0):
    return LiveGas(GasSpec(n, 0.3, precision, "free_expansion", seed, 0.002))


def test_exact_returns_bit_for_bit_with_zero_error_at_every_backward_time():
    g = _gas(precision="exact")
    x0 = g.state.positions.copy()
    recs = _run(g, 6.0, steps=70)  # 70 steps per frame: the film stops at its marks in between
    errs = [r["return_error"] for r in recs if r["flags"] & ERROR_FRESH]
    assert len(errs) >= 40 and all(e == 0.0 for e in errs)  # a point on (almost) every one of the 43 frames back
    last = recs[-1]
    assert last["status"] == "returned" and last["flags"] & BACK and last["return_error"] == 0.0
    assert last["return_error_s"] == pytest.approx(43 * 70 * 0.002) and last["film_t"] == 0.0  # 43 frames of 70 steps
    assert np.array_equal(g.state.positions, x0)


def test_f64_reversed_late_does_not_return():
    # N = 400, lambda ~ 2.8 / tau (measured by the page): lambda t_r ~ 56 >> ln(sigma/eps) = 36.7
    recs = _run(_gas(), 20.0, steps=200)
    last = recs[-1]
    assert last["status"] == "did not return" and last["return_error"] > 0.1
    statuses = [r["status"] for r in recs]
    assert statuses.index("reversed") < statuses.index("did not return")
    assert set(statuses[: statuses.index("reversed")]) == {"running"}


def test_f64_reversed_early_returns():
    # t_r = 2 tau: the round-off of positions O(L) = 36 sigma, ~4e-15 sigma, grows by e^(lambda t_r) ~ e^6
    # to ~1e-12 sigma; 1e-8 leaves a margin of e^9 for a lambda up to 7 / tau.
    last = _run(_gas(), 2.0)[-1]
    assert last["status"] == "returned" and 0.0 < last["return_error"] < 1e-8


def test_return_error_grows_in_the_backward_run():
    recs = _run(_gas(), 12.0, steps=50)
    pts = [(r["return_error_s"], r["return_error"]) for r in recs if r["flags"] & ERROR_FRESH]
    s, e = np.array(pts).T
    assert np.all(np.diff(s) > 0) and s[-1] == pytest.approx(12.0)
    # chaos: the error at the end is many orders of magnitude above the first points
    assert e[-1] > 1e6 * e[: len(e) // 10].max()


def test_kick_one_particle_starts_the_error_at_eps_over_sqrt_n():
    g = _gas(precision="exact")
    recs = _run(g, 1.0, eps=1e-3, kick="one")
    first = next(r for r in recs if r["flags"] & ERROR_FRESH)
    assert first["return_error_s"] == 0.0
    # one particle moved by eps (to a lattice point: within 2^-32 sigma per axis)
    assert abs(first["return_error"] - 1e-3 / math.sqrt(400)) < 2 * 2.0**-32
    assert recs[-1]["status"] in ("returned", "did not return") and recs[-1]["return_error"] > 0


def test_kick_all_has_rms_displacement_eps():
    g = _gas(n=1000)
    recs = _run(g, 0.2, eps=1e-2, kick="all")
    first = next(r for r in recs if r["flags"] & ERROR_FRESH)
    # mean of |d|^2 over N: eps^2 chi^2_2 / 2, relative sd 1/sqrt(N) of the mean square,
    # 1/(2 sqrt(N)) of the rms; |z| < 4
    assert abs(first["return_error"] / 1e-2 - 1.0) < 4 * 0.5 / math.sqrt(1000)


def test_reverse_only_once_and_not_before_the_start():
    g = _gas(n=100)
    with pytest.raises(ConfigError, match="^reverse needs a forward run first"):
        g.reverse()
    g.start()
    g.advance(10)
    g.reverse()
    with pytest.raises(ConfigError, match="^reverse is allowed once per run"):
        g.reverse()
    with pytest.raises(ConfigError, match="^kick must be one of all, one, got 'some'"):
        _started(_gas(n=100)).reverse(1e-3, "some")


def _started(g):
    g.start()
    g.advance(10)
    return g


def test_entropies_on_their_cadence_and_equal_to_the_observable():
    g = _gas()
    recs = [parse_records(g.record())[0]]
    g.start()
    for _ in range(2 * ENTROPY_EVERY - 1):  # records 2 .. 2 EVERY: fresh on EVERY and 2 EVERY
        g.advance(10)
        recs.append(parse_records(g.record())[0])
    fresh = [bool(r["flags"] & ENTROPY_FRESH) for r in recs]
    assert fresh[0] and fresh[-1] and sum(fresh) == 3
    assert all(math.isnan(r["s_hydro"]) for r, f in zip(recs, fresh) if not f)
    h = hydro_entropy(g.state.positions, g.state.velocities, g.state.box, hydro_cells(400))
    assert recs[-1]["s_hydro"] == h.per_particle and recs[-1]["s_hydro_err"] == h.per_particle_err


def test_hydro_cells_hold_about_forty_particles():
    assert hydro_cells(2500) == 8 and hydro_cells(20000) == 22 and hydro_cells(16) == 1


def test_records_parse_back_and_stay_aligned():
    recs = parse_records(_gas(n=401).record() + _gas(n=402, seed=1).record())
    assert [r["n"] for r in recs] == [401, 402]
    assert recs[0]["status"] == "running" and not recs[0]["flags"] & REVERSED and math.isnan(recs[0]["return_error"])
    assert recs[1]["xy"].shape == (804,) and recs[1]["xy"].max() > 0


def test_same_config_same_bits():
    a, b = (Session(SessionConfig(n_particles=200, precision="f32", steps_per_frame=25)) for _ in range(2))
    for s in (a, b):
        s.start()
        for _ in range(20):
            s.advance()
        s.reverse()
        for _ in range(5):
            s.advance()
    assert a.frame() == b.frame()
