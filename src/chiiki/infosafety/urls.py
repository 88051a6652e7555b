from django.urls import path

from chiiki.infosafety import feeds, views

app_name = "infosafety"
urlpatterns = [
    path("factcheck/<str:area>/", views.public_list, name="public_list"),
    path("factcheck/<str:area>/feed.atom", feeds.PublishedChecksFeed(), name="feed"),
    path("factcheck/<str:area>/report/", views.public_report, name="public_report"),
    path("factcheck/<str:area>/<int:claim_id>/", views.public_detail, name="public_detail"),
    path("yamibaito/<str:area>/", views.prevention, name="prevention"),
    path("line/<str:area>/webhook", views.line_webhook, name="line_webhook"),
    path("staff/m/<str:code>/infosafety/", views.desk, name="desk"),
    path("staff/m/<str:code>/infosafety/report/", views.staff_report, name="staff_report"),
    path("staff/m/<str:code>/infosafety/import/", views.import_posts, name="import"),
    path("staff/m/<str:code>/infosafety/dashboard/", views.dashboard, name="dashboard"),
    path(
        "staff/m/<str:code>/infosafety/watch/<int:mode_id>/patterns/",
        views.watch_patterns,
        name="watch_patterns",
    ),
    path("staff/m/<str:code>/infosafety/claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path(
        "staff/m/<str:code>/infosafety/reports/<int:report_id>/screenshot",
        views.report_screenshot,
        name="screenshot",
    ),
    path(
        "staff/m/<str:code>/infosafety/sources/<int:source_id>/archive",
        views.source_archive,
        name="source_archive",
    ),
    path(
        "staff/m/<str:code>/infosafety/claims/<int:claim_id>/<str:step>/", views.claim_step, name="claim_step"
    ),
    path("staff/m/<str:code>/infosafety/screening/", views.screening, name="screening"),
    path("staff/m/<str:code>/infosafety/screening/upload/", views.screening_upload, name="screening_upload"),
    path("staff/m/<str:code>/infosafety/screening/batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("staff/m/<str:code>/infosafety/signals/", views.signals, name="signals"),
    path("staff/m/<str:code>/infosafety/takedowns/", views.takedowns, name="takedowns"),
    path("staff/m/<str:code>/infosafety/takedowns/new/", views.takedown_new, name="takedown_new"),
    path("staff/m/<str:code>/infosafety/takedowns/<int:report_id>/", views.takedown_detail, name="takedown"),
    path(
        "staff/m/<str:code>/infosafety/takedowns/<int:report_id>/capture/",
        views.takedown_capture,
        name="takedown_capture",
    ),
    path(
        "staff/m/<str:code>/infosafety/takedowns/<int:report_id>/capture",
        views.takedown_capture_file,
        name="takedown_capture_file",
    ),
    path(
        "staff/m/<str:code>/infosafety/takedowns/<int:report_id>/report.zip",
        views.takedown_export,
        name="takedown_export",
    ),
    path(
        "staff/m/<str:code>/infosafety/takedowns/<int:report_id>/status/",
        views.takedown_status,
        name="takedown_status",
    ),
]
