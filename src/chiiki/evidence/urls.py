from django.urls import path

from chiiki.evidence import views

app_name = "evidence"
urlpatterns = [
    path("staff/m/<str:code>/evidence/", views.survey_list, name="surveys"),
    path("staff/m/<str:code>/evidence/surveys/<int:survey_id>/", views.survey_report, name="survey"),
    path("staff/m/<str:code>/evidence/surveys/<int:survey_id>/publish/", views.publish, name="publish"),
    path(
        "staff/m/<str:code>/evidence/surveys/<int:survey_id>/csv/<str:table>.csv",
        views.report_csv,
        name="report_csv",
    ),
]
