import string

import pytest

from neqlab.core.errors import ConfigError
from neqlab.core.i18n import LANGS, catalogue, resolve_lang, text


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_key_exists_in_every_language_with_the_same_fields():
    cats = {lang: catalogue(lang) for lang in LANGS}
    keys = set(cats["en"])
    for lang, cat in cats.items():
        assert set(cat) == keys, f"{lang}: missing {sorted(keys - set(cat))[:5]}, extra {sorted(set(cat) - keys)[:5]}"
    for key in keys:
        assert len({frozenset(_fields(cats[lang][key])) for lang in LANGS}) == 1, f"fields differ for {key}"


def test_japanese_texts_are_japanese():
    ja = catalogue("ja")
    kana = lambda s: any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731
    long_en = [k for k, v in ja.items() if len(v) > 30 and not kana(v)]
    assert not long_en, f"untranslated: {long_en[:5]}"


@pytest.mark.parametrize("env, expected", [({"LANG": "ja_JP.UTF-8"}, "ja"), ({"LANG": "en_US.UTF-8"}, "en"),
                                           ({}, "en"), ({"NEQLAB_LANG": "ja", "LANG": "C"}, "ja"),
                                           ({"LC_ALL": "C.UTF-8", "LANG": "ja_JP"}, "en")])
def test_language_from_the_locale(env, expected):
    assert resolve_lang(None, environ=env) == expected


def test_bad_language_is_a_one_line_error():
    with pytest.raises(ConfigError, match=r"^lang must be one of en, ja, got 'fr'$"):
        resolve_lang("fr")


def test_fields_are_filled():
    assert "N = 7" in text("macrostates.check.recurrence_time", "en", n=7)
