"""The report page: one self-contained HTML file per language (figures inlined, no network).

:func:`render_index` writes the whole page from the summary entries (the verdict
records of :mod:`neqlab.experiments._base` as dicts, plus figure, data and config);
:func:`render_claim` is one claim's section, also used by the live page's "Saved
results" tab. Every text comes from the message catalogues (``report.*``, ``common.*``).
"""

from __future__ import annotations

import base64
import html
import json

from neqlab.core.i18n import text
from neqlab.experiments._base import Bound, badge, fmt_measure

CSS = """
:root{--ok:#2e7d32;--bad:#c62828;--unk:#8d6e63;--ink:#222;--mute:#5f6368}
body{font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif;
 max-width:1040px;margin:1.5em auto;padding:0 20px;color:var(--ink);line-height:1.6}
h1{font-size:1.7em;margin:.2em 0} h2{font-size:1.35em;margin:.3em 0} h3{font-size:1.05em;margin:1em 0 .3em}
.meta{color:var(--mute);font-size:.9em} .lang{float:right;font-size:.95em}
.intro p{max-width:52em}
nav ol{padding-left:1.2em} nav li{margin:.2em 0}
section.claim{border-top:2px solid #ddd;margin-top:2em;padding-top:1em}
.sec{color:var(--mute);font-size:.95em}
.claimtext{font-size:1.05em;background:#f6f7f9;border-left:4px solid #90a4ae;padding:.5em .8em;max-width:52em}
.badge{display:inline-block;padding:.1em .65em;border-radius:1em;font-weight:600;font-size:.85em;color:#fff;
 vertical-align:middle;white-space:nowrap}
.holds{background:var(--ok)}.does-not-hold{background:var(--bad)}.inconclusive{background:var(--unk)}
.overall{margin:.6em 0} .overall .meaning{display:block;color:var(--mute);font-size:.85em;max-width:52em}
figure{margin:1em 0} figure img{width:100%;max-width:1000px;height:auto;border:1px solid #eee}
figcaption{font-size:.92em;color:#333;max-width:60em} figcaption b{margin-right:.3em}
.story p{max-width:52em} .story h3{color:#37474f}
.sub{margin:1em 0 1.4em} .sub .note{color:var(--mute);font-size:.88em;max-width:52em;margin:.2em 0}
table{border-collapse:collapse;font-size:.9em;margin:.4em 0;width:100%}
th,td{padding:.3em .6em;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
th{background:#fafafa;font-weight:600}
td.num{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;white-space:nowrap}
td.res{white-space:nowrap;font-weight:600} .pass{color:var(--ok)} .fail{color:var(--bad)} .unknown{color:var(--unk)}
td .why{display:block;color:var(--mute);font-size:.85em;font-weight:normal;white-space:normal}
details summary{cursor:pointer;color:#1a5fb4} .cond{color:#444;font-size:.92em;max-width:60em}
.files a{margin-right:1.2em} code{font-size:.9em} footer{margin:3em 0 1em;color:var(--mute);font-size:.85em}
"""
COLLAPSE_ABOVE = 8  # a sub-claim with more checks than this shows them behind a click


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def badge_html(holds, lang: str) -> str:
    cls = {True: "holds", False: "does-not-hold", None: "inconclusive"}[holds]
    return f'<span class="badge {cls}">{_e(badge(holds, lang))}</span>'


def _bound_text(b: dict, unit: str, lang: str) -> str:
    kind = b["kind"]
    if kind == "within":
        bound = Bound.within(b["lo"], b["hi"])
    elif kind == "equal":
        bound = Bound("equal", value=b["value"], z_max=b.get("z_max"))
    else:
        bound = Bound(kind, value=b["value"], strict=b.get("strict", False))
    return bound.text(unit, lang)


def _check_row(c: dict, lang: str) -> str:
    if c["measured"] is None:
        measured = f"{text('common.not_measured', lang)}"
        if c.get("note"):
            measured += f"<span class='why'>{_e(c['note'])}</span>"
    else:
        measured = _e(fmt_measure(c["measured"], c["error"], c["unit"], lang))
    key = {True: "pass", False: "fail", None: "unknown"}[c["passed"]]
    mark = {"pass": "✓", "fail": "✗", "unknown": "?"}[key]
    return (f"<tr data-check='{_e(c['name'])}'><td>{_e(c['label'])}</td><td class='num'>{measured}</td>"
            f"<td class='num'>{_e(_bound_text(c['bound'], c['unit'], lang))}</td>"
            f"<td class='res {key}'>{mark} {_e(text('common.mark.' + key, lang))}</td></tr>")


def _checks_table(checks: list[dict], lang: str) -> str:
    t = lambda k, **kw: text(f"report.{k}", lang, **kw)  # noqa: E731
    head = (f"<table class='checks'><thead><tr><th>{_e(t('col_quantity'))}</th><th>{_e(t('col_measured'))}</th>"
            f"<th>{_e(t('col_bound'))}</th><th>{_e(t('col_result'))}</th></tr></thead><tbody>")
    body = "".join(_check_row(c, lang) for c in checks)
    table = head + body + "</tbody></table>"
    if len(checks) > COLLAPSE_ABOVE and all(c["passed"] for c in checks):
        return f"<details><summary>{_e(t('show_checks', n=len(checks)))}</summary>{table}</details>"
    return table


