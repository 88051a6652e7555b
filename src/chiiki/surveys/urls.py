from django.urls import path

from chiiki.surveys.answering import views
from chiiki.surveys.exports import views as export_views
from chiiki.surveys.staff import views as manage_views

app_name = "surveys"
urlpatterns = [
    path("answer/", views.answer_login, name="answer_login"),
    path("answer/password/", views.answer_password, name="answer_password"),
    path("answer/logout/", views.answer_logout, name="answer_logout"),
    path("answer/text-size/", views.text_size, name="text_size"),
    path("answer/start/", views.answer_home, name="answer_home"),
    path("answer/q/<str:page>/", views.answer_page, name="answer_page"),
    path("answer/review/", views.answer_review, name="answer_review"),
    path("answer/receipt/", views.answer_receipt, name="answer_receipt"),
    path("staff/m/<str:code>/surveys/assist/", views.assist_open, name="assist_open"),
    path("staff/m/<str:code>/surveys/assist/<str:case_id>/", views.assist_home, name="assist_home"),
    path(
        "staff/m/<str:code>/surveys/assist/<str:case_id>/q/<str:page>/", views.assist_page, name="assist_page"
    ),
    path(
        "staff/m/<str:code>/surveys/assist/<str:case_id>/review/", views.assist_review, name="assist_review"
    ),
    path(
        "staff/m/<str:code>/surveys/assist/<str:case_id>/receipt/",
        views.assist_receipt,
        name="assist_receipt",
    ),
    # Survey management; after assist/ so that "assist" is never taken for a survey id.
    path("staff/m/<str:code>/surveys/", manage_views.survey_list, name="manage_list"),
    path("staff/m/<str:code>/surveys/new/", manage_views.survey_new, name="manage_new"),
    path("staff/m/<str:code>/surveys/<str:survey_id>/", manage_views.survey_manage, name="manage_survey"),
    path(
        "staff/m/<str:code>/surveys/<str:survey_id>/reissue/", manage_views.key_reissue, name="manage_reissue"
    ),
    path("staff/m/<str:code>/surveys/<str:survey_id>/files/", manage_views.survey_files, name="manage_files"),
    path(
        "staff/m/<str:code>/surveys/<str:survey_id>/letters/<int:job_id>/download/",
        manage_views.letters_download,
        name="letters_download",
    ),
    path(
        "staff/m/<str:code>/surveys/<str:survey_id>/exports/",
        export_views.survey_exports,
        name="survey_exports",
    ),
    path(
        "staff/m/<str:code>/surveys/<str:survey_id>/exports/<int:export_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
]
