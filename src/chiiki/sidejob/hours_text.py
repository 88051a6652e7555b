"""Working-hours warnings in the page's language.

The hours engine (chiiki.sidejob.hours) is Django-free; its own Japanese wording (``LimitWarning.message_ja``)
serves Django-free callers and its worked-example tests. Pages word the same figures here through gettext.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chiiki.sidejob.hours import HOUR, LimitWarning, Rule, Severity


def _rule(rule: Rule) -> str:
    return {
        Rule.COMBINED_MONTHLY: _("時間外・休日労働の合計(通算)は月100時間未満"),
        Rule.COMBINED_AVERAGE: _("時間外・休日労働の合計(通算)は2〜6か月平均で80時間以内"),
        Rule.AGREEMENT_MONTHLY: _("36協定で定めた月の時間外労働の上限"),
        Rule.AGREEMENT_ANNUAL: _("36協定で定めた年の時間外労働の上限"),
        Rule.SPECIAL_MONTHS: _("協定の月の上限(限度時間45時間以内)を超えられるのは年6か月まで"),
        Rule.NO_AGREEMENT: _("36協定なしに時間外・休日労働はさせられません"),
        Rule.MODEL_CAP: _("管理モデルで事前に合意した上限"),
    }[rule]


def warning_text(warning: LimitWarning) -> str:
    """One warning as a sentence: month, the limit, approaching or exceeded, and the figures."""
    state = _("上限を超えています") if warning.severity is Severity.EXCEEDED else _("上限に近づいています")
    if warning.rule is Rule.SPECIAL_MONTHS:
        figures = _("%(value)g か月 / %(limit)g か月") % {"value": warning.value, "limit": warning.limit}
    else:
        figures = _("%(value)g 時間 / %(limit)g 時間") % {
            "value": warning.value / HOUR,
            "limit": warning.limit / HOUR,
        }
    if warning.window_months:
        figures += _("、直近%(n)dか月平均") % {"n": warning.window_months}
    return _("%(year)d年%(month)d月: %(rule)s。%(state)s(%(figures)s)") % {
        "year": warning.month.year,
        "month": warning.month.month,
        "rule": _rule(warning.rule),
        "state": state,
        "figures": figures,
    }
