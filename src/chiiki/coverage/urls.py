from django.urls import path

from chiiki.coverage import views

app_name = "coverage"
urlpatterns = [
    path("coverage/<str:code>/report/", views.report_form, name="report"),
    path("coverage/<str:code>/status/", views.status_lookup, name="status_lookup"),
    path("coverage/<str:code>/status/<str:reference>/", views.report_status, name="report_status"),
    path("staff/m/<str:code>/coverage/", views.overview, name="overview"),
    path("staff/m/<str:code>/coverage/reports/", views.report_list, name="reports"),
    path("staff/m/<str:code>/coverage/reports/new/", views.staff_report_new, name="report_new"),
    path("staff/m/<str:code>/coverage/reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("staff/m/<str:code>/coverage/measurements/", views.measurements, name="measurements"),
    path("staff/m/<str:code>/coverage/targets/", views.targets, name="targets"),
    path("staff/m/<str:code>/coverage/cells.csv", views.export_cells_csv, name="cells_csv"),
    path("staff/m/<str:code>/coverage/cells.geojson", views.export_cells_geojson, name="cells_geojson"),
]
