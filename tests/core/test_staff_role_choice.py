"""Issue 12: every row of the role list started on 管理者, so one careless click on 付ける made an administrator."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from chiiki.core.models import Membership, Municipality, Role, User


def test_the_role_list_starts_on_an_empty_choice_and_granting_nothing_grants_nothing(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    clerk = make_staff("a-clerk", town_a, Role.ENUMERATOR)
    page = client.get(f"/staff/m/{town_a.code}/staff/").content.decode()
    select = re.search(rf'<select id="role-{clerk.pk}" name="role">(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    assert options[0][0] == ""  # the first, shown choice is empty
    assert not any(selected for _value, selected, _label in options)
    assert {value for value, _s, _l in options[1:]} == {r.value for r in Role} - {Role.ENUMERATOR.value}

    response = client.post(
        f"/staff/m/{town_a.code}/staff/",
        {"form": "role", "user": clerk.pk, "role": "", "change": "grant"},
        follow=True,
    )
    assert "付ける役割を選んでください。" in response.content.decode()
    assert set(Membership.objects.filter(user=clerk).values_list("role", flat=True)) == {Role.ENUMERATOR}

    client.post(
        f"/staff/m/{town_a.code}/staff/",
        {"form": "role", "user": clerk.pk, "role": Role.HELPDESK.value, "change": "grant"},
    )
    assert set(Membership.objects.filter(user=clerk).values_list("role", flat=True)) == {
        Role.ENUMERATOR,
        Role.HELPDESK,
    }
