"""A helper worker steps aside while the machine is crowded (``sched.pace``): the clocks it
reads, the decision it takes, and the bits of a run whose helper shares its core."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from numba import njit

from neqlab.models.gas import Params, advance, lattice_gas
from neqlab.models.gas._kernels import sched
from neqlab.models.gas._kernels.sync import CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME, clock_ns

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the clocks are read on Linux only")


@njit(nogil=True)
def _clocks():
    return clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_THREAD_CPUTIME)


@njit(nogil=True)
def _pace(p):
    return sched.pace(p)


@njit(nogil=True)
def _spin(ns):
    t0 = clock_ns(CLOCK_MONOTONIC)
    x = 0.0
    while clock_ns(CLOCK_MONOTONIC) - t0 < ns:
        x += 1.0
    return x


@linux
def test_the_clocks_are_the_monotonic_clock_and_this_threads_cpu_time():
    w0, u0 = _clocks()
    assert abs(w0 - time.monotonic_ns()) < 50_000_000  # the same clock, read 50 ms apart at most
    time.sleep(0.05)  # sleeping: wall time passes, this thread's CPU time hardly
    w1, u1 = _clocks()
    assert w1 - w0 >= 50_000_000 and u1 - u0 < 20_000_000
    _spin(30_000_000)  # spinning 30 ms: both advance
    w2, u2 = _clocks()
    assert w2 - w1 >= 30_000_000 and u2 - u1 >= 10_000_000  # >= 1/3 of a core even on a busy machine


@linux
def test_pace_waits_for_a_whole_window_then_naps_only_when_crowded():
    w, u = _clocks()
    # (every window below is far from the threshold, so that a busy machine descheduling
    # this test between two clock readings cannot change the decision)
    p = np.array([w + 10**10, u, sched.PACE_NAP0_US], np.int64)
    assert not _pace(p) and p[2] == sched.PACE_NAP0_US  # the window has not passed: nothing happens
    # a window in which this thread had no CPU at all: it naps, and the next nap is twice as long
    p[:] = w - 10 * sched.PACE_WINDOW_NS, u, sched.PACE_NAP0_US
    t0 = time.monotonic()
    assert _pace(p)
    assert time.monotonic() - t0 >= 0.9 * sched.PACE_NAP0_US * 1e-6
    assert p[2] == 2 * sched.PACE_NAP0_US
    p[2] = sched.PACE_NAP_MAX_US // 2
    p[0] -= 10 * sched.PACE_WINDOW_NS
    assert _pace(p) and p[2] == sched.PACE_NAP_MAX_US  # doubled up to the cap
    p[0] -= 10 * sched.PACE_WINDOW_NS
    assert _pace(p) and p[2] == sched.PACE_NAP_MAX_US  # and no further
    # a window in which it had its core (its CPU time kept up with the wall clock): no nap, reset
    w, u = _clocks()
    p[:] = w - sched.PACE_WINDOW_NS, u - 100 * sched.PACE_WINDOW_NS, sched.PACE_NAP_MAX_US
    assert not _pace(p) and p[2] == sched.PACE_NAP0_US


def test_pace_does_nothing_without_clocks():
    p = np.array([-1, -1, sched.PACE_NAP0_US], np.int64)
    assert not _pace(p) and p[2] == sched.PACE_NAP0_US


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for two workers")
def test_two_threads_beside_a_busy_process_give_the_bits_of_one():
    # another process keeps a core busy: the helper steps aside (or not) at times no test
    # can fix, and the result must not notice
    s = lattice_gas(12000, 0.5, 1.0, 2, seed=5)
    want = advance(s, Params(threads=1), 300)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        got = advance(s, Params(threads=2), 300)
    finally:
        busy.kill()
        busy.wait()
    assert np.array_equal(got.positions, want.positions) and np.array_equal(got.velocities, want.velocities)
