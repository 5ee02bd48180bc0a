"""The live page's texts: the ``web`` namespace of the message catalogues, per language.

The page asks for them once (``GET /api/strings?lang=ja``) and fills every element that
carries a ``data-i18n`` key; scripts look texts up by key. The keys are those of
``src/neqlab/locale/<lang>/web.toml`` without the ``web.`` prefix.

>>> page_strings("ja")["strings"]["tab.live"]
'気体の実験'
"""

from __future__ import annotations

from neqlab.core.errors import ConfigError
from neqlab.core.i18n import DEFAULT_LANG, LANGS, catalogue

NAMESPACE = "web."


def check_lang(lang: str | None) -> str:
    """``lang`` if it is one of :data:`~neqlab.core.i18n.LANGS`; the default (English) if None.

    The browser chooses (``?lang=`` or ``navigator.language``), so the server's own locale
    does not enter."""
    if lang is None or lang == "":
        return DEFAULT_LANG
    if lang not in LANGS:
        raise ConfigError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def page_strings(lang: str | None) -> dict:
    """``{"lang": lang, "strings": {key: text}}`` for the page, in ``lang``."""
    lang = check_lang(lang)
    cat = catalogue(lang)
    return {"lang": lang, "strings": {k[len(NAMESPACE):]: v for k, v in cat.items() if k.startswith(NAMESPACE)}}
