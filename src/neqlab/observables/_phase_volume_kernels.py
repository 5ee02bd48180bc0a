"""Numba kernel of :func:`~neqlab.observables.phase_volume.knn_entropy`: k-th neighbour distances in 2D.

A k-d tree over the points (each node split at the middle of its tight box's wider side,
at the median when that leaves one side nearly empty; leaves of at most LEAF points) and
one bottom-up search per point, in tree order: its own leaf first (a close bound at
once), then the sibling subtree of each ancestor in turn, nearer child first, skipping
every node whose box is no closer than the current k-th distance, until the ball of that
distance lies inside the ancestor's box. Squared distances are dx*dx + dy*dy with the
minimum image dx -> dx -/+ period beyond half a period, in that order, exactly as scipy's
cKDTree computes them, so the distances are the same bits as
``cKDTree(x, boxsize=period).query(x, k + 1)[0][:, k]`` (tested against it). On a
periodic axis, boxes are pruned with a margin of 1e-12 periods, wider than the round-off
of a wrapped difference, so pruning never drops a neighbour.
No fastmath: the distances must match bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LEAF = 16  # points per leaf of the tree


@njit(cache=True, nogil=True)
def _select(key, other, idx, lo, hi, nth):
    """Reorder key[lo:hi] (other and idx alongside) so that key[nth] has the value it would
    have sorted, with no larger value before it and no smaller one after (quickselect)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        a, b, c = key[lo], key[mid], key[hi - 1]
        pivot = max(min(a, b), min(max(a, b), c))  # median of three
        i = lo
        j = hi - 1
        while i <= j:
            while key[i] < pivot:
                i += 1
            while key[j] > pivot:
                j -= 1
            if i <= j:
                key[i], key[j] = key[j], key[i]
                other[i], other[j] = other[j], other[i]
                idx[i], idx[j] = idx[j], idx[i]
                i += 1
                j -= 1
        if nth <= j:
            hi = j + 1
        elif nth >= i:
            lo = i
        else:
            return


@njit(cache=True, nogil=True)
def _partition(key, other, idx, lo, hi, split):
    """Reorder key[lo:hi] (other and idx alongside) so that the values below split come
    first; returns the index of the first value >= split."""
    i = lo
    j = hi - 1
    while True:
        while i <= j and key[i] < split:
            i += 1
        while i <= j and key[j] >= split:
            j -= 1
        if i >= j:
            return i
        key[i], key[j] = key[j], key[i]
        other[i], other[j] = other[j], other[i]
        idx[i], idx[j] = idx[j], idx[i]
        i += 1
        j -= 1


@njit(cache=True, nogil=True)
def _box_dist2(q0, q1, box, period, margin):
    """A lower bound of the squared distance from (q0, q1) to any point in box (x0, x1, y0, y1)."""
    s = 0.0
    for ax in range(2):
        q = q0 if ax == 0 else q1
        lo = box[2 * ax]
        hi = box[2 * ax + 1]
        t = 0.0
        if q < lo:
            t = lo - q
            if period > 0.0:
                t = min(t, q + period - hi)
        elif q > hi:
            t = q - hi
            if period > 0.0:
                t = min(t, lo + period - q)
        if period > 0.0:
            t = max(0.0, t - margin)
        s += t * t
    return s


@njit(cache=True, nogil=True)
def _holds_ball(q0, q1, box, margin, d2):
    """Every point outside box is further than sqrt(d2) from (q0, q1) (in computed squared
    distances; the margin covers the round-off of a wrapped difference)."""
    e = min(min(q0 - box[0], box[1] - q0), min(q1 - box[2], box[3] - q1)) - margin
    return e > 0.0 and e * e > d2


@njit(cache=True, nogil=True)
def _scan(xs, ys, start, end, q0, q1, period, half, best):
    """Insert the squared distances from (q0, q1) to points start:end into best (ascending)."""
    kk = best.size
    for j in range(start, end):
        dx = xs[j] - q0
        dy = ys[j] - q1
        if period > 0.0:
            if dx < -half:
                dx = period + dx
            elif dx > half:
                dx = dx - period
            if dy < -half:
                dy = period + dy
            elif dy > half:
                dy = dy - period
        d2 = 0.0
        d2 += dx * dx
        d2 += dy * dy
        if d2 < best[kk - 1]:
            i = kk - 1
            while i > 0 and best[i - 1] > d2:
                best[i] = best[i - 1]
                i -= 1
            best[i] = d2


