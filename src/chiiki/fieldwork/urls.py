from django.urls import path

from chiiki.fieldwork import views

# Object ids are <str:…> and parsed in the views: the permission check on <code> always runs first.
app_name = "fieldwork"
urlpatterns = [
    path("staff/m/<str:code>/fieldwork/", views.my_assignments, name="assignments"),
    path(
        "staff/m/<str:code>/fieldwork/assignments/<str:assignment_id>/visit/",
        views.visit,
        name="visit",
    ),
    path("staff/m/<str:code>/fieldwork/surveys/", views.survey_list, name="surveys"),
    path("staff/m/<str:code>/fieldwork/surveys/<str:survey_id>/", views.survey_manage, name="survey"),
    path(
        "staff/m/<str:code>/fieldwork/surveys/<str:survey_id>/dashboard/",
        views.survey_dashboard,
        name="dashboard",
    ),
]
