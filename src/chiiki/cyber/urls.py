from django.urls import path

from chiiki.cyber import two_factor, views

app_name = "cyber"
urlpatterns = [
    path("staff/m/<str:code>/cyber/", views.home, name="home"),
    path("staff/m/<str:code>/cyber/two-factor/", two_factor.enrol, name="totp_enrol"),
    path("staff/m/<str:code>/cyber/two-factor/verify/", two_factor.verify, name="totp_verify"),
    path("staff/m/<str:code>/cyber/two-factor/recover/", two_factor.recover, name="totp_recover"),
    path("staff/m/<str:code>/cyber/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
    path("staff/m/<str:code>/cyber/inbox/", views.inbox, name="inbox"),
    path("staff/m/<str:code>/cyber/advisories/new/", views.advisory_new, name="advisory_new"),
    path("staff/m/<str:code>/cyber/export/", views.export, name="export"),
    path("staff/m/<str:code>/cyber/feeds/", views.feeds, name="feeds"),
    path("staff/m/<str:code>/cyber/bodies/new/", views.body_new, name="body_new"),
    path("staff/m/<str:code>/cyber/bodies/<int:body_id>/", views.body_detail, name="body"),
    path(
        "staff/m/<str:code>/cyber/bodies/<int:body_id>/inventory/", views.inventory_upload, name="inventory"
    ),
    path("staff/m/<str:code>/cyber/bodies/<int:body_id>/contacts/", views.contact_add, name="contact_add"),
    path("staff/m/<str:code>/cyber/alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path(
        "staff/m/<str:code>/cyber/advisories/<int:advisory_id>/recipients/",
        views.recipients,
        name="recipients",
    ),
    path(
        "staff/m/<str:code>/cyber/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_ack",
    ),
    path("staff/m/<str:code>/cyber/alerts/<int:alert_id>/close/", views.alert_close, name="alert_close"),
]
