from django.contrib.auth.views import LogoutView
from django.urls import path

from chiiki.core import shell_views, staff_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("text-size/", shell_views.text_size, name="text_size"),
    path("staff/login/", views.staff_login, name="login"),
    path("staff/logout/", LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/audit/", views.audit_log, name="audit_log"),
    path("staff/audit/export.csv", views.audit_export, name="audit_export"),
    path("staff/m/<str:code>/staff/", staff_views.staff_list, name="staff_list"),
]
