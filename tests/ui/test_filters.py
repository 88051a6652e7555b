"""Numbers, dates and Japanese data in both languages (core/templatetags/chiiki_ui.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from chiiki.core.templatetags.chiiki_ui import number, when


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load chiiki_ui %}" + source).render(context)


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (1234567, None, "1,234,567"),
        (20000, None, "20,000"),
        (999, None, "999"),
        (-1234, None, "-1,234"),
        (1234.5, None, "1,234.5"),
        (Decimal("1234.50"), None, "1,234.5"),
        (1234.0, None, "1,234"),
        (1234.56, 1, "1,234.6"),
        (0.05, 1, "0.1"),  # half up, not banker's rounding
        (-0.04, 1, "0.0"),  # never "-0.0"
        (12.3, 0, "12"),
        (1234567.891, 2, "1,234,567.89"),
        (None, None, ""),
        ("", None, ""),
        ("n/a", None, "n/a"),
    ],
)
def test_numbers_get_thousands_separators(value: object, digits: int | None, text: str) -> None:
    assert number(value, digits) == text


def test_the_number_filter_in_a_template() -> None:
    assert render("{{ n|number }} / {{ x|number:2 }}", n=20000, x=3.14159) == "20,000 / 3.14"


DAY = dt.date(2026, 12, 4)
# 04:53 UTC is 13:53 in Japan (TIME_ZONE Asia/Tokyo): the filter shows local time.
MOMENT = dt.datetime(2026, 12, 4, 4, 53, 7, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "options", "ja", "en"),
    [
        (DAY, "", "2026年12月4日", "4 December 2026"),
        (MOMENT, "", "2026年12月4日", "4 December 2026"),
        (MOMENT, "time", "2026年12月4日 13:53", "4 December 2026, 13:53"),
        (DAY, "wareki", "令和8年(2026年)12月4日", "4 December 2026"),
        (dt.date(2019, 5, 1), "wareki", "令和元年(2019年)5月1日", "1 May 2019"),
        (dt.date(1989, 1, 7), "wareki", "昭和64年(1989年)1月7日", "7 January 1989"),
        (MOMENT, "wareki time", "令和8年(2026年)12月4日 13:53", "4 December 2026, 13:53"),
        (DAY, "month", "2026年12月", "December 2026"),
        (MOMENT, "short", "12月4日 13:53", "4 Dec 13:53"),
        (MOMENT, "iso", "2026-12-04 13:53:07", "2026-12-04 13:53:07"),
        (DAY, "iso", "2026-12-04", "2026-12-04"),
        (None, "", "", ""),
    ],
)
def test_dates_read_the_same_on_every_page_of_a_language(
    value: object, options: str, ja: str, en: str
) -> None:
    with translation.override("ja"):
        assert when(value, options) == ja
    with translation.override("en"):
        assert when(value, options) == en


def test_english_times_never_end_in_a_double_period() -> None:
    source = "<p>{% load i18n %}Received at {{ at|when:'time' }}.</p>"
    for hour in range(24):
        at = dt.datetime(2026, 12, 4, hour, 53, tzinfo=dt.UTC)
        with translation.override("en"):
            html = render(source, at=at)
        assert ".." not in html
        assert "a.m" not in html
        assert "p.m" not in html


def test_japanese_data_is_marked_lang_ja_on_english_pages_only() -> None:
    source = "<td>{{ name|ja }}</td><td{% lang_ja %}>{{ name }}</td>"
    with translation.override("en"):
        assert render(source, name="緑川 <花子>") == (
            '<td><span lang="ja">緑川 &lt;花子&gt;</span></td><td lang="ja">緑川 &lt;花子&gt;</td>'
        )
    with translation.override("ja"):
        assert render(source, name="緑川 <花子>") == "<td>緑川 &lt;花子&gt;</td><td>緑川 &lt;花子&gt;</td>"
    with translation.override("en"):
        assert render("{{ name|ja }}", name=None) == ""
