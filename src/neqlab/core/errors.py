"""Exceptions of neqlab.

Every error a user can cause is a :class:`ConfigError` with a one-line message that
names the parameter, the allowed range or choices, and the given value. Errors during a
run (an unstable integration, say) are :class:`SimulationError` and carry a remedy.
"""

from __future__ import annotations


class NeqlabError(Exception):
    """Base class of every error raised on purpose by neqlab."""


class ConfigError(NeqlabError, ValueError):
    """Bad input: names the parameter, the allowed range or choices, and the value.

    >>> str(ConfigError("n_particles must be an integer in [2, 10000000], got 0"))
    'n_particles must be an integer in [2, 10000000], got 0'
    """


class SimulationError(NeqlabError, RuntimeError):
    """A run failed (blow-up, overflow); the message says what to change."""
