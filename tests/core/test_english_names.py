"""Prefectures and municipalities have romanized names, and English pages show them (issue 12)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from chiiki.core.acting import Actor
from chiiki.core.actions import load_municipalities
from chiiki.core.models import Municipality
from chiiki.jp import find_municipality
from chiiki.jp import load_municipalities as shipped


@pytest.mark.parametrize(
    ("code", "prefecture_en", "name_en"),
    [
        ("130001", "Tokyo", "Tokyo"),
        ("010006", "Hokkaido", "Hokkaido"),
        ("270008", "Osaka", "Osaka Prefecture"),
        ("340006", "Hiroshima", "Hiroshima Prefecture"),
        ("341011", "Hiroshima", "Naka Ward, Hiroshima City"),
        ("343021", "Hiroshima", "Fuchu Town"),
        ("131016", "Tokyo", "Chiyoda City"),
        ("352021", "Yamaguchi", "Ube City"),
        ("272272", "Osaka", "Higashiosaka City"),
    ],
)
def test_shipped_list_has_romanized_names(code: str, prefecture_en: str, name_en: str) -> None:
    record = find_municipality(code)
    assert record is not None
    assert (record.prefecture_en, record.name_en) == (prefecture_en, name_en)


def test_every_shipped_row_has_an_english_name_in_plain_letters() -> None:
    for record in shipped():
        for english in (record.name_en, record.prefecture_en):
            assert english, record.code
            assert english.isascii(), record.code


def _render(municipality: Municipality, language: str) -> str:
    with translation.override(language):
        return Template("{% load chiiki_ui %}{{ town|place }}").render(Context({"town": municipality}))


@pytest.mark.django_db
def test_loaded_municipalities_are_named_in_the_page_language() -> None:
    load_municipalities(by=Actor.system("test"))
    fuchu = Municipality.objects.get(code="343021")
    assert _render(fuchu, "ja") == "広島県府中町"
    assert _render(fuchu, "en") == 'Fuchu Town, Hiroshima (<span lang="ja">広島県府中町</span>)'
    prefecture = Municipality.objects.get(code="340006")
    assert _render(prefecture, "en") == 'Hiroshima Prefecture (<span lang="ja">広島県</span>)'


@pytest.mark.django_db
def test_a_municipality_without_an_english_name_keeps_its_japanese_one_marked(town_a: Municipality) -> None:
    town_a.name_en = ""
    assert _render(town_a, "en") == f'<span lang="ja">{town_a.display_name}</span>'
