"""The JSON API (django-ninja), served under /api/v1/ with its OpenAPI description at /api/v1/openapi.json."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.security import django_auth

from chiiki.coverage.api import router as coverage_router
from chiiki.cyber.api import router as cyber_router
from chiiki.infosafety.api import router as infosafety_router
from chiiki.procedures.api import router as procedures_router
from chiiki.registry.api import router as registry_router
from chiiki.sidejob.api import router as sidejob_router
from chiiki.surveys.api import router as surveys_router
from chiiki.talent.api import router as talent_router

api = NinjaAPI(title="Chiiki API", version="1", urls_namespace="api", auth=django_auth)
api.add_router("/registry", registry_router)
api.add_router("/talent", talent_router)
api.add_router("/sidejob", sidejob_router)
api.add_router("/surveys", surveys_router)
api.add_router("/coverage", coverage_router)
api.add_router("/cyber", cyber_router)
api.add_router("/procedures", procedures_router)
api.add_router("/infosafety", infosafety_router)


@api.exception_handler(RawPostDataException)
def body_already_read(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form or multipart body sent to an endpoint that reads JSON: say so (a 400), never a server error.
    message = "本文は JSON(Content-Type: application/json)で送ってください (send the body as JSON)"
    return api.create_response(request, {"detail": message}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "この操作の権限がありません (forbidden)"}, status=403)
