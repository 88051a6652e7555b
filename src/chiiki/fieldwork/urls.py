from django.urls import path

from chiiki.fieldwork import enumerating, views

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
    # The questionnaire in enumerator mode keeps its place under surveys/ in the address.
    path(
        "staff/m/<str:code>/surveys/enumerate/<str:case_id>/",
        enumerating.enumerate_home,
        name="enumerate_home",
    ),
    path(
        "staff/m/<str:code>/surveys/enumerate/<str:case_id>/q/<str:page>/",
        enumerating.enumerate_page,
        name="enumerate_page",
    ),
    path(
        "staff/m/<str:code>/surveys/enumerate/<str:case_id>/review/",
        enumerating.enumerate_review,
        name="enumerate_review",
    ),
    path(
        "staff/m/<str:code>/surveys/enumerate/<str:case_id>/receipt/",
        enumerating.enumerate_receipt,
        name="enumerate_receipt",
    ),
]
