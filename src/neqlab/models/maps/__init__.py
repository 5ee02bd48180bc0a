"""Area-preserving maps and a dissipative contrast (cat, baker, standard, Henon)."""

from neqlab.models.maps.maps import MAPS, BakerMap, CatMap, HenonMap, StandardMap, dyadic, make_map

__all__ = ["MAPS", "BakerMap", "CatMap", "HenonMap", "StandardMap", "dyadic", "make_map"]
