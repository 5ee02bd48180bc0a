import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neqlab.core.rng import Stream, replica_keys
from neqlab.models.toy import KacRing, ehrenfest_n_left, ehrenfest_return_times


def _kac_numpy(sign, n_steps):
    """Naive twin: move balls (np.roll) and flip at marked edges."""
    n = sign.size
    colour_at_site = np.ones(n, np.int8)
    out = []
    for _ in range(n_steps):
        colour_at_site = np.roll(colour_at_site * sign, 1)  # ball on site i crosses edge i to i+1
        out.append(colour_at_site.sum() / n)
    return np.array(out)


@given(st.integers(2, 60), st.floats(0, 1), st.integers(0, 2**32), st.integers(0, 150))
@settings(max_examples=40, deadline=None)
def test_kac_matches_naive_and_reverses_exactly(n, mu, key, steps):
    ring = KacRing.random(key, n, mu)
    d = ring.advance(steps)
    assert np.array_equal(d, _kac_numpy(ring.sign, steps))
    back = ring.advance(steps, backward=True)
    assert ring.time == 0 and (ring.colour == 1).all()
    if steps > 1:
        assert np.array_equal(back[:-1], d[::-1][1:])  # the backward film is the forward one reversed


@given(st.integers(2, 80), st.floats(0, 1), st.integers(0, 2**32))
@settings(max_examples=30, deadline=None)
def test_kac_exact_period(n, mu, key):
    ring = KacRing.random(key, n, mu)
    d = ring.advance(2 * n)
    assert d[ring.period - 1] == 1.0
    if ring.period == 2 * n:
        assert d[n - 1] == -1.0


@given(st.integers(1, 40), st.integers(0, 200))
@settings(max_examples=30, deadline=None)
def test_ehrenfest_moves_by_one_and_stays_in_range(N, steps):
    p = ehrenfest_n_left(replica_keys(1, [0, 1, 2], Stream.TESTING), n_particles=N, n_start=N, n_steps=steps)
    assert p.shape == (3, steps + 1)
    assert (np.abs(np.diff(p, axis=1)) == 1).all()
    assert p.min() >= 0 and p.max() <= N


def test_ehrenfest_mean_return_time_is_2_to_the_N():
    # Kac's lemma: E[T] = 1/pi(all left) = 2^N. N = 8, 4000 replicas: the std of T is
    # about 2^N, so the mean has error ~ 256/sqrt(4000) ~ 4; |z| < 4.
    T = ehrenfest_return_times(replica_keys(11, np.arange(4000), Stream.TESTING), n_particles=8, n_start=8, max_steps=10**6)
    assert (T > 0).all()
    z = (T.mean() - 256) / (T.std(ddof=1) / np.sqrt(T.size))
    assert abs(z) < 4
