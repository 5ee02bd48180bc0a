"""Datasets on disk (netCDF), provenance, exports."""
