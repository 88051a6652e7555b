from django.urls import path

from chiiki.talent import views

app_name = "talent"
urlpatterns = [
    path("talent/", views.home, name="home"),
    path("talent/join/", views.join, name="join"),
    path("talent/profiles/<int:pk>/", views.profile_detail, name="profile"),
    path("talent/profiles/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("talent/needs/", views.need_list, name="needs"),
    path("talent/needs/<int:pk>/", views.need_detail, name="need"),
    path("talent/needs/<int:pk>/matches/", views.need_matches, name="need_matches"),
    path("talent/needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("talent/introductions/", views.introduction_list, name="introductions"),
    path("talent/introductions/new/", views.introduce, name="introduce"),
    path("talent/introductions/<int:pk>/", views.introduction_detail, name="introduction"),
    path("talent/me/", views.me, name="me"),
    path("talent/me/edit/", views.me_edit, name="me_edit"),
    path("talent/me/skills/", views.me_skills, name="me_skills"),
    path("talent/me/evidence/", views.me_evidence, name="me_evidence"),
    path("talent/me/matches/", views.me_matches, name="me_matches"),
    path("talent/me/export.json", views.me_export, name="me_export"),
    path("talent/me/delete/", views.me_delete, name="me_delete"),
    path("talent/me/hours/", views.me_hours, name="me_hours"),
    path("talent/me/hours/model/", views.me_hours_model, name="me_hours_model"),
    path("talent/hours-models/<int:pk>/", views.management_model_detail, name="management_model"),
    path("talent/organizations/new/", views.organization_new, name="organization_new"),
    path("talent/organizations/<int:pk>/", views.organization_detail, name="organization"),
    path("talent/organizations/<int:pk>/needs/new/", views.need_new, name="need_new"),
    path("talent/organizations/<int:pk>/contracts/new/", views.contract_new, name="contract_new"),
    path("talent/contracts/<int:pk>/", views.contract_detail, name="contract"),
    # Staff pages take only the municipality code, so tests/core/test_permissions.py walks them as they are.
    path("staff/m/<str:code>/talent/", views.dashboard, name="dashboard"),
    path("staff/m/<str:code>/talent/needs/new/", views.staff_need_new, name="staff_need_new"),
    path("staff/m/<str:code>/talent/organizations/", views.verify, name="verify"),
]
