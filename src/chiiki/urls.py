from django.urls import include, path

from chiiki.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("chiiki.registry.urls")),
    path("", include("chiiki.opendata.urls")),
    path("", include("chiiki.linkage.urls")),
    path("", include("chiiki.surveys.urls")),
    path("", include("chiiki.fieldwork.urls")),
    path("", include("chiiki.evidence.urls")),
    path("", include("chiiki.talent.urls")),
    path("", include("chiiki.sidejob.urls")),
    path("", include("chiiki.coverage.urls")),
    path("", include("chiiki.cyber.urls")),
    path("", include("chiiki.procedures.urls")),
    path("", include("chiiki.infosafety.urls")),
    path("", include("chiiki.core.urls")),
]
