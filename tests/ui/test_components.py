"""The page components: tables, pagination, notices, summary lists and the header (templates/ui/, base.html)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.utils import translation
from tests.ui.html import parse

import chiiki

SRC = Path(chiiki.__file__).parent


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load i18n chiiki_ui %}" + source).render(context)


def test_a_data_table_scrolls_in_a_region_named_by_its_caption() -> None:
    html = render(
        "{% table_region %}<table><caption>地区別の世帯数</caption><thead><tr><th scope='col'>地区</th>"
        "<th scope='col' class='number'>世帯</th></tr></thead><tbody><tr><th scope='row'>本町</th>"
        "<td class='number'>{{ n|number }}</td></tr></tbody></table>{% endtable_region %}"
        "{% table_region cards %}<table><caption id='mine'>担当世帯</caption><tbody><tr>"
        "<td data-label='住所'>本町1</td></tr></tbody></table>{% endtable_region %}",
        n=12345,
    )
    tree = parse(html)
    first, second = tree.find_all("div", class_="table-scroll")
    assert first.attrs["role"] == "region"
    assert first.attrs["tabindex"] == "0"
    caption = first.find("caption")
    assert caption.text == "地区別の世帯数"
    assert first.attrs["aria-labelledby"] == caption.attrs["id"]
    assert first.find("td", class_="number").text == "12,345"
    assert "table-scroll--cards" in second.attrs["class"]
    assert second.attrs["aria-labelledby"] == "mine"


def test_two_tables_on_a_page_get_different_caption_ids() -> None:
    html = render(
        "{% for i in '12' %}{% table_region %}<table><caption>表</caption></table>{% endtable_region %}{% endfor %}"
    )
    ids = [c.attrs["id"] for c in parse(html).find_all("caption")]
    assert len(set(ids)) == 2


def test_pagination_says_where_the_reader_is_with_thousands_separators() -> None:
    page = Paginator(range(12345), 20).page(3)
    request = RequestFactory().get("/households/?district=07&page=3")
    with translation.override("ja"):
        html = get_template("ui/pagination.html").render({"page": page}, request)
    tree = parse(html)
    nav = tree.find("nav", class_="pagination")
    assert "3 / 618 ページ" in nav.text
    assert "41〜60 件目 / 全 12,345 件" in nav.text
    assert tree.find("a", rel="next").attrs["href"] == "?district=07&page=4"  # the filters are kept
    with translation.override("en"):
        assert "41–60 of 12,345" in get_template("ui/pagination.html").render({"page": page}, request)


def test_a_notice_is_announced_and_an_error_notice_at_once() -> None:
    tree = parse(
        get_template("ui/notice.html").render({"kind": "error", "title": "送れません", "message": "x"})
    )
    box = tree.find("div", class_="notice--error")
    assert box.attrs["role"] == "alert"
    assert box.find("h2").text == "送れません"
    assert (
        parse(get_template("ui/notice.html").render({"message": "ok"}))
        .find("div", class_="notice")
        .attrs["role"]
        == "status"
    )


def test_a_summary_list_pairs_labels_and_values() -> None:
    tree = parse(get_template("ui/summary_list.html").render({"rows": [("住所", "本町1"), ("電話", "")]}))
    rows = tree.find("dl", class_="summary-list").find_all("div")
    assert [(r.find("dt").text, r.find("dd").text) for r in rows] == [("住所", "本町1"), ("電話", "—")]


def test_every_template_compiles() -> None:
    names = [
        str(path.relative_to(folder))
        for folder in SRC.glob("**/templates")
        for path in folder.glob("**/*.html")
    ]
    assert len(names) > 70
    for name in names:
        get_template(name)


# ------------------------------------------------------------------------------------------------ header


def header(client: Client, path: str = "/") -> object:
    return parse(client.get(path).content.decode()).find("header", class_="site-header")


def test_the_language_and_text_size_controls_are_in_a_menu_that_needs_no_script(db: None) -> None:
    html = Client().get("/").content.decode()
    assert "<script" not in html
    tree = parse(html)
    menu = tree.find("header").find("details", class_="site-menu")
    assert menu.find("summary").text == "メニュー"
    assert menu.find("button", name="language").text == "English"
    toggle = menu.find("button", name="size")
    assert toggle.attrs["aria-pressed"] == "false"
    assert toggle.find("span", class_="toggle__state").text == "オフ"


def test_the_text_size_toggle_shows_its_state_and_enlarges_the_page(db: None) -> None:
    client = Client()
    response = client.post("/text-size/", {"size": "large", "next": "/opendata/"})
    assert response["Location"] == "/opendata/"
    tree = parse(client.get("/").content.decode())
    assert tree.find("html").attrs["class"] == "large-text"
    toggle = tree.find("button", name="size")
    assert toggle.attrs["aria-pressed"] == "true"
    assert toggle.attrs["value"] == "normal"
    assert toggle.find("span", class_="toggle__state").text == "オン"
    client.post("/text-size/", {"size": "normal", "next": "/"})
    assert "large-text" not in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_text_size_toggle_never_sends_the_reader_off_site(db: None, target: str) -> None:
    assert Client().post("/text-size/", {"size": "large", "next": target})["Location"] == "/"


def test_english_pages_translate_the_menu(db: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    tree = parse(client.get("/").content.decode())
    menu = tree.find("details", class_="site-menu")
    assert menu.find("summary").text == "Menu"
    assert menu.find("button", name="language").text == "日本語"
    assert menu.find("button", name="language").attrs["lang"] == "ja"
    assert menu.find("span", class_="toggle__state").text == "Off"


def test_english_pages_mark_the_registrys_japanese_data(
    db: None, town_a: object, make_staff: Callable[..., object]
) -> None:
    from chiiki.core.models import Role
    from chiiki.registry.models import Household

    staff = make_staff("lang-check", town_a, Role.ADMINISTRATOR, Role.SURVEY_MANAGER)
    client = Client()
    client.force_login(staff)  # type: ignore[arg-type]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/staff/m/{town_a.code}/registry/").content.decode()  # type: ignore[attr-defined]
    tree = parse(html)
    assert tree.find("html").attrs["lang"] == "en"
    address = Household.objects.filter(municipality=town_a).order_by("household_code").first().address  # type: ignore[union-attr]
    cells = [td for td in tree.find_all("td") if td.text == address]
    assert cells
    assert all(td.attrs.get("lang") == "ja" for td in cells)
    assert tree.find("caption").text.endswith("households")


def test_every_table_in_every_template_has_a_caption_and_a_scrolling_region() -> None:
    missing = []
    for path in SRC.glob("**/templates/**/*.html"):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b.*?</table>", source, re.S):
            table = match.group(0)
            before = source[: match.start()].rstrip()
            if "<caption" not in table:
                missing.append(f"{path.relative_to(SRC)}: no caption")
            if not before.endswith("{% table_region %}") and not before.endswith("{% table_region cards %}"):
                missing.append(f"{path.relative_to(SRC)}: not in a table_region")
    assert missing == []
