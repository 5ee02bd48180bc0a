"""The kick-drift of walled gases: its written-out 2D loop gives the generic loop's bits."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.models.gas._kernels.verlet import _kick_drift


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**31), periodic=st.tuples(st.booleans(), st.booleans()),
       piston=st.booleans(), thermal=st.booleans(), speed=st.sampled_from([0.5, 5.0, 50.0]),
       first=st.booleans())
def test_unrolled_2d_loop_equals_the_generic_loop(n, seed, periodic, piston, thermal, speed, first):
    rng = np.random.default_rng(seed)
    box = rng.uniform(2.0, 8.0, 2)
    x = rng.uniform(0.0, 1.0, (n, 2)) * box
    x[: n // 3] = np.where(rng.random((n // 3, 2)) < 0.5, 0.01, 0.99) * box  # some at the walls
    v = rng.normal(0.0, speed, (n, 2))  # fast ones cross a wall within the step
    f = rng.normal(0.0, 10.0, (n, 2))
    x0 = x + rng.normal(0.0, 0.05, (n, 2))
    ids = rng.permutation(n).astype(np.int64)
    bath = np.array([1.3]) if thermal else np.empty(0)
    dt = 0.004
    c = 0.5 * dt if first else dt
    hi0 = box[0] * (0.97 if piston else 1.0)
    u0 = -0.8 if piston else 0.0
    per = np.array(periodic, dtype=np.bool_)
    out = []
    for unrolled in (True, False):
        xs, vs, fs = x.copy(), v.copy(), f.copy()
        res = _kick_drift(xs, vs, fs, x0, box, per, dt, c, hi0, u0, piston, ids, bath, np.uint64(seed), np.int64(7),
                          unrolled)
        out.append((np.array(res), xs, vs, fs))
    for a, b in zip(out[0], out[1]):
        assert np.array_equal(a.view(np.int64), b.view(np.int64))  # bit for bit, NaN included
