import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neqlab.core.errors import NeqlabError
from neqlab.experiments._base import (Z_MAX, Bound, Check, SubClaim, Verdict, fmt_measure, rule)


def test_the_one_rule():
    assert rule([True, True]) is True
    assert rule([True, None]) is None
    assert rule([None, False, True]) is False
    assert rule([]) is None


@given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e3), st.floats(-1e6, 1e6))
def test_equal_bound_is_a_z_test(m, e, v):
    assert Bound.equal(v).test(m, e) == (abs(m - v) / e < Z_MAX)


@pytest.mark.parametrize("bound, m, expected", [
    (Bound.below(4.0), 3.99, True), (Bound.below(4.0), 4.0, False), (Bound.below(4.0, strict=False), 4.0, True),
    (Bound.above(0.9), 0.9, True), (Bound.above(0.9, strict=True), 0.9, False),
    (Bound.within(1.0, 2.0), 2.0, True), (Bound.within(1.0, 2.0), 2.01, False),
    (Bound.exact(1.0), 1.0, True), (Bound.exact(1.0), 0.9999, False),
    (Bound.below(4.0), math.nan, None), (Bound.equal(1.0), 1.0, None),  # no error: cannot judge
])
def test_bounds(bound, m, expected):
    assert bound.test(m, None) is expected


def test_bound_texts():
    assert Bound.below(4).text() == "< 4" and Bound.above(0.9).text() == "≥ 0.9"
    assert Bound.equal(0.5).text() == "= 0.5 (|z| < 4)" and Bound.within(0.9, 1.1).text() == "∈ [0.9, 1.1]"
    assert Bound.below(0.1).text("sigma") == "< 0.1 σ"


def test_verdict_holds_only_if_every_subclaim_holds():
    ok = Check("a", "a", 1.0, 0.1, Bound.equal(1.0))
    bad = Check("b", "b", 2.0, 0.1, Bound.equal(1.0))
    unknown = Check("c", "c", None, None, Bound.below(1.0), note="not reached")
    assert Verdict.from_checks("x", "claim", [ok]).holds is True
    v = Verdict.from_checks("x", "claim", subclaims=[SubClaim("s1", "one", [ok]), SubClaim("s2", "two", [bad])])
    assert v.holds is False and [s.holds for s in v.subclaims] == [True, False]
    assert Verdict.from_checks("x", "claim", [ok, unknown]).holds is None
    with pytest.raises(NeqlabError):
        Verdict.from_checks("x", "claim")


def test_checks_reject_unparseable_units_and_format_values():
    with pytest.raises(Exception):
        Check("a", "a", 1.0, 0.1, Bound.equal(1.0), unit="-dim ln(sigma/tau)")
    assert fmt_measure(0.99712, 0.00143) == "0.9971 ± 0.0014"
    assert fmt_measure(2.5, 0.12, "tau^-1") == "2.50 ± 0.12 1/τ"
    assert fmt_measure(None) == "n/a"
