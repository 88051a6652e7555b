"""The view-side front of the permission check: resolve the municipality in the URL and check the role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission

View = TypeVar("View", bound=Callable[..., HttpResponse])


def municipality_permission(permission: str) -> Callable[[View], View]:
    """Decorate a view taking `code`: pass it the Municipality when the user holds `permission` there, else 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            municipality = get_object_or_404(Municipality, code=code)
            if not has_permission(request.user, municipality, permission):
                raise PermissionDenied
            return view(request, municipality, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
