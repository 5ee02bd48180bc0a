"""The machine a benchmark ran on (ratios carry across machines, absolute times do not).

Not a benchmark (``run_all.py`` runs ``bench_*.py`` only); the scripts import it as a
sibling module, like ``from bench_md import lammps_command``.
"""

from __future__ import annotations

import os
import re
import subprocess


def cpu_model() -> str:
    """The CPU model as ``lscpu`` names it ("unknown" without lscpu)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    m = re.search(r"^Model name:\s*(.+)$", out, re.MULTILINE)
    return m.group(1).strip() if m else "unknown"


def machine() -> str:
    """CPU model, widest SIMD (AVX-512, AVX2), logical CPUs and the 1-minute load average."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    flags = (re.search(r"^Flags:\s*(.+)$", out, re.MULTILINE) or [None, ""])[1].split()
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2" if flags else "?"
    return f"{cpu_model()} ({simd}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})"
