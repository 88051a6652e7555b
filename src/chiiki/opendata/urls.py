from django.urls import path

from chiiki.opendata import views
from chiiki.opendata.api import ckan

app_name = "opendata"
urlpatterns = [
    # CKAN Action API (both spellings CKAN clients use), outside the ninja API.
    path("api/3/action/<str:name>", ckan.dispatch, name="ckan_action"),
    path("api/action/<str:name>", ckan.dispatch, name="ckan_action_unversioned"),
    path("catalog.ttl", views.catalog_rdf, {"fmt": "ttl"}, name="catalog_ttl"),
    path("catalog.jsonld", views.catalog_rdf, {"fmt": "jsonld"}, name="catalog_jsonld"),
    path("catalog.rdf", views.catalog_rdf, {"fmt": "rdf"}, name="catalog_rdf"),
    path("catalog.xml", views.catalog_rdf, {"fmt": "xml"}, name="catalog_xml"),
    path("catalog", views.catalog_negotiated, name="catalog_negotiated"),
    path("opendata/standard/<str:kind>.json", views.standard_schema, name="standard_schema"),
    path("opendata/", views.catalog, name="catalog"),
    path("opendata/dataset/<str:name>/", views.dataset_detail, name="dataset"),
    path("opendata/dataset/<str:name>/report/", views.dataset_report, name="report"),
    path("opendata/dataset/<str:name>/history/", views.dataset_history, name="history"),
    path("opendata/dataset/<str:name>.ttl", views.dataset_rdf, {"fmt": "ttl"}, name="dataset_ttl"),
    path("opendata/dataset/<str:name>.jsonld", views.dataset_rdf, {"fmt": "jsonld"}, name="dataset_jsonld"),
    path("opendata/dataset/<str:name>.rdf", views.dataset_rdf, {"fmt": "rdf"}, name="dataset_rdf"),
    path("opendata/resource/<uuid:resource_id>/download", views.download, name="download"),
    path("staff/m/<str:code>/opendata/", views.staff_home, name="staff"),
    path("staff/m/<str:code>/opendata/tokens/", views.tokens, name="tokens"),
    path(
        "staff/m/<str:code>/opendata/harvested/<str:name>/accept/",
        views.accept_harvested,
        name="accept_harvested",
    ),
    path("staff/m/<str:code>/opendata/dataset/<str:name>/publish/", views.publish, name="publish"),
    path("staff/m/<str:code>/opendata/dataset/<str:name>/unpublish/", views.unpublish, name="unpublish"),
    path("staff/m/<str:code>/opendata/dataset/<str:name>/period/", views.set_period, name="period"),
    path(
        "staff/m/<str:code>/opendata/uploads/<int:upload_id>/confirm/",
        views.confirm_upload,
        name="confirm_upload",
    ),
]
