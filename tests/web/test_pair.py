"""Side by side: two gases on one clock, reversed at the same macroscopic stage."""

import math

import numpy as np
import pytest

from neqlab.core.errors import ConfigError
from neqlab.observables.entropy import half_fraction
from neqlab.testing.validation import out_of_range_values
from neqlab.web import pair as pair_mod
from neqlab.web.gas import parse_records
from neqlab.web.pair import PRESETS, PairConfig, PairSession

SMALL = {"n_small": 100, "n_large": 400, "precision": "exact", "steps_per_frame": 20}


def _frames_until_both_back(p: PairSession, limit: int = 5000) -> list[list[dict]]:
    out = []
    p.start()
    for _ in range(limit):
        if not p.running:
            break
        p.advance()
        out.append(parse_records(p.frame()))
    assert not p.running, "the pair did not finish"
    return out


def test_armed_gases_reverse_when_f_left_first_drops_to_the_stage():
    p = PairSession(PairConfig(**SMALL, stage="f_left", reverse_at=0.85))
    frames = _frames_until_both_back(p)
    for panel in (0, 1):
        recs = [f[panel] for f in frames]
        k = next(i for i, r in enumerate(recs) if r["since"] >= 0)  # the frame of the reversal
        assert recs[k]["since"] == 0.0 and recs[k]["f_left"] <= 0.85
        assert all(r["f_left"] > 0.85 for r in recs[:k])  # not reached before
        assert recs[-1]["status"] == "returned" and recs[-1]["return_error"] == 0.0  # exact
    t_r = [next(f[i]["t"] for f in frames if f[i]["since"] >= 0) for i in (0, 1)]
    assert t_r[1] > t_r[0]  # the bigger box reaches the stage later


def test_t_over_l_stage_lands_on_the_step():
    p = PairSession(PairConfig(**SMALL, stage="t_over_l", reverse_at=0.1))
    _frames_until_both_back(p)
    for g in p.gases:
        assert g.reversed_step == math.ceil(0.1 * float(g.state.box[0]) / 0.002 - 1e-9)


def test_button_reverses_the_leader_now_and_the_other_at_its_stage_value():
    p = PairSession(PairConfig(**SMALL, reverse_at=0.0))
    p.start()
    while half_fraction(p.gases[0].state.positions, p.gases[0].state.box) > 0.9:
        p.advance()
    stage = half_fraction(p.gases[0].state.positions, p.gases[0].state.box)
    p.reverse()
    small, large = p.gases
    assert small.is_reversed and not large.is_reversed and large.armed and p.target == stage
    while not large.is_reversed:
        before = half_fraction(large.state.positions, large.state.box)
        assert before > stage
        p.advance()
    assert half_fraction(large.state.positions, large.state.box) <= stage
    with pytest.raises(ConfigError, match="^reverse is allowed once per run"):
        p.reverse()


def test_button_again_reverses_the_waiting_gas_now():
    p = PairSession(PairConfig(**SMALL, reverse_at=0.5))  # both armed at f_L <= 0.5
    p.start()
    while half_fraction(p.gases[0].state.positions, p.gases[0].state.box) > 0.95:
        p.advance()
    p.reverse()  # before the preset stage: the leader (the small box) now, the other at its f_L
    small, large = p.gases
    assert small.is_reversed and not large.is_reversed and large.armed
    p.reverse()
    assert large.is_reversed and large.reversed_step == small.reversed_step  # now, not at the stage


def test_concurrent_advance_gives_the_same_bits():
    out = []
    for concurrent in (False, True):
        old = pair_mod.CONCURRENT
        pair_mod.CONCURRENT = concurrent
        try:
            p = PairSession(PairConfig(**{**SMALL, "precision": "f64"}, reverse_at=0.9))
            p.start()
            for _ in range(60):
                p.advance()
            out.append(p.frame())
        finally:
            pair_mod.CONCURRENT = old
    assert out[0] == out[1]


def test_one_lambda_for_both_and_two_records_per_frame():
    p = PairSession(PairConfig(**SMALL))
    p.lyapunov = 2.5
    assert [g.lyapunov for g in p.gases] == [2.5, 2.5]
    recs = parse_records(p.frame())
    assert [r["n"] for r in recs] == [100, 400] and [r["panel"] for r in recs] == [0, 1]
    info = p.info()
    assert info["mode"] == "pair" and len(info["gases"]) == 2 and set(info["presets"]) == set(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_valid_configs(name):
    c = PairConfig.from_mapping(PRESETS[name])
    assert c.reverse_at > 0 and (c.stage != "f_left" or c.reverse_at < 1)


def test_pair_config_cross_checks():
    with pytest.raises(ConfigError, match=r"^reverse_at must be a number in \[0, 1\) with stage 'f_left', got 1.5$"):
        PairConfig(stage="f_left", reverse_at=1.5)
    with pytest.raises(ConfigError, match=r"^n_large must be an integer in \[n_small = 2500, 20000\], got 1000$"):
        PairConfig(n_large=1000)


@pytest.mark.parametrize("field, bad", out_of_range_values(PairConfig))
def test_pair_config_rejects_out_of_range(field, bad):
    for value in bad:
        with pytest.raises(ConfigError, match=rf"^{field} must be"):
            PairConfig(**{field: value})


def test_defaults_are_the_essay_sizes():
    c = PairConfig()
    assert (c.n_small, c.n_large, c.density) == (2500, 20000, 0.3)
    assert np.isclose(PRESETS["early"]["reverse_at"], 0.85)
