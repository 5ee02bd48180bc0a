"""Checks of a drawn figure's layout: what overlaps what (display coordinates).

* tick labels of one axis must not overlap each other, nor those of another axes;
* a legend must not cover a plotted point (line vertices, scatter offsets, bar tops)
  of its axes, nor a tick label, nor another legend;
* a panel title or letter must not overlap another axes' tick labels or titles.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.patches import Rectangle


def _visible_ticklabels(axis) -> list:
    """Tick labels that are drawn: visible, non-empty, at a tick inside the view interval."""
    lo, hi = sorted(axis.get_view_interval())
    eps = 1e-9 * max(1.0, abs(lo), abs(hi))
    out = []
    for loc, lab in zip(axis.get_ticklocs(), axis.get_ticklabels()):
        if lab.get_visible() and lab.get_text() and lo - eps <= loc <= hi + eps:
            out.append(lab)
    return out


def _overlap(a, b, pad: float = 0.0) -> bool:
    return not (a.x1 <= b.x0 + pad or b.x1 <= a.x0 + pad or a.y1 <= b.y0 + pad or b.y1 <= a.y0 + pad)


def _densify(p: np.ndarray, step: float = 4.0) -> np.ndarray:
    """Points along a polyline in display coordinates, at most ``step`` pixels apart."""
    if len(p) < 2:
        return p
    seg = np.diff(p, axis=0)
    n = np.maximum(1, np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step)).astype(int)
    n = np.where(np.all(np.isfinite(seg), axis=1), np.minimum(n, 2000), 1)
    out = [p[:1]]
    for a, d, k in zip(p[:-1], seg, n):
        out.append(a + d * (np.arange(1, k + 1)[:, None] / k))
    return np.concatenate(out)


def _data_points(ax) -> np.ndarray:
    """Display coordinates of what is drawn in ``ax``: lines (densified), markers, bar tops."""
    pts = []
    for line in ax.get_lines():
        xy = line.get_xydata()
        if not line.get_visible() or not len(xy) or line.get_transform() != ax.transData:
            continue  # axhline/axvline are guides drawn in axes coordinates, not data
        p = line.get_transform().transform(xy)
        if line.get_linestyle() not in ("None", "none", ""):
            pts.append(_densify(p))
        elif line.get_marker() not in (None, "None", "none", ""):
            pts.append(p)
    for coll in ax.collections:
        if isinstance(coll, Collection) and coll.get_visible():
            offs = coll.get_offsets()
            if len(offs):
                pts.append(coll.get_offset_transform().transform(offs))
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_visible() and patch.get_height() != 0:
            x, y = patch.get_x() + 0.5 * patch.get_width(), patch.get_y() + patch.get_height()
            pts.append(patch.get_transform().transform([[x, y]]))
    if not pts:
        return np.empty((0, 2))
    p = np.concatenate(pts)
    return p[np.all(np.isfinite(p), axis=1)]


def problems(fig) -> list[str]:
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    out: list[str] = []
    axes = [ax for ax in fig.axes if ax.get_visible()]
    ticks: dict[int, list] = {}
    for i, ax in enumerate(axes):
        name = ax.get_title(loc="left") or f"axes {i}"
        labs = []
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            boxes = [(lab.get_text(), lab.get_window_extent(r)) for lab in _visible_ticklabels(axis)]
            for j in range(len(boxes)):
                for k in range(j + 1, len(boxes)):
                    if _overlap(boxes[j][1], boxes[k][1]):
                        out.append(f"panel {name}: {which} tick labels {boxes[j][0]!r} and {boxes[k][0]!r} overlap")
            labs.extend(boxes)
        ticks[i] = labs
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            lb = leg.get_window_extent(r)
            pts = _data_points(ax)
            ab = ax.get_window_extent(r)  # what lies outside the axes is clipped, not drawn
            pts = pts[(pts[:, 0] >= ab.x0) & (pts[:, 0] <= ab.x1) & (pts[:, 1] >= ab.y0) & (pts[:, 1] <= ab.y1)]
            inside = (pts[:, 0] > lb.x0) & (pts[:, 0] < lb.x1) & (pts[:, 1] > lb.y0) & (pts[:, 1] < lb.y1) if len(pts) else []
            n_in = int(np.sum(inside))
            if n_in:
                out.append(f"panel {name}: the legend covers {n_in} plotted point(s)")
            for text_, box in labs:
                if _overlap(lb, box):
                    out.append(f"panel {name}: the legend overlaps the tick label {text_!r}")
    for i in range(len(axes)):
        for j in range(i + 1, len(axes)):
            for ta, ba in ticks[i]:
                for tb, bb in ticks[j]:
                    if _overlap(ba, bb):
                        out.append(f"tick labels of two panels overlap: {ta!r} and {tb!r}")
    legends = [(i, ax.get_legend().get_window_extent(r)) for i, ax in enumerate(axes) if ax.get_legend() is not None]
    for a in range(len(legends)):
        for b in range(a + 1, len(legends)):
            if _overlap(legends[a][1], legends[b][1]):
                out.append(f"legends of panels {legends[a][0]} and {legends[b][0]} overlap")
    return out
