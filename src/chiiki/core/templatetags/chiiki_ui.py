"""`{% load chiiki_ui %}`: the page components' filters and tags (documented in templates/ui/README.md).

- `{{ n|number }}`, `{{ x|number:1 }}`: a number with thousands separators (12,345; 1,234.5).
- `{{ d|when }}`: a date or time for people, one format per language (2026年12月4日 / 4 December 2026);
  options, space separated: `time` (adds 13:53), `wareki` (令和8年(2026年)12月4日), `month` (2026年12月),
  `short` (12月4日 13:53), `iso` (2026-12-04 13:53:07, only where a machine format is needed).
- `{{ name|ja }}`: Japanese data marked `lang="ja"` on pages in another language (WCAG 3.1.2).
- `{% lang_ja %}` inside a tag (`<td{% lang_ja %}>`): the same as an attribute.
- `{% table_region %}<table><caption>…</caption>…</table>{% endtable_region %}`: a data table in a focusable
  region named by its caption that scrolls sideways on phones.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from chiiki.jp import era_of

register = template.Library()

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _japanese() -> bool:
    return (translation.get_language() or "ja").split("-")[0] == "ja"


# ------------------------------------------------------------------------------------------------ numbers


@register.filter
def number(value: Any, digits: Any = None) -> str:
    """A number with thousands separators; `digits` fixes the decimals (rounded half up). None gives ""."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    if digits not in (None, ""):
        places = max(int(digits), 0)
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if amount == 0:
            amount = abs(amount)  # no "-0.0"
        return f"{amount:,.{places}f}"
    if amount == amount.to_integral_value():
        return f"{amount.to_integral_value():,}"
    return f"{amount.normalize():,f}"


# ------------------------------------------------------------------------------------------------ dates


def _local(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day_ja(day: dt.date, wareki: bool) -> str:
    if not wareki:
        return f"{day.year}年{day.month}月{day.day}日"
    if isinstance(day, dt.datetime):
        day = day.date()
    era = era_of(day)
    year = day.year - era.offset
    return f"{era.name}{'元' if year == 1 else year}年({day.year}年){day.month}月{day.day}日"


def _day_en(day: dt.date, short: bool = False) -> str:
    month = MONTHS_EN[day.month - 1]
    return f"{day.day} {month[:3] if short else month} {day.year}"


def _iso(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _format(value: dt.date, options: set[str]) -> str:
    has_time = isinstance(value, dt.datetime)
    clock = f"{value.hour}:{value.minute:02d}" if has_time else ""  # type: ignore[attr-defined]
    ja = _japanese()
    if "month" in options:
        return f"{value.year}年{value.month}月" if ja else f"{MONTHS_EN[value.month - 1]} {value.year}"
    if "short" in options:
        day = f"{value.month}月{value.day}日" if ja else f"{value.day} {MONTHS_EN[value.month - 1][:3]}"
        return f"{day} {clock}".strip()
    day = _day_ja(value, "wareki" in options) if ja else _day_en(value)
    if "time" in options and clock:
        return f"{day} {clock}" if ja else f"{day}, {clock}"
    return day


@register.filter
def when(value: Any, options: str = "") -> str:
    """A date or datetime in the page language (see the module docstring for the options). None gives ""."""
    if not isinstance(value, dt.date):
        return "" if value in (None, "") else str(value)
    value = _local(value)
    wanted = set(options.split())
    if "iso" in wanted:
        return _iso(value)
    return _format(value, wanted)


# ------------------------------------------------------------------------------------------------ language


@register.filter(is_safe=True)
def ja(value: Any) -> SafeString | str:
    """Japanese data in a page of another language: wrapped in `<span lang="ja">`; unchanged on Japanese pages."""
    if value is None or value == "":
        return ""
    if _japanese():
        return conditional_escape(value)
    return format_html('<span lang="ja">{}</span>', value)


@register.filter(is_safe=True)
def place(municipality: Any) -> SafeString | str:
    """A municipality's name for the page's language: 広島県緑川市 on Japanese pages; on others the romanized name
    followed by the Japanese one marked `lang="ja"` (Midorikawa City, Hiroshima (広島県緑川市))."""
    if municipality is None or municipality == "":
        return ""
    japanese = getattr(municipality, "display_name", str(municipality))
    english = getattr(municipality, "english_name", japanese)
    if _japanese() or english == japanese:
        return ja(japanese)
    return format_html('{} (<span lang="ja">{}</span>)', english, japanese)


@register.simple_tag
def lang_ja() -> SafeString:
    """` lang="ja"` on pages in another language, for an element that holds Japanese data."""
    return mark_safe("") if _japanese() else mark_safe(' lang="ja"')


# ------------------------------------------------------------------------------------------------ forms


@register.filter
def field_anchor(field: Any) -> str:
    """The id an error-summary link jumps to: the control, or the first choice of a radio/checkbox group."""
    ident = field.id_for_label
    if not ident and field.auto_id:
        ident = f"{field.auto_id}_0"
    return str(ident or "")


# ------------------------------------------------------------------------------------------------ tables

_CAPTION = re.compile(r"<caption(?P<attrs>[^>]*)>")
_ID = re.compile(r"""\bid=["'](?P<id>[^"']+)["']""")


class TableRegionNode(template.Node):
    """Renders its table inside a focusable region labelled by the table's caption."""

    def __init__(self, nodelist: template.NodeList, cards: bool) -> None:
        self.nodelist = nodelist
        self.cards = cards

    def render(self, context: template.Context) -> str:
        """The table wrapped in `<div class="table-scroll" role="region" …>`."""
        base = context.dicts[0]
        base["_ui_tables"] = base.get("_ui_tables", 0) + 1
        html = str(self.nodelist.render(context))
        match = _CAPTION.search(html)
        label = ""
        if match:
            found = _ID.search(match.group("attrs"))
            caption_id = found.group("id") if found else f"table-{base['_ui_tables']}-caption"
            if not found:
                html = f'{html[: match.start()]}<caption id="{caption_id}"{match.group("attrs")}>{html[match.end() :]}'
            label = f' aria-labelledby="{caption_id}"'
        css = "table-scroll table-scroll--cards" if self.cards else "table-scroll"
        return f'<div class="{css}" role="region" tabindex="0"{label}>{html}</div>'


@register.tag
def table_region(parser: Parser, token: Token) -> TableRegionNode:
    """`{% table_region %}…{% endtable_region %}`; `{% table_region cards %}` shows rows as cards on phones."""
    bits = token.split_contents()
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    return TableRegionNode(nodelist, cards="cards" in bits[1:])
