import pytest
from hypothesis import given
from hypothesis import strategies as st

from neqlab.core import units as U
from neqlab.core.errors import ConfigError

SYMS = [s for s in U.SYMBOLS if s != "1"]


@given(st.dictionaries(st.sampled_from(SYMS), st.integers(-4, 4).filter(bool), min_size=1, max_size=4))
def test_parse_round_trips_any_product_of_powers(powers):
    text = " ".join(f"{s}^{p}" if p != 1 else s for s, p in powers.items())
    assert U.parse(text) == powers
    assert U.pretty(text) and U.mathtext(text).startswith("$")


@pytest.mark.parametrize("bad", ["", "sigma sigma", "sigma^0", "metre", "-dim ln(sigma/tau)", "1 sigma", "k_B^x"])
def test_unparseable_units_are_rejected(bad):
    with pytest.raises(ConfigError, match="^units must"):
        U.parse(bad)


def test_dimensionless_and_pretty_forms():
    assert U.parse("1") == {} and U.pretty("1") == "" and U.label("ratio", "1") == "ratio"
    assert U.pretty("epsilon tau^-1") == "ε·τ⁻¹" and U.pretty("step", "ja") == "ステップ"
