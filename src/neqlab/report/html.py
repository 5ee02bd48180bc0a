"""The report page: one self-contained HTML file (figures inlined as base64, no network)."""

from __future__ import annotations

import base64
import html
import math

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .lead{color:#555;margin-top:0}
section{border-top:1px solid #ddd;padding:1em 0}
.badge{display:inline-block;padding:.15em .6em;border-radius:1em;font-weight:600;font-size:.9em;color:#fff}
.holds{background:#2e7d32}.does-not-hold{background:#c62828}.inconclusive{background:#8d6e63}
.section{color:#666;font-size:.9em} img{max-width:100%;border:1px solid #eee}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0} td,th{padding:.2em .8em;border-bottom:1px solid #eee;text-align:left}
td.num{font-family:ui-monospace,monospace;text-align:right} .cond{color:#444;font-size:.9em}
nav a{margin-right:1em}
"""


def _fmt(x) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return f"{x:.6g}"
    return str(x)


def _badge(holds) -> str:
    text = {True: "holds", False: "does not hold", None: "inconclusive"}[holds]
    return f'<span class="badge {text.replace(" ", "-")}">{text}</span>'


def render_index(summary: dict, figures: dict[str, bytes]) -> str:
    """HTML for ``summary`` (as written to summary.json) with the PNG bytes of each figure."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>neqlab: the essay, claim by claim</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>neqlab: the essay, claim by claim</h1>",
        f"<p class='lead'>neqlab {html.escape(summary['version'])}, scale <b>{html.escape(summary['scale'])}</b>. "
        "Each claim of the essay is an experiment; the verdict is computed from the saved data "
        "against exact or reference values with stated tolerances.</p><nav>",
    ]
    for c in summary["claims"]:
        parts.append(f"<a href='#{html.escape(c['experiment'])}'>{html.escape(c['experiment'])}</a>")
    parts.append("</nav>")
    for c in summary["claims"]:
        name = c["experiment"]
        img = base64.b64encode(figures.get(name, b"")).decode()
        rows = []
        if "checks" in c:  # TRANSITIONAL: check records (converted experiments)
            for ch in c["checks"]:
                rows.append(
                    f"<tr><td>{html.escape(ch['label'])}</td><td class='num'>{_fmt(ch['measured'])}</td>"
                    f"<td class='num'>{html.escape(str(ch['bound']))}</td></tr>"
                )
        else:
            keys = list(dict.fromkeys(list(c["measured"]) + list(c["expected"])))
            for k in keys:
                rows.append(
                    f"<tr><td>{html.escape(k)}</td><td class='num'>{_fmt(c['measured'].get(k))}</td>"
                    f"<td class='num'>{_fmt(c['expected'].get(k))}</td></tr>"
                )
        parts.append(
            f"<section id='{html.escape(name)}'><div class='section'>{html.escape(c.get('section', ''))}</div>"
            f"<h2>{html.escape(name)} {_badge(c['holds'])}</h2>"
            f"<p><b>Claim.</b> {html.escape(c['claim'])}</p>"
            f"<img alt='figure of {html.escape(name)}' src='data:image/png;base64,{img}'>"
            "<table><tr><th>quantity</th><th>measured</th><th>expected / bound</th></tr>"
            + "".join(rows)
            + f"</table><p class='cond'><b>Conditions.</b> {html.escape(c['conditions'])}</p>"
            f"<p class='cond'>Data: <code>{html.escape(c['data'])}</code> · figure: <code>{html.escape(c['figure'])}</code></p>"
            "</section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