def _subclaim(s: dict, lang: str, only: bool) -> str:
    head = "" if only else f"<h3>{badge_html(s['holds'], lang)} {_e(s['claim'])}</h3>"
    note = f"<p class='note'>{_e(s['note'])}</p>" if s.get("note") else ""
    return f"<div class='sub' data-subclaim='{_e(s['name'])}'>{head}{note}{_checks_table(s['checks'], lang)}</div>"


def _measurements(ms: list[dict], lang: str) -> str:
    if not ms:
        return ""
    rows = "".join(f"<tr><td>{_e(m['label'])}</td><td class='num'>{_e(fmt_measure(m['value'], m['error'], m['unit'], lang))}</td></tr>"
                   for m in ms)
    return (f"<h3>{_e(text('report.measurements', lang))}</h3><table class='measurements'><tbody>{rows}</tbody></table>")


def _config(cfg: dict, lang: str) -> str:
    rows = "".join(f"<tr><td><code>{_e(k)}</code></td><td class='num'>{_e(json.dumps(v))}</td></tr>"
                   for k, v in cfg.items())
    return f"<details class='config'><summary>{_e(text('report.config', lang))}</summary><table>{rows}</table></details>"


def render_claim(c: dict, lang: str, *, number: int, figure_src: str, links: bool = True) -> str:
    """One claim's section: claim, overall badge, figure with caption, story, sub-claims, checks."""
    t = lambda k, **kw: text(f"report.{k}", lang, **kw)  # noqa: E731
    name = c["experiment"]
    narrative = list(c.get("narrative") or [])
    what, see, why = (narrative + ["", "", ""])[:3]
    why_more = narrative[3:]
    subs = c.get("subclaims", [])
    title = text(f"{name}.title", lang)
    out = [f"<section class='claim' id='{_e(name)}' data-experiment='{_e(name)}'>",
           f"<div class='sec'>{_e(c.get('section', ''))}</div>",
           f"<h2>{_e(title)} {badge_html(c['holds'], lang)}</h2>",
           f"<p class='claimtext'>{_e(c['claim'])}</p>",
           f"<p class='overall'><b>{_e(t('overall'))}:</b> {badge_html(c['holds'], lang)}"
           f"<span class='meaning'>{_e(t('overall_meaning'))}</span></p>"]
    caption = f"<b>{_e(t('figure', n=number))}.</b> {_e(see)}"
    out.append(f"<figure><img alt='{_e(t('figure', n=number))}: {_e(title)}' src='{figure_src}'>"
               f"<figcaption>{caption}</figcaption></figure>")
    story = [f"<h3>{_e(t('what'))}</h3><p>{_e(what)}</p>"] if what else []
    if why:
        story.append(f"<h3>{_e(t('why'))}</h3><p>{_e(why)}</p>" + "".join(f"<p>{_e(p)}</p>" for p in why_more))
    out.append(f"<div class='story'>{''.join(story)}</div>")
    out.append(f"<h3>{_e(t('subclaims') if len(subs) > 1 else t('checks'))}</h3>")
    out.extend(_subclaim(s, lang, only=len(subs) == 1) for s in subs)
    out.append(_measurements(c.get("measurements", []), lang))
    out.append(f"<p class='cond'><b>{_e(t('conditions'))}.</b> {_e(c['conditions'])}</p>")
    if links:
        out.append(f"<p class='files'><a href='{_e(c['data'])}'>{_e(t('data_link'))}: {_e(c['data'])}</a>"
                   f"<a href='{_e(c['figure'])}'>{_e(t('figure_link'))}: {_e(c['figure'])}</a></p>")
    if c.get("config"):
        out.append(_config(c["config"], lang))
    out.append("</section>")
    return "\n".join(out)


def render_index(summary: dict, figures: dict[str, bytes], lang: str, *, other_href: str | None = None) -> str:
    """The whole report in ``lang`` for ``summary`` (claims in that language) and the PNG bytes."""
    t = lambda k, **kw: text(f"report.{k}", lang, **kw)  # noqa: E731
    parts = [
        f"<!doctype html><html lang='{_e(lang)}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(t('title'))}</title><style>{CSS}</style></head><body>",
    ]
    if other_href:
        parts.append(f"<a class='lang' href='{_e(other_href)}' hreflang='{'en' if lang == 'ja' else 'ja'}'>"
                     f"{_e(t('other_lang'))}</a>")
    parts.append(f"<h1>{_e(t('title'))}</h1>")
    parts.append(f"<p class='meta'>{_e(t('generated', version=summary['version'], scale=summary['scale'], date=summary.get('date', '')))}</p>")
    parts.append("<div class='intro'>" + "".join(f"<p>{_e(text(f'report.intro.{k}', lang))}</p>" for k in ("p1", "p2", "p3")) + "</div>")
    parts.append(f"<nav><h2>{_e(t('contents'))}</h2><ol>")
    for c in summary["claims"]:
        parts.append(f"<li><a href='#{_e(c['experiment'])}'>{_e(c.get('section', ''))}</a> — "
                     f"{_e(text(c['experiment'] + '.title', lang))} "
                     f"{badge_html(c['holds'], lang)}</li>")
    parts.append("</ol></nav>")
    for n, c in enumerate(summary["claims"], start=1):
        img = base64.b64encode(figures.get(c["experiment"], b"")).decode()
        parts.append(render_claim(c, lang, number=n, figure_src=f"data:image/png;base64,{img}"))
    parts.append(f"<footer>{_e(t('footer'))}</footer></body></html>")
    return "\n".join(parts)


__all__ = ["CSS", "badge_html", "render_claim", "render_index"]