@njit(cache=True, nogil=True)
def kth_neighbour_distances(x, kk, period, out):
    """out[i] = distance from x[i] to its kk-th nearest point, itself included (so kk - 1
    other points are closer or as close); x (n, 2) float64, period <= 0 for the plane."""
    n = x.shape[0]
    perm = np.arange(n)  # tree order -> input order
    xs = np.ascontiguousarray(x[:, 0])  # coordinates in tree order (permuted with perm)
    ys = np.ascontiguousarray(x[:, 1])
    # a node of more than LEAF points splits into children of at least c_min points (a
    # split leaving fewer than 1/8 on one side is redone at the median): at most
    # n // c_min + 1 leaves, twice that many nodes (no bounds checks here: this must hold)
    c_min = max(1, (LEAF + 8) // 8)
    max_nodes = 2 * (n // c_min) + 3
    start = np.empty(max_nodes, np.int64)
    end = np.empty(max_nodes, np.int64)
    child = np.full(max_nodes, -1, np.int64)  # left child; the right one is child + 1
    parent = np.full(max_nodes, -1, np.int64)
    box = np.empty((max_nodes, 4))
    leaf_of = np.empty(n, np.int64)
    stack = np.empty(max_nodes, np.int64)
    n_nodes = 1
    start[0] = 0
    end[0] = n
    top = 0
    stack[0] = 0
    while top >= 0:
        node = stack[top]
        top -= 1
        s, e = start[node], end[node]
        x0 = x1 = xs[s]
        y0 = y1 = ys[s]
        for j in range(s + 1, e):
            x0 = min(x0, xs[j])
            x1 = max(x1, xs[j])
            y0 = min(y0, ys[j])
            y1 = max(y1, ys[j])
        box[node, 0] = x0
        box[node, 1] = x1
        box[node, 2] = y0
        box[node, 3] = y1
        if e - s <= LEAF or (x1 == x0 and y1 == y0):
            for j in range(s, e):
                leaf_of[j] = node
            continue
        # split at the middle of the box's wider side (cheap, and it follows filaments);
        # at the median if that leaves a side nearly empty (a clump at one end)
        wide_x = x1 - x0 >= y1 - y0
        if wide_x:
            mid = _partition(xs, ys, perm, s, e, 0.5 * (x0 + x1))
        else:
            mid = _partition(ys, xs, perm, s, e, 0.5 * (y0 + y1))
        if 8 * min(mid - s, e - mid) < e - s:
            mid = (s + e) // 2
            if wide_x:
                _select(xs, ys, perm, s, e, mid)
            else:
                _select(ys, xs, perm, s, e, mid)
        c = n_nodes
        n_nodes += 2
        child[node] = c
        parent[c] = node
        parent[c + 1] = node
        start[c], end[c] = s, mid
        start[c + 1], end[c + 1] = mid, e
        stack[top + 1] = c
        stack[top + 2] = c + 1
        top += 2
    half = 0.5 * period
    margin = 1e-12 * period
    best = np.empty(kk)
    for j in range(n):
        q0 = xs[j]
        q1 = ys[j]
        best[:] = np.inf
        node = leaf_of[j]
        _scan(xs, ys, start[node], end[node], q0, q1, period, half, best)
        # up from the own leaf: search each sibling subtree, until the ball of the current
        # k-th distance lies inside the node's box (every closer point is then in it)
        while node != 0 and not _holds_ball(q0, q1, box[node], margin, best[kk - 1]):
            up = parent[node]
            sib = child[up] + 1 if child[up] == node else child[up]
            top = 0
            stack[0] = sib
            while top >= 0:
                nd = stack[top]
                top -= 1
                if _box_dist2(q0, q1, box[nd], period, margin) >= best[kk - 1]:
                    continue
                c = child[nd]
                if c < 0:
                    _scan(xs, ys, start[nd], end[nd], q0, q1, period, half, best)
                    continue
                d_left = _box_dist2(q0, q1, box[c], period, margin)
                d_right = _box_dist2(q0, q1, box[c + 1], period, margin)
                if d_left <= d_right:  # nearer child on top of the stack
                    stack[top + 1] = c + 1
                    stack[top + 2] = c
                else:
                    stack[top + 1] = c
                    stack[top + 2] = c + 1
                top += 2
            node = up
        out[perm[j]] = math.sqrt(best[kk - 1])
    return 0
