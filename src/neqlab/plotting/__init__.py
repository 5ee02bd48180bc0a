"""Shared figure helpers (no pyplot global state: safe in threads and servers).

Figures are drawn at the size they are shown: :data:`WIDTH` inches at :data:`DPI` is the
report's column (1000 px), so a figure is never shrunk until its legends cannot be read.
Panels go in at most two columns; axis labels carry units in mathtext
(:func:`axis_label`); panel letters sit outside the axes, above their top-left corner;
legends go where they cover no data (:func:`legend`), which :func:`layout_problems`
checks.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from neqlab.core import units as U

WIDTH = 10.0  # [inch] the report's column at DPI
DPI = 100
PANEL_HEIGHT = 3.4  # [inch] one row of panels


def new_figure(n_rows: int = 1, n_cols: int = 1, *, width: float | None = None, height: float | None = None, **kw):
    """A Figure with an (n_rows, n_cols) grid of axes, constrained layout.

    ``width`` and ``height`` are per panel [inch]; by default the figure is :data:`WIDTH`
    wide and :data:`PANEL_HEIGHT` per row.
    """
    w = WIDTH if width is None else width * n_cols
    h = PANEL_HEIGHT * n_rows if height is None else height * n_rows
    fig = Figure(figsize=(w, h), layout="constrained", dpi=DPI)
    axes = fig.subplots(n_rows, n_cols, squeeze=False, **kw)
    return fig, axes


def panel_label(ax, text: str) -> None:
    """The panel's letter, bold, outside the axes above their top-left corner (never on a curve)."""
    ax.set_title(text, loc="left", fontweight="bold", fontsize="large")


def axis_label(name: str, units: str = "1") -> str:
    """``name [unit]`` with the unit in mathtext (``tau^-1`` -> τ⁻¹); bare name if dimensionless."""
    return U.label(name, units)


def legend(ax, *, outside: bool = False, **kw):
    """A legend that covers no data: inside at the emptiest place, or below the axes if ``outside``."""
    kw.setdefault("fontsize", "small")
    kw.setdefault("framealpha", 0.9)
    if outside:
        kw.setdefault("loc", "upper center")
        kw.setdefault("bbox_to_anchor", (0.5, -0.22))
        kw.setdefault("ncol", 2)
    return ax.legend(**kw)


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = DPI) -> bytes:
    """Render a figure to bytes in ``fmt`` (png, svg or pdf)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    return buf.getvalue()


def layout_problems(fig: Figure) -> list[str]:
    """What a reader could not read: overlapping tick labels, legends over data or ticks.

    Draws the figure and compares bounding boxes in display coordinates.
    """
    from neqlab.plotting.layout import problems

    return problems(fig)
