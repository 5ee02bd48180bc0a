import numpy as np
import pytest

from neqlab.core.errors import NeqlabError
from neqlab.io.schema import Schema, Var

S = Schema("demo", coords={"t": Var(("t",), "tau", "time")},
           data_vars={"e": Var(("t",), "epsilon", "energy"), "ok": Var(("t",), "1", "flag", "bool"),
                      "opt": Var(("t",), "1", "sometimes", optional=True)},
           attrs={"rate": Var((), "tau^-1", "rate")})


def test_assemble_writes_units_and_long_names():
    ds = S.assemble({"e": [1.0, 2.0], "ok": [True, False]}, coords={"t": [0.0, 1.0]}, attrs={"rate": 1.5})
    assert ds["e"].attrs == {"units": "epsilon", "long_name": "energy"}
    assert ds["t"].attrs["units"] == "tau" and ds.attrs["rate"] == 1.5
    assert S.problems(ds, stamped=False) == []


def test_assemble_refuses_undeclared_missing_and_misshaped():
    with pytest.raises(NeqlabError, match="undeclared"):
        S.assemble({"e": [1.0], "ok": [True], "x": [1]}, coords={"t": [0.0]}, attrs={"rate": 1})
    with pytest.raises(NeqlabError, match="missing"):
        S.assemble({"e": [1.0]}, coords={"t": [0.0]}, attrs={"rate": 1})
    with pytest.raises(NeqlabError, match="kind float"):
        S.assemble({"e": np.array(["a"]), "ok": [True]}, coords={"t": [0.0]}, attrs={"rate": 1})


def test_problems_of_a_foreign_dataset():
    ds = S.assemble({"e": [1.0], "ok": [True]}, coords={"t": [0.0]}, attrs={"rate": 1})
    bad = ds.drop_vars("e")
    bad["ok"].attrs["units"] = "furlong"
    probs = S.problems(bad)
    assert "missing data var 'e'" in probs and any("units" in p for p in probs)
    assert "missing attr 'experiment'" in probs
    assert any("at most" in p for p in S.problems(ds, stamped=False, max_elements=0))


def test_declarations_are_checked():
    with pytest.raises(Exception):
        Var(("t",), "sigma/tau", "bad unit syntax")
    with pytest.raises(NeqlabError):
        Schema("x", coords={"t": Var(("s",), "1", "wrong dim")})
