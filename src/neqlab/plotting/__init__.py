"""Shared figure helpers (no pyplot global state: safe in threads and servers)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def new_figure(n_rows: int = 1, n_cols: int = 1, *, width: float = 4.0, height: float = 3.2, **kw):
    """A Figure with an (n_rows, n_cols) grid of axes, constrained layout."""
    fig = Figure(figsize=(width * n_cols, height * n_rows), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False, **kw)
    return fig, axes


def panel_label(ax, text: str) -> None:
    ax.text(0.02, 0.97, text, transform=ax.transAxes, va="top", ha="left", fontweight="bold")


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    """Render a figure to bytes in ``fmt`` (png, svg or pdf)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    return buf.getvalue()
