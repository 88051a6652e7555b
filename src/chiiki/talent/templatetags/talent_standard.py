"""`{% standard_notice tag %}`: what a page says about the skill-standard version a profile or need uses."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from chiiki.talent import skills

register = template.Library()


@register.simple_tag
def standard_notice(tag: str) -> SafeString | str:
    """A notice when the version's role × skill table is not verified, or when it is not the version in use."""
    try:
        standard = skills.standard_for(tag)
    except KeyError:
        return ""
    notes: list[str] = []
    if not standard.matrix_verified:
        notes.append(
            _(
                "%(tag)s のロールごとの重要度は、公式の表でまだ確認されていません。ロールからの提案は目安です"
                "(スキルを名指ししたマッチングには影響しません)。"
            )
            % {"tag": standard.tag}
        )
    current = skills.current_standard()
    if current.tag != standard.tag:
        notes.append(
            _("この評価は %(old)s によるものです。いま使っている版は %(new)s です。")
            % {"old": standard.tag, "new": current.tag}
        )
    if not notes:
        return ""
    return format_html('<p class="notice">{}</p>', " ".join(notes))
