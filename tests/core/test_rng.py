import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from neqlab.core.errors import ConfigError
from neqlab.core.rng import Stream, check_seed, replica_keys, replica_rng, uniform01


@njit(cache=True)
def _draw(key, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform01(key, i)
    return out


@given(st.integers(0, 2**63 - 1), st.integers(0, 10**6))
@settings(max_examples=30, deadline=None)
def test_replica_key_depends_only_on_seed_and_id(seed, i):
    alone = replica_keys(seed, [i], Stream.TESTING)[0]
    among = replica_keys(seed, np.arange(max(0, i - 2), i + 1), Stream.TESTING)[-1]
    assert alone == among


def test_spawn_key_is_replica_then_stream():
    ss = np.random.SeedSequence(5, spawn_key=(3, int(Stream.EHRENFEST)))
    assert np.array_equal(replica_rng(5, 3, Stream.EHRENFEST).integers(0, 2**62, 8),
                          np.random.Generator(np.random.PCG64(ss)).integers(0, 2**62, 8))


def test_streams_are_unique_and_sub_streams_cannot_collide():
    values = [int(s) for s in Stream]
    assert len(values) == len(set(values)) and min(values) > 0
    # a family of 10^4 sub-streams of one stream never meets another stream's keys
    keys = {int(replica_keys(0, [0], Stream.CROOKS_SWEEP, sub=j)[0]) for j in range(10_000)}
    keys |= {int(replica_keys(0, [0], s)[0]) for s in Stream}
    assert len(keys) == 10_000 + len(Stream)
    assert int(replica_keys(0, [0], (Stream.CROOKS_SWEEP, 3))[0]) == int(replica_keys(0, [0], Stream.CROOKS_SWEEP, sub=3)[0])


@pytest.mark.parametrize("bad", [7, "EHRENFEST", (Stream.EHRENFEST,), (Stream.EHRENFEST, -1)])
def test_a_stream_must_be_named(bad):
    with pytest.raises(ConfigError, match="^(stream|sub) must be"):
        replica_keys(0, [0], bad)


def test_uniform_stream_is_uniform():
    # Kolmogorov-Smirnov on 2e5 draws; critical value at alpha = 1e-4 is 1.95/sqrt(n)
    u = _draw(np.uint64(replica_keys(0, [0], Stream.TESTING)[0]), 200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    s = np.sort(u)
    d = np.max(np.abs(s - np.arange(1, s.size + 1) / s.size))
    assert d < 1.95 / np.sqrt(s.size)
    # lag-1 correlation of a good stream: |r| < 4 / sqrt(n)
    r = np.corrcoef(u[:-1], u[1:])[0, 1]
    assert abs(r) < 4 / np.sqrt(u.size)


@pytest.mark.parametrize("bad", [-1, 2**63, 1.5, "3", True])
def test_bad_seed(bad):
    with pytest.raises(ConfigError, match="seed must be an integer"):
        check_seed(bad)


def test_check_seed_refuses_huge_integers_in_one_line():
    """A seed of 5000 digits gets the range error (Python cannot even print it in full)."""
    import pytest

    from neqlab.core.errors import ConfigError
    from neqlab.core.rng import check_seed

    for bad in (10**5000, -(10**400), 2**63):
        with pytest.raises(ConfigError, match=r"^seed must be an integer in \[0, 9223372036854775807\], got -?[0-9]"):
            check_seed(bad)
