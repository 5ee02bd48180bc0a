"""Fixtures of the gas engine's tests."""

from __future__ import annotations

import pytest

from neqlab.models.gas import _workers


@pytest.fixture
def tiny_pair_buffer(monkeypatch):
    """Pair buffers far too small (40 pairs per slab), so that every run must grow them;
    yields the list of capacities allocated (the first allocation included)."""
    calls = []
    real = _workers.Buffers.grow

    def spy(self, cap):
        calls.append(cap)
        real(self, cap)

    monkeypatch.setattr(_workers, "pair_capacity", lambda *a: 40)
    monkeypatch.setattr(_workers.Buffers, "grow", spy)
    _workers._geometry_cached.cache_clear()
    yield calls
    _workers._geometry_cached.cache_clear()
