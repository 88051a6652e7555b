from django.urls import path

from chiiki.coverage import views

app_name = "coverage"
urlpatterns = [
    # Resident pages (no account): the municipality is named `town`, since every `<str:code>` route is a staff page
    # that tests/core/test_permissions.py walks.
    path("coverage/<str:town>/report/", views.report_form, name="report"),
    path("coverage/<str:town>/status/", views.status_lookup, name="status_lookup"),
    path("coverage/<str:town>/status/<str:reference>/", views.report_status, name="report_status"),
    path("staff/m/<str:code>/coverage/", views.overview, name="overview"),
    path("staff/m/<str:code>/coverage/districts/", views.districts, name="districts"),
    path("staff/m/<str:code>/coverage/reports/", views.report_list, name="reports"),
    path("staff/m/<str:code>/coverage/reports/new/", views.staff_report_new, name="report_new"),
    path("staff/m/<str:code>/coverage/reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("staff/m/<str:code>/coverage/measurements/", views.measurements, name="measurements"),
    path("staff/m/<str:code>/coverage/targets/", views.targets, name="targets"),
    path("staff/m/<str:code>/coverage/layers/", views.layers, name="layers"),
    path("staff/m/<str:code>/coverage/census/", views.census, name="census"),
    path("staff/m/<str:code>/coverage/boundaries/", views.boundaries, name="boundaries"),
    path("staff/m/<str:code>/coverage/challenges/", views.challenges, name="challenges"),
    path(
        "staff/m/<str:code>/coverage/challenges/<int:challenge_id>/", views.challenge_detail, name="challenge"
    ),
    path(
        "staff/m/<str:code>/coverage/challenges/<int:challenge_id>/evidence.zip",
        views.challenge_pack,
        name="challenge_pack",
    ),
    path("staff/m/<str:code>/coverage/cells.csv", views.export_cells_csv, name="cells_csv"),
    path("staff/m/<str:code>/coverage/cells.geojson", views.export_cells_geojson, name="cells_geojson"),
]
