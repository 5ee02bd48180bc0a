"""The essay report: every experiment at one scale, judged, in one offline page."""

from neqlab.report.essay import run_essay

__all__ = ["run_essay"]
