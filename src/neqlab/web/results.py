"""The "Saved results" tab: the essay report's per-claim view, in the page's language.

Each claim of ``summary.<lang>.json`` (written by ``neqlab essay`` beside
``summary.json``) is rendered by :func:`neqlab.report.html.render_claim`, the same
section the report shows (badges, sub-claims, checks table, captioned figure), with the
figure served from ``/results/figures/NAME.png``. Without a summary in that language the
tab falls back to ``summary.json`` and says so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from neqlab.core.errors import NeqlabError
from neqlab.core.i18n import LANGS
from neqlab.report.html import render_claim
from neqlab.web.texts import check_lang


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # as the server's figure route


def _figure_src(name) -> str:
    return f"/results/figures/{name}.png" if isinstance(name, str) and _NAME.match(name) else ""


def claims(results_dir: Path, lang: str | None) -> dict:
    """``{"lang", "source", "summary_lang", "version", "scale", "date", "html"}`` for the tab.

    ``source`` is the file read (``summary.<lang>.json``, else ``summary.json``);
    ``summary_lang`` the language of its texts (``lang`` unless the fallback is in another).
    Raises NeqlabError when there is no summary or it cannot be rendered.
    """
    lang = check_lang(lang)
    for name in (f"summary.{lang}.json", "summary.json"):
        path = Path(results_dir) / name
        if path.is_file():
            break
    else:
        raise NeqlabError(f"no summary.{lang}.json or summary.json in the results directory")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary_lang = summary.get("lang", "en") if name == "summary.json" else lang
        text_lang = summary_lang if summary_lang in LANGS else "en"
        parts = [render_claim(c, lang, number=i, figure_src=_figure_src(c["experiment"]), links=False)
                 for i, c in enumerate(summary.get("claims", []), start=1)]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise NeqlabError(f"{name} cannot be shown: {type(exc).__name__} {exc}") from None
    return {"lang": lang, "source": name, "summary_lang": text_lang, "version": summary.get("version", ""),
            "scale": summary.get("scale", ""), "date": summary.get("date", ""), "html": "\n".join(parts)}
