"""Texts a reader sees, in English and Japanese: one message catalogue per language.

The catalogues are plain TOML files shipped with the package,
``neqlab/locale/<lang>/<namespace>.toml``; a key is ``<namespace>.<dotted.path>``, e.g.
``macrostates.check.kac_recurrence`` or ``report.badge.holds``. A value is a
:meth:`str.format` template whose fields are filled by :func:`text`. Every key exists in
every language (a test checks it), so a text is never shown in one language only.

>>> text("common.badge.holds", "ja")
'成り立つ'
>>> resolve_lang(None, environ={"LANG": "ja_JP.UTF-8"})
'ja'
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from neqlab.core.errors import ConfigError, NeqlabError

LANGS = ("en", "ja")
DEFAULT_LANG = "en"


def resolve_lang(lang: str | None, *, environ: Mapping[str, str] | None = None) -> str:
    """``lang`` if given (``en`` or ``ja``), else Japanese when the locale is Japanese, else English."""
    if lang is not None:
        if lang not in LANGS:
            raise ConfigError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
        return lang
    env = os.environ if environ is None else environ
    for var in ("NEQLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else DEFAULT_LANG
    return DEFAULT_LANG


def _flatten(prefix: str, table: Mapping, out: dict[str, str]) -> None:
    for k, v in table.items():
        key = f"{prefix}.{k}"
        if isinstance(v, Mapping):
            _flatten(key, v, out)
        elif isinstance(v, str):
            out[key] = v
        else:
            raise NeqlabError(f"message catalogue value must be a string, got {type(v).__name__} at {key}")


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> dict[str, str]:
    """Every message of ``lang``: ``{"namespace.dotted.key": template}``."""
    lang = resolve_lang(lang)
    out: dict[str, str] = {}
    root = resources.files("neqlab") / "locale" / lang
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            _flatten(entry.name[:-5], tomllib.loads(entry.read_text(encoding="utf-8")), out)
    return out


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    """True if ``key`` is in the catalogue of ``lang``."""
    return key in catalogue(lang)


def text(key: str, lang: str = DEFAULT_LANG, /, **fields) -> str:
    """The message ``key`` in ``lang`` with ``fields`` filled in (``str.format`` syntax)."""
    try:
        template = catalogue(lang)[key]
    except KeyError:
        raise NeqlabError(f"message {key!r} is missing from the {lang!r} catalogue") from None
    if not fields:
        return template
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise NeqlabError(f"message {key!r} ({lang}) cannot be filled: {exc!r}") from None
