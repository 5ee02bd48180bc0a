"""Exactly solvable toy models of §2.2: the Ehrenfest urn and the Kac ring."""

from neqlab.models.toy.ehrenfest import ehrenfest_n_left, ehrenfest_return_times
from neqlab.models.toy.kac import KacRing

__all__ = ["ehrenfest_n_left", "ehrenfest_return_times", "KacRing"]
