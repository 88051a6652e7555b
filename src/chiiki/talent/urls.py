from django.urls import path

from chiiki.talent.views import dashboard, introductions, me, needs, organizations, profiles

app_name = "talent"
urlpatterns = [
    path("talent/", profiles.home, name="home"),
    path("talent/join/", me.join, name="join"),
    path("talent/profiles/<int:pk>/", profiles.profile_detail, name="profile"),
    path("talent/profiles/<int:pk>/endorse/", profiles.endorse, name="endorse"),
    path("talent/needs/", needs.need_list, name="needs"),
    path("talent/needs/<int:pk>/", needs.need_detail, name="need"),
    path("talent/needs/<int:pk>/matches/", needs.need_matches, name="need_matches"),
    path("talent/needs/<int:pk>/close/", needs.need_close, name="need_close"),
    path("talent/introductions/", introductions.introduction_list, name="introductions"),
    path("talent/introductions/new/", introductions.introduce, name="introduce"),
    path("talent/introductions/<int:pk>/", introductions.introduction_detail, name="introduction"),
    path("talent/me/", me.me, name="me"),
    path("talent/me/edit/", me.me_edit, name="me_edit"),
    path("talent/me/skills/", me.me_skills, name="me_skills"),
    path("talent/me/evidence/", me.me_evidence, name="me_evidence"),
    path("talent/me/matches/", me.me_matches, name="me_matches"),
    path("talent/me/export.json", me.me_export, name="me_export"),
    path("talent/me/delete/", me.me_delete, name="me_delete"),
    path("talent/organizations/new/", organizations.organization_new, name="organization_new"),
    path("talent/organizations/<int:pk>/", organizations.organization_detail, name="organization"),
    path("talent/organizations/<int:pk>/needs/new/", needs.need_new, name="need_new"),
    # The side-job pages (/talent/me/hours/, /talent/contracts/…) are the sidejob app's: chiiki.sidejob.urls.
    # Staff pages take only the municipality code, so tests/core/test_permissions.py walks them as they are.
    path("staff/m/<str:code>/talent/", dashboard.dashboard, name="dashboard"),
    path("staff/m/<str:code>/talent/needs/new/", needs.staff_need_new, name="staff_need_new"),
    path("staff/m/<str:code>/talent/organizations/", organizations.verify, name="verify"),
]
