"""Values every page of the UI shell needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chiiki.core.models import Membership


def shell(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's municipalities, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_municipalities": []}
    codes = (
        Membership.objects.filter(user_id=user.pk)
        .values_list("municipality__code", "municipality__prefecture", "municipality__name")
        .distinct()
    )
    return {"staff_municipalities": [{"code": c, "name": f"{p}{n}"} for c, p, n in codes]}
